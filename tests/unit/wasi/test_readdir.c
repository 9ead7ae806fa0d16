/*
 * fd_readdir over a fake port: a directory of a few hundred entries is
 * listed the way wasi-libc's readdir does (small buffers, the entry cut
 * short at the end of one asked for again by its cookie), and the port's
 * work is counted: one pass over the directory, not one rescan per call.
 * Cookies resume after their entry, rewinding and seeking start a new
 * listing, removing entries already listed does not make the listing skip
 * others, and every listing the port opened is closed again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pus/err.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

#define MAX_ENTRIES 400
#define MAX_LISTINGS 4
#define BUF_ADDR 1024

/* The fake directory "." (the preopen): entries in creation order, some
 * removed. A listing walks the array, as a filesystem's iteration walks
 * its directory; the index-based readdir counts live entries only. */
struct fake {
    char names[MAX_ENTRIES][32];
    bool removed[MAX_ENTRIES];
    int count;
    struct { bool open; int pos; uint64_t given; } listings[MAX_LISTINGS];
    int opens, closes;
    long entries_read;      /* entries the port stepped over, both ways */
};

static int fake_opendir(void *ctx, const char *path, int *handle)
{
    struct fake *f = ctx;
    assert_string_equal(path, ".");
    for (int h = 0; h < MAX_LISTINGS; h++) {
        if (!f->listings[h].open) {
            f->listings[h].open = true;
            f->listings[h].pos = 0;
            f->listings[h].given = 0;
            f->opens++;
            *handle = h;
            return 0;
        }
    }
    return ERR_NO_SPACE;
}

static int fake_dir_next(void *ctx, int h, char *name, size_t cap, uint8_t *type, uint64_t *ino)
{
    struct fake *f = ctx;
    assert_true(h >= 0 && h < MAX_LISTINGS && f->listings[h].open);
    int *pos = &f->listings[h].pos;
    while (*pos < f->count && f->removed[*pos])
        (*pos)++;
    if (*pos >= f->count)
        return 0;
    f->entries_read++;
    snprintf(name, cap, "%s", f->names[*pos]);
    *type = WASI_FILETYPE_REGULAR_FILE;
    *ino = (uint64_t)*pos + 1;
    (*pos)++;
    return 1;
}

static int fake_closedir(void *ctx, int h)
{
    struct fake *f = ctx;
    assert_true(h >= 0 && h < MAX_LISTINGS && f->listings[h].open);
    f->listings[h].open = false;
    f->closes++;
    return 0;
}

static int fake_readdir(void *ctx, const char *path, uint64_t index, char *name, size_t cap,
                        uint8_t *type, uint64_t *ino)
{
    struct fake *f = ctx;
    uint64_t live = 0;
    for (int i = 0; i < f->count; i++) {
        if (f->removed[i])
            continue;
        f->entries_read++;
        if (live++ == index) {
            snprintf(name, cap, "%s", f->names[i]);
            *type = WASI_FILETYPE_REGULAR_FILE;
            *ino = (uint64_t)i + 1;
            return 1;
        }
    }
    return 0;
}

/* A module importing fd_readdir, calling it from its export "readdir"
 * (same signature), with one page of memory. */
static const uint8_t module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x0a, 0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7e, 0x7f, 0x01, 0x7f,   /* type */
    0x02, 0x25, 0x01, 0x16, 'w', 'a', 's', 'i', '_', 's', 'n', 'a', 'p', 's', 'h', 'o', 't',
    '_', 'p', 'r', 'e', 'v', 'i', 'e', 'w', '1', 0x0a, 'f', 'd', '_', 'r', 'e', 'a', 'd',
    'd', 'i', 'r', 0x00, 0x00,                                                /* import */
    0x03, 0x02, 0x01, 0x00,                                                   /* function */
    0x05, 0x03, 0x01, 0x00, 0x01,                                             /* memory */
    0x07, 0x0b, 0x01, 0x07, 'r', 'e', 'a', 'd', 'd', 'i', 'r', 0x00, 0x01,    /* export */
    0x0a, 0x10, 0x01, 0x0e, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03,
    0x20, 0x04, 0x10, 0x00, 0x0b,                                             /* code */
};

struct rig {
    struct fake fake;
    struct wasi_port port;
    wasi_ctx *wasi;
    wasm_module *module;
    wasm_store *store;
    wasm_instance *inst;
    wasm_func *readdir;
    wasm_extern imports[1];
};

static struct rig *rig_new(int entries, bool listings)
{
    struct rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    for (int i = 0; i < entries; i++)
        snprintf(r->fake.names[i], sizeof r->fake.names[i], "entry-%03d-%.*s", i, i % 13,
                 "abcdefghijklm");      /* names of different lengths */
    r->fake.count = entries;
    r->port.ctx = &r->fake;
    if (listings) {
        r->port.opendir = fake_opendir;
        r->port.dir_next = fake_dir_next;
        r->port.closedir = fake_closedir;
    }
    r->port.readdir = fake_readdir;
    const char *argv[] = {"t"};
    r->wasi = wasi_new(&r->port, 1, argv, 0, NULL);
    assert_non_null(r->wasi);
    char err[160];
    assert_int_equal(wasm_module_load(module_bytes, sizeof module_bytes, &r->module, err,
                                      sizeof err), 0);
    r->store = wasm_store_new();
    assert_int_equal(wasi_link(r->wasi, r->store, r->module, r->imports, err, sizeof err), 0);
    assert_int_equal(wasm_instantiate(r->store, r->module, r->imports, NULL, &r->inst, err,
                                      sizeof err), 0);
    wasm_instance_set_user(r->inst, r->wasi);
    wasm_extern e;
    assert_true(wasm_instance_export(r->inst, "readdir", &e));
    r->readdir = e.u.func;
    return r;
}

static void rig_free(struct rig *r)
{
    wasm_store_free(r->store);
    wasm_module_free(r->module);
    wasi_free(r->wasi);
    assert_int_equal(r->fake.opens, r->fake.closes);     /* every listing ended */
    free(r);
}

/* One fd_readdir call on fd 3 into the app's buffer; returns the bytes used. */
static uint32_t call_readdir(struct rig *r, uint32_t buflen, uint64_t cookie)
{
    wasm_value args[5] = {3, BUF_ADDR, buflen, cookie, 0};
    assert_int_equal(wasm_call(r->inst, r->readdir, args), WASM_DONE);
    assert_int_equal((uint32_t)wasm_results(r->inst)[0], 0);
    uint32_t used;
    memcpy(&used, wasm_memory_ptr(r->inst, 0, 4), 4);
    assert_true(used <= buflen);
    return used;
}

/* Lists the directory as wasi-libc's readdir does: parses whole entries
 * out of each buffer and, after a full buffer, calls again with the
 * cookie after the last whole entry. Stops at the end or after max_calls
 * calls (if > 0); the names go to out (a newline after each). Returns the
 * cookie to go on from. */
static uint64_t list(struct rig *r, uint32_t buflen, uint64_t cookie, int max_calls, char *out,
                     size_t cap, int *calls)
{
    int n = 0;
    out[0] = '\0';
    for (;;) {
        uint32_t used = call_readdir(r, buflen, cookie);
        (*calls)++;
        n++;
        const uint8_t *p = wasm_memory_ptr(r->inst, BUF_ADDR, buflen);
        uint32_t off = 0;
        while (off + 24 <= used) {
            uint64_t next;
            uint32_t nlen;
            memcpy(&next, p + off, 8);
            memcpy(&nlen, p + off + 16, 4);
            if (off + 24 + nlen > used)
                break;                  /* cut short: asked for again */
            assert_int_equal(next, cookie + 1);
            size_t len = strlen(out);
            assert_true(len + nlen + 2 <= cap);
            memcpy(out + len, p + off + 24, nlen);
            out[len + nlen] = '\n';
            out[len + nlen + 1] = '\0';
            cookie = next;
            off += 24 + nlen;
        }
        if (used < buflen)
            return cookie;              /* the end of the directory */
        assert_true(off > 0);           /* (libc would grow its buffer) */
        if (max_calls > 0 && n == max_calls)
            return cookie;
    }
}

static char *expected(const struct fake *f, int from)
{
    static char buf[MAX_ENTRIES * 40];
    buf[0] = '\0';
    for (int i = from; i < f->count; i++) {
        if (!f->removed[i]) {
            strcat(buf, f->names[i]);
            strcat(buf, "\n");
        }
    }
    return buf;
}

static char got[MAX_ENTRIES * 40];

static void test_listing_is_one_pass(void **state)
{
    struct rig *r = rig_new(300, true);
    int calls = 0;
    list(r, 100, 0, 0, got, sizeof got, &calls);
    assert_string_equal(got, expected(&r->fake, 0));
    assert_true(calls > 100);           /* the small buffer cut many entries short */
    assert_int_equal(r->fake.opens, 1);
    /* Each entry read once (plus nothing: the one cut short is kept). */
    assert_int_equal(r->fake.entries_read, 300);
    rig_free(r);
}

static void test_bigger_buffers_give_the_same_listing(void **state)
{
    static const uint32_t sizes[] = {46, 47, 61, 97, 4096, 60000};   /* 46: the longest entry */
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        struct rig *r = rig_new(257, true);
        int calls = 0;
        list(r, sizes[i], 0, 0, got, sizeof got, &calls);
        assert_string_equal(got, expected(&r->fake, 0));
        assert_int_equal(r->fake.entries_read, 257);
        rig_free(r);
    }
}

static void test_cookies_resume_after_their_entry(void **state)
{
    struct rig *r = rig_new(200, true);
    int calls = 0;
    char first[64 * 40];
    uint64_t c1 = list(r, 512, 0, 1, first, sizeof first, &calls);
    assert_true(c1 > 5 && c1 < 30);
    uint64_t c2 = list(r, 512, c1, 1, got, sizeof got, &calls);
    assert_true(c2 > c1);
    assert_int_equal(r->fake.opens, 1);     /* went on with the same listing */
    /* rewinddir: cookie 0 starts a new listing */
    list(r, 512, 0, 0, got, sizeof got, &calls);
    assert_string_equal(got, expected(&r->fake, 0));
    assert_int_equal(r->fake.opens, 2);
    /* seekdir back to a cookie given earlier: resumes after its entry */
    list(r, 512, c1, 0, got, sizeof got, &calls);
    assert_string_equal(got, expected(&r->fake, (int)c1));
    assert_int_equal(r->fake.opens, 3);
    /* seekdir ahead, from a fresh descriptor state: entries skipped */
    list(r, 512, 150, 0, got, sizeof got, &calls);
    assert_string_equal(got, expected(&r->fake, 150));
    /* at and past the end: nothing, and no error */
    assert_int_equal(call_readdir(r, 4096, 200), 0);
    assert_int_equal(call_readdir(r, 4096, 1000), 0);
    rig_free(r);
}

static void test_removing_listed_entries_skips_nothing(void **state)
{
    /* An app removing what each buffer listed (rm -r): with a rescan per
     * call, the entries not yet listed moved down by as many positions
     * and the next call skipped that many. */
    struct rig *r = rig_new(300, true);
    int calls = 0;
    uint64_t cookie = 0;
    for (int round = 0; round < 300; round++) {
        cookie = list(r, 200, cookie, 1, got, sizeof got, &calls);
        if (!got[0])
            break;
        for (int i = 0; i < r->fake.count; i++)
            if (strstr(got, r->fake.names[i]))
                r->fake.removed[i] = true;
    }
    for (int i = 0; i < 300; i++)
        assert_true(r->fake.removed[i]);        /* every entry was listed */
    assert_int_equal(r->fake.opens, 1);
    rig_free(r);
}

static void test_wasi_free_ends_the_listing(void **state)
{
    struct rig *r = rig_new(10, true);
    int calls = 0;
    list(r, 64, 0, 3, got, sizeof got, &calls);
    assert_int_equal(r->fake.opens, 1);
    assert_int_equal(r->fake.closes, 0);
    rig_free(r);                        /* wasi_free closes it */
}

static void test_ports_without_listings_rescan(void **state)
{
    struct rig *r = rig_new(40, false);
    int calls = 0;
    list(r, 100, 0, 0, got, sizeof got, &calls);
    assert_string_equal(got, expected(&r->fake, 0));
    assert_int_equal(r->fake.opens, 0);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listing_is_one_pass),
        cmocka_unit_test(test_bigger_buffers_give_the_same_listing),
        cmocka_unit_test(test_cookies_resume_after_their_entry),
        cmocka_unit_test(test_removing_listed_entries_skips_nothing),
        cmocka_unit_test(test_wasi_free_ends_the_listing),
        cmocka_unit_test(test_ports_without_listings_rescan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
