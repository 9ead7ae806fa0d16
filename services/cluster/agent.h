/*
 * The cluster agent: tells the controller (pusctl) that this node is alive.
 * Every hb_ms milliseconds it sends one authenticated heartbeat over UDP
 * (format: docs/cluster-protocol.md, codec: lib/cluster) with the node id,
 * a random boot id, a sequence number, uptime, wall time, CPU load, free
 * memory and a summary of the apps. Configured from bootargs:
 *   node=N controller=IP:PORT key=HEX [hb_ms=100]
 * Without controller= the agent stays off (a stand-alone node).
 */
#ifndef SERVICES_CLUSTER_AGENT_H
#define SERVICES_CLUSTER_AGENT_H

#include <stdint.h>
#include "cluster/bootargs.h"
#include "cluster/heartbeat.h"

/* Filled by the app manager when it exists; the default lists no apps. */
void cluster_app_summary(struct heartbeat *hb);

/* Per-mille of CPU time spent outside the idle threads since the last call
   with the same state (all harts together). */
struct cpu_load_state {
    uint64_t last_now, last_idle;
};
unsigned cluster_cpu_load(struct cpu_load_state *st);

/*
 * Gives the segment NIC (MAC mac=) the address ip= and the uplink NIC (MAC
 * up_mac=) up_ip= and up_gw=, whatever order the devices were probed in
 * (see netconf.c). Indexes of the interfaces chosen (netsvc_netif), -1 if
 * none. Without mac= it changes nothing and returns 0.
 */
struct cluster_netconf_result {
    int segment, uplink;
};
int cluster_netconf(const struct cluster_bootargs *cfg, struct cluster_netconf_result *res);

#endif
