/*
 * ICMP (RFC 792): echo replies, destination unreachable in both directions,
 * and echo requests for `ping`.
 */
#include "net/priv.h"

#define ICMP_ECHO_REPLY   0
#define ICMP_UNREACH      3
#define ICMP_ECHO         8
#define PING_ID           0x5055   /* "PU" */

/* Sends the message at txbuf's L4 offset, its checksum already in place. */
static int icmp_output(struct net_stack *s, uint32_t src, uint32_t dst, size_t len)
{
    s->stats.icmp_out++;
    return ip_output(s, src, dst, IP_PROTO_ICMP, len);
}

static int icmp_send(struct net_stack *s, uint32_t src, uint32_t dst, size_t len)
{
    uint8_t *m = s->txbuf + L4_OFF;
    put16(m + 2, 0);
    csum_store(m + 2, csum_buf(m, len));
    return icmp_output(s, src, dst, len);
}

/*
 * An echo reply differs from the request we checked only in its type
 * byte, so its checksum is the request's, adjusted (RFC 1624, eqn. 3:
 * HC' = ~(~HC + ~m + m')), instead of summing the whole message again.
 * Eqn. 3 never yields 0xffff, so an all-zero reply would get 0x0000, the
 * one value a receiver rejects there; 0xffff is right in that case.
 */
static void echo_reply_csum(uint8_t *m)
{
    uint32_t sum = (uint16_t)~get16(m + 2) + (uint16_t)~(ICMP_ECHO << 8) + (ICMP_ECHO_REPLY << 8);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = (uint16_t)~sum;
    put16(m + 2, c ? c : 0xffff);
}

/* Tells the sender of ip/l4 that we cannot deliver it (code 2 protocol, 3 port). */
void icmp_unreachable(struct net_stack *s, const uint8_t *ip, const uint8_t *l4,
                      size_t l4len, uint8_t code)
{
    size_t hlen = (size_t)(ip[0] & 15) * 4;
    size_t quote = l4len < 8 ? l4len : 8;
    uint8_t *m = s->txbuf + L4_OFF;
    if (hlen > 60 || !net_rate_ok(s, &s->icmp_rate))
        return;
    m[0] = ICMP_UNREACH;
    m[1] = code;
    put32(m + 4, 0);
    memcpy(m + 8, ip, hlen);
    memcpy(m + 8 + hlen, l4, quote);
    icmp_send(s, 0, get32(ip + 12), 8 + hlen + quote);
}

static void echo_reply_in(struct net_stack *s, const uint8_t *ip, const uint8_t *m)
{
    if (get16(m + 4) != PING_ID)
        return;
    uint16_t seq = get16(m + 6);
    for (int i = 0; i < PING_MAX; i++) {
        struct ping *p = &s->pings[i];
        if (p->used && p->result == ERR_WOULD_BLOCK && p->seq == seq &&
            p->dst == get32(ip + 12)) {
            p->result = 0;
            p->rtt = s->now - p->sent;
            net_stack_event(s, NET_SEV_PING);
        }
    }
}

void icmp_input(struct net_stack *s, struct net_netif *nif, const uint8_t *ip,
                const uint8_t *m, size_t len, unsigned flags)
{
    s->stats.icmp_in++;
    if (len < 8 || (!(flags & NET_RX_CSUM_VALID) && csum_buf(m, len) != 0)) {
        nif->stats.rx_errors++;
        return;
    }
    uint32_t src = get32(ip + 12), dst = get32(ip + 16);
    switch (m[0]) {
    case ICMP_ECHO:
        if (!ip_is_local(s, dst) || len > NET_MTU_MAX - IP_HLEN)
            return;   /* no replies to broadcasts (RFC 1122 3.2.2.6 allows it) */
        memcpy(s->txbuf + L4_OFF, m, len);
        s->txbuf[L4_OFF] = ICMP_ECHO_REPLY;
        if (flags & NET_RX_CSUM_VALID) {
            /* the device vouched for it, and its field may even be a
               partial sum (virtio's NEEDS_CSUM): sum the reply anew */
            icmp_send(s, dst, src, len);
            break;
        }
        echo_reply_csum(s->txbuf + L4_OFF);
        icmp_output(s, dst, src, len);
        break;
    case ICMP_ECHO_REPLY:
        echo_reply_in(s, ip, m);
        break;
    case ICMP_UNREACH: {
        const uint8_t *in = m + 8;
        size_t inlen = len - 8;
        if (inlen < IP_HLEN + 8 || (in[0] >> 4) != 4)
            return;
        size_t ihl = (size_t)(in[0] & 15) * 4;
        if (ihl < IP_HLEN || inlen < ihl + 8)
            return;
        /* port and protocol unreachable are final; the rest mean no route */
        int err = (m[1] == 2 || m[1] == 3) ? ERR_CONN_REFUSED : ERR_UNREACHABLE;
        if (in[9] == IP_PROTO_TCP)
            tcp_icmp_error(s, in, inlen, err);
        else if (in[9] == IP_PROTO_UDP)
            udp_icmp_error(s, in, inlen, err);
        break;
    }
    default:
        break;
    }
}

int net_ping_send(struct net_stack *s, uint32_t dst, size_t size, uint64_t timeout)
{
    if (size > NET_MTU_MAX - IP_HLEN - 8)
        return ERR_TOO_BIG;
    int slot = -1;
    for (int i = 0; i < PING_MAX; i++)
        if (!s->pings[i].used) {
            slot = i;
            break;
        }
    if (slot < 0)
        return ERR_BUSY;
    net_enter(s);
    struct net_netif *nif;
    uint32_t src, nh;
    int r = ip_route(s, dst, &nif, &src, &nh);
    if (r == 0) {
        struct ping *p = &s->pings[slot];
        uint8_t *m = s->txbuf + L4_OFF;
        m[0] = ICMP_ECHO;
        m[1] = 0;
        put16(m + 4, PING_ID);
        put16(m + 6, ++s->ping_seq);
        for (size_t i = 0; i < size; i++)
            m[8 + i] = (uint8_t)i;
        p->used = true;
        p->result = ERR_WOULD_BLOCK;
        p->seq = s->ping_seq;
        p->dst = dst;
        p->sent = s->now;
        p->deadline = s->now + timeout;
        r = icmp_send(s, src, dst, 8 + size);
        if (r == ERR_UNREACHABLE)
            p->result = r;   /* ARP already failed: report it through the ticket */
        r = slot;
    }
    net_leave(s);
    return r;
}

int net_ping_result(struct net_stack *s, int ticket, uint64_t *rtt)
{
    if (ticket < 0 || ticket >= PING_MAX || !s->pings[ticket].used)
        return ERR_INVALID_ARGS;
    struct ping *p = &s->pings[ticket];
    int r = p->result;
    if (r == 0 && rtt)
        *rtt = p->rtt;
    if (r != ERR_WOULD_BLOCK)
        p->used = false;
    return r;
}

void ping_poll(struct net_stack *s, uint64_t now)
{
    for (int i = 0; i < PING_MAX; i++) {
        struct ping *p = &s->pings[i];
        if (p->used && p->result == ERR_WOULD_BLOCK && now >= p->deadline) {
            p->result = ERR_TIMED_OUT;
            net_stack_event(s, NET_SEV_PING);
        }
    }
}

uint64_t ping_deadline(struct net_stack *s)
{
    uint64_t d = NEVER;
    for (int i = 0; i < PING_MAX; i++)
        if (s->pings[i].used && s->pings[i].result == ERR_WOULD_BLOCK)
            d = min64(d, s->pings[i].deadline);
    return d;
}
