/*
 * The cluster part of a node's kernel command line, as `pusctl up` writes it:
 *
 *   node=3 ip=10.78.0.3/24 mac=52:54:00:4e:00:03
 *   up_ip=10.0.2.15/24 up_gw=10.0.2.2 up_mac=52:54:00:0a:00:03
 *   controller=10.0.2.2:8811 key=<64 hex> hb_ms=100 api_port=80
 *
 * docs/cluster.md lists each key. Words that are not cluster keys (console=,
 * loglevel=...) are skipped so other subsystems can share the line; a cluster
 * key that appears twice or has a bad value is an error.
 */
#ifndef CLUSTER_BOOTARGS_H
#define CLUSTER_BOOTARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/heartbeat.h"

#define CLUSTER_NODE_MAX 65535

struct cluster_bootargs {
    uint32_t node;                 /* node=, required, 1..65535 */
    uint32_t ip;                   /* ip=, required: segment address, host order */
    uint8_t  prefix;
    bool     has_mac;              /* mac=, segment NIC's MAC */
    uint8_t  mac[6];
    bool     has_up;               /* up_ip= given: a second NIC towards the host */
    uint32_t up_ip;
    uint8_t  up_prefix;
    uint32_t up_gw;                /* up_gw=, default: none (0) */
    bool     has_up_mac;
    uint8_t  up_mac[6];
    uint32_t controller_ip;        /* controller=IP:PORT, required */
    uint16_t controller_port;
    uint8_t  key[HB_KEY_MAX];      /* key=HEX, required, 16..64 bytes */
    size_t   key_len;
    uint32_t hb_ms;                /* hb_ms=, default 100, 10..60000 */
    uint16_t api_port;             /* api_port=, default 80 */
};

/* Parses len bytes of cmdline (need not be NUL-terminated). Returns 0,
 * ERR_BAD_FORMAT (malformed or repeated value), ERR_RANGE (value out of its
 * range) or ERR_NOT_FOUND (a required key is missing). *out is written only
 * on success. */
int cluster_bootargs_parse(const char *cmdline, size_t len, struct cluster_bootargs *out);

#endif
