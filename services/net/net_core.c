/*
 * The kernel's network stack instance: port callbacks, the net lock, the
 * tickless timer thread, and one interface per virtio-net device.
 *
 * Locking: the net lock (net_mutex) guards the whole lib/net stack (and
 * netifs[], which only grows during init). timer_target, tx_pending[] and
 * tx_blocked[] are guarded by it too; rx_deferred is atomic. The
 * stack-event sequence number and its wait queue are guarded by
 * thread_lock (so waiting needs no net lock).
 *
 * A driver receive thread never sleeps on the net lock: when it is held,
 * the thread flags its device in rx_deferred and the holder hands the
 * frames in before it lets go (unlock_and_kick). Device notifications are
 * sent after the lock is released.
 *
 * Transmit backpressure: frames are queued without waiting (timeout 0); a
 * full ring refuses the frame, the device is marked tx_blocked and lib/net
 * holds TCP segments back. Whoever next lets go of the lock with room in
 * that ring calls net_netif_tx_ready(); the driver's receive thread takes
 * the lock for that when the ring's completion interrupt comes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/net/netsvc.h"
#include "arch/riscv/csr.h"
#include "drivers/virtio/virtio_net.h"
#include "kernel/bootargs.h"
#include "kernel/clock.h"
#include "kernel/event.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/mutex.h"
#include "kernel/page.h"
#include "kernel/random.h"
#include "kernel/thread.h"
#include "kernel/timer.h"
#include "pus/err.h"

#define MAX_NETIFS 4

struct netsvc_prof netsvc_prof;
static struct net_stack *stack;

/* The net lock. The receive threads only ever try it (rx_begin). */
static struct mutex net_mutex;
static struct net_netif *netifs[MAX_NETIFS];
static struct virtio_net *devices[MAX_NETIFS];
static int netif_count;

/*
 * The stack's next deadline is a kernel timer whose callback wakes the
 * timer thread. Arming it is cheap (a timer list and a CSR), so a deadline
 * that moves earlier (a ping sent, a retransmission timer started) does
 * not wake the thread just to shorten its sleep: that was a thread
 * wake-up, often an IPI to the other hart, for every ping. timer_target
 * is when the armed timer fires (UINT64_MAX: none armed).
 */
static struct timer stack_timer;
static struct event timer_due;           /* auto-reset: the stack timer fired */
static uint64_t timer_target = UINT64_MAX;

static unsigned stack_seq;               /* guarded by thread_lock */
static struct wait_queue stack_wq;

struct net_stack *netsvc_stack(void) { return stack; }
struct net_netif *netsvc_netif(int n) { return n >= 0 && n < netif_count ? netifs[n] : NULL; }
int netsvc_netif_count(void) { return netif_count; }

struct virtio_net *netsvc_device(const struct net_netif *netif)
{
    for (int i = 0; i < netif_count; i++)
        if (netifs[i] == netif)
            return devices[i];
    return NULL;
}

/* Index of netif in netifs[] (it is always there: only ours get here). */
static int netif_index(const struct net_netif *netif)
{
    int i = 0;
    while (i < netif_count - 1 && netifs[i] != netif)
        i++;
    return i;
}

void net_lock(void)
{
    mutex_acquire(&net_mutex);
}

static bool tx_pending[MAX_NETIFS];     /* frames queued, device not told yet */
static bool tx_blocked[MAX_NETIFS];     /* the ring refused a frame: lib/net waits */

/* Devices whose receive thread found the lock busy and left frames in the
   ring for the lock holder (bit i: devices[i]). */
static unsigned rx_deferred;

/* Which devices have frames queued but not notified (net lock held). */
static unsigned take_tx_pending(void)
{
    unsigned mask = 0;
    for (int i = 0; i < netif_count; i++) {
        if (tx_pending[i]) {
            tx_pending[i] = false;
            mask |= 1u << i;
        }
    }
    return mask;
}

/*
 * Notify the devices (no lock needed): a notification traps into the
 * device model, which under QEMU waits for its global lock, so it is done
 * after the net lock is released rather than while others wait for it.
 */
static void kick_devices(unsigned mask)
{
    for (int i = 0; mask; i++, mask >>= 1)
        if (mask & 1)
            virtio_net_flush(devices[i]);
}

/* Rings that refused frames and have room now: lib/net sends again
   (net lock held; what it sends is notified with the rest). */
static void resume_tx(void)
{
    for (int i = 0; i < netif_count; i++) {
        if (tx_blocked[i] && virtio_net_tx_space(devices[i]) > 0) {
            tx_blocked[i] = false;
            net_netif_tx_ready(netifs[i]);
        }
    }
}

/* Collect frames receive threads left for us (net lock held). */
static void poll_deferred(void)
{
    unsigned mask = __atomic_exchange_n(&rx_deferred, 0, __ATOMIC_SEQ_CST);
    for (int i = 0; mask; i++, mask >>= 1)
        if (mask & 1)
            virtio_net_poll(devices[i]);
}

/* From a device interrupt (receiving there, see virtio_net.c) a whole ring
   is too much work with interrupts off: the receive threads that deferred
   to us are woken instead, and find the lock free once we let go. */
static void wake_deferred(void)
{
    unsigned mask = __atomic_exchange_n(&rx_deferred, 0, __ATOMIC_SEQ_CST);
    for (int i = 0; mask; i++, mask >>= 1)
        if (mask & 1)
            virtio_net_rx_wake(devices[i]);
}

/* Interrupt context: only wake the thread (the stack needs the net lock). */
static void stack_timer_fired(struct timer *t, uint64_t now_ns, void *arg)
{
    (void)t;
    (void)now_ns;
    (void)arg;
    event_signal(&timer_due);
}

/* Release the lock after the library has been called: queue-side work
   that must happen under it, then the notifications outside it. */
static void unlock_and_kick(void)
{
    unsigned kick = 0;
    bool in_interrupt = thread_interrupted_idle();
    for (;;) {
        if (__atomic_load_n(&rx_deferred, __ATOMIC_SEQ_CST) && !in_interrupt)
            poll_deferred();
        resume_tx();
        kick |= take_tx_pending();
        if (stack) {
            uint64_t d = net_next_deadline(stack);
            if (d < timer_target) {
                timer_target = d;
                uint64_t now = clock_now_ns();
                timer_set_oneshot(&stack_timer, d > now ? d - now : 0, stack_timer_fired, NULL);
            }
        }
        /* Not yielding to a waiter here: the frames just queued would
           wait unnotified until this thread ran again. */
        mutex_release_no_yield(&net_mutex);
        /* A receive thread may have deferred to us after our last look;
           it saw the lock held, so it is now up to us. */
        if (!__atomic_load_n(&rx_deferred, __ATOMIC_SEQ_CST))
            break;
        if (in_interrupt) {
            wake_deferred();
            break;
        }
        if (!mutex_try_acquire(&net_mutex))
            break;
    }
    kick_devices(kick);
}

void net_unlock(void)
{
    unlock_and_kick();
}

/* ---- port callbacks (all run under the net lock) ------------------------ */

static uint64_t port_now(void *ctx) { (void)ctx; return clock_now_ns(); }
static void port_random(void *ctx, void *buf, size_t len) { (void)ctx; random_bytes(buf, len); }
static void *port_malloc(void *ctx, size_t n) { (void)ctx; return netsvc_malloc(n); }
static void port_free(void *ctx, void *p) { (void)ctx; netsvc_free(p); }
static void port_event(void *ctx, struct net_sock *sock, unsigned ev) { (void)ctx; ksock_event(sock, ev); }

static void port_stack_event(void *ctx, unsigned ev)
{
    (void)ctx;
    if (ev & NET_SEV_ADDR) {
        for (int i = 0; i < netif_count; i++) {
            char a[16];
            if (netifs[i]->addr)
                log_info("net: %s address %s/%d", netifs[i]->name, net_ip_str(netifs[i]->addr, a),
                         __builtin_popcount(netifs[i]->netmask));
        }
    }
    uint64_t s;
    spin_lock_irqsave(&thread_lock, s);
    stack_seq++;
    wait_queue_wake_all(&stack_wq, false, 0);
    spin_unlock_irqrestore(&thread_lock, s);
}

unsigned netsvc_stack_seq(void)
{
    return __atomic_load_n(&stack_seq, __ATOMIC_ACQUIRE);
}

int netsvc_stack_wait(unsigned seq, int64_t timeout_ns)
{
    uint64_t s;
    int r = 0;
    spin_lock_irqsave(&thread_lock, s);
    if (stack_seq == seq)
        r = wait_queue_block(&stack_wq, timeout_ns);
    spin_unlock_irqrestore(&thread_lock, s);
    return r;
}

/* ---- frames ------------------------------------------------------------- */

/* After queueing into netif's ring: notify at unlock, and remember a
   refusal (the ring was full) so that sending resumes when it has room. */
static void queued(struct net_netif *netif, int r)
{
    int i = netif_index(netif);
    tx_pending[i] = true;
    if (r == ERR_WOULD_BLOCK)
        tx_blocked[i] = true;
}

/* Frames wait in the ring until the net lock is released (one
   notification per burst instead of one per frame). Never waits for room:
   a full ring is ERR_WOULD_BLOCK, backpressure for lib/net. */
static int netif_tx(struct net_netif *netif, const void *frame, size_t len)
{
    uint64_t i0 = rdcycle();
    int r = virtio_net_queue(netif->driver, frame, len, 0);
    queued(netif, r);
    netsvc_prof.tx_frames++;
    netsvc_prof.tx_cycles += rdcycle() - i0;
    return r;
}

/* A TCP segment as headers plus payload still in the socket's send ring:
   the driver copies the pieces straight into its buffer. */
static int netif_tx_sg(struct net_netif *netif, const struct net_iov *iov, int count)
{
    uint64_t i0 = rdcycle();
    struct netdev_piece p[4];
    if (count > 4)
        return ERR_INVALID_ARGS;
    for (int i = 0; i < count; i++)
        p[i] = (struct netdev_piece){ iov[i].base, iov[i].len };
    int r = virtio_net_queue_sg(netif->driver, p, count, 0);
    queued(netif, r);
    netsvc_prof.tx_frames++;
    netsvc_prof.tx_cycles += rdcycle() - i0;
    return r;
}

/*
 * From the driver's receive thread: each burst of frames is handed in
 * under one hold of the net lock (rx_begin ... rx_end). If the lock is
 * busy the thread does not wait for it: the holder collects the frames
 * when it lets go (unlock_and_kick), on whichever hart it runs, instead of
 * waking this thread again just to take the lock. The same goes when the
 * thread woke because the transmit ring has room again: the holder resumes
 * sending (resume_tx) as it lets go.
 */
static bool rx_begin(void *ctx)
{
    if (mutex_try_acquire(&net_mutex))
        return true;
    __atomic_fetch_or(&rx_deferred, 1u << netif_index(ctx), __ATOMIC_SEQ_CST);
    /* the holder may have let go before it could see the flag */
    return mutex_try_acquire(&net_mutex);
}

static void rx_end(void *ctx)
{
    (void)ctx;
    net_unlock();
}

static void netif_rx(void *ctx, const uint8_t *frame, size_t len, unsigned flags)
{
    struct net_netif *netif = ctx;
    uint64_t i0 = rdcycle();
    net_input_ex(stack, netif, frame, len, (flags & NETDEV_RX_CSUM_VALID) ? NET_RX_CSUM_VALID : 0);
    netsvc_prof.rx_frames++;
    netsvc_prof.rx_cycles += rdcycle() - i0;
}

/* ---- timers ------------------------------------------------------------- */

/* Runs the stack's due timers whenever the stack timer fires; unlocking
   arms it again for the next deadline. */
static int timer_thread(void *arg)
{
    (void)arg;
    for (;;) {
        event_wait(&timer_due);
        net_lock();
        uint64_t now = clock_now_ns();
        if (net_next_deadline(stack) <= now)
            net_poll(stack, now);
        timer_target = UINT64_MAX;      /* fired: nothing armed now */
        unlock_and_kick();
    }
    return 0;
}

/* ---- configuration from bootargs ---------------------------------------- */

/* "ip" for eth0, "ip1" for eth1, ... */
static const char *arg_for(const char *base, int n)
{
    static char key[16];
    if (n == 0)
        return bootarg(base);
    snprintf(key, sizeof key, "%s%d", base, n);
    return bootarg(key);
}

static int parse_cidr(const char *s, uint32_t *addr, unsigned *prefix)
{
    char buf[24];
    size_t n = strlen(s);
    if (n >= sizeof buf)
        return ERR_BAD_FORMAT;
    memcpy(buf, s, n + 1);
    char *slash = strchr(buf, '/');
    *prefix = 24;
    if (slash) {
        *slash = 0;
        char *end;
        long p = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1 || p < 0 || p > 32)
            return ERR_BAD_FORMAT;
        *prefix = (unsigned)p;
    }
    return net_ip_parse(buf, addr);
}

enum { CONF_OFF, CONF_DHCP, CONF_STATIC };

/* What bootargs ask for interface n. lib/net runs one DHCP client per
   stack: the first interface that asks for it gets it. Without ip=, eth0
   uses DHCP; without ipN=, ethN uses DHCP if nobody else does (so a node
   with ip=... on eth0 gets DHCP on eth1), else stays unconfigured. */
static int conf_of(int n, bool *dhcp_taken)
{
    const char *ip = arg_for("ip", n);
    if (ip && !strcmp(ip, "off"))
        return CONF_OFF;
    if (ip && strcmp(ip, "dhcp"))
        return CONF_STATIC;
    if (*dhcp_taken) {
        if (ip)
            log_warn("net: eth%d: only one interface can use DHCP", n);
        return CONF_OFF;
    }
    *dhcp_taken = true;
    return CONF_DHCP;
}

static int configure(int n, int conf)
{
    struct net_netif *nif = netifs[n];
    if (conf == CONF_OFF) {
        log_info("net: %s left unconfigured", nif->name);
        return 0;
    }
    if (conf == CONF_DHCP) {
        int r = net_dhcp_start(nif);
        if (r < 0)
            log_warn("net: %s: DHCP failed to start: %s", nif->name, err_str(r));
        else
            log_info("net: %s: DHCP started", nif->name);
        return r;
    }
    const char *ip = arg_for("ip", n);
    uint32_t addr, gw = 0, dns = 0;
    unsigned prefix;
    const char *g = arg_for("gw", n), *d = arg_for("dns", n);
    if (parse_cidr(ip, &addr, &prefix) < 0 || (g && net_ip_parse(g, &gw) < 0) ||
        (d && net_ip_parse(d, &dns) < 0)) {
        log_error("net: %s: bad static configuration ip=%s gw=%s dns=%s", nif->name, ip,
                  g ? g : "-", d ? d : "-");
        return ERR_BAD_FORMAT;
    }
    int r = net_netif_set_addr(nif, addr, prefix, gw, dns);
    if (r == 0) {
        char a[16];
        log_info("net: %s address %s/%u (static)", nif->name, net_ip_str(addr, a), prefix);
    }
    return r;
}

static size_t ram_bytes(void)
{
    return page_ram_size();
}

static int net_service_init(void)
{
    mutex_init(&net_mutex);
    event_init(&timer_due, false, true);
    timer_init(&stack_timer);
    wait_queue_init(&stack_wq);

    struct net_port port = {
        .now_ns = port_now, .random = port_random, .malloc = port_malloc, .free = port_free,
        .event = port_event, .stack_event = port_stack_event,
    };
    struct net_config cfg;
    net_config_default(&cfg);
    /* The stack may use a quarter of RAM (32 MiB on a 128 MiB node): 64
       connections with 128 KiB rings each way take 16 MiB. */
    cfg.mem_limit = ram_bytes() / 4;
    cfg.tcp_rcvbuf = 128u << 10;
    cfg.tcp_sndbuf = 128u << 10;
    if (ram_bytes() <= (32u << 20)) {
        cfg.tcp_rcvbuf = cfg.tcp_sndbuf = 32u << 10;
        cfg.max_sockets = 64;
    }
    /* MACs tell nodes apart (no entropy credited): into the random pool
       before the stack draws its secrets (rand.c used to mix them itself). */
    for (int i = 0; i < virtio_net_count(); i++) {
        uint8_t mac[6];
        virtio_net_mac(virtio_net_get(i), mac);
        random_add_entropy_from("mac", mac, sizeof(mac), 0);
    }
    stack = net_stack_create(&port, &cfg);
    if (!stack)
        return ERR_NO_MEMORY;

    int conf[MAX_NETIFS];
    bool dhcp_taken = false;
    int count = virtio_net_count() < MAX_NETIFS ? virtio_net_count() : MAX_NETIFS;
    for (int i = 0; i < count; i++)
        conf[i] = conf_of(i, &dhcp_taken);
    net_lock();
    /* lib/net sends limited broadcasts (DHCP before it has an address) out
       of the first interface in its list, so the DHCP interface goes in
       first; our names and netifs[] keep the device order. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < count; i++) {
            if ((pass == 0) != (conf[i] == CONF_DHCP))
                continue;
            struct virtio_net *nd = virtio_net_get(i);
            struct net_netif_config nc = { .mtu = 1500, .tx = netif_tx, .tx_sg = netif_tx_sg,
                                            .driver = nd };
            char name[8];
            snprintf(name, sizeof name, "eth%d", i);
            nc.name = name;
            virtio_net_mac(nd, nc.mac);
            struct net_netif *nif;
            int r = net_netif_add(stack, &nc, &nif);
            if (r < 0) {
                log_error("net: eth%d: %s", i, err_str(r));
                mutex_release(&net_mutex);
                return r;
            }
            devices[i] = nd;
            netifs[i] = nif;
        }
    }
    netif_count = count;
    for (int i = 0; i < count; i++) {
        net_netif_set_up(netifs[i], true);
        configure(i, conf[i]);
    }
    unlock_and_kick();

    /* Frames flow only once everything above is in place. */
    for (int i = 0; i < netif_count; i++) {
        virtio_net_set_batch(devices[i], rx_begin, rx_end);
        virtio_net_set_receiver(devices[i], netif_rx, netifs[i]);
    }
    if (!thread_spawn("net-timer", timer_thread, NULL, THREAD_PRIORITY_HIGH, 16 * 1024))
        return ERR_NO_MEMORY;
    if (netif_count == 0)
        log_info("net: no network interface (loopback only)");
    return 0;
}
INIT_HOOK(net_1_stack, INIT_LEVEL_NET, net_service_init);
