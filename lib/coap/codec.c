/*
 * CoAP message format (RFC 7252 §3): 4-byte header, token, options as
 * (delta, length) pairs with 4-bit nibbles extended by 1 or 2 bytes,
 * optional 0xFF marker and payload.
 */
#include <string.h>

#include "coap/coap.h"
#include "pus/err.h"

/* Reads an extended delta/length nibble. Returns the value or -1. */
static int32_t ext_value(uint8_t nibble, const uint8_t *d, size_t len, size_t *pos)
{
    if (nibble < 13)
        return nibble;
    if (nibble == 13) {
        if (*pos + 1 > len)
            return -1;
        return 13 + d[(*pos)++];
    }
    if (nibble == 14) {
        if (*pos + 2 > len)
            return -1;
        int32_t v = 269 + ((int32_t)d[*pos] << 8 | d[*pos + 1]);
        *pos += 2;
        return v;
    }
    return -1;   /* 15 is reserved (only the payload marker uses it) */
}

int coap_parse(struct coap_msg *m, const uint8_t *d, size_t len)
{
    memset(m, 0, sizeof(*m));
    if (len < 4)
        return ERR_BAD_FORMAT;
    if (d[0] >> 6 != 1)
        return ERR_NOT_SUPPORTED;
    m->type = (d[0] >> 4) & 3;
    m->token_len = d[0] & 15;
    m->code = d[1];
    m->mid = (uint16_t)(d[2] << 8 | d[3]);
    if (m->token_len > COAP_TOKEN_MAX || 4u + m->token_len > len)
        return ERR_BAD_FORMAT;
    memcpy(m->token, d + 4, m->token_len);
    if (m->code == COAP_EMPTY && (len != 4 || m->token_len != 0))
        return ERR_BAD_FORMAT;      /* RFC 7252 §4.1: empty means header only */

    size_t pos = 4 + m->token_len;
    uint32_t number = 0;
    while (pos < len) {
        uint8_t b = d[pos++];
        if (b == 0xff) {
            if (pos == len)
                return ERR_BAD_FORMAT;   /* marker with nothing after it */
            m->payload = d + pos;
            m->payload_len = len - pos;
            break;
        }
        int32_t delta = ext_value(b >> 4, d, len, &pos);
        int32_t olen = ext_value(b & 15, d, len, &pos);
        if (delta < 0 || olen < 0 || (size_t)olen > len - pos)
            return ERR_BAD_FORMAT;
        number += (uint32_t)delta;
        if (number > 0xffff)
            return ERR_BAD_FORMAT;
        if (m->option_count == COAP_OPTIONS_MAX)
            return ERR_TOO_BIG;
        struct coap_option *o = &m->options[m->option_count++];
        o->number = (uint16_t)number;
        o->len = (uint16_t)olen;
        o->value = d + pos;
        pos += (size_t)olen;
    }
    return 0;
}

void coap_init(struct coap_msg *m, enum coap_type type, uint8_t code, uint16_t mid,
               const uint8_t *token, uint8_t token_len)
{
    memset(m, 0, sizeof(*m));
    m->type = (uint8_t)type;
    m->code = code;
    m->mid = mid;
    if (token_len > COAP_TOKEN_MAX)
        token_len = COAP_TOKEN_MAX;
    m->token_len = token_len;
    if (token_len)
        memcpy(m->token, token, token_len);
}

int coap_add_option(struct coap_msg *m, uint16_t number, const void *value, size_t len)
{
    if (m->option_count == COAP_OPTIONS_MAX || len > 0xffff)
        return ERR_TOO_BIG;
    /* insert after every option with a number <= this one: stable order */
    int i = m->option_count;
    while (i > 0 && m->options[i - 1].number > number) {
        m->options[i] = m->options[i - 1];
        i--;
    }
    m->options[i] = (struct coap_option){ number, (uint16_t)len, value };
    m->option_count++;
    return 0;
}

int coap_add_uint(struct coap_msg *m, uint16_t number, uint32_t value)
{
    uint8_t n = value > 0xffffff ? 4 : value > 0xffff ? 3 : value > 0xff ? 2 : value ? 1 : 0;
    if (m->scratch_len + n > sizeof(m->scratch))
        return ERR_TOO_BIG;
    uint8_t *v = m->scratch + m->scratch_len;
    for (int i = 0; i < n; i++)
        v[i] = (uint8_t)(value >> (8 * (n - 1 - i)));
    int rc = coap_add_option(m, number, v, n);
    if (rc == 0)
        m->scratch_len += n;
    return rc;
}

static size_t ext_size(uint32_t v)
{
    return v < 13 ? 0 : v < 269 ? 1 : 2;
}

static uint8_t nibble(uint32_t v)
{
    return v < 13 ? (uint8_t)v : v < 269 ? 13 : 14;
}

static size_t put_ext(uint8_t *p, uint32_t v)
{
    if (v < 13)
        return 0;
    if (v < 269) {
        p[0] = (uint8_t)(v - 13);
        return 1;
    }
    p[0] = (uint8_t)((v - 269) >> 8);
    p[1] = (uint8_t)(v - 269);
    return 2;
}

int coap_encode(const struct coap_msg *m, uint8_t *buf, size_t cap)
{
    size_t need = 4 + m->token_len;
    uint32_t prev = 0;
    for (int i = 0; i < m->option_count; i++) {
        const struct coap_option *o = &m->options[i];
        if (o->number < prev)
            return ERR_INVALID_ARGS;
        need += 1 + ext_size(o->number - prev) + ext_size(o->len) + o->len;
        prev = o->number;
    }
    if (m->payload_len)
        need += 1 + m->payload_len;
    if (need > cap)
        return ERR_TOO_BIG;

    buf[0] = (uint8_t)(1 << 6 | (m->type & 3) << 4 | m->token_len);
    buf[1] = m->code;
    buf[2] = (uint8_t)(m->mid >> 8);
    buf[3] = (uint8_t)m->mid;
    memcpy(buf + 4, m->token, m->token_len);
    size_t pos = 4 + m->token_len;
    prev = 0;
    for (int i = 0; i < m->option_count; i++) {
        const struct coap_option *o = &m->options[i];
        uint32_t delta = o->number - prev;
        buf[pos++] = (uint8_t)(nibble(delta) << 4 | nibble(o->len));
        pos += put_ext(buf + pos, delta);
        pos += put_ext(buf + pos, o->len);
        if (o->len)
            memcpy(buf + pos, o->value, o->len);
        pos += o->len;
        prev = o->number;
    }
    if (m->payload_len) {
        buf[pos++] = 0xff;
        memcpy(buf + pos, m->payload, m->payload_len);
        pos += m->payload_len;
    }
    return (int)pos;
}
