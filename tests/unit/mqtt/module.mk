# Unit tests for lib/mqtt, and the command-line client that
# tests/proto/test_proto_mqtt.py runs against a mosquitto broker.
$(eval $(call unit_test,mqtt,tests/unit/mqtt/test_mqtt.c,mqtt util))
$(eval $(call host_prog,proto/mqtt_client,tests/unit/mqtt/mqtt_client_main.c,mqtt util))
