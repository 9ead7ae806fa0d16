$(eval $(call fuzz_target,cluster_heartbeat,tests/fuzz/cluster_heartbeat/fuzz.c,cluster crypto util))
