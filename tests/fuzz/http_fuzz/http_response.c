/*
 * Fuzz target http_response: the client-side response parser, split
 * anywhere, must agree with itself unsplit, including at end of stream.
 */
#include "http_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct http_parser p1, p2;
    struct http_limits lim = { .max_line = 200, .max_head = 1024, .max_headers = 8,
                               .max_body = 1 << 20 };
    struct summary a, b;

    if (size < 1)
        return 0;
    bool head = data[0] & 0x80;
    size_t cut = (data[0] & 0x7f) % size;
    data++, size--;
    if (cut > size)
        cut = size;

    http_parser_init(&p1, HTTP_PARSE_RESPONSE, &lim);
    http_parser_init(&p2, HTTP_PARSE_RESPONSE, &lim);
    http_parser_expect_head(&p1, head);
    http_parser_expect_head(&p2, head);
    run_split(&p1, data, size, size, &a);
    run_split(&p2, data, size, cut, &b);
    compare(&a, &b);
    struct http_event e1, e2;
    if (http_parser_finish(&p1, &e1) != http_parser_finish(&p2, &e2) || e1.kind != e2.kind)
        __builtin_trap();
    return 0;
}
