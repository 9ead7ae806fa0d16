/* pusctl: start, watch and heal a cluster of PusOS nodes. See docs/cluster.md. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    { "up", cmd_up, "up N [--net user|tap] [--run-dir DIR]   start N nodes and the controller" },
    { "down", cmd_down, "down [--keep]                           stop everything `up` started" },
    { "status", cmd_status, "status                                  is a cluster up?" },
    { "nodes", cmd_nodes, "nodes [--json]                          one line per node" },
    { "events", cmd_events, "events [--node N] [--since ID] [--json] what happened, with times" },
    { "stats", cmd_stats, "stats                                   heartbeat counters (JSON)" },
    { "restart", cmd_restart, "restart N                               restart node N" },
    { "kill", cmd_kill, "kill N                                  hard-stop node N's VM" },
    { "hang", cmd_hang, "hang N                                  freeze node N's VM (QMP stop)" },
    { "logs", cmd_logs, "logs N                                  print node N's console log" },
    { "console", cmd_console, "console N                               attach to node N's console" },
    { "daemon", daemon_main, "daemon [options]                        run the controller (see --help)" },
    { "switch", cmd_switch, "switch --socket PATH                    the segment's Ethernet switch" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: pusctl COMMAND [ARGS]\n\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  pusctl %s\n", commands[i].help);
    fprintf(f, "\nEvery command takes --run-dir DIR (default ./run/cluster, or "
               "$PUSCTL_RUN_DIR);\nclient commands also --api HOST:PORT.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "pusctl: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
