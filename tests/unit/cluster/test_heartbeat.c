/* Heartbeat codec: round trip, the documented byte layout, and every way a
 * datagram can be wrong, each with its error code and no change to *out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cluster/heartbeat.h"
#include "pus/err.h"

static struct hb_key key, other_key;

static int setup(void **state)
{
    uint8_t k[32];
    for (int i = 0; i < 32; i++)
        k[i] = (uint8_t)i;
    assert_int_equal(hb_key_init(&key, k, 32), 0);
    k[0] ^= 1;
    assert_int_equal(hb_key_init(&other_key, k, 32), 0);
    return 0;
}

static struct heartbeat sample(void)
{
    struct heartbeat hb;
    memset(&hb, 0, sizeof(hb));
    hb.node_id = 3;
    hb.boot_id = 0x1122334455667788ull;
    hb.seq = 42;
    hb.uptime_ms = 123456;
    hb.wall_ms = 1700000000123ull;
    hb.cpu_load = 250;
    hb.mem_free_kib = 65536;
    hb.app_count = 3;
    hb.app_listed = 2;
    strcpy(hb.apps[0].name, "sensor");
    hb.apps[0].state = HB_APP_RUNNING;
    strcpy(hb.apps[1].name, "relay.v2");
    hb.apps[1].state = HB_APP_CRASHED;
    return hb;
}

static void test_round_trip(void **state)
{
    struct heartbeat in = sample(), out;
    uint8_t buf[HB_MAX_SIZE];
    int n = hb_encode(&in, &key, buf, sizeof(buf));
    assert_int_equal(n, HB_MIN_SIZE + (2 + 6) + (2 + 8));
    memset(&out, 0xff, sizeof(out));
    assert_int_equal(hb_decode(buf, (size_t)n, &key, &out), 0);
    assert_int_equal(out.node_id, 3);
    assert_true(out.boot_id == in.boot_id);
    assert_true(out.seq == 42 && out.uptime_ms == 123456 && out.wall_ms == in.wall_ms);
    assert_int_equal(out.cpu_load, 250);
    assert_int_equal(out.mem_free_kib, 65536);
    assert_int_equal(out.app_count, 3);
    assert_int_equal(out.app_listed, 2);
    assert_string_equal(out.apps[0].name, "sensor");
    assert_int_equal(out.apps[1].state, HB_APP_CRASHED);
    assert_string_equal(out.apps[1].name, "relay.v2");
}

/* The offsets of docs/cluster-protocol.md, checked byte by byte. */
static void test_layout(void **state)
{
    struct heartbeat in = sample();
    in.app_listed = 1;
    uint8_t buf[HB_MAX_SIZE];
    int n = hb_encode(&in, &key, buf, sizeof(buf));
    assert_int_equal(n, 54 + 8 + 32);
    static const uint8_t want[54 + 8] = {
        'P', 'U', 'S', 'H', 1, 1, 0, 94,
        0, 0, 0, 3,
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
        0, 0, 0, 0, 0, 0, 0, 42,
        0, 0, 0, 0, 0, 0x01, 0xe2, 0x40,
        0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b,
        0, 250,
        0, 1, 0, 0,
        0, 3,
        1, 0,
        6, 's', 'e', 'n', 's', 'o', 'r', 1,
    };
    assert_memory_equal(buf, want, sizeof(want));
    uint8_t tag[32];
    hmac_sha256((const uint8_t[32]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31},
                32, buf, 62, tag);
    assert_memory_equal(buf + 62, tag, 32);
}

static void test_max_size(void **state)
{
    struct heartbeat in = sample(), out;
    in.app_count = 100;
    in.app_listed = HB_MAX_APPS;
    for (int i = 0; i < HB_MAX_APPS; i++) {
        memset(in.apps[i].name, 'a' + i, HB_APP_NAME_MAX);
        in.apps[i].name[HB_APP_NAME_MAX] = 0;
        in.apps[i].state = (uint8_t)(i % 5);
    }
    uint8_t buf[HB_MAX_SIZE];
    int n = hb_encode(&in, &key, buf, sizeof(buf));
    assert_int_equal(n, HB_MAX_SIZE);
    assert_int_equal(hb_decode(buf, (size_t)n, &key, &out), 0);
    assert_int_equal(out.app_listed, HB_MAX_APPS);
    assert_int_equal(hb_encode(&in, &key, buf, HB_MAX_SIZE - 1), ERR_TOO_BIG);
}

static void test_encode_rejects_bad_fields(void **state)
{
    uint8_t buf[HB_MAX_SIZE];
    struct heartbeat hb = sample();
    hb.node_id = 0;
    assert_int_equal(hb_encode(&hb, &key, buf, sizeof(buf)), ERR_INVALID_ARGS);
    hb = sample(); hb.boot_id = 0;
    assert_int_equal(hb_encode(&hb, &key, buf, sizeof(buf)), ERR_INVALID_ARGS);
    hb = sample(); hb.cpu_load = 1001;
    assert_int_equal(hb_encode(&hb, &key, buf, sizeof(buf)), ERR_INVALID_ARGS);
    hb = sample(); hb.app_listed = 9; hb.app_count = 9;
    assert_int_equal(hb_encode(&hb, &key, buf, sizeof(buf)), ERR_INVALID_ARGS);
    hb = sample(); hb.app_count = 1;
    assert_int_equal(hb_encode(&hb, &key, buf, sizeof(buf)), ERR_INVALID_ARGS);
    hb = sample(); strcpy(hb.apps[0].name, "bad name");
    assert_int_equal(hb_encode(&hb, &key, buf, sizeof(buf)), ERR_INVALID_ARGS);
    hb = sample(); hb.apps[0].name[0] = 0;
    assert_int_equal(hb_encode(&hb, &key, buf, sizeof(buf)), ERR_INVALID_ARGS);
    hb = sample(); hb.apps[1].state = 5;
    assert_int_equal(hb_encode(&hb, &key, buf, sizeof(buf)), ERR_INVALID_ARGS);
}

/* Decodes and checks that a failure leaves *out alone. */
static int decode_untouched(const uint8_t *buf, size_t len, const struct hb_key *k)
{
    struct heartbeat out, before;
    memset(&out, 0x5a, sizeof(out));
    memcpy(&before, &out, sizeof(out));
    int err = hb_decode(buf, len, k, &out);
    if (err < 0)
        assert_memory_equal(&out, &before, sizeof(out));
    return err;
}

static void test_truncated_and_padded(void **state)
{
    struct heartbeat in = sample();
    uint8_t buf[HB_MAX_SIZE + 8];
    int n = hb_encode(&in, &key, buf, sizeof(buf));
    for (int len = 0; len < n; len++)
        assert_int_equal(decode_untouched(buf, (size_t)len, &key), ERR_BAD_FORMAT);
    buf[n] = 0;
    assert_int_equal(decode_untouched(buf, (size_t)n + 1, &key), ERR_BAD_FORMAT);
    assert_int_equal(decode_untouched(buf, HB_MAX_SIZE + 1, &key), ERR_TOO_BIG);
}

static void test_header_errors(void **state)
{
    struct heartbeat in = sample();
    uint8_t buf[HB_MAX_SIZE];
    int n = hb_encode(&in, &key, buf, sizeof(buf));

    buf[0] = 'X';
    assert_int_equal(decode_untouched(buf, (size_t)n, &key), ERR_BAD_FORMAT);
    buf[0] = 'P';
    buf[4] = 2;
    assert_int_equal(decode_untouched(buf, (size_t)n, &key), ERR_NOT_SUPPORTED);
    buf[4] = 1;
    buf[5] = 7;
    assert_int_equal(decode_untouched(buf, (size_t)n, &key), ERR_BAD_FORMAT);
    buf[5] = 1;
    assert_int_equal(decode_untouched(buf, (size_t)n, &key), 0);
}

/* Every single-bit flip in the body or tag fails authentication. */
static void test_every_bit_flip_is_caught(void **state)
{
    struct heartbeat in = sample();
    uint8_t buf[HB_MAX_SIZE];
    int n = hb_encode(&in, &key, buf, sizeof(buf));
    for (int i = HB_HEADER_SIZE; i < n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            buf[i] ^= (uint8_t)(1 << bit);
            assert_int_equal(decode_untouched(buf, (size_t)n, &key), ERR_AUTH);
            buf[i] ^= (uint8_t)(1 << bit);
        }
    }
    assert_int_equal(decode_untouched(buf, (size_t)n, &other_key), ERR_AUTH);
}

/* A body that is authentic (tagged with the right key) but breaks a rule:
 * built by hand, tagged, and rejected by the strict parser. */
static int tag_and_decode(uint8_t *buf, size_t len)
{
    buf[6] = (uint8_t)(len >> 8);
    buf[7] = (uint8_t)len;
    struct hmac_sha256 mac = key.mac;
    hmac_sha256_reset(&mac);
    hmac_sha256_update(&mac, buf, len - 32);
    hmac_sha256_final(&mac, buf + len - 32);
    return decode_untouched(buf, len, &key);
}

static void test_authentic_but_malformed(void **state)
{
    struct heartbeat in = sample();
    uint8_t good[HB_MAX_SIZE], buf[HB_MAX_SIZE];
    int n = hb_encode(&in, &key, good, sizeof(good));

    memcpy(buf, good, n); buf[8] = buf[9] = buf[10] = buf[11] = 0;   /* node 0 */
    assert_int_equal(tag_and_decode(buf, n), ERR_BAD_FORMAT);
    memcpy(buf, good, n); memset(buf + 12, 0, 8);                      /* boot 0 */
    assert_int_equal(tag_and_decode(buf, n), ERR_BAD_FORMAT);
    memcpy(buf, good, n); buf[44] = 0x03; buf[45] = 0xe9;              /* load 1001 */
    assert_int_equal(tag_and_decode(buf, n), ERR_BAD_FORMAT);
    memcpy(buf, good, n); buf[53] = 1;                                 /* reserved */
    assert_int_equal(tag_and_decode(buf, n), ERR_BAD_FORMAT);
    memcpy(buf, good, n); buf[52] = 9; buf[51] = 9;                    /* 9 listed */
    assert_int_equal(tag_and_decode(buf, n), ERR_TOO_BIG);
    memcpy(buf, good, n); buf[51] = 1;                                 /* listed > count */
    assert_int_equal(tag_and_decode(buf, n), ERR_BAD_FORMAT);
    memcpy(buf, good, n); buf[54] = 0;                                 /* empty name */
    assert_int_equal(tag_and_decode(buf, n), ERR_BAD_FORMAT);
    memcpy(buf, good, n); buf[54] = 40;                                /* name overruns */
    assert_int_equal(tag_and_decode(buf, n), ERR_BAD_FORMAT);
    memcpy(buf, good, n); buf[55] = ' ';                               /* bad char */
    assert_int_equal(tag_and_decode(buf, n), ERR_BAD_FORMAT);
    memcpy(buf, good, n); buf[61] = 9;                                 /* bad state */
    assert_int_equal(tag_and_decode(buf, n), ERR_BAD_FORMAT);
    memcpy(buf, good, n); buf[52] = 1;                                 /* extra bytes */
    assert_int_equal(tag_and_decode(buf, n), ERR_BAD_FORMAT);
    memcpy(buf, good, n);
    assert_int_equal(tag_and_decode(buf, n), 0);
}

static void test_key_length(void **state)
{
    struct hb_key k;
    uint8_t bytes[65] = {0};
    assert_int_equal(hb_key_init(&k, bytes, 15), ERR_INVALID_ARGS);
    assert_int_equal(hb_key_init(&k, bytes, 65), ERR_INVALID_ARGS);
    assert_int_equal(hb_key_init(&k, bytes, 16), 0);
    assert_int_equal(hb_key_init(&k, bytes, 64), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_max_size),
        cmocka_unit_test(test_encode_rejects_bad_fields),
        cmocka_unit_test(test_truncated_and_padded),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_every_bit_flip_is_caught),
        cmocka_unit_test(test_authentic_but_malformed),
        cmocka_unit_test(test_key_length),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
