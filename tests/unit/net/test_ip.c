/*
 * Ethernet, ARP, IPv4 (checks, fragments), ICMP and UDP, driven by frames
 * built by hand and by a second stack over the simulated link.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "pkt.h"
#include "pus/err.h"
#include "net/bytes.h"
#include "net/csum.h"

#define ME   NET_IP4(10, 0, 0, 1)
#define PEER NET_IP4(10, 0, 0, 9)

static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x09};

/* Frames the stack sent to the scripted peer. */
#define CAP_MAX 64
static struct captured {
    size_t n;
    size_t len[CAP_MAX];
    uint8_t f[CAP_MAX][1514];
    bool answer_arp;       /* reply to ARP requests for any 10.0.0.x */
    unsigned arp_requests;
} cap;

static void peer(struct sim *sim, int side, const uint8_t *f, size_t len)
{
    (void)side;
    if (cap.n < CAP_MAX) {
        memcpy(cap.f[cap.n], f, len);
        cap.len[cap.n++] = len;
    }
    if (pkt_ethertype(f) == 0x0806 && get16(f + 20) == 1 && get32(f + 28) != get32(f + 38)) {
        cap.arp_requests++;
        if (cap.answer_arp) {
            uint8_t mac[6] = {0x02, 0, 0, 0, 0, f[41]};
            uint8_t out[64];
            size_t n = pkt_arp(out, 2, mac, get32(f + 38), f + 22, get32(f + 28));
            sim_send(sim, 1, out, n);
        }
    }
}

static void setup(struct sim *sim, const struct net_config *cfg)
{
    memset(&cap, 0, sizeof cap);
    cap.answer_arp = true;
    sim_init_peer(sim, 51, cfg, peer);
    net_netif_set_addr(sim->end[0].netif, ME, 24, 0, 0);
    sim_advance(sim, SIM_MS);
}

static struct net_stack *S(struct sim *sim) { return sim->end[0].stack; }
static const uint8_t *my_mac(struct sim *sim) { return sim->end[0].mac; }

static void inject(struct sim *sim, const uint8_t *f, size_t n)
{
    sim_send(sim, 1, f, n);
    sim_advance(sim, 10 * SIM_MS);
}

/* The last captured frame of an ethertype/protocol, or NULL. */
static const uint8_t *last(uint16_t type, uint8_t proto, size_t *len)
{
    for (size_t i = cap.n; i-- > 0;) {
        const uint8_t *f = cap.f[i];
        if (pkt_ethertype(f) == type && (type != 0x0800 || pkt_ip_proto(f) == proto)) {
            *len = cap.len[i];
            return f;
        }
    }
    return NULL;
}

static void test_gratuitous_arp(void **state)
{
    (void)state;
    struct sim sim;
    setup(&sim, NULL);
    size_t len;
    const uint8_t *f = last(0x0806, 0, &len);
    assert_non_null(f);
    assert_memory_equal(f, "\xff\xff\xff\xff\xff\xff", 6);
    assert_int_equal(get16(f + 20), 1);
    assert_int_equal(get32(f + 28), ME);   /* sender = target = our address */
    assert_int_equal(get32(f + 38), ME);
    sim_destroy(&sim);
}

static void test_arp_reply_and_learning(void **state)
{
    (void)state;
    struct sim sim;
    setup(&sim, NULL);
    uint8_t f[64];
    size_t n;
    /* a request for someone else: no reply, not learned */
    cap.answer_arp = false;
    cap.n = 0;
    n = pkt_arp(f, 1, peer_mac, PEER, (const uint8_t *)"\0\0\0\0\0\0", NET_IP4(10, 0, 0, 7));
    inject(&sim, f, n);
    assert_int_equal(cap.n, 0);
    struct net_arp_info info[4];
    assert_int_equal(net_arp_list(S(&sim), info, 4), 0);
    /* a request for us: a reply, and the asker is learned */
    n = pkt_arp(f, 1, peer_mac, PEER, (const uint8_t *)"\0\0\0\0\0\0", ME);
    inject(&sim, f, n);
    assert_int_equal(cap.n, 1);
    assert_int_equal(get16(cap.f[0] + 20), 2);
    assert_memory_equal(cap.f[0] + 22, my_mac(&sim), 6);
    assert_memory_equal(cap.f[0], peer_mac, 6);
    assert_int_equal(net_arp_list(S(&sim), info, 4), 1);
    assert_int_equal(info[0].addr, PEER);
    assert_int_equal(info[0].state, NET_ARP_REACHABLE);
    assert_memory_equal(info[0].mac, peer_mac, 6);
    /* truncated and malformed ARP is counted, changes nothing */
    uint64_t err = sim.end[0].netif->stats.rx_errors;
    inject(&sim, f, 30);
    f[14 + 4] = 8;   /* hardware length 8 */
    inject(&sim, f, n);
    assert_int_equal(sim.end[0].netif->stats.rx_errors, err + 2);
    sim_destroy(&sim);
}

static void test_arp_cache_limit_and_aging(void **state)
{
    (void)state;
    struct net_config cfg;
    net_config_default(&cfg);
    cfg.arp_max = 4;
    cfg.arp_timeout_ns = 10 * SIM_S;
    struct sim sim;
    setup(&sim, &cfg);
    cap.answer_arp = true;
    struct net_sock *u;
    assert_int_equal(net_socket(S(&sim), NET_SOCK_UDP, &u), 0);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(net_sendto(u, "x", 1, NET_IP4(10, 0, 0, 100 + i), 9), 1);
        sim_advance(&sim, 10 * SIM_MS);
    }
    struct net_arp_info info[8];
    assert_int_equal(net_arp_list(S(&sim), info, 8), 4);
    /* every datagram left once resolved */
    size_t udp = 0;
    for (size_t i = 0; i < cap.n; i++)
        udp += pkt_ethertype(cap.f[i]) == 0x0800;
    assert_int_equal(udp, 8);
    sim_advance(&sim, 11 * SIM_S);
    assert_int_equal(net_arp_list(S(&sim), info, 8), 0);
    /* the emptied cache takes new neighbours again, and finds them */
    cap.n = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(net_sendto(u, "x", 1, NET_IP4(10, 0, 0, 200 + i), 9), 1);
        sim_advance(&sim, 10 * SIM_MS);
        assert_int_equal(net_sendto(u, "y", 1, NET_IP4(10, 0, 0, 200 + i), 9), 1);
    }
    sim_advance(&sim, 10 * SIM_MS);
    assert_int_equal(net_arp_list(S(&sim), info, 8), 3);
    size_t arp = 0;
    udp = 0;
    for (size_t i = 0; i < cap.n; i++) {
        udp += pkt_ethertype(cap.f[i]) == 0x0800;
        arp += pkt_ethertype(cap.f[i]) == 0x0806;
    }
    assert_int_equal(udp, 6);
    assert_int_equal(arp, 3);   /* one request each: the second datagram found the entry */
    net_close(u);
    sim_destroy(&sim);
}

static void test_arp_retries_then_unreachable(void **state)
{
    (void)state;
    struct sim sim;
    setup(&sim, NULL);
    cap.answer_arp = false;
    struct net_sock *u;
    assert_int_equal(net_socket(S(&sim), NET_SOCK_UDP, &u), 0);
    assert_int_equal(net_sendto(u, "x", 1, PEER, 9), 1);
    sim_advance(&sim, 4 * SIM_S);
    assert_int_equal(cap.arp_requests, 3);
    assert_int_equal(net_sendto(u, "x", 1, PEER, 9), ERR_UNREACHABLE);
    /* the failure is forgotten after a while: ARP is tried again */
    sim_advance(&sim, 10 * SIM_S);
    assert_int_equal(net_sendto(u, "x", 1, PEER, 9), 1);
    sim_advance(&sim, 10 * SIM_MS);
    assert_int_equal(cap.arp_requests, 4);
    net_close(u);
    sim_destroy(&sim);
}

static void test_icmp_echo_reply(void **state)
{
    (void)state;
    struct sim sim;
    setup(&sim, NULL);
    uint8_t icmp[64] = {8, 0, 0, 0, 0x12, 0x34, 0, 1};
    for (int i = 8; i < 64; i++)
        icmp[i] = (uint8_t)i;
    csum_store(icmp + 2, csum_buf(icmp, sizeof icmp));
    uint8_t f[200];
    size_t n = pkt_ip(f, my_mac(&sim), peer_mac, PEER, ME, 1, icmp, sizeof icmp);
    inject(&sim, f, n);
    size_t len, l4len;
    const uint8_t *r = last(0x0800, 1, &len);
    assert_non_null(r);
    const uint8_t *m = pkt_l4(r, len, &l4len);
    assert_int_equal(l4len, sizeof icmp);
    assert_int_equal(m[0], 0);
    assert_memory_equal(m + 4, icmp + 4, sizeof icmp - 4);
    assert_int_equal(csum_buf(m, l4len), 0);
    assert_int_equal(pkt_ip_dst(r), PEER);
    assert_int_equal(csum_buf(r + 14, 20), 0);
    /* a bad checksum gets no answer */
    cap.n = 0;
    icmp[10] ^= 1;
    n = pkt_ip(f, my_mac(&sim), peer_mac, PEER, ME, 1, icmp, sizeof icmp);
    inject(&sim, f, n);
    assert_null(last(0x0800, 1, &len));
    sim_destroy(&sim);
}

/* The reply's checksum is the request's adjusted (RFC 1624): it must hold
   for any length (odd ones too) and any checksum, 0x0000 and 0xffff among them. */
static void test_icmp_echo_reply_checksums(void **state)
{
    (void)state;
    struct sim sim;
    setup(&sim, NULL);
    uint32_t x = 7;
    int zero_or_ones = 0;
    for (int round = 0; round < 400; round++) {
        uint8_t icmp[201] = {8, 0, 0, 0, 0x12, 0x34};
        size_t len = 8 + (size_t)(round * 37 % 194);
        put16(icmp + 6, (uint16_t)round);
        for (size_t i = 8; i < len; i++) {
            x = x * 1103515245 + 12345;
            icmp[i] = (uint8_t)(x >> 16);
        }
        /* steer the last two payload bytes so the request's checksum ends
           up 0x0000 or 0xffff in some rounds */
        if (round % 4 == 0 && len >= 10 && len % 2 == 0) {
            put16(icmp + len - 2, 0);
            put16(icmp + 2, 0);
            uint16_t c = csum_buf(icmp, len);   /* what the last word must add */
            memcpy(icmp + len - 2, &c, 2);
            if (round % 8 == 0) {
                /* the whole sum is now 0xffff: the checksum field may be 0 or ~0 */
                put16(icmp + 2, 0xffff);
            }
        } else {
            csum_store(icmp + 2, 0);
            csum_store(icmp + 2, csum_buf(icmp, len));
        }
        assert_int_equal(csum_buf(icmp, len), 0);
        zero_or_ones += get16(icmp + 2) == 0 || get16(icmp + 2) == 0xffff;
        uint8_t f[300];
        cap.n = 0;
        size_t n = pkt_ip(f, my_mac(&sim), peer_mac, PEER, ME, 1, icmp, len);
        inject(&sim, f, n);
        size_t flen, l4len;
        const uint8_t *r = last(0x0800, 1, &flen);
        assert_non_null(r);
        const uint8_t *m = pkt_l4(r, flen, &l4len);
        assert_int_equal(l4len, len);
        assert_int_equal(m[0], 0);
        assert_memory_equal(m + 4, icmp + 4, len - 4);
        assert_int_equal(csum_buf(m, l4len), 0);
    }
    assert_true(zero_or_ones >= 50);

    /* id 0, seq 0, all-zero payload: the reply is all zeros but for its
       checksum, which must then be 0xffff (the adjusted sum gives 0x0000) */
    uint8_t zero[64] = {8};
    csum_store(zero + 2, csum_buf(zero, sizeof zero));
    uint8_t f[200];
    size_t flen, l4len, n = pkt_ip(f, my_mac(&sim), peer_mac, PEER, ME, 1, zero, sizeof zero);
    cap.n = 0;
    inject(&sim, f, n);
    const uint8_t *r = last(0x0800, 1, &flen);
    assert_non_null(r);
    const uint8_t *m = pkt_l4(r, flen, &l4len);
    assert_int_equal(get16(m + 2), 0xffff);
    assert_int_equal(csum_buf(m, l4len), 0);

    /* a request the device vouched for may carry a partial sum (virtio's
       NEEDS_CSUM) where its checksum belongs: the reply is summed anew */
    uint8_t partial[64] = {8, 0, 0x12, 0x34, 0, 7, 0, 1};
    n = pkt_ip(f, my_mac(&sim), peer_mac, PEER, ME, 1, partial, sizeof partial);
    cap.n = 0;
    net_input_ex(S(&sim), sim.end[0].netif, f, n, NET_RX_CSUM_VALID);
    sim_advance(&sim, 10 * SIM_MS);
    r = last(0x0800, 1, &flen);
    assert_non_null(r);
    m = pkt_l4(r, flen, &l4len);
    assert_int_equal(m[0], 0);
    assert_int_equal(csum_buf(m, l4len), 0);
    sim_destroy(&sim);
}

static void test_udp_port_unreachable(void **state)
{
    (void)state;
    struct sim sim;
    setup(&sim, NULL);
    uint8_t f[200];
    size_t n = pkt_udp(f, my_mac(&sim), peer_mac, PEER, ME, 4000, 4444, "hello", 5);
    inject(&sim, f, n);
    size_t len, l4len;
    const uint8_t *r = last(0x0800, 1, &len);
    assert_non_null(r);
    const uint8_t *m = pkt_l4(r, len, &l4len);
    assert_int_equal(m[0], 3);
    assert_int_equal(m[1], 3);
    assert_int_equal(l4len, 8 + 20 + 8);
    assert_int_equal(get16(m + 8 + 20 + 2), 4444);   /* quotes our header */
    assert_int_equal(csum_buf(m, l4len), 0);
    assert_int_equal(net_proto_stats(S(&sim))->udp_no_port, 1);
    sim_destroy(&sim);
}

static size_t count_icmp(void)
{
    size_t n = 0;
    for (size_t i = 0; i < cap.n; i++)
        n += pkt_ethertype(cap.f[i]) == 0x0800 && pkt_ip_proto(cap.f[i]) == 1;
    return n;
}

static void test_icmp_errors_rate_limited(void **state)
{
    (void)state;
    struct sim sim;
    setup(&sim, NULL);
    uint8_t f[200];
    size_t n = pkt_udp(f, my_mac(&sim), peer_mac, PEER, ME, 4000, 4444, "x", 1);
    /* resolve the peer first so every answer goes out at once */
    inject(&sim, f, n);
    cap.n = 0;
    for (int i = 0; i < 60; i++)
        net_input(S(&sim), sim.end[0].netif, f, n);
    sim_advance(&sim, 10 * SIM_MS);
    size_t burst = count_icmp();
    assert_true(burst >= 40 && burst <= 50);   /* a flood gets a bounded answer */
    sim_advance(&sim, SIM_S);
    cap.n = 0;
    for (int i = 0; i < 60; i++)
        net_input(S(&sim), sim.end[0].netif, f, n);
    sim_advance(&sim, 10 * SIM_MS);
    assert_true(count_icmp() >= 40 && count_icmp() <= 50);   /* refilled */
    sim_destroy(&sim);
}

static void test_udp_sockets(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 52, NULL);
    struct net_sock *a, *b;
    assert_int_equal(net_socket(sim.end[0].stack, NET_SOCK_UDP, &a), 0);
    assert_int_equal(net_socket(sim.end[1].stack, NET_SOCK_UDP, &b), 0);
    assert_int_equal(net_bind(b, 0, 5683), 0);
    struct net_sock *b2;
    assert_int_equal(net_socket(sim.end[1].stack, NET_SOCK_UDP, &b2), 0);
    assert_int_equal(net_bind(b2, 0, 5683), ERR_ADDR_IN_USE);
    net_close(b2);
    char big[1473];
    memset(big, 'z', sizeof big);
    assert_int_equal(net_sendto(a, big, 1472, SIM_IP_B, 5683), 1472);
    assert_int_equal(net_sendto(a, big, 1473, SIM_IP_B, 5683), ERR_TOO_BIG);
    assert_int_equal(net_sendto(a, "ping", 4, SIM_IP_B, 5683), 4);
    sim_advance(&sim, 100 * SIM_MS);
    char buf[2000];
    uint32_t from;
    uint16_t port, aport;
    net_sock_local(a, NULL, &aport);
    assert_true(net_sock_poll(b) & NET_EV_READABLE);
    assert_int_equal(net_recvfrom(b, buf, sizeof buf, &from, &port), 1472);
    assert_int_equal(net_recvfrom(b, buf, 2, &from, &port), 4);   /* truncated */
    assert_memory_equal(buf, "pi", 2);
    assert_int_equal(from, SIM_IP_A);
    assert_int_equal(port, aport);
    assert_int_equal(net_recvfrom(b, buf, sizeof buf, &from, &port), ERR_WOULD_BLOCK);
    /* a connected socket hears of the closed port (ICMP) */
    assert_int_equal(net_connect(a, SIM_IP_B, 9999), 0);
    assert_int_equal(net_send(a, "x", 1), 1);
    sim_advance(&sim, 100 * SIM_MS);
    assert_true(net_sock_poll(a) & NET_EV_ERROR);
    assert_int_equal(net_recv(a, buf, sizeof buf), ERR_CONN_REFUSED);
    /* the receive queue is bounded */
    assert_int_equal(net_sock_setopt(b, NET_OPT_RCVBUF, 4000), 0);
    for (int i = 0; i < 10; i++)
        net_sendto(a, big, 1000, SIM_IP_B, 5683);
    sim_advance(&sim, 100 * SIM_MS);
    int got = 0;
    while (net_recvfrom(b, buf, sizeof buf, NULL, NULL) > 0)
        got++;
    assert_int_equal(got, 4);
    assert_true(sim.end[1].netif->stats.rx_dropped >= 6);
    /* loopback UDP */
    struct net_sock *lo;
    assert_int_equal(net_socket(sim.end[1].stack, NET_SOCK_UDP, &lo), 0);
    assert_int_equal(net_sendto(lo, "lo", 2, NET_IP4(127, 0, 0, 1), 5683), 2);
    assert_int_equal(net_recvfrom(b, buf, sizeof buf, &from, NULL), 2);
    assert_int_equal(from, NET_IP4(127, 0, 0, 1));
    net_close(lo);
    net_close(a);
    net_close(b);
    sim_destroy(&sim);
}

static void test_udp_checksums(void **state)
{
    (void)state;
    struct sim sim;
    setup(&sim, NULL);
    struct net_sock *u;
    assert_int_equal(net_socket(S(&sim), NET_SOCK_UDP, &u), 0);
    assert_int_equal(net_bind(u, 0, 7000), 0);
    uint8_t f[200];
    size_t n = pkt_udp(f, my_mac(&sim), peer_mac, PEER, ME, 1, 7000, "data", 4);
    f[n - 1] ^= 0x40;   /* corrupt the payload: checksum no longer matches */
    uint64_t err = sim.end[0].netif->stats.rx_errors;
    net_input(S(&sim), sim.end[0].netif, f, n);
    assert_int_equal(sim.end[0].netif->stats.rx_errors, err + 1);
    char buf[16];
    assert_int_equal(net_recvfrom(u, buf, sizeof buf, NULL, NULL), ERR_WOULD_BLOCK);
    /* the driver vouches for it (virtio DATA_VALID / NEEDS_CSUM): accepted */
    net_input_ex(S(&sim), sim.end[0].netif, f, n, NET_RX_CSUM_VALID);
    assert_int_equal(net_recvfrom(u, buf, sizeof buf, NULL, NULL), 4);
    /* checksum 0 means none was sent (RFC 768) */
    n = pkt_udp(f, my_mac(&sim), peer_mac, PEER, ME, 1, 7000, "zero", 4);
    put16(f + 14 + 20 + 6, 0);
    net_input(S(&sim), sim.end[0].netif, f, n);
    assert_int_equal(net_recvfrom(u, buf, sizeof buf, NULL, NULL), 4);
    assert_memory_equal(buf, "zero", 4);
    net_close(u);
    sim_destroy(&sim);
}

static void test_ip_header_checks(void **state)
{
    (void)state;
    struct sim sim;
    setup(&sim, NULL);
    struct net_sock *u;
    assert_int_equal(net_socket(S(&sim), NET_SOCK_UDP, &u), 0);
    assert_int_equal(net_bind(u, 0, 7000), 0);
    uint8_t f[200], g[200];
    size_t n = pkt_udp(f, my_mac(&sim), peer_mac, PEER, ME, 1, 7000, "data", 4);
    struct net_netif *nif = sim.end[0].netif;
    uint64_t err = nif->stats.rx_errors;
    memcpy(g, f, n);
    g[14 + 10] ^= 1;   /* header checksum */
    net_input(S(&sim), nif, g, n);
    memcpy(g, f, n);
    g[14] = 0x65;      /* version 6 */
    net_input(S(&sim), nif, g, n);
    memcpy(g, f, n);
    g[14] = 0x44;      /* header shorter than 20 */
    net_input(S(&sim), nif, g, n);
    net_input(S(&sim), nif, f, n - 1);   /* total length beyond the frame */
    net_input(S(&sim), nif, f, 10);      /* not even Ethernet */
    assert_int_equal(nif->stats.rx_errors, err + 5);
    char buf[16];
    assert_int_equal(net_recvfrom(u, buf, sizeof buf, NULL, NULL), ERR_WOULD_BLOCK);
    /* Ethernet padding after the datagram is ignored */
    memcpy(g, f, n);
    memset(g + n, 0xee, 20);
    net_input(S(&sim), nif, g, n + 20);
    assert_int_equal(net_recvfrom(u, buf, sizeof buf, NULL, NULL), 4);
    /* another host's unicast MAC is not for us */
    memcpy(g, f, n);
    g[0] = 0x04;
    uint64_t drop = nif->stats.rx_dropped;
    net_input(S(&sim), nif, g, n);
    assert_int_equal(nif->stats.rx_dropped, drop + 1);
    assert_true(nif->stats.rx_packets >= 7);
    net_close(u);
    sim_destroy(&sim);
}

/* Sends payload as IP fragments of fragsize bytes, in the given order. */
static void send_fragments(struct sim *sim, const uint8_t *l4, size_t len, size_t fragsize,
                           const int *order, int count, uint16_t id)
{
    for (int k = 0; k < count; k++) {
        size_t off = (size_t)order[k] * fragsize;
        size_t n = len - off < fragsize ? len - off : fragsize;
        bool more = off + n < len;
        uint8_t f[1514];
        size_t fl = pkt_ip(f, sim->end[0].mac, peer_mac, PEER, ME, 17, l4 + off, n);
        uint8_t *ip = f + 14;
        put16(ip + 4, id);
        put16(ip + 6, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
        put16(ip + 10, 0);
        csum_store(ip + 10, csum_buf(ip, 20));
        sim_send(sim, 1, f, fl);
    }
    sim_advance(sim, 10 * SIM_MS);
}

static size_t build_udp(uint8_t *u, size_t len, uint16_t dport)
{
    for (size_t i = 8; i < len; i++)
        u[i] = (uint8_t)(i * 13);
    put16(u, 1);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)len);
    put16(u + 6, 0);
    uint32_t s = csum_pseudo(PEER, ME, 17, (uint16_t)len);
    csum_store(u + 6, csum_finish(csum_add(s, u, len)));
    return len;
}

static void test_fragments(void **state)
{
    (void)state;
    struct net_config cfg;
    net_config_default(&cfg);
    cfg.reasm_timeout_ns = 5 * SIM_S;
    cfg.reasm_max = 4;
    struct sim sim;
    setup(&sim, &cfg);
    struct net_sock *u;
    assert_int_equal(net_socket(S(&sim), NET_SOCK_UDP, &u), 0);
    assert_int_equal(net_bind(u, 0, 7000), 0);
    size_t base = net_mem_used(S(&sim));
    static uint8_t dgram[9000], buf[9000];
    size_t len = build_udp(dgram, 8000, 7000);

    /* out of order, with a duplicate: arrives whole */
    const int order[] = {3, 0, 5, 1, 1, 4, 2};
    send_fragments(&sim, dgram, len, 1480, order, 7, 1);
    assert_int_equal(net_recvfrom(u, buf, sizeof buf, NULL, NULL), (int)len - 8);
    assert_memory_equal(buf, dgram + 8, len - 8);
    assert_int_equal(net_proto_stats(S(&sim))->ip_reasm_ok, 1);
    assert_int_equal(net_mem_used(S(&sim)), base);

    /* a hole: nothing delivered; timed out and freed */
    const int holes[] = {0, 1, 3, 4, 5};
    send_fragments(&sim, dgram, len, 1480, holes, 5, 2);
    assert_int_equal(net_recvfrom(u, buf, sizeof buf, NULL, NULL), ERR_WOULD_BLOCK);
    assert_true(net_mem_used(S(&sim)) > base);
    sim_advance(&sim, 6 * SIM_S);
    assert_int_equal(net_proto_stats(S(&sim))->ip_reasm_timeout, 1);
    assert_int_equal(net_mem_used(S(&sim)), base);

    /* many incomplete datagrams: at most reasm_max kept, within reasm_mem */
    const int first[] = {0};
    for (uint16_t id = 10; id < 30; id++) {
        send_fragments(&sim, dgram, len, 1480, first, 1, id);
        assert_true(net_mem_used(S(&sim)) - base <= cfg.reasm_mem + 4 * 2000);
    }
    sim_advance(&sim, 6 * SIM_S);
    assert_int_equal(net_mem_used(S(&sim)), base);

    /* a fragment reaching past 65535 bytes is refused */
    uint64_t err = sim.end[0].netif->stats.rx_errors;
    uint8_t f[1514];
    size_t fl = pkt_ip(f, sim.end[0].mac, peer_mac, PEER, ME, 17, dgram, 1000);
    put16(f + 14 + 6, 0x2000 | 8100);
    put16(f + 14 + 10, 0);
    csum_store(f + 14 + 10, csum_buf(f + 14, 20));
    net_input(S(&sim), sim.end[0].netif, f, fl);
    assert_int_equal(sim.end[0].netif->stats.rx_errors, err + 1);
    net_close(u);
    sim_destroy(&sim);
}

static bool ping_done(struct sim *sim, void *ctx)
{
    int *t = ctx;
    uint64_t rtt;
    int r = net_ping_result(sim->end[0].stack, t[0], &rtt);
    if (r == ERR_WOULD_BLOCK)
        return false;
    t[1] = r;
    t[2] = (int)(rtt / 1000);
    return true;
}

static void test_ping(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 53, NULL);
    int t[3];
    t[0] = net_ping_send(sim.end[0].stack, SIM_IP_B, 56, 2 * SIM_S);
    assert_true(t[0] >= 0);
    assert_true(sim_run(&sim, sim.now + 5 * SIM_S, ping_done, t));
    assert_int_equal(t[1], 0);
    assert_true(t[2] >= 2000 && t[2] < 10000);   /* 2 ms: the link's two latencies */
    assert_true(sim.end[0].stack_events & NET_SEV_PING);
    /* loopback */
    t[0] = net_ping_send(sim.end[0].stack, NET_IP4(127, 0, 0, 1), 8, SIM_S);
    assert_true(sim_run(&sim, sim.now + 5 * SIM_S, ping_done, t));
    assert_int_equal(t[1], 0);
    /* nobody there: times out */
    sim.link_down = true;
    t[0] = net_ping_send(sim.end[0].stack, SIM_IP_B, 8, SIM_S);
    assert_true(sim_run(&sim, sim.now + 5 * SIM_S, ping_done, t));
    assert_int_equal(t[1], ERR_TIMED_OUT);
    assert_int_equal(net_ping_send(sim.end[0].stack, NET_IP4(8, 8, 8, 8), 8, SIM_S),
                     ERR_UNREACHABLE);
    sim_destroy(&sim);
}

static void test_counters_and_listing(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 54, NULL);
    struct net_sock *a, *b, *u;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 5 * SIM_S), 0);
    assert_int_equal(net_socket(sim.end[0].stack, NET_SOCK_UDP, &u), 0);
    assert_int_equal(net_bind(u, 0, 53), 0);
    struct net_sock_info info[4];
    assert_int_equal(net_sock_list(sim.end[0].stack, info, 4), 2);
    bool saw_tcp = false, saw_udp = false;
    for (int i = 0; i < 2; i++) {
        if (info[i].type == NET_SOCK_TCP) {
            saw_tcp = true;
            assert_int_equal(info[i].state, TCP_ESTABLISHED);
            assert_int_equal(info[i].raddr, SIM_IP_B);
            assert_int_equal(info[i].rport, 80);
        } else {
            saw_udp = true;
            assert_int_equal(info[i].lport, 53);
        }
    }
    assert_true(saw_tcp && saw_udp);
    assert_string_equal(net_tcp_state_name(TCP_TIME_WAIT), "TIME_WAIT");
    struct net_netif *lo = net_netif_first(sim.end[0].stack);
    assert_string_equal(lo->name, "lo");
    struct net_netif *eth = lo->next;
    assert_string_equal(eth->name, "eth0");
    assert_true(eth->stats.tx_packets >= 3 && eth->stats.rx_packets >= 2);
    assert_true(eth->stats.tx_bytes > eth->stats.tx_packets * 40);
    char ip[16];
    assert_string_equal(net_ip_str(eth->addr, ip), "10.0.0.1");
    uint32_t x;
    assert_int_equal(net_ip_parse("10.0.0.256", &x), ERR_BAD_FORMAT);
    assert_int_equal(net_ip_parse("1.2.3", &x), ERR_BAD_FORMAT);
    assert_int_equal(net_ip_parse("1.2.3.4", &x), 0);
    assert_int_equal(x, NET_IP4(1, 2, 3, 4));
    net_close(a);
    net_close(b);
    net_close(u);
    sim_destroy(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gratuitous_arp),
        cmocka_unit_test(test_arp_reply_and_learning),
        cmocka_unit_test(test_arp_cache_limit_and_aging),
        cmocka_unit_test(test_arp_retries_then_unreachable),
        cmocka_unit_test(test_icmp_echo_reply),
        cmocka_unit_test(test_icmp_echo_reply_checksums),
        cmocka_unit_test(test_udp_port_unreachable),
        cmocka_unit_test(test_icmp_errors_rate_limited),
        cmocka_unit_test(test_udp_sockets),
        cmocka_unit_test(test_udp_checksums),
        cmocka_unit_test(test_ip_header_checks),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_ping),
        cmocka_unit_test(test_counters_and_listing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
