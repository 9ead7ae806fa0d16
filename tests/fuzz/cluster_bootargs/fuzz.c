/* Fuzzes the node bootargs parser: any bytes, never a crash, and a parsed
 * line always has the required keys in range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/bootargs.h"
#include "pus/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A heap copy of exactly size bytes, so ASan sees any overread. */
    char *line = malloc(size ? size : 1);
    memcpy(line, data, size);
    struct cluster_bootargs a;
    int err = cluster_bootargs_parse(line, size, &a);
    if (err == 0) {
        if (a.node == 0 || a.node > CLUSTER_NODE_MAX || a.prefix == 0 || a.prefix > 32 ||
            a.key_len < HB_KEY_MIN || a.key_len > HB_KEY_MAX || a.hb_ms < 10 ||
            a.controller_port == 0 || a.api_port == 0)
            abort();
    } else if (err != ERR_BAD_FORMAT && err != ERR_RANGE && err != ERR_NOT_FOUND) {
        abort();
    }
    free(line);
    return 0;
}
