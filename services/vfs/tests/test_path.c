/* vfs_normalize: one canonical spelling per path, nothing above "/". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pus/err.h"
#include "services/vfs/path.h"
#include "services/vfs/vfs.h"

static void expect_path(const char *in, const char *want)
{
    char out[VFS_PATH_MAX];
    memset(out, 'x', sizeof(out));
    int r = vfs_normalize(in, out, sizeof(out));
    if (r != 0)
        fail_msg("%s: %d", in, r);
    assert_string_equal(out, want);
}

static void expect_error(const char *in, int err)
{
    char out[VFS_PATH_MAX];
    assert_int_equal(vfs_normalize(in, out, sizeof(out)), err);
}

static void test_canonical(void **state)
{
    (void)state;
    expect_path("/", "/");
    expect_path("//", "/");
    expect_path("/a", "/a");
    expect_path("/a/", "/a");
    expect_path("/a//b///c/", "/a/b/c");
    expect_path("/./a/./b/.", "/a/b");
    expect_path("/a/b/../c", "/a/c");
    expect_path("/a/b/../..", "/");
    expect_path("/a/../a/../b", "/b");
    expect_path("/tmp/../tmp/x", "/tmp/x");
    expect_path("/...", "/...");           /* a name, not a component */
    expect_path("/a.b/..c/.d", "/a.b/..c/.d");
}

static void test_rejects(void **state)
{
    (void)state;
    expect_error("", ERR_INVALID_ARGS);
    expect_error("a/b", ERR_INVALID_ARGS);
    expect_error("/..", ERR_INVALID_ARGS);
    expect_error("/a/../..", ERR_INVALID_ARGS);
    expect_error("/../tmp", ERR_INVALID_ARGS);
    assert_int_equal(vfs_normalize(NULL, (char[4]){0}, 4), ERR_INVALID_ARGS);
}

static void test_lengths(void **state)
{
    (void)state;
    char in[600], out[VFS_PATH_MAX];
    in[0] = '/';
    memset(in + 1, 'n', 256);
    in[257] = '\0';
    assert_int_equal(vfs_normalize(in, out, sizeof(out)), ERR_NAME_TOO_LONG); /* 256-byte name */
    in[255] = '\0';
    assert_int_equal(vfs_normalize(in, out, sizeof(out)), 0);               /* 254-byte name */
    assert_int_equal(strlen(out), 255);
    memset(in + 1, 'n', 255);
    in[256] = '\0';                      /* name of 255 > VFS_PATH_MAX-1 as a path */
    assert_int_equal(vfs_normalize(in, out, sizeof(out)), ERR_NAME_TOO_LONG);
    /* ".." may shorten what would be too long */
    snprintf(in, sizeof(in), "/%0200d/../%0200d", 0, 1);
    assert_int_equal(vfs_normalize(in, out, sizeof(out)), 0);
    assert_int_equal(strlen(out), 201);
    /* small output buffers are refused, never overrun */
    char tiny[4];
    assert_int_equal(vfs_normalize("/abcdef", tiny, sizeof(tiny)), ERR_NAME_TOO_LONG);
    assert_int_equal(vfs_normalize("/ab", tiny, sizeof(tiny)), 0);
    assert_string_equal(tiny, "/ab");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
