#include "net/priv.h"
bool dhcp_input(struct net_stack *s, struct net_netif *nif, const uint8_t *ip,
                const uint8_t *udp, size_t len) { (void)s; (void)nif; (void)ip; (void)udp; (void)len; return false; }
void dhcp_poll(struct net_stack *s, uint64_t now) { (void)s; (void)now; }
uint64_t dhcp_deadline(struct net_stack *s) { (void)s; return NEVER; }
void dhcp_free(struct net_stack *s) { (void)s; }
