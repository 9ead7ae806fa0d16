/*
 * The stack object: configuration, memory accounting, the loopback queue,
 * and the two drivers of everything else, net_poll() and net_next_deadline().
 */
#include "net/priv.h"

void net_config_default(struct net_config *c)
{
    memset(c, 0, sizeof *c);
    c->mem_limit = 16u << 20;
    c->max_sockets = 256;
    c->tcp_rcvbuf = 256u << 10;
    c->tcp_sndbuf = 256u << 10;
    c->tcp_buf_max = 4u << 20;
    c->udp_rcvbuf = 64u << 10;
    c->tcp_rto_min_ns = 200 * NS_PER_MS;     /* as Linux; RFC 6298 says 1 s */
    c->tcp_rto_max_ns = 60 * NS_PER_S;
    c->tcp_delack_ns = 40 * NS_PER_MS;
    c->tcp_time_wait_ns = 60 * NS_PER_S;
    c->tcp_fin_wait2_ns = 60 * NS_PER_S;
    c->tcp_syn_retries = 6;
    c->tcp_data_retries = 12;
    c->tcp_keep_idle_ns = 7200 * NS_PER_S;
    c->tcp_keep_intvl_ns = 75 * NS_PER_S;
    c->tcp_keep_cnt = 9;
    c->arp_max = 64;
    c->arp_timeout_ns = 300 * NS_PER_S;
    c->arp_retry_ns = 1 * NS_PER_S;
    c->arp_retries = 3;
    c->reasm_max = 16;
    c->reasm_mem = 256u << 10;
    c->reasm_timeout_ns = 30 * NS_PER_S;
    c->dns_timeout_ns = 2 * NS_PER_S;
    c->dns_retries = 3;
    c->dns_cache_max = 32;
}

void *net_alloc(struct net_stack *s, size_t size)
{
    if (size > s->cfg.mem_limit || s->mem_used > s->cfg.mem_limit - size)
        return NULL;
    void *p = s->port.malloc(s->port.ctx, size);
    if (p)
        s->mem_used += size;
    return p;
}

void net_free(struct net_stack *s, void *p, size_t size)
{
    if (!p)
        return;
    s->mem_used -= size;
    s->port.free(s->port.ctx, p);
}

size_t net_mem_used(const struct net_stack *s)
{
    return s->mem_used;
}

uint64_t net_now(struct net_stack *s)
{
    uint64_t t = s->port.now_ns(s->port.ctx);
    if (t > s->now)
        s->now = t;
    return s->now;
}

uint32_t net_random32(struct net_stack *s)
{
    uint32_t v = 0;
    s->port.random(s->port.ctx, &v, sizeof v);
    return v;
}

void net_sock_event(struct net_sock *sk, unsigned events)
{
    struct net_stack *s = sk->stack;
    if (sk->orphan || (sk->tcp.parent && !sk->tcp.accepted))
        return;   /* nobody holds a handle to hear it */
    if (s->port.event)
        s->port.event(s->port.ctx, sk, events);
}

bool net_rate_ok(struct net_stack *s, struct rate *r)
{
    uint64_t elapsed = s->now - r->last;
    uint64_t add = elapsed * r->per_sec / NS_PER_S;
    if (add) {
        uint64_t tokens = (uint64_t)r->tokens + add;
        /* Keep the fraction of a token already earned, unless the bucket
         * overflows (then time spent full earns nothing). */
        if (tokens >= r->burst) {
            r->tokens = r->burst;
            r->last = s->now;
        } else {
            r->tokens = (uint32_t)tokens;
            r->last += add * NS_PER_S / r->per_sec;
        }
    }
    if (!r->tokens)
        return false;
    r->tokens--;
    return true;
}

void net_stack_event(struct net_stack *s, unsigned events)
{
    if (s->port.stack_event)
        s->port.stack_event(s->port.ctx, events);
}

struct net_stack *net_stack_create(const struct net_port *port,
                                   const struct net_config *cfg)
{
    struct net_config def;
    if (!cfg) {
        net_config_default(&def);
        cfg = &def;
    }
    struct net_stack *s = port->malloc(port->ctx, sizeof *s);
    if (!s)
        return NULL;
    memset(s, 0, sizeof *s);
    s->port = *port;
    s->cfg = *cfg;
    s->now = port->now_ns(port->ctx);
    port->random(port->ctx, s->secret, sizeof s->secret);
    s->next_port = (uint16_t)(49152 + net_random32(s) % 16384);
    s->ip_id = (uint16_t)net_random32(s);
    s->ping_seq = (uint16_t)net_random32(s);
    /* as Linux: ICMP errors and challenge ACKs are rate limited */
    s->icmp_rate = (struct rate){.per_sec = 100, .burst = 50, .tokens = 50, .last = s->now};
    s->challenge_rate = (struct rate){.per_sec = 100, .burst = 100, .tokens = 100, .last = s->now};

    struct net_netif *lo = &s->lo;
    strcpy(lo->name, "lo");
    lo->stack = s;
    lo->mtu = NET_MTU_MAX;
    lo->up = true;
    lo->loopback = true;
    lo->addr = NET_IP4(127, 0, 0, 1);
    lo->netmask = NET_IP4(255, 0, 0, 0);
    s->netifs = lo;
    if (arp_init(s) < 0) {
        port->free(port->ctx, s);
        return NULL;
    }
    return s;
}

void net_stack_destroy(struct net_stack *s)
{
    if (!s)
        return;
    while (s->socks)
        sock_free(s->socks);
    frag_free_all(s);
    arp_free_all(s);
    dhcp_free(s);
    dns_free(s);
    while (s->lo_head) {
        struct pkt *p = s->lo_head;
        s->lo_head = p->next;
        net_free(s, p, sizeof *p + p->len);
    }
    struct net_netif *n = s->netifs;
    while (n) {
        struct net_netif *next = n->next;
        if (n != &s->lo)
            net_free(s, n, sizeof *n);
        n = next;
    }
    s->port.free(s->port.ctx, s);
}

/*
 * Loopback: a datagram to ourselves is queued, not delivered on the spot,
 * so that a TCP segment's answer never recurses into the code that sent it.
 * The queue is drained when the outermost public call returns.
 */
void net_loopback_queue(struct net_stack *s, const uint8_t *ip, size_t len)
{
    struct pkt *p = net_alloc(s, sizeof *p + len);
    s->lo.stats.tx_packets++;
    s->lo.stats.tx_bytes += len;
    if (!p) {
        s->lo.stats.tx_dropped++;
        return;
    }
    p->next = NULL;
    p->netif = &s->lo;
    p->len = (uint32_t)len;
    memcpy(p->data, ip, len);
    if (s->lo_tail)
        s->lo_tail->next = p;
    else
        s->lo_head = p;
    s->lo_tail = p;
}

static void loopback_drain(struct net_stack *s)
{
    while (s->lo_head) {
        struct pkt *p = s->lo_head;
        s->lo_head = p->next;
        if (!s->lo_head)
            s->lo_tail = NULL;
        s->lo.stats.rx_packets++;
        s->lo.stats.rx_bytes += p->len;
        /* checksums were computed by us a moment ago */
        ip_input(s, &s->lo, p->data, p->len, NET_RX_CSUM_VALID);
        net_free(s, p, sizeof *p + p->len);
    }
}

void net_enter(struct net_stack *s)
{
    s->depth++;
    net_now(s);
}

void net_leave(struct net_stack *s)
{
    if (s->depth == 1) {
        loopback_drain(s);
    }
    s->depth--;
}

void net_poll(struct net_stack *s, uint64_t now)
{
    net_enter(s);
    if (now > s->now)
        s->now = now;
    now = s->now;
    arp_poll(s, now);
    frag_poll(s, now);
    tcp_poll(s, now);
    ping_poll(s, now);
    dhcp_poll(s, now);
    dns_poll(s, now);
    net_leave(s);
}

uint64_t net_next_deadline(struct net_stack *s)
{
    if (s->lo_head)
        return s->now;
    uint64_t d = arp_deadline(s);
    d = min64(d, frag_deadline(s));
    d = min64(d, tcp_deadline(s));
    d = min64(d, ping_deadline(s));
    d = min64(d, dhcp_deadline(s));
    d = min64(d, dns_deadline(s));
    return d;
}

const struct net_proto_stats *net_proto_stats(const struct net_stack *s)
{
    return &s->stats;
}
