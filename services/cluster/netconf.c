/*
 * Interface addressing for a cluster node, by MAC.
 *
 * The network service configures eth0, eth1... from ip=/ip1= in probe
 * order, and the order in which virtio-mmio slots are probed need not be
 * the order in which `pusctl` put the NICs on QEMU's command line. So with
 * the cluster bootargs ip= may land on the uplink and the segment NIC may
 * be left to DHCP. pusctl names each NIC by MAC (mac= for the segment,
 * up_mac= for the uplink towards the controller), and this file moves the
 * addresses to the right interfaces before the agent sends anything:
 *
 *   NIC with MAC mac=      gets ip=             (no gateway: one segment)
 *   NIC with MAC up_mac=   gets up_ip= up_gw=   (the route to the controller)
 *
 * Any other interface holding one of those addresses (put there by probe
 * order) loses it. A cluster node uses static addresses only, so the DHCP
 * client the network service may have started on a leftover NIC is
 * stopped. Without mac= (a node started by hand) nothing changes.
 *
 * Runs once at boot, before the agent thread starts, under the net lock
 * (which guards every lib/net call and the interfaces' fields).
 */
#include <string.h>
#include "services/cluster/agent.h"
#include "services/net/netsvc.h"
#include "kernel/log.h"
#include "pus/err.h"

static void log_netif(const struct net_netif *nif, const char *role, uint32_t addr,
                      unsigned prefix)
{
    char a[16];
    log_info("cluster: %s %02x:%02x:%02x:%02x:%02x:%02x is the %s: %s/%u", nif->name,
             nif->mac[0], nif->mac[1], nif->mac[2], nif->mac[3], nif->mac[4], nif->mac[5], role,
             net_ip_str(addr, a), prefix);
}

int cluster_netconf(const struct cluster_bootargs *cfg, struct cluster_netconf_result *res)
{
    memset(res, 0, sizeof(*res));
    res->segment = res->uplink = -1;
    if (!cfg->has_mac)
        return 0;
    net_lock();
    struct net_stack *stack = netsvc_stack();
    int count = netsvc_netif_count();
    if (!stack || count == 0) {
        net_unlock();
        log_error("cluster: no network interface to configure");
        return ERR_NO_DEVICE;
    }
    for (int i = 0; i < count; i++) {
        const struct net_netif *nif = netsvc_netif(i);
        if (!memcmp(nif->mac, cfg->mac, 6))
            res->segment = i;
        else if (cfg->has_up && cfg->has_up_mac && !memcmp(nif->mac, cfg->up_mac, 6))
            res->uplink = i;
    }
    /* An uplink without up_mac= is the one other NIC, if there is exactly one. */
    if (cfg->has_up && !cfg->has_up_mac && res->segment >= 0 && count == 2)
        res->uplink = 1 - res->segment;

    int r = 0;
    if (res->segment < 0) {
        log_error("cluster: no interface has the segment MAC given by mac=");
        r = ERR_NOT_FOUND;
    } else if (cfg->has_up && res->uplink < 0) {
        log_error("cluster: no interface has the uplink MAC given by up_mac=");
        r = ERR_NOT_FOUND;
    }
    if (r == 0) {
        if (net_dhcp_state(stack) != DHCP_OFF)
            net_dhcp_stop(stack);
        /* Clear first, so no address is held by two interfaces meanwhile. */
        for (int i = 0; i < count; i++) {
            struct net_netif *nif = netsvc_netif(i);
            if (i != res->segment && i != res->uplink && nif->addr &&
                (nif->addr == cfg->ip || (cfg->has_up && nif->addr == cfg->up_ip)))
                net_netif_set_addr(nif, 0, 0, 0, 0);
        }
        struct net_netif *seg = netsvc_netif(res->segment);
        r = net_netif_set_addr(seg, cfg->ip, cfg->prefix, 0, 0);
        if (r == 0)
            log_netif(seg, "segment", cfg->ip, cfg->prefix);
        if (r == 0 && res->uplink >= 0) {
            struct net_netif *up = netsvc_netif(res->uplink);
            r = net_netif_set_addr(up, cfg->up_ip, cfg->up_prefix, cfg->up_gw, 0);
            if (r == 0)
                log_netif(up, "uplink", cfg->up_ip, cfg->up_prefix);
        }
    }
    net_unlock();
    return r;
}
