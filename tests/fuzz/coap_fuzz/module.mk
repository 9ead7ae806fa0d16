# libFuzzer target for lib/coap.
$(eval $(call fuzz_target,coap_parse,tests/fuzz/coap_fuzz/coap_parse.c,coap util))
