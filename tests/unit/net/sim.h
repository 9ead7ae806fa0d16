/*
 * A simulated Ethernet link between two endpoints, driven by a virtual
 * clock, for testing the stack without a network. Each endpoint is either
 * a net_stack with one interface, or a scripted peer (a callback that gets
 * every frame, used for the DHCP and DNS servers written in the tests).
 * The link can drop, duplicate, delay (and so reorder) and corrupt frames,
 * all decided by a PRNG seeded by the test, so every run is the same.
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

struct sim;
typedef void (*sim_peer_fn)(struct sim *sim, int side, const uint8_t *frame, size_t len);

struct sim_frame {
    struct sim_frame *next;
    uint64_t at;
    int to;
    size_t len;
    uint8_t data[];
};

/*
 * A driver's transmit ring in front of an end's link, for backpressure:
 * at most cap frames wait, one leaves every gap_ns; during an outage
 * (the first outage_ns of every outage_every_ns) nothing is taken. A frame
 * that finds no room is refused with ERR_WOULD_BLOCK, and once there is
 * room again the simulation calls net_netif_tx_ready(), as a driver does
 * from its transmit-completion path. Off while cap is 0.
 */
#define SIM_TXQ_MAX 256
struct sim_txq {
    unsigned cap;              /* 1..SIM_TXQ_MAX; 0: no ring, frames go at once */
    uint64_t gap_ns;
    uint64_t outage_every_ns, outage_ns;
    uint64_t out[SIM_TXQ_MAX]; /* departure times, oldest at head */
    unsigned head, used;
    uint64_t last_out;
    bool refused;              /* refused a frame; tx_ready owed */
    uint64_t refusals, ready_calls, max_used;
};

struct sim_end {
    struct sim *sim;
    struct net_stack *stack;
    struct net_netif *netif;
    sim_peer_fn peer;          /* scripted endpoint when stack is NULL */
    uint8_t mac[6];
    unsigned events;           /* OR of all socket events seen */
    unsigned stack_events;
    uint64_t tx_frames;
    struct sim_txq txq;
};

struct sim {
    uint64_t now;
    uint64_t rng;
    struct sim_end end[2];
    struct sim_frame *queue;   /* sorted by delivery time */
    uint64_t latency_ns;
    uint64_t jitter_ns;        /* random extra delay: reorders frames */
    unsigned loss_pct, dup_pct, corrupt_pct, reorder_pct;
    bool link_down;
    /* sees every frame sent, before the link's impairments */
    void (*tap)(struct sim *sim, int from, const uint8_t *frame, size_t len);
    void *tap_ctx;
    uint64_t delivered, dropped, duplicated, corrupted;
};

/* Both ends as stacks (cfg may be NULL for defaults). Addresses 10.0.0.1/.2. */
void sim_init(struct sim *sim, uint64_t seed, const struct net_config *cfg);
/* End 1 a scripted peer instead of a stack. */
void sim_init_peer(struct sim *sim, uint64_t seed, const struct net_config *cfg,
                   sim_peer_fn peer);
void sim_destroy(struct sim *sim);
uint32_t sim_rand(struct sim *sim);

/* A scripted peer sends a frame towards the other end. */
void sim_send(struct sim *sim, int from, const void *frame, size_t len);

/* Runs events up to time `until`, or until done(sim, ctx) is true. */
typedef bool (*sim_done_fn)(struct sim *sim, void *ctx);
bool sim_run(struct sim *sim, uint64_t until, sim_done_fn done, void *ctx);
/* Runs for a span of virtual time. */
void sim_advance(struct sim *sim, uint64_t ns);

/*
 * Moves len bytes from a TCP socket to another through the link, checking
 * they arrive byte-exact; both sockets connected. Returns bytes verified,
 * stops at time `until`.
 */
size_t sim_transfer(struct sim *sim, struct net_sock *tx, struct net_sock *rx, size_t len,
                    uint64_t until);

/* A connected pair: A connects to B's listener on port. */
int sim_connect_pair(struct sim *sim, uint16_t port, struct net_sock **a,
                     struct net_sock **b, uint64_t until);

#define SIM_IP_A NET_IP4(10, 0, 0, 1)
#define SIM_IP_B NET_IP4(10, 0, 0, 2)
#define SIM_MS 1000000ull
#define SIM_S 1000000000ull

#endif
