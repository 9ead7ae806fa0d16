/*
 * `pusctl up`, `pusctl down`, `pusctl status`: a whole cluster's life.
 *
 * up writes the plan (settings and one row per node with its QEMU command
 * line) into RUN/state.db, starts the segment switch (user networking) or
 * builds the network namespace (tap networking), then starts the daemon,
 * which launches the VMs and supervises them. up then waits until every
 * node heartbeats, or says which did not and why.
 */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli.h"
#include "daemon.h"
#include "launcher.h"
#include "procs.h"
#include "runfiles.h"
#include "util.h"

static const char *self_exe(void)
{
    static char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (n <= 0)
        return "pusctl";
    path[n] = 0;
    return path;
}

static int free_tcp_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Removes RUN's files matching the patterns (relative to RUN). */
static void remove_matching(const char *run_dir, const char *const *patterns)
{
    for (int i = 0; patterns[i]; i++) {
        char pat[1200];
        glob_t g;
        snprintf(pat, sizeof(pat), "%s/%s", run_dir, patterns[i]);
        if (glob(pat, 0, NULL, &g) == 0)
            for (size_t j = 0; j < g.gl_pathc; j++)
                unlink(g.gl_pathv[j]);
        globfree(&g);
    }
}

static const char *const runtime_files[] = {
    "*.sock", "*.pid", "*.lock", "*.tmp", "node*.qmp", "node*.console", "node*.img", NULL,
};
static const char *const state_files[] = {
    "state.db", "state.db-wal", "state.db-shm", "cluster.key", NULL,
};
static const char *const log_files[] = { "*.log", NULL };

static void netns_name(const char *run_dir, char *ns, size_t nscap, char *veth, size_t vcap)
{
    uint32_t h = 2166136261u;
    for (const char *p = run_dir; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    snprintf(ns, nscap, "pus-%08x", h);
    snprintf(veth, vcap, "pv%08x", h);
}

static int ip(const char *log, const char *a0, const char *a1, const char *a2, const char *a3,
              const char *a4, const char *a5, const char *a6, const char *a7, const char *a8)
{
    char *argv[] = { "ip", (char *)a0, (char *)a1, (char *)a2, (char *)a3, (char *)a4,
                     (char *)a5, (char *)a6, (char *)a7, (char *)a8, NULL };
    return run_wait(argv, log);
}

/* Tap networking: a namespace holding a bridge, one tap per node and the
 * inner end of a veth pair whose outer end (10.77.0.254) is the host's
 * — and so the controller's — address on the segment. */
static int tap_setup(const char *run_dir, int nodes)
{
    char ns[32], veth[32], log[1100], tap[32];
    netns_name(run_dir, ns, sizeof(ns), veth, sizeof(veth));
    path_join(log, sizeof(log), run_dir, "net.log");
#define N NULL
    if (ip(log, "netns", "add", ns, N, N, N, N, N, N) != 0) {
        fprintf(stderr, "pusctl up: cannot create network namespace %s (see %s)\n", ns, log);
        return -1;
    }
    int err = 0;
    err |= ip(log, "-n", ns, "link", "set", "lo", "up", N, N, N);
    err |= ip(log, "-n", ns, "link", "add", "br0", "type", "bridge", N, N);
    err |= ip(log, "-n", ns, "link", "set", "br0", "up", N, N, N);
    err |= ip(log, "link", "add", veth, "type", "veth", "peer", "name", "uplink", N);
    err |= ip(log, "link", "set", "uplink", "netns", ns, N, N, N, N);
    err |= ip(log, "-n", ns, "link", "set", "uplink", "master", "br0", "up", N);
    err |= ip(log, "addr", "add", "10.77.0.254/24", "dev", veth, N, N, N, N);
    err |= ip(log, "link", "set", veth, "up", N, N, N, N, N);
    for (int i = 1; i <= nodes && !err; i++) {
        snprintf(tap, sizeof(tap), "pustap%d", i);
        err |= ip(log, "-n", ns, "tuntap", "add", "dev", tap, "mode", "tap", N);
        err |= ip(log, "-n", ns, "link", "set", tap, "master", "br0", "up", N);
    }
#undef N
    if (err) {
        fprintf(stderr, "pusctl up: setting up the tap network failed (see %s)\n", log);
        return -1;
    }
    return 0;
}

static void tap_teardown(const char *run_dir)
{
    char ns[32], veth[32];
    netns_name(run_dir, ns, sizeof(ns), veth, sizeof(veth));
    char *del_veth[] = { "ip", "link", "del", veth, NULL };
    char *del_ns[] = { "ip", "netns", "del", ns, NULL };
    run_wait(del_veth, "/dev/null");
    run_wait(del_ns, "/dev/null");
}

static bool wait_for_file(const char *path, pid_t owner, int ms)
{
    uint64_t deadline = mono_ms() + (uint64_t)ms;
    while (mono_ms() < deadline) {
        if (file_exists(path))
            return true;
        if (owner > 0 && kill(owner, 0) != 0)
            return false;
        usleep(20000);
    }
    return false;
}

static void print_tail(const char *path, int lines)
{
    char *text = read_text(path, 1 << 20);
    if (!text)
        return;
    size_t len = strlen(text);
    int seen = 0;
    size_t start = len;
    while (start > 0 && seen <= lines)
        if (text[--start] == '\n')
            seen++;
    fprintf(stderr, "--- %s (last lines) ---\n%s", path, text + start + (start > 0));
    free(text);
}

/* Last non-empty line of a node's console log, for "why is it not up". */
static void console_last_line(const char *run_dir, uint32_t id, char *out, size_t cap)
{
    char path[1100];
    node_path(run_dir, id, "log", path, sizeof(path));
    char *text = read_text(path, 1 << 20);
    snprintf(out, cap, "(no console output)");
    if (!text)
        return;
    char *end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
        end--;
    *end = 0;
    char *start = end;
    while (start > text && start[-1] != '\n')
        start--;
    if (*start)
        snprintf(out, cap, "'%.100s'", start);
    free(text);
}

struct up_opts {
    long nodes, timeout_s, hb_ms, boot_timeout_ms, disk_blocks;
    const char *net, *run_dir, *kernel, *api, *hb, *mem, *append, *pusfs;
    bool wait, recover, uplink_first;
};

static int write_plan(struct up_opts *o, const char *run_dir, const char *kernel,
                      const char *key_hex, const char *pusfs)
{
    static struct daemon d;
    char path[1100];
    memset(&d, 0, sizeof(d));
    hb_replay_init(&d.replay, NULL);
    path_join(path, sizeof(path), run_dir, "state.db");
    if (db_open(&d, path) != 0)
        return -1;
    bool tap = strcmp(o->net, "tap") == 0;
    char ns[32], veth[32], v[1100], hb_addr[64] = "127.0.0.1", api_addr[64] = "127.0.0.1";
    int hb_port = 8811, api_port = 8810;
    netns_name(run_dir, ns, sizeof(ns), veth, sizeof(veth));
    /* --api and --hb were checked by cmd_up; parsing them again cannot fail. */
    if (o->hb)
        parse_host_port(o->hb, hb_addr, sizeof(hb_addr), &hb_port);
    else if (tap)
        snprintf(hb_addr, sizeof(hb_addr), "0.0.0.0");
    if (o->api)
        parse_host_port(o->api, api_addr, sizeof(api_addr), &api_port);
    db_config_set(d.db, "net", o->net);
    db_config_set(d.db, "netns", tap ? ns : "");
    db_config_set(d.db, "kernel", kernel);
    db_config_set(d.db, "api_addr", api_addr);
    snprintf(v, sizeof(v), "%d", api_port);
    db_config_set(d.db, "api_port", v);
    db_config_set(d.db, "hb_addr", hb_addr);
    snprintf(v, sizeof(v), "%d", hb_port);
    db_config_set(d.db, "hb_port", v);
    snprintf(v, sizeof(v), "%ld", o->hb_ms);
    db_config_set(d.db, "hb_ms", v);
    snprintf(v, sizeof(v), "%ld", o->boot_timeout_ms);
    db_config_set(d.db, "boot_timeout_ms", v);
    db_config_set(d.db, "no_recover", o->recover ? "0" : "1");
    path_join(v, sizeof(v), run_dir, "cluster.key");
    db_config_set(d.db, "key_file", v);

    char controller[64];
    snprintf(controller, sizeof(controller), "%s:%d", tap ? "10.77.0.254" : "10.0.2.2", hb_port);
    for (long i = 1; i <= o->nodes; i++) {
        char img[1100];
        bool have_disk = false;
        node_path(run_dir, (uint32_t)i, "img", img, sizeof(img));
        if (pusfs) {
            char blocks[32];
            snprintf(blocks, sizeof(blocks), "%ld", o->disk_blocks);
            char *argv[] = { (char *)pusfs, "mkfs", img, "--block-size", "4096", "--blocks",
                             blocks, NULL };
            path_join(v, sizeof(v), run_dir, "pusfs.log");
            have_disk = run_wait(argv, v) == 0 && file_exists(img);
            if (!have_disk)
                fprintf(stderr, "pusctl up: pusfs could not make %s (see %s); node %ld runs "
                        "without a disk\n", img, v, i);
        }
        struct launch_opts lo = {
            .run_dir = run_dir, .qemu = "qemu-system-riscv64", .kernel = kernel,
            .net = o->net, .netns = ns, .key_hex = key_hex, .controller = controller,
            .hb_ms = (int)o->hb_ms, .mem = o->mem, .api_port = tap ? 80 : free_tcp_port(),
            .disk = have_disk ? img : NULL, .extra_append = o->append,
            .uplink_first = o->uplink_first,
        };
        struct node *n = node_add(&d, (uint32_t)i);
        n->managed = true;
        n->api_port = lo.api_port;
        node_segment_ip(o->net, (uint32_t)i, n->address, sizeof(n->address));
        n->argv_json = node_argv_json(&lo, (uint32_t)i);
    }
    db_flush(&d);
    db_close(&d);
    return 0;
}

/* Polls the API until every node is healthy or time runs out. */
static int wait_healthy(struct cli *c, long nodes, long timeout_s, pid_t daemon_pid)
{
    uint64_t deadline = mono_ms() + (uint64_t)timeout_s * 1000;
    cJSON *j = NULL;
    for (;;) {
        int status;
        cJSON_Delete(j);
        char *body;
        status = http_request_json(c, "/api/v1/nodes", &j, &body);
        free(body);
        if (status == 200 && j) {
            int healthy = 0;
            cJSON *n;
            cJSON_ArrayForEach(n, cJSON_GetObjectItem(j, "nodes")) {
                cJSON *st = cJSON_GetObjectItem(n, "state");
                if (cJSON_IsString(st) && strcmp(st->valuestring, "healthy") == 0)
                    healthy++;
            }
            if (healthy >= nodes) {
                printf("cluster up: %ld nodes healthy; controller at http://%s:%d\n", nodes,
                       c->api_host, c->api_port);
                cJSON_Delete(j);
                return 0;
            }
        }
        if (kill(daemon_pid, 0) != 0) {
            fprintf(stderr, "pusctl up: the controller daemon died\n");
            cJSON_Delete(j);
            return 1;
        }
        if (mono_ms() >= deadline)
            break;
        usleep(200000);
    }
    fprintf(stderr, "pusctl up: not every node became healthy within %ld s:\n", timeout_s);
    cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItem(j, "nodes")) {
        cJSON *st = cJSON_GetObjectItem(n, "state"), *id = cJSON_GetObjectItem(n, "id");
        cJSON *pid = cJSON_GetObjectItem(n, "pid"), *hbs = cJSON_GetObjectItem(n, "heartbeats");
        if (!cJSON_IsString(st) || strcmp(st->valuestring, "healthy") == 0)
            continue;
        char last[160];
        console_last_line(c->run_dir, (uint32_t)id->valueint, last, sizeof(last));
        fprintf(stderr, "  node %d: %s; %s; %s heartbeats; console's last line: %s\n",
                id->valueint, st->valuestring,
                cJSON_IsNumber(pid) && pid->valueint > 0 ? "QEMU running" : "QEMU not running",
                cJSON_IsNumber(hbs) && hbs->valueint > 0 ? "had" : "no",
                last);
    }
    fprintf(stderr, "The cluster is left running for inspection (`pusctl logs N`, "
            "`pusctl events`); stop it with `pusctl down`.\n");
    cJSON_Delete(j);
    return 1;
}

static void up_usage(void)
{
    fprintf(stderr,
        "usage: pusctl up N [--net user|tap] [--run-dir DIR] [--kernel build/pusos.elf]\n"
        "                 [--api ADDR:PORT] [--hb ADDR:PORT] [--timeout S] [--no-wait]\n"
        "                 [--mem 128M] [--hb-ms 100] [--boot-timeout-ms N] [--no-recover]\n"
        "                 [--append 'more bootargs'] [--pusfs PATH] [--disk-blocks N]\n"
        "                 [--uplink-first]\n");
}

int cmd_up(int argc, char **argv)
{
    static const struct option opts[] = {
        { "net", required_argument, NULL, 'n' }, { "run-dir", required_argument, NULL, 'r' },
        { "kernel", required_argument, NULL, 'k' }, { "api", required_argument, NULL, 'a' },
        { "hb", required_argument, NULL, 'h' }, { "timeout", required_argument, NULL, 't' },
        { "no-wait", no_argument, NULL, 'W' }, { "mem", required_argument, NULL, 'm' },
        { "hb-ms", required_argument, NULL, 'H' },
        { "boot-timeout-ms", required_argument, NULL, 'b' },
        { "no-recover", no_argument, NULL, 'R' }, { "append", required_argument, NULL, 'A' },
        { "pusfs", required_argument, NULL, 'p' }, { "disk-blocks", required_argument, NULL, 'D' },
        { "uplink-first", no_argument, NULL, 'U' },
        { 0 },
    };
    struct up_opts o = {
        .timeout_s = 60, .hb_ms = 100, .boot_timeout_ms = 60000, .disk_blocks = 1024,
        .net = "user", .kernel = "build/pusos.elf", .mem = "128M", .wait = true, .recover = true,
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'n': o.net = optarg; break;
        case 'r': o.run_dir = optarg; break;
        case 'k': o.kernel = optarg; break;
        case 'a': o.api = optarg; break;
        case 'h': o.hb = optarg; break;
        case 't': if (!parse_long(optarg, 1, 86400, &o.timeout_s)) goto usage; break;
        case 'W': o.wait = false; break;
        case 'm': o.mem = optarg; break;
        case 'H': if (!parse_long(optarg, 10, 60000, &o.hb_ms)) goto usage; break;
        case 'b': if (!parse_long(optarg, 100, 3600000, &o.boot_timeout_ms)) goto usage; break;
        case 'R': o.recover = false; break;
        case 'A': o.append = optarg; break;
        case 'U': o.uplink_first = true; break;
        case 'p': o.pusfs = optarg; break;
        case 'D': if (!parse_long(optarg, 16, 1 << 24, &o.disk_blocks)) goto usage; break;
        default: goto usage;
        }
    }
    if (optind != argc - 1 || !parse_long(argv[optind], 1, 254, &o.nodes)) {
        fprintf(stderr, "pusctl up: give the number of nodes, 1..254\n");
        goto usage;
    }
    if (strcmp(o.net, "user") != 0 && strcmp(o.net, "tap") != 0) {
        fprintf(stderr, "pusctl up: --net is user or tap\n");
        goto usage;
    }
    const char *addr_opts[][2] = { { "--api", o.api }, { "--hb", o.hb } };
    for (int i = 0; i < 2; i++) {
        char host[64];
        int port;
        if (addr_opts[i][1] && !parse_host_port(addr_opts[i][1], host, sizeof(host), &port)) {
            fprintf(stderr, "pusctl up: bad %s '%s': give ADDR:PORT or PORT, the port a number "
                    "1..65535\n", addr_opts[i][0], addr_opts[i][1]);
            goto usage;
        }
    }

    char kernel[PATH_MAX];
    if (!realpath(o.kernel, kernel)) {
        fprintf(stderr, "pusctl up: kernel image %s not found: build it with `make` first "
                "(or pass --kernel PATH)\n", o.kernel);
        return 1;
    }
    char *which[] = { "sh", "-c", "command -v qemu-system-riscv64", NULL };
    if (run_wait(which, "/dev/null") != 0) {
        fprintf(stderr, "pusctl up: qemu-system-riscv64 not found; install qemu-system-misc "
                "(scripts/install-deps.sh)\n");
        return 1;
    }
    if (strcmp(o.net, "tap") == 0 && geteuid() != 0) {
        fprintf(stderr, "pusctl up: --net tap needs root (network namespace and taps); "
                "use --net user, which needs none\n");
        return 1;
    }

    struct cli c;
    char run_dir[1024];
    const char *env = getenv("PUSCTL_RUN_DIR");
    snprintf(run_dir, sizeof(run_dir), "%s", o.run_dir ? o.run_dir : env ? env : "run/cluster");
    if (run_dir_prepare(run_dir) != 0) {
        fprintf(stderr, "pusctl up: cannot create %s: %s\n", run_dir, strerror(errno));
        return 1;
    }
    if (run_is_locked(run_dir, "daemon")) {
        fprintf(stderr, "pusctl up: a cluster is already up in %s; `pusctl down` first\n", run_dir);
        return 1;
    }
    pid_t strays[16];
    char needle[1100];
    snprintf(needle, sizeof(needle), "%s/node", run_dir);
    if (find_processes(needle, strays, 16) > 0) {
        fprintf(stderr, "pusctl up: VMs of an earlier cluster still run in %s; `pusctl down` "
                "first\n", run_dir);
        return 1;
    }
    /* A fresh cluster: drop whatever an earlier one left. */
    remove_matching(run_dir, runtime_files);
    remove_matching(run_dir, state_files);
    remove_matching(run_dir, log_files);

    char keyfile[1100], key_hex[HB_KEY_MAX * 2 + 2];
    uint8_t key[HB_KEY_MAX];
    path_join(keyfile, sizeof(keyfile), run_dir, "cluster.key");
    int klen;
    if (key_create(keyfile, 32) != 0 || (klen = key_read(keyfile, key, sizeof(key))) != 32) {
        fprintf(stderr, "pusctl up: cannot create the cluster key %s\n", keyfile);
        return 1;
    }
    hex_encode(key, 32, key_hex);

    char pusfs[PATH_MAX] = "";
    if (o.pusfs) {
        snprintf(pusfs, sizeof(pusfs), "%s", o.pusfs);
    } else {
        /* build/pusos.elf -> build/bin/pusfs */
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof(tmp), "%s", kernel);
        snprintf(pusfs, sizeof(pusfs), "%s/bin/pusfs", dirname(tmp));
    }
    if (access(pusfs, X_OK) != 0)
        pusfs[0] = 0;

    if (strcmp(o.net, "tap") == 0) {
        tap_teardown(run_dir);          /* leftovers of a crashed run */
        if (tap_setup(run_dir, (int)o.nodes) != 0) {
            tap_teardown(run_dir);
            return 1;
        }
    }
    if (write_plan(&o, run_dir, kernel, key_hex, pusfs[0] ? pusfs : NULL) != 0)
        return 1;

    char path[1100], log[1100];
    if (strcmp(o.net, "user") == 0) {
        path_join(path, sizeof(path), run_dir, "switch.sock");
        path_join(log, sizeof(log), run_dir, "switch.log");
        char *sw[] = { (char *)self_exe(), "switch", "--socket", path, NULL };
        pid_t sp = spawn_logged(sw, log);
        if (sp < 0 || !wait_for_file(path, sp, 5000)) {
            fprintf(stderr, "pusctl up: the Ethernet switch did not start\n");
            print_tail(log, 10);
            return 1;
        }
    }
    path_join(log, sizeof(log), run_dir, "daemon.log");
    char *dm[] = { (char *)self_exe(), "daemon", "--run-dir", run_dir, NULL };
    pid_t dp = spawn_logged(dm, log);
    cli_resolve(&c, run_dir, NULL);
    uint64_t deadline = mono_ms() + 10000;
    for (;;) {
        cJSON *j = NULL;
        char *body;
        int status = http_request_json(&c, "/api/v1/stats", &j, &body);
        free(body);
        cJSON_Delete(j);
        if (status == 200)
            break;
        if (kill(dp, 0) != 0 || waitpid_nohang(dp) || mono_ms() > deadline) {
            fprintf(stderr, "pusctl up: the controller daemon did not start\n");
            print_tail(log, 15);
            return 1;
        }
        usleep(50000);
    }
    printf("pusctl: %ld node%s launching in %s (net %s); controller http://%s:%d\n", o.nodes,
           o.nodes == 1 ? "" : "s", run_dir, o.net, c.api_host, c.api_port);
    if (!o.wait)
        return 0;
    return wait_healthy(&c, o.nodes, o.timeout_s, dp);
usage:
    up_usage();
    return 2;
}

int cmd_down(int argc, char **argv)
{
    static const struct option opts[] = {
        { "run-dir", required_argument, NULL, 'r' }, { "keep", no_argument, NULL, 'k' }, { 0 },
    };
    const char *dir = NULL;
    bool keep = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'r')
            dir = optarg;
        else if (ch == 'k')
            keep = true;
        else
            goto usage;
    }
    if (optind != argc)
        goto usage;
    struct cli c;
    cli_resolve(&c, dir, NULL);
    struct stat st;
    if (stat(c.run_dir, &st) != 0) {
        printf("no cluster in %s\n", c.run_dir);
        return 0;
    }
    int stopped = 0;
    /* The daemon first, so it does not relaunch what we stop next. */
    pid_t pid = pid_file_read(c.run_dir, "daemon");
    if (run_is_locked(c.run_dir, "daemon") && pid > 0 && pid_matches(pid, "daemon")) {
        stop_process(pid, 5000);
        stopped++;
    }
    /* Every VM of this run directory, found by command line, so a VM the
     * database does not know about (a crash between launch and flush)
     * is not left behind. */
    char needle[1100];
    snprintf(needle, sizeof(needle), "%s/node", c.run_dir);
    pid_t vms[512];
    int n = find_processes(needle, vms, 512);
    for (int i = 0; i < n; i++)
        if (stop_process(vms[i], 3000))
            stopped++;
    pid = pid_file_read(c.run_dir, "switch");
    if (run_is_locked(c.run_dir, "switch") && pid > 0 && pid_matches(pid, "switch")) {
        stop_process(pid, 3000);
        stopped++;
    }
    char ns[32], veth[32], nspath[64];
    netns_name(c.run_dir, ns, sizeof(ns), veth, sizeof(veth));
    snprintf(nspath, sizeof(nspath), "/run/netns/%s", ns);
    if (file_exists(nspath))
        tap_teardown(c.run_dir);

    remove_matching(c.run_dir, runtime_files);
    if (!keep) {
        remove_matching(c.run_dir, state_files);
        remove_matching(c.run_dir, log_files);
        if (rmdir(c.run_dir) != 0 && errno != ENOENT)
            fprintf(stderr, "pusctl down: left %s in place (it holds files pusctl did not "
                    "make)\n", c.run_dir);
    }
    printf("cluster in %s down (%d process%s stopped)%s\n", c.run_dir, stopped,
           stopped == 1 ? "" : "es", keep ? "; logs and state kept" : "");
    return 0;
usage:
    fprintf(stderr, "usage: pusctl down [--run-dir DIR] [--keep]\n");
    return 2;
}

int cmd_status(int argc, char **argv)
{
    const char *dir;
    if (parse_one_option(argc, argv, "run-dir", &dir) < 0) {
        fprintf(stderr, "usage: pusctl status [--run-dir DIR]\n");
        return 2;
    }
    struct cli c;
    cli_resolve(&c, dir, NULL);
    char needle[1100];
    snprintf(needle, sizeof(needle), "%s/node", c.run_dir);
    pid_t vms[512];
    int nvms = find_processes(needle, vms, 512);
    if (!run_is_locked(c.run_dir, "daemon")) {
        if (nvms > 0) {
            printf("controller not running in %s, but %d node VM%s still run; restart it "
                   "with `pusctl daemon --run-dir %s &` or stop all with `pusctl down`\n",
                   c.run_dir, nvms, nvms == 1 ? "" : "s", c.run_dir);
            return 1;
        }
        printf("no cluster running in %s\n", c.run_dir);
        return 3;
    }
    cJSON *j = NULL;
    char *body;
    int status = http_request_json(&c, "/api/v1/stats", &j, &body);
    free(body);
    printf("cluster up in %s: controller pid %d, API http://%s:%d", c.run_dir,
           (int)pid_file_read(c.run_dir, "daemon"), c.api_host, c.api_port);
    if (status == 200 && j) {
        cJSON *by = cJSON_GetObjectItem(j, "by_state"), *s;
        printf(", %d node%s:", cJSON_GetObjectItem(j, "nodes")->valueint,
               cJSON_GetObjectItem(j, "nodes")->valueint == 1 ? "" : "s");
        cJSON_ArrayForEach(s, by)
            if (s->valueint > 0)
                printf(" %d %s", s->valueint, s->string);
        printf(", %d VM%s", nvms, nvms == 1 ? "" : "s");
    } else {
        printf(" (API not answering)");
    }
    printf("\n");
    cJSON_Delete(j);
    return 0;
}
