/* Shell commands: ifconfig (ip), ping, netstat, arp, dns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/net/ksock.h"
#include "services/net/netsvc.h"
#include "services/shell/shell.h"
#include "drivers/virtio/virtio_net.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/thread.h"
#include "pus/err.h"

static int no_stack(const char *cmd)
{
    kprintf("error: %s: no network stack\n", cmd);
    return SHELL_ERR_REPORTED;
}

/* ---- ifconfig ----------------------------------------------------------- */

static int cmd_ifconfig(int argc, char **argv)
{
    (void)argc;
    struct net_stack *st = netsvc_stack();
    if (!st)
        return no_stack(argv[0]);
    net_lock();
    /* Loopback, then the interfaces in device order (eth0, eth1...). */
    for (int i = -1; i < netsvc_netif_count(); i++) {
        struct net_netif *n = i < 0 ? net_netif_first(st) : netsvc_netif(i);
        char a[16], m[16], g[16];
        struct virtio_net *nd = netsvc_device(n);
        kprintf("%-6s %s%s mtu %u", n->name, n->up ? "UP" : "DOWN",
                n->loopback ? " LOOPBACK" : "", n->mtu);
        if (nd)
            kprintf(" link %s", virtio_net_link_up(nd) ? "up" : "down");
        kprintf("\n");
        if (!n->loopback)
            kprintf("       ether %02x:%02x:%02x:%02x:%02x:%02x\n", n->mac[0], n->mac[1],
                    n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
        if (n->addr)
            kprintf("       inet %s/%d netmask %s gateway %s\n", net_ip_str(n->addr, a),
                    __builtin_popcount(n->netmask), net_ip_str(n->netmask, m),
                    n->gateway ? net_ip_str(n->gateway, g) : "-");
        else
            kprintf("       inet -\n");
        if (n->dns[0])
            kprintf("       dns %s\n", net_ip_str(n->dns[0], a));
        const struct net_if_stats *s = &n->stats;
        kprintf("       RX packets %llu bytes %llu errors %llu dropped %llu\n",
                (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
                (unsigned long long)s->rx_errors, (unsigned long long)s->rx_dropped);
        kprintf("       TX packets %llu bytes %llu errors %llu dropped %llu busy %llu\n",
                (unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
                (unsigned long long)s->tx_errors, (unsigned long long)s->tx_dropped,
                (unsigned long long)s->tx_busy);
        if (nd) {
            struct virtio_net_stats ds;
            virtio_net_get_stats(nd, &ds);
            kprintf("       device rx %llu tx %llu rx-dropped %llu rx-errors %llu tx-dropped %llu tx-full %llu irqs %llu (%llu received in them) kicks %llu (%llu cycles each)\n",
                    (unsigned long long)ds.rx_packets, (unsigned long long)ds.tx_packets,
                    (unsigned long long)ds.rx_dropped, (unsigned long long)ds.rx_errors,
                    (unsigned long long)ds.tx_dropped, (unsigned long long)ds.tx_full,
                    (unsigned long long)ds.irqs, (unsigned long long)ds.rx_irq_batches,
                    (unsigned long long)ds.kicks,
                    (unsigned long long)(ds.kicks ? ds.kick_cycles / ds.kicks : 0));
        }
    }
    int dhcp = net_dhcp_state(st);
    uint32_t lease = net_dhcp_lease_left(st);
    net_unlock();
    static const char *const names[] = { "off", "init", "selecting", "requesting", "bound",
                                         "renewing", "rebinding" };
    if (dhcp > 0 && dhcp < 7)
        kprintf("dhcp   %s, lease %u s left\n", names[dhcp], lease);
    return 0;
}
SHELL_COMMAND(ifconfig, "ifconfig", "network interfaces: addresses, MAC, link, counters", cmd_ifconfig);
SHELL_COMMAND(ip, "ip", "same as ifconfig", cmd_ifconfig);

/* ---- ping --------------------------------------------------------------- */

/* Seconds with at most millisecond precision ("1", "0.2", "0.005",
   "1.000"), as ping(8) takes them, up to an hour; returns nanoseconds, or
   -1 if s is not such a number. */
static int64_t parse_interval(const char *s)
{
    int64_t ms = 0;
    int decimals = -1;               /* -1: no point seen yet */
    bool digits = false;
    for (; *s; s++) {
        if (*s == '.' && decimals < 0) {
            decimals = 0;
        } else if (*s >= '0' && *s <= '9') {
            digits = true;
            if (decimals >= 3) {
                if (*s != '0')
                    return -1;       /* finer than a millisecond */
                continue;
            }
            ms = ms * 10 + (*s - '0');
            if (decimals >= 0)
                decimals++;
            if (ms > 3600 * 1000 * 1000ll)
                return -1;
        } else {
            return -1;
        }
    }
    if (!digits)
        return -1;
    for (int d = decimals < 0 ? 0 : decimals; d < 3; d++)
        ms *= 10;
    return ms > 3600 * 1000 ? -1 : ms * 1000000;
}

static int cmd_ping(int argc, char **argv)
{
    const char *host = NULL;
    long count = 4, size = 56;
    int64_t interval = 1000000000;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            if (!shell_parse_long(argv[++i], 1, 100000, &count))
                return shell_usage(argv[0]);
        }
        else if (!strcmp(argv[i], "-i") && i + 1 < argc)
            interval = parse_interval(argv[++i]);
        else if (!strcmp(argv[i], "-q"))
            quiet = true;
        else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
            if (!shell_parse_long(argv[++i], 0, 1472, &size))
                return shell_usage(argv[0]);
        }
        else if (argv[i][0] != '-' && !host)
            host = argv[i];
        else
            return shell_usage(argv[0]);
    }
    if (!host)
        return shell_usage(argv[0]);
    if (interval < 1000000) {
        kprintf("error: ping: -i takes seconds from 0.001 to 3600, in steps of 0.001\n");
        return SHELL_ERR_REPORTED;
    }
    struct net_stack *st = netsvc_stack();
    if (!st)
        return no_stack(argv[0]);
    uint32_t dst;
    int r = ksock_resolve(host, &dst, 5000000000ll);
    if (r < 0) {
        kprintf("error: ping: cannot resolve %s: %s\n", host, err_str(r));
        return SHELL_ERR_REPORTED;
    }
    char a[16];
    kprintf("PING %s (%s): %ld data bytes\n", host, net_ip_str(dst, a), size);
    long sent = 0, got = 0;
    uint64_t min = UINT64_MAX, max = 0, sum = 0;
    for (long seq = 0; seq < count; seq++) {
        uint64_t start = clock_now_ns();
        net_lock();
        unsigned sseq = netsvc_stack_seq();
        int t = net_ping_send(st, dst, (size_t)size, 2000000000ull);
        net_unlock();
        if (t < 0) {
            kprintf("seq=%ld: %s\n", seq, err_str(t));
        } else {
            sent++;
            uint64_t rtt = 0;
            for (;;) {
                net_lock();
                r = net_ping_result(st, t, &rtt);
                if (r == ERR_WOULD_BLOCK)
                    sseq = netsvc_stack_seq();
                net_unlock();
                if (r != ERR_WOULD_BLOCK)
                    break;
                netsvc_stack_wait(sseq, 100000000ll);
            }
            if (r == 0) {
                got++;
                sum += rtt;
                min = rtt < min ? rtt : min;
                max = rtt > max ? rtt : max;
                if (!quiet)
                    kprintf("%ld bytes from %s: seq=%ld time=%llu.%03llu ms\n", size + 8, a, seq,
                        (unsigned long long)(rtt / 1000000), (unsigned long long)(rtt / 1000 % 1000));
            } else {
                kprintf("seq=%ld: %s\n", seq, r == ERR_TIMED_OUT ? "timed out" : err_str(r));
            }
        }
        /* One request an interval (a second by default, like ping(8)),
           but no wait after the last. */
        uint64_t next = start + (uint64_t)interval, now = clock_now_ns();
        if (seq + 1 < count && now < next)
            thread_sleep_ns(next - now);
    }
    kprintf("--- %s ping statistics ---\n", host);
    kprintf("%ld packets transmitted, %ld received, %ld%% packet loss\n", sent, got,
            sent ? (sent - got) * 100 / sent : 100);
    if (got) {
        uint64_t avg = sum / (uint64_t)got;
        kprintf("rtt min/avg/max = %llu.%03llu/%llu.%03llu/%llu.%03llu ms\n",
                (unsigned long long)(min / 1000000), (unsigned long long)(min / 1000 % 1000),
                (unsigned long long)(avg / 1000000), (unsigned long long)(avg / 1000 % 1000),
                (unsigned long long)(max / 1000000), (unsigned long long)(max / 1000 % 1000));
    }
    return got ? 0 : SHELL_ERR_REPORTED;
}
SHELL_COMMAND(ping, "ping HOST [-c N] [-s SIZE] [-i SECONDS] [-q]",
              "ICMP echo: RTT per reply (-q: only the summary)", cmd_ping);

/* ---- netstat ------------------------------------------------------------ */

static int cmd_netstat(int argc, char **argv)
{
    struct net_stack *st = netsvc_stack();
    if (!st)
        return no_stack(argv[0]);
    bool stats = argc > 1 && !strcmp(argv[1], "-s");
    if (argc > 1 && !strcmp(argv[1], "-p")) {
        net_lock();
        struct netsvc_prof p = netsvc_prof;
        net_unlock();
        kprintf("rx frames %llu, %llu cycles each in the stack (incl. replies sent)\n",
                (unsigned long long)p.rx_frames,
                (unsigned long long)(p.rx_frames ? p.rx_cycles / p.rx_frames : 0));
        kprintf("tx frames %llu, %llu cycles each in the driver\n",
                (unsigned long long)p.tx_frames,
                (unsigned long long)(p.tx_frames ? p.tx_cycles / p.tx_frames : 0));
        kprintf("socket send/recv calls %llu, %llu bytes, %llu cycles per KiB\n",
                (unsigned long long)p.sock_calls, (unsigned long long)p.sock_bytes,
                (unsigned long long)(p.sock_bytes ? p.sock_cycles * 1024 / p.sock_bytes : 0));
        return 0;
    }
    if (argc > 1 && !stats)
        return shell_usage(argv[0]);
    if (stats) {
        net_lock();
        struct net_proto_stats p = *net_proto_stats(st);
        size_t mem = net_mem_used(st);
        net_unlock();
#define P(f) kprintf("%-18s %llu\n", #f, (unsigned long long)p.f)
        P(ip_in); P(ip_out); P(ip_bad); P(ip_frag_in); P(ip_reasm_ok); P(ip_reasm_timeout);
        P(icmp_in); P(icmp_out); P(udp_in); P(udp_out); P(udp_bad); P(udp_no_port);
        P(tcp_in); P(tcp_out); P(tcp_bad); P(tcp_retrans); P(tcp_fast_retrans); P(tcp_rto);
        P(tcp_rst_in); P(tcp_rst_out); P(tcp_challenge_ack); P(tcp_dup_in);
        P(tcp_listen_drop); P(tcp_mem_drop); P(tcp_tx_busy); P(arp_in); P(arp_out);
#undef P
        kprintf("%-18s %zu\n", "stack_memory", mem);
        return 0;
    }
    size_t max = 512;
    struct net_sock_info *info = malloc(max * sizeof *info);
    if (!info)
        return ERR_NO_MEMORY;
    net_lock();
    size_t n = net_sock_list(st, info, max);
    net_unlock();
    kprintf("proto local                 remote                state        recv-q  send-q\n");
    for (size_t i = 0; i < n && i < max; i++) {
        char la[16], ra[16], l[24], r[24];
        snprintf(l, sizeof l, "%s:%u", net_ip_str(info[i].laddr, la), info[i].lport);
        snprintf(r, sizeof r, "%s:%u", net_ip_str(info[i].raddr, ra), info[i].rport);
        kprintf("%-5s %-21s %-21s %-12s %6u  %6u%s\n", info[i].type == NET_SOCK_TCP ? "tcp" : "udp",
                l, r, info[i].type == NET_SOCK_TCP ? net_tcp_state_name(info[i].state) : "",
                info[i].rx_queued, info[i].tx_queued, info[i].orphan ? "  (closing)" : "");
    }
    kprintf("%zu sockets\n", n);
    free(info);
    return 0;
}
SHELL_COMMAND(netstat, "netstat [-s|-p]", "sockets and TCP states (-s: protocol counters, -p: instruction profile)", cmd_netstat);

/* ---- arp ---------------------------------------------------------------- */

static int cmd_arp(int argc, char **argv)
{
    (void)argc;
    struct net_stack *st = netsvc_stack();
    if (!st)
        return no_stack(argv[0]);
    struct net_arp_info *info = malloc(128 * sizeof *info);
    if (!info)
        return ERR_NO_MEMORY;
    net_lock();
    size_t n = net_arp_list(st, info, 128);
    net_unlock();
    kprintf("address          hwaddress          state      age\n");
    for (size_t i = 0; i < n && i < 128; i++) {
        char a[16];
        const char *state = info[i].state == NET_ARP_REACHABLE ? "reachable"
                          : info[i].state == NET_ARP_PENDING ? "pending" : "failed";
        kprintf("%-16s %02x:%02x:%02x:%02x:%02x:%02x  %-10s %llu s\n", net_ip_str(info[i].addr, a),
                info[i].mac[0], info[i].mac[1], info[i].mac[2], info[i].mac[3], info[i].mac[4],
                info[i].mac[5], state, (unsigned long long)(info[i].age_ns / 1000000000ull));
    }
    free(info);
    return 0;
}
SHELL_COMMAND(arp, "arp", "the ARP cache", cmd_arp);

/* ---- dns ---------------------------------------------------------------- */

static int cmd_dns(int argc, char **argv)
{
    if (argc != 2)
        return shell_usage(argv[0]);
    uint32_t addr;
    uint64_t start = clock_now_ns();
    int r = ksock_resolve(argv[1], &addr, 10000000000ll);
    if (r < 0) {
        kprintf("error: dns: %s: %s\n", argv[1], err_str(r));
        return SHELL_ERR_REPORTED;
    }
    char a[16];
    kprintf("%s has address %s (%llu ms)\n", argv[1], net_ip_str(addr, a),
            (unsigned long long)((clock_now_ns() - start) / 1000000));
    return 0;
}
SHELL_COMMAND(dns, "dns NAME", "look a name up (A record)", cmd_dns);
