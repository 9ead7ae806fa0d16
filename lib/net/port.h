/*
 * What the network library needs from its host, and how it is tuned.
 *
 * The library is single-threaded and never blocks: the caller serializes
 * every call into one stack (the kernel holds one "net lock" around all of
 * them) and drives it with net_input() for each received frame and
 * net_poll() when net_next_deadline() says a timer is due.
 */
#ifndef NET_PORT_H
#define NET_PORT_H

#include <stddef.h>
#include <stdint.h>

struct net_stack;
struct net_sock;

/* Socket events, passed to port.event and returned by net_sock_poll(). */
#define NET_EV_READABLE  0x01u  /* data, end of stream or an error to read */
#define NET_EV_WRITABLE  0x02u  /* send buffer has room / connect finished */
#define NET_EV_ERROR     0x04u  /* a pending error (reset, refused, timeout) */
#define NET_EV_ACCEPT    0x08u  /* a listening socket has a connection */
#define NET_EV_HUP       0x10u  /* peer finished sending (FIN) or socket dead */

/* Stack-wide events, passed to port.stack_event. */
#define NET_SEV_DNS      0x01u  /* a DNS lookup finished (ok or failed) */
#define NET_SEV_PING     0x02u  /* an echo reply arrived or a ping timed out */
#define NET_SEV_ADDR     0x04u  /* an interface address changed (DHCP) */

struct net_port {
    void *ctx;                                 /* passed back to every hook */
    uint64_t (*now_ns)(void *ctx);             /* monotonic clock */
    void (*random)(void *ctx, void *buf, size_t len);
    void *(*malloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr);
    /*
     * Something happened on a socket (events is a NET_EV_* mask of what may
     * have changed). Called with the net lock held, from inside a library
     * call: it must only wake waiters, never call back into the stack.
     * Optional.
     */
    void (*event)(void *ctx, struct net_sock *sock, unsigned events);
    /* Same for stack-wide events (NET_SEV_*). Optional. */
    void (*stack_event)(void *ctx, unsigned events);
};

/* Tunables. net_config_default() fills sensible values; change and pass. */
struct net_config {
    size_t mem_limit;            /* bytes the whole stack may allocate */
    unsigned max_sockets;        /* TCP + UDP sockets, incl. TIME_WAIT */
    uint32_t tcp_rcvbuf;         /* default receive buffer per connection */
    uint32_t tcp_sndbuf;         /* default send buffer per connection */
    uint32_t tcp_buf_max;        /* largest buffer a socket option may ask */
    uint32_t udp_rcvbuf;         /* bytes queued per UDP socket */
    uint64_t tcp_rto_min_ns;     /* lower bound of the retransmit timeout */
    uint64_t tcp_rto_max_ns;
    uint64_t tcp_delack_ns;      /* delayed ACK timeout */
    uint64_t tcp_time_wait_ns;   /* 2*MSL */
    uint64_t tcp_fin_wait2_ns;   /* orphaned FIN_WAIT_2 lifetime */
    unsigned tcp_syn_retries;
    unsigned tcp_data_retries;
    uint64_t tcp_keep_idle_ns;   /* defaults for the keepalive option */
    uint64_t tcp_keep_intvl_ns;
    unsigned tcp_keep_cnt;
    unsigned arp_max;            /* ARP cache entries */
    uint64_t arp_timeout_ns;     /* a resolved entry ages out after this */
    uint64_t arp_retry_ns;       /* between ARP requests */
    unsigned arp_retries;        /* requests before the neighbour is unreachable */
    unsigned reasm_max;          /* datagrams being reassembled at once */
    size_t reasm_mem;            /* bytes all reassembly buffers may hold */
    uint64_t reasm_timeout_ns;
    uint64_t dns_timeout_ns;     /* per try */
    unsigned dns_retries;
    unsigned dns_cache_max;
};

void net_config_default(struct net_config *cfg);

/* Creates a stack (with a loopback interface). NULL when out of memory. */
struct net_stack *net_stack_create(const struct net_port *port,
                                   const struct net_config *cfg);
/* Frees everything: sockets, buffers, queued frames. */
void net_stack_destroy(struct net_stack *stack);

/*
 * Runs the timers that are due at now_ns (retransmits, delayed ACKs, ARP,
 * reassembly, DHCP, DNS...). Call it again at net_next_deadline().
 */
void net_poll(struct net_stack *stack, uint64_t now_ns);
/* The earliest time net_poll() has work to do; UINT64_MAX when none. */
uint64_t net_next_deadline(struct net_stack *stack);

/* Bytes currently allocated by the stack (for limits tests and `netstat`). */
size_t net_mem_used(const struct net_stack *stack);

#endif
