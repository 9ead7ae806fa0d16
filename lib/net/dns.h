/* DNS resolver: A records over UDP, with a cache that honours TTLs. */
#ifndef NET_DNS_H
#define NET_DNS_H

#include <stdint.h>

#include "net/port.h"

/*
 * Looks name up. Returns 0 with *addr when known (dotted quad, cache, or
 * "localhost"); ERR_WOULD_BLOCK after starting (or while running) a query,
 * NET_SEV_DNS is raised when it ends; then, for a while, ERR_NOT_FOUND (no
 * such name), ERR_TIMED_OUT (no answer) or ERR_UNREACHABLE (no server).
 */
int net_dns_lookup(struct net_stack *stack, const char *name, uint32_t *addr);
/* Overrides the servers the interfaces gave (0 = unset). */
void net_dns_set_server(struct net_stack *stack, uint32_t server);

#endif
