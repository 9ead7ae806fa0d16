"""`pusctl switch`: the learning Ethernet switch QEMU nodes share, tested
with clients that speak QEMU's stream framing (4-byte big-endian length,
then the frame)."""
import os
import select
import shutil
import socket
import struct
import subprocess
import tempfile

import pytest

from ctlkit import PUSCTL, wait_until
from qmp import qmp
from test_qemu import stub_kernel  # noqa: F401 (fixture)

BROADCAST = b"\xff" * 6


def mac(n):
    return bytes([0x52, 0x54, 0x00, 0x4e, 0x00, n])


def frame(dst, src, payload):
    body = dst + src + b"\x08\x00" + payload
    return struct.pack(">I", len(body)) + body


class Port:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""

    def send(self, dst, src, payload):
        self.s.sendall(frame(dst, src, payload))

    def recv(self, timeout=5):
        """The next frame (dst, src, payload), or None on timeout."""
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    f, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    return f[:6], f[6:12], f[14:]
            ready, _, _ = select.select([self.s], [], [], timeout)
            if not ready:
                return None
            data = self.s.recv(65536)
            if not data:
                return "closed"
            self.buf += data


@pytest.fixture
def switch():
    d = tempfile.mkdtemp(prefix="pusctl-sw-", dir="/tmp")
    path = os.path.join(d, "switch.sock")
    proc = subprocess.Popen([str(PUSCTL), "switch", "--socket", path],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: os.path.exists(path), 5, "the switch socket")
    ports = []

    def connect():
        p = Port(path)
        ports.append(p)
        return p
    def connect_synced(n):
        """n ports, each known to be accepted: a greeting from port k reaches
        every earlier port (so it was accepted) before port k+1 connects."""
        got = []
        for k in range(n):
            p = connect()
            p.send(BROADCAST, mac(100 + k), b"hi")
            for q in got:
                # An earlier greeting may arrive too, if the switch accepted
                # q before it read that greeting; skip those.
                while True:
                    f = q.recv()
                    assert f is not None and f != "closed"
                    if f == (BROADCAST, mac(100 + k), b"hi"):
                        break
                    assert f[2] == b"hi"
            got.append(p)
        # Greetings may also have reached later ports. Each port says "sync"
        # after all greetings; one switch thread keeps each sender's frames
        # in order, so once a port has every other port's sync, no stray
        # greeting can still be on its way.
        for k, p in enumerate(got):
            p.send(BROADCAST, mac(100 + k), b"sync")
        for k, q in enumerate(got):
            want = {mac(100 + j) for j in range(n) if j != k}
            while want:
                f = q.recv()
                assert f is not None and f != "closed"
                if f[2] == b"sync":
                    want.discard(f[1])
        return got
    yield connect_synced, proc, d
    for p in ports:
        p.s.close()
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(d, ignore_errors=True)


def test_flood_then_learn(switch):
    connect, _, _ = switch
    a, b, c = connect(3)

    a.send(BROADCAST, mac(1), b"who-has")          # learns mac(1) -> a
    assert b.recv() == (BROADCAST, mac(1), b"who-has")
    assert c.recv() == (BROADCAST, mac(1), b"who-has")
    b.send(mac(1), mac(2), b"to-a")                 # known: only a gets it
    assert a.recv() == (mac(1), mac(2), b"to-a")
    c.send(mac(2), mac(3), b"to-b")                 # mac(2) learnt from b's frame
    assert b.recv() == (mac(2), mac(3), b"to-b")
    # Had "to-a" or "to-b" been flooded, c or a would see it before this marker.
    b.send(BROADCAST, mac(2), b"marker")
    assert c.recv() == (BROADCAST, mac(2), b"marker")
    assert a.recv() == (BROADCAST, mac(2), b"marker")
    # Unknown unicast is flooded.
    a.send(mac(77), mac(1), b"unknown")
    assert b.recv() == (mac(77), mac(1), b"unknown")
    assert c.recv() == (mac(77), mac(1), b"unknown")


def test_large_frames_and_split_writes(switch):
    connect, _, _ = switch
    a, b = connect(2)
    payload = bytes(range(256)) * 200                     # 51,200 bytes
    data = frame(BROADCAST, mac(1), payload)
    for i in range(0, len(data), 333):                    # dribbled in pieces
        a.s.sendall(data[i:i + 333])
    assert b.recv() == (BROADCAST, mac(1), payload)


def test_broken_framing_drops_only_that_port(switch):
    connect, proc, _ = switch
    a, b, c = connect(3)
    a.s.sendall(struct.pack(">I", 70000) + b"\0" * 16)    # length beyond any frame
    assert a.recv() == "closed"
    b.send(BROADCAST, mac(2), b"still-here")
    assert c.recv() == (BROADCAST, mac(2), b"still-here")
    assert proc.poll() is None


def test_second_switch_in_same_dir_refused(switch):
    _, _, d = switch
    proc = subprocess.run([str(PUSCTL), "switch", "--socket", os.path.join(d, "other.sock")],
                          capture_output=True, text=True, timeout=10)
    assert proc.returncode == 1 and "another switch" in proc.stderr


@pytest.mark.skipif(not shutil.which("qemu-system-riscv64"), reason="needs QEMU")
def test_real_qemu_frames_reach_the_switch(switch, stub_kernel):
    """QEMU's own stream netdev talks to the switch: `announce-self` makes
    QEMU (not the guest) send RARP frames from the NIC's MAC, which must
    arrive at another port whole and correctly framed."""
    connect, _, d = switch
    (watcher,) = connect(1)
    qmp_path = os.path.join(d, "vm.qmp")
    vm = subprocess.Popen(
        ["qemu-system-riscv64", "-machine", "virt", "-nographic", "-monitor", "none",
         "-serial", "null", "-m", "64M", "-kernel", stub_kernel,
         "-qmp", f"unix:{qmp_path},server=on,wait=off",
         "-netdev", f"stream,id=seg,server=off,addr.type=unix,addr.path={d}/switch.sock",
         "-device", "virtio-net-device,netdev=seg,mac=52:54:00:4e:00:07"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: os.path.exists(qmp_path), 10, "QEMU's QMP socket")
        qmp(qmp_path, "announce-self",
            {"initial": 50, "max": 100, "rounds": 2, "step": 50})
        f = watcher.recv(timeout=10)
        while f and f != "closed" and f[1] != mac(7):
            f = watcher.recv(timeout=10)      # skip anything else on the segment
        assert f and f != "closed", "no frame from QEMU"
        dst, src, payload = f
        assert dst == BROADCAST and src == mac(7)
    finally:
        vm.kill()
        vm.wait()
