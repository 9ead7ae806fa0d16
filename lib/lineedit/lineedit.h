/*
 * A line editor for the serial console shell: bytes from the UART go in
 * one at a time, VT100 output comes back through a write callback, and a
 * finished line comes out. It owns no I/O and no memory, so the same code
 * runs in the kernel and in host tests.
 *
 * Keys: printable ASCII is inserted at the cursor; Backspace (0x7f, 0x08);
 * Delete (ESC[3~); Left/Right (ESC[D, ESC[C, Ctrl-B, Ctrl-F); Home (ESC[H,
 * ESC[1~, ESC[7~, ESCOH, Ctrl-A); End (ESC[F, ESC[4~, ESC[8~, ESCOF,
 * Ctrl-E); history Up/Down (ESC[A, ESC[B, Ctrl-P, Ctrl-N), coming back
 * down past the newest entry restores the line being edited; Ctrl-U kills
 * the line, Ctrl-K kills to its end; Ctrl-C abandons it (prints ^C and a
 * fresh prompt); Ctrl-L clears the screen and redraws. Enter is CR, LF or
 * CRLF (counted once). Other control bytes, bytes >= 0x80 and unknown
 * escape sequences are ignored; typing into a full line rings the bell.
 *
 * The prompt and line are assumed to fit on one terminal row.
 * One lineedit per console, used by one thread (the shell's).
 */
#ifndef PUS_LINEEDIT_H
#define PUS_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINEEDIT_MAX 256     /* bytes per line, including the NUL */
#define LINEEDIT_HISTORY 16  /* lines remembered */

typedef void (*lineedit_write_fn)(void *ctx, const char *s, size_t n);

struct lineedit {
    const char *prompt;
    lineedit_write_fn write;
    void *ctx;

    char buf[LINEEDIT_MAX];   /* the line being edited */
    size_t len, cursor;
    char done[LINEEDIT_MAX];  /* the last completed line */

    char history[LINEEDIT_HISTORY][LINEEDIT_MAX];
    int hist_count;           /* entries in use */
    int hist_newest;          /* slot of the newest entry */
    int hist_pos;             /* entry shown: -1 = the line being edited */
    char saved[LINEEDIT_MAX]; /* that line, while browsing history */

    int esc_state;            /* where we are in an escape sequence */
    char esc_param[8];
    size_t esc_len;
    bool after_cr;            /* swallow the LF of a CRLF */
};

void lineedit_init(struct lineedit *le, const char *prompt, lineedit_write_fn write, void *ctx);
/* Prints the prompt and starts an empty line. */
void lineedit_start(struct lineedit *le);
/* Feeds one input byte; returns 1 when it completed a line, else 0. */
int lineedit_feed(struct lineedit *le, char c);
/* The completed line, NUL-terminated (also saved in the history when not
 * empty and not equal to the newest entry). */
const char *lineedit_line(const struct lineedit *le);

#endif
