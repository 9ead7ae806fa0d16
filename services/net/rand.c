/*
 * Randomness for the network stack (TCP initial sequence keys, ephemeral
 * ports, DHCP transaction ids, DNS query ids).
 *
 * There is no entropy device yet, so we seed xoshiro256** from what differs
 * between boots and between nodes: the time CSR and cycle counter (whose low
 * bits depend on how long firmware and boot took), the RTC's wall time, and
 * every interface's MAC address. Each call also folds in the cycle counter,
 * so outputs depend on when they were asked for. Not cryptographic; good
 * enough that two nodes, or two boots, do not pick the same numbers.
 */
#include <string.h>
#include "services/net/netsvc.h"
#include "arch/riscv/csr.h"
#include "drivers/virtio/virtio_net.h"
#include "kernel/clock.h"
#include "kernel/spinlock.h"

static spinlock_t rand_lock;    /* guards state */
static uint64_t state[4];
static bool seeded;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next(void)
{
    uint64_t r = rotl(state[1] * 5, 7) * 9, t = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 45);
    return r;
}

static void seed(void)
{
    uint64_t x = rdtime() ^ rotl(rdcycle(), 32) ^ clock_wall_ns();
    for (int i = 0; i < virtio_net_count(); i++) {
        uint8_t mac[6];
        virtio_net_mac(virtio_net_get(i), mac);
        uint64_t m = 0;
        memcpy(&m, mac, 6);
        x ^= splitmix(&m) + (uint64_t)i;
    }
    for (int i = 0; i < 4; i++)
        state[i] = splitmix(&x);
    seeded = true;
}

void netsvc_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    uint64_t s;
    spin_lock_irqsave(&rand_lock, s);
    if (!seeded)
        seed();
    state[0] ^= rdcycle();      /* timing jitter of the caller */
    while (len > 0) {
        uint64_t v = next();
        size_t n = len < 8 ? len : 8;
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
    spin_unlock_irqrestore(&rand_lock, s);
}
