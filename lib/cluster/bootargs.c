/* Parser for the cluster keys of the kernel command line (bootargs.h). */
#include <string.h>

#include "cluster/bootargs.h"
#include "pus/err.h"

/* A value is the bytes [s, e). Each helper consumes all of it or fails. */

static int parse_uint(const char *s, const char *e, uint32_t max, uint32_t *out)
{
    if (s == e || e - s > 10)
        return ERR_BAD_FORMAT;
    uint64_t v = 0;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9')
            return ERR_BAD_FORMAT;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v > max)
        return ERR_RANGE;
    *out = (uint32_t)v;
    return 0;
}

/* Dotted quad; *rest gets the first byte after it. */
static int parse_ipv4(const char *s, const char *e, uint32_t *ip, const char **rest)
{
    uint32_t v = 0;
    for (int part = 0; part < 4; part++) {
        const char *q = s;
        while (q < e && *q >= '0' && *q <= '9')
            q++;
        if (q == s || q - s > 3)
            return ERR_BAD_FORMAT;
        uint32_t octet;
        int err = parse_uint(s, q, 255, &octet);
        if (err < 0)
            return err;
        v = v << 8 | octet;
        s = q;
        if (part < 3) {
            if (s == e || *s != '.')
                return ERR_BAD_FORMAT;
            s++;
        }
    }
    *ip = v;
    *rest = s;
    return 0;
}

static int parse_cidr(const char *s, const char *e, uint32_t *ip, uint8_t *prefix)
{
    const char *rest;
    int err = parse_ipv4(s, e, ip, &rest);
    if (err < 0)
        return err;
    if (rest == e || *rest != '/')
        return ERR_BAD_FORMAT;
    uint32_t len;
    err = parse_uint(rest + 1, e, 32, &len);
    if (err < 0)
        return err;
    if (len == 0)
        return ERR_RANGE;
    *prefix = (uint8_t)len;
    return 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_mac(const char *s, const char *e, uint8_t mac[6])
{
    if (e - s != 17)
        return ERR_BAD_FORMAT;
    for (int i = 0; i < 6; i++) {
        int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
            return ERR_BAD_FORMAT;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int parse_key(const char *s, const char *e, uint8_t *key, size_t *len)
{
    size_t n = (size_t)(e - s);
    if (n % 2 != 0)
        return ERR_BAD_FORMAT;
    if (n / 2 < HB_KEY_MIN || n / 2 > HB_KEY_MAX)
        return ERR_RANGE;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return ERR_BAD_FORMAT;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return 0;
}

enum { K_NODE, K_IP, K_MAC, K_UP_IP, K_UP_GW, K_UP_MAC, K_CONTROLLER, K_KEY,
       K_HB_MS, K_API_PORT, K_COUNT };

static const char *const key_names[K_COUNT] = {
    "node", "ip", "mac", "up_ip", "up_gw", "up_mac", "controller", "key",
    "hb_ms", "api_port",
};

static int parse_one(int k, const char *s, const char *e, struct cluster_bootargs *a)
{
    uint32_t v;
    int err;
    const char *rest;

    switch (k) {
    case K_NODE:
        err = parse_uint(s, e, CLUSTER_NODE_MAX, &v);
        if (err == 0 && v == 0)
            err = ERR_RANGE;
        a->node = v;
        return err;
    case K_IP:
        return parse_cidr(s, e, &a->ip, &a->prefix);
    case K_MAC:
        a->has_mac = true;
        return parse_mac(s, e, a->mac);
    case K_UP_IP:
        a->has_up = true;
        return parse_cidr(s, e, &a->up_ip, &a->up_prefix);
    case K_UP_GW:
        err = parse_ipv4(s, e, &a->up_gw, &rest);
        return err < 0 ? err : (rest == e ? 0 : ERR_BAD_FORMAT);
    case K_UP_MAC:
        a->has_up_mac = true;
        return parse_mac(s, e, a->up_mac);
    case K_CONTROLLER:
        err = parse_ipv4(s, e, &a->controller_ip, &rest);
        if (err < 0)
            return err;
        if (rest == e || *rest != ':')
            return ERR_BAD_FORMAT;
        err = parse_uint(rest + 1, e, 65535, &v);
        if (err == 0 && v == 0)
            err = ERR_RANGE;
        a->controller_port = (uint16_t)v;
        return err;
    case K_KEY:
        return parse_key(s, e, a->key, &a->key_len);
    case K_HB_MS:
        err = parse_uint(s, e, 60000, &v);
        if (err == 0 && v < 10)
            err = ERR_RANGE;
        a->hb_ms = v;
        return err;
    case K_API_PORT:
        err = parse_uint(s, e, 65535, &v);
        if (err == 0 && v == 0)
            err = ERR_RANGE;
        a->api_port = (uint16_t)v;
        return err;
    }
    return ERR_INVALID_ARGS;
}

int cluster_bootargs_parse(const char *cmdline, size_t len, struct cluster_bootargs *out)
{
    struct cluster_bootargs a;
    bool seen[K_COUNT] = { false };
    memset(&a, 0, sizeof(a));
    a.hb_ms = 100;
    a.api_port = 80;

    const char *p = cmdline, *end = cmdline + len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
            p++;
        const char *word = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\n' && *p != 0)
            p++;
        const char *word_end = p;
        if (p < end && *p == 0)
            end = p;               /* a NUL ends the line */
        if (word == word_end)
            continue;
        const char *eq = memchr(word, '=', (size_t)(word_end - word));
        if (!eq)
            continue;              /* a flag such as "quiet": not ours */
        for (int k = 0; k < K_COUNT; k++) {
            size_t n = strlen(key_names[k]);
            if ((size_t)(eq - word) != n || memcmp(word, key_names[k], n) != 0)
                continue;
            if (seen[k])
                return ERR_BAD_FORMAT;
            seen[k] = true;
            int err = parse_one(k, eq + 1, word_end, &a);
            if (err < 0)
                return err;
        }
    }
    if (!seen[K_NODE] || !seen[K_IP] || !seen[K_CONTROLLER] || !seen[K_KEY])
        return ERR_NOT_FOUND;
    *out = a;
    return 0;
}
