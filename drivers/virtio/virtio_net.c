/*
 * virtio-net driver: queue 0 receives, queue 1 transmits. Each buffer starts
 * with the virtio-net header: 10 bytes for legacy devices, 12 for modern
 * ones (num_buffers is always present with VIRTIO_F_VERSION_1).
 */
#include <stdlib.h>
#include <string.h>
#include "drivers/virtio/virtio_net.h"
#include "arch/riscv/csr.h"
#include "drivers/virtio/virtio.h"
#include "kernel/event.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "pus/err.h"

#define VIRTIO_NET_F_GUEST_CSUM 1   /* we accept frames with partial checksums */
#define VIRTIO_NET_F_MAC    5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1

#define VRING_AVAIL_F_NO_INTERRUPT 1   /* driver -> device: no interrupt wanted */
#define VRING_USED_F_NO_NOTIFY 1       /* device -> driver: no kick needed */

#define HDR_F_NEEDS_CSUM 1
#define HDR_F_DATA_VALID 2

#define MAX_NICS 4
#define RX_QUEUE 256
#define RX_IRQ_BUDGET 16            /* frames handed up in one interrupt */
#define TX_QUEUE 256
#define FRAME_MAX 1514              /* Ethernet header + 1500 MTU, no FCS */
#define BUF_SIZE 2048
/* A frame to send starts between TX_FRAME_MIN and TX_FRAME_MIN + 7 bytes
   into its buffer, the device's header right before it (see tx_frame_at). */
#define TX_FRAME_MIN 12
_Static_assert(TX_FRAME_MIN + 7 + FRAME_MAX <= BUF_SIZE, "tx buffer layout");

struct net_hdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers;           /* modern only */
} __attribute__((packed));

struct virtio_net {
    struct virtio_device *dev;
    struct virtqueue rxq, txq;
    size_t hdr_len;
    uint8_t mac[6];
    uint8_t *rx_bufs;               /* RX_QUEUE buffers of BUF_SIZE */
    uint8_t *tx_bufs;               /* TX_QUEUE buffers of BUF_SIZE */
    uint16_t *tx_free;              /* stack of free tx buffer indices */
    int tx_free_count;
    spinlock_t tx_lock;             /* guards tx_free */
    struct event rx_ready;          /* the interrupt saw used rx buffers */
    struct event tx_space;          /* the interrupt saw finished tx buffers */
    netdev_rx_fn receiver;
    void *receiver_ctx;
    netdev_batch_begin_fn batch_begin;
    netdev_batch_fn batch_end;
    int tx_unkicked;                /* frames queued since the last tx kick */
    bool tx_waiting;                /* atomic: a frame found the ring full, the
                                       sender waits for virtio_net_tx_space() */
    struct virtio_net_stats stats;
    int index;
};

static struct virtio_net *nics[MAX_NICS];
static int nic_count;

static uint8_t *tx_frame_at(struct virtio_net *nd, int idx, const struct netdev_piece *pieces,
                            int count);

static int post_rx(struct virtio_net *nd, uint16_t i)
{
    struct virtq_buf b = { nd->rx_bufs + (size_t)i * BUF_SIZE, BUF_SIZE, true };
    return virtq_push(&nd->rxq, &b, 1, (void *)(uintptr_t)(i + 1));
}

/* Kick unless the device said it is already looking at the ring (it sets
   NO_NOTIFY while it works through a burst): each kick is a trap into
   the device model. */
static void kick(struct virtio_net *nd, struct virtqueue *vq)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!(*(volatile uint16_t *)vq->used & VRING_USED_F_NO_NOTIFY)) {
        uint64_t t0 = rdcycle();
        virtq_kick(vq);
        nd->stats.kicks++;
        nd->stats.kick_cycles += rdcycle() - t0;
    }
}

/* Ask for (or stop) interrupts when the device uses buffers of vq. */
static void want_irq(struct virtqueue *vq, bool on)
{
    vq->avail[0] = on ? 0 : VRING_AVAIL_F_NO_INTERRUPT;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static bool used_pending(struct virtqueue *vq)
{
    return *(volatile uint16_t *)(vq->used + 2) != vq->last_used;
}

static void reclaim_tx(struct virtio_net *nd)
{
    void *tok;
    while ((tok = virtq_pop(&nd->txq, NULL)) != NULL) {
        uint64_t s;
        spin_lock_irqsave(&nd->tx_lock, s);
        nd->tx_free[nd->tx_free_count++] = (uint16_t)((uintptr_t)tok - 1);
        spin_unlock_irqrestore(&nd->tx_lock, s);
    }
}

/* Free transmit buffers (reclaimed ones only). */
static int tx_free_now(struct virtio_net *nd)
{
    uint64_t s;
    spin_lock_irqsave(&nd->tx_lock, s);
    int n = nd->tx_free_count;
    spin_unlock_irqrestore(&nd->tx_lock, s);
    return n;
}

/* Hands up to max used receive buffers up and reposts them; returns how
   many. The caller holds whatever the receiver needs (virtio_net_set_batch). */
static int drain_rx(struct virtio_net *nd, int max)
{
    void *tok;
    uint32_t written;
    int reposted = 0;
    netdev_rx_fn receiver = __atomic_load_n(&nd->receiver, __ATOMIC_ACQUIRE);
    while (reposted < max && (tok = virtq_pop(&nd->rxq, &written)) != NULL) {
        uint16_t i = (uint16_t)((uintptr_t)tok - 1);
        uint8_t *buf = nd->rx_bufs + (size_t)i * BUF_SIZE;
        if (written < nd->hdr_len + 14 || written > BUF_SIZE) {
            nd->stats.rx_errors++;
        } else {
            struct net_hdr h;
            memcpy(&h, buf, sizeof(h));
            uint8_t *frame = buf + nd->hdr_len;
            size_t len = written - nd->hdr_len;
            unsigned flags = 0;
            if (h.flags & (HDR_F_DATA_VALID | HDR_F_NEEDS_CSUM))
                flags |= NETDEV_RX_CSUM_VALID;
            nd->stats.rx_packets++;
            nd->stats.rx_bytes += len;
            if (receiver)
                receiver(nd->receiver_ctx, frame, len, flags);
            else
                nd->stats.rx_dropped++;
        }
        post_rx(nd, i);
        reposted++;
    }
    if (reposted)
        kick(nd, &nd->rxq);
    return reposted;
}

/*
 * Drains the ring with interrupts off (a burst costs one interrupt and one
 * wake-up, not one per frame), then turns them back on and looks once
 * more, so a frame that arrived in between is not left waiting.
 */
static int drain_all(struct virtio_net *nd)
{
    int n = 0;
    do {
        want_irq(&nd->rxq, false);
        n += drain_rx(nd, RX_QUEUE);
        want_irq(&nd->rxq, true);
    } while (used_pending(&nd->rxq));
    return n;
}

/*
 * Receiving in the interrupt itself, when it woke an idle hart: a ping
 * or a request then goes up the stack and its answer out without waking
 * the receive thread (the switch there and back, and the interrupt's
 * last device accesses, were a quarter of the guest's share of a ping's
 * round trip). Only when the receiver's lock is free, and only
 * RX_IRQ_BUDGET frames with interrupts off: a longer burst is left to
 * the thread. False when the thread has to be woken.
 */
static bool receive_in_interrupt(struct virtio_net *nd)
{
    if (!thread_interrupted_idle() || !sched_others_idle() || !nd->batch_begin ||
        !__atomic_load_n(&nd->receiver, __ATOMIC_ACQUIRE) ||
        __atomic_load_n(&nd->tx_waiting, __ATOMIC_SEQ_CST))
        return false;   /* a sender waits for room: the thread resumes it */
    if (!used_pending(&nd->rxq))
        return true;    /* a transmit completion nobody waits for */
    if (!nd->batch_begin(nd->receiver_ctx))
        return true;    /* the lock holder collects the frames */
    want_irq(&nd->rxq, false);
    drain_rx(nd, RX_IRQ_BUDGET);
    /* Back on even when frames remain for the thread: it may find the lock
       busy and leave them to the holder, and the holder collects only
       what a device interrupt or the deferral flag tells it about (left
       off, a burst of exactly the budget stopped receiving for good). */
    want_irq(&nd->rxq, true);
    bool done = !used_pending(&nd->rxq);
    nd->batch_end(nd->receiver_ctx);
    nd->stats.rx_irq_batches++;
    return done;
}

#ifdef VIRTIO_NET_REFLECT
/*
 * A benchmark anchor, never in a kernel built by `make` (bench/netnode
 * builds one with -DVIRTIO_NET_REFLECT into its own directory): the
 * interrupt handler answers ICMP echo requests itself, with no stack,
 * from the receive buffer into a transmit buffer. Its ping round trip is
 * QEMU's and the device's alone, the floor for any guest on this host at
 * this moment; the benchmark prints the stack's figure beside it. Other
 * frames (ARP) go to the stack as usual. Returns true if frames remain.
 * Only while the whole node idles and with the receiver's lock held, so
 * that the receive thread is not popping the ring at the same time.
 */
static bool reflect_echo(struct virtio_net *nd)
{
    if (!thread_interrupted_idle() || !nd->batch_begin || !nd->batch_begin(nd->receiver_ctx))
        return true;
    bool sent = false;
    while (used_pending(&nd->rxq)) {
        struct virtqueue *vq = &nd->rxq;
        volatile uint8_t *elem = vq->used + 4 + 8u * (vq->last_used % vq->size);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);   /* index before ring entry */
        uint32_t id = *(volatile uint32_t *)elem, written = *(volatile uint32_t *)(elem + 4);
        if (id >= vq->size || written > nd->hdr_len + FRAME_MAX || written < nd->hdr_len + 42)
            break;
        uint16_t i = (uint16_t)((uintptr_t)vq->tokens[id] - 1);
        uint8_t *f = nd->rx_bufs + (size_t)i * BUF_SIZE + nd->hdr_len;
        size_t len = written - nd->hdr_len, ihl = (size_t)(f[14] & 15) * 4;
        if (f[12] != 8 || f[13] != 0 || f[23] != 1 || ihl < 20 || len < 14 + ihl + 8 ||
            f[14 + ihl] != 8)
            break;
        spin_lock(&nd->tx_lock);   /* interrupts are off in the handler */
        int idx = nd->tx_free_count ? nd->tx_free[--nd->tx_free_count] : -1;
        spin_unlock(&nd->tx_lock);
        if (idx < 0)
            break;
        virtq_pop(vq, NULL);
        uint8_t t[6];
        memcpy(t, f, 6), memcpy(f, f + 6, 6), memcpy(f + 6, t, 6);
        memcpy(t, f + 26, 4), memcpy(f + 26, f + 30, 4), memcpy(f + 30, t, 4);
        uint8_t *m = f + 14 + ihl;
        m[0] = 0;   /* echo reply; checksum adjusted as in RFC 1624 */
        uint32_t sum = (uint16_t)~((m[2] << 8) | m[3]) + (uint16_t)~0x0800u;
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        m[2] = (uint8_t)(~sum >> 8), m[3] = (uint8_t)~sum;
        struct netdev_piece whole = { f, len };
        uint8_t *buf = tx_frame_at(nd, idx, &whole, 1) - nd->hdr_len;
        memset(buf, 0, nd->hdr_len);
        memcpy(buf + nd->hdr_len, f, len);
        struct virtq_buf b = { buf, (uint32_t)(nd->hdr_len + len), false };
        virtq_push(&nd->txq, &b, 1, (void *)(uintptr_t)(idx + 1));
        post_rx(nd, i);
        sent = true;
    }
    if (sent)
        virtq_kick(&nd->txq);
    nd->batch_end(nd->receiver_ctx);
    return used_pending(&nd->rxq);
}
#endif

static void net_isr(struct virtio_device *dev, uint32_t status)
{
    (void)status;
    struct virtio_net *nd = dev->driver_data;
    nd->stats.irqs++;
    event_signal(&nd->tx_space);
#ifdef VIRTIO_NET_REFLECT
    reclaim_tx(nd);
    if (!reflect_echo(nd))
        return;
#endif
    if (!receive_in_interrupt(nd))
        event_signal(&nd->rx_ready);
}

void virtio_net_rx_wake(struct virtio_net *nd)
{
    event_signal(&nd->rx_ready);
}

int virtio_net_poll(struct virtio_net *nd)
{
    return used_pending(&nd->rxq) ? drain_all(nd) : 0;
}

/*
 * The receive thread. It hands each burst up inside the receiver's batch
 * hooks; when the receiver declines (its lock is busy) the frames stay in
 * the ring for the receiver to collect (virtio_net_poll). It also runs the
 * hooks when a sender waits for transmit room and there is some now, even
 * with nothing received, so that the receiver resumes sending
 * (virtio_net_tx_space) when it lets go.
 */
static int rx_thread(void *arg)
{
    struct virtio_net *nd = arg;
    for (;;) {
        event_wait(&nd->rx_ready);
        reclaim_tx(nd);
        if (!__atomic_load_n(&nd->receiver, __ATOMIC_ACQUIRE) || !nd->batch_begin) {
            drain_all(nd);
            continue;
        }
        bool tx_room = __atomic_load_n(&nd->tx_waiting, __ATOMIC_SEQ_CST) && tx_free_now(nd) > 0;
        if ((!used_pending(&nd->rxq) && !tx_room) || !nd->batch_begin(nd->receiver_ctx))
            continue;
        drain_all(nd);
        nd->batch_end(nd->receiver_ctx);
    }
    return 0;
}

/* Tell the device about frames queued since the last kick. */
void virtio_net_flush(struct virtio_net *nd)
{
    if (__atomic_exchange_n(&nd->tx_unkicked, 0, __ATOMIC_ACQ_REL))
        kick(nd, &nd->txq);
}

int virtio_net_send(struct virtio_net *nd, const void *frame, size_t len, int64_t timeout_ns)
{
    int r = virtio_net_queue(nd, frame, len, timeout_ns);
    if (r == 0)
        virtio_net_flush(nd);
    return r;
}

int virtio_net_queue(struct virtio_net *nd, const void *frame, size_t len, int64_t timeout_ns)
{
    struct netdev_piece p = { frame, len };
    return virtio_net_queue_sg(nd, &p, 1, timeout_ns);
}

/*
 * A free transmit buffer's index, waiting up to timeout_ns for one. With
 * timeout 0 a full ring is reported at once (backpressure: the caller
 * holds its stack's lock and must not wait here); the transmit interrupt
 * is then left on, so the completion wakes the receive thread, which has
 * the receiver call virtio_net_tx_space() (see virtio_net_set_batch).
 */
static int take_tx_buffer(struct virtio_net *nd, int64_t timeout_ns)
{
    int idx = -1;
    for (;;) {
        reclaim_tx(nd);
        uint64_t s;
        spin_lock_irqsave(&nd->tx_lock, s);
        if (nd->tx_free_count > 0)
            idx = nd->tx_free[--nd->tx_free_count];
        spin_unlock_irqrestore(&nd->tx_lock, s);
        if (idx >= 0)
            return idx;
        if (timeout_ns == 0) {
            /* what we queued is notified when the caller lets go */
            __atomic_store_n(&nd->tx_waiting, true, __ATOMIC_SEQ_CST);
            want_irq(&nd->txq, true);
            reclaim_tx(nd);   /* anything finished before the interrupt was on */
            if (tx_free_now(nd) == 0) {
                nd->stats.tx_full++;
                return ERR_WOULD_BLOCK;
            }
            __atomic_store_n(&nd->tx_waiting, false, __ATOMIC_SEQ_CST);
            want_irq(&nd->txq, false);
            continue;
        }
        /* Ring full: make sure the device knows about what we queued,
           and only now ask to hear about completions (normally they are
           reclaimed here, on the next send). */
        virtio_net_flush(nd);
        want_irq(&nd->txq, true);
        reclaim_tx(nd);
        spin_lock_irqsave(&nd->tx_lock, s);
        bool got = nd->tx_free_count > 0;
        spin_unlock_irqrestore(&nd->tx_lock, s);
        int r = got ? 0 : event_wait_timeout(&nd->tx_space, timeout_ns);
        want_irq(&nd->txq, false);
        if (r < 0)
            return ERR_WOULD_BLOCK;
    }
}

int virtio_net_tx_space(struct virtio_net *nd)
{
    reclaim_tx(nd);
    int n = tx_free_now(nd);
    if (n > 0 && __atomic_load_n(&nd->tx_waiting, __ATOMIC_SEQ_CST)) {
        __atomic_store_n(&nd->tx_waiting, false, __ATOMIC_SEQ_CST);
        want_irq(&nd->txq, false);   /* back to reclaiming on send */
    }
    return n;
}

/*
 * Where in transmit buffer idx the frame starts: placed so that its
 * largest piece lands at the same offset within an 8-byte word as its
 * source, which lets memcpy copy it a word at a time instead of merging
 * two source words per word (for a TCP segment the payload from the send
 * ring, for a frame built in one piece the frame itself). A fixed place
 * suits one or the other: with the frame at 16 the stack's own frames
 * copied faster and node->host TCP fell from 105-114 to 71-85 MiB/s.
 */
static uint8_t *tx_frame_at(struct virtio_net *nd, int idx, const struct netdev_piece *pieces,
                            int count)
{
    size_t at = 0, big_at = 0, big_len = 0;
    uintptr_t big_src = 0;
    for (int i = 0; i < count; i++) {
        if (pieces[i].len > big_len) {
            big_len = pieces[i].len;
            big_at = at;
            big_src = (uintptr_t)pieces[i].base;
        }
        at += pieces[i].len;
    }
    uintptr_t base = (uintptr_t)nd->tx_bufs + (size_t)idx * BUF_SIZE + TX_FRAME_MIN;
    return (uint8_t *)(base + ((big_src - big_at - base) & 7));
}

int virtio_net_queue_sg(struct virtio_net *nd, const struct netdev_piece *pieces, int count,
                        int64_t timeout_ns)
{
    size_t len = 0;
    for (int i = 0; i < count; i++)
        len += pieces[i].len;
    if (len > FRAME_MAX || len < 14)
        return len < 14 ? ERR_INVALID_ARGS : ERR_TOO_BIG;
    int idx = take_tx_buffer(nd, timeout_ns);
    if (idx < 0) {
        if (timeout_ns != 0)
            nd->stats.tx_dropped++;   /* waited in vain: the frame is lost */
        return idx;
    }
    uint8_t *at = tx_frame_at(nd, idx, pieces, count);
    uint8_t *buf = at - nd->hdr_len;
    memset(buf, 0, nd->hdr_len);
    for (int i = 0; i < count; i++) {
        memcpy(at, pieces[i].base, pieces[i].len);
        at += pieces[i].len;
    }
    struct virtq_buf b = { buf, (uint32_t)(nd->hdr_len + len), false };
    int r = virtq_push(&nd->txq, &b, 1, (void *)(uintptr_t)(idx + 1));
    if (r < 0) {
        uint64_t s;
        spin_lock_irqsave(&nd->tx_lock, s);
        nd->tx_free[nd->tx_free_count++] = (uint16_t)idx;
        spin_unlock_irqrestore(&nd->tx_lock, s);
        nd->stats.tx_errors++;
        return r;
    }
    __atomic_store_n(&nd->tx_unkicked, 1, __ATOMIC_RELEASE);
    nd->stats.tx_packets++;
    nd->stats.tx_bytes += len;
    return 0;
}

void virtio_net_set_batch(struct virtio_net *nd, netdev_batch_begin_fn begin, netdev_batch_fn end)
{
    nd->batch_begin = begin;
    nd->batch_end = end;
}

void virtio_net_set_receiver(struct virtio_net *nd, netdev_rx_fn fn, void *ctx)
{
    nd->receiver_ctx = ctx;
    __atomic_store_n(&nd->receiver, fn, __ATOMIC_RELEASE);
}

struct virtio_net *virtio_net_get(int n) { return n >= 0 && n < nic_count ? nics[n] : NULL; }
int virtio_net_count(void) { return nic_count; }
void virtio_net_mac(const struct virtio_net *nd, uint8_t mac[6]) { memcpy(mac, nd->mac, 6); }

bool virtio_net_link_up(const struct virtio_net *nd)
{
    if (!virtio_has(nd->dev, VIRTIO_NET_F_STATUS))
        return true;
    return virtio_config_read16(nd->dev, 6) & VIRTIO_NET_S_LINK_UP;
}

void virtio_net_get_stats(const struct virtio_net *nd, struct virtio_net_stats *out)
{
    *out = nd->stats;
}

static int probe_one(struct virtio_device *dev)
{
    struct virtio_net *nd = calloc(1, sizeof(*nd));
    if (!nd)
        return ERR_NO_MEMORY;
    int r = virtio_begin(dev, (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS) |
                              (1ull << VIRTIO_NET_F_GUEST_CSUM));
    if (r < 0)
        goto fail;
    nd->dev = dev;
    nd->index = nic_count;
    dev->driver_data = nd;
    nd->hdr_len = dev->version == 2 ? 12 : 10;
    if (virtio_has(dev, VIRTIO_NET_F_MAC)) {
        for (int i = 0; i < 6; i++)
            nd->mac[i] = virtio_config_read8(dev, (size_t)i);
    } else {
        /* Locally administered address from the slot number. */
        uint8_t mac[6] = { 0x02, 0x50, 0x55, 0x53, 0x00, (uint8_t)dev->slot };
        memcpy(nd->mac, mac, 6);
    }
    spin_init(&nd->tx_lock);
    event_init(&nd->rx_ready, false, true);
    event_init(&nd->tx_space, false, true);
    nd->rx_bufs = malloc((size_t)RX_QUEUE * BUF_SIZE);
    nd->tx_bufs = malloc((size_t)TX_QUEUE * BUF_SIZE);
    nd->tx_free = malloc(TX_QUEUE * sizeof(uint16_t));
    r = ERR_NO_MEMORY;
    if (!nd->rx_bufs || !nd->tx_bufs || !nd->tx_free)
        goto fail;
    if ((r = virtq_init(&nd->rxq, dev, 0, RX_QUEUE)) < 0 || (r = virtq_init(&nd->txq, dev, 1, TX_QUEUE)) < 0)
        goto fail;
    for (uint16_t i = 0; i < nd->txq.size; i++)
        nd->tx_free[nd->tx_free_count++] = i;
    for (uint16_t i = 0; i < nd->rxq.size; i++)
        post_rx(nd, i);
    want_irq(&nd->txq, false);      /* completions are reclaimed on send */
    dev->isr = net_isr;
    if ((r = virtio_enable_irq(dev)) < 0)
        goto fail;
    virtio_finish(dev);
    virtq_kick(&nd->rxq);
    if (!thread_spawn("virtio-net-rx", rx_thread, nd, THREAD_PRIORITY_HIGH, 32 * 1024)) {
        r = ERR_NO_MEMORY;
        goto fail;
    }
    nics[nic_count++] = nd;
    log_info("virtio-net%d: mac %02x:%02x:%02x:%02x:%02x:%02x, link %s, virtio-mmio v%u, irq %u",
             nd->index, nd->mac[0], nd->mac[1], nd->mac[2], nd->mac[3], nd->mac[4], nd->mac[5],
             virtio_net_link_up(nd) ? "up" : "down", dev->version, dev->irq);
    return 0;
fail:
    virtio_fail(dev);
    free(nd->rx_bufs);
    free(nd->tx_bufs);
    free(nd->tx_free);
    free(nd);
    return r;
}

static int virtio_net_init(void)
{
    struct virtio_device *dev;
    while (nic_count < MAX_NICS && (dev = virtio_find(VIRTIO_DEV_NET, 0)) != NULL) {
        int r = probe_one(dev);
        if (r < 0)
            log_warn("virtio-net: device in slot %d failed: %s", dev->slot, err_str(r));
    }
    return 0;
}
INIT_HOOK(virtio_net, INIT_LEVEL_DRIVERS, virtio_net_init);
