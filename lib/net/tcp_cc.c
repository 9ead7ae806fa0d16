/*
 * Congestion control: slow start and congestion avoidance (RFC 5681),
 * fast retransmit and NewReno fast recovery (RFC 6582).
 */
#include "net/tcp_priv.h"

void cc_init(struct tcp_pcb *tp)
{
    uint32_t mss = tp->mss;
    /* initial window, RFC 5681 section 3.1 */
    tp->cwnd = mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;
    tp->ssthresh = 0x7fffffff;
    tp->recover = tp->iss;
    tp->dupacks = 0;
    tp->in_recovery = false;
}

static uint32_t flight_half(const struct tcp_pcb *tp)
{
    uint32_t flight = tp->snd_max - tp->snd_una;
    return max32(flight / 2, 2 * (uint32_t)tp->mss);
}

/* snd_una has already moved by acked bytes. */
void cc_ack(struct net_sock *sk, uint32_t acked)
{
    struct tcp_pcb *tp = &sk->tcp;
    uint32_t mss = tp->mss;
    if (tp->in_recovery) {
        if (seq_ge(tp->snd_una, tp->recover)) {
            /* full ACK: deflate and leave recovery (RFC 6582 3.2 step 3) */
            uint32_t flight = tp->snd_max - tp->snd_una;
            tp->cwnd = min32(tp->ssthresh, max32(flight, mss) + mss);
            tp->in_recovery = false;
            tp->dupacks = 0;
        } else {
            /* partial ACK: the next hole is lost too; resend it at once */
            tcp_retransmit_first(sk);
            sk->stack->stats.tcp_fast_retrans++;
            tp->cwnd = acked >= tp->cwnd ? mss : tp->cwnd - acked;
            if (acked >= mss)
                tp->cwnd += mss;
        }
        return;
    }
    tp->dupacks = 0;
    if (tp->cwnd < tp->ssthresh)
        tp->cwnd += min32(acked, mss);   /* slow start */
    else
        tp->cwnd += max32(1, mss * mss / tp->cwnd);   /* about one MSS per RTT */
    /* never grow far beyond what the peer lets us use */
    uint32_t cap = max32(tp->max_snd_wnd, 4 * mss) + 4 * mss;
    if (tp->cwnd > cap)
        tp->cwnd = cap;
}

void cc_dupack(struct net_sock *sk)
{
    struct tcp_pcb *tp = &sk->tcp;
    tp->dupacks++;
    if (tp->in_recovery) {
        tp->cwnd += tp->mss;   /* a segment left the network */
        return;
    }
    /* only after new data since the last recovery (RFC 6582 3.2 step 2) */
    if (tp->dupacks == 3 && seq_ge(tp->snd_una, tp->recover)) {
        tp->ssthresh = flight_half(tp);
        tp->recover = tp->snd_max;
        tp->in_recovery = true;
        sk->stack->stats.tcp_fast_retrans++;
        tcp_retransmit_first(sk);
        tp->cwnd = tp->ssthresh + 3 * tp->mss;
        tp->t_rexmt = sk->stack->now + tp->rto;
    }
}

void cc_timeout(struct tcp_pcb *tp)
{
    tp->ssthresh = flight_half(tp);
    tp->cwnd = tp->mss;
    tp->recover = tp->snd_max;
    tp->in_recovery = false;
    tp->dupacks = 0;
}
