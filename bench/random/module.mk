# Host benchmark of lib/crypto's ChaCha20 and CSPRNG (bench/random/run).
# bench/ sorts before lib/: name the library sources directly.
$(eval $(call host_prog,bench/randbench,bench/random/randbench.c $(wildcard lib/crypto/*.c),))
