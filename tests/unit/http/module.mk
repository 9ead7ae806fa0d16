# Unit tests for lib/http, and the loopback test server that
# tests/proto/test_proto_http.py drives with curl.
$(eval $(call unit_test,http_parser,tests/unit/http/test_parser.c,http util))
$(eval $(call unit_test,http_server,tests/unit/http/test_server.c,http util))
$(eval $(call host_prog,proto/http_server,tests/unit/http/http_server_main.c,http util))
$(eval $(call host_prog,proto/http_get,tests/unit/http/http_get_main.c,http util))
