# bench/fs: filesystem benchmark driver (build/bench/fs_bench), run by bench/fs/run.
# The top Makefile includes module.mk files in sorted order, so bench/ is
# read before lib/ and LIB_*_SRCS are still empty here: name the sources.
$(eval $(call host_prog,bench/fs_bench,bench/fs/fs_bench.c $(wildcard lib/fs/*.c) $(wildcard lib/blockdev/*.c) $(wildcard lib/util/*.c),))
