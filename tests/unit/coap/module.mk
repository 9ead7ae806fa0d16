# Unit tests for lib/coap, and the UDP test server that
# tests/proto/test_proto_coap.py drives with libcoap's coap-client.
$(eval $(call unit_test,coap,tests/unit/coap/test_coap.c,coap util))
$(eval $(call host_prog,proto/coap_server,tests/unit/coap/coap_server_main.c,coap util))
