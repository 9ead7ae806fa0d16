/* log: print the kernel log ring, optionally only from a level up. */
#include <string.h>
#include "services/shell/shell.h"
#include "kernel/console.h"
#include "kernel/log.h"

static void print_line(const char *line, void *arg)
{
    kprintf("%s\n", line);
}

static int cmd_log(int argc, char **argv)
{
    enum log_level level = LOG_DEBUG;
    if (argc == 3 && strcmp(argv[1], "-l") == 0) {
        int l = log_level_from_name(argv[2]);
        if (l < 0) {
            kprintf("error: log: unknown level '%s' (error, warn, info, debug)\n", argv[2]);
            return SHELL_ERR_REPORTED;
        }
        level = (enum log_level)l;
    } else if (argc != 1) {
        return shell_usage("log");
    }
    log_dump(level, print_line, NULL);
    if (log_dropped())
        kprintf("(%zu older lines were dropped)\n", log_dropped());
    return 0;
}
SHELL_COMMAND(log, "log [-l error|warn|info|debug]", "print the kernel log", cmd_log);
