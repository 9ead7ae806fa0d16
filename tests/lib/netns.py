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
import itertools
import os
import shutil
import signal
import socket
import subprocess

import pexpect

from node import KERNEL, Node

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


class NSNode(Node):
    """A Node whose QEMU runs inside the namespace."""

    def __init__(self, ns, name, **kw):
        super().__init__(name, **kw)
        self.ns = ns

    def start(self, no_reboot=True):
        if not KERNEL.exists():
            raise FileNotFoundError(f"{KERNEL} is missing: run make first")
        args = self.qemu_args()
        if not no_reboot:
            args.remove("-no-reboot")
        argv = self.ns.cmd(["qemu-system-riscv64"] + args)
        self.logfile.write(f"\n===== {' '.join(argv)}\n")
        self.child = pexpect.spawn(argv[0], argv[1:], timeout=120, logfile=self.logfile,
                                   encoding="utf-8", codec_errors="replace",
                                   env={**os.environ, "TERM": "dumb"})
        return self

    def close(self):
        if self.logfile.closed:
            return
        super().close()
