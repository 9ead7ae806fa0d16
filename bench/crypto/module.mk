# Host benchmark of lib/crypto, used by bench/cluster/run and bench/random/run.
# bench/ sorts before lib/: name the library sources directly.
$(eval $(call host_prog,bench/cryptobench,bench/crypto/cryptobench.c $(wildcard lib/crypto/*.c),))
