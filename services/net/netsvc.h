/*
 * The kernel's one network stack instance (lib/net) and the lock around it.
 *
 * lib/net is single-threaded: every call into it happens with the net lock
 * held (net_lock()/net_unlock()). Frames come in from each virtio-net
 * driver's receive thread, timers run in the "net-timer" thread (tickless:
 * it sleeps until net_next_deadline()), and kernel services reach sockets
 * through ksock.h, which takes the lock for them.
 *
 * Interfaces: eth0, eth1... one per virtio-net device, configured from
 * bootargs (see docs/net-service.md):
 *   ip=A/P gw=G dns=D         eth0 static (ip=dhcp or no ip=: DHCP)
 *   ip1=A/P gw1=G dns1=D      eth1 static; ip1=dhcp, ip1=off
 */
#ifndef SERVICES_NET_NETSVC_H
#define SERVICES_NET_NETSVC_H

#include <stdbool.h>
#include <stdint.h>
#include "net/net.h"

/* The stack, or NULL before the network is up (or with no memory). */
struct net_stack *netsvc_stack(void);

void net_lock(void);
/* Releases the lock after re-arming the timer thread if a deadline moved. */
void net_unlock(void);

/* Interface n (0 = eth0), NULL if absent. Fields: read under the lock. */
struct net_netif *netsvc_netif(int n);
int netsvc_netif_count(void);
/* The virtio-net device behind an interface (for link state and counters). */
struct virtio_net *netsvc_device(const struct net_netif *netif);

/*
 * Waits (without the lock) until a stack-wide event in mask (NET_SEV_*)
 * is raised after *seq, or the timeout passes. Pass the value returned by
 * netsvc_stack_seq() taken under the lock before the non-blocking call.
 */
unsigned netsvc_stack_seq(void);
int netsvc_stack_wait(unsigned seq, int64_t timeout_ns);

/* Memory for the stack, its buffers and services: big blocks come from
   the page allocator (see mem.c). Free with netsvc_free only. */
void *netsvc_malloc(size_t size);
void *netsvc_calloc(size_t size);
void netsvc_free(void *p);

/* Fills buf with random bytes (seeded PRNG; see rand.c). */
void netsvc_random(void *buf, size_t len);

/*
 * Profile counters (guarded by the net lock): cycle-counter ticks spent
 * (under QEMU TCG the counter follows host time, not guest instructions)
 * in the stack per received frame (net_input, including any segments it
 * sends in reply) and in the driver per transmitted frame; and in ksock
 * send/recv calls per byte. Printed by `netstat -p`.
 */
struct netsvc_prof {
    uint64_t rx_frames, rx_cycles;
    uint64_t tx_frames, tx_cycles;
    uint64_t sock_calls, sock_bytes, sock_cycles;
};
extern struct netsvc_prof netsvc_prof;

/* Set by ksock.c: the socket event hook the port forwards to. */
void ksock_event(struct net_sock *sock, unsigned events);

#endif
