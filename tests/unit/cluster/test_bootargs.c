/* Node bootargs: the line pusctl writes parses back to what it meant, and
 * every malformed value is an error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cluster/bootargs.h"
#include "pus/err.h"

#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static int parse(const char *s, struct cluster_bootargs *a)
{
    return cluster_bootargs_parse(s, strlen(s), a);
}

static void test_full_line(void **state)
{
    struct cluster_bootargs a;
    const char *line = "console=ttyS0 node=3 ip=10.78.0.3/24 mac=52:54:00:4e:00:03 "
                       "up_ip=10.0.2.15/24 up_gw=10.0.2.2 up_mac=52:54:00:0A:00:03 quiet "
                       "controller=10.0.2.2:8811 key=" KEY " hb_ms=100 api_port=8080";
    assert_int_equal(parse(line, &a), 0);
    assert_int_equal(a.node, 3);
    assert_int_equal(a.ip, 0x0a4e0003);
    assert_int_equal(a.prefix, 24);
    assert_true(a.has_mac && a.mac[4] == 0 && a.mac[5] == 3);
    assert_true(a.has_up && a.up_ip == 0x0a00020f && a.up_prefix == 24);
    assert_int_equal(a.up_gw, 0x0a000202);
    assert_true(a.has_up_mac && a.up_mac[3] == 0x0a);
    assert_int_equal(a.controller_ip, 0x0a000202);
    assert_int_equal(a.controller_port, 8811);
    assert_int_equal(a.key_len, 32);
    assert_int_equal(a.key[31], 0x1f);
    assert_int_equal(a.hb_ms, 100);
    assert_int_equal(a.api_port, 8080);
}

static void test_defaults(void **state)
{
    struct cluster_bootargs a;
    assert_int_equal(parse("node=1 ip=10.77.0.1/24 controller=10.77.0.254:8811 key=" KEY, &a), 0);
    assert_int_equal(a.hb_ms, 100);
    assert_int_equal(a.api_port, 80);
    assert_false(a.has_up);
    assert_false(a.has_mac);
}

static void test_missing(void **state)
{
    struct cluster_bootargs a;
    assert_int_equal(parse("", &a), ERR_NOT_FOUND);
    assert_int_equal(parse("ip=10.0.0.1/24 controller=1.2.3.4:5 key=" KEY, &a), ERR_NOT_FOUND);
    assert_int_equal(parse("node=1 controller=1.2.3.4:5 key=" KEY, &a), ERR_NOT_FOUND);
    assert_int_equal(parse("node=1 ip=10.0.0.1/24 key=" KEY, &a), ERR_NOT_FOUND);
    assert_int_equal(parse("node=1 ip=10.0.0.1/24 controller=1.2.3.4:5", &a), ERR_NOT_FOUND);
}

static void test_bad_values(void **state)
{
    struct cluster_bootargs a;
    const char *base = " ip=10.0.0.1/24 controller=1.2.3.4:5 key=" KEY;
    static const struct { const char *extra; int err; } cases[] = {
        { "node=0", ERR_RANGE },
        { "node=65536", ERR_RANGE },
        { "node=", ERR_BAD_FORMAT },
        { "node=3x", ERR_BAD_FORMAT },
        { "node=99999999999", ERR_BAD_FORMAT },
        { "node=1 node=2", ERR_BAD_FORMAT },
        { "node=1 hb_ms=5", ERR_RANGE },
        { "node=1 hb_ms=60001", ERR_RANGE },
        { "node=1 api_port=0", ERR_RANGE },
        { "node=1 mac=52:54:00:4e:00", ERR_BAD_FORMAT },
        { "node=1 mac=52:54:00:4e:00:zz", ERR_BAD_FORMAT },
        { "node=1 mac=52-54-00-4e-00-01", ERR_BAD_FORMAT },
        { "node=1 up_ip=10.0.2.15", ERR_BAD_FORMAT },
        { "node=1 up_ip=10.0.2.15/33", ERR_RANGE },
        { "node=1 up_gw=10.0.2", ERR_BAD_FORMAT },
        { "node=1 up_gw=10.0.2.256", ERR_RANGE },
        { "node=1 up_gw=10.0.2.2.", ERR_BAD_FORMAT },
    };
    char line[512];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(line, sizeof(line), "%s%s", cases[i].extra, base);
        assert_int_equal(parse(line, &a), cases[i].err);
    }
    assert_int_equal(parse("node=1 ip=10.0.0.1 controller=1.2.3.4:5 key=" KEY, &a), ERR_BAD_FORMAT);
    assert_int_equal(parse("node=1 ip=10.0.0.1/24 controller=1.2.3.4 key=" KEY, &a), ERR_BAD_FORMAT);
    assert_int_equal(parse("node=1 ip=10.0.0.1/24 controller=1.2.3.4:0 key=" KEY, &a), ERR_RANGE);
    assert_int_equal(parse("node=1 ip=10.0.0.1/24 controller=1.2.3.4:5 key=abc", &a), ERR_BAD_FORMAT);
    assert_int_equal(parse("node=1 ip=10.0.0.1/24 controller=1.2.3.4:5 key=00", &a), ERR_RANGE);
    assert_int_equal(parse("node=1 ip=10.0.0.1/24 controller=1.2.3.4:5 key=" KEY "g0", &a), ERR_BAD_FORMAT);
}

static void test_nul_ends_line(void **state)
{
    struct cluster_bootargs a;
    const char line[] = "node=1 ip=10.0.0.1/24 controller=1.2.3.4:5 key=" KEY "\0node=2";
    assert_int_equal(cluster_bootargs_parse(line, sizeof(line) - 1, &a), 0);
    assert_int_equal(a.node, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_line),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_nul_ends_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
