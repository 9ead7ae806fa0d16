# Unit tests for lib/json, and a round-trip filter (stdin JSON -> stdout
# JSON through the DOM and the writer) that tests/proto/test_proto_json.py
# checks against Python's json module.
$(eval $(call unit_test,json,tests/unit/json/test_json.c,json util))
$(eval $(call host_prog,proto/json_roundtrip,tests/unit/json/json_roundtrip_main.c,json util))
