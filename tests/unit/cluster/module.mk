$(eval $(call unit_test,cluster_heartbeat,tests/unit/cluster/test_heartbeat.c,cluster crypto util))
$(eval $(call unit_test,cluster_replay,tests/unit/cluster/test_replay.c,cluster crypto util))
$(eval $(call unit_test,cluster_bootargs,tests/unit/cluster/test_bootargs.c,cluster crypto util))
