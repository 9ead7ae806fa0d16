# Host unit tests of lib/net. sim.c is the simulated link (virtual clock).
NET_SIM := tests/unit/net/sim.c
$(eval $(call unit_test,net_csum,tests/unit/net/test_csum.c,net util))
$(eval $(call unit_test,net_tcp,tests/unit/net/test_tcp.c $(NET_SIM),net util))
$(eval $(call unit_test,net_tcp_cases,tests/unit/net/test_tcp_cases.c $(NET_SIM) tests/unit/net/pkt.c,net util))
$(eval $(call unit_test,net_services,tests/unit/net/test_services.c $(NET_SIM) tests/unit/net/pkt.c,net util))
$(eval $(call unit_test,net_ip,tests/unit/net/test_ip.c $(NET_SIM) tests/unit/net/pkt.c,net util))
$(eval $(call unit_test,net_tcp_opts,tests/unit/net/test_tcp_opts.c $(NET_SIM) tests/unit/net/pkt.c,net util))
$(eval $(call unit_test,net_buf,tests/unit/net/test_buf.c,net util))
$(eval $(call unit_test,net_rate,tests/unit/net/test_rate.c,net util))
# Host helper for test_net_linux.py: lib/net on a tap device, Linux as the peer.
$(eval $(call host_prog,tests/net/linux_peer,tests/unit/net/linux_peer.c,net util))
$(eval $(call unit_test,net_chaos,tests/unit/net/test_chaos.c $(NET_SIM),net util))
$(eval $(call unit_test,net_tcp_rto,tests/unit/net/test_tcp_rto.c $(NET_SIM) tests/unit/net/pkt.c,net util))
$(eval $(call unit_test,net_tcp_backpressure,tests/unit/net/test_tcp_backpressure.c $(NET_SIM),net util))
