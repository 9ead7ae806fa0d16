/* Client subcommands that talk to the running daemon over its REST API. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli.h"
#include "http.h"
#include "runfiles.h"
#include "util.h"

static bool db_setting(const char *run_dir, const char *key, char *out, size_t cap)
{
    char path[1100];
    sqlite3 *db;
    bool found = false;
    path_join(path, sizeof(path), run_dir, "state.db");
    if (access(path, R_OK) != 0)
        return false;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st;
        sqlite3_busy_timeout(db, 2000);
        if (sqlite3_prepare_v2(db, "SELECT value FROM config WHERE key=?", -1, &st, NULL) ==
            SQLITE_OK) {
            sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW) {
                snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
                found = true;
            }
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
    return found;
}

bool cli_resolve(struct cli *c, const char *run_dir, const char *api)
{
    const char *env = getenv("PUSCTL_RUN_DIR");
    snprintf(c->run_dir, sizeof(c->run_dir), "%s",
             run_dir ? run_dir : env ? env : "run/cluster");
    char abs[4096];
    if (realpath(c->run_dir, abs))
        snprintf(c->run_dir, sizeof(c->run_dir), "%.1023s", abs);
    snprintf(c->api_host, sizeof(c->api_host), "127.0.0.1");
    c->api_port = 8810;
    char v[64];
    if (api) {
        if (parse_host_port(api, c->api_host, sizeof(c->api_host), &c->api_port))
            return true;
        fprintf(stderr, "pusctl: bad --api '%s': give HOST:PORT or PORT, the port a number "
                "1..65535\n", api);
        return false;
    }
    if (db_setting(c->run_dir, "api_addr", v, sizeof(v)))
        snprintf(c->api_host, sizeof(c->api_host), "%s", v);
    long port;
    if (db_setting(c->run_dir, "api_port", v, sizeof(v)) && parse_long(v, 1, 65535, &port))
        c->api_port = (int)port;    /* a damaged setting leaves the default */
    return true;
}

cJSON *cli_call(const struct cli *c, const char *method, const char *path, int *status)
{
    char *body;
    *status = http_request(c->api_host, c->api_port, method, path, 10000, &body);
    if (*status < 0) {
        fprintf(stderr, "pusctl: controller not reachable at http://%s:%d (%s); is the "
                "cluster up? try `pusctl status`\n", c->api_host, c->api_port, strerror(errno));
        return NULL;
    }
    cJSON *j = cJSON_Parse(body);
    if (!j)
        fprintf(stderr, "pusctl: controller sent something that is not JSON: %.200s\n", body);
    free(body);
    return j;
}

/* Options shared by the client commands. Returns the index of the first
 * non-option argument, or -1 after printing usage. */
struct copts { const char *run_dir, *api; bool json, keep; long node, since; };

static int parse_common(int argc, char **argv, struct copts *o, const char *usage)
{
    static const struct option opts[] = {
        { "run-dir", required_argument, NULL, 'r' },
        { "api", required_argument, NULL, 'a' },
        { "json", no_argument, NULL, 'j' },
        { "node", required_argument, NULL, 'n' },
        { "since", required_argument, NULL, 's' },
        { "keep", no_argument, NULL, 'k' },
        { 0 },
    };
    memset(o, 0, sizeof(*o));
    o->node = -1;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'r': o->run_dir = optarg; break;
        case 'a': o->api = optarg; break;
        case 'j': o->json = true; break;
        case 'k': o->keep = true; break;
        case 'n': if (!parse_long(optarg, 0, 0xffffffffL, &o->node)) goto bad; break;
        case 's': if (!parse_long(optarg, 0, 1L << 62, &o->since)) goto bad; break;
        default: goto bad;
        }
    }
    return optind;
bad:
    fprintf(stderr, "usage: pusctl %s\n", usage);
    return -1;
}

/* A client command's state: its options, where the controller is, and the
 * HTTP status of its call. */
struct client {
    struct copts o;
    struct cli c;
    int status;
    long id;            /* the node argument, for commands that take one */
};

/* The client commands' start: options, then the node id when with_id (or
 * no argument at all), then where the controller is. Returns 0, or 2 after
 * printing usage. */
static int client_start(struct client *cl, int argc, char **argv, const char *usage, bool with_id)
{
    int i = parse_common(argc, argv, &cl->o, usage);
    if (i < 0)
        return 2;
    bool ok = with_id ? i == argc - 1 && parse_long(argv[i], 1, 0xffffffffL, &cl->id) : i == argc;
    if (!ok) {
        fprintf(stderr, "usage: pusctl %s\n", usage);
        return 2;
    }
    return cli_resolve(&cl->c, cl->o.run_dir, cl->o.api) ? 0 : 2;
}

static void print_json(cJSON *j)
{
    char *s = cJSON_Print(j);
    printf("%s\n", s);
    free(s);
}

static void fmt_duration(double ms, char *out, size_t cap)
{
    if (ms < 0) {
        snprintf(out, cap, "-");
        return;
    }
    uint64_t s = (uint64_t)(ms / 1000);
    if (ms < 10000)
        snprintf(out, cap, "%.1fs", ms / 1000);
    else if (s < 3600)
        snprintf(out, cap, "%llum%02llus", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
    else if (s < 86400)
        snprintf(out, cap, "%lluh%02llum", (unsigned long long)(s / 3600),
                 (unsigned long long)(s / 60 % 60));
    else
        snprintf(out, cap, "%llud%02lluh", (unsigned long long)(s / 86400),
                 (unsigned long long)(s / 3600 % 24));
}

static double num(cJSON *o, const char *k)
{
    cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const char *str(cJSON *o, const char *k)
{
    cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsString(v) ? v->valuestring : "-";
}

int cmd_nodes(int argc, char **argv)
{
    struct client cl;
    if (client_start(&cl, argc, argv, "nodes [--json] [--run-dir DIR] [--api HOST:PORT]", false))
        return 2;
    cJSON *j = cli_call(&cl.c, "GET", "/api/v1/nodes", &cl.status);
    if (!j)
        return 1;
    if (cl.o.json) {
        print_json(j);
        cJSON_Delete(j);
        return cl.status == 200 ? 0 : 1;
    }
    printf("%-5s %-15s %-10s %8s %5s %5s %9s %-24s %8s\n", "ID", "ADDRESS", "STATE", "UPTIME",
           "BOOTS", "CPU", "MEM FREE", "APPS", "LAST HB");
    cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItem(j, "nodes")) {
        char up[32], age[32], cpu[16], mem[32], apps[64] = "";
        fmt_duration(num(n, "uptime_ms"), up, sizeof(up));
        fmt_duration(num(n, "last_heartbeat_age_ms"), age, sizeof(age));
        double load = num(n, "cpu_load");
        snprintf(cpu, sizeof(cpu), load < 0 ? "-" : "%.0f%%", load * 100);
        double kib = num(n, "mem_free_kib");
        snprintf(mem, sizeof(mem), kib < 0 ? "-" : "%.1fM", kib / 1024);
        cJSON *a;
        int count = (int)num(n, "app_count"), shown = 0;
        cJSON_ArrayForEach(a, cJSON_GetObjectItem(n, "apps")) {
            size_t len = strlen(apps);
            snprintf(apps + len, sizeof(apps) - len, "%s%s:%s", shown ? "," : "", str(a, "name"),
                     str(a, "state"));
            shown++;
        }
        if (count > shown) {
            size_t len = strlen(apps);
            snprintf(apps + len, sizeof(apps) - len, "%s+%d", shown ? " " : "", count - shown);
        }
        if (!apps[0])
            snprintf(apps, sizeof(apps), "-");
        printf("%-5.0f %-15s %-10s %8s %5.0f %5s %9s %-24s %8s\n", num(n, "id"),
               str(n, "address"), str(n, "state"), up, num(n, "boot_count"), cpu, mem, apps, age);
    }
    cJSON_Delete(j);
    return 0;
}

int cmd_events(int argc, char **argv)
{
    struct client cl;
    if (client_start(&cl, argc, argv, "events [--node N] [--since ID] [--json]", false))
        return 2;
    char path[128];
    int len = snprintf(path, sizeof(path), "/api/v1/events?since=%ld&limit=100000", cl.o.since);
    if (cl.o.node >= 0)
        snprintf(path + len, sizeof(path) - len, "&node=%ld", cl.o.node);
    cJSON *j = cli_call(&cl.c, "GET", path, &cl.status);
    if (!j)
        return 1;
    if (cl.o.json) {
        print_json(j);
    } else {
        cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "events")) {
            double t = num(e, "time_ms");
            time_t secs = (time_t)(t / 1000);
            struct tm tm;
            char stamp[32];
            localtime_r(&secs, &tm);
            strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
            char who[16];
            if (num(e, "node") > 0)
                snprintf(who, sizeof(who), "node %.0f", num(e, "node"));
            else
                snprintf(who, sizeof(who), "-");
            printf("%6.0f  %s.%03d  %-9s %-14s %s\n", num(e, "id"), stamp,
                   (int)((uint64_t)t % 1000), who, str(e, "type"), str(e, "detail"));
        }
    }
    cJSON_Delete(j);
    return cl.status == 200 ? 0 : 1;
}

int cmd_stats(int argc, char **argv)
{
    struct client cl;
    if (client_start(&cl, argc, argv, "stats [--run-dir DIR] [--api HOST:PORT]", false))
        return 2;
    cJSON *j = cli_call(&cl.c, "GET", "/api/v1/stats", &cl.status);
    if (!j)
        return 1;
    print_json(j);
    cJSON_Delete(j);
    return 0;
}

static int node_post(int argc, char **argv, const char *action)
{
    struct client cl;
    char usage[64];
    snprintf(usage, sizeof(usage), "%s N [--run-dir DIR] [--api HOST:PORT]", action);
    if (client_start(&cl, argc, argv, usage, true))
        return 2;
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/nodes/%ld/%s", cl.id, action);
    cJSON *j = cli_call(&cl.c, "POST", path, &cl.status);
    if (!j)
        return 1;
    if (cl.status >= 400)
        fprintf(stderr, "pusctl %s: %s\n", action, str(j, "error"));
    else
        printf("node %ld: %s requested\n", cl.id, action);
    cJSON_Delete(j);
    return cl.status >= 400 ? 1 : 0;
}

int cmd_restart(int argc, char **argv) { return node_post(argc, argv, "restart"); }
int cmd_kill(int argc, char **argv) { return node_post(argc, argv, "kill"); }
int cmd_hang(int argc, char **argv) { return node_post(argc, argv, "hang"); }

int cmd_logs(int argc, char **argv)
{
    struct client cl;
    if (client_start(&cl, argc, argv, "logs N [--run-dir DIR]", true))
        return 2;
    long id = cl.id;
    char path[1100];
    node_path(cl.c.run_dir, (uint32_t)id, "log", path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "pusctl logs: no console log for node %ld (%s: %s)\n", id, path,
                strerror(errno));
        return 1;
    }
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
            break;
    close(fd);
    return 0;
}

int http_request_json(const struct cli *c, const char *path, cJSON **j, char **body)
{
    int status = http_request(c->api_host, c->api_port, "GET", path, 5000, body);
    *j = *body ? cJSON_Parse(*body) : NULL;
    return status;
}
