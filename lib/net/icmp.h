/* ICMP echo for the shell's `ping`. */
#ifndef NET_ICMP_H
#define NET_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "net/port.h"

/*
 * Sends one echo request with `size` bytes of payload (0..1472) and returns a
 * ticket (>= 0), or an error. The reply (or the timeout) raises NET_SEV_PING;
 * net_ping_result() then tells which.
 */
int net_ping_send(struct net_stack *stack, uint32_t dst, size_t size,
                  uint64_t timeout_ns);
/*
 * 0 with the round-trip time when the reply came; ERR_WOULD_BLOCK while
 * waiting; ERR_TIMED_OUT or ERR_UNREACHABLE. A finished ticket is freed by
 * the call that reports it.
 */
int net_ping_result(struct net_stack *stack, int ticket, uint64_t *rtt_ns);

#endif
