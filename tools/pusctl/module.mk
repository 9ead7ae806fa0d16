# pusctl: the cluster controller (CLI, daemon, REST API, QEMU launcher,
# QMP client, Ethernet switch). Uses Debian's SQLite, libmicrohttpd, cJSON.
PUSCTL_SRCS := $(wildcard tools/pusctl/*.c)
$(eval $(call host_tool,pusctl,$(PUSCTL_SRCS),cluster crypto util,-lsqlite3 -lmicrohttpd -lcjson))
