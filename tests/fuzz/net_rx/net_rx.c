/*
 * libFuzzer target: arbitrary Ethernet frames into a stack that has a
 * listening TCP socket, an established TCP connection, a bound UDP socket,
 * a DHCP client selecting and a DNS query in flight, so every layer from
 * Ethernet down to TCP/UDP/ICMP/ARP/DHCP/DNS sees hostile input.
 *
 * Input: a sequence of records [flags u8][len u16 big-endian][len bytes].
 * Flags help the fuzzer past the gates it cannot guess:
 *   0x01 our MAC as destination      0x02 fix the IPv4 header checksum
 *   0x04 fix the TCP/UDP/ICMP sum     0x08 pass NET_RX_CSUM_VALID
 *   0x10 advance the clock 1 s after  0x20 advance 100 ms after
 *   0x40 TCP: seq/ack of the live connection (plus the bytes' own values as offsets)
 * After the records, time runs on so timers fire; then all is freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "net/bytes.h"
#include "net/csum.h"

#define ME   NET_IP4(10, 0, 0, 1)
#define PEER NET_IP4(10, 0, 0, 2)

static uint64_t clock_ns;
static uint32_t rng;
/* The live connection as the stack last described it. */
static uint32_t conn_seq, conn_ack;
static uint8_t synack_seen;

static uint64_t f_now(void *c) { (void)c; return clock_ns; }
static void f_random(void *c, void *buf, size_t len)
{
    (void)c;
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        rng = rng * 1103515245u + 12345u;
        p[i] = (uint8_t)(rng >> 16);
    }
}
static void *f_malloc(void *c, size_t n) { (void)c; return malloc(n); }
static void f_free(void *c, void *p) { (void)c; free(p); }

static int f_tx(struct net_netif *nif, const void *frame, size_t len)
{
    (void)nif;
    const uint8_t *f = frame;
    /* remember the stack's side of the connection to PEER:1234 */
    if (len >= 54 && get16(f + 12) == 0x0800 && f[23] == 6 && get32(f + 30) == PEER) {
        const uint8_t *th = f + 14 + (f[14] & 15) * 4;
        if ((size_t)(th - f) + 20 <= len && get16(th + 2) == 1234) {
            conn_seq = get32(th + 4) + ((th[13] & 0x02) ? 1 : 0);
            conn_ack = get32(th + 8);
            synack_seen = 1;
        }
    }
    return 0;
}

static const uint8_t my_mac[6] = {0x02, 0, 0, 0, 0, 1};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 2};

static void fix_sums(uint8_t *f, size_t len, uint8_t flags)
{
    if (len < 34 || get16(f + 12) != 0x0800)
        return;
    uint8_t *ip = f + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    size_t tot = get16(ip + 2);
    if (ihl < 20 || 14 + ihl > len)
        return;
    if (flags & 0x02) {
        put16(ip + 10, 0);
        csum_store(ip + 10, csum_buf(ip, ihl));
    }
    if (!(flags & 0x04) || tot < ihl || 14 + tot > len)
        return;
    uint8_t *l4 = ip + ihl;
    size_t l4len = tot - ihl;
    int off = ip[9] == 6 ? 16 : ip[9] == 17 ? 6 : ip[9] == 1 ? 2 : -1;
    if (off < 0 || l4len < (size_t)off + 2)
        return;
    put16(l4 + off, 0);
    uint32_t s = ip[9] == 1 ? 0 : csum_pseudo(get32(ip + 12), get32(ip + 16), ip[9], (uint16_t)l4len);
    csum_store(l4 + off, csum_finish(csum_add(s, l4, l4len)));
    if (flags & 0x02) {
        put16(ip + 10, 0);
        csum_store(ip + 10, csum_buf(ip, ihl));
    }
}

static void send_tcp(struct net_stack *s, struct net_netif *nif, uint32_t seq, uint32_t ack,
                     uint8_t fl)
{
    uint8_t f[60] = {0};
    memcpy(f, my_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    put16(ip + 2, 40);
    ip[8] = 64;
    ip[9] = 6;
    put32(ip + 12, PEER);
    put32(ip + 16, ME);
    uint8_t *th = ip + 20;
    put16(th, 1234);
    put16(th + 2, 80);
    put32(th + 4, seq);
    put32(th + 8, ack);
    th[12] = 0x50;
    th[13] = fl;
    put16(th + 14, 8192);
    fix_sums(f, 54, 0x06);
    net_input(s, nif, f, 54);
}

static void advance(struct net_stack *s, uint64_t ns)
{
    uint64_t end = clock_ns + ns;
    for (int i = 0; i < 64; i++) {
        uint64_t d = net_next_deadline(s);
        if (d > end)
            break;
        if (d > clock_ns)
            clock_ns = d;
        net_poll(s, clock_ns);
    }
    clock_ns = end;
    net_poll(s, clock_ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clock_ns = 1000000000ull;
    rng = 1;
    synack_seen = 0;
    struct net_port port = {
        .now_ns = f_now, .random = f_random, .malloc = f_malloc, .free = f_free,
    };
    struct net_config cfg;
    net_config_default(&cfg);
    cfg.tcp_rcvbuf = cfg.tcp_sndbuf = 16384;
    cfg.mem_limit = 1u << 20;
    struct net_stack *s = net_stack_create(&port, &cfg);
    if (!s)
        return 0;
    struct net_netif_config nc = {.name = "eth0", .mtu = 1500, .tx = f_tx};
    memcpy(nc.mac, my_mac, 6);
    struct net_netif *nif;
    net_netif_add(s, &nc, &nif);
    net_netif_set_up(nif, 1);
    net_dhcp_start(nif);
    net_netif_set_addr(nif, ME, 24, NET_IP4(10, 0, 0, 254), NET_IP4(10, 0, 0, 53));

    struct net_sock *ls, *us, *conn = NULL;
    net_socket(s, NET_SOCK_TCP, &ls);
    net_bind(ls, 0, 80);
    net_listen(ls, 4);
    net_socket(s, NET_SOCK_UDP, &us);
    net_bind(us, 0, 5683);
    uint32_t a;
    net_dns_lookup(s, "fuzz.example", &a);
    /* an established connection from PEER:1234 */
    uint8_t arp[42] = {0};
    memcpy(arp, my_mac, 6);
    memcpy(arp + 6, peer_mac, 6);
    put16(arp + 12, 0x0806);
    put16(arp + 14, 1);
    put16(arp + 16, 0x0800);
    arp[18] = 6;
    arp[19] = 4;
    put16(arp + 20, 2);
    memcpy(arp + 22, peer_mac, 6);
    put32(arp + 28, PEER);
    memcpy(arp + 32, my_mac, 6);
    put32(arp + 38, ME);
    net_input(s, nif, arp, sizeof arp);   /* unsolicited: ignored, fine */
    send_tcp(s, nif, 5000, 0, 0x02);
    if (synack_seen) {
        send_tcp(s, nif, 5001, conn_seq, 0x10);
        net_accept(ls, &conn);
    }

    size_t i = 0;
    uint8_t frame[1600];
    while (i + 3 <= size) {
        uint8_t flags = data[i];
        size_t len = get16(data + i + 1);
        i += 3;
        if (len > size - i)
            len = size - i;
        if (len > sizeof frame)
            len = sizeof frame;
        memcpy(frame, data + i, len);
        i += len;
        if ((flags & 0x01) && len >= 6)
            memcpy(frame, my_mac, 6);
        if ((flags & 0x40) && len >= 54 && frame[23] == 6) {
            uint8_t *th = frame + 14 + (frame[14] & 15) * 4;
            if ((size_t)(th - frame) + 20 <= len) {
                put32(th + 4, conn_ack + (get32(th + 4) & 0xff));
                put32(th + 8, conn_seq + (get32(th + 8) & 0xff));
            }
        }
        fix_sums(frame, len, flags);
        net_input_ex(s, nif, frame, len, (flags & 0x08) ? NET_RX_CSUM_VALID : 0);
        if (conn) {
            uint8_t buf[4096];
            while (net_recv(conn, buf, sizeof buf) > 0)
                ;
            net_send(conn, "reply", 5);
        }
        while (net_recvfrom(us, frame, sizeof frame, NULL, NULL) >= 0)
            ;
        struct net_sock *c;
        while (net_accept(ls, &c) == 0)
            net_close(c);
        if (flags & 0x10)
            advance(s, 1000000000ull);
        if (flags & 0x20)
            advance(s, 100000000ull);
    }
    net_dns_lookup(s, "fuzz.example", &a);
    advance(s, 5000000000ull);
    if (conn)
        net_close(conn);
    net_close(ls);
    net_close(us);
    advance(s, 200000000000ull);
    net_stack_destroy(s);
    return 0;
}
