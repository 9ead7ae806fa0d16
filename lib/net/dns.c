/*
 * DNS stub resolver (RFC 1035): A queries over UDP with recursion desired,
 * retried cfg.dns_retries times cfg.dns_timeout_ns apart, answers cached
 * for their TTL. Each cache entry doubles as the state of its query, so a
 * name is never asked twice at once. Failures are remembered briefly
 * (negative caching, RFC 2308 style) so a polling caller can see them.
 */
#include "net/priv.h"

#define DNS_NAME_MAX   253
#define DNS_HLEN       12
#define DNS_MSG_MAX    512
#define DNS_TTL_MAX    (86400ull * NS_PER_S)
#define DNS_NEG_TTL    (10 * NS_PER_S)
#define DNS_MIN_KEEP   (1 * NS_PER_S)   /* a TTL 0 answer still reaches its asker */

enum { DNS_FREE, DNS_PENDING, DNS_DONE };

struct dns_entry {
    int state;
    int result;                /* 0 or an error, when DONE */
    char name[DNS_NAME_MAX + 1];
    uint32_t addr;
    uint64_t expires;          /* DONE: drop after this */
    uint16_t id, port;
    uint32_t server;
    unsigned tries;
    uint64_t deadline;         /* PENDING: next retry */
};

struct dns_state {
    uint32_t server;           /* set by net_dns_set_server(), 0 = from netif */
    unsigned n;
    struct dns_entry e[];
};

static struct dns_state *state(struct net_stack *s)
{
    if (!s->dns) {
        unsigned n = s->cfg.dns_cache_max ? s->cfg.dns_cache_max : 1;
        size_t size = sizeof(struct dns_state) + n * sizeof(struct dns_entry);
        s->dns = net_alloc(s, size);
        if (!s->dns)
            return NULL;
        memset(s->dns, 0, size);
        s->dns->n = n;
    }
    return s->dns;
}

void dns_free(struct net_stack *s)
{
    if (s->dns)
        net_free(s, s->dns, sizeof(struct dns_state) + s->dns->n * sizeof(struct dns_entry));
    s->dns = NULL;
}

void net_dns_set_server(struct net_stack *s, uint32_t server)
{
    struct dns_state *d = state(s);
    if (d)
        d->server = server;
}

/* The server for try number `try`: alternate between the first two known. */
static uint32_t pick_server(struct net_stack *s, struct dns_state *d, unsigned try)
{
    uint32_t list[3];
    unsigned n = 0;
    if (d->server)
        list[n++] = d->server;
    for (struct net_netif *nif = s->netifs; nif; nif = nif->next)
        for (int i = 0; i < 2 && n < 3; i++)
            if (!nif->loopback && nif->dns[i])
                list[n++] = nif->dns[i];
    if (n == 0)
        return 0;
    if (n > 2)
        n = 2;
    return list[try % n];
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool name_eq(const char *a, const char *b)
{
    while (*a && lower(*a) == lower(*b))
        a++, b++;
    return lower(*a) == lower(*b);
}

/* Letters, digits, '-', '_' in dot-separated labels of 1..63 bytes. */
static bool valid_name(const char *name)
{
    size_t len = strlen(name), label = 0;
    if (len == 0 || len > DNS_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
        if (++label > 63)
            return false;
    }
    return true;
}

static void send_query(struct net_stack *s, struct dns_entry *e)
{
    uint8_t m[DNS_MSG_MAX];
    memset(m, 0, DNS_HLEN);
    put16(m, e->id);
    put16(m + 2, 0x0100);   /* standard query, recursion desired */
    put16(m + 4, 1);
    uint8_t *p = m + DNS_HLEN;
    const char *n = e->name;
    while (*n) {
        const char *dot = n;
        while (*dot && *dot != '.')
            dot++;
        *p++ = (uint8_t)(dot - n);
        memcpy(p, n, (size_t)(dot - n));
        p += dot - n;
        n = *dot ? dot + 1 : dot;
    }
    *p++ = 0;
    put16(p, 1);        /* A */
    put16(p + 2, 1);    /* IN */
    p += 4;
    int r = udp_send_raw(s, 0, e->port, e->server, 53, m, (size_t)(p - m));
    if (r == ERR_UNREACHABLE && e->tries + 1 >= s->cfg.dns_retries) {
        /* no route or ARP failed: give up at once on the last try */
        e->deadline = s->now;
    }
}

static void finish(struct net_stack *s, struct dns_entry *e, int result, uint32_t addr,
                   uint64_t keep)
{
    e->state = DNS_DONE;
    e->result = result;
    e->addr = addr;
    e->expires = s->now + keep;
    net_stack_event(s, NET_SEV_DNS);
}

static struct dns_entry *find(struct dns_state *d, const char *name)
{
    for (unsigned i = 0; i < d->n; i++)
        if (d->e[i].state != DNS_FREE && name_eq(d->e[i].name, name))
            return &d->e[i];
    return NULL;
}

/* A free entry, else the finished one expiring first. NULL if all are busy. */
static struct dns_entry *alloc_entry(struct dns_state *d)
{
    struct dns_entry *victim = NULL;
    for (unsigned i = 0; i < d->n; i++) {
        struct dns_entry *e = &d->e[i];
        if (e->state == DNS_FREE)
            return e;
        if (e->state == DNS_DONE && (!victim || e->expires < victim->expires))
            victim = e;
    }
    return victim;
}

int net_dns_lookup(struct net_stack *s, const char *name, uint32_t *addr)
{
    if (!name || !addr)
        return ERR_INVALID_ARGS;
    if (net_ip_parse(name, addr) == 0)
        return 0;
    if (name_eq(name, "localhost")) {
        *addr = NET_IP4(127, 0, 0, 1);
        return 0;
    }
    if (!valid_name(name))
        return ERR_INVALID_ARGS;
    net_enter(s);
    int r;
    struct dns_state *d = state(s);
    struct dns_entry *e = d ? find(d, name) : NULL;
    if (!d) {
        r = ERR_NO_MEMORY;
    } else if (e && e->state == DNS_PENDING) {
        r = ERR_WOULD_BLOCK;
    } else if (e && s->now < e->expires) {
        r = e->result;
        if (r == 0)
            *addr = e->addr;
    } else {
        uint32_t server = pick_server(s, d, 0);
        if (!e)
            e = alloc_entry(d);
        if (!server) {
            r = ERR_UNREACHABLE;
        } else if (!e) {
            r = ERR_BUSY;   /* every entry is a query in flight */
        } else {
            memset(e, 0, sizeof *e);
            strcpy(e->name, name);
            e->state = DNS_PENDING;
            e->server = server;
            e->id = (uint16_t)net_random32(s);
            e->port = (uint16_t)(49152 + net_random32(s) % 16384);
            e->deadline = s->now + s->cfg.dns_timeout_ns;
            send_query(s, e);
            r = ERR_WOULD_BLOCK;
        }
    }
    net_leave(s);
    return r;
}

/* Skips a possibly compressed name; returns the offset after it, 0 if bad. */
static size_t skip_name(const uint8_t *m, size_t len, size_t off)
{
    for (unsigned labels = 0; labels < 128; labels++) {
        if (off >= len)
            return 0;
        uint8_t l = m[off];
        if (l == 0)
            return off + 1;
        if ((l & 0xc0) == 0xc0)
            return off + 2 <= len ? off + 2 : 0;
        if (l & 0xc0)
            return 0;
        off += 1 + (size_t)l;
    }
    return 0;
}

bool dns_input(struct net_stack *s, const uint8_t *ip, const uint8_t *udp, size_t len)
{
    struct dns_state *d = s->dns;
    if (!d)
        return false;
    const uint8_t *m = udp + UDP_HLEN;
    size_t mlen = len - UDP_HLEN;
    if (mlen < DNS_HLEN)
        return false;
    uint16_t id = get16(m), dport = get16(udp + 2);
    struct dns_entry *e = NULL;
    for (unsigned i = 0; i < d->n; i++)
        if (d->e[i].state == DNS_PENDING && d->e[i].id == id && d->e[i].port == dport &&
            d->e[i].server == get32(ip + 12))
            e = &d->e[i];
    if (!e)
        return false;   /* maybe a user socket's */
    uint16_t flags = get16(m + 2);
    if (!(flags & 0x8000))
        return true;    /* not a response */
    unsigned rcode = flags & 15;
    if (rcode == 3) {
        finish(s, e, ERR_NOT_FOUND, 0, DNS_NEG_TTL);
        return true;
    }
    if (rcode != 0) {
        /* server failure or refusal: try again, perhaps it recovers */
        return true;
    }
    size_t off = DNS_HLEN;
    unsigned qd = get16(m + 4), an = get16(m + 6);
    for (unsigned i = 0; i < qd; i++) {
        off = skip_name(m, mlen, off);
        if (!off || off + 4 > mlen)
            return true;
        off += 4;
    }
    for (unsigned i = 0; i < an; i++) {
        off = skip_name(m, mlen, off);
        if (!off || off + 10 > mlen)
            return true;
        uint16_t type = get16(m + off), cls = get16(m + off + 2);
        uint32_t ttl = get32(m + off + 4);
        uint16_t rdlen = get16(m + off + 8);
        off += 10;
        if (off + rdlen > mlen)
            return true;
        /* a CNAME chain ends in the A record we want: take the first A */
        if (type == 1 && cls == 1 && rdlen == 4) {
            uint64_t keep = (uint64_t)(ttl & 0x7fffffff) * NS_PER_S;
            if (keep > DNS_TTL_MAX)
                keep = DNS_TTL_MAX;
            if (keep < DNS_MIN_KEEP)
                keep = DNS_MIN_KEEP;
            finish(s, e, 0, get32(m + off), keep);
            return true;
        }
        off += rdlen;
    }
    finish(s, e, ERR_NOT_FOUND, 0, DNS_NEG_TTL);   /* the name has no address */
    return true;
}

void dns_poll(struct net_stack *s, uint64_t now)
{
    struct dns_state *d = s->dns;
    if (!d)
        return;
    for (unsigned i = 0; i < d->n; i++) {
        struct dns_entry *e = &d->e[i];
        if (e->state == DNS_PENDING && now >= e->deadline) {
            if (++e->tries >= s->cfg.dns_retries) {
                finish(s, e, ERR_TIMED_OUT, 0, DNS_NEG_TTL);
                continue;
            }
            e->deadline = now + s->cfg.dns_timeout_ns;
            uint32_t next = pick_server(s, d, e->tries);
            if (next)
                e->server = next;   /* a second server gets every other try */
            send_query(s, e);
        } else if (e->state == DNS_DONE && now >= e->expires) {
            e->state = DNS_FREE;
        }
    }
}

uint64_t dns_deadline(struct net_stack *s)
{
    struct dns_state *d = s->dns;
    uint64_t t = NEVER;
    if (!d)
        return t;
    for (unsigned i = 0; i < d->n; i++) {
        if (d->e[i].state == DNS_PENDING)
            t = min64(t, d->e[i].deadline);
        else if (d->e[i].state == DNS_DONE)
            t = min64(t, d->e[i].expires);
    }
    return t;
}
