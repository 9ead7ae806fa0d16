/*
 * Fuzz target coap_parse: a datagram that parses re-encodes to bytes that
 * parse to the same message; and the server handles any datagram without
 * harm, always replying with something that parses.
 */
#include <string.h>

#include "coap/coap.h"
#include "pus/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int h_echo(const struct coap_msg *req, struct coap_reply *r, void *arg)
{
    char q[16], path[64];
    coap_uri_query(req, "q", q, sizeof(q));
    coap_uri_path(req, path, sizeof(path));
    coap_content_format(req);
    if (req->payload_len > 2000)
        return ERR_TOO_BIG;
    /* echo the payload twice so that large ones go block-wise */
    uint8_t buf[4096];
    if (req->payload_len) {
        memcpy(buf, req->payload, req->payload_len);
        memcpy(buf + req->payload_len, req->payload, req->payload_len);
    }
    return coap_reply_set(r, COAP_CONTENT, COAP_FMT_OCTETS, buf, 2 * req->payload_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct coap_server srv;
    static bool ready;
    struct coap_msg m, again;
    uint8_t buf[2048];

    if (coap_parse(&m, data, size) == 0) {
        int n = coap_encode(&m, buf, sizeof(buf));
        if (n < 0 && size <= sizeof(buf))
            __builtin_trap();
        if (n > 0) {
            if (coap_parse(&again, buf, (size_t)n) != 0 || again.option_count != m.option_count ||
                again.payload_len != m.payload_len || again.code != m.code ||
                again.mid != m.mid || again.token_len != m.token_len ||
                memcmp(again.token, m.token, m.token_len) != 0)
                __builtin_trap();
            for (int i = 0; i < m.option_count; i++)
                if (again.options[i].number != m.options[i].number ||
                    again.options[i].len != m.options[i].len ||
                    memcmp(again.options[i].value, m.options[i].value, m.options[i].len))
                    __builtin_trap();
        }
        struct coap_block b;
        const struct coap_option *o = coap_find(&m, COAP_OPT_BLOCK2, 0);
        if (o)
            coap_block_decode(o, &b);
    }

    if (!ready) {
        coap_server_init(&srv, 1);
        coap_server_add(&srv, "/e", COAP_M_GET | COAP_M_POST | COAP_M_PUT, h_echo, NULL);
        ready = true;
    }
    uint8_t out[COAP_DATAGRAM_MAX];
    int r = coap_server_handle(&srv, "peer", 4, size, data, size, out, sizeof(out));
    if (r > 0 && coap_parse(&again, out, (size_t)r) != 0)
        __builtin_trap();
    return 0;
}
