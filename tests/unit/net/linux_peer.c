/*
 * Host-only helper for test_net_linux.py: runs lib/net on a Linux tap
 * device so that the real Linux TCP/IP stack is the peer. Not part of the
 * library (it uses POSIX): the library only sees the port callbacks.
 *
 *   linux_peer TAP OUR_IP PREFIX LINUX_IP SECONDS [LOSS_PERCENT]
 *
 * LOSS_PERCENT drops that share of frames in each direction (at random) to
 * see recovery against Linux on a bad link.
 *
 * Serves TCP echo on port 7 and UDP echo on port 7, answers pings, and one
 * second after start connects to LINUX_IP:8000 to send 2 MiB of a known
 * pattern (the test checks it) and read a 4 MiB reply (checked here).
 * Runs until SIGTERM or SECONDS; then prints "linux_peer: ok ..." and
 * exits 0 when its own checks passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "net/net.h"
#include "net/priv.h"   /* to print connection internals when a check fails */
#include "pus/err.h"

static int tap_fd;
static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static uint64_t p_now(void *c)
{
    (void)c;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
static void p_random(void *c, void *buf, size_t len)
{
    (void)c;
    if (getrandom(buf, len, 0) != (ssize_t)len)
        memset(buf, 0x5a, len);
}
static void *p_malloc(void *c, size_t n) { (void)c; return malloc(n); }
static void p_free(void *c, void *p) { (void)c; free(p); }

static unsigned loss_pct;
static FILE *trace;

/* With LINUX_PEER_TRACE=file: one line per TCP segment to or from port 8000. */
static void trace_seg(const char *dir, const uint8_t *f, size_t len, bool lost)
{
    if (!trace || len < 54 || f[12] != 8 || f[13] != 0 || f[23] != 6)
        return;
    const uint8_t *th = f + 14 + (f[14] & 15) * 4;
    uint16_t sp = (uint16_t)(th[0] << 8 | th[1]), dp = (uint16_t)(th[2] << 8 | th[3]);
    if (sp != 8000 && dp != 8000)
        return;
    uint32_t seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
    uint32_t ack = (uint32_t)th[8] << 24 | (uint32_t)th[9] << 16 | (uint32_t)th[10] << 8 | th[11];
    size_t tot = (size_t)(f[16] << 8 | f[17]);
    size_t dlen = tot - (size_t)(f[14] & 15) * 4 - (size_t)(th[12] >> 4) * 4;
    fprintf(trace, "%.6f %s%s seq %u ack %u len %zu fl %02x win %u\n", p_now(NULL) / 1e9, dir,
            lost ? " LOST" : "", seq, ack, dlen, th[13], (unsigned)(th[14] << 8 | th[15]));
}

static bool lose(void)
{
    return loss_pct && (unsigned)(rand() % 100) < loss_pct;
}

static int p_tx(struct net_netif *nif, const void *frame, size_t len)
{
    (void)nif;
    bool lost = lose();
    trace_seg("tx", frame, len, lost);
    if (lost)
        return 0;
    return write(tap_fd, frame, len) == (ssize_t)len ? 0 : ERR_IO;
}

/* Frames in pieces go out with one writev(): no joining copy. */
static int p_tx_sg(struct net_netif *nif, const struct net_iov *iov, int count)
{
    (void)nif;
    struct iovec v[4];
    size_t len = 0;
    for (int i = 0; i < count && i < 4; i++) {
        v[i].iov_base = (void *)iov[i].base;
        v[i].iov_len = iov[i].len;
        len += iov[i].len;
    }
    if (len >= 54) {
        uint8_t head[64];
        memcpy(head, iov[0].base, iov[0].len < sizeof head ? iov[0].len : sizeof head);
        bool lost = lose();
        trace_seg("tx", head, len, lost);
        if (lost)
            return 0;
    }
    return writev(tap_fd, v, count) == (ssize_t)len ? 0 : ERR_IO;
}

#define MAX_CONN 16
struct echo {
    struct net_sock *s;
    uint8_t buf[65536];
    size_t len;
    bool eof;
};

static uint8_t pattern(size_t i)
{
    return (uint8_t)((i * 2654435761u) >> 13);
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: linux_peer TAP OUR_IP PREFIX LINUX_IP SECONDS [LOSS]\n");
        return 2;
    }
    if (argc == 7)
        loss_pct = (unsigned)atoi(argv[6]);
    srand(1);
    if (getenv("LINUX_PEER_TRACE"))
        trace = fopen(getenv("LINUX_PEER_TRACE"), "w");
    uint32_t me, linux_ip;
    if (net_ip_parse(argv[2], &me) || net_ip_parse(argv[4], &linux_ip))
        return 2;
    tap_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
    if (tap_fd < 0) {
        perror("/dev/net/tun");
        return 3;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, argv[1], IFNAMSIZ - 1);
    if (ioctl(tap_fd, TUNSETIFF, &ifr) < 0) {
        perror("TUNSETIFF");
        return 3;
    }
    struct net_port port = {.now_ns = p_now, .random = p_random, .malloc = p_malloc,
                            .free = p_free};
    struct net_stack *s = net_stack_create(&port, NULL);
    struct net_netif_config nc = {.name = "eth0", .mtu = 1500, .tx = p_tx, .tx_sg = p_tx_sg,
                                  .mac = {0x02, 0, 0, 0, 0x09, 0x02}};
    struct net_netif *nif;
    net_netif_add(s, &nc, &nif);
    net_netif_set_addr(nif, me, (unsigned)atoi(argv[3]), linux_ip, 0);
    net_netif_set_up(nif, true);

    struct net_sock *ls, *us, *client = NULL;
    net_socket(s, NET_SOCK_TCP, &ls);
    net_bind(ls, 0, 7);
    net_listen(ls, 8);
    net_socket(s, NET_SOCK_UDP, &us);
    net_bind(us, 0, 7);
    static struct echo conns[MAX_CONN];
    uint64_t start = p_now(NULL), end = start + (uint64_t)atoi(argv[5]) * 1000000000ull;
    size_t csent = 0, cgot = 0, total_out = 2u << 20, total_in = 4u << 20;
    bool client_done = false, client_bad = false, client_started = false;
    static uint8_t frame[2048], buf[65536];

    signal(SIGTERM, on_term);
    printf("linux_peer: up\n");
    fflush(stdout);
    while (p_now(NULL) < end && !stop) {
        uint64_t now = p_now(NULL), d = net_next_deadline(s);
        int timeout = d == UINT64_MAX ? 10 : d <= now ? 0 : (int)((d - now) / 1000000) + 1;
        if (timeout > 10)
            timeout = 10;
        struct pollfd pfd = {.fd = tap_fd, .events = POLLIN};
        poll(&pfd, 1, timeout);
        ssize_t n;
        while ((n = read(tap_fd, frame, sizeof frame)) > 0) {
            bool lost = lose();
            trace_seg("rx", frame, (size_t)n, lost);
            if (!lost)
                net_input(s, nif, frame, (size_t)n);
        }
        net_poll(s, p_now(NULL));

        struct net_sock *c;
        while (net_accept(ls, &c) == 0) {
            int i = 0;
            while (i < MAX_CONN && conns[i].s)
                i++;
            if (i == MAX_CONN) {
                net_abort(c);
                continue;
            }
            conns[i].s = c;
            conns[i].len = 0;
            conns[i].eof = false;
        }
        for (int i = 0; i < MAX_CONN; i++) {
            struct echo *e = &conns[i];
            if (!e->s)
                continue;
            int r;
            while (!e->eof && e->len < sizeof e->buf &&
                   (r = net_recv(e->s, e->buf + e->len, sizeof e->buf - e->len)) != ERR_WOULD_BLOCK) {
                if (r <= 0) {
                    e->eof = true;
                    break;
                }
                e->len += (size_t)r;
            }
            while (e->len && (r = net_send(e->s, e->buf, e->len)) > 0) {
                memmove(e->buf, e->buf + r, e->len - (size_t)r);
                e->len -= (size_t)r;
            }
            if (e->eof && e->len == 0) {
                net_close(e->s);
                e->s = NULL;
            }
        }
        uint32_t from;
        uint16_t fport;
        int r;
        while ((r = net_recvfrom(us, buf, sizeof buf, &from, &fport)) >= 0)
            net_sendto(us, buf, (size_t)r, from, fport);

        /* our own connection to Linux */
        if (!client_started && now > start + 1000000000ull) {
            client_started = true;
            net_socket(s, NET_SOCK_TCP, &client);
            net_connect(client, linux_ip, 8000);
        }
        if (client && !client_done) {
            while (csent < total_out) {
                size_t m = total_out - csent < sizeof buf ? total_out - csent : sizeof buf;
                for (size_t i = 0; i < m; i++)
                    buf[i] = pattern(csent + i);
                r = net_send(client, buf, m);
                if (r <= 0)
                    break;
                csent += (size_t)r;
            }
            while ((r = net_recv(client, buf, sizeof buf)) > 0) {
                for (int i = 0; i < r; i++)
                    if (buf[i] != pattern(cgot + (size_t)i + 7))
                        client_bad = true;
                cgot += (size_t)r;
            }
            if (r == ERR_CLOSED || (r < 0 && r != ERR_WOULD_BLOCK)) {
                client_done = true;
                if (r != ERR_CLOSED) {
                    fprintf(stderr, "linux_peer: client error %s\n", err_str(r));
                    client_bad = true;
                }
                net_close(client);
            }
        }
    }
    struct net_sock_info info[32];
    size_t ns = net_sock_list(s, info, 32);
    for (size_t i = 0; i < ns && i < 32; i++) {
        char a[16], b[16];
        printf("linux_peer: sock %s %s:%u %s:%u %s rx %u tx %u ",
               info[i].type == NET_SOCK_TCP ? "tcp" : "udp", net_ip_str(info[i].laddr, a),
               info[i].lport, net_ip_str(info[i].raddr, b), info[i].rport,
               info[i].type == NET_SOCK_TCP ? net_tcp_state_name(info[i].state) : "-",
               info[i].rx_queued, info[i].tx_queued);
        for (struct net_sock *k = s->socks; k; k = k->next)
            if (info[i].type == NET_SOCK_TCP && k->type == NET_SOCK_TCP &&
                k->lport == info[i].lport && k->rport == info[i].rport) {
                struct tcp_pcb *t = &k->tcp;
                printf("rcv_nxt %u adv %u space %u ooo %d [%u..%u] snd_una %u nxt %u max %u "
                       "wnd %u cwnd %u",
                       t->rcv_nxt, t->rcv_adv - t->rcv_nxt, t->rbuf.cap - t->rbuf.len, t->n_ooo,
                       t->n_ooo ? t->ooo[0].start - t->rcv_nxt : 0,
                       t->n_ooo ? t->ooo[t->n_ooo - 1].end - t->rcv_nxt : 0, t->snd_una,
                       t->snd_nxt, t->snd_max, t->snd_wnd, t->cwnd);
            }
        printf("\n");
    }
    const struct net_proto_stats *st = net_proto_stats(s);
    printf("linux_peer: %s client sent %zu got %zu; tcp in %llu out %llu retrans %llu; "
           "rto %llu fast %llu; rx errors %llu\n",
           client_done && !client_bad && cgot == total_in ? "ok" : "FAILED", csent, cgot,
           (unsigned long long)st->tcp_in, (unsigned long long)st->tcp_out,
           (unsigned long long)st->tcp_retrans, (unsigned long long)st->tcp_rto,
           (unsigned long long)st->tcp_fast_retrans, (unsigned long long)nif->stats.rx_errors);
    net_stack_destroy(s);
    return client_done && !client_bad && cgot == total_in ? 0 : 1;
}
