/*
 * lib/mqtt: an MQTT 3.1.1 (OASIS standard) client: packet codec and a
 * session state machine.
 *
 * Transport-agnostic: bytes from the broker go in through mqtt_feed(),
 * bytes to it come out through a write callback, and time is an argument
 * (milliseconds of a monotonic clock). The caller runs mqtt_tick() by
 * mqtt_next_deadline() for keepalive pings and retransmissions. A session
 * belongs to one thread; no locks inside.
 *
 * Files: codec.c (remaining length, packet encoders, decoder of the
 * packets a broker sends), session.c (connect, publish QoS 0/1 with
 * PUBACK and DUP retransmission, subscribe, unsubscribe, keepalive,
 * receiving QoS 0/1/2).
 */
#ifndef PUS_MQTT_H
#define PUS_MQTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mqtt_type {
    MQTT_CONNECT = 1, MQTT_CONNACK, MQTT_PUBLISH, MQTT_PUBACK, MQTT_PUBREC,
    MQTT_PUBREL, MQTT_PUBCOMP, MQTT_SUBSCRIBE, MQTT_SUBACK, MQTT_UNSUBSCRIBE,
    MQTT_UNSUBACK, MQTT_PINGREQ, MQTT_PINGRESP, MQTT_DISCONNECT,
};

#define MQTT_REMAINING_MAX 268435455u   /* four length bytes */

/* ---- codec -------------------------------------------------------------- */

/* Writes the remaining-length varint; returns 1..4, or ERR_TOO_BIG. */
int mqtt_put_length(uint8_t *out, uint32_t len);
/* Reads it from buf[0..avail): returns the byte count (1..4) and sets
 * *len, 0 if more bytes are needed, ERR_BAD_FORMAT after a fifth byte. */
int mqtt_get_length(const uint8_t *buf, size_t avail, uint32_t *len);

struct mqtt_will {
    const char *topic;
    const void *message;
    size_t len;
    uint8_t qos;
    bool retain;
};

struct mqtt_connect_opts {
    const char *client_id;   /* "" lets the broker choose (needs clean) */
    const char *username;    /* NULL: none */
    const char *password;    /* NULL: none (needs a username) */
    uint16_t keepalive_s;
    bool clean_session;
    const struct mqtt_will *will;   /* NULL: none */
};

/* Encoders return the packet length, ERR_TOO_BIG (cap), or
 * ERR_INVALID_ARGS (bad topic, QoS, string over 65535 bytes...). */
int mqtt_encode_connect(uint8_t *buf, size_t cap, const struct mqtt_connect_opts *o);
int mqtt_encode_publish(uint8_t *buf, size_t cap, const char *topic, const void *payload,
                        size_t len, uint8_t qos, bool retain, bool dup, uint16_t packet_id);
int mqtt_encode_subscribe(uint8_t *buf, size_t cap, uint16_t packet_id,
                          const char *filter, uint8_t qos);
int mqtt_encode_unsubscribe(uint8_t *buf, size_t cap, uint16_t packet_id, const char *filter);
/* PUBACK, PUBREC, PUBREL, PUBCOMP: type + packet id. */
int mqtt_encode_ack(uint8_t *buf, size_t cap, enum mqtt_type type, uint16_t packet_id);
/* PINGREQ, DISCONNECT: two bytes. */
int mqtt_encode_simple(uint8_t *buf, size_t cap, enum mqtt_type type);

/* Topic name for PUBLISH: 1..65535 bytes of UTF-8, no '+', '#' or NUL. */
bool mqtt_topic_valid(const char *topic, size_t len);
/* Topic filter: '#' only as the whole last level, '+' only as a whole level. */
bool mqtt_filter_valid(const char *filter, size_t len);
/* Does topic match filter (MQTT 3.1.1 §4.7)? '$' topics need a '$' filter. */
bool mqtt_topic_matches(const char *filter, const char *topic, size_t topic_len);

/* A packet from the broker, decoded in place (pointers into the body). */
struct mqtt_packet {
    uint8_t type;
    uint8_t flags;
    uint16_t packet_id;
    bool session_present;        /* CONNACK */
    uint8_t return_code;         /* CONNACK */
    bool dup, retain;            /* PUBLISH */
    uint8_t qos;
    const char *topic;           /* not NUL-terminated */
    uint16_t topic_len;
    const uint8_t *payload;
    size_t payload_len;
    const uint8_t *granted;      /* SUBACK return codes */
    size_t granted_count;
};

/*
 * Decodes one packet a broker may send (CONNACK, PUBLISH, PUBACK, PUBREC,
 * PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP) from its first byte and
 * body. Flags, lengths, QoS, packet IDs, topic UTF-8 and return codes are
 * checked: ERR_BAD_FORMAT on any violation, ERR_NOT_SUPPORTED for packet
 * types a client never receives.
 */
int mqtt_decode(struct mqtt_packet *p, uint8_t first_byte, const uint8_t *body, size_t len);

/* ---- session ------------------------------------------------------------ */

#define MQTT_INFLIGHT_MAX 16

enum mqtt_state {
    MQTT_DISCONNECTED = 0,   /* before mqtt_connect(), or after a clean close */
    MQTT_CONNECTING,         /* CONNECT sent, waiting for CONNACK */
    MQTT_CONNECTED,
    MQTT_FAILED,             /* protocol error, refusal or timeout: close */
};

enum mqtt_event {
    MQTT_EV_CONNECTED,       /* value: 1 if the broker kept a session */
    MQTT_EV_REFUSED,         /* value: CONNACK return code 1..5 */
    MQTT_EV_PUBACK,          /* value: packet id of our QoS 1 PUBLISH */
    MQTT_EV_SUBACK,          /* value: packet id; granted QoS in .aux (0x80 failure) */
    MQTT_EV_UNSUBACK,        /* value: packet id */
    MQTT_EV_PINGRESP,
    MQTT_EV_CLOSED,          /* value: negative reason (ERR_TIMED_OUT...) */
};

struct mqtt_session;

struct mqtt_callbacks {
    /* Must take every byte (the glue buffers or blocks); <0 fails the session. */
    int (*write)(void *ctx, const uint8_t *data, size_t len);
    /* An application message. For QoS 1/2 it is acknowledged after this
     * returns; it may be delivered again (DUP) if that ack is lost. */
    void (*message)(void *ctx, const char *topic, size_t topic_len,
                    const uint8_t *payload, size_t len, uint8_t qos, bool retain);
    void (*event)(void *ctx, enum mqtt_event ev, int value, int aux);
};

struct mqtt_config {
    struct mqtt_connect_opts connect;
    uint32_t retry_ms;           /* resend unacknowledged packets after this */
    uint32_t connect_timeout_ms; /* CONNACK deadline */
    uint32_t max_packet;         /* largest packet accepted from the broker */
};

/* Defaults: keepalive 60 s, clean session, retry 5 s, CONNACK in 10 s,
 * packets up to 64 KiB. */
void mqtt_config_default(struct mqtt_config *cfg, const char *client_id);

struct mqtt_inflight {
    bool used;
    uint8_t type;                /* MQTT_PUBLISH, MQTT_SUBSCRIBE, MQTT_UNSUBSCRIBE */
    uint16_t packet_id;
    uint64_t sent_ms;
    uint8_t *bytes;              /* the encoded packet (malloc), for resending */
    size_t len;
};

struct mqtt_session {
    struct mqtt_config cfg;
    struct mqtt_callbacks cb;
    void *ctx;
    enum mqtt_state state;
    int error;                   /* why it failed */
    uint16_t next_id;
    bool ping_outstanding;
    uint64_t last_tx_ms, last_rx_ms, ping_sent_ms, connect_sent_ms;
    unsigned long retransmissions;   /* statistics */
    struct mqtt_inflight inflight[MQTT_INFLIGHT_MAX];
    /* incoming packet being assembled */
    uint8_t *rx;
    size_t rx_len, rx_cap;
};

/* cfg strings must outlive the session. */
void mqtt_init(struct mqtt_session *s, const struct mqtt_config *cfg,
               const struct mqtt_callbacks *cb, void *ctx);
/* Frees buffers and in-flight copies. */
void mqtt_free(struct mqtt_session *s);

/* Sends CONNECT on a fresh transport. With clean_session = false the
 * in-flight packets of an earlier connection are resent (DUP) once the
 * broker accepts. Returns 0 or a negative code. */
int mqtt_connect(struct mqtt_session *s, uint64_t now_ms);

/* Bytes from the broker. Returns 0, or a negative code when the session
 * failed (protocol error, refusal): close the transport. */
int mqtt_feed(struct mqtt_session *s, const uint8_t *data, size_t len, uint64_t now_ms);

/* Returns the packet id (QoS 1) or 0 (QoS 0), ERR_BAD_STATE if not
 * connected, ERR_NO_SPACE if MQTT_INFLIGHT_MAX packets await acks,
 * ERR_INVALID_ARGS (topic, QoS 2 is not offered), ERR_NO_MEMORY. */
int mqtt_publish(struct mqtt_session *s, const char *topic, const void *payload,
                 size_t len, uint8_t qos, bool retain, uint64_t now_ms);
/* Returns the packet id; the SUBACK event reports the granted QoS. */
int mqtt_subscribe(struct mqtt_session *s, const char *filter, uint8_t qos, uint64_t now_ms);
int mqtt_unsubscribe(struct mqtt_session *s, const char *filter, uint64_t now_ms);

/* Timers: PINGREQ after keepalive of silence in either direction (so a
 * dead broker is noticed even while we keep publishing), ERR_TIMED_OUT when
 * a ping or the CONNACK goes unanswered, resends with DUP. Returns 0 or the reason
 * the session failed. */
int mqtt_tick(struct mqtt_session *s, uint64_t now_ms);
/* When mqtt_tick() next has something to do (UINT64_MAX: nothing). */
uint64_t mqtt_next_deadline(const struct mqtt_session *s);

/* Sends DISCONNECT; the session becomes MQTT_DISCONNECTED (in-flight
 * packets are kept for a later clean_session = false connect). */
int mqtt_disconnect(struct mqtt_session *s);
/* The transport broke: same as above without sending anything. */
void mqtt_connection_lost(struct mqtt_session *s);

/* Number of packets waiting for an acknowledgement. */
int mqtt_inflight_count(const struct mqtt_session *s);

#endif
