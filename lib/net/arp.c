/*
 * ARP (RFC 826) for IPv4 over Ethernet: a fixed-size cache with aging,
 * requests retried a few times while frames wait, then failure reported to
 * TCP (a connecting socket gets ERR_UNREACHABLE) and remembered for a while
 * so senders fail fast. Gratuitous ARP announces our address.
 */
#include "net/priv.h"

#define ARP_HLEN 28

int arp_init(struct net_stack *s)
{
    size_t size = sizeof(struct arp_entry) * s->cfg.arp_max;
    s->arp = net_alloc(s, size);
    if (!s->arp)
        return ERR_NO_MEMORY;
    memset(s->arp, 0, size);
    s->arp_top = 0;
    return 0;
}

static void drop_queue(struct net_stack *s, struct arp_entry *e)
{
    while (e->queue) {
        struct pkt *p = e->queue;
        e->queue = p->next;
        p->netif->stats.tx_dropped++;
        net_free(s, p, sizeof *p + p->len);
    }
    e->queued = 0;
}

void arp_free_all(struct net_stack *s)
{
    if (!s->arp)
        return;
    for (unsigned i = 0; i < s->cfg.arp_max; i++)
        drop_queue(s, &s->arp[i]);
    net_free(s, s->arp, sizeof(struct arp_entry) * s->cfg.arp_max);
    s->arp = NULL;
}

void arp_flush_netif(struct net_stack *s, struct net_netif *nif)
{
    for (unsigned i = 0; i < s->arp_top; i++) {
        struct arp_entry *e = &s->arp[i];
        if (e->state != ARP_FREE && e->netif == nif) {
            drop_queue(s, e);
            e->state = ARP_FREE;
        }
    }
    while (s->arp_top > 0 && s->arp[s->arp_top - 1].state == ARP_FREE)
        s->arp_top--;
}

/*
 * Every scan of the cache stops at arp_top, one past the highest slot ever
 * taken (lowered again when the last ones age out): an entry is only
 * taken from the lowest free slot, so a node talking to a few neighbours
 * looks at a few entries, not arp_max (the deadline scan runs each time
 * the kernel lets go of the stack).
 */
static struct arp_entry *lookup(struct net_stack *s, uint32_t addr)
{
    for (unsigned i = 0; i < s->arp_top; i++)
        if (s->arp[i].state != ARP_FREE && s->arp[i].addr == addr)
            return &s->arp[i];
    return NULL;
}

/* A free slot, else the least recently confirmed entry not being resolved. */
static struct arp_entry *alloc_entry(struct net_stack *s)
{
    struct arp_entry *victim = NULL;
    for (unsigned i = 0; i < s->cfg.arp_max; i++) {
        struct arp_entry *e = &s->arp[i];
        if (e->state == ARP_FREE) {
            if (i >= s->arp_top)
                s->arp_top = i + 1;
            return e;
        }
        if (e->state != NET_ARP_PENDING && (!victim || e->updated < victim->updated))
            victim = e;
    }
    if (victim) {
        drop_queue(s, victim);
        victim->state = ARP_FREE;
    }
    return victim;
}

static void send_arp(struct net_stack *s, struct net_netif *nif, uint16_t op,
                     const uint8_t *dst_mac, uint32_t target_ip, const uint8_t *target_mac)
{
    uint8_t f[ETH_HLEN + ARP_HLEN];
    uint8_t *a = f + ETH_HLEN;
    put16(a, 1);               /* Ethernet */
    put16(a + 2, ETH_P_IP);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, nif->mac, 6);
    put32(a + 14, nif->addr);
    memcpy(a + 18, target_mac, 6);
    put32(a + 24, target_ip);
    s->stats.arp_out++;
    eth_output(s, nif, dst_mac, ETH_P_ARP, f, sizeof f);
}

static const uint8_t zero_mac[6];

void arp_announce(struct net_stack *s, struct net_netif *nif)
{
    /* gratuitous ARP: a request for our own address (RFC 5227 section 3) */
    send_arp(s, nif, 1, eth_broadcast, nif->addr, zero_mac);
}

/* RFC 5227 probe: who has addr? (sender address 0: we do not claim it yet) */
void arp_probe(struct net_stack *s, struct net_netif *nif, uint32_t addr)
{
    uint32_t mine = nif->addr;
    nif->addr = 0;
    send_arp(s, nif, 1, eth_broadcast, addr, zero_mac);
    nif->addr = mine;
}

static void flush_queue(struct net_stack *s, struct arp_entry *e)
{
    while (e->queue) {
        struct pkt *p = e->queue;
        e->queue = p->next;
        eth_output(s, p->netif, e->mac, ETH_P_IP, p->data, p->len);
        net_free(s, p, sizeof *p + p->len);
    }
    e->queued = 0;
}

void arp_input(struct net_stack *s, struct net_netif *nif, const uint8_t *a, size_t len)
{
    s->stats.arp_in++;
    if (len < ARP_HLEN || get16(a) != 1 || get16(a + 2) != ETH_P_IP || a[4] != 6 ||
        a[5] != 4) {
        nif->stats.rx_errors++;
        return;
    }
    uint16_t op = get16(a + 6);
    const uint8_t *sha = a + 8;
    uint32_t spa = get32(a + 14);
    uint32_t tpa = get32(a + 24);
    if (op != 1 && op != 2) {
        nif->stats.rx_errors++;
        return;
    }
    /* a DHCP client checking its new address wants to hear of any owner */
    if (spa && memcmp(sha, nif->mac, 6) != 0)
        dhcp_arp_seen(s, nif, spa, sha);
    /* never learn broadcast/multicast senders or our own address */
    if (spa == 0 || spa == IP_BROADCAST || (sha[0] & 1) || spa == nif->addr)
        return;
    bool for_us = nif->addr && tpa == nif->addr;
    struct arp_entry *e = lookup(s, spa);
    if (!e && for_us)
        e = alloc_entry(s);
    if (e) {
        bool was_new = e->state == ARP_FREE;
        e->state = NET_ARP_REACHABLE;
        e->addr = spa;
        e->netif = nif;
        memcpy(e->mac, sha, 6);
        e->updated = s->now;
        e->deadline = s->now + s->cfg.arp_timeout_ns;
        e->tries = 0;
        if (was_new)
            e->queued = 0, e->queue = NULL;
        flush_queue(s, e);
    }
    if (op == 1 && for_us)
        send_arp(s, nif, 2, sha, spa, sha);
}

/*
 * Sends an IP packet (frame has room for the Ethernet header) to nexthop,
 * resolving it first if needed; the frame is copied to wait.
 */
int arp_output(struct net_stack *s, struct net_netif *nif, uint32_t nexthop,
               uint8_t *frame, size_t len)
{
    if (nexthop == IP_BROADCAST || nexthop == (nif->addr | ~nif->netmask))
        return eth_output(s, nif, eth_broadcast, ETH_P_IP, frame, len);
    struct arp_entry *e = lookup(s, nexthop);
    if (e && e->state == NET_ARP_REACHABLE)
        return eth_output(s, nif, e->mac, ETH_P_IP, frame, len);
    if (e && e->state == NET_ARP_FAILED) {
        nif->stats.tx_dropped++;
        return ERR_UNREACHABLE;
    }
    if (!e) {
        e = alloc_entry(s);
        if (!e) {
            nif->stats.tx_dropped++;
            return ERR_NO_SPACE;
        }
        memset(e, 0, sizeof *e);
        e->state = NET_ARP_PENDING;
        e->addr = nexthop;
        e->netif = nif;
        e->updated = s->now;
        e->tries = 1;
        e->deadline = s->now + s->cfg.arp_retry_ns;
        send_arp(s, nif, 1, eth_broadcast, nexthop, zero_mac);
    }
    if (e->queued >= ARP_QUEUE_MAX) {
        /* keep the newest frames: drop the oldest */
        struct pkt *old = e->queue;
        e->queue = old->next;
        e->queued--;
        nif->stats.tx_dropped++;
        net_free(s, old, sizeof *old + old->len);
    }
    struct pkt *p = net_alloc(s, sizeof *p + len);
    if (!p) {
        nif->stats.tx_dropped++;
        return ERR_NO_MEMORY;
    }
    if (frame == s->txbuf)
        net_tx_linearize(s);   /* the frame waits: it must be whole */
    p->next = NULL;
    p->netif = nif;
    p->len = (uint32_t)len;
    memcpy(p->data, frame, len);
    struct pkt **pp = &e->queue;
    while (*pp)
        pp = &(*pp)->next;
    *pp = p;
    e->queued++;
    return 0;
}

void arp_poll(struct net_stack *s, uint64_t now)
{
    for (unsigned i = 0; i < s->arp_top; i++) {
        struct arp_entry *e = &s->arp[i];
        if (e->state == ARP_FREE || now < e->deadline)
            continue;
        if (e->state == NET_ARP_PENDING) {
            if (e->tries < s->cfg.arp_retries) {
                e->tries++;
                e->deadline = now + s->cfg.arp_retry_ns;
                send_arp(s, e->netif, 1, eth_broadcast, e->addr, zero_mac);
                continue;
            }
            /* no answer: fail what waits, and fail fast for a while */
            drop_queue(s, e);
            e->state = NET_ARP_FAILED;
            e->deadline = now + s->cfg.arp_retry_ns * s->cfg.arp_retries;
            tcp_arp_failed(s, e->addr);
        } else {
            /* aged out (or failure forgotten): ask again next time */
            e->state = ARP_FREE;
        }
    }
}

uint64_t arp_deadline(struct net_stack *s)
{
    uint64_t d = NEVER;
    for (unsigned i = 0; i < s->arp_top; i++)
        if (s->arp[i].state != ARP_FREE)
            d = min64(d, s->arp[i].deadline);
    return d;
}

size_t net_arp_list(struct net_stack *s, struct net_arp_info *out, size_t max)
{
    size_t n = 0;
    for (unsigned i = 0; i < s->arp_top; i++) {
        struct arp_entry *e = &s->arp[i];
        if (e->state == ARP_FREE)
            continue;
        if (n < max) {
            out[n].addr = e->addr;
            memcpy(out[n].mac, e->mac, 6);
            out[n].state = e->state;
            out[n].age_ns = s->now - e->updated;
        }
        n++;
    }
    return n;
}
