# lib/coap: CoAP (RFC 7252) message codec and a UDP-agnostic server.
LIB_coap_SRCS := $(wildcard lib/coap/*.c)
KERNEL_LIBS += coap
