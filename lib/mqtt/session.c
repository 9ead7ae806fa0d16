/*
 * MQTT client session: the connection state machine, in-flight packets
 * awaiting acknowledgement, keepalive.
 *
 * QoS 1 PUBLISH, SUBSCRIBE and UNSUBSCRIBE are kept (as encoded bytes)
 * until acknowledged. They are resent after retry_ms, a PUBLISH with its
 * DUP flag set (§4.3.2), and all of them again after a reconnect with
 * clean_session = false (§4.4). Incoming QoS 2 messages are handled with
 * the PUBREC/PUBREL/PUBCOMP exchange, delivered on arrival.
 */
#include <stdlib.h>
#include <string.h>

#include "mqtt/mqtt.h"
#include "pus/err.h"

void mqtt_config_default(struct mqtt_config *cfg, const char *client_id)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->connect.client_id = client_id;
    cfg->connect.keepalive_s = 60;
    cfg->connect.clean_session = true;
    cfg->retry_ms = 5000;
    cfg->connect_timeout_ms = 10000;
    cfg->max_packet = 64 * 1024;
}

void mqtt_init(struct mqtt_session *s, const struct mqtt_config *cfg,
               const struct mqtt_callbacks *cb, void *ctx)
{
    memset(s, 0, sizeof(*s));
    s->cfg = *cfg;
    if (s->cfg.max_packet < 16)
        s->cfg.max_packet = 16;
    if (s->cfg.retry_ms == 0)
        s->cfg.retry_ms = 5000;
    if (s->cfg.connect_timeout_ms == 0)
        s->cfg.connect_timeout_ms = 10000;
    s->cb = *cb;
    s->ctx = ctx;
    s->next_id = 1;
}

static void drop_inflight(struct mqtt_session *s)
{
    for (int i = 0; i < MQTT_INFLIGHT_MAX; i++) {
        free(s->inflight[i].bytes);
        memset(&s->inflight[i], 0, sizeof(s->inflight[i]));
    }
}

void mqtt_free(struct mqtt_session *s)
{
    drop_inflight(s);
    free(s->rx);
    s->rx = NULL;
    s->rx_len = s->rx_cap = 0;
}

int mqtt_inflight_count(const struct mqtt_session *s)
{
    int n = 0;
    for (int i = 0; i < MQTT_INFLIGHT_MAX; i++)
        n += s->inflight[i].used;
    return n;
}

static void event(struct mqtt_session *s, enum mqtt_event ev, int value, int aux)
{
    if (s->cb.event)
        s->cb.event(s->ctx, ev, value, aux);
}

static int fail(struct mqtt_session *s, int err)
{
    if (s->state != MQTT_FAILED) {
        s->state = MQTT_FAILED;
        s->error = err;
        event(s, MQTT_EV_CLOSED, err, 0);
    }
    return s->error;
}

static int send(struct mqtt_session *s, const uint8_t *data, size_t len, uint64_t now)
{
    int rc = s->cb.write(s->ctx, data, len);
    if (rc < 0)
        return fail(s, rc);
    s->last_tx_ms = now;
    return 0;
}

int mqtt_connect(struct mqtt_session *s, uint64_t now)
{
    const struct mqtt_connect_opts *c = &s->cfg.connect;
    if (s->state == MQTT_CONNECTING || s->state == MQTT_CONNECTED)
        return ERR_BAD_STATE;
    /* fixed header + variable header + every string with its length */
    size_t cap = 5 + 10 + 2 + (c->client_id ? strlen(c->client_id) : 0) +
                 (c->will ? 4 + (c->will->topic ? strlen(c->will->topic) : 0) + c->will->len : 0) +
                 (c->username ? 2 + strlen(c->username) : 0) +
                 (c->password ? 2 + strlen(c->password) : 0);
    uint8_t *buf = malloc(cap);
    if (!buf)
        return ERR_NO_MEMORY;
    int n = mqtt_encode_connect(buf, cap, c);
    if (n < 0) {
        free(buf);
        return n;
    }
    if (c->clean_session)
        drop_inflight(s);   /* a clean session starts with nothing pending */
    s->rx_len = 0;
    s->ping_outstanding = false;
    s->error = 0;
    s->state = MQTT_CONNECTING;
    s->connect_sent_ms = now;
    s->last_rx_ms = now;
    int rc = send(s, buf, (size_t)n, now);
    free(buf);
    return rc;
}

static struct mqtt_inflight *find(struct mqtt_session *s, uint8_t type, uint16_t id)
{
    for (int i = 0; i < MQTT_INFLIGHT_MAX; i++)
        if (s->inflight[i].used && s->inflight[i].type == type &&
            s->inflight[i].packet_id == id)
            return &s->inflight[i];
    return NULL;
}

static void release(struct mqtt_inflight *f)
{
    free(f->bytes);
    memset(f, 0, sizeof(*f));
}

/* The broker acknowledged our packet of type and id: it is done, and the
 * app hears ev. An ack for an id we no longer hold is a late duplicate and
 * is ignored. */
static void acknowledged(struct mqtt_session *s, uint8_t type, uint16_t id,
                         enum mqtt_event ev, int aux)
{
    struct mqtt_inflight *f = find(s, type, id);
    if (!f)
        return;
    release(f);
    event(s, ev, id, aux);
}

/* Resends one in-flight packet; a PUBLISH goes out with DUP set. */
static int resend(struct mqtt_session *s, struct mqtt_inflight *f, uint64_t now)
{
    if (f->type == MQTT_PUBLISH)
        f->bytes[0] |= 0x08;
    f->sent_ms = now;
    s->retransmissions++;
    return send(s, f->bytes, f->len, now);
}

static int handle(struct mqtt_session *s, const struct mqtt_packet *p, uint64_t now)
{
    uint8_t ack[4];

    if (s->state == MQTT_CONNECTING) {
        if (p->type != MQTT_CONNACK)
            return fail(s, ERR_BAD_FORMAT);   /* §3.2: CONNACK comes first */
        if (p->return_code) {
            event(s, MQTT_EV_REFUSED, p->return_code, 0);
            return fail(s, p->return_code >= 4 ? ERR_AUTH : ERR_CONN_REFUSED);
        }
        s->state = MQTT_CONNECTED;
        event(s, MQTT_EV_CONNECTED, p->session_present, 0);
        for (int i = 0; i < MQTT_INFLIGHT_MAX && s->state == MQTT_CONNECTED; i++)
            if (s->inflight[i].used)
                resend(s, &s->inflight[i], now);
        return s->state == MQTT_CONNECTED ? 0 : s->error;
    }

    switch (p->type) {
    case MQTT_PUBLISH:
        if (s->cb.message)
            s->cb.message(s->ctx, p->topic, p->topic_len, p->payload, p->payload_len,
                          p->qos, p->retain);
        if (p->qos == 1)
            return send(s, ack, (size_t)mqtt_encode_ack(ack, 4, MQTT_PUBACK, p->packet_id), now);
        if (p->qos == 2)
            return send(s, ack, (size_t)mqtt_encode_ack(ack, 4, MQTT_PUBREC, p->packet_id), now);
        return 0;
    case MQTT_PUBREL:
        return send(s, ack, (size_t)mqtt_encode_ack(ack, 4, MQTT_PUBCOMP, p->packet_id), now);
    case MQTT_PUBACK:
        acknowledged(s, MQTT_PUBLISH, p->packet_id, MQTT_EV_PUBACK, 0);
        return 0;
    case MQTT_SUBACK:
        acknowledged(s, MQTT_SUBSCRIBE, p->packet_id, MQTT_EV_SUBACK, p->granted[0]);
        return 0;
    case MQTT_UNSUBACK:
        acknowledged(s, MQTT_UNSUBSCRIBE, p->packet_id, MQTT_EV_UNSUBACK, 0);
        return 0;
    case MQTT_PINGRESP:
        s->ping_outstanding = false;
        event(s, MQTT_EV_PINGRESP, 0, 0);
        return 0;
    default:
        /* CONNACK twice, or PUBREC/PUBCOMP for QoS 2 we never send */
        return fail(s, ERR_BAD_FORMAT);
    }
}

int mqtt_feed(struct mqtt_session *s, const uint8_t *data, size_t len, uint64_t now)
{
    if (s->state == MQTT_FAILED)
        return s->error;
    if (s->state != MQTT_CONNECTING && s->state != MQTT_CONNECTED)
        return ERR_BAD_STATE;
    if (len)
        s->last_rx_ms = now;
    while (len) {
        /* Take what fits of the current packet into rx. */
        size_t want;
        uint32_t body = 0;
        int hl = s->rx_len >= 2 ? mqtt_get_length(s->rx + 1, s->rx_len - 1, &body) : 0;
        if (hl < 0)
            return fail(s, ERR_BAD_FORMAT);
        if (hl == 0) {
            want = 1;   /* header bytes one at a time: at most 5 of them */
        } else {
            if (body > s->cfg.max_packet)
                return fail(s, ERR_TOO_BIG);
            want = 1 + (size_t)hl + body - s->rx_len;
            if (want > len)
                want = len;
        }
        if (s->rx_len + want > s->rx_cap) {
            size_t cap = s->rx_cap ? s->rx_cap : 256;
            while (cap < s->rx_len + want)
                cap *= 2;
            uint8_t *rx = realloc(s->rx, cap);
            if (!rx)
                return fail(s, ERR_NO_MEMORY);
            s->rx = rx;
            s->rx_cap = cap;
        }
        memcpy(s->rx + s->rx_len, data, want);
        s->rx_len += want;
        data += want;
        len -= want;

        if (hl == 0) {
            if (s->rx_len >= 2) {
                hl = mqtt_get_length(s->rx + 1, s->rx_len - 1, &body);
                if (hl < 0)
                    return fail(s, ERR_BAD_FORMAT);
            }
            if (hl == 0)
                continue;
            if (body > s->cfg.max_packet)
                return fail(s, ERR_TOO_BIG);
        }
        if (s->rx_len < 1 + (size_t)hl + body)
            continue;

        struct mqtt_packet p;
        int rc = mqtt_decode(&p, s->rx[0], s->rx + 1 + hl, body);
        s->rx_len = 0;
        if (rc < 0)
            return fail(s, ERR_BAD_FORMAT);
        rc = handle(s, &p, now);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int next_packet_id(struct mqtt_session *s)
{
    for (int tries = 0; tries < 65536; tries++) {
        uint16_t id = s->next_id++;
        if (s->next_id == 0)
            s->next_id = 1;
        if (id == 0)
            continue;
        bool used = false;
        for (int i = 0; i < MQTT_INFLIGHT_MAX; i++)
            used |= s->inflight[i].used && s->inflight[i].packet_id == id;
        if (!used)
            return id;
    }
    return ERR_NO_SPACE;
}

static struct mqtt_inflight *free_slot(struct mqtt_session *s)
{
    for (int i = 0; i < MQTT_INFLIGHT_MAX; i++)
        if (!s->inflight[i].used)
            return &s->inflight[i];
    return NULL;
}

/* Keeps an encoded packet in flight and sends it. */
static int send_tracked(struct mqtt_session *s, struct mqtt_inflight *f, uint8_t type,
                        uint16_t id, uint8_t *bytes, size_t len, uint64_t now)
{
    f->used = true;
    f->type = type;
    f->packet_id = id;
    f->bytes = bytes;
    f->len = len;
    f->sent_ms = now;
    int rc = send(s, bytes, len, now);
    return rc < 0 ? rc : id;
}

int mqtt_publish(struct mqtt_session *s, const char *topic, const void *payload,
                 size_t len, uint8_t qos, bool retain, uint64_t now)
{
    if (s->state != MQTT_CONNECTED)
        return ERR_BAD_STATE;
    if (qos > 1 || !mqtt_topic_valid(topic, strlen(topic)))
        return ERR_INVALID_ARGS;
    struct mqtt_inflight *f = NULL;
    int id = 0;
    if (qos) {
        if (!(f = free_slot(s)))
            return ERR_NO_SPACE;
        id = next_packet_id(s);
    }
    size_t cap = 1 + 4 + 2 + strlen(topic) + 2 + len;
    uint8_t *bytes = malloc(cap);
    if (!bytes)
        return ERR_NO_MEMORY;
    int n = mqtt_encode_publish(bytes, cap, topic, payload, len, qos, retain, false,
                                (uint16_t)id);
    if (n < 0) {
        free(bytes);
        return n;
    }
    if (!qos) {
        int rc = send(s, bytes, (size_t)n, now);
        free(bytes);
        return rc;
    }
    return send_tracked(s, f, MQTT_PUBLISH, (uint16_t)id, bytes, (size_t)n, now);
}

static int subscription(struct mqtt_session *s, bool subscribe, const char *filter,
                        uint8_t qos, uint64_t now)
{
    if (s->state != MQTT_CONNECTED)
        return ERR_BAD_STATE;
    if (qos > 2 || !mqtt_filter_valid(filter, strlen(filter)))
        return ERR_INVALID_ARGS;
    struct mqtt_inflight *f = free_slot(s);
    if (!f)
        return ERR_NO_SPACE;
    int id = next_packet_id(s);
    size_t cap = 1 + 4 + 2 + 2 + strlen(filter) + 1;
    uint8_t *bytes = malloc(cap);
    if (!bytes)
        return ERR_NO_MEMORY;
    int n = subscribe ? mqtt_encode_subscribe(bytes, cap, (uint16_t)id, filter, qos)
                      : mqtt_encode_unsubscribe(bytes, cap, (uint16_t)id, filter);
    if (n < 0) {
        free(bytes);
        return n;
    }
    return send_tracked(s, f, subscribe ? MQTT_SUBSCRIBE : MQTT_UNSUBSCRIBE, (uint16_t)id,
                        bytes, (size_t)n, now);
}

int mqtt_subscribe(struct mqtt_session *s, const char *filter, uint8_t qos, uint64_t now)
{
    return subscription(s, true, filter, qos, now);
}

int mqtt_unsubscribe(struct mqtt_session *s, const char *filter, uint64_t now)
{
    return subscription(s, false, filter, 0, now);
}

int mqtt_tick(struct mqtt_session *s, uint64_t now)
{
    uint64_t ka = (uint64_t)s->cfg.connect.keepalive_s * 1000;
    uint8_t ping[2];

    if (s->state == MQTT_FAILED)
        return s->error;
    if (s->state == MQTT_CONNECTING) {
        if (now - s->connect_sent_ms >= s->cfg.connect_timeout_ms)
            return fail(s, ERR_TIMED_OUT);
        return 0;
    }
    if (s->state != MQTT_CONNECTED)
        return 0;
    if (ka) {
        if (s->ping_outstanding && now - s->ping_sent_ms >= ka)
            return fail(s, ERR_TIMED_OUT);   /* the broker went silent */
        if (!s->ping_outstanding && (now - s->last_tx_ms >= ka || now - s->last_rx_ms >= ka)) {
            int rc = send(s, ping, (size_t)mqtt_encode_simple(ping, 2, MQTT_PINGREQ), now);
            if (rc < 0)
                return rc;
            s->ping_outstanding = true;
            s->ping_sent_ms = now;
        }
    }
    for (int i = 0; i < MQTT_INFLIGHT_MAX && s->state == MQTT_CONNECTED; i++) {
        struct mqtt_inflight *f = &s->inflight[i];
        if (f->used && now - f->sent_ms >= s->cfg.retry_ms)
            resend(s, f, now);
    }
    return s->state == MQTT_FAILED ? s->error : 0;
}

uint64_t mqtt_next_deadline(const struct mqtt_session *s)
{
    uint64_t ka = (uint64_t)s->cfg.connect.keepalive_s * 1000;
    uint64_t t = UINT64_MAX;
    if (s->state == MQTT_CONNECTING)
        return s->connect_sent_ms + s->cfg.connect_timeout_ms;
    if (s->state != MQTT_CONNECTED)
        return t;
    if (ka) {
        uint64_t last = s->last_tx_ms < s->last_rx_ms ? s->last_tx_ms : s->last_rx_ms;
        t = s->ping_outstanding ? s->ping_sent_ms + ka : last + ka;
    }
    for (int i = 0; i < MQTT_INFLIGHT_MAX; i++)
        if (s->inflight[i].used && s->inflight[i].sent_ms + s->cfg.retry_ms < t)
            t = s->inflight[i].sent_ms + s->cfg.retry_ms;
    return t;
}

int mqtt_disconnect(struct mqtt_session *s)
{
    uint8_t buf[2];
    int rc = 0;
    if (s->state == MQTT_CONNECTED || s->state == MQTT_CONNECTING)
        rc = s->cb.write(s->ctx, buf, (size_t)mqtt_encode_simple(buf, 2, MQTT_DISCONNECT));
    s->state = MQTT_DISCONNECTED;
    s->rx_len = 0;
    s->ping_outstanding = false;
    return rc < 0 ? rc : 0;
}

void mqtt_connection_lost(struct mqtt_session *s)
{
    s->state = MQTT_DISCONNECTED;
    s->rx_len = 0;
    s->ping_outstanding = false;
}
