/* Internal interfaces between the TCP files (tcp_*.c). */
#ifndef NET_TCP_PRIV_H
#define NET_TCP_PRIV_H

#include "net/priv.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

#define TCP_MSS_DEFAULT 536        /* when the peer sends no MSS option */
#define TCP_RTO_INITIAL (1 * NS_PER_S)
#define TCP_RTO_AFTER_SYN_LOSS (3 * NS_PER_S)   /* RFC 6298 5.7 */
#define TCP_WSCALE_MAX  14

/* tcp_buf.c: byte rings */
int ring_alloc(struct net_stack *s, struct ring *r, uint32_t cap);
void ring_free(struct net_stack *s, struct ring *r);
uint32_t ring_append(struct ring *r, const void *data, uint32_t n);
void ring_put_at(struct ring *r, uint32_t off, const void *data, uint32_t n);
void ring_peek(const struct ring *r, uint32_t off, void *dst, uint32_t n);
void ring_consume(struct ring *r, uint32_t n);
/* tcp_buf.c: out-of-order bookkeeping in the receive ring */
bool ooo_add(struct tcp_pcb *tp, uint32_t start, uint32_t end);
uint32_t ooo_advance(struct tcp_pcb *tp);

/* tcp_pcb.c */
void tcp_set_state(struct net_sock *sk, int state);
int tcp_alloc_buffers(struct net_sock *sk);
uint32_t tcp_iss(struct net_stack *s, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp);
void tcp_init_pcb(struct net_sock *sk);
void tcp_drop(struct net_sock *sk, int err);
void tcp_closed(struct net_sock *sk);
void tcp_enter_time_wait(struct net_sock *sk);
struct net_sock *tcp_lookup(struct net_stack *s, uint32_t src, uint16_t sport,
                            uint32_t dst, uint16_t dport, bool listeners);
uint32_t tcp_rcv_space(const struct tcp_pcb *tp);
uint8_t tcp_wscale_for(uint32_t cap);

/* A received segment, fields in host order. */
struct seg {
    uint32_t seq, ack, wnd;
    uint8_t flags;
    const uint8_t *data;
    uint32_t len;          /* data bytes */
    uint16_t mss;          /* from options, 0 if absent */
    int wscale;            /* from options, -1 if absent */
    bool sack_ok;          /* SACK-permitted option */
    bool has_sack;         /* SACK blocks present ... */
    uint32_t sack_high;    /* ... the highest end among them */
};

/* tcp_open.c */
void tcp_parse_options(struct seg *g, const uint8_t *o, size_t len);
void tcp_listen_input(struct net_sock *ls, const uint8_t *ip, const uint8_t *th,
                      const struct seg *g);
void tcp_syn_sent_input(struct net_sock *sk, const uint8_t *ip, const uint8_t *th,
                        const struct seg *g);

/* tcp_out.c */
void tcp_output(struct net_sock *sk);
void tcp_send_ack(struct net_sock *sk);
void tcp_send_probe(struct net_sock *sk);
void tcp_retransmit_first(struct net_sock *sk);
void tcp_send_rst_for(struct net_sock *sk);
void tcp_reply_rst(struct net_stack *s, const uint8_t *ip, const uint8_t *th, size_t dlen);

/* tcp_timer.c */
void tcp_rtt_sample(struct net_sock *sk, uint64_t rtt);
void tcp_timers_on_ack(struct net_sock *sk);
void tcp_timers_established(struct net_sock *sk);
void tcp_keep_reset(struct net_sock *sk);

/* tcp_cc.c: NewReno */
void cc_init(struct tcp_pcb *tp);
void cc_ack(struct net_sock *sk, uint32_t acked);
void cc_dupack(struct net_sock *sk);
void cc_timeout(struct tcp_pcb *tp);

/* tcp_api.c */
unsigned tcp_events(struct net_sock *sk);
int tcp_connect(struct net_sock *sk, uint32_t addr, uint16_t port);
int tcp_listen(struct net_sock *sk, int backlog);
int tcp_accept(struct net_sock *sk, struct net_sock **out);
int tcp_send(struct net_sock *sk, const void *buf, size_t len);
int tcp_recv(struct net_sock *sk, void *buf, size_t len);
int tcp_shutdown(struct net_sock *sk, int how);
void tcp_close(struct net_sock *sk, bool abort);

#endif
