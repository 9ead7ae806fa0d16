/*
 * hbgen: many simulated nodes speaking the heartbeat protocol, for tests
 * and benchmarks of the controller.
 *
 *   hbgen --target 127.0.0.1:8811 --key-file KEY [--nodes 1000] [--first 1]
 *         [--hz 10] [--apps 2] [--duration S] [--control]
 *
 * Heartbeats are spread evenly over each period, as real nodes would be.
 * With --control, commands come one per line on stdin and each is answered
 * with one line starting "ok" (or "error") on stdout:
 *
 *   stop ID          node falls silent (simulated death)
 *   start ID         it resumes, same boot (it was only hung)
 *   reboot ID        it resumes with a new boot id, seq and uptime from 0
 *   forge ID [N]     N heartbeats tagged with a wrong key
 *   truncate ID [N]  N valid heartbeats cut short
 *   replay ID [N]    resend its last heartbeat verbatim N times
 *   oldboot ID       a correctly tagged heartbeat from its previous boot
 *   skew ID MS       a correctly tagged heartbeat with its clock off by MS
 *   garbage N        N datagrams of random bytes
 *   stats            "ok sent=N"
 *   quit
 * "stop" answers with the wall time (ms) of the node's last heartbeat, so
 * a caller can measure detection time from it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cluster/heartbeat.h"
#include "../../tools/pusctl/util.h"

struct sim {
    uint32_t id;
    bool running;
    uint64_t boot_id, prev_boot_id;
    uint64_t seq;
    uint64_t boot_wall;          /* wall time the simulated boot began */
    uint64_t last_sent_wall;
    uint8_t last[HB_MAX_SIZE];
    int last_len;
};

static struct sim *sims;
static uint32_t nsims, first_id = 1, apps = 2;
static struct hb_key key, bad_key;
static int sock;
static struct sockaddr_in target;
static uint64_t sent;

static uint64_t random64(void)
{
    uint64_t v = 0;
    while (v == 0)
        if (getrandom(&v, sizeof(v), 0) != sizeof(v))
            v = (uint64_t)mono_ms() * 2654435761u + 1;
    return v;
}

static void send_bytes(const uint8_t *buf, size_t len)
{
    if (sendto(sock, buf, len, 0, (struct sockaddr *)&target, sizeof(target)) >= 0)
        sent++;
}

static int build(struct sim *s, const struct hb_key *k, uint64_t boot_id, uint64_t wall,
                 uint8_t *buf)
{
    struct heartbeat hb;
    memset(&hb, 0, sizeof(hb));
    hb.node_id = s->id;
    hb.boot_id = boot_id;
    hb.seq = ++s->seq;
    hb.wall_ms = wall;
    hb.uptime_ms = wall - s->boot_wall;
    hb.cpu_load = (uint16_t)((s->id * 37 + s->seq) % 1000);
    hb.mem_free_kib = 65536 - s->id % 1024;
    hb.app_count = (uint16_t)apps;
    hb.app_listed = (uint8_t)(apps < HB_MAX_APPS ? apps : HB_MAX_APPS);
    for (int i = 0; i < hb.app_listed; i++) {
        snprintf(hb.apps[i].name, sizeof(hb.apps[i].name), "app%d", i);
        hb.apps[i].state = HB_APP_RUNNING;
    }
    return hb_encode(&hb, k, buf, HB_MAX_SIZE);
}

static void beat(struct sim *s)
{
    uint64_t now = wall_ms();
    s->last_len = build(s, &key, s->boot_id, now, s->last);
    if (s->last_len > 0) {
        send_bytes(s->last, (size_t)s->last_len);
        s->last_sent_wall = now;
    }
}

static struct sim *find(long id)
{
    if (id < first_id || id >= (long)first_id + nsims)
        return NULL;
    return &sims[id - first_id];
}

static void reboot(struct sim *s)
{
    s->prev_boot_id = s->boot_id;
    s->boot_id = random64();
    s->seq = 0;
    s->boot_wall = wall_ms();
}

static void command(char *line)
{
    char cmd[32];
    long id = 0, count = 1;
    int n = sscanf(line, "%31s %ld %ld", cmd, &id, &count);
    if (n < 1)
        return;
    if (n < 3)
        count = 1;
    struct sim *s = find(id);
    uint8_t buf[HB_MAX_SIZE];

    if (strcmp(cmd, "quit") == 0) {
        printf("ok bye\n");
        fflush(stdout);
        exit(0);
    } else if (strcmp(cmd, "stats") == 0) {
        printf("ok sent=%llu\n", (unsigned long long)sent);
    } else if (strcmp(cmd, "garbage") == 0) {
        for (long i = 0; i < id; i++) {
            size_t len = 1 + random64() % HB_MAX_SIZE;
            if (getrandom(buf, len, 0) != (ssize_t)len)
                memset(buf, 0x5a, len);
            send_bytes(buf, len);
        }
        printf("ok garbage %ld\n", id);
    } else if (!s) {
        printf("error unknown node or command: %s", line);
    } else if (strcmp(cmd, "stop") == 0) {
        s->running = false;
        printf("ok stop %ld last_sent_ms=%llu\n", id, (unsigned long long)s->last_sent_wall);
    } else if (strcmp(cmd, "start") == 0) {
        s->running = true;
        beat(s);
        printf("ok start %ld\n", id);
    } else if (strcmp(cmd, "reboot") == 0) {
        reboot(s);
        s->running = true;
        beat(s);
        printf("ok reboot %ld boot=%016llx\n", id, (unsigned long long)s->boot_id);
    } else if (strcmp(cmd, "forge") == 0) {
        for (long i = 0; i < count; i++) {
            int len = build(s, &bad_key, s->boot_id, wall_ms(), buf);
            s->seq--;           /* the real node never used this number */
            send_bytes(buf, (size_t)len);
        }
        printf("ok forge %ld %ld\n", id, count);
    } else if (strcmp(cmd, "truncate") == 0) {
        for (long i = 0; i < count; i++) {
            int len = build(s, &key, s->boot_id, wall_ms(), buf);
            send_bytes(buf, (size_t)(random64() % (uint64_t)len));
        }
        printf("ok truncate %ld %ld\n", id, count);
    } else if (strcmp(cmd, "replay") == 0) {
        for (long i = 0; i < count && s->last_len > 0; i++)
            send_bytes(s->last, (size_t)s->last_len);
        printf("ok replay %ld %ld\n", id, count);
    } else if (strcmp(cmd, "oldboot") == 0) {
        if (!s->prev_boot_id) {
            printf("error node %ld has no previous boot (reboot it first)\n", id);
        } else {
            /* Claims to be the old boot, still running: uptime back to the old start. */
            uint64_t saved_wall = s->boot_wall;
            s->boot_wall -= 60000;
            int len = build(s, &key, s->prev_boot_id, wall_ms(), buf);
            s->boot_wall = saved_wall;
            send_bytes(buf, (size_t)len);
            printf("ok oldboot %ld\n", id);
        }
    } else if (strcmp(cmd, "skew") == 0) {
        int len = build(s, &key, s->boot_id, wall_ms() + (uint64_t)count, buf);
        send_bytes(buf, (size_t)len);
        printf("ok skew %ld %ld\n", id, count);
    } else {
        printf("error unknown command: %s", line);
    }
    fflush(stdout);
}

static void usage(void)
{
    fprintf(stderr, "usage: hbgen --target HOST:PORT --key-file F [--nodes N] [--first ID]\n"
                    "             [--hz HZ] [--apps K] [--duration S] [--control]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "target", required_argument, NULL, 't' }, { "key-file", required_argument, NULL, 'k' },
        { "nodes", required_argument, NULL, 'n' },  { "first", required_argument, NULL, 'f' },
        { "hz", required_argument, NULL, 'z' },     { "apps", required_argument, NULL, 'a' },
        { "duration", required_argument, NULL, 'd' }, { "control", no_argument, NULL, 'c' },
        { 0 },
    };
    const char *tgt = NULL, *keyfile = NULL;
    long nodes = 1, hz = 10, duration = 0, v;
    bool control = false;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 't': tgt = optarg; break;
        case 'k': keyfile = optarg; break;
        case 'n': if (!parse_long(optarg, 1, 65535, &nodes)) usage(); break;
        case 'f': if (!parse_long(optarg, 1, 65535, &v)) usage(); first_id = (uint32_t)v; break;
        case 'z': if (!parse_long(optarg, 1, 1000, &hz)) usage(); break;
        case 'a': if (!parse_long(optarg, 0, 100, &v)) usage(); apps = (uint32_t)v; break;
        case 'd': if (!parse_long(optarg, 0, 86400, &duration)) usage(); break;
        case 'c': control = true; break;
        default: usage();
        }
    }
    if (!tgt || !keyfile)
        usage();
    const char *colon = strrchr(tgt, ':');
    char host[64];
    if (!colon || colon - tgt >= (long)sizeof(host))
        usage();
    snprintf(host, sizeof(host), "%.*s", (int)(colon - tgt), tgt);
    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &target.sin_addr) != 1)
        usage();

    char *hex = read_text(keyfile, 1024);
    uint8_t k[HB_KEY_MAX];
    int klen = hex ? hex_decode(hex, k, sizeof(k)) : -1;
    free(hex);
    if (klen < 0 || hb_key_init(&key, k, (size_t)klen) != 0) {
        fprintf(stderr, "hbgen: no usable key in %s\n", keyfile);
        return 1;
    }
    k[0] ^= 0xff;
    hb_key_init(&bad_key, k, (size_t)klen);

    sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int big = 4 << 20;
    setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    nsims = (uint32_t)nodes;
    sims = calloc(nsims, sizeof(*sims));
    for (uint32_t i = 0; i < nsims; i++) {
        sims[i].id = first_id + i;
        sims[i].running = true;
        reboot(&sims[i]);
        sims[i].prev_boot_id = 0;
    }

    /* Heartbeat number k (counting over all nodes) is due at
     * t0 + k / (nodes * hz) seconds; node k % nodes sends it. */
    uint64_t t0 = mono_ms(), slot = 0;
    uint64_t end = duration ? t0 + (uint64_t)duration * 1000 : 0;
    char line[256];
    size_t line_len = 0;
    for (;;) {
        uint64_t now = mono_ms();
        if (end && now >= end)
            break;
        uint64_t due = (now - t0) * (uint64_t)nodes * (uint64_t)hz / 1000;
        while (slot < due) {
            struct sim *s = &sims[slot % nsims];
            if (s->running)
                beat(s);
            slot++;
        }
        struct pollfd p = { .fd = 0, .events = POLLIN };
        int r = poll(&p, control ? 1 : 0, 1);
        if (r > 0) {
            ssize_t n = read(0, line + line_len, sizeof(line) - 1 - line_len);
            if (n <= 0)
                break;              /* controller of the test went away */
            line_len += (size_t)n;
            char *nl;
            while ((nl = memchr(line, '\n', line_len))) {
                *nl = 0;
                char one[300];
                snprintf(one, sizeof(one), "%s\n", line);
                command(one);
                size_t used = (size_t)(nl + 1 - line);
                memmove(line, nl + 1, line_len - used);
                line_len -= used;
            }
            if (line_len == sizeof(line) - 1)
                line_len = 0;
        }
    }
    fprintf(stderr, "hbgen: sent %llu datagrams in %.1f s\n", (unsigned long long)sent,
            (mono_ms() - t0) / 1000.0);
    return 0;
}
