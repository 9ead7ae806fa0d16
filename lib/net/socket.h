/*
 * The socket API for kernel services (lwIP raw-API style: non-blocking).
 *
 * Every call returns at once. When it cannot proceed it returns
 * ERR_WOULD_BLOCK, and the stack later reports progress through the port's
 * event callback (NET_EV_* bits) so the kernel glue can wake a wait queue and
 * retry: that is how blocking calls with timeouts and waiting on several
 * sockets are built. net_sock_poll() gives the current readiness at any time.
 *
 * Errors: ERR_CONN_REFUSED (RST to our SYN, ICMP port unreachable),
 * ERR_CONN_RESET (RST on a live connection), ERR_TIMED_OUT (retransmits or
 * keepalive gave up), ERR_UNREACHABLE (no route, ARP failed), ERR_ADDR_IN_USE,
 * ERR_CLOSED (end of stream on recv; send after shutdown), ERR_NOT_CONNECTED,
 * ERR_NO_MEMORY (stack memory limit), ERR_INVALID_ARGS, ERR_BAD_STATE.
 * A connection error is reported once by a call and then sticks as the
 * socket's state: later calls return ERR_NOT_CONNECTED.
 */
#ifndef NET_SOCKET_H
#define NET_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "net/port.h"

#define NET_SOCK_TCP 1
#define NET_SOCK_UDP 2

#define NET_SHUT_RD   1
#define NET_SHUT_WR   2
#define NET_SHUT_RDWR 3

/* Socket options for net_sock_setopt() / net_sock_getopt(). */
enum net_sockopt {
    NET_OPT_NODELAY = 1,   /* 1 disables Nagle's algorithm (TCP) */
    NET_OPT_KEEPALIVE,     /* 1 enables keepalive probes (TCP) */
    NET_OPT_KEEPIDLE_MS,
    NET_OPT_KEEPINTVL_MS,
    NET_OPT_KEEPCNT,
    NET_OPT_RCVBUF,        /* bytes; before connect/listen (TCP), any time (UDP) */
    NET_OPT_SNDBUF,
};

/* New unbound socket of type NET_SOCK_TCP or NET_SOCK_UDP. */
int net_socket(struct net_stack *stack, int type, struct net_sock **out);

/* addr 0 = any; port 0 = pick an ephemeral port. */
int net_bind(struct net_sock *sock, uint32_t addr, uint16_t port);
int net_listen(struct net_sock *sock, int backlog);
/* A new established connection, or ERR_WOULD_BLOCK. */
int net_accept(struct net_sock *sock, struct net_sock **out);
/*
 * TCP: starts the handshake and returns ERR_WOULD_BLOCK; NET_EV_WRITABLE
 * (done) or NET_EV_ERROR (failed) follows. Calling again returns 0 once
 * established, ERR_ALREADY while in progress, or the failure.
 * UDP: sets the default peer, returns 0.
 */
int net_connect(struct net_sock *sock, uint32_t addr, uint16_t port);

/* Bytes queued (maybe fewer than len), or ERR_WOULD_BLOCK when full. */
int net_send(struct net_sock *sock, const void *buf, size_t len);
/* Bytes read; ERR_WOULD_BLOCK when none yet; ERR_CLOSED at end of stream. */
int net_recv(struct net_sock *sock, void *buf, size_t len);

/* One datagram (at most MTU - 28 bytes, else ERR_TOO_BIG). */
int net_sendto(struct net_sock *sock, const void *buf, size_t len,
               uint32_t addr, uint16_t port);
/* One datagram, truncated to len; returns its full length. */
int net_recvfrom(struct net_sock *sock, void *buf, size_t len,
                 uint32_t *addr, uint16_t *port);

int net_shutdown(struct net_sock *sock, int how);
/*
 * Releases the handle. A TCP connection goes on closing gracefully in the
 * background (FIN, TIME_WAIT); if unread data was left, it is reset instead.
 * No event is delivered for the socket after this call.
 */
int net_close(struct net_sock *sock);
/* Releases the handle and resets the connection at once. */
void net_abort(struct net_sock *sock);

/* Current readiness: a NET_EV_* mask. */
unsigned net_sock_poll(struct net_sock *sock);
/* The pending error (and clears it), 0 when none. */
int net_sock_error(struct net_sock *sock);

int net_sock_setopt(struct net_sock *sock, enum net_sockopt opt, uint32_t value);
int net_sock_getopt(struct net_sock *sock, enum net_sockopt opt, uint32_t *value);

void net_sock_set_user(struct net_sock *sock, void *user);
void *net_sock_user(const struct net_sock *sock);
void net_sock_local(const struct net_sock *sock, uint32_t *addr, uint16_t *port);
void net_sock_peer(const struct net_sock *sock, uint32_t *addr, uint16_t *port);

#endif
