/*
 * Enumeration and counters for the shell's `netstat`, `arp` and `ifconfig`
 * (interface counters live in struct net_netif.stats, see net/netif.h).
 */
#ifndef NET_INFO_H
#define NET_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "net/port.h"

struct net_sock_info {
    int type;                 /* NET_SOCK_TCP / NET_SOCK_UDP */
    int state;                /* enum net_tcp_state (TCP only) */
    uint32_t laddr, raddr;
    uint16_t lport, rport;
    uint32_t rx_queued;       /* bytes waiting to be read */
    uint32_t tx_queued;       /* bytes not yet acknowledged */
    int orphan;               /* closed by its owner, finishing in background */
};

/* Fills up to max entries; returns how many sockets exist. */
size_t net_sock_list(struct net_stack *stack, struct net_sock_info *out, size_t max);

#define NET_ARP_PENDING   1   /* request sent, waiting for a reply */
#define NET_ARP_REACHABLE 2
#define NET_ARP_FAILED    3   /* no reply: sends to it fail for a while */

struct net_arp_info {
    uint32_t addr;
    uint8_t mac[6];
    int state;
    uint64_t age_ns;          /* since last confirmed */
};

size_t net_arp_list(struct net_stack *stack, struct net_arp_info *out, size_t max);

/* Protocol counters, for `netstat -s` and tests. */
struct net_proto_stats {
    uint64_t ip_in, ip_out, ip_bad, ip_frag_in, ip_reasm_ok, ip_reasm_timeout;
    uint64_t icmp_in, icmp_out;
    uint64_t udp_in, udp_out, udp_bad, udp_no_port;
    uint64_t tcp_in, tcp_out, tcp_bad, tcp_retrans, tcp_fast_retrans, tcp_rto;
    uint64_t tcp_rst_in, tcp_rst_out, tcp_challenge_ack, tcp_dup_in;
    uint64_t tcp_listen_drop, tcp_mem_drop;
    uint64_t tcp_tx_busy;      /* segments the interface refused, held back to send again */
    uint64_t arp_in, arp_out;
};

const struct net_proto_stats *net_proto_stats(const struct net_stack *stack);

#endif
