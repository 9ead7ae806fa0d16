/*
 * DHCP client (RFC 2131, options RFC 2132) for one interface.
 *
 *   INIT -> SELECTING (DISCOVER broadcast, waiting for an OFFER)
 *        -> REQUESTING (REQUEST broadcast naming the chosen server)
 *        -> CHECKING (ACK: ARP probe for the address; DECLINE on conflict)
 *        -> BOUND (address, mask, router, DNS configured)
 *        -> RENEWING at T1 (REQUEST unicast to our server)
 *        -> REBINDING at T2 (REQUEST broadcast to any server)
 *        -> INIT when the lease ends or a server says NAK.
 *
 * Retransmission: 4 s doubling to 64 s, +-1 s of jitter, while selecting and
 * requesting (RFC 2131 4.1); while renewing or rebinding, half the time left
 * to the next phase, at least 4 s (RFC 2131 says 60 s: leases on a fog
 * network can be short, and a message lost near T2 should be retried).
 * Before using a new address the client sends one ARP probe (RFC 5227 style)
 * and waits a second: any answer means a conflict, and the lease is
 * declined. The gratuitous ARP sent on binding then announces it.
 */
#include "net/priv.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define BOOTP_HLEN 236
#define DHCP_MAGIC 0x63825363u
#define DHCP_MSG_MAX 576

enum { DISCOVER = 1, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE };

struct dhcp_reply {
    uint8_t type;
    uint32_t yiaddr, server, lease, t1, t2, mask, router, dns[2];
};

struct dhcp_client {
    struct net_netif *nif;
    struct dhcp_reply ack;     /* CHECKING: the lease waiting for ARP's verdict */
    int state;
    uint32_t xid;
    unsigned tries;
    uint64_t deadline;         /* next retransmission */
    uint32_t offered, server;
    uint64_t t_renew, t_rebind, t_expire;
};

static struct dhcp_client *client(struct net_stack *s)
{
    return s->dhcp;
}

/* Appends option code with len bytes of data. */
static uint8_t *opt(uint8_t *p, uint8_t code, const void *data, uint8_t len)
{
    p[0] = code;
    p[1] = len;
    memcpy(p + 2, data, len);
    return p + 2 + len;
}

static uint8_t *opt32(uint8_t *p, uint8_t code, uint32_t v)
{
    uint8_t b[4];
    put32(b, v);
    return opt(p, code, b, 4);
}

static void send_msg(struct net_stack *s, struct dhcp_client *c, uint8_t type)
{
    uint8_t m[DHCP_MSG_MAX];
    struct net_netif *nif = c->nif;
    bool renewing = c->state == DHCP_RENEWING || c->state == DHCP_REBINDING ||
                    (type == RELEASE);
    memset(m, 0, sizeof m);
    m[0] = 1;   /* BOOTREQUEST */
    m[1] = 1;   /* Ethernet */
    m[2] = 6;
    put32(m + 4, c->xid);
    if (!renewing)
        put16(m + 10, 0x8000);   /* broadcast replies: we have no address yet */
    if (renewing)
        put32(m + 12, nif->addr);   /* ciaddr */
    memcpy(m + 28, nif->mac, 6);
    put32(m + BOOTP_HLEN, DHCP_MAGIC);
    uint8_t *p = m + BOOTP_HLEN + 4;
    p = opt(p, 53, &type, 1);
    uint8_t cid[7] = {1};
    memcpy(cid + 1, nif->mac, 6);
    p = opt(p, 61, cid, sizeof cid);
    if (type == REQUEST && c->state == DHCP_REQUESTING) {
        p = opt32(p, 50, c->offered);
        p = opt32(p, 54, c->server);
    }
    if (type == RELEASE)
        p = opt32(p, 54, c->server);
    if (type == DECLINE) {
        p = opt32(p, 50, c->offered);
        p = opt32(p, 54, c->server);
    }
    if (type == DISCOVER || type == REQUEST) {
        static const uint8_t want[] = {1, 3, 6, 51, 58, 59};
        p = opt(p, 55, want, sizeof want);
        uint8_t max[2];
        put16(max, DHCP_MSG_MAX);
        p = opt(p, 57, max, 2);
    }
    *p++ = 255;
    size_t len = (size_t)(p - m);
    if (len < 300)
        len = 300;   /* BOOTP minimum */
    uint32_t dst = IP_BROADCAST, src = 0;
    if (type == RELEASE || c->state == DHCP_RENEWING) {
        dst = c->server;
        src = nif->addr;
    } else if (c->state == DHCP_REBINDING) {
        src = nif->addr;
    }
    udp_send_raw(s, src, DHCP_CLIENT_PORT, dst, DHCP_SERVER_PORT, m, len);
}

static uint64_t backoff(struct net_stack *s, unsigned tries)
{
    uint64_t t = 4 * NS_PER_S << (tries < 4 ? tries : 4);
    /* -1 s .. +1 s of jitter so that nodes booted together spread out */
    return t - NS_PER_S + (net_random32(s) % (2 * NS_PER_S / 1000)) * 1000;
}

static void start_discover(struct net_stack *s, struct dhcp_client *c)
{
    c->state = DHCP_SELECTING;
    c->xid = net_random32(s);
    c->tries = 0;
    c->offered = c->server = 0;
    send_msg(s, c, DISCOVER);
    c->deadline = s->now + backoff(s, 0);
}

/* Lease gone (expired or refused): forget the address, start over. */
static void unbind(struct net_stack *s, struct dhcp_client *c)
{
    struct net_netif *nif = c->nif;
    if (nif->addr) {
        nif->addr = nif->netmask = nif->gateway = 0;
        nif->dns[0] = nif->dns[1] = 0;
        net_stack_event(s, NET_SEV_ADDR);
    }
    c->t_renew = c->t_rebind = c->t_expire = NEVER;
    start_discover(s, c);
}

int net_dhcp_start(struct net_netif *nif)
{
    struct net_stack *s = nif->stack;
    if (nif->loopback)
        return ERR_INVALID_ARGS;
    net_enter(s);
    struct dhcp_client *c = client(s);
    if (!c) {
        c = net_alloc(s, sizeof *c);
        if (!c) {
            net_leave(s);
            return ERR_NO_MEMORY;
        }
        s->dhcp = c;
    }
    memset(c, 0, sizeof *c);
    c->nif = nif;
    c->t_renew = c->t_rebind = c->t_expire = NEVER;
    start_discover(s, c);
    net_leave(s);
    return 0;
}

void net_dhcp_stop(struct net_stack *s)
{
    struct dhcp_client *c = client(s);
    if (!c)
        return;
    net_enter(s);
    if (c->state == DHCP_BOUND || c->state == DHCP_RENEWING || c->state == DHCP_REBINDING) {
        send_msg(s, c, RELEASE);
        struct net_netif *nif = c->nif;
        nif->addr = nif->netmask = nif->gateway = 0;
        net_stack_event(s, NET_SEV_ADDR);
    }
    net_free(s, c, sizeof *c);
    s->dhcp = NULL;
    net_leave(s);
}

void dhcp_free(struct net_stack *s)
{
    if (s->dhcp)
        net_free(s, s->dhcp, sizeof *s->dhcp);
    s->dhcp = NULL;
}

int net_dhcp_state(struct net_stack *s)
{
    return s->dhcp ? s->dhcp->state : DHCP_OFF;
}

uint32_t net_dhcp_lease_left(struct net_stack *s)
{
    struct dhcp_client *c = client(s);
    if (!c || c->t_expire == NEVER || c->t_expire <= s->now)
        return 0;
    return (uint32_t)((c->t_expire - s->now) / NS_PER_S);
}

/* Reads the options of a reply; false when malformed. */
static bool parse_options(const uint8_t *p, size_t len, struct dhcp_reply *r)
{
    size_t i = 0;
    while (i < len) {
        uint8_t code = p[i];
        if (code == 255)
            return true;
        if (code == 0) {
            i++;
            continue;
        }
        if (i + 2 > len || i + 2 + p[i + 1] > len)
            return false;
        uint8_t olen = p[i + 1];
        const uint8_t *v = p + i + 2;
        switch (code) {
        case 53: if (olen == 1) r->type = v[0]; break;
        case 54: if (olen == 4) r->server = get32(v); break;
        case 51: if (olen == 4) r->lease = get32(v); break;
        case 58: if (olen == 4) r->t1 = get32(v); break;
        case 59: if (olen == 4) r->t2 = get32(v); break;
        case 1: if (olen == 4) r->mask = get32(v); break;
        case 3: if (olen >= 4) r->router = get32(v); break;
        case 6:
            if (olen >= 4) r->dns[0] = get32(v);
            if (olen >= 8) r->dns[1] = get32(v + 4);
            break;
        default: break;
        }
        i += 2 + (size_t)olen;
    }
    return true;   /* no end option: accept what was read */
}

static unsigned prefix_of(uint32_t mask)
{
    unsigned n = 0;
    while (n < 32 && (mask & (0x80000000u >> n)))
        n++;
    return n;
}

static void bind_lease(struct net_stack *s, struct dhcp_client *c, const struct dhcp_reply *r)
{
    struct net_netif *nif = c->nif;
    uint32_t lease = r->lease ? r->lease : 3600;
    uint32_t t1 = r->t1 && r->t1 < lease ? r->t1 : lease / 2;
    uint32_t t2 = r->t2 && r->t2 < lease && r->t2 > t1 ? r->t2 : lease / 8 * 7;
    if (t2 <= t1)
        t2 = t1 + 1;
    uint32_t mask = r->mask;
    if (!mask)   /* classful default, as old servers expect */
        mask = (r->yiaddr >> 24) < 128 ? 0xff000000u : (r->yiaddr >> 24) < 192 ? 0xffff0000u
                                                                              : 0xffffff00u;
    if (nif->addr != r->yiaddr || nif->gateway != r->router || nif->dns[0] != r->dns[0]) {
        net_netif_set_addr(nif, r->yiaddr, prefix_of(mask), r->router, r->dns[0]);
        nif->dns[1] = r->dns[1];
    }
    c->state = DHCP_BOUND;
    if (r->server)
        c->server = r->server;
    c->t_renew = s->now + (uint64_t)t1 * NS_PER_S;
    c->t_rebind = s->now + (uint64_t)t2 * NS_PER_S;
    c->t_expire = s->now + (uint64_t)lease * NS_PER_S;
    c->deadline = NEVER;
    c->tries = 0;
}

bool dhcp_input(struct net_stack *s, struct net_netif *nif, const uint8_t *ip,
                const uint8_t *udp, size_t len)
{
    (void)ip;
    struct dhcp_client *c = client(s);
    if (!c || c->nif != nif)
        return false;
    const uint8_t *m = udp + UDP_HLEN;
    size_t mlen = len - UDP_HLEN;
    if (mlen < BOOTP_HLEN + 4 || m[0] != 2 || get32(m + 4) != c->xid ||
        memcmp(m + 28, nif->mac, 6) != 0 || get32(m + BOOTP_HLEN) != DHCP_MAGIC)
        return true;   /* for the client port, but not for us: drop */
    struct dhcp_reply r;
    memset(&r, 0, sizeof r);
    if (!parse_options(m + BOOTP_HLEN + 4, mlen - BOOTP_HLEN - 4, &r))
        return true;
    r.yiaddr = get32(m + 16);
    switch (c->state) {
    case DHCP_SELECTING:
        if (r.type != OFFER || !r.server || !r.yiaddr || r.yiaddr == IP_BROADCAST)
            break;
        c->offered = r.yiaddr;
        c->server = r.server;
        c->state = DHCP_REQUESTING;
        c->tries = 0;
        send_msg(s, c, REQUEST);
        c->deadline = s->now + backoff(s, 0);
        break;
    case DHCP_REQUESTING:
    case DHCP_RENEWING:
    case DHCP_REBINDING:
        if (c->state == DHCP_REQUESTING && r.server && r.server != c->server)
            break;   /* another server's answer */
        if (r.type == ACK && r.yiaddr && r.yiaddr != IP_BROADCAST) {
            if (c->state == DHCP_REQUESTING && r.yiaddr != nif->addr) {
                /* RFC 2131 4.4.1: make sure nobody else uses it first */
                c->ack = r;
                c->offered = r.yiaddr;
                c->state = DHCP_CHECKING;
                arp_probe(s, nif, r.yiaddr);
                c->deadline = s->now + NS_PER_S;
            } else {
                bind_lease(s, c, &r);
            }
        } else if (r.type == NAK) {
            unbind(s, c);
        }
        break;
    default:
        break;
    }
    return true;
}

/*
 * ARP showed a host using addr. While checking a new lease that means a
 * conflict: decline it and start over after 10 s (RFC 2131 3.1 step 5).
 */
void dhcp_arp_seen(struct net_stack *s, struct net_netif *nif, uint32_t addr,
                   const uint8_t mac[6])
{
    (void)mac;
    struct dhcp_client *c = client(s);
    if (!c || c->nif != nif || c->state != DHCP_CHECKING || addr != c->offered)
        return;
    send_msg(s, c, DECLINE);
    c->state = DHCP_INIT;
    c->deadline = s->now + 10 * NS_PER_S;
}

static uint64_t half_to(struct net_stack *s, uint64_t until)
{
    uint64_t t = until > s->now ? (until - s->now) / 2 : 0;
    if (t < 4 * NS_PER_S)
        t = 4 * NS_PER_S;
    return min64(s->now + t, until);
}

void dhcp_poll(struct net_stack *s, uint64_t now)
{
    struct dhcp_client *c = client(s);
    if (!c)
        return;
    if (now >= c->t_expire) {
        unbind(s, c);
        return;
    }
    switch (c->state) {
    case DHCP_CHECKING:
        if (now >= c->deadline)
            bind_lease(s, c, &c->ack);   /* no answer to the probe: it is ours */
        break;
    case DHCP_INIT:
        if (now >= c->deadline)
            start_discover(s, c);
        break;
    case DHCP_SELECTING:
        if (now >= c->deadline) {
            c->tries++;
            send_msg(s, c, DISCOVER);
            c->deadline = now + backoff(s, c->tries);
        }
        break;
    case DHCP_REQUESTING:
        if (now >= c->deadline) {
            if (++c->tries > 4) {
                start_discover(s, c);
                break;
            }
            send_msg(s, c, REQUEST);
            c->deadline = now + backoff(s, c->tries);
        }
        break;
    case DHCP_BOUND:
        if (now >= c->t_renew) {
            c->state = DHCP_RENEWING;
            c->xid = net_random32(s);
            send_msg(s, c, REQUEST);
            c->deadline = half_to(s, c->t_rebind);
        }
        break;
    case DHCP_RENEWING:
        if (now >= c->t_rebind) {
            c->state = DHCP_REBINDING;
            send_msg(s, c, REQUEST);
            c->deadline = half_to(s, c->t_expire);
        } else if (now >= c->deadline) {
            send_msg(s, c, REQUEST);
            c->deadline = half_to(s, c->t_rebind);
        }
        break;
    case DHCP_REBINDING:
        if (now >= c->deadline) {
            send_msg(s, c, REQUEST);
            c->deadline = half_to(s, c->t_expire);
        }
        break;
    default:
        break;
    }
}

uint64_t dhcp_deadline(struct net_stack *s)
{
    struct dhcp_client *c = client(s);
    if (!c)
        return NEVER;
    uint64_t d = c->t_expire;
    if (c->state == DHCP_BOUND)
        d = min64(d, c->t_renew);
    else
        d = min64(d, c->deadline);
    if (c->state == DHCP_RENEWING)
        d = min64(d, c->t_rebind);
    return d;
}
