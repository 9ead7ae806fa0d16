/* The simulated link (see sim.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "pus/err.h"

static uint64_t port_now(void *ctx)
{
    return ((struct sim_end *)ctx)->sim->now;
}

uint32_t sim_rand(struct sim *sim)
{
    /* xorshift64*: deterministic from the seed */
    uint64_t x = sim->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    sim->rng = x;
    return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

static void port_random(void *ctx, void *buf, size_t len)
{
    uint8_t *p = buf;
    struct sim *sim = ((struct sim_end *)ctx)->sim;
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)sim_rand(sim);
}

static void *port_malloc(void *ctx, size_t n) { (void)ctx; return malloc(n); }
static void port_free(void *ctx, void *p) { (void)ctx; free(p); }

static int side_of(struct sim *sim, struct net_stack *s)
{
    return sim->end[0].stack == s ? 0 : 1;
}

static void port_event(void *ctx, struct net_sock *sock, unsigned ev)
{
    (void)sock;
    ((struct sim_end *)ctx)->events |= ev;
}

static void port_stack_event(void *ctx, unsigned ev)
{
    ((struct sim_end *)ctx)->stack_events |= ev;
}

static void enqueue(struct sim *sim, int to, const void *data, size_t len, uint64_t at)
{
    struct sim_frame *f = malloc(sizeof *f + len);
    f->at = at;
    f->to = to;
    f->len = len;
    memcpy(f->data, data, len);
    struct sim_frame **pp = &sim->queue;
    while (*pp && (*pp)->at <= at)
        pp = &(*pp)->next;
    f->next = *pp;
    *pp = f;
}

static void send_at(struct sim *sim, int from, const void *frame, size_t len, uint64_t t0);

void sim_send(struct sim *sim, int from, const void *frame, size_t len)
{
    send_at(sim, from, frame, len, sim->now);
}

/* The frame leaves the sender at t0 (now, or when its ring lets it go). */
static void send_at(struct sim *sim, int from, const void *frame, size_t len, uint64_t t0)
{
    int to = 1 - from;
    sim->end[from].tx_frames++;
    if (sim->tap)
        sim->tap(sim, from, frame, len);
    if (sim->link_down || (sim->loss_pct && sim_rand(sim) % 100 < sim->loss_pct)) {
        sim->dropped++;
        return;
    }
    int copies = 1;
    if (sim->dup_pct && sim_rand(sim) % 100 < sim->dup_pct) {
        copies = 2;
        sim->duplicated++;
    }
    for (int c = 0; c < copies; c++) {
        uint64_t at = t0 + sim->latency_ns;
        if (sim->jitter_ns && sim->reorder_pct && sim_rand(sim) % 100 < sim->reorder_pct)
            at += sim_rand(sim) % sim->jitter_ns;
        enqueue(sim, to, frame, len, at);
        if (sim->corrupt_pct && sim_rand(sim) % 100 < sim->corrupt_pct) {
            /* flip one bit past the Ethernet header of the copy just queued */
            struct sim_frame *f = sim->queue;
            while (f->at != at || f->len != len || memcmp(f->data, frame, len))
                f = f->next;
            if (len > 14) {
                size_t pos = 14 + sim_rand(sim) % (len - 14);
                f->data[pos] ^= (uint8_t)(1u << (sim_rand(sim) % 8));
                sim->corrupted++;
            }
        }
    }
}

/* End of the outage holding time t, or t when none does. */
static uint64_t outage_end(const struct sim_txq *q, uint64_t t)
{
    if (!q->outage_every_ns || t % q->outage_every_ns >= q->outage_ns)
        return t;
    return t - t % q->outage_every_ns + q->outage_ns;
}

/* Frames that have left the ring by now free their slots. */
static void txq_retire(struct sim_txq *q, uint64_t now)
{
    while (q->used && q->out[q->head] <= now) {
        q->head = (q->head + 1) % SIM_TXQ_MAX;
        q->used--;
    }
}

/* When a refused sender may go again: a slot free and no outage. */
static uint64_t txq_ready_at(const struct sim_txq *q, uint64_t now)
{
    uint64_t t = now;
    if (q->used >= q->cap && q->out[q->head] > t)
        t = q->out[q->head];
    return outage_end(q, t);
}

static int link_tx(struct net_netif *netif, const void *frame, size_t len)
{
    struct sim *sim = netif->driver;
    int side = side_of(sim, netif->stack);
    struct sim_txq *q = &sim->end[side].txq;
    if (!q->cap) {
        sim_send(sim, side, frame, len);
        return 0;
    }
    txq_retire(q, sim->now);
    if (q->used >= q->cap || outage_end(q, sim->now) != sim->now) {
        q->refusals++;
        q->refused = true;
        return ERR_WOULD_BLOCK;
    }
    uint64_t t = q->last_out > sim->now ? q->last_out : sim->now;
    t += q->gap_ns;
    q->last_out = t;
    q->out[(q->head + q->used) % SIM_TXQ_MAX] = t;
    if (++q->used > q->max_used)
        q->max_used = q->used;
    send_at(sim, side, frame, len, t);
    return 0;
}

/* End 0 takes frames in pieces (tx_sg), end 1 whole (tx): both paths run. */
static int link_tx_sg(struct net_netif *netif, const struct net_iov *iov, int count)
{
    uint8_t frame[1600];
    size_t len = 0;
    for (int i = 0; i < count; i++) {
        if (len + iov[i].len > sizeof frame)
            return ERR_TOO_BIG;
        memcpy(frame + len, iov[i].base, iov[i].len);
        len += iov[i].len;
    }
    return link_tx(netif, frame, len);
}

static void make_end(struct sim *sim, int i, const struct net_config *cfg)
{
    struct net_port port = {
        .ctx = &sim->end[i], .now_ns = port_now, .random = port_random,
        .malloc = port_malloc, .free = port_free,
        .event = port_event, .stack_event = port_stack_event,
    };
    struct sim_end *e = &sim->end[i];
    e->stack = net_stack_create(&port, cfg);
    struct net_netif_config nc = {
        .name = "eth0", .mtu = 1500, .tx = link_tx, .driver = sim,
        .tx_sg = i == 0 ? link_tx_sg : NULL,
    };
    memcpy(nc.mac, e->mac, 6);
    net_netif_add(e->stack, &nc, &e->netif);
}

static void init_common(struct sim *sim, uint64_t seed)
{
    memset(sim, 0, sizeof *sim);
    sim->rng = seed * 0x9e3779b97f4a7c15ull + 1;
    sim->now = 1000 * SIM_S;
    sim->latency_ns = 1 * SIM_MS;
    for (int i = 0; i < 2; i++) {
        sim->end[i].sim = sim;
        uint8_t mac[6] = {0x02, 0, 0, 0, 0, (uint8_t)(i + 1)};
        memcpy(sim->end[i].mac, mac, 6);
    }
}

void sim_init(struct sim *sim, uint64_t seed, const struct net_config *cfg)
{
    init_common(sim, seed);
    make_end(sim, 0, cfg);
    make_end(sim, 1, cfg);
    net_netif_set_addr(sim->end[0].netif, SIM_IP_A, 24, 0, 0);
    net_netif_set_addr(sim->end[1].netif, SIM_IP_B, 24, 0, 0);
    net_netif_set_up(sim->end[0].netif, true);
    net_netif_set_up(sim->end[1].netif, true);
}

void sim_init_peer(struct sim *sim, uint64_t seed, const struct net_config *cfg,
                   sim_peer_fn peer)
{
    init_common(sim, seed);
    make_end(sim, 0, cfg);
    sim->end[1].peer = peer;
    net_netif_set_up(sim->end[0].netif, true);
}

void sim_destroy(struct sim *sim)
{
    for (int i = 0; i < 2; i++)
        if (sim->end[i].stack)
            net_stack_destroy(sim->end[i].stack);
    while (sim->queue) {
        struct sim_frame *f = sim->queue;
        sim->queue = f->next;
        free(f);
    }
}

static uint64_t next_event(struct sim *sim)
{
    uint64_t t = UINT64_MAX;
    if (sim->queue)
        t = sim->queue->at;
    for (int i = 0; i < 2; i++)
        if (sim->end[i].txq.refused) {
            uint64_t r = txq_ready_at(&sim->end[i].txq, sim->now);
            if (r < t)
                t = r;
        }
    for (int i = 0; i < 2; i++)
        if (sim->end[i].stack) {
            uint64_t d = net_next_deadline(sim->end[i].stack);
            if (d < t)
                t = d;
        }
    return t;
}

bool sim_run(struct sim *sim, uint64_t until, sim_done_fn done, void *ctx)
{
    for (;;) {
        if (done && done(sim, ctx))
            return true;
        uint64_t t = next_event(sim);
        if (t > until) {
            if (until > sim->now)
                sim->now = until;
            return done ? done(sim, ctx) : true;
        }
        if (t > sim->now)
            sim->now = t;
        if (sim->queue && sim->queue->at <= sim->now) {
            struct sim_frame *f = sim->queue;
            sim->queue = f->next;
            struct sim_end *e = &sim->end[f->to];
            sim->delivered++;
            if (e->stack)
                net_input(e->stack, e->netif, f->data, f->len);
            else if (e->peer)
                e->peer(sim, f->to, f->data, f->len);
            free(f);
            continue;
        }
        bool ready = false;
        for (int i = 0; i < 2; i++) {
            struct sim_txq *q = &sim->end[i].txq;
            if (q->refused && txq_ready_at(q, sim->now) <= sim->now) {
                /* the driver's completion path: room again */
                txq_retire(q, sim->now);
                q->refused = false;
                q->ready_calls++;
                net_netif_tx_ready(sim->end[i].netif);
                ready = true;
            }
        }
        if (ready)
            continue;
        for (int i = 0; i < 2; i++)
            if (sim->end[i].stack && net_next_deadline(sim->end[i].stack) <= sim->now)
                net_poll(sim->end[i].stack, sim->now);
    }
}

void sim_advance(struct sim *sim, uint64_t ns)
{
    sim_run(sim, sim->now + ns, NULL, NULL);
}

struct xfer {
    struct net_sock *tx, *rx;
    size_t len, sent, got;
    bool bad;
    uint8_t buf[65536];
};

static uint8_t pattern(size_t i)
{
    return (uint8_t)((i * 2654435761u) >> 13);
}

static bool xfer_step(struct sim *sim, void *ctx)
{
    (void)sim;
    struct xfer *x = ctx;
    while (x->sent < x->len) {
        size_t n = x->len - x->sent;
        if (n > sizeof x->buf)
            n = sizeof x->buf;
        for (size_t i = 0; i < n; i++)
            x->buf[i] = pattern(x->sent + i);
        int r = net_send(x->tx, x->buf, n);
        if (r <= 0)
            break;
        x->sent += (size_t)r;
    }
    for (;;) {
        int r = net_recv(x->rx, x->buf, sizeof x->buf);
        if (r <= 0)
            break;
        for (int i = 0; i < r; i++)
            if (x->buf[i] != pattern(x->got + (size_t)i))
                x->bad = true;
        x->got += (size_t)r;
    }
    return x->bad || x->got >= x->len;
}

size_t sim_transfer(struct sim *sim, struct net_sock *tx, struct net_sock *rx, size_t len,
                    uint64_t until)
{
    struct xfer *x = calloc(1, sizeof *x);
    x->tx = tx;
    x->rx = rx;
    x->len = len;
    sim_run(sim, until, xfer_step, x);
    size_t got = x->bad ? 0 : x->got;
    if (x->bad) fprintf(stderr, "sim_transfer: data mismatch after %zu bytes\n", x->got);
    free(x);
    return got;
}

struct pair {
    struct net_sock *ls, *a, *b;
};

static bool pair_done(struct sim *sim, void *ctx)
{
    (void)sim;
    struct pair *p = ctx;
    if (!p->b)
        net_accept(p->ls, &p->b);
    return p->b && net_connect(p->a, SIM_IP_B, 0) == 0;
}

int sim_connect_pair(struct sim *sim, uint16_t port, struct net_sock **a,
                     struct net_sock **b, uint64_t until)
{
    struct pair p = {0};
    int r;
    if ((r = net_socket(sim->end[1].stack, NET_SOCK_TCP, &p.ls)) < 0)
        return r;
    if ((r = net_bind(p.ls, 0, port)) < 0 || (r = net_listen(p.ls, 4)) < 0)
        return r;
    if ((r = net_socket(sim->end[0].stack, NET_SOCK_TCP, &p.a)) < 0)
        return r;
    r = net_connect(p.a, SIM_IP_B, port);
    if (r != ERR_WOULD_BLOCK)
        return r;
    if (!sim_run(sim, until, pair_done, &p))
        return ERR_TIMED_OUT;
    net_close(p.ls);
    *a = p.a;
    *b = p.b;
    return 0;
}
