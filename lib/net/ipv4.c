/*
 * IPv4 (RFC 791, RFC 1122 host requirements): routing to an interface and
 * next hop, header building and checking, dispatch to ICMP/UDP/TCP.
 * We are a host: nothing is forwarded, and we never fragment what we send
 * (TCP keeps under the MSS, UDP refuses datagrams above the MTU).
 */
#include "net/priv.h"

static bool is_loopback_addr(uint32_t a)
{
    return (a >> 24) == 127;
}

bool ip_is_local(struct net_stack *s, uint32_t addr)
{
    if (is_loopback_addr(addr))
        return true;
    for (struct net_netif *n = s->netifs; n; n = n->next)
        if (n->addr && n->addr == addr)
            return true;
    return false;
}

/* The first Ethernet interface that is up. */
static struct net_netif *first_eth(struct net_stack *s)
{
    for (struct net_netif *n = s->netifs; n; n = n->next)
        if (!n->loopback && n->up)
            return n;
    return NULL;
}

int ip_route(struct net_stack *s, uint32_t dst, struct net_netif **nif, uint32_t *src,
             uint32_t *nexthop)
{
    if (dst == 0)
        return ERR_UNREACHABLE;
    if (ip_is_local(s, dst)) {
        *nif = &s->lo;
        *src = is_loopback_addr(dst) ? NET_IP4(127, 0, 0, 1) : dst;
        *nexthop = dst;
        return 0;
    }
    if (dst == IP_BROADCAST) {
        struct net_netif *n = first_eth(s);
        if (!n)
            return ERR_UNREACHABLE;
        *nif = n;
        *src = n->addr;
        *nexthop = dst;
        return 0;
    }
    for (struct net_netif *n = s->netifs; n; n = n->next) {
        if (n->loopback || !n->up || !n->addr)
            continue;
        if ((dst & n->netmask) == (n->addr & n->netmask)) {
            *nif = n;
            *src = n->addr;
            *nexthop = dst;
            return 0;
        }
    }
    for (struct net_netif *n = s->netifs; n; n = n->next) {
        if (!n->loopback && n->up && n->addr && n->gateway) {
            *nif = n;
            *src = n->addr;
            *nexthop = n->gateway;
            return 0;
        }
    }
    return ERR_UNREACHABLE;
}

int ip_output(struct net_stack *s, uint32_t src, uint32_t dst, uint8_t proto, size_t l4len)
{
    struct net_netif *nif;
    uint32_t rsrc, nexthop;
    int r = ip_route(s, dst, &nif, &rsrc, &nexthop);
    if (r < 0 || l4len + IP_HLEN > nif->mtu) {
        s->tx_tail[0].len = s->tx_tail[1].len = 0;
        return r < 0 ? r : ERR_TOO_BIG;
    }
    if (src == 0)
        src = rsrc;
    uint8_t *ip = s->txbuf + ETH_HLEN;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(IP_HLEN + l4len));
    put16(ip + 4, s->ip_id++);
    put16(ip + 6, proto == IP_PROTO_TCP ? 0x4000 : 0);   /* DF for TCP */
    ip[8] = 64;
    ip[9] = proto;
    put16(ip + 10, 0);
    put32(ip + 12, src);
    put32(ip + 16, dst);
    csum_store(ip + 10, csum_buf(ip, IP_HLEN));
    s->stats.ip_out++;
    if (nif->loopback) {
        net_tx_linearize(s);
        net_loopback_queue(s, ip, IP_HLEN + l4len);
        return 0;
    }
    return arp_output(s, nif, nexthop, s->txbuf, ETH_HLEN + IP_HLEN + l4len);
}

void ip_input(struct net_stack *s, struct net_netif *nif, const uint8_t *p, size_t len,
              unsigned flags)
{
    s->stats.ip_in++;
    if (len < IP_HLEN || (p[0] >> 4) != 4)
        goto bad;
    size_t hlen = (size_t)(p[0] & 15) * 4;
    size_t tot = get16(p + 2);
    if (hlen < IP_HLEN || tot < hlen || tot > len)
        goto bad;
    if (csum_buf(p, hlen) != 0)
        goto bad;
    uint32_t src = get32(p + 12), dst = get32(p + 16);
    /* a source must be a single host; 127/8 never arrives from a wire */
    if (src == IP_BROADCAST || (src >> 28) == 14)
        goto bad;
    if (!nif->loopback && (is_loopback_addr(src) || is_loopback_addr(dst)))
        goto bad;
    bool ours = ip_is_local(s, dst) || dst == IP_BROADCAST ||
                (nif->addr && dst == (nif->addr | ~nif->netmask)) ||
                (!nif->addr && !nif->loopback && p[9] == IP_PROTO_UDP);   /* DHCP offers */
    if (!ours) {
        nif->stats.rx_dropped++;
        return;
    }
    len = tot;   /* drop Ethernet padding */
    uint16_t frag = get16(p + 6);
    if (frag & 0x3fff) {   /* MF or an offset: a fragment */
        frag_input(s, nif, p, len, flags);
        return;
    }
    ip_deliver(s, nif, p, p + hlen, len - hlen, flags);
    return;
bad:
    s->stats.ip_bad++;
    nif->stats.rx_errors++;
}

void ip_deliver(struct net_stack *s, struct net_netif *nif, const uint8_t *ip,
                const uint8_t *l4, size_t l4len, unsigned flags)
{
    switch (ip[9]) {
    case IP_PROTO_ICMP:
        icmp_input(s, nif, ip, l4, l4len, flags);
        break;
    case IP_PROTO_UDP:
        udp_input(s, nif, ip, l4, l4len, flags);
        break;
    case IP_PROTO_TCP:
        tcp_input(s, nif, ip, l4, l4len, flags);
        break;
    default:
        nif->stats.rx_dropped++;
        if (get32(ip + 16) != IP_BROADCAST)
            icmp_unreachable(s, ip, l4, l4len, 2);
    }
}
