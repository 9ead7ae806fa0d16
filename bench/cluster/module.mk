# Heartbeat simulator / load generator for the controller (tests and bench).
# bench/ sorts before lib/ in the Makefile's include list, so LIB_*_SRCS are
# still empty here: name the library sources directly.
HBGEN_SRCS := bench/cluster/hbgen.c tools/pusctl/util.c \
              $(wildcard lib/cluster/*.c) $(wildcard lib/crypto/*.c) $(wildcard lib/util/*.c)
$(eval $(call host_prog,bench/hbgen,$(HBGEN_SRCS),))
