/*
 * TCP input for synchronized connections: the segment arrival rules of
 * RFC 9293 section 3.10.7, with the RFC 5961 checks against blind resets,
 * SYNs and ACKs. Handshakes (LISTEN, SYN_SENT) are in tcp_open.c.
 */
#include "net/tcp_priv.h"


static bool in_window(uint32_t x, uint32_t lo, uint32_t wnd)
{
    return seq_ge(x, lo) && seq_lt(x, lo + wnd);
}

/* RFC 9293 3.10.7.4, first check: is any of the segment inside our window? */
static bool acceptable(const struct tcp_pcb *tp, uint32_t seq, uint32_t seglen)
{
    uint32_t wnd = tcp_rcv_space(tp);
    if (seglen == 0) {
        if (wnd == 0)
            return seq == tp->rcv_nxt;
        return in_window(seq, tp->rcv_nxt, wnd);
    }
    if (wnd == 0)
        return false;
    return in_window(seq, tp->rcv_nxt, wnd) ||
           in_window(seq + seglen - 1, tp->rcv_nxt, wnd);
}

static void challenge_ack(struct net_sock *sk)
{
    /* RFC 5961 section 7: throttle, so they cannot make us a reflector */
    if (!net_rate_ok(sk->stack, &sk->stack->challenge_rate))
        return;
    sk->stack->stats.tcp_challenge_ack++;
    tcp_send_ack(sk);
}

/* The listener's child is complete: queue it for accept(). */
static void child_established(struct net_sock *sk)
{
    struct net_sock *ls = sk->tcp.parent;
    if (!ls || sk->tcp.accepted)
        return;
    struct tcp_pcb *lp = &ls->tcp;
    sk->tcp.next_accept = NULL;
    if (lp->acceptq_tail)
        lp->acceptq_tail->tcp.next_accept = sk;
    else
        lp->acceptq = sk;
    lp->acceptq_tail = sk;
    net_sock_event(ls, NET_EV_ACCEPT | NET_EV_READABLE);
}

enum { ACK_OK, ACK_DROP, ACK_GONE };

/* Processes the ACK field: go on, drop the segment, or the socket is gone. */
static int ack_input(struct net_sock *sk, const struct seg *g)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;

    if (tp->state == TCP_SYN_RCVD) {
        if (!seq_gt(g->ack, tp->snd_una) || seq_gt(g->ack, tp->snd_max)) {
            tcp_send_rst_for(sk);
            return ACK_DROP;
        }
        if (!tp->rbuf.buf && tcp_alloc_buffers(sk) < 0) {
            /* no memory for this connection after all: refuse it cleanly */
            s->stats.tcp_mem_drop++;
            tcp_send_rst_for(sk);
            tcp_closed(sk);
            return ACK_GONE;
        }
        tcp_set_state(sk, TCP_ESTABLISHED);
        tcp_timers_established(sk);
        tp->snd_wnd = g->wnd << tp->snd_wscale;
        tp->max_snd_wnd = max32(tp->max_snd_wnd, tp->snd_wnd);
        tp->snd_wl1 = g->seq;
        tp->snd_wl2 = g->ack;
        tcp_keep_reset(sk);
        child_established(sk);
        net_sock_event(sk, NET_EV_WRITABLE);
    }
    if (seq_gt(g->ack, tp->snd_max)) {
        tp->ack_now = true;   /* acks something not yet sent */
        return ACK_DROP;
    }
    if (seq_lt(g->ack, tp->snd_una - tp->max_snd_wnd)) {
        challenge_ack(sk);   /* RFC 5961 section 5: too old to be real */
        return ACK_DROP;
    }
    uint32_t wnd = g->wnd << tp->snd_wscale;
    /*
     * An ACK that SACKs data we did not know was received counts as a
     * duplicate even when it carries data (RFC 6675 section 2): on a busy
     * two-way connection almost every ACK does, and without this only the
     * retransmission timer would repair losses.
     */
    bool new_sack = tp->sack_ok && g->has_sack && seq_gt(g->sack_high, tp->snd_una) &&
                    seq_le(g->sack_high, tp->snd_max) &&
                    (seq_lt(tp->sack_high, tp->snd_una) || seq_gt(g->sack_high, tp->sack_high));
    if (new_sack)
        tp->sack_high = g->sack_high;
    if (seq_le(g->ack, tp->snd_una)) {
        /* RFC 5681 duplicate ACK: nothing new, same window, data out */
        bool dup = g->len == 0 && !(g->flags & (TCP_SYN | TCP_FIN)) && wnd == tp->snd_wnd &&
                   wnd != 0;
        if (g->ack == tp->snd_una && tp->snd_una != tp->snd_max && (dup || new_sack))
            cc_dupack(sk);
        else if (g->ack == tp->snd_una && g->len == 0)
            ;
        else
            tp->dupacks = 0;
    } else {
        uint32_t acked = g->ack - tp->snd_una;
        uint32_t data_end = tp->sbuf_seq + tp->sbuf.len;
        if (tp->rtt_timing && seq_gt(g->ack, tp->rtt_seq)) {
            tcp_rtt_sample(sk, s->now - tp->rtt_start);
            tp->rtt_timing = false;
        }
        /* free acknowledged bytes of the send ring */
        if (seq_gt(g->ack, tp->sbuf_seq)) {
            uint32_t upto = seq_lt(g->ack, data_end) ? g->ack : data_end;
            uint32_t n = upto - tp->sbuf_seq;
            ring_consume(&tp->sbuf, n);
            tp->sbuf_seq += n;
        }
        tp->snd_una = g->ack;
        if (seq_lt(tp->snd_nxt, tp->snd_una))
            tp->snd_nxt = tp->snd_una;
        cc_ack(sk, acked);
        tcp_timers_on_ack(sk);
        if (tp->sbuf.buf && !tp->fin_queued)
            net_sock_event(sk, NET_EV_WRITABLE);
    }
    /* window update (RFC 9293 3.10.7.4, fifth check) */
    if (seq_lt(tp->snd_wl1, g->seq) ||
        (tp->snd_wl1 == g->seq && seq_le(tp->snd_wl2, g->ack))) {
        bool opened = tp->snd_wnd == 0 && wnd > 0;
        tp->snd_wnd = wnd;
        tp->max_snd_wnd = max32(tp->max_snd_wnd, wnd);
        tp->snd_wl1 = g->seq;
        tp->snd_wl2 = g->ack;
        if (opened) {
            tp->t_persist = NEVER;
            tp->persist_backoff = 0;
        }
    }

    /* did this acknowledge our FIN? */
    bool fin_acked = tp->fin_queued && tp->snd_una == tp->snd_max &&
                     seq_gt(tp->snd_max, tp->sbuf_seq + tp->sbuf.len);
    if (fin_acked) {
        switch (tp->state) {
        case TCP_FIN_WAIT_1:
            tcp_set_state(sk, TCP_FIN_WAIT_2);
            if (sk->orphan)
                tp->t_2msl = s->now + s->cfg.tcp_fin_wait2_ns;
            break;
        case TCP_CLOSING:
            tcp_enter_time_wait(sk);
            return ACK_GONE;
        case TCP_LAST_ACK:
            tcp_closed(sk);
            return ACK_GONE;
        default:
            break;
        }
    }
    return ACK_OK;
}

/* Stores data at seg.seq (already trimmed to the window). */
static void data_input(struct net_sock *sk, struct seg *g)
{
    struct tcp_pcb *tp = &sk->tcp;
    struct net_stack *s = sk->stack;
    if (g->len == 0)
        return;
    if (sk->rd_shut || !tp->rbuf.buf) {
        /* nobody will read it: acknowledge and forget */
        tp->rcv_nxt += seq_gt(g->seq + g->len, tp->rcv_nxt) && g->seq == tp->rcv_nxt ? g->len : 0;
        tp->ack_now = true;
        return;
    }
    uint32_t off = g->seq - tp->rcv_nxt;
    if (g->seq == tp->rcv_nxt) {
        ring_put_at(&tp->rbuf, tp->rbuf.len, g->data, g->len);
        tp->rcv_nxt += g->len;
        tp->rbuf.len += g->len;
        bool had_holes = tp->n_ooo > 0;
        tp->rbuf.len += ooo_advance(tp);
        if (had_holes) {
            tp->ack_now = true;   /* RFC 5681: ACK at once when a hole fills */
        } else if (++tp->unacked_segs >= 2) {
            tp->ack_now = true;   /* every second full segment */
        } else if (tp->t_delack == NEVER) {
            tp->t_delack = s->now + s->cfg.tcp_delack_ns;
        }
        net_sock_event(sk, NET_EV_READABLE);
    } else {
        if (ooo_add(tp, g->seq, g->seq + g->len)) {
            ring_put_at(&tp->rbuf, tp->rbuf.len + off, g->data, g->len);
            tp->last_ooo = g->seq;
        }
        tp->ack_now = true;   /* duplicate ACK tells the sender of the hole */
    }
}

static void fin_input(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    tp->rcv_nxt++;
    tp->fin_rcvd = true;
    tp->ack_now = true;
    switch (tp->state) {
    case TCP_SYN_RCVD:
    case TCP_ESTABLISHED:
        tcp_set_state(sk, TCP_CLOSE_WAIT);
        break;
    case TCP_FIN_WAIT_1:
        /* our FIN not yet acknowledged: simultaneous close */
        tcp_set_state(sk, TCP_CLOSING);
        break;
    case TCP_FIN_WAIT_2:
        tcp_send_ack(sk);
        tcp_enter_time_wait(sk);
        break;
    default:
        break;
    }
    net_sock_event(sk, NET_EV_READABLE | NET_EV_HUP);
}

enum { TW_NONE, TW_DONE, TW_REOPEN };

/* Returns TW_REOPEN when a TIME_WAIT connection should make way for a SYN. */
static int conn_input(struct net_sock *sk, struct seg *g)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    uint32_t seglen = g->len + !!(g->flags & TCP_SYN) + !!(g->flags & TCP_FIN);

    if (tp->state == TCP_TIME_WAIT) {
        /* RFC 1337: ignore resets; answer anything else with an ACK */
        if (g->flags & TCP_RST)
            return TW_DONE;
        /* a new SYN beyond the old connection may reopen it (RFC 1122
           4.2.2.13): the caller hands it to the listener */
        if ((g->flags & TCP_SYN) && !(g->flags & TCP_ACK) && seq_gt(g->seq, tp->rcv_nxt))
            return TW_REOPEN;
        if ((g->flags & TCP_FIN) && g->seq + g->len + 1 == tp->rcv_nxt)
            tp->t_2msl = s->now + s->cfg.tcp_time_wait_ns;   /* FIN again */
        tcp_send_ack(sk);
        return TW_DONE;
    }

    tp->last_rx = s->now;
    tp->keep_sent = 0;
    if (tp->keepalive && tp->t_keep != NEVER)
        tp->t_keep = s->now + tp->keep_idle;

    /* RST (RFC 5961 section 3): exact match resets, in-window challenges */
    if (g->flags & TCP_RST) {
        if (g->seq == tp->rcv_nxt) {
            s->stats.tcp_rst_in++;
            if (tp->state == TCP_SYN_RCVD && tp->parent && !tp->accepted)
                tcp_closed(sk);   /* back to listening: just forget the child */
            else if (tp->state == TCP_CLOSING || tp->state == TCP_LAST_ACK)
                tcp_closed(sk);
            else
                tcp_drop(sk, ERR_CONN_RESET);
        } else if (in_window(g->seq, tp->rcv_nxt, max32(tcp_rcv_space(tp), 1))) {
            challenge_ack(sk);
        }
        return TW_NONE;
    }

    /* trim what we already have from the front */
    if (seq_lt(g->seq, tp->rcv_nxt)) {
        if (g->flags & TCP_SYN) {
            /* their SYN again: our SYN-ACK or ACK was lost, answer now */
            g->flags &= (uint8_t)~TCP_SYN;
            g->seq++;
            tp->ack_now = true;
        }
        uint32_t dup = tp->rcv_nxt - g->seq;
        if (seq_lt(g->seq, tp->rcv_nxt)) {
            if (dup > g->len || (dup == g->len && !(g->flags & TCP_FIN))) {
                /* wholly old: ACK it (after using its ACK field) */
                s->stats.tcp_dup_in++;
                tp->ack_now = true;
                g->flags &= (uint8_t)~TCP_FIN;
                dup = g->len;
            }
            g->data += dup;
            g->len -= dup;
            g->seq += dup;
        }
    } else if (!acceptable(tp, g->seq, seglen)) {
        /* beyond the window; a zero-window probe gets the window in reply */
        if (!(g->flags & TCP_RST))
            tp->ack_now = true;
        tcp_output(sk);
        return TW_NONE;
    }
    /* trim what does not fit in the window from the back */
    uint32_t space = tcp_rcv_space(tp);
    uint32_t room = tp->rcv_nxt + space - g->seq;
    if (g->len > room) {
        g->len = room;
        g->flags &= (uint8_t)~TCP_FIN;
        tp->ack_now = true;
    }

    /* SYN in a synchronized state (RFC 5961 section 4) */
    if (g->flags & TCP_SYN) {
        if (tp->state == TCP_SYN_RCVD && tp->parent && !tp->accepted) {
            tcp_closed(sk);   /* RFC 9293: a new SYN here means start over */
            return TW_NONE;
        }
        challenge_ack(sk);
        return TW_NONE;
    }
    if (!(g->flags & TCP_ACK)) {
        tcp_output(sk);
        return TW_NONE;
    }
    int r = ack_input(sk, g);
    if (r == ACK_GONE)
        return TW_NONE;   /* closed (maybe freed) or in TIME_WAIT: nothing to add */
    if (r == ACK_DROP) {
        tcp_output(sk);
        return TW_NONE;
    }
    int st = tp->state;
    if (st == TCP_ESTABLISHED || st == TCP_FIN_WAIT_1 || st == TCP_FIN_WAIT_2) {
        data_input(sk, g);
        if ((g->flags & TCP_FIN) && g->seq + g->len == tp->rcv_nxt)
            fin_input(sk);
    } else if (g->len || (g->flags & TCP_FIN)) {
        tp->ack_now = true;   /* after their FIN: nothing new can come */
    }
    if (tp->state == TCP_TIME_WAIT)
        return TW_NONE;
    tcp_output(sk);
    return TW_NONE;
}

void tcp_input(struct net_stack *s, struct net_netif *nif, const uint8_t *ip,
               const uint8_t *th, size_t len, unsigned flags)
{
    s->stats.tcp_in++;
    if (len < TCP_HLEN)
        goto bad;
    size_t doff = (size_t)(th[12] >> 4) * 4;
    if (doff < TCP_HLEN || doff > len)
        goto bad;
    uint32_t src = get32(ip + 12), dst = get32(ip + 16);
    if (!(flags & NET_RX_CSUM_VALID)) {
        uint32_t sum = csum_add(csum_pseudo(src, dst, IP_PROTO_TCP, (uint16_t)len), th, len);
        if (csum_finish(sum) != 0)
            goto bad;
    }
    if (!ip_is_local(s, dst))
        return;   /* TCP is unicast only */

    struct seg g;
    g.seq = get32(th + 4);
    g.ack = get32(th + 8);
    g.flags = th[13] & 0x3f;
    g.wnd = get16(th + 14);
    g.data = th + doff;
    g.len = (uint32_t)(len - doff);
    g.mss = 0;
    g.wscale = -1;
    g.sack_ok = false;
    g.has_sack = false;
    g.sack_high = 0;
    if (doff > TCP_HLEN)
        tcp_parse_options(&g, th + TCP_HLEN, doff - TCP_HLEN);

    struct net_sock *sk = tcp_lookup(s, src, get16(th), dst, get16(th + 2), true);
    if (!sk) {
        tcp_reply_rst(s, ip, th, g.len);
        return;
    }
    switch (sk->tcp.state) {
    case TCP_LISTEN:
        tcp_listen_input(sk, ip, th, &g);
        break;
    case TCP_SYN_SENT:
        tcp_syn_sent_input(sk, ip, th, &g);
        break;
    default:
        if (conn_input(sk, &g) == TW_REOPEN) {
            tcp_closed(sk);
            sk = tcp_lookup(s, src, get16(th), dst, get16(th + 2), true);
            if (sk && sk->tcp.state == TCP_LISTEN)
                tcp_listen_input(sk, ip, th, &g);
            else
                tcp_reply_rst(s, ip, th, g.len);
        }
        break;
    }
    return;
bad:
    s->stats.tcp_bad++;
    nif->stats.rx_errors++;
}

