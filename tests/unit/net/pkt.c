/* Test frame builders (see pkt.h); they use the library's checksum code. */
#include <string.h>

#include "pkt.h"
#include "net/bytes.h"
#include "net/csum.h"

static void eth(uint8_t *out, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
    memcpy(out, dst, 6);
    memcpy(out + 6, src, 6);
    put16(out + 12, type);
}

size_t pkt_ip(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
              uint32_t src, uint32_t dst, uint8_t proto, const void *l4, size_t l4len)
{
    eth(out, dst_mac, src_mac, 0x0800);
    uint8_t *ip = out + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + l4len));
    put16(ip + 4, 0x1234);
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    csum_store(ip + 10, csum_buf(ip, 20));
    memmove(ip + 20, l4, l4len);
    return 14 + 20 + l4len;
}

size_t pkt_tcp(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
               uint32_t src, uint32_t dst, const struct tcp_fields *t,
               const void *data, size_t len)
{
    uint8_t seg[1500];
    size_t hlen = 20 + t->optlen;
    memset(seg, 0, hlen);
    put16(seg, t->sport);
    put16(seg + 2, t->dport);
    put32(seg + 4, t->seq);
    put32(seg + 8, t->ack);
    seg[12] = (uint8_t)((hlen / 4) << 4);
    seg[13] = t->flags;
    put16(seg + 14, t->wnd);
    if (t->optlen)
        memcpy(seg + 20, t->opts, t->optlen);
    if (len)
        memcpy(seg + hlen, data, len);
    uint32_t s = csum_pseudo(src, dst, 6, (uint16_t)(hlen + len));
    csum_store(seg + 16, csum_finish(csum_add(s, seg, hlen + len)));
    return pkt_ip(out, dst_mac, src_mac, src, dst, 6, seg, hlen + len);
}

size_t pkt_udp(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
               uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
               const void *data, size_t len)
{
    uint8_t u[1500];
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + len));
    put16(u + 6, 0);
    memcpy(u + 8, data, len);
    uint32_t s = csum_pseudo(src, dst, 17, (uint16_t)(8 + len));
    uint16_t c = csum_finish(csum_add(s, u, 8 + len));
    csum_store(u + 6, c ? c : 0xffff);
    return pkt_ip(out, dst_mac, src_mac, src, dst, 17, u, 8 + len);
}

size_t pkt_arp(uint8_t *out, uint16_t op, const uint8_t sha[6], uint32_t spa,
               const uint8_t tha[6], uint32_t tpa)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    eth(out, op == 1 ? bcast : tha, sha, 0x0806);
    uint8_t *a = out + 14;
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, sha, 6);
    put32(a + 14, spa);
    memcpy(a + 18, tha, 6);
    put32(a + 24, tpa);
    return 14 + 28;
}

uint16_t pkt_ethertype(const uint8_t *f) { return get16(f + 12); }
uint8_t pkt_ip_proto(const uint8_t *f) { return f[14 + 9]; }
uint32_t pkt_ip_src(const uint8_t *f) { return get32(f + 14 + 12); }
uint32_t pkt_ip_dst(const uint8_t *f) { return get32(f + 14 + 16); }

const uint8_t *pkt_l4(const uint8_t *f, size_t len, size_t *l4len)
{
    size_t ihl = (size_t)(f[14] & 15) * 4;
    size_t tot = get16(f + 16);
    if (len < 14 + tot || tot < ihl)
        return NULL;
    *l4len = tot - ihl;
    return f + 14 + ihl;
}
