/*
 * UDP (RFC 768): checksummed datagrams, per-socket receive queues bounded in
 * bytes, ICMP port unreachable for closed ports. Port 68 (DHCP client) and
 * answers from port 53 to the resolver are taken by the stack itself.
 */
#include "net/priv.h"

int udp_send_raw(struct net_stack *s, uint32_t src, uint16_t sport, uint32_t dst,
                 uint16_t dport, const void *data, size_t len)
{
    struct net_netif *nif;
    uint32_t rsrc, nh;
    int r = ip_route(s, dst, &nif, &rsrc, &nh);
    if (r < 0)
        return r;
    if (len + UDP_HLEN + IP_HLEN > nif->mtu)
        return ERR_TOO_BIG;
    if (src == 0)
        src = rsrc;
    uint8_t *u = s->txbuf + L4_OFF;
    uint16_t ulen = (uint16_t)(UDP_HLEN + len);
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, ulen);
    put16(u + 6, 0);
    memcpy(u + UDP_HLEN, data, len);
    uint16_t c = csum_finish(csum_add(csum_pseudo(src, dst, IP_PROTO_UDP, ulen), u, ulen));
    if (c == 0)
        c = 0xffff;   /* zero means "no checksum" */
    csum_store(u + 6, c);
    s->stats.udp_out++;
    return ip_output(s, src, dst, IP_PROTO_UDP, ulen);
}

static struct net_sock *udp_lookup(struct net_stack *s, uint32_t src, uint16_t sport,
                                   uint32_t dst, uint16_t dport)
{
    struct net_sock *best = NULL;
    int best_score = -1;
    for (struct net_sock *sk = s->socks; sk; sk = sk->next) {
        if (sk->type != NET_SOCK_UDP || sk->lport != dport || sk->orphan)
            continue;
        if (sk->laddr && sk->laddr != dst)
            continue;
        if (sk->raddr && (sk->raddr != src || sk->rport != sport))
            continue;
        int score = (sk->laddr != 0) + 2 * (sk->raddr != 0);
        if (score > best_score) {
            best = sk;
            best_score = score;
        }
    }
    return best;
}

void udp_input(struct net_stack *s, struct net_netif *nif, const uint8_t *ip,
               const uint8_t *u, size_t len, unsigned flags)
{
    s->stats.udp_in++;
    if (len < UDP_HLEN)
        goto bad;
    size_t ulen = get16(u + 4);
    if (ulen < UDP_HLEN || ulen > len)
        goto bad;
    uint32_t src = get32(ip + 12), dst = get32(ip + 16);
    if (get16(u + 6) != 0 && !(flags & NET_RX_CSUM_VALID)) {
        uint32_t sum = csum_add(csum_pseudo(src, dst, IP_PROTO_UDP, (uint16_t)ulen), u, ulen);
        if (csum_finish(sum) != 0)
            goto bad;
    }
    uint16_t sport = get16(u), dport = get16(u + 2);
    if (dport == 68 && dhcp_input(s, nif, ip, u, ulen))
        return;
    if (sport == 53 && dns_input(s, ip, u, ulen))
        return;
    struct net_sock *sk = udp_lookup(s, src, sport, dst, dport);
    if (!sk) {
        s->stats.udp_no_port++;
        nif->stats.rx_dropped++;
        if (dst != IP_BROADCAST && ip_is_local(s, dst))
            icmp_unreachable(s, ip, u, len, 3);
        return;
    }
    size_t dlen = ulen - UDP_HLEN;
    struct udp_pcb *up = &sk->udp;
    if (up->queued + dlen > up->limit || sk->rd_shut) {
        nif->stats.rx_dropped++;
        return;
    }
    struct udp_dgram *d = net_alloc(s, sizeof *d + dlen);
    if (!d) {
        nif->stats.rx_dropped++;
        return;
    }
    d->next = NULL;
    d->addr = src;
    d->port = sport;
    d->len = (uint16_t)dlen;
    memcpy(d->data, u + UDP_HLEN, dlen);
    if (up->tail)
        up->tail->next = d;
    else
        up->head = d;
    up->tail = d;
    up->queued += (uint32_t)dlen;
    net_sock_event(sk, NET_EV_READABLE);
    return;
bad:
    s->stats.udp_bad++;
    nif->stats.rx_errors++;
}

/* An ICMP error about a datagram we sent: tell a connected socket. */
void udp_icmp_error(struct net_stack *s, const uint8_t *in, size_t len, int err)
{
    size_t ihl = (size_t)(in[0] & 15) * 4;
    const uint8_t *u = in + ihl;
    uint32_t src = get32(in + 12), dst = get32(in + 16);
    for (struct net_sock *sk = s->socks; sk; sk = sk->next) {
        if (sk->type == NET_SOCK_UDP && sk->lport == get16(u) && sk->raddr == dst &&
            sk->rport == get16(u + 2) && (!sk->laddr || sk->laddr == src)) {
            sk->err = err;
            net_sock_event(sk, NET_EV_ERROR | NET_EV_READABLE);
        }
    }
}

void udp_flush(struct net_sock *sk)
{
    struct udp_pcb *up = &sk->udp;
    while (up->head) {
        struct udp_dgram *d = up->head;
        up->head = d->next;
        net_free(sk->stack, d, sizeof *d + d->len);
    }
    up->tail = NULL;
    up->queued = 0;
}

int net_sendto(struct net_sock *sk, const void *buf, size_t len, uint32_t addr,
               uint16_t port)
{
    if (sk->type != NET_SOCK_UDP)
        return ERR_NOT_SUPPORTED;
    if (!addr || !port)
        return ERR_INVALID_ARGS;
    if (len > NET_MTU_MAX - IP_HLEN - UDP_HLEN)
        return ERR_TOO_BIG;
    struct net_stack *s = sk->stack;
    net_enter(s);
    int r = 0;
    if (!sk->bound)
        r = net_bind(sk, 0, 0);
    if (r == 0)
        r = udp_send_raw(s, sk->laddr, sk->lport, addr, port, buf, len);
    net_leave(s);
    return r < 0 ? r : (int)len;
}

int net_recvfrom(struct net_sock *sk, void *buf, size_t len, uint32_t *addr,
                 uint16_t *port)
{
    if (sk->type != NET_SOCK_UDP)
        return ERR_NOT_SUPPORTED;
    if (sk->err) {
        int e = sk->err;
        sk->err = 0;
        return e;
    }
    struct udp_dgram *d = sk->udp.head;
    if (!d)
        return sk->rd_shut ? ERR_CLOSED : ERR_WOULD_BLOCK;
    sk->udp.head = d->next;
    if (!sk->udp.head)
        sk->udp.tail = NULL;
    sk->udp.queued -= d->len;
    memcpy(buf, d->data, len < d->len ? len : d->len);
    if (addr)
        *addr = d->addr;
    if (port)
        *port = d->port;
    int n = d->len;
    net_free(sk->stack, d, sizeof *d + d->len);
    return n;
}
