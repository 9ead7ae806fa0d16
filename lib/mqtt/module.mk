# lib/mqtt: MQTT 3.1.1 client codec and session state machine.
LIB_mqtt_SRCS := $(wildcard lib/mqtt/*.c)
KERNEL_LIBS += mqtt
