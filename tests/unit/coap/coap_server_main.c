/*
 * Host test server for tests/proto/test_proto_coap.py: lib/coap's server over a
 * real UDP socket on 127.0.0.1, for libcoap's coap-client. Host-only.
 *
 * Prints "port N" once bound, then serves until killed. Resources:
 *   GET      /hello   "hello from pusos"
 *   GET,PUT  /store   last value PUT (text)
 *   GET      /big     3000 bytes "0123456789..." (sent block-wise)
 *   GET      /count   how many requests the handlers have run
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "coap/coap.h"
#include "pus/err.h"

static struct coap_server srv;
static char stored[256] = "empty";
static int runs;

static int h_hello(const struct coap_msg *req, struct coap_reply *r, void *arg)
{
    runs++;
    return coap_reply_set(r, COAP_CONTENT, COAP_FMT_TEXT, "hello from pusos", 16);
}

static int h_store(const struct coap_msg *req, struct coap_reply *r, void *arg)
{
    runs++;
    if (req->code == COAP_PUT) {
        if (req->payload_len >= sizeof(stored))
            return coap_reply_set(r, COAP_REQUEST_TOO_LARGE, -1, NULL, 0);
        memcpy(stored, req->payload, req->payload_len);
        stored[req->payload_len] = 0;
        return coap_reply_set(r, COAP_CHANGED, -1, NULL, 0);
    }
    return coap_reply_set(r, COAP_CONTENT, COAP_FMT_TEXT, stored, strlen(stored));
}

static int h_big(const struct coap_msg *req, struct coap_reply *r, void *arg)
{
    char big[3000];
    runs++;
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('0' + i % 10);
    return coap_reply_set(r, COAP_CONTENT, COAP_FMT_TEXT, big, sizeof(big));
}

static int h_count(const struct coap_msg *req, struct coap_reply *r, void *arg)
{
    char text[32];
    int n = snprintf(text, sizeof(text), "%d", ++runs);
    return coap_reply_set(r, COAP_CONTENT, COAP_FMT_TEXT, text, (size_t)n);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main(void)
{
    coap_server_init(&srv, (uint16_t)now_ms());
    coap_server_add(&srv, "/hello", COAP_M_GET, h_hello, NULL);
    coap_server_add(&srv, "/store", COAP_M_GET | COAP_M_PUT, h_store, NULL);
    coap_server_add(&srv, "/big", COAP_M_GET, h_big, NULL);
    coap_server_add(&srv, "/count", COAP_M_GET, h_count, NULL);

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
        perror("coap_server: bind");
        return 1;
    }
    printf("port %d\n", ntohs(a.sin_port));
    fflush(stdout);

    for (;;) {
        uint8_t in[1500], out[COAP_DATAGRAM_MAX];
        struct sockaddr_in peer;
        socklen_t plen = sizeof(peer);
        ssize_t n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&peer, &plen);
        if (n < 0)
            continue;
        /* the peer's identity for the dedup cache: address and port */
        uint8_t id[6];
        memcpy(id, &peer.sin_addr, 4);
        memcpy(id + 4, &peer.sin_port, 2);
        int r = coap_server_handle(&srv, id, sizeof(id), now_ms(), in, (size_t)n, out, sizeof(out));
        if (r > 0)
            sendto(fd, out, (size_t)r, 0, (struct sockaddr *)&peer, plen);
        else if (r < 0)
            fprintf(stderr, "coap_server: %s\n", err_str(r));
    }
}
