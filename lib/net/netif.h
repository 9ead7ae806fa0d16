/*
 * Network interfaces: one Ethernet interface per virtio-net device, plus the
 * loopback interface every stack owns (127.0.0.0/8 never leaves the stack).
 *
 * Addresses are uint32_t in host byte order everywhere in the API:
 * NET_IP4(10,0,2,15) == 0x0a00020f.
 */
#ifndef NET_NETIF_H
#define NET_NETIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/port.h"

#define NET_IP4(a, b, c, d) \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* Receive flags for net_input_ex(). */
/*
 * The device vouches for the TCP/UDP/ICMP checksum, so the stack skips
 * checking it. A virtio-net driver passes this when the header says
 * VIRTIO_NET_HDR_F_DATA_VALID, and also for VIRTIO_NET_HDR_F_NEEDS_CSUM
 * (the host left the checksum field holding only the pseudo-header sum:
 * the data came from the same host and never crossed a wire). Without the
 * flag every checksum is verified in software. The IPv4 header checksum is
 * always verified. The stack never asks for transmit offload: it computes
 * every checksum it sends.
 */
#define NET_RX_CSUM_VALID 0x1u

struct net_if_stats {
    uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped;
    uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
    uint64_t tx_busy;       /* frames the driver had no room for (see net_tx_fn) */
};

struct net_netif;

/*
 * Sends one Ethernet frame (destination MAC first, no FCS). The frame is
 * only valid during the call: copy it. Return 0, or a negative error when the
 * frame was dropped (counted as a tx error).
 *
 * Backpressure: a driver whose transmit queue is full returns
 * ERR_WOULD_BLOCK at once (it must not wait: the caller holds the net lock)
 * and later calls net_netif_tx_ready() when it has room again. A TCP
 * segment refused that way does not count as sent: the connection sends it
 * again from net_netif_tx_ready(), with no retransmission timeout and no
 * change to its congestion state. Other frames (UDP, ICMP, ARP) are
 * dropped, as on a congested wire, and counted in tx_dropped. Every
 * refusal counts in tx_busy.
 */
typedef int (*net_tx_fn)(struct net_netif *netif, const void *frame, size_t len);

struct net_iov {
    const void *base;
    size_t len;
};

/*
 * Optional: sends one frame given as pieces to be concatenated: the headers
 * (Ethernet, IPv4, TCP), then up to two stretches of payload straight out of
 * the socket's send buffer. With it, TCP data is copied only once on its way
 * out, by the driver into its own buffer; without it the stack joins the
 * pieces itself and calls tx. Same rules as tx: the pieces are only valid
 * during the call.
 */
typedef int (*net_tx_sg_fn)(struct net_netif *netif, const struct net_iov *iov, int count);

struct net_netif_config {
    const char *name;       /* "eth0"; at most 7 characters kept */
    uint8_t mac[6];
    uint16_t mtu;           /* IP MTU, normally 1500 */
    net_tx_fn tx;
    net_tx_sg_fn tx_sg;     /* may be NULL */
    void *driver;           /* for the driver's own use */
};

/* Read-only for the caller except `driver`. */
struct net_netif {
    struct net_netif *next;
    struct net_stack *stack;
    char name[8];
    uint8_t mac[6];
    uint16_t mtu;
    bool up;
    bool loopback;
    uint32_t addr, netmask, gateway;   /* 0 when unset */
    uint32_t dns[2];
    net_tx_fn tx;
    net_tx_sg_fn tx_sg;
    void *driver;
    struct net_if_stats stats;
};

/* Adds an Ethernet interface, initially down and without an address. */
int net_netif_add(struct net_stack *stack, const struct net_netif_config *cfg,
                  struct net_netif **out);
/* Brings it up (announcing its address with a gratuitous ARP) or down. */
void net_netif_set_up(struct net_netif *netif, bool up);
/* Static configuration; prefix_len 0..32, gateway and dns may be 0. */
int net_netif_set_addr(struct net_netif *netif, uint32_t addr, unsigned prefix_len,
                       uint32_t gateway, uint32_t dns);
/* Interfaces in order, starting with loopback ("lo"). */
struct net_netif *net_netif_first(struct net_stack *stack);

/*
 * The driver has room again after refusing a frame with ERR_WOULD_BLOCK:
 * TCP connections whose output was refused send what they hold back (under
 * the net lock, like every call). Cheap when nothing waits.
 */
void net_netif_tx_ready(struct net_netif *netif);

/* Feeds one received Ethernet frame (no FCS). The frame stays the caller's. */
void net_input(struct net_stack *stack, struct net_netif *netif,
               const void *frame, size_t len);
void net_input_ex(struct net_stack *stack, struct net_netif *netif,
                  const void *frame, size_t len, unsigned flags);

/* "10.0.2.15" into buf (at least 16 bytes); returns buf. */
char *net_ip_str(uint32_t addr, char *buf);
/* Parses dotted-quad; 0 or ERR_BAD_FORMAT. */
int net_ip_parse(const char *s, uint32_t *out);

#endif
