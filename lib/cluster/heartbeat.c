/*
 * Heartbeat encoder and decoder. Big-endian throughout; offsets are those of
 * docs/cluster-protocol.md. Names are restricted to [A-Za-z0-9._-] so they
 * can go into logs, JSON and SQL without escaping surprises.
 */
#include <string.h>

#include "cluster/heartbeat.h"
#include "cluster/wire.h"
#include "pus/err.h"

int hb_key_init(struct hb_key *key, const uint8_t *bytes, size_t len)
{
    if (len < HB_KEY_MIN || len > HB_KEY_MAX)
        return ERR_INVALID_ARGS;
    hmac_sha256_init(&key->mac, bytes, len);
    return 0;
}

void hb_key_clear(struct hb_key *key)
{
    hmac_sha256_clear(&key->mac);
}

static void compute_tag(const struct hb_key *key, const uint8_t *buf, size_t len,
                        uint8_t tag[HB_TAG_SIZE])
{
    struct hmac_sha256 mac = key->mac;   /* copy: the key state stays clean */
    hmac_sha256_reset(&mac);
    hmac_sha256_update(&mac, buf, len);
    hmac_sha256_final(&mac, tag);
    hmac_sha256_clear(&mac);
}

static int name_char_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int hb_encode(const struct heartbeat *hb, const struct hb_key *key,
              uint8_t *buf, size_t cap)
{
    if (hb->node_id == 0 || hb->boot_id == 0 || hb->cpu_load > HB_CPU_LOAD_MAX ||
        hb->app_listed > HB_MAX_APPS || hb->app_listed > hb->app_count)
        return ERR_INVALID_ARGS;

    size_t len = HB_FIXED_SIZE + HB_TAG_SIZE;
    for (int i = 0; i < hb->app_listed; i++) {
        size_t n = 0;
        while (n <= HB_APP_NAME_MAX && hb->apps[i].name[n] != 0)
            n++;
        if (n == 0 || n > HB_APP_NAME_MAX || hb->apps[i].state > HB_APP_STATE_MAX)
            return ERR_INVALID_ARGS;
        for (size_t j = 0; j < n; j++)
            if (!name_char_ok((unsigned char)hb->apps[i].name[j]))
                return ERR_INVALID_ARGS;
        len += 2 + n;
    }
    if (len > cap)
        return ERR_TOO_BIG;

    uint8_t *p = buf;
    p = put_be32(p, HB_MAGIC);
    *p++ = HB_VERSION;
    *p++ = HB_TYPE_HEARTBEAT;
    p = put_be16(p, (uint16_t)len);
    p = put_be32(p, hb->node_id);
    p = put_be64(p, hb->boot_id);
    p = put_be64(p, hb->seq);
    p = put_be64(p, hb->uptime_ms);
    p = put_be64(p, hb->wall_ms);
    p = put_be16(p, hb->cpu_load);
    p = put_be32(p, hb->mem_free_kib);
    p = put_be16(p, hb->app_count);
    *p++ = hb->app_listed;
    *p++ = 0;                                   /* reserved */
    for (int i = 0; i < hb->app_listed; i++) {
        size_t n = strlen(hb->apps[i].name);
        *p++ = (uint8_t)n;
        memcpy(p, hb->apps[i].name, n);
        p += n;
        *p++ = hb->apps[i].state;
    }
    compute_tag(key, buf, (size_t)(p - buf), p);
    return (int)len;
}

int hb_decode(const uint8_t *buf, size_t len, const struct hb_key *key,
              struct heartbeat *out)
{
    if (len > HB_MAX_SIZE)
        return ERR_TOO_BIG;
    if (len < HB_HEADER_SIZE || get_be32(buf) != HB_MAGIC)
        return ERR_BAD_FORMAT;
    if (buf[4] != HB_VERSION)
        return ERR_NOT_SUPPORTED;
    if (buf[5] != HB_TYPE_HEARTBEAT)
        return ERR_BAD_FORMAT;
    size_t claimed = get_be16(buf + 6);
    if (claimed != len || len < HB_MIN_SIZE)
        return ERR_BAD_FORMAT;   /* truncated, padded, or too short to hold a tag */

    /* Authenticate before looking at anything else: a forged body is never
     * parsed, so parser bugs are out of an outsider's reach. */
    uint8_t tag[HB_TAG_SIZE];
    compute_tag(key, buf, len - HB_TAG_SIZE, tag);
    if (!crypto_equal(tag, buf + len - HB_TAG_SIZE, HB_TAG_SIZE))
        return ERR_AUTH;

    struct heartbeat hb;
    memset(&hb, 0, sizeof(hb));
    const uint8_t *p = buf + HB_HEADER_SIZE;
    const uint8_t *end = buf + len - HB_TAG_SIZE;
    hb.node_id = get_be32(p);       p += 4;
    hb.boot_id = get_be64(p);       p += 8;
    hb.seq = get_be64(p);           p += 8;
    hb.uptime_ms = get_be64(p);     p += 8;
    hb.wall_ms = get_be64(p);       p += 8;
    hb.cpu_load = get_be16(p);      p += 2;
    hb.mem_free_kib = get_be32(p);  p += 4;
    hb.app_count = get_be16(p);     p += 2;
    hb.app_listed = *p++;
    uint8_t reserved = *p++;

    if (hb.node_id == 0 || hb.boot_id == 0 || hb.cpu_load > HB_CPU_LOAD_MAX ||
        reserved != 0)
        return ERR_BAD_FORMAT;
    if (hb.app_listed > HB_MAX_APPS)
        return ERR_TOO_BIG;
    if (hb.app_listed > hb.app_count)
        return ERR_BAD_FORMAT;

    for (int i = 0; i < hb.app_listed; i++) {
        if (end - p < 1)
            return ERR_BAD_FORMAT;
        size_t n = *p++;
        if (n == 0 || n > HB_APP_NAME_MAX)
            return ERR_BAD_FORMAT;
        if ((size_t)(end - p) < n + 1)
            return ERR_BAD_FORMAT;
        for (size_t j = 0; j < n; j++)
            if (!name_char_ok(p[j]))
                return ERR_BAD_FORMAT;
        memcpy(hb.apps[i].name, p, n);
        hb.apps[i].name[n] = 0;
        p += n;
        hb.apps[i].state = *p++;
        if (hb.apps[i].state > HB_APP_STATE_MAX)
            return ERR_BAD_FORMAT;
    }
    if (p != end)
        return ERR_BAD_FORMAT;   /* bytes left over between the list and the tag */

    *out = hb;
    return 0;
}

const char *hb_app_state_name(uint8_t state)
{
    static const char *const names[] = {
        [HB_APP_STOPPED] = "stopped",
        [HB_APP_RUNNING] = "running",
        [HB_APP_PAUSED] = "paused",
        [HB_APP_CRASHED] = "crashed",
        [HB_APP_RESTARTING] = "restarting",
    };
    return state <= HB_APP_STATE_MAX ? names[state] : "unknown";
}
