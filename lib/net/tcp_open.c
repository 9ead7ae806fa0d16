/*
 * TCP connection opening: options of SYN segments (MSS, window scale,
 * SACK-permitted), a SYN arriving at a listener, the answer to our SYN;
 * and the ways an opening connection fails (ICMP, ARP).
 */
#include "net/tcp_priv.h"

/* Reads the options we use; a malformed option ends the parse, harmlessly. */
void tcp_parse_options(struct seg *g, const uint8_t *o, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t kind = o[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len)
            break;   /* malformed: ignore the rest */
        uint8_t olen = o[i + 1];
        if (kind == 2 && olen == 4)
            g->mss = get16(o + i + 2);
        else if (kind == 3 && olen == 3)
            g->wscale = o[i + 2] > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : o[i + 2];
        else if (kind == 4 && olen == 2)
            g->sack_ok = true;
        else if (kind == 5 && olen >= 10 && (olen - 2) % 8 == 0) {
            for (size_t b = i + 2; b + 8 <= i + olen; b += 8) {
                uint32_t end = get32(o + b + 4);
                if (!g->has_sack || seq_gt(end, g->sack_high))
                    g->sack_high = end;
                g->has_sack = true;
            }
        }
        i += olen;
    }
}

/* Settles MSS and window scaling from the peer's SYN. */
static void apply_syn_options(struct net_sock *sk, const struct seg *g)
{
    struct tcp_pcb *tp = &sk->tcp;
    struct net_netif *nif;
    uint32_t src, nh;
    uint16_t ours = TCP_MSS_DEFAULT;
    if (ip_route(sk->stack, sk->raddr, &nif, &src, &nh) == 0)
        ours = (uint16_t)(nif->mtu - IP_HLEN - TCP_HLEN);
    uint16_t theirs = g->mss ? g->mss : TCP_MSS_DEFAULT;
    tp->mss = theirs < ours ? theirs : ours;
    if (tp->mss < 64)
        tp->mss = 64;
    tp->sack_ok = g->sack_ok;
    if (g->wscale >= 0) {
        tp->wscale_ok = true;
        tp->snd_wscale = (uint8_t)g->wscale;
    } else {
        tp->wscale_ok = false;
        tp->snd_wscale = 0;
        tp->rcv_wscale = 0;   /* RFC 7323: both sides or neither */
    }
}

/* A SYN for a listening socket: make a child in SYN_RCVD. */
void tcp_listen_input(struct net_sock *ls, const uint8_t *ip, const uint8_t *th,
                         const struct seg *g)
{
    struct net_stack *s = ls->stack;
    if (g->flags & TCP_RST)
        return;
    if (g->flags & TCP_ACK) {
        tcp_reply_rst(s, ip, th, g->len);
        return;
    }
    if (!(g->flags & TCP_SYN))
        return;
    if (ls->tcp.n_children >= ls->tcp.backlog) {
        /* as Linux: drop, the client will retry when there may be room */
        s->stats.tcp_listen_drop++;
        return;
    }
    struct net_sock *sk = sock_new(s, NET_SOCK_TCP);
    if (!sk) {
        s->stats.tcp_mem_drop++;
        return;
    }
    struct tcp_pcb *tp = &sk->tcp;
    tcp_init_pcb(sk);
    tp->rcvbuf_size = ls->tcp.rcvbuf_size;
    tp->sndbuf_size = ls->tcp.sndbuf_size;
    tp->nodelay = ls->tcp.nodelay;
    tp->keepalive = ls->tcp.keepalive;
    tp->keep_idle = ls->tcp.keep_idle;
    tp->keep_intvl = ls->tcp.keep_intvl;
    tp->keep_cnt = ls->tcp.keep_cnt;
    /* buffers come when the handshake completes: a SYN flood costs
       only connection blocks, never buffer memory */
    sk->laddr = get32(ip + 16);
    sk->lport = ls->lport;
    sk->raddr = get32(ip + 12);
    sk->rport = get16(th);
    sk->bound = true;
    tp->parent = ls;
    ls->tcp.n_children++;
    tp->rcv_wscale = tcp_wscale_for(tp->rcvbuf_size);
    apply_syn_options(sk, g);
    tp->irs = g->seq;
    tp->rcv_nxt = g->seq + 1;
    tp->rcv_adv = tp->rcv_nxt;
    tp->iss = tcp_iss(s, sk->laddr, sk->lport, sk->raddr, sk->rport);
    tp->snd_una = tp->snd_nxt = tp->snd_max = tp->iss;
    tp->sbuf_seq = tp->iss + 1;
    tp->snd_wnd = g->wnd;   /* never scaled in a SYN */
    tp->max_snd_wnd = tp->snd_wnd;
    tp->snd_wl1 = g->seq;
    tp->snd_wl2 = 0;
    cc_init(tp);
    tcp_set_state(sk, TCP_SYN_RCVD);
    tcp_output(sk);
}

void tcp_syn_sent_input(struct net_sock *sk, const uint8_t *ip, const uint8_t *th,
                           const struct seg *g)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    bool ack_ok = false;
    if (g->flags & TCP_ACK) {
        if (seq_le(g->ack, tp->iss) || seq_gt(g->ack, tp->snd_max)) {
            tcp_reply_rst(s, ip, th, g->len);
            return;
        }
        ack_ok = true;
    }
    if (g->flags & TCP_RST) {
        if (ack_ok) {
            s->stats.tcp_rst_in++;
            tcp_drop(sk, ERR_CONN_REFUSED);
        }
        return;
    }
    if (!(g->flags & TCP_SYN))
        return;
    tp->irs = g->seq;
    tp->rcv_nxt = g->seq + 1;
    tp->rcv_adv = tp->rcv_nxt;
    apply_syn_options(sk, g);
    tp->snd_wnd = g->wnd;
    tp->max_snd_wnd = tp->snd_wnd;
    tp->snd_wl1 = g->seq;
    tp->snd_wl2 = g->ack;
    if (ack_ok) {
        if (tp->rtt_timing && tp->rexmt_count == 0)
            tcp_rtt_sample(sk, s->now - tp->rtt_start);
        tp->rtt_timing = false;
        tp->snd_una = g->ack;
        tcp_timers_established(sk);
        tp->rexmt_count = 0;
        tp->t_rexmt = NEVER;
        cc_init(tp);
        tcp_set_state(sk, TCP_ESTABLISHED);
        tcp_keep_reset(sk);
        tp->ack_now = true;
        tcp_output(sk);
        net_sock_event(sk, NET_EV_WRITABLE);
    } else {
        /* simultaneous open (RFC 9293 figure 7): answer with SYN-ACK */
        tcp_set_state(sk, TCP_SYN_RCVD);
        tp->snd_nxt = tp->iss;
        tp->t_rexmt = NEVER;
        tcp_output(sk);
    }
}

/* ICMP error about a segment we sent: fatal only while connecting (RFC 5927). */
void tcp_icmp_error(struct net_stack *s, const uint8_t *in, size_t len, int err)
{
    size_t ihl = (size_t)(in[0] & 15) * 4;
    const uint8_t *th = in + ihl;
    struct net_sock *sk = tcp_lookup(s, get32(in + 16), get16(th + 2), get32(in + 12),
                                     get16(th), false);
    (void)len;
    if (!sk || sk->tcp.state != TCP_SYN_SENT)
        return;
    if (get32(th + 4) != sk->tcp.iss)
        return;
    tcp_drop(sk, err);
}

/* ARP gave up on nexthop: connections still opening through it fail. */
void tcp_arp_failed(struct net_stack *s, uint32_t nexthop)
{
    struct net_sock *sk = s->socks;
    while (sk) {
        struct net_sock *next = sk->next;
        if (sk->type == NET_SOCK_TCP &&
            (sk->tcp.state == TCP_SYN_SENT || sk->tcp.state == TCP_SYN_RCVD)) {
            struct net_netif *nif;
            uint32_t src, nh;
            if (ip_route(s, sk->raddr, &nif, &src, &nh) == 0 && nh == nexthop)
                tcp_drop(sk, ERR_UNREACHABLE);
        }
        sk = next;
    }
}
