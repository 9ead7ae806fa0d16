/*
 * The line editor; see lineedit.h for the keys.
 *
 * The screen is kept in step with small VT100 edits where that is cheap
 * (echo a character, "\b \b", rewrite the tail and step back) and with a
 * full redraw of the row ("\r", prompt, line, erase to end of line, step
 * back to the cursor) for everything that replaces the line.
 */
#include "lineedit/lineedit.h"

#include <string.h>

#define CTRL(c) ((c) & 0x1f)
#define ESC 0x1b
#define DEL 0x7f

enum { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };

/* ---- output -------------------------------------------------------------- */

static void out(struct lineedit *le, const char *s, size_t n)
{
    if (n && le->write)
        le->write(le->ctx, s, n);
}

static void out_str(struct lineedit *le, const char *s)
{
    out(le, s, strlen(s));
}

/* ESC [ n <dir>: move the cursor n columns (nothing for 0). */
static void out_move(struct lineedit *le, size_t n, char dir)
{
    if (n == 0)
        return;
    char seq[24], digits[20];
    size_t d = 0, k = 0;
    do {
        digits[d++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    seq[k++] = ESC;
    seq[k++] = '[';
    while (d)
        seq[k++] = digits[--d];
    seq[k++] = dir;
    out(le, seq, k);
}

static void redraw(struct lineedit *le)
{
    out_str(le, "\r");
    out_str(le, le->prompt);
    out(le, le->buf, le->len);
    out_str(le, "\x1b[K");
    out_move(le, le->len - le->cursor, 'D');
}

/* ---- editing --------------------------------------------------------------- */

static void set_line(struct lineedit *le, const char *s)
{
    le->len = strlen(s);
    memcpy(le->buf, s, le->len + 1);
    le->cursor = le->len;
    redraw(le);
}

static void insert(struct lineedit *le, char c)
{
    if (le->len + 1 >= LINEEDIT_MAX) {
        out_str(le, "\a");
        return;
    }
    memmove(le->buf + le->cursor + 1, le->buf + le->cursor, le->len - le->cursor + 1);
    le->buf[le->cursor++] = c;
    le->len++;
    /* the new character, then the tail it pushed right, then back */
    size_t tail = le->len - le->cursor;
    out(le, le->buf + le->cursor - 1, tail + 1);
    out_move(le, tail, 'D');
}

/* Removes the character at the cursor and rewrites the tail. */
static void delete_at_cursor(struct lineedit *le)
{
    memmove(le->buf + le->cursor, le->buf + le->cursor + 1, le->len - le->cursor);
    le->len--;
    size_t tail = le->len - le->cursor;
    out(le, le->buf + le->cursor, tail);
    out_str(le, " ");
    out_move(le, tail + 1, 'D');
}

static void backspace(struct lineedit *le)
{
    if (le->cursor == 0)
        return;
    le->cursor--;
    if (le->cursor + 1 == le->len) {
        le->buf[--le->len] = '\0';
        out_str(le, "\b \b");
        return;
    }
    out_str(le, "\b");
    delete_at_cursor(le);
}

static void delete(struct lineedit *le)
{
    if (le->cursor < le->len)
        delete_at_cursor(le);
}

static void left(struct lineedit *le)
{
    if (le->cursor > 0) {
        le->cursor--;
        out_str(le, "\x1b[D");
    }
}

static void right(struct lineedit *le)
{
    if (le->cursor < le->len) {
        le->cursor++;
        out_str(le, "\x1b[C");
    }
}

static void home(struct lineedit *le)
{
    out_move(le, le->cursor, 'D');
    le->cursor = 0;
}

static void end(struct lineedit *le)
{
    out_move(le, le->len - le->cursor, 'C');
    le->cursor = le->len;
}

static void kill_to_end(struct lineedit *le)
{
    le->len = le->cursor;
    le->buf[le->len] = '\0';
    out_str(le, "\x1b[K");
}

static void kill_line(struct lineedit *le)
{
    le->len = le->cursor = 0;
    le->buf[0] = '\0';
    redraw(le);
}

/* ---- history --------------------------------------------------------------- */

/* Entry n back from the newest (0 = newest). */
static char *history_entry(struct lineedit *le, int n)
{
    int slot = (le->hist_newest - n + LINEEDIT_HISTORY) % LINEEDIT_HISTORY;
    return le->history[slot];
}

static void history_add(struct lineedit *le, const char *line)
{
    if (line[0] == '\0' || (le->hist_count > 0 && strcmp(history_entry(le, 0), line) == 0))
        return;
    le->hist_newest = (le->hist_newest + 1) % LINEEDIT_HISTORY;
    strcpy(le->history[le->hist_newest], line);
    if (le->hist_count < LINEEDIT_HISTORY)
        le->hist_count++;
}

static void history_up(struct lineedit *le)
{
    if (le->hist_pos + 1 >= le->hist_count)
        return;
    if (le->hist_pos == -1)
        memcpy(le->saved, le->buf, le->len + 1);
    le->hist_pos++;
    set_line(le, history_entry(le, le->hist_pos));
}

static void history_down(struct lineedit *le)
{
    if (le->hist_pos < 0)
        return;
    le->hist_pos--;
    set_line(le, le->hist_pos < 0 ? le->saved : history_entry(le, le->hist_pos));
}

/* ---- input ------------------------------------------------------------------ */

static void reset_line(struct lineedit *le)
{
    le->len = le->cursor = 0;
    le->buf[0] = '\0';
    le->hist_pos = -1;
    le->esc_state = ESC_NONE;
}

void lineedit_init(struct lineedit *le, const char *prompt, lineedit_write_fn write, void *ctx)
{
    memset(le, 0, sizeof(*le));
    le->prompt = prompt ? prompt : "";
    le->write = write;
    le->ctx = ctx;
    le->hist_newest = LINEEDIT_HISTORY - 1;
    reset_line(le);
}

void lineedit_start(struct lineedit *le)
{
    reset_line(le);
    out_str(le, le->prompt);
}

const char *lineedit_line(const struct lineedit *le)
{
    return le->done;
}

static int enter(struct lineedit *le)
{
    memcpy(le->done, le->buf, le->len + 1);
    history_add(le, le->done);
    out_str(le, "\r\n");
    reset_line(le);
    return 1;
}

/* The final byte of ESC [ params <final>. */
static void csi(struct lineedit *le, char final)
{
    const char *p = le->esc_param;
    if (final == '~') {
        if (!strcmp(p, "1") || !strcmp(p, "7"))
            home(le);
        else if (!strcmp(p, "4") || !strcmp(p, "8"))
            end(le);
        else if (!strcmp(p, "3"))
            delete(le);
        return;
    }
    if (p[0] != '\0')
        return; /* modified keys (ESC[1;5C ...): ignored */
    switch (final) {
    case 'A': history_up(le); break;
    case 'B': history_down(le); break;
    case 'C': right(le); break;
    case 'D': left(le); break;
    case 'H': home(le); break;
    case 'F': end(le); break;
    }
}

/* One byte of an escape sequence. */
static void escape(struct lineedit *le, char c)
{
    switch (le->esc_state) {
    case ESC_START:
        le->esc_len = 0;
        le->esc_param[0] = '\0';
        le->esc_state = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
        return;
    case ESC_SS3:
        le->esc_state = ESC_NONE;
        csi(le, c);
        return;
    case ESC_CSI:
        if (c >= 0x40 && c <= 0x7e) {
            le->esc_state = ESC_NONE;
            if (le->esc_len < sizeof(le->esc_param))
                csi(le, c);
        } else if (c >= 0x20 && c <= 0x3f) {
            /* parameter bytes; an overlong sequence is consumed, not run */
            if (le->esc_len + 1 < sizeof(le->esc_param)) {
                le->esc_param[le->esc_len++] = c;
                le->esc_param[le->esc_len] = '\0';
            } else {
                le->esc_len = sizeof(le->esc_param);
            }
        } else {
            le->esc_state = ESC_NONE; /* not a sequence after all */
        }
        return;
    }
}

int lineedit_feed(struct lineedit *le, char ch)
{
    unsigned char c = (unsigned char)ch;
    bool after_cr = le->after_cr;
    le->after_cr = false;
    /* A control byte ends any escape sequence and then acts as itself,
     * so a stray ESC cannot swallow an Enter. */
    if (le->esc_state != ESC_NONE) {
        if (c >= 0x20) {
            escape(le, (char)c);
            return 0;
        }
        le->esc_state = ESC_NONE;
    }
    switch (c) {
    case '\r':
        le->after_cr = true;
        return enter(le);
    case '\n':
        return after_cr ? 0 : enter(le);
    case ESC:
        le->esc_state = ESC_START;
        return 0;
    case DEL:
    case CTRL('H'):
        backspace(le);
        return 0;
    case CTRL('A'): home(le); return 0;
    case CTRL('E'): end(le); return 0;
    case CTRL('B'): left(le); return 0;
    case CTRL('F'): right(le); return 0;
    case CTRL('P'): history_up(le); return 0;
    case CTRL('N'): history_down(le); return 0;
    case CTRL('K'): kill_to_end(le); return 0;
    case CTRL('U'): kill_line(le); return 0;
    case CTRL('L'):
        out_str(le, "\x1b[H\x1b[2J");
        redraw(le);
        return 0;
    case CTRL('C'):
        out_str(le, "^C\r\n");
        lineedit_start(le);
        return 0;
    }
    if (c >= 0x20 && c < 0x7f)
        insert(le, (char)c);
    return 0;
}
