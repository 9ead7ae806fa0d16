/*
 * virtio-net: an Ethernet interface. Receive buffers are kept posted; each
 * received frame is handed to the registered receiver from the driver's
 * receive thread (never from the interrupt handler), so the network stack
 * runs in thread context. Transmit copies the frame into a driver buffer.
 *
 * Checksums: we negotiate VIRTIO_NET_F_GUEST_CSUM, so frames the host
 * itself sent through a tap may arrive flagged NEEDS_CSUM, their TCP/UDP
 * checksum field holding only the pseudo-header sum (the host saves
 * computing it, we save verifying it). Such frames, and DATA_VALID ones,
 * are handed up with NETDEV_RX_CSUM_VALID: the receiver must not verify
 * (nor forward) their transport checksum. Frames from anywhere else carry
 * complete checksums and no flag. We never ask for transmit offload.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_NET_H
#define DRIVERS_VIRTIO_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETDEV_RX_CSUM_VALID 1u     /* the device vouches for the data (see above) */

struct virtio_net;

typedef void (*netdev_rx_fn)(void *ctx, const uint8_t *frame, size_t len, unsigned flags);

struct virtio_net *virtio_net_get(int n);
int virtio_net_count(void);
void virtio_net_mac(const struct virtio_net *nd, uint8_t mac[6]);
bool virtio_net_link_up(const struct virtio_net *nd);
typedef bool (*netdev_batch_begin_fn)(void *ctx);
typedef void (*netdev_batch_fn)(void *ctx);
/*
 * Optional: called (with the receiver's ctx) before the first and after the
 * last frame of each burst the receive thread hands up, so the receiver
 * can take its lock once per burst. Set before the receiver. When begin
 * returns false the receive thread leaves the frames in the ring and goes
 * back to sleep: the receiver promises to collect them itself with
 * virtio_net_poll() (typically the thread holding its lock, when it lets
 * go), which saves waking the receive thread just to wait for a lock.
 *
 * With the hooks set, a burst that arrives while the whole node idles is
 * handed up from the interrupt handler itself (up to a budget; the thread
 * takes the rest): begin, the receiver and end must then not
 * sleep (thread_interrupted_idle() is true there, and begin may take a
 * mutex only with mutex_try_acquire).
 */
void virtio_net_set_batch(struct virtio_net *nd, netdev_batch_begin_fn begin, netdev_batch_fn end);
/* Hands every received frame waiting in the ring to the receiver, in the
   caller's context (without the batch hooks). Returns how many. */
int virtio_net_poll(struct virtio_net *nd);
/* Wakes the device's receive thread to collect what waits in the ring
   (for a receiver that must not drain a whole ring where it is). */
void virtio_net_rx_wake(struct virtio_net *nd);
/* Set the receiver; frames arriving before that are dropped and counted. */
void virtio_net_set_receiver(struct virtio_net *nd, netdev_rx_fn fn, void *ctx);
/* Queue one Ethernet frame (without FCS). ERR_WOULD_BLOCK when the ring
   is full and timeout passes (a drop, counted in tx_dropped); ERR_TOO_BIG
   over the MTU. */
int virtio_net_send(struct virtio_net *nd, const void *frame, size_t len, int64_t timeout_ns);
/*
 * The same without telling the device yet: queue a burst, then call
 * virtio_net_flush() once (each notification is a trap into the device
 * model, the most expensive step of sending under QEMU).
 *
 * Timeout 0 is backpressure: a full ring returns ERR_WOULD_BLOCK at once
 * (counted in tx_full, not a drop: the caller keeps the frame) and arms
 * the transmit interrupt; when buffers come back the receive thread runs
 * the batch hooks (virtio_net_set_batch), in which, or at any later time,
 * the receiver calls virtio_net_tx_space() and sends again.
 */
int virtio_net_queue(struct virtio_net *nd, const void *frame, size_t len, int64_t timeout_ns);
void virtio_net_flush(struct virtio_net *nd);
/* Reclaims finished transmit buffers; returns how many are free. Once
   positive after a refusal it also turns the transmit interrupt off. */
int virtio_net_tx_space(struct virtio_net *nd);
/* virtio_net_queue() for a frame in pieces (headers, then payload still in
   a socket buffer): copied once, straight into the driver's buffer. */
struct netdev_piece {
    const void *base;
    size_t len;
};
int virtio_net_queue_sg(struct virtio_net *nd, const struct netdev_piece *pieces, int count,
                        int64_t timeout_ns);

struct virtio_net_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
    uint64_t tx_full;               /* frames refused at once: ring full (timeout 0) */
    uint64_t irqs;
    uint64_t rx_irq_batches;        /* bursts handed up in the interrupt handler */
    uint64_t kicks;                 /* queue notifications (traps into the device) */
    uint64_t kick_cycles;           /* cycle counter spent in them */
};
void virtio_net_get_stats(const struct virtio_net *nd, struct virtio_net_stats *out);

#endif
