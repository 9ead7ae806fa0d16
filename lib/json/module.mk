# lib/json: JSON writer and strict bounded parser (RFC 8259).
LIB_json_SRCS := $(wildcard lib/json/*.c)
KERNEL_LIBS += json
