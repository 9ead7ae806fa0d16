# libFuzzer target: arbitrary Ethernet frames into a busy stack.
$(eval $(call fuzz_target,net_rx,tests/fuzz/net_rx/net_rx.c,net util))
