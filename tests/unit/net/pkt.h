/* Hand-built frames for tests: Ethernet + IPv4 + TCP/UDP/ICMP, checksummed. */
#ifndef TEST_PKT_H
#define TEST_PKT_H

#include <stddef.h>
#include <stdint.h>

struct tcp_fields {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    const uint8_t *opts;
    size_t optlen;          /* multiple of 4 */
};

/* Each writes a whole frame into out (>= 1514 bytes) and returns its length. */
size_t pkt_ip(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
              uint32_t src, uint32_t dst, uint8_t proto, const void *l4, size_t l4len);
size_t pkt_tcp(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
               uint32_t src, uint32_t dst, const struct tcp_fields *t,
               const void *data, size_t len);
size_t pkt_udp(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
               uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
               const void *data, size_t len);
size_t pkt_arp(uint8_t *out, uint16_t op, const uint8_t sha[6], uint32_t spa,
               const uint8_t tha[6], uint32_t tpa);

/* Parsing helpers for what the stack sent. */
uint16_t pkt_ethertype(const uint8_t *f);
uint8_t pkt_ip_proto(const uint8_t *f);
uint32_t pkt_ip_src(const uint8_t *f);
uint32_t pkt_ip_dst(const uint8_t *f);
const uint8_t *pkt_l4(const uint8_t *f, size_t len, size_t *l4len);

#endif
