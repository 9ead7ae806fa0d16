/*
 * TCP output: segment building, what to send now (window, congestion
 * window, Nagle, FIN), pure ACKs, probes and resets.
 *
 * A segment is built in place in stack->txbuf: header, then the payload
 * copied once out of the send ring, then one checksum pass.
 *
 * Backpressure: when the interface has no room (ERR_WOULD_BLOCK from the
 * driver) a segment is not sent at all: snd_nxt, snd_max, the RTT sample,
 * the retransmission timer and the ACK we owe stay as they were, the
 * connection is marked tx_stalled, and net_netif_tx_ready() runs its
 * output again (tcp_tx_resume). So a full transmit ring slows the sender
 * down like a slow link, with no loss, no timeout and no cwnd cut.
 */
#include "net/tcp_priv.h"

/* The window we offer, already scaled down for the header. */
static uint16_t window_field(struct tcp_pcb *tp, bool syn)
{
    uint32_t space = tcp_rcv_space(tp);
    if (syn)
        return (uint16_t)min32(space, 65535);
    uint32_t w = space >> tp->rcv_wscale;
    return (uint16_t)min32(w, 65535);
}

/*
 * SACK option (RFC 2018) on a pure ACK: the out-of-order ranges we hold,
 * the one with the latest arrival first, at most 4. Returns its length.
 * SACK blocks the peer sends us only count as duplicate ACKs (tcp_in.c,
 * new_sack); retransmission and recovery stay NewReno.
 */
static size_t sack_blocks(const struct tcp_pcb *tp, uint8_t *o)
{
    int first = 0, n = 0;
    for (int i = 0; i < tp->n_ooo; i++)
        if (seq_ge(tp->last_ooo, tp->ooo[i].start) && seq_lt(tp->last_ooo, tp->ooo[i].end))
            first = i;
    o[0] = 1;
    o[1] = 1;
    o[2] = 5;
    uint8_t *b = o + 4;
    put32(b, tp->ooo[first].start);
    put32(b + 4, tp->ooo[first].end);
    b += 8;
    n = 1;
    for (int i = 0; i < tp->n_ooo && n < 4; i++) {
        if (i == first)
            continue;
        put32(b, tp->ooo[i].start);
        put32(b + 4, tp->ooo[i].end);
        b += 8;
        n++;
    }
    o[3] = (uint8_t)(2 + 8 * n);
    return 4 + 8 * (size_t)n;
}

static int build_and_send(struct net_sock *sk, uint32_t seq, uint8_t flags,
                          uint32_t data_off, uint32_t n)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    uint8_t *th = s->txbuf + L4_OFF;
    size_t hlen = TCP_HLEN;

    put16(th, sk->lport);
    put16(th + 2, sk->rport);
    put32(th + 4, seq);
    put32(th + 8, (flags & TCP_ACK) ? tp->rcv_nxt : 0);
    th[13] = flags;
    put16(th + 16, 0);
    put16(th + 18, 0);
    if (flags & TCP_SYN) {
        uint8_t *o = th + TCP_HLEN;
        struct net_netif *nif;
        uint32_t src, nh;
        uint16_t mss = TCP_MSS_DEFAULT;
        if (ip_route(s, sk->raddr, &nif, &src, &nh) == 0)
            mss = (uint16_t)(nif->mtu - IP_HLEN - TCP_HLEN);
        o[0] = 2;   /* MSS */
        o[1] = 4;
        put16(o + 2, mss);
        hlen += 4;
        if (tp->state == TCP_SYN_SENT || tp->wscale_ok) {
            o[4] = 1;   /* NOP, then window scale */
            o[5] = 3;
            o[6] = 3;
            o[7] = tp->rcv_wscale;
            hlen += 4;
        }
        if (tp->state == TCP_SYN_SENT || tp->sack_ok) {
            o = th + hlen;   /* NOP, NOP, SACK permitted */
            o[0] = 1;
            o[1] = 1;
            o[2] = 4;
            o[3] = 2;
            hlen += 4;
        }
    } else if (n == 0 && (flags & TCP_ACK) && tp->sack_ok && tp->n_ooo) {
        hlen += sack_blocks(tp, th + TCP_HLEN);
    }
    th[12] = (uint8_t)((hlen / 4) << 4);
    uint16_t wnd = window_field(tp, flags & TCP_SYN);
    put16(th + 14, wnd);
    size_t len = hlen + n;
    uint32_t sum = csum_add(csum_pseudo(sk->laddr, sk->raddr, IP_PROTO_TCP, (uint16_t)len),
                            th, hlen);
    if (n) {
        /*
         * The payload stays in the send ring: ip_output() hands it to the
         * driver as pieces (tx_sg) or joins it after the headers.
         */
        struct ring *r = &tp->sbuf;
        uint32_t pos = r->head + data_off;
        if (pos >= r->cap)
            pos -= r->cap;
        uint32_t first = min32(n, r->cap - pos);
        s->tx_tail[0] = (struct net_iov){r->buf + pos, first};
        s->tx_tail[1] = (struct net_iov){r->buf, n - first};
        s->tx_tail_off = L4_OFF + hlen;
        sum = csum_add(sum, r->buf + pos, first);
        if (n > first)
            sum = (first & 1) ? csum_add_odd(sum, r->buf, n - first)
                              : csum_add(sum, r->buf, n - first);
    }
    csum_store(th + 16, csum_finish(sum));

    /* as it was, should the interface refuse the segment */
    bool ack_now = tp->ack_now;
    unsigned unacked = tp->unacked_segs;
    uint64_t delack = tp->t_delack;
    uint32_t rcv_adv = tp->rcv_adv;
    if (flags & TCP_ACK) {
        /* this segment acknowledges everything: no ACK is owed any more */
        tp->ack_now = false;
        tp->unacked_segs = 0;
        tp->t_delack = NEVER;
        uint32_t adv = (flags & TCP_SYN) ? wnd : ((uint32_t)wnd << tp->rcv_wscale);
        if (seq_gt(tp->rcv_nxt + adv, tp->rcv_adv))
            tp->rcv_adv = tp->rcv_nxt + adv;
    }
    s->tx_may_block = !(flags & TCP_RST);
    int ret = ip_output(s, sk->laddr, sk->raddr, IP_PROTO_TCP, len);
    s->tx_may_block = false;
    s->tx_tail[0].len = s->tx_tail[1].len = 0;
    if (ret == ERR_WOULD_BLOCK) {
        /* not sent: nothing above happened, and output runs again from
           net_netif_tx_ready(); a refused ACK (or probe) is still owed */
        tp->ack_now = ack_now || (n == 0 && !(flags & (TCP_SYN | TCP_FIN)));
        tp->unacked_segs = unacked;
        tp->t_delack = delack;
        tp->rcv_adv = rcv_adv;
        tp->tx_stalled = true;
        s->stats.tcp_tx_busy++;
        return ret;
    }
    if (flags & TCP_RST)
        s->stats.tcp_rst_out++;
    s->stats.tcp_out++;
    return ret;
}

static void arm_rexmt(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    if (tp->t_rexmt == NEVER)
        tp->t_rexmt = sk->stack->now + tp->rto;
}

/* Sends the SYN (or SYN-ACK) at iss. */
static void send_syn(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    uint8_t flags = TCP_SYN | (tp->state == TCP_SYN_SENT ? 0 : TCP_ACK);
    if (build_and_send(sk, tp->iss, flags, 0, 0) == ERR_WOULD_BLOCK)
        return;   /* snd_nxt stays at iss: tcp_output sends it on resume */
    tp->snd_nxt = tp->iss + 1;
    if (seq_gt(tp->snd_nxt, tp->snd_max))
        tp->snd_max = tp->snd_nxt;
    arm_rexmt(sk);
}

/*
 * Sends one segment from seq: up to n bytes of data, with FIN if it
 * reaches the end of a closed stream. Returns the sequence space used, or
 * ERR_WOULD_BLOCK when the interface had no room (nothing sent).
 */
static int send_from(struct net_sock *sk, uint32_t seq, uint32_t n)
{
    struct tcp_pcb *tp = &sk->tcp;
    uint32_t data_end = tp->sbuf_seq + tp->sbuf.len;
    uint8_t flags = TCP_ACK;
    if (n && seq + n == data_end)
        flags |= TCP_PSH;
    if (tp->fin_queued && seq + n == data_end)
        flags |= TCP_FIN;
    if (build_and_send(sk, seq, flags, seq - tp->sbuf_seq, n) == ERR_WOULD_BLOCK)
        return ERR_WOULD_BLOCK;
    return (int)(n + ((flags & TCP_FIN) ? 1 : 0));
}

void tcp_output(struct net_sock *sk)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    int st = tp->state;
    bool sent = false;

    if (st == TCP_CLOSED || st == TCP_LISTEN || st == TCP_TIME_WAIT) {
        if (st == TCP_TIME_WAIT && tp->ack_now)
            tcp_send_ack(sk);
        return;
    }
    if (tp->snd_una == tp->iss) {
        /* our SYN is not acknowledged yet: it is all we may send */
        if (tp->snd_nxt == tp->iss)
            send_syn(sk);
        else if (tp->ack_now && st == TCP_SYN_RCVD)
            send_syn(sk);   /* answer a repeated SYN with the SYN-ACK */
        tp->ack_now = false;
        return;
    }
    if (seq_lt(tp->snd_nxt, tp->snd_una))
        tp->snd_nxt = tp->snd_una;

    for (;;) {
        uint32_t data_end = tp->sbuf_seq + tp->sbuf.len;
        /* limited transmit (RFC 3042): each of the first two duplicate
           ACKs lets one new segment out, to get the third one sooner */
        uint32_t cwnd = tp->cwnd;
        if (!tp->in_recovery && tp->dupacks && tp->dupacks < 3)
            cwnd += tp->dupacks * (uint32_t)tp->mss;
        uint32_t win = min32(tp->snd_wnd, cwnd);
        uint32_t limit = tp->snd_una + win;
        if (seq_gt(tp->snd_nxt, data_end))
            break;   /* FIN already sent */
        uint32_t avail = data_end - tp->snd_nxt;
        uint32_t usable = seq_gt(limit, tp->snd_nxt) ? limit - tp->snd_nxt : 0;
        uint32_t n = min32(min32(avail, usable), tp->mss);
        bool fin = tp->fin_queued && n == avail;
        if (n == 0 && !fin)
            break;
        bool fresh = tp->snd_nxt == tp->snd_max;
        if (n < tp->mss && !fin && fresh) {
            /* Nagle (RFC 896): one small segment in flight at a time */
            if (!tp->nodelay && tp->snd_max != tp->snd_una && n == avail)
                break;
            /*
             * sender silly window avoidance (RFC 9293 3.8.6.2.1): a small
             * window-limited piece waits, unless nothing is in flight (that
             * stands in for the override timer: no ACK will come to help)
             */
            if (n < avail && n < tp->max_snd_wnd / 2 && tp->snd_max != tp->snd_una)
                break;
        }
        int used = send_from(sk, tp->snd_nxt, n);
        if (used < 0)
            return;   /* the interface is full: resumed by net_netif_tx_ready() */
        if (!fresh)
            s->stats.tcp_retrans++;
        if (fresh && !tp->rtt_timing && n) {
            tp->rtt_timing = true;
            tp->rtt_seq = tp->snd_nxt;
            tp->rtt_start = s->now;
        }
        tp->snd_nxt += (uint32_t)used;
        if (seq_gt(tp->snd_nxt, tp->snd_max))
            tp->snd_max = tp->snd_nxt;
        arm_rexmt(sk);
        sent = true;
    }

    if (!sent && tp->ack_now)
        tcp_send_ack(sk);

    /* peer's window is shut with data waiting and nothing in flight: probe */
    uint32_t data_end = tp->sbuf_seq + tp->sbuf.len;
    bool waiting = seq_lt(tp->snd_nxt, data_end) ||
                   (tp->fin_queued && tp->snd_nxt == data_end);
    if (tp->snd_wnd == 0 && waiting && tp->snd_una == tp->snd_max) {
        if (tp->t_persist == NEVER) {
            tp->persist_backoff = 0;
            tp->t_persist = s->now + tp->rto;
        }
        tp->t_rexmt = NEVER;
    }
}

/*
 * The interface has room again after refusing this connection's output:
 * first a fast retransmission it refused (if still in recovery), then
 * whatever output allows now (data, or the ACK still owed).
 */
void tcp_tx_resume(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    tp->tx_stalled = false;
    if (tp->rexmt_owed) {
        tp->rexmt_owed = false;
        if (tp->in_recovery && tp->snd_una != tp->snd_max)
            tcp_retransmit_first(sk);
        if (tp->tx_stalled)
            return;
    }
    tcp_output(sk);
}

void tcp_send_ack(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    if (tp->snd_una == tp->iss && tp->state != TCP_TIME_WAIT) {
        if (tp->state == TCP_SYN_RCVD)
            send_syn(sk);
        return;
    }
    build_and_send(sk, tp->snd_nxt, TCP_ACK, 0, 0);
}

/*
 * Zero-window and keepalive probe: an ACK one byte before snd_una, which
 * the peer must answer with an ACK showing its current window
 * (RFC 9293 3.8.6.1 allows this form; Linux sends it too).
 */
void tcp_send_probe(struct net_sock *sk)
{
    build_and_send(sk, sk->tcp.snd_una - 1, TCP_ACK, 0, 0);
}

/* Fast retransmit / NewReno partial ACK: resend the first unacked segment. */
void tcp_retransmit_first(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    uint32_t data_end = tp->sbuf_seq + tp->sbuf.len;
    if (seq_gt(tp->snd_una, data_end))
        return;
    uint32_t n = min32(data_end - tp->snd_una, tp->mss);
    if (n == 0 && !tp->fin_queued)
        return;
    if (send_from(sk, tp->snd_una, n) < 0) {
        tp->rexmt_owed = true;   /* sent from tcp_tx_resume() */
        return;
    }
    tp->rexmt_owed = false;
    sk->stack->stats.tcp_retrans++;
    if (tp->rtt_timing)
        tp->rtt_timing = false;   /* Karn: no sample across a retransmission */
}

void tcp_send_rst_for(struct net_sock *sk)
{
    build_and_send(sk, sk->tcp.snd_nxt, TCP_RST | TCP_ACK, 0, 0);
}

/*
 * A reset answering a segment that has no connection (RFC 9293 3.10.7.1):
 * seq from its ACK, or ACK of everything it occupied.
 */
void tcp_reply_rst(struct net_stack *s, const uint8_t *ip, const uint8_t *th, size_t dlen)
{
    uint8_t fl = th[13];
    if (fl & TCP_RST)
        return;
    uint32_t src = get32(ip + 12), dst = get32(ip + 16);
    if (dst == IP_BROADCAST || !ip_is_local(s, dst))
        return;
    uint8_t *o = s->txbuf + L4_OFF;
    uint32_t seq = get32(th + 4);
    put16(o, get16(th + 2));
    put16(o + 2, get16(th));
    if (fl & TCP_ACK) {
        put32(o + 4, get32(th + 8));
        put32(o + 8, 0);
        o[13] = TCP_RST;
    } else {
        put32(o + 4, 0);
        put32(o + 8, seq + (uint32_t)dlen + !!(fl & TCP_SYN) + !!(fl & TCP_FIN));
        o[13] = TCP_RST | TCP_ACK;
    }
    o[12] = (TCP_HLEN / 4) << 4;
    put16(o + 14, 0);
    put16(o + 16, 0);
    put16(o + 18, 0);
    uint32_t sum = csum_pseudo(dst, src, IP_PROTO_TCP, TCP_HLEN);
    csum_store(o + 16, csum_finish(csum_add(sum, o, TCP_HLEN)));
    s->stats.tcp_rst_out++;
    s->stats.tcp_out++;
    ip_output(s, dst, src, IP_PROTO_TCP, TCP_HLEN);
}
