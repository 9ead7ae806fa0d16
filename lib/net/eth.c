/* Ethernet II: demultiplexing received frames and framing sent ones. */
#include "net/priv.h"

const uint8_t eth_broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

void net_input(struct net_stack *s, struct net_netif *nif, const void *frame, size_t len)
{
    net_input_ex(s, nif, frame, len, 0);
}

void net_input_ex(struct net_stack *s, struct net_netif *nif, const void *frame,
                  size_t len, unsigned flags)
{
    net_enter(s);
    eth_input(s, nif, frame, len, flags);
    net_leave(s);
}

void eth_input(struct net_stack *s, struct net_netif *nif, const uint8_t *f, size_t len,
               unsigned flags)
{
    nif->stats.rx_packets++;
    nif->stats.rx_bytes += len;
    if (!nif->up) {
        nif->stats.rx_dropped++;
        return;
    }
    if (len < ETH_HLEN) {
        nif->stats.rx_errors++;
        return;
    }
    /* accept our unicast address, broadcast and nothing else */
    if (memcmp(f, nif->mac, 6) != 0 && memcmp(f, eth_broadcast, 6) != 0) {
        nif->stats.rx_dropped++;
        return;
    }
    uint16_t type = get16(f + 12);
    if (type == ETH_P_IP)
        ip_input(s, nif, f + ETH_HLEN, len - ETH_HLEN, flags);
    else if (type == ETH_P_ARP)
        arp_input(s, nif, f + ETH_HLEN, len - ETH_HLEN);
    else
        nif->stats.rx_dropped++;
}

/*
 * Copies the payload pieces TCP left in its send ring (stack->tx_tail) into
 * txbuf after the headers, for paths that need one contiguous frame: a
 * driver without tx_sg, the ARP wait queue, loopback.
 */
void net_tx_linearize(struct net_stack *s)
{
    size_t off = s->tx_tail_off;
    for (int i = 0; i < 2; i++) {
        if (s->tx_tail[i].len)
            memcpy(s->txbuf + off, s->tx_tail[i].base, s->tx_tail[i].len);
        off += s->tx_tail[i].len;
        s->tx_tail[i].len = 0;
    }
}

/* frame holds len bytes including room for the Ethernet header at its start. */
int eth_output(struct net_stack *s, struct net_netif *nif, const uint8_t dst[6],
               uint16_t type, uint8_t *frame, size_t len)
{
    memcpy(frame, dst, 6);
    memcpy(frame + 6, nif->mac, 6);
    put16(frame + 12, type);
    if (!nif->up) {
        nif->stats.tx_dropped++;
        return ERR_UNREACHABLE;
    }
    int r;
    bool tail = frame == s->txbuf && (s->tx_tail[0].len || s->tx_tail[1].len);
    if (tail && nif->tx_sg) {
        struct net_iov iov[3] = {
            {frame, s->tx_tail_off}, s->tx_tail[0], s->tx_tail[1],
        };
        r = nif->tx_sg(nif, iov, iov[2].len ? 3 : 2);
    } else {
        if (tail)
            net_tx_linearize(s);
        r = nif->tx(nif, frame, len);
    }
    if (r == ERR_WOULD_BLOCK) {
        /* no room in the driver: TCP holds the segment back (tcp_out.c);
           anything else is dropped, as on a congested wire */
        nif->stats.tx_busy++;
        s->tx_refused_by = nif;
        if (s->tx_may_block)
            return r;
        nif->stats.tx_dropped++;
        return 0;
    }
    if (r < 0) {
        nif->stats.tx_errors++;
        return r;
    }
    nif->stats.tx_packets++;
    nif->stats.tx_bytes += len;
    return 0;
}
