# libFuzzer target for lib/util's boot argument parser.
$(eval $(call fuzz_target,options_parse,tests/fuzz/options_parse/options_parse.c,util))
