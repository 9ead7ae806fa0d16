/*
 * MQTT 3.1.1 packet format: a fixed header (type, flags, remaining length
 * as a 1-4 byte varint), then a type-specific body. Strings are a 16-bit
 * big-endian length and UTF-8 without U+0000 (§1.5.3).
 */
#include <string.h>

#include "mqtt/mqtt.h"
#include "pus/err.h"

int mqtt_put_length(uint8_t *out, uint32_t len)
{
    if (len > MQTT_REMAINING_MAX)
        return ERR_TOO_BIG;
    int n = 0;
    do {
        uint8_t b = len & 0x7f;
        len >>= 7;
        out[n++] = (uint8_t)(len ? b | 0x80 : b);
    } while (len);
    return n;
}

int mqtt_get_length(const uint8_t *buf, size_t avail, uint32_t *len)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        if ((size_t)i >= avail)
            return 0;
        v |= (uint32_t)(buf[i] & 0x7f) << (7 * i);
        if (!(buf[i] & 0x80)) {
            *len = v;
            return i + 1;
        }
    }
    return ERR_BAD_FORMAT;
}

/* UTF-8 as MQTT wants it: well-formed, no surrogates, no U+0000. */
static bool utf8_ok(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        int n;
        uint32_t v, min;
        if ((c & 0xe0) == 0xc0)
            n = 2, v = c & 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0)
            n = 3, v = c & 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0)
            n = 4, v = c & 0x07, min = 0x10000;
        else
            return false;
        if (len - i < (size_t)n)
            return false;
        for (int k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            v = v << 6 | (s[i + k] & 0x3f);
        }
        if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
            return false;
        i += (size_t)n;
    }
    return true;
}

bool mqtt_topic_valid(const char *topic, size_t len)
{
    if (len == 0 || len > 0xffff)
        return false;
    if (memchr(topic, '+', len) || memchr(topic, '#', len))
        return false;
    return utf8_ok((const uint8_t *)topic, len);
}

bool mqtt_filter_valid(const char *f, size_t len)
{
    if (len == 0 || len > 0xffff || !utf8_ok((const uint8_t *)f, len))
        return false;
    for (size_t i = 0; i < len; i++) {
        bool starts = i == 0 || f[i - 1] == '/';
        bool ends = i + 1 == len || f[i + 1] == '/';
        if (f[i] == '+' && !(starts && ends))
            return false;
        if (f[i] == '#' && !(starts && i + 1 == len))
            return false;
    }
    return true;
}

bool mqtt_topic_matches(const char *filter, const char *topic, size_t tlen)
{
    const char *f = filter, *t = topic, *tend = topic + tlen;
    /* Topics starting with '$' are not matched by a leading wildcard. */
    if (tlen && topic[0] == '$' && (f[0] == '+' || f[0] == '#'))
        return false;
    for (;;) {
        if (f[0] == '#')
            return true;            /* also matches the parent level */
        const char *fe = strchr(f, '/');
        if (!fe)
            fe = f + strlen(f);
        const char *te = memchr(t, '/', (size_t)(tend - t));
        if (!te)
            te = tend;
        if (!(fe - f == 1 && f[0] == '+') &&
            (fe - f != te - t || memcmp(f, t, (size_t)(fe - f)) != 0))
            return false;
        if (!*fe && te == tend)
            return true;
        if (!*fe)
            return false;
        if (te == tend)
            return fe[1] == '#' && fe[2] == 0;   /* "a/#" matches "a" */
        f = fe + 1;
        t = te + 1;
    }
}

/* ---- encoding ---- */

struct out {
    uint8_t *buf;
    size_t cap, len;
    bool overflow;
};

static void put(struct out *o, const void *data, size_t n)
{
    if (o->len + n > o->cap) {
        o->overflow = true;
        return;
    }
    if (n)
        memcpy(o->buf + o->len, data, n);
    o->len += n;
}

static void put_u8(struct out *o, uint8_t v)
{
    put(o, &v, 1);
}

static void put_u16(struct out *o, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    put(o, b, 2);
}

static void put_str(struct out *o, const void *s, size_t len)
{
    put_u16(o, (uint16_t)len);
    put(o, s, len);
}

/* Writes the fixed header for a body of body_len bytes. */
static int header(struct out *o, uint8_t first, size_t body_len)
{
    uint8_t len[4];
    if (body_len > MQTT_REMAINING_MAX)
        return ERR_TOO_BIG;
    int n = mqtt_put_length(len, (uint32_t)body_len);
    put_u8(o, first);
    put(o, len, (size_t)n);
    return 0;
}

static int finish(struct out *o)
{
    return o->overflow ? ERR_TOO_BIG : (int)o->len;
}

static bool str_ok(const char *s)
{
    size_t n = strlen(s);
    return n <= 0xffff && utf8_ok((const uint8_t *)s, n);
}

int mqtt_encode_connect(uint8_t *buf, size_t cap, const struct mqtt_connect_opts *c)
{
    struct out o = { buf, cap, 0, false };
    const struct mqtt_will *w = c->will;
    uint8_t flags = 0;

    if (!c->client_id || !str_ok(c->client_id) || (!c->client_id[0] && !c->clean_session))
        return ERR_INVALID_ARGS;
    if ((c->password && !c->username) || (c->username && !str_ok(c->username)) ||
        (c->password && strlen(c->password) > 0xffff))
        return ERR_INVALID_ARGS;
    size_t body = 10 + 2 + strlen(c->client_id);
    if (w) {
        if (!w->topic || !mqtt_topic_valid(w->topic, strlen(w->topic)) || w->qos > 2 ||
            w->len > 0xffff)
            return ERR_INVALID_ARGS;
        flags |= 0x04 | (uint8_t)(w->qos << 3) | (w->retain ? 0x20 : 0);
        body += 2 + strlen(w->topic) + 2 + w->len;
    }
    if (c->username) {
        flags |= 0x80;
        body += 2 + strlen(c->username);
    }
    if (c->password) {
        flags |= 0x40;
        body += 2 + strlen(c->password);
    }
    if (c->clean_session)
        flags |= 0x02;

    header(&o, MQTT_CONNECT << 4, body);
    put_str(&o, "MQTT", 4);
    put_u8(&o, 4);                 /* protocol level 4: 3.1.1 */
    put_u8(&o, flags);
    put_u16(&o, c->keepalive_s);
    put_str(&o, c->client_id, strlen(c->client_id));
    if (w) {
        put_str(&o, w->topic, strlen(w->topic));
        put_str(&o, w->message, w->len);
    }
    if (c->username)
        put_str(&o, c->username, strlen(c->username));
    if (c->password)
        put_str(&o, c->password, strlen(c->password));
    return finish(&o);
}

int mqtt_encode_publish(uint8_t *buf, size_t cap, const char *topic, const void *payload,
                        size_t len, uint8_t qos, bool retain, bool dup, uint16_t packet_id)
{
    struct out o = { buf, cap, 0, false };
    size_t tlen = strlen(topic);
    if (!mqtt_topic_valid(topic, tlen) || qos > 2 || (qos == 0 && dup) ||
        (qos > 0 && packet_id == 0))
        return ERR_INVALID_ARGS;
    size_t body = 2 + tlen + (qos ? 2 : 0) + len;
    int rc = header(&o, (uint8_t)(MQTT_PUBLISH << 4 | dup << 3 | qos << 1 | retain), body);
    if (rc < 0)
        return rc;
    put_str(&o, topic, tlen);
    if (qos)
        put_u16(&o, packet_id);
    put(&o, payload, len);
    return finish(&o);
}

int mqtt_encode_subscribe(uint8_t *buf, size_t cap, uint16_t packet_id,
                          const char *filter, uint8_t qos)
{
    struct out o = { buf, cap, 0, false };
    size_t flen = strlen(filter);
    if (!mqtt_filter_valid(filter, flen) || qos > 2 || packet_id == 0)
        return ERR_INVALID_ARGS;
    header(&o, MQTT_SUBSCRIBE << 4 | 0x2, 2 + 2 + flen + 1);
    put_u16(&o, packet_id);
    put_str(&o, filter, flen);
    put_u8(&o, qos);
    return finish(&o);
}

int mqtt_encode_unsubscribe(uint8_t *buf, size_t cap, uint16_t packet_id, const char *filter)
{
    struct out o = { buf, cap, 0, false };
    size_t flen = strlen(filter);
    if (!mqtt_filter_valid(filter, flen) || packet_id == 0)
        return ERR_INVALID_ARGS;
    header(&o, MQTT_UNSUBSCRIBE << 4 | 0x2, 2 + 2 + flen);
    put_u16(&o, packet_id);
    put_str(&o, filter, flen);
    return finish(&o);
}

int mqtt_encode_ack(uint8_t *buf, size_t cap, enum mqtt_type type, uint16_t packet_id)
{
    struct out o = { buf, cap, 0, false };
    if (type != MQTT_PUBACK && type != MQTT_PUBREC && type != MQTT_PUBREL &&
        type != MQTT_PUBCOMP)
        return ERR_INVALID_ARGS;
    header(&o, (uint8_t)(type << 4 | (type == MQTT_PUBREL ? 0x2 : 0)), 2);
    put_u16(&o, packet_id);
    return finish(&o);
}

int mqtt_encode_simple(uint8_t *buf, size_t cap, enum mqtt_type type)
{
    struct out o = { buf, cap, 0, false };
    if (type != MQTT_PINGREQ && type != MQTT_DISCONNECT)
        return ERR_INVALID_ARGS;
    header(&o, (uint8_t)(type << 4), 0);
    return finish(&o);
}

/* ---- decoding (broker -> client) ---- */

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

int mqtt_decode(struct mqtt_packet *p, uint8_t first, const uint8_t *b, size_t len)
{
    memset(p, 0, sizeof(*p));
    p->type = first >> 4;
    p->flags = first & 15;

    switch (p->type) {
    case MQTT_CONNACK:
        if (p->flags || len != 2 || (b[0] & 0xfe) || b[1] > 5 || (b[1] && b[0]))
            return ERR_BAD_FORMAT;
        p->session_present = b[0] & 1;
        p->return_code = b[1];
        return 0;
    case MQTT_PUBLISH: {
        p->dup = p->flags >> 3;
        p->qos = (p->flags >> 1) & 3;
        p->retain = p->flags & 1;
        if (p->qos == 3 || (p->qos == 0 && p->dup) || len < 2)
            return ERR_BAD_FORMAT;
        size_t tlen = get_u16(b);
        size_t need = 2 + tlen + (p->qos ? 2 : 0);
        if (need > len || !mqtt_topic_valid((const char *)b + 2, tlen))
            return ERR_BAD_FORMAT;
        p->topic = (const char *)b + 2;
        p->topic_len = (uint16_t)tlen;
        if (p->qos) {
            p->packet_id = get_u16(b + 2 + tlen);
            if (!p->packet_id)
                return ERR_BAD_FORMAT;
        }
        p->payload = b + need;
        p->payload_len = len - need;
        return 0;
    }
    case MQTT_PUBACK:
    case MQTT_PUBREC:
    case MQTT_PUBREL:
    case MQTT_PUBCOMP:
    case MQTT_UNSUBACK:
        if (p->flags != (p->type == MQTT_PUBREL ? 2 : 0) || len != 2)
            return ERR_BAD_FORMAT;
        p->packet_id = get_u16(b);
        return p->packet_id ? 0 : ERR_BAD_FORMAT;
    case MQTT_SUBACK:
        if (p->flags || len < 3)
            return ERR_BAD_FORMAT;
        p->packet_id = get_u16(b);
        if (!p->packet_id)
            return ERR_BAD_FORMAT;
        for (size_t i = 2; i < len; i++)
            if (b[i] > 2 && b[i] != 0x80)
                return ERR_BAD_FORMAT;
        p->granted = b + 2;
        p->granted_count = len - 2;
        return 0;
    case MQTT_PINGRESP:
        return p->flags || len ? ERR_BAD_FORMAT : 0;
    default:
        return ERR_NOT_SUPPORTED;
    }
}
