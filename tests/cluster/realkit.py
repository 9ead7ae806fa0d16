"""Helpers for tests and benchmarks on clusters of real PusOS nodes
(build/pusos.elf): a cluster started with `pusctl up`, the node consoles,
and heartbeats built by hand (docs/cluster-protocol.md) for hostile-input
tests. Everything started here is stopped and every file removed by
RealCluster.down()."""
import hashlib
import hmac
import os
import re
import shutil
import socket
import struct
import time

from pusdirs import BUILD
from ctlkit import VmCluster, http, wait_until

QEMU = shutil.which("qemu-system-riscv64")


def real_kernel():
    path = os.environ.get("PUS_KERNEL") or str(BUILD / "pusos.elf")
    return path if os.path.exists(path) else None


class RealCluster(VmCluster):
    """`pusctl up N` with the real kernel on free ports in a fresh run directory."""

    def __init__(self, nodes, *extra, net="user", timeout=60):
        super().__init__("pusctl-real-")
        self.nodes = nodes
        hb_addr = "0.0.0.0" if net == "tap" else "127.0.0.1"
        self.up = self.pusctl("up", str(nodes), "--kernel", real_kernel(), "--net", net,
                              "--api", f"127.0.0.1:{self.api_port}",
                              "--hb", f"{hb_addr}:{self.hb_port}", "--timeout", str(timeout),
                              *extra, check=False, timeout=timeout + 30)
        with open(os.path.join(self.run_dir, "cluster.key")) as f:
            self.key = bytes.fromhex(f.read().strip())

    def api(self, path, method="GET"):
        status, body, _ = http(self.api_port, path, method=method)
        assert status in (200, 202), (path, status, body)
        return body

    def node(self, i):
        return self.api(f"/api/v1/nodes/{i}")

    def all_nodes(self):
        return {n["id"]: n for n in self.api("/api/v1/nodes")["nodes"]}

    def stats(self):
        return self.api("/api/v1/stats")

    def events(self, node=None, type_=None, since=0):
        evs = self.api(f"/api/v1/events?limit=100000&since={since}")["events"]
        return [e for e in evs if (node is None or e["node"] == node)
                and (type_ is None or e["type"] == type_)]

    def last_event_id(self):
        evs = self.api("/api/v1/events?limit=100000")["events"]
        return evs[-1]["id"] if evs else 0

    def healthy(self, i, not_boot=None):
        n = self.node(i)
        return n["state"] == "healthy" and (not_boot is None or n["boot_id"] != not_boot)

    def console(self, i, line, until, timeout=20):
        """Types line on node i's serial console and returns what it printed
        up to and including the first match of the regex until."""
        path = os.path.join(self.run_dir, f"node{i}.console")
        deadline = time.monotonic() + timeout
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            wait_until(lambda: s.connect_ex(path) == 0, timeout, f"node {i}'s console")
            s.sendall(line.encode() + b"\n")
            out = b""
            while True:
                m = re.search(until, out.decode(errors="replace"))
                if m:
                    return out.decode(errors="replace")[:m.end()]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"node {i}: no /{until}/ after '{line}':\n"
                                         + out.decode(errors="replace")[-2000:])
                s.settimeout(left)
                try:
                    chunk = s.recv(4096)
                except socket.timeout:
                    continue
                if not chunk:
                    raise AssertionError(f"node {i}: console closed after '{line}'")
                out += chunk
        finally:
            s.close()


# ---- heartbeats by hand (docs/cluster-protocol.md) ------------------------

HEADER = struct.Struct(">4sBBHIQQQQHIHBB")    # 54 bytes, no apps listed


def heartbeat(key, node, boot_id, seq, uptime_ms, wall_ms=None):
    """One well-formed heartbeat, tagged with key."""
    if wall_ms is None:
        wall_ms = int(time.time() * 1000)
    body = HEADER.pack(b"PUSH", 1, 1, HEADER.size + 32, node, boot_id, seq, uptime_ms, wall_ms,
                       0, 1024, 0, 0, 0)
    return body + hmac.new(key, body, hashlib.sha256).digest()


def send_udp(port, datagrams):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for d in datagrams:
            s.sendto(d, ("127.0.0.1", port))


def capture_heartbeat(port, node, timeout=5):
    """One real heartbeat from node on its way to 127.0.0.1:port, read off the
    loopback interface (needs root: AF_PACKET). None when not possible."""
    if os.geteuid() != 0 or not hasattr(socket, "AF_PACKET"):
        return None
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    try:
        s.bind(("lo", 0))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                pkt = s.recv(65536)
            except socket.timeout:
                break
            ihl = (pkt[0] & 15) * 4
            if len(pkt) < ihl + 8 or pkt[9] != 17:
                continue
            dport, length = struct.unpack(">HH", pkt[ihl + 2:ihl + 6])
            data = pkt[ihl + 8:ihl + length]
            if (dport == port and data[:4] == b"PUSH" and len(data) >= 12
                    and struct.unpack(">I", data[8:12])[0] == node):
                return data
        return None
    finally:
        s.close()
