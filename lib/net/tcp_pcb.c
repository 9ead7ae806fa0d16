/*
 * TCP connection blocks: creation defaults, initial sequence numbers,
 * lookup, and the ways a connection ends.
 */
#include "net/tcp_priv.h"

static const char *const state_names[] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

const char *net_tcp_state_name(int state)
{
    if (state < 0 || state > TCP_TIME_WAIT)
        return "?";
    return state_names[state];
}

int net_tcp_state(const struct net_sock *sk)
{
    return sk->type == NET_SOCK_TCP ? sk->tcp.state : TCP_CLOSED;
}

void tcp_set_state(struct net_sock *sk, int state)
{
    sk->tcp.state = state;
}

void tcp_init_pcb(struct net_sock *sk)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    tp->rto = TCP_RTO_INITIAL;
    tp->t_rexmt = tp->t_persist = tp->t_keep = tp->t_delack = tp->t_2msl = NEVER;
    tp->keep_idle = s->cfg.tcp_keep_idle_ns;
    tp->keep_intvl = s->cfg.tcp_keep_intvl_ns;
    tp->keep_cnt = s->cfg.tcp_keep_cnt;
    tp->rcvbuf_size = s->cfg.tcp_rcvbuf;
    tp->sndbuf_size = s->cfg.tcp_sndbuf;
    tp->mss = TCP_MSS_DEFAULT;
}

uint8_t tcp_wscale_for(uint32_t cap)
{
    uint8_t ws = 0;
    while (ws < TCP_WSCALE_MAX && (cap >> ws) > 65535)
        ws++;
    return ws;
}

int tcp_alloc_buffers(struct net_sock *sk)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    if (ring_alloc(s, &tp->rbuf, tp->rcvbuf_size) < 0)
        return ERR_NO_MEMORY;
    if (ring_alloc(s, &tp->sbuf, tp->sndbuf_size) < 0) {
        ring_free(s, &tp->rbuf);
        return ERR_NO_MEMORY;
    }
    return 0;
}

void tcp_free_buffers(struct net_sock *sk)
{
    ring_free(sk->stack, &sk->tcp.rbuf);
    ring_free(sk->stack, &sk->tcp.sbuf);
    sk->tcp.n_ooo = 0;
}

/*
 * RFC 6528: ISN = M + F(4-tuple, secret), M a clock ticking every 4 us.
 * F here is a keyed integer mix, not a cryptographic hash: it keeps
 * sequence numbers of different connections apart and hard to guess
 * from outside without a secret, which is what a fog node needs.
 */
static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x9e3779b1u;
    h ^= h >> 15;
    h *= 0x85ebca77u;
    h ^= h >> 13;
    return h;
}

uint32_t tcp_iss(struct net_stack *s, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp)
{
    uint32_t h = mix(s->secret[0], la);
    h = mix(h ^ s->secret[1], ra);
    h = mix(h ^ s->secret[2], ((uint32_t)lp << 16) | rp);
    h = mix(h, s->secret[3]);
    return h + (uint32_t)(s->now / 4000);
}

uint32_t tcp_rcv_space(const struct tcp_pcb *tp)
{
    if (!tp->rbuf.buf && tp->state == TCP_SYN_RCVD)
        return tp->rcvbuf_size;   /* allocated when the handshake completes */
    return tp->rbuf.cap - tp->rbuf.len;
}

struct net_sock *tcp_lookup(struct net_stack *s, uint32_t src, uint16_t sport,
                            uint32_t dst, uint16_t dport, bool listeners)
{
    struct net_sock *listener = NULL;
    for (struct net_sock *sk = s->socks; sk; sk = sk->next) {
        if (sk->type != NET_SOCK_TCP || sk->lport != dport)
            continue;
        int st = sk->tcp.state;
        if (st == TCP_LISTEN) {
            if (listeners && (!sk->laddr || sk->laddr == dst) &&
                (!listener || sk->laddr))
                listener = sk;
            continue;
        }
        if (st != TCP_CLOSED && sk->rport == sport && sk->raddr == src && sk->laddr == dst)
            return sk;
    }
    return listener;
}

/* Unlinks an unaccepted child from its listener. */
static void unlink_child(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    struct net_sock *parent = tp->parent;
    if (!parent || tp->accepted)
        return;
    struct tcp_pcb *pp = &parent->tcp;
    struct net_sock **q = &pp->acceptq, *prev = NULL;
    while (*q && *q != sk) {
        prev = *q;
        q = &(*q)->tcp.next_accept;
    }
    if (*q) {
        *q = sk->tcp.next_accept;
        if (pp->acceptq_tail == sk)
            pp->acceptq_tail = prev;
    }
    pp->n_children--;
    tp->parent = NULL;
}

static void stop_timers(struct tcp_pcb *tp)
{
    tp->t_rexmt = tp->t_persist = tp->t_keep = tp->t_delack = tp->t_2msl = NEVER;
}

/* The connection is gone for good: free it now if nobody holds the handle. */
void tcp_closed(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    tcp_set_state(sk, TCP_CLOSED);
    stop_timers(tp);
    if (tp->parent && !tp->accepted) {
        unlink_child(sk);
        sock_free(sk);
        return;
    }
    if (sk->orphan) {
        sock_free(sk);
        return;
    }
    /* keep received data readable; the send side is over */
    ring_free(sk->stack, &tp->sbuf);
    net_sock_event(sk, NET_EV_READABLE | NET_EV_WRITABLE | NET_EV_HUP);
}

/* The connection failed (reset, refused, timed out, unreachable). */
void tcp_drop(struct net_sock *sk, int err)
{
    sk->err = err;
    sk->dead_err = err;
    tcp_set_state(sk, TCP_CLOSED);
    stop_timers(&sk->tcp);
    if ((sk->tcp.parent && !sk->tcp.accepted) || sk->orphan) {
        tcp_closed(sk);
        return;
    }
    tcp_free_buffers(sk);
    net_sock_event(sk, NET_EV_ERROR | NET_EV_READABLE | NET_EV_WRITABLE | NET_EV_HUP);
}

void tcp_enter_time_wait(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    tcp_set_state(sk, TCP_TIME_WAIT);
    stop_timers(tp);
    tp->t_2msl = sk->stack->now + sk->stack->cfg.tcp_time_wait_ns;
    /* nothing more can be sent; keep received bytes for a late reader */
    ring_free(sk->stack, &tp->sbuf);
    if (sk->orphan)
        ring_free(sk->stack, &tp->rbuf);
    net_sock_event(sk, NET_EV_READABLE | NET_EV_HUP);
}
