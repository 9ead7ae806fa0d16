/*
 * Host MQTT client for tests/proto/test_proto_mqtt.py: lib/mqtt's session over a
 * real TCP socket to a broker on 127.0.0.1. Host-only.
 *
 *   mqtt_client -p PORT [-i ID] [-k KEEPALIVE_S] [-s FILTER QOS]...
 *               [-P TOPIC MESSAGE QOS RETAIN]... [-u FILTER]... [-n MESSAGES]
 *               [-w PINGS] [-t TIMEOUT_MS]
 *
 * Connects, subscribes to every -s filter, prints "ready", publishes every
 * -P message, unsubscribes from every -u filter, then runs until it has
 * received -n messages, every QoS 1 publish and unsubscribe is acknowledged
 * and -w PINGRESPs were seen. Prints one line per
 * event ("connected 0", "suback 1 1", "puback 2", "message TOPIC QOS RETAIN
 * PAYLOAD", "pingresp"), disconnects and exits 0; exits 1 on timeout or
 * failure.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mqtt/mqtt.h"
#include "pus/err.h"

#define MAX_ITEMS 16

static int fd = -1;
static int subs_pending, pubs_pending, unsubs_pending, messages, pings;
static bool connected;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int sock_write(void *ctx, const uint8_t *d, size_t n)
{
    while (n) {
        ssize_t w = send(fd, d, n, MSG_NOSIGNAL);
        if (w <= 0)
            return ERR_CONN_RESET;
        d += w;
        n -= (size_t)w;
    }
    return 0;
}

static void on_message(void *ctx, const char *topic, size_t tlen, const uint8_t *payload,
                       size_t len, uint8_t qos, bool retain)
{
    printf("message %.*s %d %d %.*s\n", (int)tlen, topic, qos, retain, (int)len,
           (const char *)payload);
    fflush(stdout);
    messages++;
}

static void on_event(void *ctx, enum mqtt_event ev, int value, int aux)
{
    switch (ev) {
    case MQTT_EV_CONNECTED: printf("connected %d\n", value); connected = true; break;
    case MQTT_EV_REFUSED: printf("refused %d\n", value); break;
    case MQTT_EV_PUBACK: printf("puback %d\n", value); pubs_pending--; break;
    case MQTT_EV_SUBACK: printf("suback %d %d\n", value, aux); subs_pending--; break;
    case MQTT_EV_UNSUBACK: printf("unsuback %d\n", value); unsubs_pending--; break;
    case MQTT_EV_PINGRESP: printf("pingresp\n"); pings++; break;
    case MQTT_EV_CLOSED: printf("closed %s\n", err_str(value)); break;
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int port = 0, want_messages = 0, want_pings = 0, nsubs = 0, npubs = 0;
    uint64_t timeout = 10000;
    const char *id = "pusos-test";
    int keepalive = 60;
    const char *sub_filter[MAX_ITEMS], *pub_topic[MAX_ITEMS], *pub_msg[MAX_ITEMS];
    const char *unsub_filter[MAX_ITEMS];
    int nunsubs = 0;
    int sub_qos[MAX_ITEMS], pub_qos[MAX_ITEMS], pub_retain[MAX_ITEMS];

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-p") && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-i") && i + 1 < argc)
            id = argv[++i];
        else if (!strcmp(argv[i], "-k") && i + 1 < argc)
            keepalive = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            want_messages = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-w") && i + 1 < argc)
            want_pings = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-t") && i + 1 < argc)
            timeout = (uint64_t)atoll(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 2 < argc && nsubs < MAX_ITEMS) {
            sub_filter[nsubs] = argv[++i];
            sub_qos[nsubs++] = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-P") && i + 4 < argc && npubs < MAX_ITEMS) {
            pub_topic[npubs] = argv[++i];
            pub_msg[npubs] = argv[++i];
            pub_qos[npubs] = atoi(argv[++i]);
            pub_retain[npubs++] = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-u") && i + 1 < argc && nunsubs < MAX_ITEMS) {
            unsub_filter[nunsubs++] = argv[++i];
        } else {
            fprintf(stderr, "mqtt_client: bad argument %s\n", argv[i]);
            return 2;
        }
    }

    fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("mqtt_client: connect");
        return 1;
    }

    struct mqtt_session s;
    struct mqtt_config cfg;
    struct mqtt_callbacks cb = { sock_write, on_message, on_event };
    mqtt_config_default(&cfg, id);
    cfg.connect.keepalive_s = (uint16_t)keepalive;
    mqtt_init(&s, &cfg, &cb, NULL);

    uint64_t start = now_ms(), end = start + timeout;
    int rc = mqtt_connect(&s, start);
    bool subscribed = false, published = false;
    while (rc == 0) {
        uint64_t now = now_ms();
        if (now >= end) {
            printf("timeout\n");
            rc = ERR_TIMED_OUT;
            break;
        }
        if (connected && !subscribed) {
            for (int i = 0; i < nsubs && rc >= 0; i++, subs_pending++)
                rc = mqtt_subscribe(&s, sub_filter[i], (uint8_t)sub_qos[i], now);
            subscribed = true;
        }
        if (subscribed && subs_pending == 0 && !published) {
            printf("ready\n");
            fflush(stdout);
            for (int i = 0; i < npubs && rc >= 0; i++) {
                rc = mqtt_publish(&s, pub_topic[i], pub_msg[i], strlen(pub_msg[i]),
                                  (uint8_t)pub_qos[i], pub_retain[i], now);
                if (pub_qos[i])
                    pubs_pending++;
            }
            for (int i = 0; i < nunsubs && rc >= 0; i++, unsubs_pending++)
                rc = mqtt_unsubscribe(&s, unsub_filter[i], now);
            published = true;
        }
        if (rc < 0)
            break;
        if (published && pubs_pending == 0 && unsubs_pending == 0 && messages >= want_messages &&
            pings >= want_pings)
            break;
        uint64_t deadline = mqtt_next_deadline(&s);
        if (deadline > end)
            deadline = end;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int wait = deadline > now ? (int)(deadline - now) : 0;
        if (poll(&pfd, 1, wait) > 0) {
            uint8_t buf[2048];
            ssize_t n = recv(fd, buf, sizeof(buf), 0);
            if (n <= 0) {
                printf("broker closed\n");
                rc = ERR_CLOSED;
                break;
            }
            rc = mqtt_feed(&s, buf, (size_t)n, now_ms());
        }
        if (rc == 0)
            rc = mqtt_tick(&s, now_ms());
    }
    if (rc == 0)
        mqtt_disconnect(&s);
    printf("done %s\n", err_str(rc < 0 ? rc : 0));
    mqtt_free(&s);
    close(fd);
    return rc < 0 ? 1 : 0;
}
