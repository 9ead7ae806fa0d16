/*
 * DHCP client and DNS resolver against small servers written here, on the
 * simulated link: handshake, renewal, rebinding, expiry, NAK; resolution,
 * TTL caching, NXDOMAIN, CNAME chains, timeouts and retries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "pkt.h"
#include "pus/err.h"
#include "net/bytes.h"

#define SERVER_IP NET_IP4(10, 0, 0, 254)
#define DNS_IP    NET_IP4(10, 0, 0, 53)
#define POOL_IP   NET_IP4(10, 0, 0, 77)

static const uint8_t server_mac[6] = {0x02, 0, 0, 0, 0, 0x99};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* What the scripted server saw and how it behaves. */
static struct server {
    unsigned discovers, requests_bcast, requests_ucast, releases, declines;
    bool dhcp_silent, nak;
    bool squatter;         /* someone already uses POOL_IP: answer its ARP */
    uint32_t pool;         /* the address offered */
    uint32_t lease;
    unsigned dns_queries;
    bool dns_silent;
    char last_name[256];
} srv;

static uint8_t *dhcp_opt(uint8_t *p, uint8_t code, uint8_t len, uint32_t v)
{
    p[0] = code;
    p[1] = len;
    put32(p + 2, v);
    return p + 2 + len;
}

static int find_opt(const uint8_t *o, size_t len, uint8_t code)
{
    for (size_t i = 0; i + 1 < len && o[i] != 255;) {
        if (o[i] == 0) {
            i++;
            continue;
        }
        if (o[i] == code)
            return o[i + 2];
        i += 2 + o[i + 1];
    }
    return -1;
}

static void dhcp_server(struct sim *sim, const uint8_t *f, const uint8_t *m, size_t mlen)
{
    int type = find_opt(m + 240, mlen - 240, 53);
    uint32_t ciaddr = get32(m + 12);
    bool unicast = pkt_ip_dst(f) != 0xffffffffu;
    if (type == 1)
        srv.discovers++;
    else if (type == 3)
        unicast ? srv.requests_ucast++ : srv.requests_bcast++;
    else if (type == 7)
        srv.releases++;
    else if (type == 4) {
        srv.declines++;
        srv.pool++;   /* offer the next address from now on */
    }
    if (srv.dhcp_silent || (type != 1 && type != 3))
        return;
    uint8_t r[400];
    memset(r, 0, sizeof r);
    r[0] = 2;
    r[1] = 1;
    r[2] = 6;
    memcpy(r + 4, m + 4, 4);      /* xid */
    memcpy(r + 28, m + 28, 16);   /* chaddr */
    put32(r + 16, srv.pool);
    put32(r + 236, 0x63825363);
    uint8_t *p = r + 240;
    uint8_t reply = type == 1 ? 2 : srv.nak ? 6 : 5;
    p[0] = 53, p[1] = 1, p[2] = reply;
    p += 3;
    p = dhcp_opt(p, 54, 4, SERVER_IP);
    if (reply != 6) {
        p = dhcp_opt(p, 51, 4, srv.lease);
        p = dhcp_opt(p, 1, 4, 0xffffff00u);
        p = dhcp_opt(p, 3, 4, SERVER_IP);
        p = dhcp_opt(p, 6, 4, DNS_IP);
    }
    *p++ = 255;
    uint8_t out[1514];
    size_t n;
    if (ciaddr && unicast)
        n = pkt_udp(out, m + 28, server_mac, SERVER_IP, ciaddr, 67, 68, r, (size_t)(p - r));
    else
        n = pkt_udp(out, bcast, server_mac, SERVER_IP, 0xffffffffu, 67, 68, r, (size_t)(p - r));
    sim_send(sim, 1, out, n);
}

/* Reads the question name into text. */
static size_t read_qname(const uint8_t *m, size_t len, char *out)
{
    size_t off = 12, o = 0;
    while (off < len && m[off]) {
        uint8_t l = m[off++];
        if (o)
            out[o++] = '.';
        memcpy(out + o, m + off, l);
        o += l;
        off += l;
    }
    out[o] = 0;
    return off + 1 + 4;   /* past the zero, type and class */
}

static void dns_server(struct sim *sim, const uint8_t *f, const uint8_t *u, size_t ulen)
{
    const uint8_t *q = u + 8;
    size_t qlen = ulen - 8;
    srv.dns_queries++;
    size_t qend = read_qname(q, qlen, srv.last_name);
    if (srv.dns_silent || !strcmp(srv.last_name, "slow.fog"))
        return;
    uint8_t r[512];
    memcpy(r, q, qend);
    put16(r + 6, 0);
    uint8_t *p = r + qend;
    if (!strcmp(srv.last_name, "missing.fog")) {
        put16(r + 2, 0x8183);
    } else if (!strncmp(srv.last_name, "bad", 3)) {
        /* hostile answers: a pointer loop, data past the end, a short A */
        put16(r + 2, 0x8180);
        put16(r + 6, 1);
        char kind = srv.last_name[3];
        if (kind == '1') {
            p[0] = 0xc0, p[1] = (uint8_t)(p - r);   /* points at itself */
            p += 2;
        } else {
            p[0] = 0xc0, p[1] = 12;
            put16(p + 2, 1);
            put16(p + 4, 1);
            put32(p + 6, 30);
            put16(p + 10, kind == '2' ? 200 : 3);
            put32(p + 12, NET_IP4(6, 6, 6, 6));
            p += kind == '2' ? 16 : 15;
        }
    } else {
        put16(r + 2, 0x8180);
        uint16_t an = 0;
        if (!strcmp(srv.last_name, "alias.fog")) {
            /* CNAME to "node1.fog" spelled out, then its A */
            p[0] = 0xc0, p[1] = 12;
            put16(p + 2, 5);
            put16(p + 4, 1);
            put32(p + 6, 300);
            static const uint8_t target[] = {5, 'n', 'o', 'd', 'e', '1', 3, 'f', 'o', 'g', 0};
            put16(p + 10, sizeof target);
            memcpy(p + 12, target, sizeof target);
            p += 12 + sizeof target;
            an++;
        }
        p[0] = 0xc0, p[1] = 12;
        put16(p + 2, 1);
        put16(p + 4, 1);
        put32(p + 6, 30);   /* TTL 30 s */
        put16(p + 10, 4);
        put32(p + 12, NET_IP4(10, 0, 0, 50));
        p += 16;
        an++;
        put16(r + 6, an);
    }
    uint8_t out[1514];
    size_t n = pkt_udp(out, f + 6, server_mac, DNS_IP, pkt_ip_src(f), 53, get16(u), r,
                       (size_t)(p - r));
    sim_send(sim, 1, out, n);
}

static void server_peer(struct sim *sim, int side, const uint8_t *f, size_t len)
{
    (void)side;
    if (pkt_ethertype(f) == 0x0806 && len >= 42 && get16(f + 20) == 1) {
        uint32_t tpa = get32(f + 38);
        if (tpa == SERVER_IP || tpa == DNS_IP || (srv.squatter && tpa == POOL_IP)) {
            uint8_t out[64];
            size_t n = pkt_arp(out, 2, server_mac, tpa, f + 22, get32(f + 28));
            sim_send(sim, 1, out, n);
        }
        return;
    }
    if (pkt_ethertype(f) != 0x0800 || pkt_ip_proto(f) != 17)
        return;
    size_t ulen;
    const uint8_t *u = pkt_l4(f, len, &ulen);
    if (!u || ulen < 8)
        return;
    if (get16(u + 2) == 67 && ulen >= 8 + 240)
        dhcp_server(sim, f, u + 8, ulen - 8);
    else if (get16(u + 2) == 53 && pkt_ip_dst(f) == DNS_IP)
        dns_server(sim, f, u, ulen);
}

static bool is_bound(struct sim *sim, void *ctx)
{
    (void)ctx;
    return net_dhcp_state(sim->end[0].stack) == DHCP_BOUND;
}

static void setup_dhcp(struct sim *sim, uint32_t lease)
{
    memset(&srv, 0, sizeof srv);
    srv.lease = lease;
    srv.pool = POOL_IP;
    sim_init_peer(sim, 31, NULL, server_peer);
    assert_int_equal(net_dhcp_start(sim->end[0].netif), 0);
    assert_true(sim_run(sim, sim->now + 30 * SIM_S, is_bound, NULL));
}

static void test_dhcp_handshake_and_renewal(void **state)
{
    (void)state;
    struct sim sim;
    setup_dhcp(&sim, 100);
    struct net_netif *nif = sim.end[0].netif;
    assert_int_equal(nif->addr, POOL_IP);
    assert_int_equal(nif->netmask, 0xffffff00u);
    assert_int_equal(nif->gateway, SERVER_IP);
    assert_int_equal(nif->dns[0], DNS_IP);
    assert_int_equal(srv.discovers, 1);
    assert_int_equal(srv.requests_bcast, 1);
    assert_true(sim.end[0].stack_events & NET_SEV_ADDR);
    /* at T1 (50 s) a unicast renewal; the lease starts again */
    sim_advance(&sim, 49 * SIM_S);
    assert_int_equal(srv.requests_ucast, 0);
    sim_advance(&sim, 2 * SIM_S);
    assert_int_equal(srv.requests_ucast, 1);
    assert_int_equal(net_dhcp_state(sim.end[0].stack), DHCP_BOUND);
    assert_true(net_dhcp_lease_left(sim.end[0].stack) >= 98);
    /* many leases later it still holds the address */
    sim_advance(&sim, 500 * SIM_S);
    assert_int_equal(nif->addr, POOL_IP);
    assert_true(srv.requests_ucast >= 10);
    assert_int_equal(srv.discovers, 1);
    net_dhcp_stop(sim.end[0].stack);
    sim_advance(&sim, SIM_S);
    assert_int_equal(srv.releases, 1);
    assert_int_equal(nif->addr, 0);
    sim_destroy(&sim);
}

static void test_dhcp_rebind_and_expiry(void **state)
{
    (void)state;
    struct sim sim;
    setup_dhcp(&sim, 80);
    /* the server goes quiet: renewing from 40 s, rebinding (broadcast) from 70 s */
    srv.dhcp_silent = true;
    sim_advance(&sim, 69 * SIM_S);
    assert_int_equal(net_dhcp_state(sim.end[0].stack), DHCP_RENEWING);
    assert_true(srv.requests_ucast >= 2);
    unsigned bcast0 = srv.requests_bcast;
    sim_advance(&sim, 2 * SIM_S);
    assert_int_equal(net_dhcp_state(sim.end[0].stack), DHCP_REBINDING);
    assert_int_equal(srv.requests_bcast, bcast0 + 1);
    assert_int_equal(sim.end[0].netif->addr, POOL_IP);
    /* the lease runs out: address dropped, discovery again */
    sim_advance(&sim, 10 * SIM_S);
    assert_int_equal(sim.end[0].netif->addr, 0);
    assert_int_equal(net_dhcp_state(sim.end[0].stack), DHCP_SELECTING);
    assert_true(srv.discovers >= 2);
    /* the server is back: bound again */
    srv.dhcp_silent = false;
    assert_true(sim_run(&sim, sim.now + 120 * SIM_S, is_bound, NULL));
    assert_int_equal(sim.end[0].netif->addr, POOL_IP);
    sim_destroy(&sim);
}

static void test_dhcp_nak(void **state)
{
    (void)state;
    struct sim sim;
    setup_dhcp(&sim, 100);
    srv.nak = true;
    sim_advance(&sim, 51 * SIM_S);
    /* a NAK to the renewal: the address is gone at once */
    assert_int_equal(sim.end[0].netif->addr, 0);
    assert_true(net_dhcp_state(sim.end[0].stack) == DHCP_SELECTING ||
                net_dhcp_state(sim.end[0].stack) == DHCP_REQUESTING);
    srv.nak = false;
    assert_true(sim_run(&sim, sim.now + 120 * SIM_S, is_bound, NULL));
    sim_destroy(&sim);
}

static void test_dhcp_lossy_link(void **state)
{
    (void)state;
    struct sim sim;
    memset(&srv, 0, sizeof srv);
    srv.lease = 300;
    srv.pool = POOL_IP;
    sim_init_peer(&sim, 37, NULL, server_peer);   /* a seed that loses offers and acks */
    sim.loss_pct = 40;
    assert_int_equal(net_dhcp_start(sim.end[0].netif), 0);
    /* retransmissions (4 s, 8 s, ...) get through in the end */
    assert_true(sim_run(&sim, sim.now + 300 * SIM_S, is_bound, NULL));
    assert_true(sim.dropped > 0);
    print_message("discovers %u, broadcast requests %u before bound\n",
                  (unsigned)srv.discovers, (unsigned)srv.requests_bcast);
    assert_true(srv.discovers + srv.requests_bcast > 2);   /* it did retransmit */
    /* and renewals keep the address across many leases */
    sim_advance(&sim, 3000 * SIM_S);
    assert_true(srv.requests_ucast + srv.requests_bcast > 10);
    assert_int_equal(sim.end[0].netif->addr, POOL_IP);
    sim_destroy(&sim);
}

static void test_dhcp_address_conflict(void **state)
{
    (void)state;
    struct sim sim;
    memset(&srv, 0, sizeof srv);
    srv.lease = 100;
    srv.pool = POOL_IP;
    srv.squatter = true;
    sim_init_peer(&sim, 34, NULL, server_peer);
    assert_int_equal(net_dhcp_start(sim.end[0].netif), 0);
    /* the ARP probe finds the squatter: DECLINE, wait, start over */
    sim_advance(&sim, 3 * SIM_S);
    assert_int_equal(srv.declines, 1);
    assert_int_equal(sim.end[0].netif->addr, 0);
    assert_true(sim_run(&sim, sim.now + 60 * SIM_S, is_bound, NULL));
    assert_int_equal(sim.end[0].netif->addr, POOL_IP + 1);
    assert_int_equal(srv.discovers, 2);
    sim_destroy(&sim);
}

static void setup_dns(struct sim *sim)
{
    memset(&srv, 0, sizeof srv);
    sim_init_peer(sim, 41, NULL, server_peer);
    net_netif_set_addr(sim->end[0].netif, NET_IP4(10, 0, 0, 1), 24, SERVER_IP, DNS_IP);
}

struct lookup {
    const char *name;
    uint32_t addr;
    int r;
};

static bool lookup_done(struct sim *sim, void *ctx)
{
    struct lookup *l = ctx;
    l->r = net_dns_lookup(sim->end[0].stack, l->name, &l->addr);
    return l->r != ERR_WOULD_BLOCK;
}

static int resolve(struct sim *sim, const char *name, uint32_t *addr)
{
    struct lookup l = {.name = name};
    sim_run(sim, sim->now + 60 * SIM_S, lookup_done, &l);
    *addr = l.addr;
    return l.r;
}

static void test_dns_resolve_and_cache(void **state)
{
    (void)state;
    struct sim sim;
    setup_dns(&sim);
    uint32_t a = 0;
    assert_int_equal(net_dns_lookup(sim.end[0].stack, "node1.fog", &a), ERR_WOULD_BLOCK);
    assert_int_equal(resolve(&sim, "node1.fog", &a), 0);
    assert_int_equal(a, NET_IP4(10, 0, 0, 50));
    assert_int_equal(srv.dns_queries, 1);
    assert_string_equal(srv.last_name, "node1.fog");
    assert_true(sim.end[0].stack_events & NET_SEV_DNS);
    /* cached for its TTL (30 s), case-insensitively */
    sim_advance(&sim, 20 * SIM_S);
    assert_int_equal(net_dns_lookup(sim.end[0].stack, "NODE1.fog", &a), 0);
    assert_int_equal(srv.dns_queries, 1);
    /* expired: asked again */
    sim_advance(&sim, 11 * SIM_S);
    assert_int_equal(net_dns_lookup(sim.end[0].stack, "node1.fog", &a), ERR_WOULD_BLOCK);
    assert_int_equal(resolve(&sim, "node1.fog", &a), 0);
    assert_int_equal(srv.dns_queries, 2);
    /* CNAME chain */
    assert_int_equal(resolve(&sim, "alias.fog", &a), 0);
    assert_int_equal(a, NET_IP4(10, 0, 0, 50));
    /* literals and localhost never touch the network */
    assert_int_equal(net_dns_lookup(sim.end[0].stack, "10.1.2.3", &a), 0);
    assert_int_equal(a, NET_IP4(10, 1, 2, 3));
    assert_int_equal(net_dns_lookup(sim.end[0].stack, "localhost", &a), 0);
    assert_int_equal(a, NET_IP4(127, 0, 0, 1));
    assert_int_equal(net_dns_lookup(sim.end[0].stack, "bad..name", &a), ERR_INVALID_ARGS);
    assert_int_equal(srv.dns_queries, 3);
    sim_destroy(&sim);
}

static void test_dns_failures(void **state)
{
    (void)state;
    struct sim sim;
    setup_dns(&sim);
    uint32_t a;
    assert_int_equal(resolve(&sim, "missing.fog", &a), ERR_NOT_FOUND);
    assert_int_equal(srv.dns_queries, 1);
    /* no answer: dns_retries tries, then ERR_TIMED_OUT */
    assert_int_equal(resolve(&sim, "slow.fog", &a), ERR_TIMED_OUT);
    assert_int_equal(srv.dns_queries, 1 + 3);
    /* malformed answers never yield an address */
    assert_int_equal(resolve(&sim, "bad1.fog", &a), ERR_TIMED_OUT);   /* ignored */
    assert_int_equal(resolve(&sim, "bad2.fog", &a), ERR_TIMED_OUT);
    assert_int_equal(resolve(&sim, "bad3.fog", &a), ERR_NOT_FOUND);   /* no usable A */
    /* the first server is dead: the second gets the retry */
    net_netif_set_addr(sim.end[0].netif, NET_IP4(10, 0, 0, 1), 24, SERVER_IP,
                       NET_IP4(10, 0, 0, 99));
    sim.end[0].netif->dns[1] = DNS_IP;
    unsigned q = srv.dns_queries;
    assert_int_equal(resolve(&sim, "node1.fog", &a), 0);
    assert_int_equal(a, NET_IP4(10, 0, 0, 50));
    assert_int_equal(srv.dns_queries, q + 1);
    /* no server configured */
    net_netif_set_addr(sim.end[0].netif, NET_IP4(10, 0, 0, 1), 24, 0, 0);
    sim.end[0].netif->dns[1] = 0;
    assert_int_equal(net_dns_lookup(sim.end[0].stack, "other.fog", &a), ERR_UNREACHABLE);
    sim_destroy(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dhcp_handshake_and_renewal),
        cmocka_unit_test(test_dhcp_rebind_and_expiry),
        cmocka_unit_test(test_dhcp_nak),
        cmocka_unit_test(test_dhcp_lossy_link),
        cmocka_unit_test(test_dhcp_address_conflict),
        cmocka_unit_test(test_dns_resolve_and_cache),
        cmocka_unit_test(test_dns_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
