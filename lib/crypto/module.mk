# lib/crypto: SHA-256 and HMAC-SHA256, portable (kernel and host).
LIB_crypto_SRCS := $(wildcard lib/crypto/*.c)
KERNEL_LIBS += crypto
