/* TCP connection states (RFC 9293 section 3.3.2) and their names. */
#ifndef NET_TCP_H
#define NET_TCP_H

enum net_tcp_state {
    TCP_CLOSED = 0,
    TCP_LISTEN,
    TCP_SYN_SENT,
    TCP_SYN_RCVD,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
};

struct net_sock;

/* The state of a TCP socket (TCP_CLOSED for UDP). */
int net_tcp_state(const struct net_sock *sock);

/* "ESTABLISHED", ... never NULL. */
const char *net_tcp_state_name(int state);

#endif
