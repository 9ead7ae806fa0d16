"""Runs inside a private network namespace (see test_net_linux.py).

Creates tap0 (10.9.0.1/24 on the Linux side), starts linux_peer (lib/net at
10.9.0.2 on the same tap), and talks to it with the real Linux stack: ping,
a TCP echo of several MiB in both directions at once, UDP echo, a refused
connection, and a connection opened by lib/net to a Linux listener.
Exits 0 when everything matched.
"""
import os
import random
import socket
import subprocess
import sys
import threading
import time

PEER = sys.argv[1]
LOSS = sys.argv[2] if len(sys.argv) > 2 else "0"
ME, THEM = "10.9.0.1", "10.9.0.2"


def sh(*args):
    subprocess.run(args, check=True)


def pattern(start, n):
    return bytes(((i * 2654435761) >> 13) & 0xff for i in range(start, start + n))


def serve_8000(result):
    """Receives 2 MiB of the pattern from lib/net, answers 4 MiB, closes."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ME, 8000))
    ls.listen(1)
    ls.settimeout(90)
    try:
        c, _ = ls.accept()
        c.settimeout(90)
        want = 2 << 20
        got = bytearray()
        while len(got) < want:
            d = c.recv(65536)
            if not d:
                break
            got += d
        result["in_ok"] = bytes(got) == pattern(0, want)
        c.sendall(pattern(7, 4 << 20))
        c.close()
        result["done"] = True
    except Exception as e:  # reported by the main thread
        result["error"] = repr(e)


def main():
    sh("ip", "link", "set", "lo", "up")
    sh("ip", "tuntap", "add", "dev", "tap0", "mode", "tap")
    sh("ip", "addr", "add", ME + "/24", "dev", "tap0")
    sh("ip", "link", "set", "tap0", "up")
    result = {}
    srv = threading.Thread(target=serve_8000, args=(result,), daemon=True)
    srv.start()
    peer = subprocess.Popen([PEER, "tap0", THEM, "24", ME, "120", LOSS],
                            stdout=subprocess.PIPE, text=True)
    assert peer.stdout.readline().startswith("linux_peer: up")
    failures = []

    ping = subprocess.run(["ping", "-c", "20" if LOSS != "0" else "3", "-i", "0.2", "-W", "2",
                           THEM],
                          stdout=subprocess.PIPE, text=True)
    if ping.returncode != 0 and " 0 received" in ping.stdout or ping.returncode > 1:
        failures.append("ping: " + ping.stdout)

    # TCP echo: 8 MiB out and back, written and read at the same time
    size = (8 if LOSS == "0" else 2) << 20
    data = random.Random(1).randbytes(size)
    s = socket.create_connection((THEM, 7), timeout=60)
    t0 = time.monotonic()
    sender = threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)))
    sender.start()
    back = bytearray()
    while True:
        try:
            d = s.recv(1 << 16)
        except socket.timeout:
            failures.append(f"tcp echo stalled after {len(back)} bytes back")
            print(subprocess.run(["ss", "-tni"], stdout=subprocess.PIPE, text=True).stdout)
            break
        if not d:
            break
        back += d
    sender.join()
    s.close()
    secs = time.monotonic() - t0
    if bytes(back) != data:
        failures.append(f"tcp echo: {len(back)} bytes back, mismatch")
    print(f"loss {LOSS}%: tcp echo {size >> 20} MiB each way in {secs:.2f} s "
          f"({2 * (size >> 20) / secs:.1f} MiB/s total)")

    # UDP echo
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(1)
    for _ in range(10):   # datagrams may be lost on a bad link: retry
        u.sendto(b"hello fog", (THEM, 7))
        try:
            d, _ = u.recvfrom(100)
            if d != b"hello fog":
                failures.append("udp echo mismatch")
            break
        except socket.timeout:
            pass
    else:
        failures.append("udp echo: no answer")

    # a closed port refuses
    try:
        socket.create_connection((THEM, 9), timeout=20).close()
        failures.append("port 9: connected?")
    except ConnectionRefusedError:
        pass

    srv.join(100)
    if not result.get("done"):
        print(subprocess.run(["ss", "-tnie"], stdout=subprocess.PIPE, text=True).stdout)
    if not result.get("done") or not result.get("in_ok"):
        failures.append(f"lib/net client to Linux: {result}")
    time.sleep(0.5)
    peer.terminate()
    out = peer.communicate(timeout=10)[0]
    print(out.strip())
    if peer.returncode != 0:
        failures.append("linux_peer: " + out)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
