# libFuzzer target for lib/mqtt.
$(eval $(call fuzz_target,mqtt_parse,tests/fuzz/mqtt_fuzz/mqtt_parse.c,mqtt util))
