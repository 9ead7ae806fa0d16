/*
 * The fdt reader against real blobs: QEMU's riscv64 `virt` machine dumps
 * its devicetree (dumpdtb) into build/test-data/ at test time, and dtc's
 * fdtget serves as an independent second reader for cross-checks. Then the
 * same blobs, truncated at every length and damaged at every byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fdt/fdt.h"
#include "fdt_exercise.h"
#include "pus/err.h"

#define DATA_DIR "build/test-data"

struct blob {
    uint8_t *data;
    size_t len;
    char path[256];
};

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Dumps QEMU's devicetree for these options unless already there. The
 * -append option needs a -kernel; a tiny file of zeros does, as QEMU exits
 * after dumping before it would run anything. */
static void load_virt(struct blob *b, const char *name, const char *opts)
{
    snprintf(b->path, sizeof(b->path), DATA_DIR "/%s.dtb", name);
    struct stat st;
    if (stat(b->path, &st) != 0) {
        char cmd[1024];
        snprintf(cmd, sizeof(cmd),
                 "mkdir -p " DATA_DIR " && head -c 16 /dev/zero > " DATA_DIR "/zero-kernel.bin && "
                 "qemu-system-riscv64 -machine virt,dumpdtb=%s.tmp %s -nographic "
                 "-kernel " DATA_DIR "/zero-kernel.bin >/dev/null 2>&1 && mv %s.tmp %s",
                 b->path, opts, b->path, b->path);
        if (system(cmd) != 0)
            fail_msg("could not dump a devicetree with qemu-system-riscv64: %s", cmd);
    }
    b->data = read_file(b->path, &b->len);
    assert_non_null(b->data);
}

static void check_reg(const struct fdt *fdt, int node, int index, uint64_t addr, uint64_t size)
{
    uint64_t a = 0, s = 0;
    assert_int_equal(fdt_reg(fdt, node, index, &a, &s), 0);
    assert_int_equal(a, addr);
    assert_int_equal(s, size);
}

/* Everything the kernel reads from a virt machine's devicetree. */
static void check_virt(const struct blob *b, int harts, uint64_t mem, const char *bootargs)
{
    struct fdt fdt;
    assert_int_equal(fdt_init(&fdt, b->data, b->len), 0);
    int root = fdt_root(&fdt);
    assert_true(root >= 0);
    assert_string_equal(fdt_name(&fdt, root), "");
    assert_int_equal(fdt_parent(&fdt, root), ERR_NOT_FOUND);
    assert_int_equal(fdt_path(&fdt, "/"), root);
    assert_int_equal(fdt_next_sibling(&fdt, root), ERR_NOT_FOUND);
    assert_int_equal(fdt_cells(&fdt, root, "#address-cells", 0), 2);
    assert_true(fdt_is_compatible(&fdt, root, "riscv-virtio"));

    /* memory */
    int memory = fdt_path(&fdt, "/memory");
    assert_true(memory >= 0);
    assert_string_equal(fdt_name(&fdt, memory), "memory@80000000");
    assert_string_equal(fdt_prop_str(&fdt, memory, "device_type"), "memory");
    check_reg(&fdt, memory, 0, 0x80000000u, mem);
    assert_int_equal(fdt_reg(&fdt, memory, 1, NULL, NULL), ERR_NOT_FOUND);

    /* harts */
    int cpus = fdt_path(&fdt, "/cpus");
    assert_true(cpus >= 0);
    uint32_t tb = 0;
    assert_int_equal(fdt_prop_u32(&fdt, cpus, "timebase-frequency", &tb), 0);
    assert_int_equal(tb, 10000000);
    int count = 0;
    for (int c = fdt_first_child(&fdt, cpus); c >= 0; c = fdt_next_sibling(&fdt, c)) {
        if (strncmp(fdt_name(&fdt, c), "cpu@", 4) != 0)
            continue;
        assert_string_equal(fdt_prop_str(&fdt, c, "device_type"), "cpu");
        assert_int_equal(fdt_parent(&fdt, c), cpus);
        uint64_t hart = 99, size = 99;
        assert_int_equal(fdt_reg(&fdt, c, 0, &hart, &size), 0); /* cells 1 / 0 */
        assert_int_equal(size, 0);
        char want[32];
        snprintf(want, sizeof(want), "cpu@%llx", (unsigned long long)hart);
        assert_string_equal(fdt_name(&fdt, c), want);
        assert_int_equal(fdt_path(&fdt, (snprintf(want, sizeof(want), "/cpus/cpu@%llx",
                                                  (unsigned long long)hart), want)), c);
        count++;
    }
    assert_int_equal(count, harts);
    assert_int_equal(fdt_path(&fdt, "/cpus/cpu"), fdt_path(&fdt, "/cpus/cpu@0"));

    /* uart */
    int uart = fdt_next_compatible(&fdt, -1, "ns16550a");
    assert_true(uart >= 0);
    assert_int_equal(fdt_next_compatible(&fdt, uart, "ns16550a"), ERR_NOT_FOUND);
    assert_int_equal(fdt_path(&fdt, "/soc/serial@10000000"), uart);
    assert_int_equal(fdt_path(&fdt, "/soc/serial"), uart);
    assert_int_equal(fdt_path(&fdt, "/soc/serial@10000001"), ERR_NOT_FOUND);
    assert_int_equal(fdt_parent(&fdt, uart), fdt_path(&fdt, "/soc"));
    check_reg(&fdt, uart, 0, 0x10000000u, 0x100);
    uint32_t irq = 0;
    assert_int_equal(fdt_prop_u32(&fdt, uart, "interrupts", &irq), 0);
    assert_int_equal(irq, 10);
    int chosen = fdt_path(&fdt, "/chosen");
    assert_true(chosen >= 0);
    assert_int_equal(fdt_path(&fdt, fdt_prop_str(&fdt, chosen, "stdout-path")), uart);

    /* plic: its interrupt-parent phandle is what devices point at, and its
     * interrupts-extended pairs each hart's interrupt controller with the
     * S-mode (9) and M-mode (11) external interrupt. */
    int plic = fdt_next_compatible(&fdt, -1, "sifive,plic-1.0.0");
    assert_true(plic >= 0);
    assert_int_equal(fdt_next_compatible(&fdt, -1, "riscv,plic0"), plic);
    check_reg(&fdt, plic, 0, 0xc000000u, 0x600000u);
    uint32_t ndev = 0, phandle = 0, parent_ph = 0;
    assert_int_equal(fdt_prop_u32(&fdt, plic, "riscv,ndev", &ndev), 0);
    assert_int_equal(ndev, 0x60);
    assert_int_equal(fdt_prop_u32(&fdt, plic, "phandle", &phandle), 0);
    assert_int_equal(fdt_node_by_phandle(&fdt, phandle), plic);
    assert_int_equal(fdt_prop_u32(&fdt, uart, "interrupt-parent", &parent_ph), 0);
    assert_int_equal(parent_ph, phandle);
    int len = 0;
    const uint8_t *ie = fdt_prop(&fdt, plic, "interrupts-extended", &len);
    assert_non_null(ie);
    assert_int_equal(len, harts * 2 * 8);
    for (int i = 0; i < len / 8; i++) {
        const uint8_t *p = ie + 8 * i;
        uint32_t ph = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
        uint32_t cause = (uint32_t)p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7];
        assert_int_equal(cause, i % 2 ? 9 : 11);
        int intc = fdt_node_by_phandle(&fdt, ph);
        assert_true(intc >= 0);
        assert_true(fdt_is_compatible(&fdt, intc, "riscv,cpu-intc"));
        assert_memory_equal(fdt_name(&fdt, fdt_parent(&fdt, intc)), "cpu@", 4);
    }

    /* virtio-mmio slots: eight, 4 KiB apart, interrupt n at 0x10000000 + n * 0x1000 */
    unsigned seen = 0;
    int n = -1, slots = 0;
    while ((n = fdt_next_compatible(&fdt, n, "virtio,mmio")) >= 0) {
        uint64_t a = 0, s = 0;
        assert_int_equal(fdt_reg(&fdt, n, 0, &a, &s), 0);
        assert_int_equal(s, 0x1000);
        uint32_t i = 0;
        assert_int_equal(fdt_prop_u32(&fdt, n, "interrupts", &i), 0);
        assert_int_equal(a, 0x10000000u + 0x1000u * i);
        assert_true(i >= 1 && i <= 8);
        seen |= 1u << i;
        slots++;
    }
    assert_int_equal(n, ERR_NOT_FOUND);
    assert_int_equal(slots, 8);
    assert_int_equal(seen, 0x1fe);

    /* rtc */
    int rtc = fdt_next_compatible(&fdt, -1, "google,goldfish-rtc");
    assert_true(rtc >= 0);
    check_reg(&fdt, rtc, 0, 0x101000, 0x1000);
    assert_int_equal(fdt_prop_u32(&fdt, rtc, "interrupts", &irq), 0);
    assert_int_equal(irq, 11);

    /* bootargs */
    if (bootargs)
        assert_string_equal(fdt_prop_str(&fdt, chosen, "bootargs"), bootargs);
    else
        assert_null(fdt_prop_str(&fdt, chosen, "bootargs"));

    /* misc API edges */
    assert_int_equal(fdt_path(&fdt, "/nope"), ERR_NOT_FOUND);
    assert_int_equal(fdt_path(&fdt, "/soc/nope/deeper"), ERR_NOT_FOUND);
    assert_int_equal(fdt_path(&fdt, "soc"), ERR_INVALID_ARGS);
    assert_int_equal(fdt_first_child(&fdt, fdt_path(&fdt, "/nope")), ERR_NOT_FOUND);
    assert_null(fdt_name(&fdt, uart + 4));
    assert_null(fdt_name(&fdt, 1 << 20));
    assert_int_equal(fdt_prop_u32(&fdt, uart, "compatible", &irq), ERR_BAD_FORMAT);
    assert_int_equal(fdt_prop_u32(&fdt, uart, "no-such-prop", &irq), ERR_NOT_FOUND);
    assert_int_equal(fdt_node_by_phandle(&fdt, 0x7777), ERR_NOT_FOUND);
    assert_int_equal(fdt_cells(&fdt, uart, "#address-cells", 42), 42);
    assert_int_equal(fdt_rsv_entry(&fdt, 0, NULL, NULL), ERR_NOT_FOUND);
    assert_true(fdt_exercise(b->data, b->len, 1) > 20);
}

/* Every node's children and property names as the library sees them,
 * compared with `fdtget -l` / `fdtget -p` (libfdt, an independent reader)
 * for the same path. */
static int cross_check_children(const struct fdt *fdt, int node, const char *path, const char *file)
{
    char cmd[1024], line[256], mine[4096] = "", theirs[4096] = "";
    for (int c = fdt_first_child(fdt, node); c >= 0; c = fdt_next_sibling(fdt, c)) {
        strcat(mine, fdt_name(fdt, c));
        strcat(mine, "\n");
    }
    snprintf(cmd, sizeof(cmd), "fdtget -l '%s' '%s'", file, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    while (fgets(line, sizeof(line), p))
        strcat(theirs, line);
    assert_int_equal(pclose(p), 0);
    assert_string_equal(mine, theirs);

    /* and its properties, by name, against `fdtget -p` */
    mine[0] = theirs[0] = '\0';
    for (int q = fdt_first_prop(fdt, node); q >= 0; q = fdt_next_prop(fdt, q)) {
        const char *name;
        int len;
        assert_non_null(fdt_prop_at(fdt, q, &name, &len));
        assert_ptr_equal(fdt_prop(fdt, node, name, NULL), fdt_prop_at(fdt, q, NULL, NULL));
        strcat(mine, name);
        strcat(mine, "\n");
    }
    snprintf(cmd, sizeof(cmd), "fdtget -p '%s' '%s'", file, path);
    p = popen(cmd, "r");
    assert_non_null(p);
    while (fgets(line, sizeof(line), p))
        strcat(theirs, line);
    assert_int_equal(pclose(p), 0);
    assert_string_equal(mine, theirs);

    int nodes = 1;
    for (int c = fdt_first_child(fdt, node); c >= 0; c = fdt_next_sibling(fdt, c)) {
        char sub[512];
        snprintf(sub, sizeof(sub), "%s%s%s", path, strcmp(path, "/") ? "/" : "", fdt_name(fdt, c));
        assert_int_equal(fdt_path(fdt, sub), c);
        nodes += cross_check_children(fdt, c, sub, file);
    }
    return nodes;
}

static void test_virt_smp1(void **state)
{
    struct blob b;
    load_virt(&b, "virt-smp1", "-smp 1 -m 128M");
    check_virt(&b, 1, 128u << 20, NULL);
    free(b.data);
}

static void test_virt_smp2(void **state)
{
    struct blob b;
    load_virt(&b, "virt-smp2", "-smp 2 -m 128M");
    check_virt(&b, 2, 128u << 20, NULL);
    struct fdt fdt;
    assert_int_equal(fdt_init(&fdt, b.data, b.len), 0);
    int nodes = cross_check_children(&fdt, fdt_root(&fdt), "/", b.path);
    print_message("virt-smp2: %d nodes agree with fdtget\n", nodes);
    assert_int_equal(nodes, fdt_exercise(b.data, b.len, 1));
    free(b.data);
}

static void test_virt_smp4(void **state)
{
    struct blob b;
    load_virt(&b, "virt-smp4", "-smp 4 -m 128M");
    check_virt(&b, 4, 128u << 20, NULL);
    free(b.data);
}

static void test_virt_bootargs(void **state)
{
    struct blob b;
    load_virt(&b, "virt-smp2-append", "-smp 2 -m 128M -append 'node=3 ip=10.77.0.2/24'");
    check_virt(&b, 2, 128u << 20, "node=3 ip=10.77.0.2/24");
    free(b.data);
}

static void test_virt_16m(void **state)
{
    struct blob b;
    load_virt(&b, "virt-smp1-16M", "-smp 1 -m 16M");
    check_virt(&b, 1, 16u << 20, NULL);
    free(b.data);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

/* Every prefix of a real blob, in a buffer of exactly that size so ASan
 * catches a read past it. First as is: totalsize now lies, so init must
 * refuse. Then the blob rearranged with its strings block before its
 * structure block, and the header patched to claim only the prefix, so
 * init accepts it and the walk itself meets the cut at every offset. */
static void test_truncated(void **state)
{
    struct blob b;
    load_virt(&b, "virt-smp2-append", "-smp 2 -m 128M -append 'node=3 ip=10.77.0.2/24'");
    struct fdt fdt;
    assert_int_equal(fdt_init(&fdt, b.data, b.len), 0);
    size_t total = fdt.totalsize;
    int full = fdt_exercise(b.data, total, 1);
    for (size_t n = 0; n <= total; n++) {
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, b.data, n);
        int r = fdt_exercise(p, n, 0);
        if (n < total)
            assert_true(r < 0);
        else
            assert_int_equal(r, full);
        free(p);
    }

    uint32_t strings_at = 56, strings_len = (fdt.size_strings + 3) & ~3u;
    uint32_t struct_at = strings_at + strings_len;
    size_t re_total = struct_at + fdt.size_struct;
    uint8_t *re = calloc(1, re_total);
    memcpy(re, b.data, 40);
    memcpy(re + strings_at, b.data + fdt.off_strings, fdt.size_strings);
    memcpy(re + struct_at, b.data + fdt.off_struct, fdt.size_struct);
    put32(re + 8, struct_at);
    put32(re + 12, strings_at);
    put32(re + 16, 40);
    put32(re + 4, (uint32_t)re_total);
    assert_int_equal(fdt_exercise(re, re_total, 1), full);

    int parsed = 0, whole = 0;
    for (size_t n = struct_at; n <= re_total; n++) {
        uint8_t *p = malloc(n);
        memcpy(p, re, n);
        put32(p + 4, (uint32_t)n);
        put32(p + 36, (uint32_t)(n - struct_at));
        int r = fdt_exercise(p, n, n % 8 == 0);
        if (r >= 0)
            parsed++;
        if (r == full)
            whole++;
        /* the root ends with the END_NODE 8 bytes before the block's end;
         * cut before that, the tree has no end */
        struct fdt cut;
        assert_int_equal(fdt_init(&cut, p, n), n - struct_at < 8 ? ERR_CORRUPT : 0);
        if (n - struct_at >= 8) {
            int want = n - struct_at >= fdt.size_struct - 4 ? ERR_NOT_FOUND : ERR_CORRUPT;
            assert_int_equal(fdt_next_sibling(&cut, fdt_root(&cut)), want);
            assert_int_equal(fdt_next_compatible(&cut, -1, "never"), want);
        }
        free(p);
    }
    print_message("truncation: %zu prefixes refused, %zu cut struct blocks walked (%d parsed, %d reached every node)\n",
                  total, re_total - struct_at + 1, parsed, whole);
    assert_true(whole >= 1);
    free(re);
    free(b.data);
}

/* Every byte of a real blob replaced by a few hostile values. */
static void test_corrupt_every_byte(void **state)
{
    struct blob b;
    load_virt(&b, "virt-smp1", "-smp 1 -m 128M");
    struct fdt fdt;
    assert_int_equal(fdt_init(&fdt, b.data, b.len), 0);
    size_t total = fdt.totalsize;
    static const uint8_t values[] = {0x00, 0xff, 0x01, 0x7f, 0x80};
    uint8_t *p = malloc(total);
    long runs = 0;
    for (size_t i = 0; i < total; i++) {
        for (size_t v = 0; v < sizeof(values); v++) {
            memcpy(p, b.data, total);
            if (p[i] == values[v])
                continue;
            p[i] = values[v];
            fdt_exercise(p, total, i % 16 == 0);
            runs++;
        }
        memcpy(p, b.data, total);
        p[i] ^= 0x04;
        fdt_exercise(p, total, 0);
        runs++;
    }
    print_message("corruption: %ld damaged blobs walked\n", runs);
    free(p);
    free(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virt_smp1),     cmocka_unit_test(test_virt_smp2),
        cmocka_unit_test(test_virt_smp4),     cmocka_unit_test(test_virt_bootargs),
        cmocka_unit_test(test_virt_16m),      cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
