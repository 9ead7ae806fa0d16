# Host-side throughput driver for lib/net (bench/net/run prints the figures).
# bench/ sorts before lib/ in the top Makefile's include list, so LIB_net_SRCS
# is not set yet here: name the library sources directly.
$(eval $(call host_prog,bench/net/net_bench,bench/net/net_bench.c $(wildcard lib/net/*.c) lib/util/err.c,))
