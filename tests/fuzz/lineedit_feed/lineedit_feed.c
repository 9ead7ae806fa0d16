/*
 * libFuzzer target for the line editor: any byte stream keeps the line,
 * cursor, history and escape state inside their arrays, and every
 * completed line is a NUL-terminated string of printable ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lineedit/lineedit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t written;

static void sink(void *ctx, const char *s, size_t n)
{
    /* touch every byte so ASan checks the range handed out */
    for (size_t i = 0; i < n; i++)
        written += (unsigned char)s[i];
    if (n > 2 * LINEEDIT_MAX + 64)
        abort();
}

static void check(const struct lineedit *le)
{
    if (le->len >= LINEEDIT_MAX || le->cursor > le->len || le->buf[le->len] != '\0' ||
        strlen(le->buf) != le->len || le->hist_count > LINEEDIT_HISTORY ||
        le->hist_pos < -1 || le->hist_pos >= le->hist_count ||
        le->esc_len > sizeof(le->esc_param))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lineedit le;
    lineedit_init(&le, "pus> ", sink, NULL);
    lineedit_start(&le);
    for (size_t i = 0; i < size; i++) {
        if (lineedit_feed(&le, (char)data[i])) {
            const char *line = lineedit_line(&le);
            size_t n = strnlen(line, LINEEDIT_MAX);
            if (n == LINEEDIT_MAX)
                abort();
            for (size_t k = 0; k < n; k++)
                if (line[k] < 0x20 || line[k] > 0x7e)
                    abort();
            if (data[i] & 1)
                lineedit_start(&le);
        }
        check(&le);
    }
    return 0;
}
