/*
 * TCP timers: retransmission (RFC 6298), persist (zero-window probing),
 * delayed ACK, keepalive (RFC 1122 4.2.3.6), TIME_WAIT and orphaned
 * FIN_WAIT_2. Each connection keeps absolute deadlines; net_poll() runs the
 * due ones and net_next_deadline() reports the earliest.
 */
#include "net/tcp_priv.h"

#define RTT_G (1 * NS_PER_MS)   /* clock granularity term of RFC 6298 */

static void set_rto(struct net_sock *sk, uint64_t rto)
{
    const struct net_config *c = &sk->stack->cfg;
    if (rto < c->tcp_rto_min_ns)
        rto = c->tcp_rto_min_ns;
    if (rto > c->tcp_rto_max_ns)
        rto = c->tcp_rto_max_ns;
    sk->tcp.rto = rto;
}

void tcp_rtt_sample(struct net_sock *sk, uint64_t r)
{
    struct tcp_pcb *tp = &sk->tcp;
    if (tp->srtt == 0) {
        tp->srtt = r ? r : 1;
        tp->rttvar = r / 2;
    } else {
        uint64_t diff = tp->srtt > r ? tp->srtt - r : r - tp->srtt;
        tp->rttvar = (3 * tp->rttvar + diff) / 4;
        tp->srtt = (7 * tp->srtt + r) / 8;
        if (tp->srtt == 0)
            tp->srtt = 1;
    }
    uint64_t var = 4 * tp->rttvar;
    set_rto(sk, tp->srtt + (var > RTT_G ? var : RTT_G));
}

/*
 * New data was acknowledged (RFC 6298 5.2, 5.3). The backed-off RTO is
 * dropped here, not only at the next clean RTT sample as Karn's algorithm
 * has it: on a lossy link with no timestamps a clean sample can take many
 * round trips, and meanwhile each further loss doubled the timer again
 * (seen against Linux at 10% loss). An ACK for new data shows the path
 * works; Linux does the same with its per-segment samples.
 */
void tcp_timers_on_ack(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    if (tp->rexmt_count && tp->srtt) {
        uint64_t var = 4 * tp->rttvar;
        set_rto(sk, tp->srtt + (var > RTT_G ? var : RTT_G));
    }
    tp->rexmt_count = 0;
    if (tp->snd_una == tp->snd_max)
        tp->t_rexmt = NEVER;
    else
        tp->t_rexmt = sk->stack->now + tp->rto;
}

/*
 * The handshake completed (either side). RFC 6298 5.7: if our SYN (or
 * SYN-ACK) timed out, there is no RTT sample (Karn) and the RTO is the 1 s
 * initial value backed off; data then starts with an RTO of 3 s, the old
 * conservative initial value, until a real sample replaces it. Called
 * before rexmt_count is cleared.
 */
void tcp_timers_established(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    if (tp->rexmt_count && tp->srtt == 0 && TCP_RTO_INITIAL < TCP_RTO_AFTER_SYN_LOSS)
        set_rto(sk, TCP_RTO_AFTER_SYN_LOSS);
}

void tcp_keep_reset(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    tp->keep_sent = 0;
    tp->t_keep = tp->keepalive ? sk->stack->now + tp->keep_idle : NEVER;
}

/* Each *_fire returns true when the connection ended (sk may be freed). */
static bool rexmt_fire(struct net_sock *sk)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    bool syn = tp->snd_una == tp->iss;
    unsigned limit = syn ? s->cfg.tcp_syn_retries : s->cfg.tcp_data_retries;
    tp->t_rexmt = NEVER;
    if (tp->rexmt_count >= limit) {
        tcp_drop(sk, ERR_TIMED_OUT);
        return true;
    }
    if (!syn && tp->snd_wnd == 0) {
        /* the peer shut its window on data in flight: that is not loss;
           probe it like the persist timer does, without giving up */
        tp->snd_nxt = tp->snd_una;
        tp->persist_backoff = 0;
        tp->t_persist = s->now;
        return false;
    }
    tp->rexmt_count++;
    s->stats.tcp_rto++;
    /* back off (RFC 6298 5.5), forget the timing (Karn), go back to snd_una */
    set_rto(sk, tp->rto * 2);
    tp->rtt_timing = false;
    cc_timeout(tp);
    tp->snd_nxt = syn ? tp->iss : tp->snd_una;
    tcp_output(sk);
    if (tp->tx_stalled) {
        /* Our own interface refused the retransmission: that is not the
           path losing data. Do not count it towards giving up; it goes out
           when the interface has room (net_netif_tx_ready). */
        tp->rexmt_count--;
    }
    if (tp->t_rexmt == NEVER && tp->snd_una != tp->snd_max)
        tp->t_rexmt = s->now + tp->rto;
    return false;
}

static bool persist_fire(struct net_sock *sk)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    /* a live peer may keep its window shut forever, but an orphan (nobody
       will ever read or write it) must not hold memory forever */
    if (sk->orphan && tp->persist_backoff >= s->cfg.tcp_data_retries) {
        tcp_drop(sk, ERR_TIMED_OUT);
        return true;
    }
    tcp_send_probe(sk);
    if (tp->persist_backoff < 16)
        tp->persist_backoff++;
    uint64_t t = tp->rto << tp->persist_backoff;
    if (t > s->cfg.tcp_rto_max_ns || t < tp->rto)
        t = s->cfg.tcp_rto_max_ns;
    tp->t_persist = s->now + t;
    return false;
}

static bool keep_fire(struct net_sock *sk)
{
    struct net_stack *s = sk->stack;
    struct tcp_pcb *tp = &sk->tcp;
    if (tp->keep_sent >= tp->keep_cnt) {
        tcp_drop(sk, ERR_TIMED_OUT);
        return true;
    }
    tp->keep_sent++;
    tcp_send_probe(sk);
    tp->t_keep = s->now + tp->keep_intvl;
    return false;
}

static void run_timers(struct net_sock *sk, uint64_t now)
{
    struct tcp_pcb *tp = &sk->tcp;
    if (now >= tp->t_2msl) {
        /* TIME_WAIT over, or an orphan stuck in FIN_WAIT_2 */
        tp->t_2msl = NEVER;
        tcp_closed(sk);
        return;
    }
    if (now >= tp->t_rexmt && rexmt_fire(sk))
        return;
    if (now >= tp->t_persist && persist_fire(sk))
        return;
    if (now >= tp->t_keep && keep_fire(sk))
        return;
    if (now >= tp->t_delack) {
        tp->t_delack = NEVER;
        tcp_send_ack(sk);
    }
}

void tcp_poll(struct net_stack *s, uint64_t now)
{
    struct net_sock *sk = s->socks;
    while (sk) {
        /* timers may free sk (and only sk) */
        struct net_sock *next = sk->next;
        if (sk->type == NET_SOCK_TCP && sk->tcp.state != TCP_CLOSED &&
            sk->tcp.state != TCP_LISTEN)
            run_timers(sk, now);
        sk = next;
    }
}

uint64_t tcp_deadline(struct net_stack *s)
{
    uint64_t d = NEVER;
    for (struct net_sock *sk = s->socks; sk; sk = sk->next) {
        if (sk->type != NET_SOCK_TCP || sk->tcp.state == TCP_CLOSED)
            continue;
        struct tcp_pcb *tp = &sk->tcp;
        d = min64(d, tp->t_rexmt);
        d = min64(d, tp->t_persist);
        d = min64(d, tp->t_keep);
        d = min64(d, tp->t_delack);
        d = min64(d, tp->t_2msl);
    }
    return d;
}
