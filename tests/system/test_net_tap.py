"""A node on a tap device in a network namespace, against the Linux stack:
ping, TCP echo of 16 MiB both ways (also under netem loss/duplication/
reordering), 64 concurrent connections, curl to /v1/node, a storm of
malformed frames from a raw socket, and the modern virtio-mmio layout.

One node serves the module's tests in order (the storm comes last); each
test bounds its own time. Needs root (namespaces, taps)."""
import hashlib
import json
import os
import re
import socket
import struct
import threading

import pytest

import netns
from netns import HOST_ADDR, NODE_ADDR, NetNS

REASON = netns.available()
pytestmark = [pytest.mark.root, pytest.mark.slow, pytest.mark.skipif(bool(REASON), reason=REASON)]

MiB = 1 << 20


@pytest.fixture(scope="module")
def lab():
    with NetNS() as ns:
        node = ns.node("net-tap", append=f"node=tap1 ip={NODE_ADDR}/24 gw={HOST_ADDR} dns={HOST_ADDR}")
        node.boot()
        yield ns, node


def echo_transfer(ns, size, timeout=180, port=7):
    """Sends size random bytes to the echo port while reading the echo;
    returns (sent digest, received digest, received length)."""
    data = os.urandom(size)
    s = ns.connect(NODE_ADDR, port, timeout=timeout)
    got = hashlib.sha256()
    count = [0]
    err = []

    def reader():
        try:
            while True:
                b = s.recv(1 << 16)
                if not b:
                    break
                got.update(b)
                count[0] += len(b)
        except Exception as e:   # reported by the caller
            err.append(e)
    t = threading.Thread(target=reader)
    t.start()
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    finally:
        t.join(timeout)
        s.close()
    assert not err, err
    return hashlib.sha256(data).hexdigest(), got.hexdigest(), count[0]


def node_alive(ns, node):
    r = ns.run(["ping", "-c", "2", "-i", "0.2", "-W", "2", NODE_ADDR])
    assert r.returncode == 0, r.stdout + r.stderr
    r = ns.run(["curl", "-sS", "-m", "10", f"http://{NODE_ADDR}/v1/node"])
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_ping_from_host(lab):
    ns, node = lab
    r = ns.run(["ping", "-c", "5", "-i", "0.2", "-W", "2", NODE_ADDR])
    assert r.returncode == 0, r.stdout
    assert " 0% packet loss" in r.stdout


def irq_receives(node):
    """(interrupts, bursts received in the interrupt handler) of eth0."""
    m = re.search(r"irqs (\d+) \((\d+) received in them\)", node.run("ifconfig"))
    assert m, "ifconfig shows no receive counters"
    return int(m.group(1)), int(m.group(2))


def test_ping_answered_from_the_interrupt(lab):
    """A ping to an idle node goes up the stack and back out from the device
    interrupt, without waking the receive thread (latency: see
    docs/net-service.md); a busy node leaves frames to the thread."""
    ns, node = lab
    irqs0, rx0 = irq_receives(node)
    r = ns.run(["ping", "-c", "20", "-i", "0.05", "-W", "2", NODE_ADDR])
    assert " 0% packet loss" in r.stdout, r.stdout
    irqs1, rx1 = irq_receives(node)
    # the shell's own output may cost a few; nearly every ping must count
    assert rx1 - rx0 >= 15, (irqs0, rx0, irqs1, rx1)


def test_ping_from_node(lab):
    ns, node = lab
    out = node.run(f"ping {HOST_ADDR} -c 3")
    assert len(re.findall(r"bytes from 10\.77\.0\.1: seq=\d+ time=[\d.]+ ms", out)) == 3, out
    assert "3 packets transmitted, 3 received, 0% packet loss" in out
    assert "rtt min/avg/max" in out
    assert HOST_ADDR in node.run("arp")


def test_ping_interval_and_quiet(lab):
    ns, node = lab
    out = node.run(f"ping {HOST_ADDR} -c 5 -i 0.05 -q")
    assert "bytes from" not in out, out
    assert "5 packets transmitted, 5 received, 0% packet loss" in out
    for bad in ("0", "0.0001", "abc", "1.2.3", ""):
        out = node.run(f"ping {HOST_ADDR} -c 1 -i {bad}".rstrip())
        assert "error" in out or "usage" in out, (bad, out)
    # counts and sizes are whole numbers in range ("3x" was taken as 3)
    for bad in ("-c 3x", "-c 0", "-c abc", "-s 12k", "-s 1473", "-s -1"):
        out = node.run(f"ping {HOST_ADDR} {bad}")
        assert "usage: ping" in out and "bytes from" not in out, (bad, out)


def test_ping_unanswered_times_out(lab):
    """Nobody has 10.77.0.99: the stack's timer (armed by the ping, run by
    the net-timer thread) must end the wait after its 2 s timeout."""
    ns, node = lab
    out = node.run("ping 10.77.0.99 -c 1", timeout=30)
    assert "seq=0: timed out" in out, out
    assert "1 packets transmitted, 0 received, 100% packet loss" in out


def test_tcp_echo_16mib(lab):
    ns, node = lab
    sent, got, n = echo_transfer(ns, 16 * MiB)
    assert n == 16 * MiB
    assert sent == got


def test_udp_echo(lab):
    ns, node = lab
    s = ns.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    try:
        for size in (0, 1, 100, 1472):
            msg = os.urandom(size)
            for _ in range(5):      # UDP: retry a lost datagram
                s.sendto(msg, (NODE_ADDR, 7))
                try:
                    data, peer = s.recvfrom(2048)
                    break
                except socket.timeout:
                    continue
            else:
                pytest.fail(f"no UDP echo for {size} bytes")
            assert data == msg and peer == (NODE_ADDR, 7)
    finally:
        s.close()


def test_64_concurrent_connections(lab):
    ns, node = lab
    results, errors = [], []

    def one(i):
        try:
            results.append(echo_transfer(ns, 128 * 1024 + i, timeout=120))
        except Exception as e:
            errors.append(e)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not errors, errors[:3]
    assert len(results) == 64
    for sent, got, n in results:
        assert sent == got
    # Every connection thread ends once its peer has gone.
    for _ in range(30):
        if "echo-conn" not in node.run("threads"):
            break
        node.run("ping 127.0.0.1 -c 2")     # about a second
    else:
        pytest.fail("echo connection threads left behind:\n" + node.run("threads"))


def test_netstat_shows_states(lab):
    ns, node = lab
    s = ns.connect(NODE_ADDR, 7)
    try:
        out = node.run("netstat")
        assert re.search(r"tcp\s+10\.77\.0\.2:7\s+10\.77\.0\.1:\d+\s+ESTABLISHED", out), out
        assert re.search(r"tcp\s+0\.0\.0\.0:80\s+0\.0\.0\.0:0\s+LISTEN", out), out
        assert re.search(r"udp\s+0\.0\.0\.0:7", out), out
    finally:
        s.close()
    out = node.run("ifconfig")
    assert "eth0" in out and "inet 10.77.0.2/24" in out and "link up" in out
    assert re.search(r"ether 52:54:00:[0-9a-f:]{8}", out)
    assert re.search(r"RX packets [1-9]\d* bytes", out)
    assert "inet 10.77.0.2/24" in node.run("ip")


def test_curl_node_json(lab):
    ns, node = lab
    r = ns.run(["curl", "-sS", "-m", "10", "-D", "-", f"http://{NODE_ADDR}/v1/node"])
    assert r.returncode == 0, r.stderr
    head, body = r.stdout.replace("\r\n", "\n").split("\n\n", 1)   # (text mode may translate)
    assert head.startswith("HTTP/1.1 200")
    assert "application/json" in head.lower()
    doc = json.loads(body)
    assert doc["id"] == "tap1"
    assert doc["version"].count(".") == 2
    assert doc["harts"] == 2
    assert doc["uptime_ms"] > 0
    assert 0 < doc["memory"]["free"] < doc["memory"]["total"] <= 128 * MiB
    eth0 = doc["interfaces"][0]
    assert eth0["name"] == "eth0" and eth0["addr"] == NODE_ADDR and eth0["prefix"] == 24
    assert eth0["gateway"] == HOST_ADDR and eth0["link"] is True
    # Keep-alive: two requests over one connection; 404 for an unknown path.
    r = ns.run(["curl", "-sS", "-m", "10", "-o", "/dev/null", "-o", "/dev/null",
                "-w", "%{http_code} %{num_connects}\n",
                f"http://{NODE_ADDR}/v1/node", f"http://{NODE_ADDR}/nope"])
    assert r.stdout.split("\n")[:2] == ["200 1", "404 0"], r.stdout
    # lib/http's limits hold: a 5000-byte request line is refused with 414.
    r = ns.run(["curl", "-sS", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}",
                f"http://{NODE_ADDR}/" + "a" * 5000])
    assert r.stdout == "414", r.stdout + r.stderr


IMPAIR = dict(loss=0.05, dup=0.01, reorder=0.10, delay=0.005)


def test_tcp_echo_under_netem(lab):
    """16 MiB echo through 5% loss, 1% duplication, 10% reordering, 5 ms
    delay: tc netem on the tap when the host kernel has it, else the same
    impairment in user space (tests/lib/netns.py Impairment), both ways."""
    ns, node = lab
    r = ns.run(["tc", "qdisc", "add", "dev", ns.tap, "root", "netem", "loss", "5%",
                "duplicate", "1%", "reorder", "10%", "delay", "5ms"])
    if r.returncode == 0:
        try:
            sent, got, n = echo_transfer(ns, 16 * MiB, timeout=600)
            assert n == 16 * MiB and sent == got
        finally:
            ns.run(["tc", "qdisc", "del", "dev", ns.tap, "root"])
        out = node.run("netstat -s")
        assert int(re.search(r"tcp_retrans\s+(\d+)", out).group(1)) > 0, out
        return
    # No sch_netem in this kernel: a second node behind the user-space relay.
    with NetNS() as ns2:
        n2 = ns2.impaired_node("net-impaired", **IMPAIR)
        n2.boot()
        try:
            sent, got, n = echo_transfer(ns2, 16 * MiB, timeout=600)
        except BaseException as e:
            raise AssertionError(f"{e!r}; relay {ns2.relays[0].stats}; node console:\n"
                                 + n2.console_tail()) from e
        assert n == 16 * MiB and sent == got
        relay = ns2.relays[0].stats
        assert relay["dropped"] > 100 and relay["reordered"] > 100 and relay["duplicated"] > 10, relay
        out = n2.run("netstat -s")
        assert int(re.search(r"tcp_retrans\s+(\d+)", out).group(1)) > 0, out
        assert int(re.search(r"tcp_dup_in\s+(\d+)", out).group(1)) > 0, out


# ---- malformed frames --------------------------------------------------------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(payload, proto, src=HOST_ADDR, dst=NODE_ADDR, ident=1, frag=0, total=None, ihl=5,
         good_csum=True, options=b""):
    tl = total if total is not None else 20 + len(options) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tl & 0xffff, ident, frag, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst)) + options
    c = csum(h) if good_csum else 0x1234
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def tcp(sport, dport, flags, seq=1000, ack=0, options=b"", data=b"", good_csum=True, doff=None):
    off = doff if doff is not None else (20 + len(options)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, 65535, 0, 0) + options
    pseudo = socket.inet_aton(HOST_ADDR) + socket.inet_aton(NODE_ADDR) + struct.pack(
        "!BBH", 0, 6, len(h) + len(data))
    c = csum(pseudo + h + data) if good_csum else 0xbeef
    return h[:16] + struct.pack("!H", c) + h[18:] + data


def malformed_frames(dst_mac, src_mac, rnd):
    eth = dst_mac + src_mac + b"\x08\x00"
    frames = [b"", b"\x00", dst_mac + src_mac, eth, eth + b"\x45"]
    # IPv4 header lies
    good_ping = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + b"x" * 32
    good_ping = good_ping[:2] + struct.pack("!H", csum(good_ping)) + good_ping[4:]
    frames += [eth + ipv4(good_ping, 1, total=4000), eth + ipv4(good_ping, 1, total=10),
               eth + ipv4(good_ping, 1, ihl=3), eth + ipv4(good_ping, 1, ihl=15),
               eth + ipv4(good_ping, 1, good_csum=False), eth + ipv4(b"", 1),
               eth + ipv4(good_ping, 99), eth + ipv4(good_ping, 1, src="127.0.0.1"),
               eth + ipv4(good_ping, 1, options=b"\x44\x00\x00\x00")]
    # TCP: bad checksums, bad data offsets, bogus options
    for opts in (b"\x02\x04\x05", b"\x02\x00\x00\x00", b"\x03\x01\x0e\x00", b"\x03\x03\xff\x00",
                 b"\x08\x0a" + b"\0" * 6 + b"\0\0", b"\x05\x02\x00\x00", b"\xfe\x28" + b"\0" * 2,
                 b"\x01" * 40, b"\x02\x04\x00\x00", b"\x04\x00\x00\x00"):
        o = opts + b"\0" * (-len(opts) % 4)
        frames.append(eth + ipv4(tcp(40000 + len(frames), 7, 0x02, options=o[:40]), 6))
        frames.append(eth + ipv4(tcp(40000 + len(frames), 80, 0x12, options=o[:40]), 6))
    frames += [eth + ipv4(tcp(41000, 7, 0x02, good_csum=False), 6),
               eth + ipv4(tcp(41001, 7, 0x02, doff=15), 6),
               eth + ipv4(tcp(41002, 7, 0x02, doff=2), 6),
               eth + ipv4(tcp(41003, 7, 0x10, data=b"junk"), 6),
               eth + ipv4(tcp(41004, 7, 0x04), 6),
               eth + ipv4(tcp(41005, 7, 0xff, data=b"x" * 100), 6),
               eth + ipv4(tcp(41006, 7, 0x02)[:10], 6)]
    # UDP: lengths that lie, bad checksum
    frames += [eth + ipv4(struct.pack("!HHHH", 5000, 7, 200, 0) + b"x" * 8, 17),
               eth + ipv4(struct.pack("!HHHH", 5000, 7, 4, 0) + b"x" * 8, 17),
               eth + ipv4(struct.pack("!HHHH", 5000, 7, 16, 0x1111) + b"x" * 8, 17),
               eth + ipv4(b"\x13", 17)]
    # ICMP junk
    frames += [eth + ipv4(b"\x08", 1), eth + ipv4(b"\x03\x03\x00\x00" + b"\0" * 4 + b"\x45", 1)]
    # ARP junk
    arp = dst_mac + src_mac + b"\x08\x06"
    frames += [arp + b"\x00\x01\x08\x00\x06\x04\x00\x01", arp + b"\x00\x01\x08\x00\x10\x10" + b"\0" * 40,
               b"\xff" * 6 + src_mac + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x09" + b"\0" * 20]
    # Fragments that never complete: first pieces, middle pieces, overlaps
    for i in range(400):
        ident = 0x4000 + i
        payload = rnd(8 * (1 + i % 100))
        frames.append(eth + ipv4(payload, 17 if i % 2 else 1, ident=ident, frag=0x2000 | (i % 50)))
        frames.append(eth + ipv4(payload, 6, ident=ident, frag=0x2000 | 8191))
        frames.append(eth + ipv4(payload, 6, ident=ident, frag=(i * 37) % 8192))
    # Random garbage after a valid-looking IPv4 header start
    for i in range(300):
        frames.append(eth + rnd(20 + i % 1480))
        frames.append(eth + b"\x45\x00" + rnd(18 + i % 1480))
    return [f[:1514] for f in frames]


def test_malformed_frame_storm(lab):
    ns, node = lab
    mac = re.search(r"ether ([0-9a-f:]{17})", node.run("ifconfig")).group(1)
    dst_mac = bytes.fromhex(mac.replace(":", ""))
    src_mac = bytes.fromhex(ns.ip("link", "show", ns.tap).stdout.split("link/ether ")[1][:17]
                            .replace(":", ""))
    s = ns.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ns.tap, 0))
    try:
        frames = malformed_frames(dst_mac, src_mac, os.urandom)
        for round_ in range(3):
            for f in frames:
                try:
                    s.send(f if len(f) >= 14 else f + b"\0" * (14 - len(f)))
                except OSError:
                    pass    # the tap queue was full: go on
    finally:
        s.close()
    doc = node_alive(ns, node)
    assert doc["interfaces"][0]["addr"] == NODE_ADDR
    sent, got, n = echo_transfer(ns, 1 * MiB)
    assert sent == got
    assert "panic" not in node.run("log").lower()


# ---- the modern virtio-mmio layout -------------------------------------------

def test_modern_virtio_mmio():
    with NetNS() as ns:
        node = ns.node("net-modern", append=f"ip={NODE_ADDR}/24 gw={HOST_ADDR}",
                       extra=["-global", "virtio-mmio.force-legacy=false"])
        node.boot()
        assert "virtio-mmio v2" in node.run("log")
        r = ns.run(["ping", "-c", "3", "-i", "0.2", "-W", "2", NODE_ADDR])
        assert r.returncode == 0, r.stdout
        sent, got, n = echo_transfer(ns, 4 * MiB)
        assert n == 4 * MiB and sent == got
        node_alive(ns, node)
