/*
 * The cluster heartbeat: a node tells the controller, over UDP, that it is
 * alive and how it is doing. docs/cluster-protocol.md describes every byte.
 *
 *   hb_key_init    prepare the cluster key once (16..64 bytes)
 *   hb_encode      struct heartbeat -> authenticated datagram
 *   hb_decode      datagram -> struct heartbeat, strict: any deviation from
 *                  the format is an error and *out is left untouched
 *
 * The codec is pure: no clock, no allocation, no global state.
 */
#ifndef CLUSTER_HEARTBEAT_H
#define CLUSTER_HEARTBEAT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"

#define HB_MAGIC          0x50555348u   /* "PUSH": PusOS heartbeat */
#define HB_VERSION        1
#define HB_TYPE_HEARTBEAT 1

#define HB_HEADER_SIZE    8     /* magic, version, type, length */
#define HB_FIXED_SIZE     54    /* header + fixed body, before the app list */
#define HB_TAG_SIZE       32    /* HMAC-SHA256 over everything before it */
#define HB_MAX_APPS       8     /* apps listed by name in one heartbeat */
#define HB_APP_NAME_MAX   31    /* bytes in an app name, no terminator */
#define HB_MIN_SIZE       (HB_FIXED_SIZE + HB_TAG_SIZE)
#define HB_MAX_SIZE       (HB_FIXED_SIZE + HB_MAX_APPS * (2 + HB_APP_NAME_MAX) + HB_TAG_SIZE)

#define HB_KEY_MIN        16
#define HB_KEY_MAX        64
#define HB_CPU_LOAD_MAX   1000  /* cpu_load is in per-mille */

enum hb_app_state {
    HB_APP_STOPPED = 0,
    HB_APP_RUNNING = 1,
    HB_APP_PAUSED = 2,
    HB_APP_CRASHED = 3,
    HB_APP_RESTARTING = 4,
    HB_APP_STATE_MAX = HB_APP_RESTARTING,
};

struct hb_app {
    char    name[HB_APP_NAME_MAX + 1];   /* NUL-terminated */
    uint8_t state;                       /* enum hb_app_state */
};

struct heartbeat {
    uint32_t node_id;        /* 1.. ; 0 is invalid */
    uint64_t boot_id;        /* random per boot, never 0 */
    uint64_t seq;            /* counts up within one boot */
    uint64_t uptime_ms;      /* since this boot started */
    uint64_t wall_ms;        /* node's clock, ms since 1970-01-01 UTC */
    uint16_t cpu_load;       /* per-mille, 0..1000 */
    uint32_t mem_free_kib;   /* free kernel heap in KiB */
    uint16_t app_count;      /* apps on the node (may exceed app_listed) */
    uint8_t  app_listed;     /* entries in apps[], <= HB_MAX_APPS */
    struct hb_app apps[HB_MAX_APPS];
};

/* The cluster key, absorbed once into a reusable HMAC state. */
struct hb_key {
    struct hmac_sha256 mac;
};

int  hb_key_init(struct hb_key *key, const uint8_t *bytes, size_t len);
void hb_key_clear(struct hb_key *key);

/* Writes the datagram into buf; returns its length, ERR_INVALID_ARGS for a
 * heartbeat that breaks the format's rules, ERR_TOO_BIG if cap is short. */
int hb_encode(const struct heartbeat *hb, const struct hb_key *key,
              uint8_t *buf, size_t cap);

/* Checks and parses one datagram. Returns 0, or:
 *   ERR_TOO_BIG       longer than HB_MAX_SIZE, or more apps than allowed
 *   ERR_BAD_FORMAT    short, bad magic, length mismatch, bad field
 *   ERR_NOT_SUPPORTED a version this code does not speak
 *   ERR_AUTH          the tag does not match under this key
 * The tag is checked before the body is parsed. */
int hb_decode(const uint8_t *buf, size_t len, const struct hb_key *key,
              struct heartbeat *out);

const char *hb_app_state_name(uint8_t state);

#endif
