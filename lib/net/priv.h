/*
 * Internal definitions shared by the files of lib/net. Not for users.
 *
 * Locking: none. The whole stack is owned by whoever holds the caller's net
 * lock; every structure below is guarded by it.
 */
#ifndef NET_PRIV_H
#define NET_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pus/err.h"
#include "net/net.h"
#include "net/bytes.h"
#include "net/csum.h"

#define ETH_HLEN      14
#define ETH_P_IP      0x0800
#define ETH_P_ARP     0x0806
#define IP_HLEN       20
#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP  6
#define IP_PROTO_UDP  17
#define TCP_HLEN      20
#define UDP_HLEN      8
#define NET_MTU_MAX   1500
#define NET_FRAME_MAX (ETH_HLEN + NET_MTU_MAX)
/* Where a transport header starts in stack->txbuf. */
#define L4_OFF        (ETH_HLEN + IP_HLEN)

#define NS_PER_MS     1000000ull
#define NS_PER_S      1000000000ull
#define NEVER         UINT64_MAX

/* ---- sequence arithmetic (RFC 9293 3.4: modulo 2^32) ---- */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

static inline uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint32_t max32(uint32_t a, uint32_t b) { return a > b ? a : b; }

/* ---- byte ring used for TCP send and receive buffers ---- */
struct ring {
    uint8_t *buf;
    uint32_t cap;      /* bytes allocated */
    uint32_t head;     /* offset of the first byte */
    uint32_t len;      /* bytes held from head */
};

/* Out-of-order data already stored in the receive ring, as sequence ranges. */
#define TCP_OOO_MAX 16
struct seq_range { uint32_t start, end; };

struct tcp_pcb {
    int state;
    uint32_t iss, irs;
    /* send side */
    uint32_t snd_una, snd_nxt, snd_max;
    uint32_t snd_wnd, snd_wl1, snd_wl2, max_snd_wnd;
    uint32_t sbuf_seq;         /* sequence number of sbuf's first byte */
    struct ring sbuf;
    bool fin_queued;           /* our FIN follows the last byte in sbuf */
    uint16_t mss;              /* what we may send per segment */
    uint8_t snd_wscale, rcv_wscale;
    bool wscale_ok;
    bool sack_ok;              /* peer takes SACK blocks (RFC 2018) */
    uint32_t last_ooo;         /* start of the latest out-of-order arrival */
    uint32_t sack_high;        /* highest sequence the peer SACKed to us */
    /* receive side */
    uint32_t rcv_nxt, rcv_adv; /* rcv_adv: right edge we advertised */
    struct ring rbuf;
    struct seq_range ooo[TCP_OOO_MAX];
    int n_ooo;
    bool fin_rcvd;
    /* round-trip estimate (RFC 6298), nanoseconds */
    uint64_t srtt, rttvar, rto;
    bool rtt_timing;
    uint32_t rtt_seq;
    uint64_t rtt_start;
    /* timers: absolute deadlines, NEVER when off */
    uint64_t t_rexmt, t_persist, t_keep, t_delack, t_2msl;
    unsigned rexmt_count, persist_backoff, keep_sent;
    /* congestion control (RFC 5681 / 6582) */
    uint32_t cwnd, ssthresh, recover;
    unsigned dupacks;
    bool in_recovery;
    /* behaviour */
    bool nodelay, keepalive;
    bool ack_now;              /* send an ACK at the end of input */
    /*
     * The interface refused a segment for lack of room (backpressure):
     * nothing about it counts as sent; net_netif_tx_ready() runs output
     * again. rexmt_owed: the refused one was a fast retransmission.
     */
    bool tx_stalled, rexmt_owed;
    unsigned unacked_segs;     /* full segments received since our last ACK */
    uint64_t keep_idle, keep_intvl;
    unsigned keep_cnt;
    uint32_t rcvbuf_size, sndbuf_size;
    uint64_t last_rx;
    /* listening socket: embryonic + completed children */
    struct net_sock *parent;
    struct net_sock *acceptq, *acceptq_tail, *next_accept;
    int backlog, n_children;
    bool accepted;             /* child handed to the user */
};

struct udp_dgram {
    struct udp_dgram *next;
    uint32_t addr;
    uint16_t port;
    uint16_t len;
    uint8_t data[];
};

struct udp_pcb {
    struct udp_dgram *head, *tail;
    uint32_t queued, limit;
};

struct net_sock {
    struct net_sock *next;     /* stack->socks */
    struct net_stack *stack;
    int type;
    uint32_t laddr, raddr;
    uint16_t lport, rport;
    bool bound;
    bool orphan;               /* the user closed the handle */
    bool rd_shut;
    int err;                   /* pending error for the user */
    int dead_err;              /* sticky: why the connection ended */
    void *user;
    struct tcp_pcb tcp;
    struct udp_pcb udp;
};

/* A frame waiting in the loopback queue or behind an ARP resolution. */
struct pkt {
    struct pkt *next;
    struct net_netif *netif;
    uint32_t len;
    uint8_t data[];
};

#define ARP_FREE 0
struct arp_entry {
    int state;                 /* ARP_FREE or NET_ARP_* */
    uint32_t addr;
    uint8_t mac[6];
    struct net_netif *netif;
    uint64_t updated;          /* last confirmation */
    uint64_t deadline;         /* next retry / expiry */
    unsigned tries;
    struct pkt *queue;         /* frames waiting for the answer */
    unsigned queued;
};
#define ARP_QUEUE_MAX 8

struct frag_buf {
    struct frag_buf *next;
    uint32_t src, dst;
    uint16_t id;
    uint8_t proto;
    uint64_t deadline;
    uint8_t *data;             /* payload, grown as fragments arrive */
    uint32_t size;             /* bytes allocated */
    uint32_t total;            /* payload length once the last fragment came */
    uint8_t hdr[IP_HLEN];      /* header of the first fragment */
    uint8_t *have;             /* bitmap of 8-byte blocks received */
};

#define PING_MAX 8
struct ping {
    bool used;
    int result;                /* ERR_WOULD_BLOCK while waiting */
    uint16_t id, seq;
    uint32_t dst;
    uint64_t sent, deadline, rtt;
};

struct dhcp_client;
struct dns_state;

/* A token bucket: at most `burst` events, refilled at `per_sec`. */
struct rate {
    uint32_t per_sec, burst, tokens;
    uint64_t last;
};

struct net_stack {
    struct net_port port;
    struct net_config cfg;
    uint64_t now;
    size_t mem_used;
    struct net_netif lo;
    struct net_netif *netifs;  /* lo first */
    struct arp_entry *arp;
    unsigned arp_top;          /* entries at and above this index are free */
    struct frag_buf *frags;
    unsigned n_frags;
    size_t frag_mem;
    struct net_sock *socks;
    unsigned n_socks;
    struct pkt *lo_head, *lo_tail;
    int depth;                 /* nesting of public calls */
    uint32_t secret[4];        /* for initial sequence numbers */
    uint16_t next_port;
    uint16_t ip_id;
    uint16_t ping_seq;
    struct ping pings[PING_MAX];
    struct dhcp_client *dhcp;
    struct dns_state *dns;
    struct net_proto_stats stats;
    /*
     * Payload that follows the headers built in txbuf, still in a send
     * ring (at most two pieces): set by TCP around one ip_output() call.
     */
    struct net_iov tx_tail[2];
    size_t tx_tail_off;          /* where in txbuf the payload belongs */
    /*
     * Set by TCP around ip_output() for segments it can send again later:
     * a frame the driver refuses (ERR_WOULD_BLOCK) is then reported back
     * instead of dropped. tx_refused_by: the interface that last refused
     * a frame (net_netif_tx_ready() stops resuming once its own interface
     * is full again, not when another one is).
     */
    bool tx_may_block;
    struct net_netif *tx_refused_by;
    struct rate icmp_rate;       /* ICMP errors we send */
    struct rate challenge_rate;  /* RFC 5961 challenge ACKs */
    uint8_t txbuf[NET_FRAME_MAX] __attribute__((aligned(8)));
};

/* stack.c */
void *net_alloc(struct net_stack *s, size_t size);
void net_free(struct net_stack *s, void *p, size_t size);
void net_enter(struct net_stack *s);
void net_leave(struct net_stack *s);
uint64_t net_now(struct net_stack *s);
uint32_t net_random32(struct net_stack *s);
void net_sock_event(struct net_sock *sk, unsigned events);
void net_stack_event(struct net_stack *s, unsigned events);
void net_loopback_queue(struct net_stack *s, const uint8_t *ip, size_t len);
bool net_rate_ok(struct net_stack *s, struct rate *r);

/* eth.c */
void net_tx_linearize(struct net_stack *s);
void eth_input(struct net_stack *s, struct net_netif *nif, const uint8_t *f, size_t len,
               unsigned flags);
int eth_output(struct net_stack *s, struct net_netif *nif, const uint8_t dst[6],
               uint16_t type, uint8_t *frame, size_t len);
extern const uint8_t eth_broadcast[6];

/* arp.c */
int arp_init(struct net_stack *s);
void arp_free_all(struct net_stack *s);
void arp_input(struct net_stack *s, struct net_netif *nif, const uint8_t *p, size_t len);
int arp_output(struct net_stack *s, struct net_netif *nif, uint32_t nexthop,
               uint8_t *frame, size_t len);
void arp_announce(struct net_stack *s, struct net_netif *nif);
void arp_probe(struct net_stack *s, struct net_netif *nif, uint32_t addr);
void arp_poll(struct net_stack *s, uint64_t now);
uint64_t arp_deadline(struct net_stack *s);
void arp_flush_netif(struct net_stack *s, struct net_netif *nif);

/* ipv4.c */
#define IP_ANY 0u
#define IP_BROADCAST 0xffffffffu
int ip_route(struct net_stack *s, uint32_t dst, struct net_netif **nif,
             uint32_t *src, uint32_t *nexthop);
bool ip_is_local(struct net_stack *s, uint32_t addr);
/* Sends the L4 message at s->txbuf + L4_OFF (l4len bytes). */
int ip_output(struct net_stack *s, uint32_t src, uint32_t dst, uint8_t proto,
              size_t l4len);
void ip_input(struct net_stack *s, struct net_netif *nif, const uint8_t *p, size_t len,
              unsigned flags);
void ip_deliver(struct net_stack *s, struct net_netif *nif, const uint8_t *ip,
                const uint8_t *l4, size_t l4len, unsigned flags);

/* ip_frag.c */
void frag_input(struct net_stack *s, struct net_netif *nif, const uint8_t *p, size_t len,
                unsigned flags);
void frag_poll(struct net_stack *s, uint64_t now);
uint64_t frag_deadline(struct net_stack *s);
void frag_free_all(struct net_stack *s);

/* icmp.c */
void icmp_input(struct net_stack *s, struct net_netif *nif, const uint8_t *ip,
                const uint8_t *p, size_t len, unsigned flags);
void icmp_unreachable(struct net_stack *s, const uint8_t *ip, const uint8_t *l4,
                      size_t l4len, uint8_t code);
void ping_poll(struct net_stack *s, uint64_t now);
uint64_t ping_deadline(struct net_stack *s);

/* udp.c */
void udp_input(struct net_stack *s, struct net_netif *nif, const uint8_t *ip,
               const uint8_t *p, size_t len, unsigned flags);
int udp_send_raw(struct net_stack *s, uint32_t src, uint16_t sport, uint32_t dst,
                 uint16_t dport, const void *data, size_t len);
void udp_flush(struct net_sock *sk);
void udp_icmp_error(struct net_stack *s, const uint8_t *inner, size_t len, int err);

/* sock.c */
struct net_sock *sock_new(struct net_stack *s, int type);
void sock_free(struct net_sock *sk);
bool port_in_use(struct net_stack *s, int type, uint32_t addr, uint16_t port,
                 bool for_listen);
uint16_t port_ephemeral(struct net_stack *s, int type);

/* tcp*.c */
void tcp_input(struct net_stack *s, struct net_netif *nif, const uint8_t *ip,
               const uint8_t *p, size_t len, unsigned flags);
void tcp_poll(struct net_stack *s, uint64_t now);
uint64_t tcp_deadline(struct net_stack *s);
void tcp_icmp_error(struct net_stack *s, const uint8_t *inner, size_t len, int err);
void tcp_arp_failed(struct net_stack *s, uint32_t nexthop);
void tcp_free_buffers(struct net_sock *sk);
void tcp_tx_resume(struct net_sock *sk);

/* dhcp.c / dns.c */
bool dhcp_input(struct net_stack *s, struct net_netif *nif, const uint8_t *ip,
                const uint8_t *udp, size_t len);
void dhcp_poll(struct net_stack *s, uint64_t now);
uint64_t dhcp_deadline(struct net_stack *s);
void dhcp_free(struct net_stack *s);
void dhcp_arp_seen(struct net_stack *s, struct net_netif *nif, uint32_t addr,
                   const uint8_t mac[6]);
bool dns_input(struct net_stack *s, const uint8_t *ip, const uint8_t *udp, size_t len);
void dns_poll(struct net_stack *s, uint64_t now);
uint64_t dns_deadline(struct net_stack *s);
void dns_free(struct net_stack *s);

#endif
