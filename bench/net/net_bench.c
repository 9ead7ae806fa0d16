/*
 * In-process throughput of lib/net: two stacks joined by a perfect link
 * (a FIFO of frames, virtual clock), one TCP connection moving data from A
 * to B. It measures the CPU cost of the stack itself; the node's real
 * figure (virtio-net under QEMU) comes later. Anchors, measured in the same
 * run: memcpy over the same bytes, and the checksum routine alone.
 *
 * Output: one line per figure, "name value unit [anchor ...]".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/net.h"
#include "net/csum.h"

struct frame {
    struct frame *next;
    int to;
    size_t len;
    uint8_t data[];
};

static struct frame *head, *tail;
static uint64_t vclock = 1000000000ull;
static struct net_stack *stacks[2];
static struct net_netif *nifs[2];

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t b_now(void *c) { (void)c; return vclock; }
static void b_random(void *c, void *buf, size_t len)
{
    (void)c;
    static uint32_t x = 7;
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
}
static void *b_malloc(void *c, size_t n) { (void)c; return malloc(n); }
static void b_free(void *c, void *p) { (void)c; free(p); }

static int b_tx(struct net_netif *nif, const void *data, size_t len)
{
    struct frame *f = malloc(sizeof *f + len);
    f->next = NULL;
    f->to = nif == nifs[0] ? 1 : 0;
    f->len = len;
    memcpy(f->data, data, len);
    if (tail)
        tail->next = f;
    else
        head = f;
    tail = f;
    return 0;
}

static int b_tx_sg(struct net_netif *nif, const struct net_iov *iov, int count)
{
    /* what a virtio-net driver does: gather the pieces into its buffer */
    size_t len = 0;
    for (int i = 0; i < count; i++)
        len += iov[i].len;
    struct frame *f = malloc(sizeof *f + len);
    f->next = NULL;
    f->to = nif == nifs[0] ? 1 : 0;
    f->len = len;
    size_t off = 0;
    for (int i = 0; i < count; i++) {
        memcpy(f->data + off, iov[i].base, iov[i].len);
        off += iov[i].len;
    }
    if (tail)
        tail->next = f;
    else
        head = f;
    tail = f;
    return 0;
}

static void pump(void)
{
    while (head) {
        struct frame *f = head;
        head = f->next;
        if (!head)
            tail = NULL;
        net_input(stacks[f->to], nifs[f->to], f->data, f->len);
        free(f);
    }
    for (int i = 0; i < 2; i++)
        if (net_next_deadline(stacks[i]) <= vclock)
            net_poll(stacks[i], vclock);
}

static void idle_step(void)
{
    uint64_t d = net_next_deadline(stacks[0]);
    uint64_t d2 = net_next_deadline(stacks[1]);
    if (d2 < d)
        d = d2;
    vclock = d == UINT64_MAX ? vclock + 1000000 : d;
    for (int i = 0; i < 2; i++)
        net_poll(stacks[i], vclock);
}

static double bench_tcp(size_t total, uint32_t bufsize, int nodelay, int sg)
{
    struct net_port port = {.now_ns = b_now, .random = b_random, .malloc = b_malloc,
                            .free = b_free};
    struct net_config cfg;
    net_config_default(&cfg);
    cfg.tcp_rcvbuf = cfg.tcp_sndbuf = bufsize;
    for (int i = 0; i < 2; i++) {
        stacks[i] = net_stack_create(&port, &cfg);
        struct net_netif_config nc = {.name = "eth0", .mtu = 1500, .tx = b_tx,
                                      .tx_sg = sg ? b_tx_sg : NULL};
        uint8_t mac[6] = {2, 0, 0, 0, 0, (uint8_t)(i + 1)};
        memcpy(nc.mac, mac, 6);
        net_netif_add(stacks[i], &nc, &nifs[i]);
        net_netif_set_addr(nifs[i], NET_IP4(10, 0, 0, i + 1), 24, 0, 0);
        net_netif_set_up(nifs[i], 1);
    }
    struct net_sock *ls, *a, *b = NULL;
    net_socket(stacks[1], NET_SOCK_TCP, &ls);
    net_bind(ls, 0, 5001);
    net_listen(ls, 1);
    net_socket(stacks[0], NET_SOCK_TCP, &a);
    net_sock_setopt(a, NET_OPT_NODELAY, (uint32_t)nodelay);
    net_connect(a, NET_IP4(10, 0, 0, 2), 5001);
    while (net_accept(ls, &b) != 0) {
        pump();
        idle_step();
    }
    static uint8_t src[65536], dst[65536];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)i;
    size_t sent = 0, got = 0;
    double t0 = wall();
    while (got < total) {
        int progress = 0;
        while (sent < total) {
            size_t n = total - sent < sizeof src ? total - sent : sizeof src;
            int r = net_send(a, src, n);
            if (r <= 0)
                break;
            sent += (size_t)r;
            progress = 1;
        }
        pump();
        int r;
        while ((r = net_recv(b, dst, sizeof dst)) > 0) {
            got += (size_t)r;
            progress = 1;
        }
        pump();
        if (!progress && !head)
            idle_step();
    }
    double t = wall() - t0;
    net_close(a);
    net_close(b);
    net_close(ls);
    for (int i = 0; i < 2; i++)
        net_stack_destroy(stacks[i]);
    return total / t / (1 << 20);
}

static double bench_memcpy(size_t total)
{
    static uint8_t a[65536], b[65536];
    memset(a, 1, sizeof a);
    double t0 = wall();
    for (size_t done = 0; done < total; done += sizeof a) {
        memcpy(b, a, sizeof a);
        __asm__ volatile("" : : "r"(b) : "memory");
    }
    return total / (wall() - t0) / (1 << 20);
}

static double bench_csum(size_t total, int naive)
{
    static uint8_t a[1460];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = (uint8_t)(i * 31);
    volatile uint32_t sink = 0;
    double t0 = wall();
    for (size_t done = 0; done < total; done += sizeof a) {
        if (naive) {
            uint32_t s = 0;
            for (size_t i = 0; i < sizeof a; i += 2)
                s += (uint32_t)(a[i] << 8 | a[i + 1]);
            sink += s;
        } else {
            sink += csum_add(0, a, sizeof a);
        }
        __asm__ volatile("" : : "r"(a) : "memory");
    }
    (void)sink;
    return total / (wall() - t0) / (1 << 20);
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 256;
    size_t total = mib << 20;
    bench_tcp(total / 16, 256u << 10, 0, 1);   /* warm up caches and the allocator */
    double tcp = bench_tcp(total, 256u << 10, 0, 1);
    double tcp_flat = bench_tcp(total, 256u << 10, 0, 0);
    double tcp_small = bench_tcp(total / 4, 16u << 10, 1, 1);
    double mc = bench_memcpy(total * 4);
    double cs = bench_csum(total, 0);
    double cn = bench_csum(total / 4, 1);
    printf("tcp_stream_256k   %8.1f MiB/s  (memcpy anchor %.0f MiB/s, ratio %.3f)\n", tcp, mc,
           tcp / mc);
    printf("tcp_stream_flat   %8.1f MiB/s  (driver without tx_sg: one more copy)\n", tcp_flat);
    printf("tcp_stream_16k    %8.1f MiB/s  (nodelay, small buffers)\n", tcp_small);
    printf("csum_8byte        %8.1f MiB/s  (byte-pair reference %.1f MiB/s, speedup %.1fx)\n", cs,
           cn, cs / cn);
    return 0;
}
