# libFuzzer targets for lib/http.
$(eval $(call fuzz_target,http_request,tests/fuzz/http_fuzz/http_request.c,http util))
$(eval $(call fuzz_target,http_response,tests/fuzz/http_fuzz/http_response.c,http util))
