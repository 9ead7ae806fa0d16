/*
 * Sockets for kernel services: blocking calls with timeouts over the
 * non-blocking lib/net socket API.
 *
 * Timeouts are in nanoseconds: 0 returns at once (ERR_WOULD_BLOCK when the
 * call cannot proceed), TIMEOUT_INFINITE (-1) waits as long as it takes.
 * A socket in non-blocking mode (ksock_set_nonblocking) treats every
 * timeout as 0. Addresses are IPv4 in host byte order (NET_IP4(10,0,2,15)).
 *
 * Errors (pus/err.h): ERR_WOULD_BLOCK (nothing yet, non-blocking),
 * ERR_TIMED_OUT (the timeout passed; for send: nothing was queued),
 * ERR_CLOSED (end of stream; send after shutdown), ERR_CONN_REFUSED,
 * ERR_CONN_RESET, ERR_UNREACHABLE, ERR_ADDR_IN_USE, ERR_NOT_CONNECTED,
 * ERR_NO_MEMORY, ERR_TOO_BIG (UDP datagram over the MTU), ERR_BAD_HANDLE
 * (the socket was closed by another thread while this one waited),
 * ERR_NO_DEVICE (no network stack).
 *
 * A socket may be used by several threads (e.g. one sending, one
 * receiving); ksock_close must be the last call, made once.
 */
#ifndef SERVICES_NET_KSOCK_H
#define SERVICES_NET_KSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/netif.h"      /* NET_IP4 */
#include "net/socket.h"     /* NET_SOCK_*, NET_SHUT_*, enum net_sockopt */
#include "net/port.h"       /* NET_EV_* readiness bits */

#define KSOCK_TCP NET_SOCK_TCP
#define KSOCK_UDP NET_SOCK_UDP

/* Readiness bits for ksock_poll (the same as lib/net's). */
#define KSOCK_READABLE NET_EV_READABLE   /* data, end of stream or error */
#define KSOCK_WRITABLE NET_EV_WRITABLE   /* room to send / connected */
#define KSOCK_ERROR    NET_EV_ERROR
#define KSOCK_ACCEPT   NET_EV_ACCEPT     /* a listener has a connection */
#define KSOCK_HUP      NET_EV_HUP        /* peer finished sending, or dead */

struct ksock;

int ksock_socket(int type, struct ksock **out);
int ksock_close(struct ksock *s);
void ksock_set_nonblocking(struct ksock *s, bool on);
int ksock_setopt(struct ksock *s, enum net_sockopt opt, uint32_t value);

/* addr 0: any address; port 0: an ephemeral port. */
int ksock_bind(struct ksock *s, uint32_t addr, uint16_t port);
int ksock_listen(struct ksock *s, int backlog);
int ksock_accept(struct ksock *s, struct ksock **out, int64_t timeout_ns);
/* TCP: handshake (on timeout the socket is left connecting: close it).
   UDP: sets the default peer. */
int ksock_connect(struct ksock *s, uint32_t addr, uint16_t port, int64_t timeout_ns);

/*
 * TCP: queues all len bytes, waiting for room as needed; returns len, or
 * fewer when the timeout or an error came after some bytes were queued
 * (in non-blocking mode: whatever fits). UDP: one datagram to the peer.
 */
int ksock_send(struct ksock *s, const void *buf, size_t len, int64_t timeout_ns);
/* Some bytes (1..len), or ERR_CLOSED at end of stream, or an error. */
int ksock_recv(struct ksock *s, void *buf, size_t len, int64_t timeout_ns);
/* Like ksock_recv but loops until len bytes came (or EOF/error/timeout:
   returns what arrived if any). */
int ksock_recv_all(struct ksock *s, void *buf, size_t len, int64_t timeout_ns);

int ksock_sendto(struct ksock *s, const void *buf, size_t len, uint32_t addr, uint16_t port,
                 int64_t timeout_ns);
/* One datagram truncated to len; returns its full length. */
int ksock_recvfrom(struct ksock *s, void *buf, size_t len, uint32_t *addr, uint16_t *port,
                   int64_t timeout_ns);

int ksock_shutdown(struct ksock *s, int how);   /* NET_SHUT_RD/WR/RDWR */

void ksock_local(struct ksock *s, uint32_t *addr, uint16_t *port);
void ksock_peer(struct ksock *s, uint32_t *addr, uint16_t *port);

struct ksock_pollfd {
    struct ksock *sock;
    unsigned events;      /* KSOCK_* bits of interest */
    unsigned revents;     /* set: the ready ones (ERROR and HUP always) */
};
/* Waits until one socket is ready; returns how many are (0 on timeout). */
int ksock_poll(struct ksock_pollfd *fds, int n, int64_t timeout_ns);

/* Name or dotted quad to an address through the stack's DNS resolver. */
int ksock_resolve(const char *name, uint32_t *addr, int64_t timeout_ns);

#endif
