"""DHCP through QEMU user networking: the node gets 10.0.2.15 with QEMU's
gateway and DNS, reaches the gateway, and answers on loopback. Also two
NICs: eth0 static on a tap segment, eth1 DHCP from user networking."""
import re

import pytest

import netns
from netns import HOST_ADDR, NODE_ADDR, NetNS
from node import Node

USER_NET = ["-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]


def wait_for_address(node, addr, tries=30):
    """Polls ifconfig until addr shows (DHCP may finish before or after the
    ready line); `ping 127.0.0.1 -c 2` paces the loop at about 1 s."""
    for _ in range(tries):
        out = node.run("ifconfig")
        if f"inet {addr}/" in out:
            return out
        node.run("ping 127.0.0.1 -c 2")
    raise AssertionError(f"no {addr} after {tries} tries:\n{out}")


def test_dhcp_user_networking():
    with Node("net-dhcp", extra=USER_NET) as n:
        n.boot()
        out = wait_for_address(n, "10.0.2.15")
        assert "inet 10.0.2.15/24 netmask 255.255.255.0 gateway 10.0.2.2" in out, out
        assert "dns 10.0.2.3" in out
        assert re.search(r"dhcp\s+bound, lease \d+ s left", out), out
        out = n.run("ping 10.0.2.2 -c 2")
        assert "2 packets transmitted, 2 received" in out, out
        out = n.run("ping 127.0.0.1 -c 2")
        assert "2 packets transmitted, 2 received" in out, out
        assert "has address 127.0.0.1" in n.run("dns localhost")


def test_loopback_sockets():
    with Node("net-loop") as n:
        n.boot()
        out = n.run("nettest", timeout=120)
        assert out.rstrip().endswith("nettest: all passed"), out


@pytest.mark.root
@pytest.mark.skipif(bool(netns.available()), reason=netns.available() or "ok")
def test_two_nics_static_and_dhcp():
    with NetNS() as ns:
        node = ns.node("net-2nic", append=f"ip={NODE_ADDR}/24 ip1=dhcp", 
                       extra=["-netdev", "user,id=n1", "-device", "virtio-net-device,netdev=n1"])
        node.boot()
        out = wait_for_address(node, "10.0.2.15")
        assert "inet 10.77.0.2/24" in out and "inet 10.0.2.15/24" in out, out
        # eth0 (the first -device, on the tap) is static, eth1 has the lease
        assert out.index("eth0") < out.index("inet 10.77.0.2") < out.index("eth1") < \
            out.index("inet 10.0.2.15"), out
        r = ns.run(["ping", "-c", "2", "-i", "0.2", "-W", "2", NODE_ADDR])
        assert r.returncode == 0, r.stdout
        assert "2 received" in node.run("ping 10.0.2.2 -c 2")
