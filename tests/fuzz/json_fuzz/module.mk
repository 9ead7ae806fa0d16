# libFuzzer target for lib/json.
$(eval $(call fuzz_target,json_parse,tests/fuzz/json_fuzz/json_parse.c,json util))
