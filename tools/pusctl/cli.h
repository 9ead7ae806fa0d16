/* Shared bits of the pusctl subcommands. */
#ifndef PUSCTL_CLI_H
#define PUSCTL_CLI_H

#include <stdbool.h>

#include <cjson/cJSON.h>

struct cli {
    char run_dir[1024];
    char api_host[64];
    int  api_port;
};

/* Fills run_dir (--run-dir, $PUSCTL_RUN_DIR, ./run/cluster) and the API
 * address (--api, else the one recorded in RUN/state.db, else 8810).
 * False (after printing why) when api is not HOST:PORT or PORT. */
bool cli_resolve(struct cli *c, const char *run_dir, const char *api);

/* GET/POST to the daemon; returns the parsed body (or NULL, printing why).
 * *status gets the HTTP status. */
cJSON *cli_call(const struct cli *c, const char *method, const char *path, int *status);
/* Quiet GET: status (or -1); *j parsed body or NULL; *body raw (free it). */
int http_request_json(const struct cli *c, const char *path, cJSON **j, char **body);

int cmd_nodes(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_hang(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_console(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_switch(int argc, char **argv);
int daemon_main(int argc, char **argv);

#endif
