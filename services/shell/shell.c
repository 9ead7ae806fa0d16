/*
 * The shell thread: reads console input through the line editor, splits
 * lines into arguments (double quotes group words) and runs commands.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "services/shell/shell.h"
#include "kernel/console.h"
#include "kernel/kernel.h"
#include "kernel/log.h"
#include "lineedit/lineedit.h"
#include "pus/err.h"

#define SHELL_MAX_ARGS 32
#define SHELL_PROMPT "pus> "

extern const struct shell_command __shell_cmds_start[], __shell_cmds_end[];

static const struct shell_command *find(const char *name)
{
    for (const struct shell_command *c = __shell_cmds_start; c < __shell_cmds_end; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int shell_usage(const char *name)
{
    const struct shell_command *c = find(name);
    if (c)
        kprintf("usage: %s\n", c->usage);
    return SHELL_ERR_REPORTED;
}

bool shell_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno == ERANGE || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Split in place; returns argc or ERR_BAD_FORMAT for an open quote. */
static int split(char *line, char **argv, int max)
{
    int argc = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return argc;
        if (argc == max)
            return ERR_TOO_BIG;
        char *out = p;
        argv[argc++] = out;
        int quoted = 0;
        while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
            if (*p == '"') {
                quoted = !quoted;
                p++;
                continue;
            }
            if (*p == '\\' && p[1]) {
                p++;
            }
            *out++ = *p++;
        }
        if (quoted)
            return ERR_BAD_FORMAT;
        if (*p)
            p++;
        *out = '\0';
    }
}

int shell_execute(char *line)
{
    char *argv[SHELL_MAX_ARGS + 1];
    int argc = split(line, argv, SHELL_MAX_ARGS);
    if (argc == ERR_BAD_FORMAT) {
        kprintf("error: unterminated quote\n");
        return argc;
    }
    if (argc < 0) {
        kprintf("error: too many arguments (at most %d)\n", SHELL_MAX_ARGS);
        return argc;
    }
    if (argc == 0)
        return 0;
    argv[argc] = NULL;
    const struct shell_command *c = find(argv[0]);
    if (!c) {
        kprintf("error: unknown command '%s' (try 'help')\n", argv[0]);
        return ERR_NOT_FOUND;
    }
    int r = c->fn(argc, argv);
    if (r < 0 && r != SHELL_ERR_REPORTED)
        kprintf("error: %s: %s\n", argv[0], err_str(r));
    return r;
}

static void console_out(void *ctx, const char *s, size_t n)
{
    console_write(s, n);
}

void kernel_start_shell(void)
{
    static struct lineedit le;
    lineedit_init(&le, SHELL_PROMPT, console_out, NULL);
    lineedit_start(&le);
    char buf[64];
    for (;;) {
        int n = console_read(buf, sizeof(buf), -1);
        if (n < 0) {
            log_error("shell: console input failed: %s", err_str(n));
            return;
        }
        for (int i = 0; i < n; i++) {
            if (lineedit_feed(&le, buf[i])) {
                char line[LINEEDIT_MAX + 1];
                strncpy(line, lineedit_line(&le), sizeof(line) - 1);
                line[sizeof(line) - 1] = '\0';
                shell_execute(line);
                lineedit_start(&le);
            }
        }
    }
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 1) {
        const struct shell_command *c = find(argv[1]);
        if (!c) {
            kprintf("error: help: no command '%s'\n", argv[1]);
            return SHELL_ERR_REPORTED;
        }
        kprintf("%s\n    %s\n", c->usage, c->help);
        return 0;
    }
    /* Sorted output: the section order depends on link order. */
    const char *last = "";
    for (;;) {
        const struct shell_command *next = NULL;
        for (const struct shell_command *c = __shell_cmds_start; c < __shell_cmds_end; c++)
            if (strcmp(c->name, last) > 0 && (!next || strcmp(c->name, next->name) < 0))
                next = c;
        if (!next)
            break;
        kprintf("  %-10s %s\n", next->name, next->help);
        last = next->name;
    }
    return 0;
}
SHELL_COMMAND(help, "help [COMMAND]", "list commands, or show one command's usage", cmd_help);
