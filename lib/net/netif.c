/* Interfaces: adding, static addresses, up/down, and address text. */
#include <stdio.h>

#include "net/priv.h"

int net_netif_add(struct net_stack *s, const struct net_netif_config *cfg,
                  struct net_netif **out)
{
    if (!cfg || !cfg->tx || cfg->mtu < 576 || cfg->mtu > NET_MTU_MAX)
        return ERR_INVALID_ARGS;
    struct net_netif *n = net_alloc(s, sizeof *n);
    if (!n)
        return ERR_NO_MEMORY;
    memset(n, 0, sizeof *n);
    n->stack = s;
    strncpy(n->name, cfg->name ? cfg->name : "eth0", sizeof n->name - 1);
    memcpy(n->mac, cfg->mac, 6);
    n->mtu = cfg->mtu;
    n->tx = cfg->tx;
    n->tx_sg = cfg->tx_sg;
    n->driver = cfg->driver;
    struct net_netif **pp = &s->netifs;
    while (*pp)
        pp = &(*pp)->next;
    *pp = n;
    *out = n;
    return 0;
}

void net_netif_tx_ready(struct net_netif *n)
{
    struct net_stack *s = n->stack;
    net_enter(s);
    s->tx_refused_by = NULL;
    /* Any interface's refusal stalls a connection; resuming them all is
       harmless (output that is refused again stalls again). Stop when this
       driver is full again rather than refusing every connection in turn;
       a refusal by another interface does not stop this one's resumption
       (nothing would call again for it while it has room). */
    for (struct net_sock *sk = s->socks; sk && s->tx_refused_by != n; sk = sk->next)
        if (sk->type == NET_SOCK_TCP && sk->tcp.tx_stalled)
            tcp_tx_resume(sk);
    net_leave(s);
}

struct net_netif *net_netif_first(struct net_stack *s)
{
    return s->netifs;
}

void net_netif_set_up(struct net_netif *n, bool up)
{
    struct net_stack *s = n->stack;
    net_enter(s);
    bool was = n->up;
    n->up = up;
    if (up && !was && n->addr)
        arp_announce(s, n);
    if (!up)
        arp_flush_netif(s, n);
    net_leave(s);
}

int net_netif_set_addr(struct net_netif *n, uint32_t addr, unsigned prefix,
                       uint32_t gw, uint32_t dns)
{
    if (prefix > 32 || n->loopback)
        return ERR_INVALID_ARGS;
    struct net_stack *s = n->stack;
    net_enter(s);
    bool changed = n->addr != addr;
    n->addr = addr;
    n->netmask = prefix ? 0xffffffffu << (32 - prefix) : 0;
    n->gateway = gw;
    n->dns[0] = dns;
    n->dns[1] = 0;
    if (changed && addr && n->up)
        arp_announce(s, n);
    if (changed)
        net_stack_event(s, NET_SEV_ADDR);
    net_leave(s);
    return 0;
}

char *net_ip_str(uint32_t a, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(a >> 24), (unsigned)(a >> 16) & 255,
             (unsigned)(a >> 8) & 255, (unsigned)a & 255);
    return buf;
}

int net_ip_parse(const char *str, uint32_t *out)
{
    uint32_t a = 0;
    for (int i = 0; i < 4; i++) {
        unsigned v = 0, digits = 0;
        while (*str >= '0' && *str <= '9') {
            v = v * 10 + (unsigned)(*str++ - '0');
            if (++digits > 3 || v > 255)
                return ERR_BAD_FORMAT;
        }
        if (!digits)
            return ERR_BAD_FORMAT;
        a = (a << 8) | v;
        if (i < 3 && *str++ != '.')
            return ERR_BAD_FORMAT;
    }
    if (*str)
        return ERR_BAD_FORMAT;
    *out = a;
    return 0;
}
