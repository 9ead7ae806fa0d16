/* lib/mqtt tests: exact packet bytes, remaining-length limits, topic rules,
 * hostile broker packets, and the session state machine against a scripted
 * broker (this test plays the broker). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mqtt/mqtt.h"
#include "pus/err.h"

/* ---- codec ---- */

static void remaining_length(void **state)
{
    static const struct { uint32_t v; int n; uint8_t b[4]; } cases[] = {
        { 0, 1, { 0 } }, { 127, 1, { 0x7f } }, { 128, 2, { 0x80, 0x01 } },
        { 16383, 2, { 0xff, 0x7f } }, { 16384, 3, { 0x80, 0x80, 0x01 } },
        { 2097151, 3, { 0xff, 0xff, 0x7f } }, { 2097152, 4, { 0x80, 0x80, 0x80, 0x01 } },
        { 268435455, 4, { 0xff, 0xff, 0xff, 0x7f } },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t b[4];
        uint32_t v;
        assert_int_equal(mqtt_put_length(b, cases[i].v), cases[i].n);
        assert_memory_equal(b, cases[i].b, (size_t)cases[i].n);
        assert_int_equal(mqtt_get_length(b, (size_t)cases[i].n, &v), cases[i].n);
        assert_int_equal(v, cases[i].v);
        assert_int_equal(mqtt_get_length(b, (size_t)cases[i].n - 1, &v), 0);  /* need more */
    }
    uint8_t b[5] = { 0xff, 0xff, 0xff, 0xff, 0x01 };
    uint32_t v;
    assert_int_equal(mqtt_put_length(b, 268435456), ERR_TOO_BIG);
    assert_int_equal(mqtt_get_length(b, 5, &v), ERR_BAD_FORMAT);
}

static void connect_bytes(void **state)
{
    uint8_t buf[128];
    struct mqtt_connect_opts o = { .client_id = "pus", .keepalive_s = 60, .clean_session = true };
    static const uint8_t plain[] = { 0x10, 15, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60,
                                     0, 3, 'p', 'u', 's' };
    assert_int_equal(mqtt_encode_connect(buf, sizeof(buf), &o), sizeof(plain));
    assert_memory_equal(buf, plain, sizeof(plain));

    struct mqtt_will w = { "dead/pus", "bye", 3, 1, true };
    o.will = &w;
    o.username = "u";
    o.password = "pw";
    o.clean_session = false;
    static const uint8_t full[] = { 0x10, 37, 0, 4, 'M', 'Q', 'T', 'T', 4,
                                    0x80 | 0x40 | 0x20 | 0x08 | 0x04, 0, 60,
                                    0, 3, 'p', 'u', 's', 0, 8, 'd', 'e', 'a', 'd', '/', 'p', 'u',
                                    's', 0, 3, 'b', 'y', 'e', 0, 1, 'u', 0, 2, 'p', 'w' };
    assert_int_equal(mqtt_encode_connect(buf, sizeof(buf), &o), sizeof(full));
    assert_memory_equal(buf, full, sizeof(full));
    for (size_t cap = 0; cap < sizeof(full); cap++)
        assert_int_equal(mqtt_encode_connect(buf, cap, &o), ERR_TOO_BIG);

    o.username = NULL;                       /* password needs a username */
    assert_int_equal(mqtt_encode_connect(buf, sizeof(buf), &o), ERR_INVALID_ARGS);
    o.password = NULL;
    o.client_id = "";                        /* empty id needs a clean session */
    assert_int_equal(mqtt_encode_connect(buf, sizeof(buf), &o), ERR_INVALID_ARGS);
    w.topic = "dead/#";
    o.client_id = "x";
    assert_int_equal(mqtt_encode_connect(buf, sizeof(buf), &o), ERR_INVALID_ARGS);
}

static void other_packet_bytes(void **state)
{
    uint8_t buf[64];
    static const uint8_t pub[] = { 0x3b, 9, 0, 3, 'a', '/', 'b', 0x12, 0x34, 'h', 'i' };
    assert_int_equal(mqtt_encode_publish(buf, sizeof(buf), "a/b", "hi", 2, 1, true, true, 0x1234),
                     sizeof(pub));
    assert_memory_equal(buf, pub, sizeof(pub));
    static const uint8_t pub0[] = { 0x30, 5, 0, 1, 't', 'x', 'y' };
    assert_int_equal(mqtt_encode_publish(buf, sizeof(buf), "t", "xy", 2, 0, false, false, 0),
                     sizeof(pub0));
    assert_memory_equal(buf, pub0, sizeof(pub0));
    assert_int_equal(mqtt_encode_publish(buf, sizeof(buf), "t", "", 0, 0, false, true, 0),
                     ERR_INVALID_ARGS);      /* DUP on QoS 0 */
    assert_int_equal(mqtt_encode_publish(buf, sizeof(buf), "t", "", 0, 1, false, false, 0),
                     ERR_INVALID_ARGS);      /* QoS 1 needs an id */
    assert_int_equal(mqtt_encode_publish(buf, sizeof(buf), "t/+", "", 0, 0, false, false, 0),
                     ERR_INVALID_ARGS);

    static const uint8_t sub[] = { 0x82, 8, 0, 7, 0, 3, 'a', '/', '#', 1 };
    assert_int_equal(mqtt_encode_subscribe(buf, sizeof(buf), 7, "a/#", 1), sizeof(sub));
    assert_memory_equal(buf, sub, sizeof(sub));
    static const uint8_t unsub[] = { 0xa2, 7, 0, 8, 0, 3, 'a', '/', '#' };
    assert_int_equal(mqtt_encode_unsubscribe(buf, sizeof(buf), 8, "a/#"), sizeof(unsub));
    assert_memory_equal(buf, unsub, sizeof(unsub));

    assert_int_equal(mqtt_encode_ack(buf, sizeof(buf), MQTT_PUBREL, 0x0102), 4);
    assert_memory_equal(buf, "\x62\x02\x01\x02", 4);
    assert_int_equal(mqtt_encode_ack(buf, sizeof(buf), MQTT_PUBACK, 5), 4);
    assert_memory_equal(buf, "\x40\x02\x00\x05", 4);
    assert_int_equal(mqtt_encode_simple(buf, sizeof(buf), MQTT_PINGREQ), 2);
    assert_memory_equal(buf, "\xc0\x00", 2);
    assert_int_equal(mqtt_encode_simple(buf, sizeof(buf), MQTT_DISCONNECT), 2);
    assert_memory_equal(buf, "\xe0\x00", 2);
    assert_int_equal(mqtt_encode_simple(buf, sizeof(buf), MQTT_CONNECT), ERR_INVALID_ARGS);
}

static void topics(void **state)
{
    assert_true(mqtt_topic_valid("a/b", 3));
    assert_true(mqtt_topic_valid("/", 1));
    assert_false(mqtt_topic_valid("", 0));
    assert_false(mqtt_topic_valid("a/+", 3));
    assert_false(mqtt_topic_valid("a\0b", 3));
    assert_false(mqtt_topic_valid("\xc0\xaf", 2));
    assert_true(mqtt_filter_valid("#", 1));
    assert_true(mqtt_filter_valid("+/a/+/#", 7));
    assert_false(mqtt_filter_valid("a#", 2));
    assert_false(mqtt_filter_valid("a/#/b", 5));
    assert_false(mqtt_filter_valid("a+/b", 4));

    static const struct { const char *f, *t; bool m; } cases[] = {
        { "a/b", "a/b", true }, { "a/b", "a/c", false }, { "a/+", "a/b", true },
        { "a/+", "a/b/c", false }, { "a/#", "a/b/c", true }, { "a/#", "a", true },
        { "#", "a/b", true }, { "+/+", "/x", true }, { "+", "/x", false },
        { "#", "$SYS/x", false }, { "+/x", "$SYS/x", false }, { "$SYS/#", "$SYS/x", true },
        { "a/b", "a/b/", false }, { "a/+/c", "a//c", true }, { "a", "ab", false },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (mqtt_topic_matches(cases[i].f, cases[i].t, strlen(cases[i].t)) != cases[i].m)
            fail_msg("case %zu: %s vs %s", i, cases[i].f, cases[i].t);
}

static void hostile_decode(void **state)
{
    static const struct { uint8_t first; uint8_t body[16]; size_t len; int err; } cases[] = {
        { 0x20, { 0, 0 }, 2, 0 },
        { 0x21, { 0, 0 }, 2, ERR_BAD_FORMAT },           /* CONNACK flags */
        { 0x20, { 0 }, 1, ERR_BAD_FORMAT },
        { 0x20, { 2, 0 }, 2, ERR_BAD_FORMAT },           /* reserved ack flag */
        { 0x20, { 0, 6 }, 2, ERR_BAD_FORMAT },           /* return code 6 */
        { 0x20, { 1, 5 }, 2, ERR_BAD_FORMAT },           /* session present on refusal */
        { 0x36, { 0, 1, 't', 0, 1 }, 5, ERR_BAD_FORMAT },/* QoS 3 */
        { 0x38, { 0, 1, 't' }, 3, ERR_BAD_FORMAT },      /* DUP on QoS 0 */
        { 0x30, { 0, 9, 't' }, 3, ERR_BAD_FORMAT },      /* topic past the end */
        { 0x30, { 0, 1, '#' }, 3, ERR_BAD_FORMAT },      /* wildcard topic */
        { 0x30, { 0, 0 }, 2, ERR_BAD_FORMAT },           /* empty topic */
        { 0x30, { 0, 1, 0xff }, 3, ERR_BAD_FORMAT },     /* bad UTF-8 */
        { 0x32, { 0, 1, 't', 0, 0 }, 5, ERR_BAD_FORMAT },/* packet id 0 */
        { 0x32, { 0, 1, 't', 0 }, 4, ERR_BAD_FORMAT },   /* id cut */
        { 0x30, { 0, 1, 't' }, 3, 0 },                   /* empty payload is fine */
        { 0x40, { 0, 1 }, 2, 0 },
        { 0x41, { 0, 1 }, 2, ERR_BAD_FORMAT },
        { 0x40, { 0, 1, 2 }, 3, ERR_BAD_FORMAT },
        { 0x60, { 0, 1 }, 2, ERR_BAD_FORMAT },           /* PUBREL needs flags 2 */
        { 0x62, { 0, 1 }, 2, 0 },
        { 0x90, { 0, 1 }, 2, ERR_BAD_FORMAT },           /* SUBACK without codes */
        { 0x90, { 0, 1, 3 }, 3, ERR_BAD_FORMAT },
        { 0x90, { 0, 1, 0x80, 2 }, 4, 0 },
        { 0xd0, { 0 }, 1, ERR_BAD_FORMAT },
        { 0xd0, { 0 }, 0, 0 },
        { 0x10, { 0 }, 0, ERR_NOT_SUPPORTED },           /* CONNECT to a client */
        { 0xf0, { 0 }, 0, ERR_NOT_SUPPORTED },
        { 0x00, { 0 }, 0, ERR_NOT_SUPPORTED },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mqtt_packet p;
        uint8_t *body = malloc(cases[i].len + 1);   /* exact: ASan sees overreads */
        memcpy(body, cases[i].body, cases[i].len);
        int rc = mqtt_decode(&p, cases[i].first, body, cases[i].len);
        free(body);
        if (rc != cases[i].err)
            fail_msg("case %zu: %d, want %d", i, rc, cases[i].err);
    }
}

/* ---- session against a scripted broker ---- */

static uint8_t wire[8192];          /* what the client sent */
static size_t wire_len;
static int fail_writes;
static char events[1024];
static char messages[1024];

static int cap_write(void *ctx, const uint8_t *d, size_t n)
{
    if (fail_writes)
        return ERR_CONN_RESET;
    assert_true(wire_len + n <= sizeof(wire));
    memcpy(wire + wire_len, d, n);
    wire_len += n;
    return 0;
}

static void on_message(void *ctx, const char *topic, size_t tlen, const uint8_t *payload,
                       size_t len, uint8_t qos, bool retain)
{
    size_t o = strlen(messages);
    snprintf(messages + o, sizeof(messages) - o, "[%.*s=%.*s q%d r%d]", (int)tlen, topic,
             (int)len, (const char *)payload, qos, retain);
}

static void on_event(void *ctx, enum mqtt_event ev, int value, int aux)
{
    static const char *const names[] = { "connected", "refused", "puback", "suback",
                                         "unsuback", "pingresp", "closed" };
    size_t o = strlen(events);
    snprintf(events + o, sizeof(events) - o, "%s(%d,%d) ", names[ev], value, aux);
}

static struct mqtt_session sess;
static struct mqtt_config cfg;

static int setup(void **state)
{
    static const struct mqtt_callbacks cb = { cap_write, on_message, on_event };
    mqtt_config_default(&cfg, "node1");
    cfg.connect.keepalive_s = 10;
    cfg.retry_ms = 1000;
    cfg.max_packet = 256;
    mqtt_init(&sess, &cfg, &cb, NULL);
    wire_len = 0;
    fail_writes = 0;
    events[0] = messages[0] = 0;
    return 0;
}

static int teardown(void **state)
{
    mqtt_free(&sess);
    return 0;
}

/* Feeds broker bytes one at a time (the worst split). */
static int broker(const void *bytes, size_t len, uint64_t now)
{
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; i++)
        rc = mqtt_feed(&sess, (const uint8_t *)bytes + i, 1, now);
    return rc;
}

static void connect_now(void)
{
    assert_int_equal(mqtt_connect(&sess, 0), 0);
    assert_int_equal(sess.state, MQTT_CONNECTING);
    assert_int_equal(wire[0], 0x10);
    wire_len = 0;
    assert_int_equal(broker("\x20\x02\x00\x00", 4, 0), 0);
    assert_int_equal(sess.state, MQTT_CONNECTED);
}

static void session_flow(void **state)
{
    connect_now();
    assert_string_equal(events, "connected(0,0) ");

    int sid = mqtt_subscribe(&sess, "cmd/#", 1, 0);
    assert_int_equal(sid, 1);
    assert_memory_equal(wire, "\x82\x0a\x00\x01\x00\x05" "cmd/#" "\x01", 12);
    assert_int_equal(broker("\x90\x03\x00\x01\x01", 5, 0), 0);

    wire_len = 0;
    int pid = mqtt_publish(&sess, "t/x", "v1", 2, 1, false, 100);
    assert_int_equal(pid, 2);
    assert_int_equal(mqtt_inflight_count(&sess), 1);
    assert_memory_equal(wire, "\x32\x09\x00\x03t/x\x00\x02v1", 11);
    assert_int_equal(mqtt_publish(&sess, "t/y", "v0", 2, 0, true, 100), 0);
    assert_memory_equal(wire + 11, "\x31\x07\x00\x03t/yv0", 9);

    /* not yet due: nothing sent; due: the same bytes with DUP */
    wire_len = 0;
    assert_int_equal(mqtt_next_deadline(&sess), 1100);
    assert_int_equal(mqtt_tick(&sess, 1099), 0);
    assert_int_equal(wire_len, 0);
    assert_int_equal(mqtt_tick(&sess, 1100), 0);
    assert_int_equal(wire_len, 11);
    assert_memory_equal(wire, "\x3a\x09\x00\x03t/x\x00\x02v1", 11);
    assert_int_equal(sess.retransmissions, 1);

    assert_int_equal(broker("\x40\x02\x00\x02", 4, 1200), 0);
    assert_int_equal(mqtt_inflight_count(&sess), 0);
    assert_int_equal(broker("\x40\x02\x00\x02", 4, 1200), 0);   /* late duplicate: ignored */

    /* incoming QoS 0, 1 and 2, two of them in one read */
    wire_len = 0;
    static const uint8_t two[] = { 0x30, 0x06, 0, 3, 'c', '/', 'a', 'A',
                                   0x33, 0x08, 0, 3, 'c', '/', 'b', 0x00, 0x09, 'B' };
    assert_int_equal(mqtt_feed(&sess, two, sizeof(two), 1300), 0);
    assert_memory_equal(wire, "\x40\x02\x00\x09", 4);             /* PUBACK 9 */
    assert_int_equal(broker("\x34\x08\x00\x03" "c/c" "\x00\x0a" "C", 10, 1300), 0);
    assert_memory_equal(wire + 4, "\x50\x02\x00\x0a", 4);         /* PUBREC 10 */
    assert_int_equal(broker("\x62\x02\x00\x0a", 4, 1300), 0);
    assert_memory_equal(wire + 8, "\x70\x02\x00\x0a", 4);         /* PUBCOMP 10 */
    assert_string_equal(messages, "[c/a=A q0 r0][c/b=B q1 r1][c/c=C q2 r0]");

    int uid = mqtt_unsubscribe(&sess, "cmd/#", 1400);
    assert_int_equal(broker("\xb0\x02\x00\x03", 4, 1400), 0);
    assert_int_equal(uid, 3);
    assert_string_equal(events, "connected(0,0) suback(1,1) puback(2,0) unsuback(3,0) ");

    wire_len = 0;
    assert_int_equal(mqtt_disconnect(&sess), 0);
    assert_memory_equal(wire, "\xe0\x00", 2);
    assert_int_equal(sess.state, MQTT_DISCONNECTED);
    assert_int_equal(mqtt_publish(&sess, "t", "x", 1, 0, false, 0), ERR_BAD_STATE);
}

static void keepalive(void **state)
{
    connect_now();
    wire_len = 0;
    assert_int_equal(mqtt_next_deadline(&sess), 10000);
    assert_int_equal(mqtt_tick(&sess, 9999), 0);
    assert_int_equal(wire_len, 0);
    assert_int_equal(mqtt_tick(&sess, 10000), 0);
    assert_memory_equal(wire, "\xc0\x00", 2);
    assert_int_equal(mqtt_tick(&sess, 15000), 0);
    assert_int_equal(wire_len, 2);                     /* one ping at a time */
    assert_int_equal(broker("\xd0\x00", 2, 15000), 0);
    /* traffic both ways resets the idle timer */
    assert_int_equal(mqtt_publish(&sess, "t", "x", 1, 0, false, 18000), 0);
    assert_int_equal(broker("\x30\x03\x00\x01t", 5, 18000), 0);
    assert_int_equal(mqtt_next_deadline(&sess), 28000);
    assert_int_equal(mqtt_tick(&sess, 28000), 0);      /* ping 2 */
    assert_int_equal(mqtt_tick(&sess, 37999), 0);
    assert_int_equal(mqtt_tick(&sess, 38000), ERR_TIMED_OUT);   /* no PINGRESP */
    assert_int_equal(sess.state, MQTT_FAILED);
    assert_string_equal(events, "connected(0,0) pingresp(0,0) closed(-6,0) ");
    assert_int_equal(mqtt_feed(&sess, (const uint8_t *)"\xd0\x00", 2, 0), ERR_TIMED_OUT);
}

static void silent_broker_detected_while_publishing(void **state)
{
    connect_now();
    /* we publish every 3 s, the broker never answers: still pinged */
    uint64_t failed_at = 0;
    int pings = 0;
    for (uint64_t t = 3000; t <= 40000 && !failed_at; t += 3000) {
        wire_len = 0;
        mqtt_publish(&sess, "t", "x", 1, 0, false, t);   /* 6 bytes */
        if (mqtt_tick(&sess, t) == ERR_TIMED_OUT)
            failed_at = t;
        pings += wire_len == 8 && memcmp(wire + 6, "\xc0\x00", 2) == 0;
    }
    assert_int_equal(pings, 1);
    assert_int_equal(sess.state, MQTT_FAILED);
    assert_int_equal(failed_at, 24000);   /* pinged at 12 s, no answer by 22 s */
}

static void connect_failures(void **state)
{
    assert_int_equal(mqtt_connect(&sess, 0), 0);
    assert_int_equal(mqtt_connect(&sess, 0), ERR_BAD_STATE);
    assert_int_equal(mqtt_tick(&sess, 9999), 0);
    assert_int_equal(mqtt_tick(&sess, 10000), ERR_TIMED_OUT);

    /* refused: not authorised */
    sess.state = MQTT_DISCONNECTED;
    events[0] = 0;
    assert_int_equal(mqtt_connect(&sess, 0), 0);
    assert_int_equal(broker("\x20\x02\x00\x05", 4, 0), ERR_AUTH);
    assert_string_equal(events, "refused(5,0) closed(-32,0) ");

    /* anything before CONNACK is a protocol error */
    sess.state = MQTT_DISCONNECTED;
    assert_int_equal(mqtt_connect(&sess, 0), 0);
    assert_int_equal(broker("\xd0\x00", 2, 0), ERR_BAD_FORMAT);

    /* a second CONNACK too */
    sess.state = MQTT_DISCONNECTED;
    connect_now();
    assert_int_equal(broker("\x20\x02\x00\x00", 4, 0), ERR_BAD_FORMAT);

    /* a packet over max_packet is refused from its header */
    sess.state = MQTT_DISCONNECTED;
    connect_now();
    assert_int_equal(broker("\x30\x81\x02", 3, 0), ERR_TOO_BIG);   /* 257 > 256 */

    /* a five-byte length */
    sess.state = MQTT_DISCONNECTED;
    connect_now();
    assert_int_equal(broker("\x30\xff\xff\xff\xff\x01", 6, 0), ERR_BAD_FORMAT);

    /* the transport failing on write */
    sess.state = MQTT_DISCONNECTED;
    connect_now();
    fail_writes = 1;
    assert_int_equal(mqtt_publish(&sess, "t", "x", 1, 0, false, 0), ERR_CONN_RESET);
    assert_int_equal(sess.state, MQTT_FAILED);
}

static void inflight_limit_and_ids(void **state)
{
    connect_now();
    for (int i = 0; i < MQTT_INFLIGHT_MAX; i++)
        assert_int_equal(mqtt_publish(&sess, "t", "x", 1, 1, false, 0), i + 1);
    assert_int_equal(mqtt_publish(&sess, "t", "x", 1, 1, false, 0), ERR_NO_SPACE);
    assert_int_equal(mqtt_subscribe(&sess, "t", 0, 0), ERR_NO_SPACE);
    assert_int_equal(mqtt_publish(&sess, "t", "x", 1, 0, false, 0), 0);   /* QoS 0 still goes */
    assert_int_equal(mqtt_publish(&sess, "t", "x", 1, 2, false, 0), ERR_INVALID_ARGS);
    assert_int_equal(mqtt_subscribe(&sess, "a/#/b", 0, 0), ERR_INVALID_ARGS);
    /* ack id 5; the next id skips ids still in use after wrapping */
    assert_int_equal(broker("\x40\x02\x00\x05", 4, 0), 0);
    sess.next_id = 65535;
    assert_int_equal(mqtt_publish(&sess, "t", "x", 1, 1, false, 0), 65535);
    assert_int_equal(broker("\x40\x02\xff\xff", 4, 0), 0);
    assert_int_equal(mqtt_publish(&sess, "t", "x", 1, 1, false, 0), 5);
}

static void resume_resends_with_dup(void **state)
{
    cfg.connect.clean_session = false;
    sess.cfg.connect.clean_session = false;
    connect_now();
    assert_int_equal(mqtt_publish(&sess, "t/q", "keep", 4, 1, false, 0), 1);
    mqtt_connection_lost(&sess);
    assert_int_equal(mqtt_inflight_count(&sess), 1);

    wire_len = 0;
    assert_int_equal(mqtt_connect(&sess, 5000), 0);
    assert_int_equal(wire[0], 0x10);
    assert_int_equal(wire[9], 0x00);                   /* clean session flag off */
    size_t connect_len = wire_len;
    assert_int_equal(broker("\x20\x02\x01\x00", 4, 5000), 0);   /* session present */
    assert_int_equal(wire_len, connect_len + 13);
    assert_memory_equal(wire + connect_len, "\x3a\x0b\x00\x03t/q\x00\x01keep", 13);

    /* a clean reconnect forgets what was pending */
    mqtt_connection_lost(&sess);
    sess.cfg.connect.clean_session = true;
    assert_int_equal(mqtt_connect(&sess, 6000), 0);
    assert_int_equal(mqtt_inflight_count(&sess), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(remaining_length),
        cmocka_unit_test(connect_bytes),
        cmocka_unit_test(other_packet_bytes),
        cmocka_unit_test(topics),
        cmocka_unit_test(hostile_decode),
        cmocka_unit_test_setup_teardown(session_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(keepalive, setup, teardown),
        cmocka_unit_test_setup_teardown(silent_broker_detected_while_publishing, setup, teardown),
        cmocka_unit_test_setup_teardown(connect_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(inflight_limit_and_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(resume_resends_with_dup, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
