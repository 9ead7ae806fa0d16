/*
 * lib/lineedit: byte sequences in, the finished line and the exact VT100
 * echo out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lineedit/lineedit.h"

static char screen[65536];
static size_t screen_len;

static void capture(void *ctx, const char *s, size_t n)
{
    assert_ptr_equal(ctx, screen);
    assert_true(screen_len + n < sizeof(screen));
    memcpy(screen + screen_len, s, n);
    screen_len += n;
    screen[screen_len] = '\0';
}

static struct lineedit le;

static void setup_editor(void)
{
    lineedit_init(&le, "> ", capture, screen);
    screen_len = 0;
    screen[0] = '\0';
    lineedit_start(&le);
    assert_string_equal(screen, "> ");
    screen_len = 0;
    screen[0] = '\0';
}

/* Feeds a string; returns how many lines it completed. The echo of this
 * call alone is left in `screen`. */
static int feed(const char *s)
{
    screen_len = 0;
    screen[0] = '\0';
    int lines = 0;
    for (; *s; s++)
        lines += lineedit_feed(&le, *s);
    return lines;
}

/* Same, with an explicit length (for NUL bytes). */
static int feed_n(const char *s, size_t n)
{
    screen_len = 0;
    int lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += lineedit_feed(&le, s[i]);
    return lines;
}

static void test_typing(void **state)
{
    setup_editor();
    assert_int_equal(feed("ls -l"), 0);
    assert_string_equal(screen, "ls -l");
    assert_int_equal(feed("\r"), 1);
    assert_string_equal(screen, "\r\n");
    assert_string_equal(lineedit_line(&le), "ls -l");
    /* the LF of a CRLF is not a second (empty) line, even after start */
    lineedit_start(&le);
    assert_int_equal(feed("\n"), 0);
    assert_int_equal(feed("a\n"), 1);
    assert_string_equal(lineedit_line(&le), "a");
    assert_int_equal(feed("\n"), 1); /* LF alone is Enter */
    assert_string_equal(lineedit_line(&le), "");
    assert_int_equal(feed("b\r\r"), 2); /* two CRs are two lines */
    assert_string_equal(lineedit_line(&le), "");
}

static void test_backspace_and_cursor(void **state)
{
    setup_editor();
    feed("abc");
    assert_int_equal(feed("\x7f"), 0);
    assert_string_equal(screen, "\b \b");
    feed("\b");
    assert_string_equal(screen, "\b \b");
    feed("\x1b[D");
    assert_string_equal(screen, "\x1b[D");
    feed("\x1b[D");
    assert_string_equal(screen, ""); /* already at the start */
    feed("XY"); /* insert before "a": rewrite the tail and step back */
    assert_string_equal(screen, "Xa\x1b[1DYa\x1b[1D");
    feed("\x1b[C\x1b[C");
    assert_string_equal(screen, "\x1b[C");
    feed("\x01"); /* Ctrl-A */
    assert_string_equal(screen, "\x1b[3D");
    feed("\x1b[3~"); /* Delete at the cursor */
    assert_string_equal(screen, "Ya \x1b[3D");
    feed("\x05"); /* Ctrl-E */
    assert_string_equal(screen, "\x1b[2C");
    feed("\x1b[H");
    assert_string_equal(screen, "\x1b[2D");
    feed("\x1b[F\x1b[1~\x1b[4~\x1bOH\x1bOF");
    assert_string_equal(screen, "\x1b[2C\x1b[2D\x1b[2C\x1b[2D\x1b[2C");
    feed("\x1b[D\x7f"); /* backspace in the middle */
    assert_string_equal(screen, "\x1b[D\ba \x1b[2D");
    assert_int_equal(feed("\r"), 1);
    assert_string_equal(lineedit_line(&le), "a");
}

static void test_kill_and_cancel(void **state)
{
    setup_editor();
    feed("hello world");
    feed("\x15"); /* Ctrl-U */
    assert_string_equal(screen, "\r> \x1b[K");
    feed("abc\x1b[D\x1b[D\x0b"); /* Ctrl-K kills to the end */
    assert_int_equal(feed("\r"), 1);
    assert_string_equal(lineedit_line(&le), "a");
    feed("draft");
    assert_int_equal(feed("\x03"), 0); /* Ctrl-C */
    assert_string_equal(screen, "^C\r\n> ");
    assert_int_equal(feed("\r"), 1);
    assert_string_equal(lineedit_line(&le), "");
    feed("ab\x1b[D");
    feed("\x0c"); /* Ctrl-L */
    assert_string_equal(screen, "\x1b[H\x1b[2J\r> ab\x1b[K\x1b[1D");
}

static void test_history(void **state)
{
    setup_editor();
    feed("one\r");
    feed("two\r");
    feed("two\r"); /* same as the newest: not stored again */
    feed("\r");    /* empty: not stored */
    feed("thr");
    feed("\x1b[A");
    assert_string_equal(screen, "\r> two\x1b[K");
    feed("\x1b[A");
    assert_string_equal(screen, "\r> one\x1b[K");
    feed("\x1b[A"); /* no older entry */
    assert_string_equal(screen, "");
    feed("!"); /* edit the recalled line; the history keeps the original */
    feed("\x1b[B");
    assert_string_equal(screen, "\r> two\x1b[K");
    feed("\x1b[B"); /* back to the line being typed */
    assert_string_equal(screen, "\r> thr\x1b[K");
    feed("\x1b[B");
    assert_string_equal(screen, "");
    feed("ee\r");
    assert_string_equal(lineedit_line(&le), "three");
    feed("\x10\x10\x10\r"); /* Ctrl-P three times */
    assert_string_equal(lineedit_line(&le), "one");

    /* only the newest LINEEDIT_HISTORY lines are kept */
    for (int i = 0; i < 40; i++) {
        char line[16] = "cmd";
        line[3] = (char)('A' + i % 26);
        line[4] = (char)('a' + i / 26);
        line[5] = '\r';
        line[6] = '\0';
        feed(line);
    }
    for (int i = 0; i < LINEEDIT_HISTORY + 5; i++)
        feed("\x1b[A");
    feed("\r");
    char oldest[8] = "cmd";
    oldest[3] = (char)('A' + (40 - LINEEDIT_HISTORY) % 26);
    oldest[4] = (char)('a' + (40 - LINEEDIT_HISTORY) / 26);
    oldest[5] = '\0';
    assert_string_equal(lineedit_line(&le), oldest);
}

static void test_ignored_input(void **state)
{
    setup_editor();
    feed("a");
    feed("\x1b[Z\x1b[99~\x1b[1;5C\x1bx\x02\x06\t\x7f\x7f\x7f");
    /* unknown sequences, Alt-x and Tab do nothing; Ctrl-B/F step, one
     * backspace erases "a", the next two find nothing to erase */
    assert_string_equal(screen, "\x1b[D\x1b[C\b \b");
    assert_int_equal(feed("b\x80\xff"), 0);
    assert_string_equal(screen, "b");
    assert_int_equal(feed_n("c\0d", 3), 0);
    assert_int_equal(feed("\x1b[123456789012345678901234567890D"), 0); /* overlong: ignored */
    assert_string_equal(screen, "");
    assert_int_equal(feed("\x1b[\r"), 1); /* Enter ends a broken sequence and counts */
    assert_string_equal(lineedit_line(&le), "bcd");
}

static void test_full_line(void **state)
{
    setup_editor();
    for (int i = 0; i < LINEEDIT_MAX - 1; i++)
        feed("x");
    assert_string_equal(screen, "x");
    feed("y");
    assert_string_equal(screen, "\a");
    feed("\x01z");
    assert_string_equal(screen, "\x1b[255D\a");
    assert_int_equal(feed("\r"), 1);
    assert_int_equal(strlen(lineedit_line(&le)), LINEEDIT_MAX - 1);
    /* a full line recalled from history is still editable */
    feed("\x1b[A\x7f!");
    assert_int_equal(feed("\r"), 1);
    assert_int_equal(lineedit_line(&le)[LINEEDIT_MAX - 2], '!');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typing),        cmocka_unit_test(test_backspace_and_cursor),
        cmocka_unit_test(test_kill_and_cancel), cmocka_unit_test(test_history),
        cmocka_unit_test(test_ignored_input), cmocka_unit_test(test_full_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
