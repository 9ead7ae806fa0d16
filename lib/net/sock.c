/*
 * Socket objects and the protocol-independent half of the socket API:
 * allocation, binding, ports, options, enumeration. TCP and UDP specifics
 * are in tcp_api.c and udp.c.
 */
#include "net/tcp_priv.h"

struct net_sock *sock_new(struct net_stack *s, int type)
{
    if (s->n_socks >= s->cfg.max_sockets)
        return NULL;
    struct net_sock *sk = net_alloc(s, sizeof *sk);
    if (!sk)
        return NULL;
    memset(sk, 0, sizeof *sk);
    sk->stack = s;
    sk->type = type;
    sk->next = s->socks;
    s->socks = sk;
    s->n_socks++;
    if (type == NET_SOCK_TCP)
        tcp_init_pcb(sk);
    else
        sk->udp.limit = s->cfg.udp_rcvbuf;
    return sk;
}

void sock_free(struct net_sock *sk)
{
    struct net_stack *s = sk->stack;
    struct net_sock **pp = &s->socks;
    while (*pp && *pp != sk)
        pp = &(*pp)->next;
    if (*pp)
        *pp = sk->next;
    s->n_socks--;
    if (sk->type == NET_SOCK_TCP) {
        /* a listener going away leaves its children without a parent */
        for (struct net_sock *c = s->socks; c; c = c->next)
            if (c->type == NET_SOCK_TCP && c->tcp.parent == sk)
                c->tcp.parent = NULL, c->orphan = true;
        tcp_free_buffers(sk);
    } else {
        udp_flush(sk);
    }
    net_free(s, sk, sizeof *sk);
}

/*
 * Does binding (addr, port) clash with an existing socket? For TCP only
 * listeners and sockets bound but not yet connected count, and connections
 * a program opened itself; accepted connections share the listener's port
 * and TIME_WAIT never blocks a restart (as SO_REUSEADDR on Linux).
 */
bool port_in_use(struct net_stack *s, int type, uint32_t addr, uint16_t port,
                 bool for_listen)
{
    (void)for_listen;
    for (struct net_sock *o = s->socks; o; o = o->next) {
        if (o->type != type || !o->bound || o->lport != port)
            continue;
        if (o->laddr && addr && o->laddr != addr)
            continue;
        if (type == NET_SOCK_TCP) {
            int st = o->tcp.state;
            if (st == TCP_TIME_WAIT || o->tcp.accepted || o->tcp.parent)
                continue;
            if (st == TCP_CLOSED && (o->dead_err || o->tcp.iss))
                continue;
        }
        return true;
    }
    return false;
}

uint16_t port_ephemeral(struct net_stack *s, int type)
{
    for (unsigned i = 0; i < 16384; i++) {
        uint16_t p = s->next_port;
        s->next_port = (uint16_t)(p == 65535 ? 49152 : p + 1);
        bool used = false;
        for (struct net_sock *o = s->socks; o; o = o->next)
            if (o->type == type && o->lport == p) {
                used = true;
                break;
            }
        if (!used)
            return p;
    }
    return 0;
}

int net_socket(struct net_stack *s, int type, struct net_sock **out)
{
    if (type != NET_SOCK_TCP && type != NET_SOCK_UDP)
        return ERR_INVALID_ARGS;
    struct net_sock *sk = sock_new(s, type);
    if (!sk)
        return s->n_socks >= s->cfg.max_sockets ? ERR_NO_SPACE : ERR_NO_MEMORY;
    *out = sk;
    return 0;
}

int net_bind(struct net_sock *sk, uint32_t addr, uint16_t port)
{
    struct net_stack *s = sk->stack;
    if (sk->bound)
        return ERR_BAD_STATE;
    if (addr && !ip_is_local(s, addr))
        return ERR_INVALID_ARGS;
    if (port == 0) {
        port = port_ephemeral(s, sk->type);
        if (!port)
            return ERR_ADDR_IN_USE;
    } else if (port_in_use(s, sk->type, addr, port, false)) {
        return ERR_ADDR_IN_USE;
    }
    sk->laddr = addr;
    sk->lport = port;
    sk->bound = true;
    return 0;
}

int net_listen(struct net_sock *sk, int backlog)
{
    if (sk->type != NET_SOCK_TCP)
        return ERR_NOT_SUPPORTED;
    return tcp_listen(sk, backlog);
}

int net_accept(struct net_sock *sk, struct net_sock **out)
{
    if (sk->type != NET_SOCK_TCP)
        return ERR_NOT_SUPPORTED;
    return tcp_accept(sk, out);
}

int net_connect(struct net_sock *sk, uint32_t addr, uint16_t port)
{
    struct net_stack *s = sk->stack;
    int r;
    net_enter(s);
    if (sk->type == NET_SOCK_TCP) {
        if (sk->tcp.state == TCP_CLOSED && sk->err) {
            r = sk->err;   /* the outcome of an earlier attempt */
            sk->err = 0;
        } else {
            r = tcp_connect(sk, addr, port);
        }
    } else {
        r = sk->bound ? 0 : net_bind(sk, 0, 0);
        if (r == 0) {
            sk->raddr = addr;
            sk->rport = port;
        }
    }
    net_leave(s);
    return r;
}

int net_send(struct net_sock *sk, const void *buf, size_t len)
{
    if (sk->type == NET_SOCK_UDP) {
        if (!sk->raddr)
            return ERR_NOT_CONNECTED;
        return net_sendto(sk, buf, len, sk->raddr, sk->rport);
    }
    net_enter(sk->stack);
    int r = tcp_send(sk, buf, len);
    net_leave(sk->stack);
    return r;
}

int net_recv(struct net_sock *sk, void *buf, size_t len)
{
    if (sk->type == NET_SOCK_UDP)
        return net_recvfrom(sk, buf, len, NULL, NULL);
    net_enter(sk->stack);
    int r = tcp_recv(sk, buf, len);
    net_leave(sk->stack);
    return r;
}

int net_shutdown(struct net_sock *sk, int how)
{
    if (how < NET_SHUT_RD || how > NET_SHUT_RDWR)
        return ERR_INVALID_ARGS;
    if (sk->type == NET_SOCK_UDP) {
        if (how & NET_SHUT_RD) {
            sk->rd_shut = true;
            udp_flush(sk);
        }
        return 0;
    }
    net_enter(sk->stack);
    int r = tcp_shutdown(sk, how);
    net_leave(sk->stack);
    return r;
}

int net_close(struct net_sock *sk)
{
    struct net_stack *s = sk->stack;
    net_enter(s);
    if (sk->type == NET_SOCK_TCP)
        tcp_close(sk, false);
    else
        sock_free(sk);
    net_leave(s);
    return 0;
}

void net_abort(struct net_sock *sk)
{
    struct net_stack *s = sk->stack;
    net_enter(s);
    if (sk->type == NET_SOCK_TCP)
        tcp_close(sk, true);
    else
        sock_free(sk);
    net_leave(s);
}

unsigned net_sock_poll(struct net_sock *sk)
{
    if (sk->type == NET_SOCK_TCP)
        return tcp_events(sk);
    unsigned ev = NET_EV_WRITABLE;
    if (sk->udp.head || sk->rd_shut)
        ev |= NET_EV_READABLE;
    if (sk->err)
        ev |= NET_EV_ERROR | NET_EV_READABLE;
    return ev;
}

int net_sock_error(struct net_sock *sk)
{
    int e = sk->err;
    sk->err = 0;
    return e;
}

int net_sock_setopt(struct net_sock *sk, enum net_sockopt opt, uint32_t v)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    bool tcp = sk->type == NET_SOCK_TCP;
    net_enter(s);
    int r = 0;
    switch (opt) {
    case NET_OPT_NODELAY:
        if (!tcp) { r = ERR_NOT_SUPPORTED; break; }
        tp->nodelay = v != 0;
        if (tp->nodelay && tp->state != TCP_CLOSED && tp->state != TCP_LISTEN)
            tcp_output(sk);   /* push out what Nagle was holding */
        break;
    case NET_OPT_KEEPALIVE:
        if (!tcp) { r = ERR_NOT_SUPPORTED; break; }
        tp->keepalive = v != 0;
        if (tp->state >= TCP_ESTABLISHED && tp->state <= TCP_CLOSE_WAIT)
            tcp_keep_reset(sk);
        break;
    case NET_OPT_KEEPIDLE_MS:
    case NET_OPT_KEEPINTVL_MS:
        if (!tcp || v == 0) { r = tcp ? ERR_INVALID_ARGS : ERR_NOT_SUPPORTED; break; }
        if (opt == NET_OPT_KEEPIDLE_MS)
            tp->keep_idle = (uint64_t)v * NS_PER_MS;
        else
            tp->keep_intvl = (uint64_t)v * NS_PER_MS;
        if (tp->keepalive && tp->state >= TCP_ESTABLISHED && tp->state <= TCP_CLOSE_WAIT)
            tcp_keep_reset(sk);
        break;
    case NET_OPT_KEEPCNT:
        if (!tcp || v == 0) { r = tcp ? ERR_INVALID_ARGS : ERR_NOT_SUPPORTED; break; }
        tp->keep_cnt = v;
        break;
    case NET_OPT_RCVBUF:
    case NET_OPT_SNDBUF:
        if (v < 1024 || v > s->cfg.tcp_buf_max) { r = ERR_RANGE; break; }
        if (!tcp) {
            if (opt == NET_OPT_RCVBUF)
                sk->udp.limit = v;
            break;
        }
        if (tp->state != TCP_CLOSED && tp->state != TCP_LISTEN) { r = ERR_BAD_STATE; break; }
        if (opt == NET_OPT_RCVBUF)
            tp->rcvbuf_size = v;
        else
            tp->sndbuf_size = v;
        break;
    default:
        r = ERR_INVALID_ARGS;
    }
    net_leave(s);
    return r;
}

int net_sock_getopt(struct net_sock *sk, enum net_sockopt opt, uint32_t *v)
{
    struct tcp_pcb *tp = &sk->tcp;
    switch (opt) {
    case NET_OPT_NODELAY: *v = tp->nodelay; break;
    case NET_OPT_KEEPALIVE: *v = tp->keepalive; break;
    case NET_OPT_KEEPIDLE_MS: *v = (uint32_t)(tp->keep_idle / NS_PER_MS); break;
    case NET_OPT_KEEPINTVL_MS: *v = (uint32_t)(tp->keep_intvl / NS_PER_MS); break;
    case NET_OPT_KEEPCNT: *v = tp->keep_cnt; break;
    case NET_OPT_RCVBUF:
        *v = sk->type == NET_SOCK_TCP ? tp->rcvbuf_size : sk->udp.limit;
        break;
    case NET_OPT_SNDBUF: *v = tp->sndbuf_size; break;
    default: return ERR_INVALID_ARGS;
    }
    return 0;
}

void net_sock_set_user(struct net_sock *sk, void *user) { sk->user = user; }
void *net_sock_user(const struct net_sock *sk) { return sk->user; }

void net_sock_local(const struct net_sock *sk, uint32_t *addr, uint16_t *port)
{
    if (addr) *addr = sk->laddr;
    if (port) *port = sk->lport;
}

void net_sock_peer(const struct net_sock *sk, uint32_t *addr, uint16_t *port)
{
    if (addr) *addr = sk->raddr;
    if (port) *port = sk->rport;
}

size_t net_sock_list(struct net_stack *s, struct net_sock_info *out, size_t max)
{
    size_t n = 0;
    for (struct net_sock *sk = s->socks; sk; sk = sk->next, n++) {
        if (n >= max)
            continue;
        struct net_sock_info *i = &out[n];
        i->type = sk->type;
        i->state = sk->type == NET_SOCK_TCP ? sk->tcp.state : 0;
        i->laddr = sk->laddr;
        i->raddr = sk->raddr;
        i->lport = sk->lport;
        i->rport = sk->rport;
        i->rx_queued = sk->type == NET_SOCK_TCP ? sk->tcp.rbuf.len : sk->udp.queued;
        i->tx_queued = sk->type == NET_SOCK_TCP ? sk->tcp.sbuf.len : 0;
        i->orphan = sk->orphan || (sk->tcp.parent && !sk->tcp.accepted);
    }
    return n;
}
