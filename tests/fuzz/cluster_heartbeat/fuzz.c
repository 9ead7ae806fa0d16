/*
 * Fuzzes the heartbeat decoder and the replay filter.
 *
 * The tag shields the body parser from forged input, so random bytes alone
 * would never get past hb_decode's HMAC check. The first input byte picks a
 * mode: odd = decode the rest as it is (exercises the header checks and the
 * tag check); even = fix up the length field and re-tag the rest with the
 * fuzzer's key first, so the strict body parser sees arbitrary bodies.
 * Anything accepted must re-encode to the same bytes and pass the replay
 * filter without upsetting it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/heartbeat.h"
#include "cluster/replay.h"
#include "pus/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hb_key key;
    static struct hb_replay replay;
    static int ready;
    if (!ready) {
        uint8_t k[32];
        for (int i = 0; i < 32; i++)
            k[i] = (uint8_t)(i * 13);
        hb_key_init(&key, k, sizeof(k));
        struct hb_replay_config cfg = { .max_nodes = 256 };
        hb_replay_init(&replay, &cfg);
        ready = 1;
    }
    if (size < 1)
        return 0;
    int retag = !(data[0] & 1);
    data++;
    size--;

    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    if (retag && size >= HB_MIN_SIZE && size <= HB_MAX_SIZE) {
        buf[6] = (uint8_t)(size >> 8);
        buf[7] = (uint8_t)size;
        struct hmac_sha256 mac = key.mac;
        hmac_sha256_reset(&mac);
        hmac_sha256_update(&mac, buf, size - HB_TAG_SIZE);
        hmac_sha256_final(&mac, buf + size - HB_TAG_SIZE);
    }

    struct heartbeat hb;
    int err = hb_decode(buf, size, &key, &hb);
    if (err == 0) {
        uint8_t again[HB_MAX_SIZE];
        int n = hb_encode(&hb, &key, again, sizeof(again));
        if (n != (int)size || memcmp(again, buf, size) != 0)
            abort();   /* decode accepted something encode would not produce */
        enum hb_verdict v;
        hb_replay_check(&replay, &hb, hb.wall_ms, &v);
        if (hb_replay_check(&replay, &hb, hb.wall_ms, &v) == 0)
            abort();   /* the very same heartbeat twice must be a replay */
    } else if (err != ERR_BAD_FORMAT && err != ERR_AUTH && err != ERR_TOO_BIG &&
               err != ERR_NOT_SUPPORTED) {
        abort();
    }
    free(buf);
    return 0;
}
