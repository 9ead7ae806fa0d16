/*
 * HMAC-SHA256 (RFC 2104): H((K ^ opad) || H((K ^ ipad) || message)).
 *
 * The key is absorbed once into two hash states (after the ipad and opad
 * blocks); each message then starts from a copy of those, which saves two
 * compressions per message — most of the cost for short heartbeats.
 */
#include <string.h>

#include "crypto/sha256.h"

void hmac_sha256_init(struct hmac_sha256 *ctx, const void *key, size_t key_len)
{
    uint8_t block[SHA256_BLOCK_SIZE];
    memset(block, 0, sizeof(block));
    if (key_len > SHA256_BLOCK_SIZE)
        sha256(key, key_len, block);   /* long keys are replaced by their hash */
    else if (key_len > 0)
        memcpy(block, key, key_len);

    for (size_t i = 0; i < sizeof(block); i++)
        block[i] ^= 0x36;
    sha256_init(&ctx->inner0);
    sha256_update(&ctx->inner0, block, sizeof(block));

    for (size_t i = 0; i < sizeof(block); i++)
        block[i] ^= 0x36 ^ 0x5c;      /* turn ipad into opad */
    sha256_init(&ctx->outer0);
    sha256_update(&ctx->outer0, block, sizeof(block));

    crypto_wipe(block, sizeof(block));
    ctx->inner = ctx->inner0;
}

void hmac_sha256_reset(struct hmac_sha256 *ctx)
{
    ctx->inner = ctx->inner0;
}

void hmac_sha256_update(struct hmac_sha256 *ctx, const void *data, size_t len)
{
    sha256_update(&ctx->inner, data, len);
}

void hmac_sha256_final(struct hmac_sha256 *ctx, uint8_t tag[SHA256_DIGEST_SIZE])
{
    uint8_t inner_digest[SHA256_DIGEST_SIZE];
    sha256_final(&ctx->inner, inner_digest);

    struct sha256 outer = ctx->outer0;
    sha256_update(&outer, inner_digest, sizeof(inner_digest));
    sha256_final(&outer, tag);
    crypto_wipe(inner_digest, sizeof(inner_digest));
    ctx->inner = ctx->inner0;
}

void hmac_sha256_clear(struct hmac_sha256 *ctx)
{
    crypto_wipe(ctx, sizeof(*ctx));
}

void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                 uint8_t tag[SHA256_DIGEST_SIZE])
{
    struct hmac_sha256 ctx;
    hmac_sha256_init(&ctx, key, key_len);
    hmac_sha256_update(&ctx, data, len);
    hmac_sha256_final(&ctx, tag);
    hmac_sha256_clear(&ctx);
}
