$(eval $(call fuzz_target,cluster_bootargs,tests/fuzz/cluster_bootargs/fuzz.c,cluster crypto util))
