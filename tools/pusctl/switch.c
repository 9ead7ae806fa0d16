/*
 * `pusctl switch --socket PATH`: a learning Ethernet switch for the nodes'
 * shared segment, so node-to-node traffic never passes through the
 * controller and no root is needed.
 *
 * Each QEMU connects with -netdev stream,server=off,addr.type=unix,
 * addr.path=PATH. On such a stream every Ethernet frame is preceded by its
 * length as a 4-byte big-endian number (QEMU's stream/socket netdev framing,
 * without a virtio-net header).
 *
 * Forwarding: learn source MAC -> port; broadcast, multicast and unknown
 * destinations go to every other port, known ones to their port only.
 * A port that cannot keep up has frames dropped, never half-written: the
 * transmit buffer takes a frame whole or not at all. A peer that sends a
 * length outside 14..65535 has lost framing and is disconnected.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <libgen.h>

#include "cli.h"
#include "runfiles.h"
#include "util.h"

#define MAX_PORTS   256
#define MAX_FRAME   65535
#define TX_LIMIT    (1 << 20)       /* bytes queued per port before drops */
#define MAC_SLOTS   4096
#define MAC_AGE_MS  300000

struct port {
    int fd;                          /* -1: free */
    uint8_t rx[4 + MAX_FRAME];
    size_t rx_len;
    uint8_t *tx;
    size_t tx_len;
    bool want_out;
};

struct mac_entry {
    uint8_t mac[6];
    int port;                        /* -1: empty */
    uint64_t seen;
};

static struct port ports[MAX_PORTS];
static struct mac_entry macs[MAC_SLOTS];
static int epfd, listen_fd;
static uint64_t forwarded, flooded, dropped;

static size_t mac_hash(const uint8_t *m)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 6; i++)
        h = (h ^ m[i]) * 16777619u;
    return h % MAC_SLOTS;
}

static struct mac_entry *mac_lookup(const uint8_t *m, bool create)
{
    size_t i = mac_hash(m);
    struct mac_entry *free_slot = NULL;
    for (int probe = 0; probe < 16; probe++, i = (i + 1) % MAC_SLOTS) {
        struct mac_entry *e = &macs[i];
        if (e->port >= 0 && memcmp(e->mac, m, 6) == 0)
            return e;
        if (e->port < 0 && !free_slot)
            free_slot = e;
    }
    if (!create)
        return NULL;
    if (!free_slot)
        free_slot = &macs[mac_hash(m)];   /* table crowded: replace */
    memcpy(free_slot->mac, m, 6);
    return free_slot;
}

static void port_set_out(int p, bool on)
{
    if (ports[p].want_out == on)
        return;
    ports[p].want_out = on;
    struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.u32 = (uint32_t)p };
    epoll_ctl(epfd, EPOLL_CTL_MOD, ports[p].fd, &ev);
}

static void port_flush(int p)
{
    struct port *pt = &ports[p];
    while (pt->tx_len > 0) {
        ssize_t n = send(pt->fd, pt->tx, pt->tx_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        memmove(pt->tx, pt->tx + n, pt->tx_len - (size_t)n);
        pt->tx_len -= (size_t)n;
    }
    port_set_out(p, pt->tx_len > 0);
}

static void port_send(int p, const uint8_t *frame, size_t len)
{
    struct port *pt = &ports[p];
    if (pt->tx_len + 4 + len > TX_LIMIT) {
        dropped++;
        return;
    }
    uint8_t *q = pt->tx + pt->tx_len;
    q[0] = (uint8_t)(len >> 24); q[1] = (uint8_t)(len >> 16);
    q[2] = (uint8_t)(len >> 8);  q[3] = (uint8_t)len;
    memcpy(q + 4, frame, len);
    pt->tx_len += 4 + len;
    port_flush(p);
}

static void port_close(int p)
{
    log_msg("port %d disconnected", p);
    close(ports[p].fd);
    ports[p].fd = -1;
    free(ports[p].tx);
    ports[p].tx = NULL;
    for (int i = 0; i < MAC_SLOTS; i++)
        if (macs[i].port == p)
            macs[i].port = -1;
}

static void switch_frame(int from, const uint8_t *f, size_t len)
{
    const uint8_t *dst = f, *src = f + 6;
    uint64_t now = mono_ms();
    if (!(src[0] & 1)) {
        struct mac_entry *e = mac_lookup(src, true);
        e->port = from;
        e->seen = now;
    }
    if (!(dst[0] & 1)) {
        struct mac_entry *e = mac_lookup(dst, false);
        if (e && now - e->seen < MAC_AGE_MS && ports[e->port].fd >= 0) {
            if (e->port != from) {
                port_send(e->port, f, len);
                forwarded++;
            }
            return;
        }
    }
    flooded++;
    for (int p = 0; p < MAX_PORTS; p++)
        if (p != from && ports[p].fd >= 0)
            port_send(p, f, len);
}

static void port_read(int p)
{
    struct port *pt = &ports[p];
    ssize_t n = recv(pt->fd, pt->rx + pt->rx_len, sizeof(pt->rx) - pt->rx_len, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        port_close(p);
        return;
    }
    pt->rx_len += (size_t)n;
    size_t off = 0;
    while (pt->rx_len - off >= 4) {
        const uint8_t *h = pt->rx + off;
        uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        if (len < 14 || len > MAX_FRAME) {
            log_msg("port %d: frame length %u out of range; dropping the connection", p, len);
            port_close(p);
            return;
        }
        if (pt->rx_len - off < 4 + len)
            break;
        switch_frame(p, h + 4, len);
        off += 4 + len;
    }
    memmove(pt->rx, pt->rx + off, pt->rx_len - off);
    pt->rx_len -= off;
}

static void accept_port(void)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    for (int p = 0; p < MAX_PORTS; p++) {
        if (ports[p].fd >= 0)
            continue;
        ports[p].fd = fd;
        ports[p].rx_len = ports[p].tx_len = 0;
        ports[p].want_out = false;
        ports[p].tx = malloc(TX_LIMIT);
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)p };
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
        log_msg("port %d connected", p);
        return;
    }
    log_msg("all %d ports in use; refusing a connection", MAX_PORTS);
    close(fd);
}

int cmd_switch(int argc, char **argv)
{
    const char *path;
    int first = parse_one_option(argc, argv, "socket", &path);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    if (!path || first != argc || strlen(path) >= sizeof(a.sun_path)) {
        fprintf(stderr, "usage: pusctl switch --socket PATH (at most %zu bytes)\n",
                sizeof(a.sun_path) - 1);
        return 2;
    }
    char tmp[1024], dir[1024];
    snprintf(tmp, sizeof(tmp), "%s", path);
    snprintf(dir, sizeof(dir), "%s", dirname(tmp));
    if (run_lock(dir, "switch") < 0) {
        fprintf(stderr, "pusctl switch: another switch is running in %s\n", dir);
        return 1;
    }
    for (int p = 0; p < MAX_PORTS; p++)
        ports[p].fd = -1;
    for (int i = 0; i < MAC_SLOTS; i++)
        macs[i].port = -1;

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);

    unlink(path);
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    if (bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(listen_fd, 64) != 0) {
        fprintf(stderr, "pusctl switch: cannot listen on %s: %s\n", path, strerror(errno));
        return 1;
    }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = MAX_PORTS };
    epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev);
    ev.data.u32 = MAX_PORTS + 1;
    epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);
    pid_file_write(dir, "switch", getpid());
    log_msg("switch listening on %s", path);

    for (bool stop = false; !stop;) {
        struct epoll_event evs[64];
        int n = epoll_wait(epfd, evs, 64, -1);
        for (int i = 0; i < n; i++) {
            uint32_t p = evs[i].data.u32;
            if (p == MAX_PORTS) {
                accept_port();
            } else if (p == MAX_PORTS + 1) {
                stop = true;
            } else if (ports[p].fd >= 0) {
                if (evs[i].events & EPOLLOUT)
                    port_flush((int)p);
                if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                    port_read((int)p);
            }
        }
    }
    unlink(path);
    pid_file_remove(dir, "switch");
    log_msg("switch stopped: %llu frames forwarded, %llu flooded, %llu dropped",
            (unsigned long long)forwarded, (unsigned long long)flooded,
            (unsigned long long)dropped);
    return 0;
}
