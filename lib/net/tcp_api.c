/* The TCP half of the socket API (see net/socket.h). */
#include "net/tcp_priv.h"

unsigned tcp_events(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    unsigned ev = 0;
    if (sk->err)
        ev |= NET_EV_ERROR;
    if (tp->state == TCP_LISTEN)
        return ev | (tp->acceptq ? NET_EV_ACCEPT | NET_EV_READABLE : 0);
    bool dead = sk->dead_err != 0 || (tp->state == TCP_CLOSED && tp->iss != 0);
    if (tp->rbuf.len || tp->fin_rcvd || sk->rd_shut || dead)
        ev |= NET_EV_READABLE;
    if (tp->fin_rcvd || dead)
        ev |= NET_EV_HUP;
    if (dead)
        ev |= NET_EV_WRITABLE;
    else if ((tp->state == TCP_ESTABLISHED || tp->state == TCP_CLOSE_WAIT) &&
             !tp->fin_queued && tp->sbuf.len < tp->sbuf.cap)
        ev |= NET_EV_WRITABLE;
    return ev;
}

int tcp_connect(struct net_sock *sk, uint32_t addr, uint16_t port)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    switch (tp->state) {
    case TCP_CLOSED:
        if (sk->dead_err || tp->iss)
            return ERR_BAD_STATE;   /* a socket connects once */
        break;
    case TCP_SYN_SENT:
    case TCP_SYN_RCVD:
        return ERR_ALREADY;
    case TCP_LISTEN:
        return ERR_BAD_STATE;
    default:
        return 0;   /* already connected */
    }
    if (!addr || !port)
        return ERR_INVALID_ARGS;
    struct net_netif *nif;
    uint32_t src, nh;
    int r = ip_route(s, addr, &nif, &src, &nh);
    if (r < 0)
        return r;
    if (!sk->bound) {
        uint16_t p = port_ephemeral(s, NET_SOCK_TCP);
        if (!p)
            return ERR_ADDR_IN_USE;
        sk->lport = p;
        sk->bound = true;
    }
    if (!sk->laddr)
        sk->laddr = src;
    /* the 4-tuple must be unique, including connections in TIME_WAIT */
    for (struct net_sock *o = s->socks; o; o = o->next)
        if (o != sk && o->type == NET_SOCK_TCP && o->tcp.state != TCP_CLOSED &&
            o->lport == sk->lport && o->laddr == sk->laddr && o->raddr == addr &&
            o->rport == port)
            return ERR_ADDR_IN_USE;
    sk->raddr = addr;
    sk->rport = port;
    if (tcp_alloc_buffers(sk) < 0)
        return ERR_NO_MEMORY;
    tp->rcv_wscale = tcp_wscale_for(tp->rbuf.cap);
    tp->iss = tcp_iss(s, sk->laddr, sk->lport, addr, port);
    if (tp->iss == 0)
        tp->iss = 1;   /* 0 marks "never connected" in tcp_events() */
    tp->snd_una = tp->snd_nxt = tp->snd_max = tp->iss;
    tp->sbuf_seq = tp->iss + 1;
    struct net_netif *n2 = nif;
    tp->mss = (uint16_t)(n2->mtu - IP_HLEN - TCP_HLEN);
    cc_init(tp);
    tcp_set_state(sk, TCP_SYN_SENT);
    tp->rtt_timing = true;
    tp->rtt_seq = tp->iss;
    tp->rtt_start = s->now;
    tcp_output(sk);
    return ERR_WOULD_BLOCK;
}

int tcp_listen(struct net_sock *sk, int backlog)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    if (tp->state == TCP_LISTEN) {
        tp->backlog = backlog > 0 ? backlog : 1;
        return 0;
    }
    if (tp->state != TCP_CLOSED || tp->iss)
        return ERR_BAD_STATE;
    if (!sk->bound)
        return ERR_INVALID_ARGS;   /* a server needs a known port */
    for (struct net_sock *o = s->socks; o; o = o->next)
        if (o != sk && o->type == NET_SOCK_TCP && o->tcp.state == TCP_LISTEN &&
            o->lport == sk->lport && (!o->laddr || !sk->laddr || o->laddr == sk->laddr))
            return ERR_ADDR_IN_USE;
    tp->backlog = backlog > 0 ? backlog : 1;
    tcp_set_state(sk, TCP_LISTEN);
    return 0;
}

int tcp_accept(struct net_sock *sk, struct net_sock **out)
{
    struct tcp_pcb *tp = &sk->tcp;
    if (tp->state != TCP_LISTEN)
        return ERR_BAD_STATE;
    struct net_sock *c = tp->acceptq;
    if (!c)
        return ERR_WOULD_BLOCK;
    tp->acceptq = c->tcp.next_accept;
    if (!tp->acceptq)
        tp->acceptq_tail = NULL;
    tp->n_children--;
    c->tcp.next_accept = NULL;
    c->tcp.parent = NULL;
    c->tcp.accepted = true;
    *out = c;
    return 0;
}

int tcp_send(struct net_sock *sk, const void *buf, size_t len)
{
    struct tcp_pcb *tp = &sk->tcp;
    if (sk->err) {
        int e = sk->err;
        sk->err = 0;
        return e;
    }
    switch (tp->state) {
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
        break;
    case TCP_SYN_SENT:
    case TCP_SYN_RCVD:
        return ERR_WOULD_BLOCK;
    case TCP_CLOSED:
    case TCP_LISTEN:
        return sk->dead_err || tp->iss ? ERR_CLOSED : ERR_NOT_CONNECTED;
    default:
        return ERR_CLOSED;   /* we already sent our FIN */
    }
    if (tp->fin_queued)
        return ERR_CLOSED;
    if (len == 0)
        return 0;
    if (len > 0x7fffffff)
        len = 0x7fffffff;
    uint32_t n = ring_append(&tp->sbuf, buf, (uint32_t)len);
    if (n == 0)
        return ERR_WOULD_BLOCK;
    tcp_output(sk);
    return (int)n;
}

int tcp_recv(struct net_sock *sk, void *buf, size_t len)
{
    struct tcp_pcb *tp = &sk->tcp;
    if (tp->rbuf.len && !sk->rd_shut) {
        uint32_t n = (uint32_t)(len < tp->rbuf.len ? len : tp->rbuf.len);
        uint32_t edge_before = tp->rcv_adv;
        ring_peek(&tp->rbuf, 0, buf, n);
        ring_consume(&tp->rbuf, n);
        /* tell the peer when the window has grown enough (receiver SWS) */
        int st = tp->state;
        if (st == TCP_ESTABLISHED || st == TCP_FIN_WAIT_1 || st == TCP_FIN_WAIT_2) {
            uint32_t edge = tp->rcv_nxt + ((tcp_rcv_space(tp) >> tp->rcv_wscale) << tp->rcv_wscale);
            uint32_t grow = seq_gt(edge, edge_before) ? edge - edge_before : 0;
            /* a shut window reopens sooner: the sender is only probing */
            uint32_t segs = edge_before == tp->rcv_nxt ? 1 : 2;
            uint32_t thresh = min32(tp->rbuf.cap / 2, segs * tp->mss);
            if (grow >= thresh)
                tcp_send_ack(sk);
        }
        return (int)n;
    }
    if (sk->err) {
        int e = sk->err;
        sk->err = 0;
        return e;
    }
    if (tp->fin_rcvd || sk->rd_shut)
        return ERR_CLOSED;
    switch (tp->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RCVD:
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
        return ERR_WOULD_BLOCK;
    case TCP_CLOSED:
        return sk->dead_err || tp->iss ? ERR_CLOSED : ERR_NOT_CONNECTED;
    case TCP_LISTEN:
        return ERR_NOT_CONNECTED;
    default:
        return ERR_CLOSED;
    }
}

/* Queues our FIN (RFC 9293 CLOSE call) for states that can still send. */
static void queue_fin(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    switch (tp->state) {
    case TCP_SYN_RCVD:
    case TCP_ESTABLISHED:
        tp->fin_queued = true;
        tcp_set_state(sk, TCP_FIN_WAIT_1);
        break;
    case TCP_CLOSE_WAIT:
        tp->fin_queued = true;
        tcp_set_state(sk, TCP_LAST_ACK);
        break;
    default:
        return;
    }
    tcp_output(sk);
}

int tcp_shutdown(struct net_sock *sk, int how)
{
    struct tcp_pcb *tp = &sk->tcp;
    if (tp->state == TCP_LISTEN || tp->state == TCP_SYN_SENT ||
        (tp->state == TCP_CLOSED && !sk->dead_err && !tp->iss))
        return ERR_NOT_CONNECTED;
    if (how & NET_SHUT_RD) {
        sk->rd_shut = true;
        if (tp->rbuf.len)
            ring_consume(&tp->rbuf, tp->rbuf.len);
    }
    if (how & NET_SHUT_WR)
        queue_fin(sk);
    return 0;
}

static void close_listener(struct net_sock *sk)
{
    struct net_stack *s = sk->stack;
    struct net_sock *c = s->socks;
    /* children not yet accepted are reset: nobody will ever read them */
    while (c) {
        struct net_sock *next = c->next;
        if (c->type == NET_SOCK_TCP && c->tcp.parent == sk && !c->tcp.accepted) {
            tcp_send_rst_for(c);
            tcp_closed(c);
            next = s->socks;   /* the list changed; rescan */
        }
        c = next;
    }
    sock_free(sk);
}

void tcp_close(struct net_sock *sk, bool abort)
{
    struct tcp_pcb *tp = &sk->tcp;
    int st = tp->state;
    if (st == TCP_LISTEN) {
        close_listener(sk);
        return;
    }
    if (st == TCP_CLOSED || st == TCP_SYN_SENT) {
        sock_free(sk);
        return;
    }
    sk->orphan = true;
    if (abort || (tp->rbuf.len && !sk->rd_shut)) {
        /* RFC 9293 3.10.4 / 2525: unread data means the peer must know */
        if (st != TCP_TIME_WAIT)
            tcp_send_rst_for(sk);
        tcp_closed(sk);
        return;
    }
    sk->rd_shut = true;
    if (st == TCP_TIME_WAIT) {
        ring_free(sk->stack, &tp->rbuf);
        return;
    }
    queue_fin(sk);
    if (tp->state == TCP_FIN_WAIT_2)
        tp->t_2msl = sk->stack->now + sk->stack->cfg.tcp_fin_wait2_ns;
}
