# lib/http: HTTP/1.1 parser, router, server engine and client pieces.
LIB_http_SRCS := $(wildcard lib/http/*.c)
KERNEL_LIBS += http
