/* DHCP client (RFC 2131) for one interface: discover, request, renew, rebind. */
#ifndef NET_DHCP_H
#define NET_DHCP_H

#include <stdint.h>

#include "net/netif.h"

enum net_dhcp_state {
    DHCP_OFF = 0, DHCP_INIT, DHCP_SELECTING, DHCP_REQUESTING,
    DHCP_BOUND, DHCP_RENEWING, DHCP_REBINDING,
    DHCP_CHECKING,   /* ACK received; asking ARP whether the address is free */
};

/* Starts (or restarts) address acquisition on netif. */
int net_dhcp_start(struct net_netif *netif);
/* Stops the client, releasing the lease (DHCPRELEASE) if one is held. */
void net_dhcp_stop(struct net_stack *stack);
int net_dhcp_state(struct net_stack *stack);
/* Seconds left on the lease, 0 when none. */
uint32_t net_dhcp_lease_left(struct net_stack *stack);

#endif
