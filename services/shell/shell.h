/*
 * The console shell. Commands register themselves anywhere in the kernel:
 *     SHELL_COMMAND(uptime, "uptime", "time since boot", cmd_uptime);
 * A command returns 0 on success or a negative status; the shell prints
 * "error: <name>: <status>" for failures the command did not explain.
 */
#ifndef SERVICES_SHELL_SHELL_H
#define SERVICES_SHELL_SHELL_H

struct shell_command {
    const char *name;
    const char *usage;
    const char *help;
    int (*fn)(int argc, char **argv);
};

#define SHELL_COMMAND(id, usage_, help_, fn_) \
    static const struct shell_command __shell_cmd_##id \
    __attribute__((used, section(".shell_cmds"), aligned(8))) = { #id, usage_, help_, fn_ }

/* Status a command returns after printing its own error message. */
#define SHELL_ERR_REPORTED (-1000)

#include <stdbool.h>

/* Print "usage: ..." for a command and return SHELL_ERR_REPORTED. */
int shell_usage(const char *name);
/* A whole decimal argument from min to max into *out: false for "", "3x",
   "abc" or a number out of range (the caller says what it wanted). */
bool shell_parse_long(const char *s, long min, long max, long *out);
/* Run one command line (also used by tests and scripts). */
int shell_execute(char *line);

#endif
