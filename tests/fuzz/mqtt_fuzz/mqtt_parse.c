/*
 * Fuzz target mqtt_parse: arbitrary broker bytes fed to a connected client
 * session (split at a point chosen by the first byte), with timers and
 * publishes interleaved; plus the packet decoder on the raw input. The
 * session must fail cleanly or carry on, never misbehave.
 */
#include <string.h>

#include "mqtt/mqtt.h"
#include "pus/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t written;

static int sink(void *ctx, const uint8_t *d, size_t n)
{
    written += n;
    return 0;
}

static void on_message(void *ctx, const char *topic, size_t tlen, const uint8_t *payload,
                       size_t len, uint8_t qos, bool retain)
{
    if (!mqtt_topic_valid(topic, tlen) || qos > 2)
        __builtin_trap();
    volatile uint8_t x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= payload[i];
    (void)x;
}

static void on_event(void *ctx, enum mqtt_event ev, int value, int aux)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cut = data[0] % size;
    bool connack_first = data[0] & 0x80;
    data++, size--;
    if (cut > size)
        cut = size;

    struct mqtt_packet p;
    uint32_t len;
    int hl = size > 1 ? mqtt_get_length(data + 1, size - 1, &len) : 0;
    if (hl > 0 && 1 + (size_t)hl + len <= size)
        mqtt_decode(&p, data[0], data + 1 + hl, len);

    struct mqtt_session s;
    struct mqtt_config cfg;
    struct mqtt_callbacks cb = { sink, on_message, on_event };
    mqtt_config_default(&cfg, "fuzz");
    cfg.max_packet = 1024;
    cfg.connect.keepalive_s = 1;
    cfg.retry_ms = 10;
    mqtt_init(&s, &cfg, &cb, NULL);
    mqtt_connect(&s, 0);
    if (connack_first)
        mqtt_feed(&s, (const uint8_t *)"\x20\x02\x00\x00", 4, 0);
    mqtt_subscribe(&s, "a/+", 1, 0);
    mqtt_publish(&s, "a/b", "x", 1, 1, false, 0);
    mqtt_feed(&s, data, cut, 5);
    mqtt_tick(&s, 20);
    mqtt_publish(&s, "a/c", "y", 1, 1, false, 20);
    mqtt_feed(&s, data + cut, size - cut, 30);
    mqtt_tick(&s, 3000);
    if (s.state == MQTT_CONNECTED && mqtt_inflight_count(&s) > MQTT_INFLIGHT_MAX)
        __builtin_trap();
    mqtt_disconnect(&s);
    mqtt_free(&s);
    return 0;
}
