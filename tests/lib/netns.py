"""A network namespace with a tap device, for testing a node against Linux.

    with NetNS() as ns:                      # creates pusns-<pid>-<n> + tap
        with ns.node("name", append="ip=10.77.0.2/24 gw=10.77.0.1") as n:
            n.boot()
            ns.run(["ping", "-c", "1", "10.77.0.2"])
            s = ns.socket(socket.AF_INET, socket.SOCK_STREAM)   # lives in the namespace

The host side of the tap is 10.77.0.1/24 inside the namespace; QEMU runs
inside the namespace (`ip netns exec`) on `-netdev tap,...,script=no`.
Everything is removed on exit, even after a failure: processes still in the
namespace are killed, then the namespace (and with it the tap) is deleted.
Every command has a timeout. Needs root.
"""
import ctypes
import fcntl
import heapq
import itertools
import os
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time

import pexpect

from node import Node

HOST_ADDR = "10.77.0.1"
NODE_ADDR = "10.77.0.2"
CLONE_NEWNET = 0x40000000
CMD_TIMEOUT = 30
_counter = itertools.count()
_libc = ctypes.CDLL(None, use_errno=True)


def available():
    """'' if namespaces and taps can be used here, else the reason why not."""
    if os.geteuid() != 0:
        return "needs root"
    if not shutil.which("ip") or not shutil.which("qemu-system-riscv64"):
        return "needs iproute2 and qemu-system-riscv64"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    probe = "pusprobe-%d" % os.getpid()
    ok = subprocess.run(["ip", "netns", "add", probe], capture_output=True,
                        timeout=CMD_TIMEOUT).returncode == 0
    subprocess.run(["ip", "netns", "del", probe], capture_output=True, timeout=CMD_TIMEOUT)
    return "" if ok else "cannot create network namespaces"


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "setns: " + os.strerror(e))


class NetNS:
    def __init__(self, host_addr=HOST_ADDR + "/24", tap=None, name=None):
        n = next(_counter)
        self.name = name or "pusns-%d-%d" % (os.getpid(), n)
        self.tap = tap or "pt%d%d" % (os.getpid() % 100000, n)
        self.host_addr = host_addr
        self.nodes = []
        self.procs = []
        self.relays = []

    # ---- setup and teardown -------------------------------------------------

    def ip(self, *args, check=True):
        return subprocess.run(["ip", "-n", self.name] + list(args), capture_output=True,
                              text=True, timeout=CMD_TIMEOUT, check=check)

    def __enter__(self):
        subprocess.run(["ip", "netns", "add", self.name], check=True, capture_output=True,
                       timeout=CMD_TIMEOUT)
        try:
            self.ip("link", "set", "lo", "up")
            self.add_tap(self.tap, self.host_addr)
        except BaseException:
            self.close()
            raise
        return self

    def add_tap(self, tap, addr=None):
        self.ip("tuntap", "add", "dev", tap, "mode", "tap")
        if addr:
            self.ip("addr", "add", addr, "dev", tap)
        self.ip("link", "set", tap, "up")

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for r in self.relays:
            r.stop()
        for n in self.nodes:
            try:
                n.close()
            except Exception:
                pass
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            try:
                p.wait(timeout=5)
            except Exception:
                pass
        # Anything else still running in the namespace (QEMU keeps the tap).
        r = subprocess.run(["ip", "netns", "pids", self.name], capture_output=True, text=True,
                           timeout=CMD_TIMEOUT)
        for pid in r.stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True,
                       timeout=CMD_TIMEOUT)

    # ---- running things inside ----------------------------------------------

    def cmd(self, argv):
        return ["ip", "netns", "exec", self.name] + list(argv)

    def run(self, argv, timeout=CMD_TIMEOUT, check=False, **kw):
        return subprocess.run(self.cmd(argv), capture_output=True, text=True, timeout=timeout,
                              check=check, **kw)

    def popen(self, argv, **kw):
        p = subprocess.Popen(self.cmd(argv), **kw)
        self.procs.append(p)
        return p

    def socket(self, *args, **kw):
        """A socket created inside the namespace (usable from any thread)."""
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open("/run/netns/" + self.name, os.O_RDONLY)
        try:
            _setns(target)
            try:
                return socket.socket(*args, **kw)
            finally:
                _setns(own)
        finally:
            os.close(own)
            os.close(target)

    def connect(self, addr, port, timeout=30):
        s = self.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect((addr, port))
        return s

    def node(self, name, append="ip=10.77.0.2/24 gw=10.77.0.1", tap=None, extra=(), **kw):
        """A node whose first NIC is on the tap (QEMU's default vnet_hdr)."""
        tap = tap or self.tap
        net = ["-netdev", f"tap,id=n0,ifname={tap},script=no,downscript=no",
               "-device", "virtio-net-device,netdev=n0"]
        n = NSNode(self, name, append=append, extra=net + list(extra), **kw)
        self.nodes.append(n)
        return n


    def impaired_node(self, name, append="ip=10.77.0.2/24 gw=10.77.0.1", extra=(), **impair):
        """A node behind Impairment (netem's job in user space, both ways):
        QEMU sends its frames as UDP datagrams to a relay in the namespace,
        which passes them to and from the tap."""
        relay = Impairment(self, **impair)
        self.relays.append(relay)
        net = ["-netdev", f"socket,id=n0,udp=127.0.0.1:{relay.port},localaddr=127.0.0.1:{relay.qemu_port}",
               "-device", "virtio-net-device,netdev=n0"]
        n = NSNode(self, name, append=append, extra=net + list(extra))
        self.nodes.append(n)
        return n


TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000


class Impairment:
    """Relays Ethernet frames between QEMU (UDP datagrams) and the tap,
    dropping `loss`, duplicating `dup`, holding back `reorder` of them
    behind the next frame, and delaying all by `delay` seconds, in both
    directions. For hosts whose kernel has no sch_netem."""

    def __init__(self, ns, loss=0.05, dup=0.01, reorder=0.10, delay=0.005, seed=1):
        self.ns, self.loss, self.dup, self.reorder, self.delay = ns, loss, dup, reorder, delay
        self.rnd = random.Random(seed)
        self.stopping = False
        self.stats = {"frames": 0, "dropped": 0, "duplicated": 0, "reordered": 0}
        ready = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        if not ready.wait(10) or self.error:
            raise RuntimeError(f"impairment relay did not start: {self.error}")

    def _run(self, ready):
        try:
            fd = os.open("/run/netns/" + self.ns.name, os.O_RDONLY)
            try:
                _setns(fd)              # this thread only
            finally:
                os.close(fd)
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(("127.0.0.1", 0))
            self.port = self.udp.getsockname()[1]
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            probe.bind(("127.0.0.1", 0))
            self.qemu_port = probe.getsockname()[1]
            probe.close()
            self.tap = os.open("/dev/net/tun", os.O_RDWR)
            fcntl.ioctl(self.tap, TUNSETIFF, struct.pack("16sH", self.ns.tap.encode(), IFF_TAP | IFF_NO_PI))
        except Exception as e:
            self.error = e
            ready.set()
            return
        ready.set()
        queue, seq, held = [], itertools.count(), {}

        def schedule(frame, to_tap):
            self.stats["frames"] += 1
            r = self.rnd.random()
            if r < self.loss:
                self.stats["dropped"] += 1
                return
            copies = 2 if self.rnd.random() < self.dup else 1
            self.stats["duplicated"] += copies - 1
            if held.get(to_tap) is None and self.rnd.random() < self.reorder:
                held[to_tap] = frame            # goes out after the next frame
                self.stats["reordered"] += 1
                return
            due = time.monotonic() + self.delay
            for _ in range(copies):
                heapq.heappush(queue, (due, next(seq), frame, to_tap))
            if held.get(to_tap) is not None:
                heapq.heappush(queue, (due, next(seq), held.pop(to_tap), to_tap))

        while not self.stopping:
            timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 0.1
            rl, _, _ = select.select([self.udp, self.tap], [], [], min(timeout, 0.1))
            try:
                if self.udp in rl:
                    schedule(self.udp.recv(65536), True)
                if self.tap in rl:
                    schedule(os.read(self.tap, 65536), False)
            except OSError as e:        # e.g. an ICMP error queued on the socket
                self.stats["errors"] = self.stats.get("errors", 0) + 1
                self.error = e
            now = time.monotonic()
            while queue and queue[0][0] <= now:
                _, _, frame, to_tap = heapq.heappop(queue)
                try:
                    if to_tap:
                        os.write(self.tap, frame)
                    else:
                        self.udp.sendto(frame, ("127.0.0.1", self.qemu_port))
                except OSError:
                    pass
        self.udp.close()
        os.close(self.tap)

    def stop(self):
        self.stopping = True
        self.thread.join(5)


class NSNode(Node):
    """A Node whose QEMU runs inside the namespace."""

    def __init__(self, ns, name, **kw):
        super().__init__(name, **kw)
        self.ns = ns

    def start(self, no_reboot=True):
        if not self.kernel.exists():
            raise FileNotFoundError(f"{self.kernel} is missing: run make first")
        args = self.qemu_args()
        if not no_reboot:
            args.remove("-no-reboot")
        argv = self.ns.cmd(["qemu-system-riscv64"] + args)
        self.logfile.write(f"\n===== {' '.join(argv)}\n")
        self.child = pexpect.spawn(argv[0], argv[1:], timeout=120, logfile=self.logfile,
                                   encoding="utf-8", codec_errors="replace",
                                   env={**os.environ, "TERM": "dumb"})
        return self

    def console_tail(self, timeout=2):
        """Whatever the node printed that nobody read yet (a panic while a
        test was busy elsewhere); also copies it to the log file."""
        try:
            self.child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=timeout)
            return (self.child.before or "")[-4000:]
        except Exception as e:
            return f"(console unreadable: {e})"

    def close(self):
        if self.logfile.closed:
            return
        super().close()
