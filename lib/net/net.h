/*
 * PusOS network stack: Ethernet, ARP, IPv4 (with reassembly), ICMP, UDP,
 * TCP (RFC 9293, NewReno, window scaling), DHCP client, DNS resolver.
 *
 * A portable, freestanding library: it reaches its host only through
 * struct net_port (net/port.h), builds into the kernel and on the host for
 * tests and fuzzers. See docs/net.md for the design.
 *
 *   net/port.h    port callbacks, configuration, stack, net_poll
 *   net/netif.h   interfaces, net_input, static addresses
 *   net/socket.h  TCP and UDP sockets
 *   net/tcp.h     TCP states
 *   net/icmp.h    ping
 *   net/dhcp.h    DHCP client
 *   net/dns.h     DNS resolver
 *   net/info.h    socket / ARP enumeration and counters
 *
 * Locking: none inside. Every function of every header must be called with
 * the caller's single net lock held; callbacks run under that lock.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include "net/port.h"
#include "net/netif.h"
#include "net/socket.h"
#include "net/tcp.h"
#include "net/icmp.h"
#include "net/dhcp.h"
#include "net/dns.h"
#include "net/info.h"

#endif
