# tools/pusfs: filesystem image tool (build/bin/pusfs).
$(eval $(call host_tool,pusfs,tools/pusfs/pusfs.c,fs blockdev blockdev_host util))
