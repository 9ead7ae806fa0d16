"""Boot a PusOS node under QEMU and talk to its serial console (pexpect).

Tests wait for what the node prints, never for fixed sleeps. Timeouts are
generous because CI's 2-core machine may be busy; the console of every node
is copied to build/test-logs/ for post-mortems.
"""
import os
import pathlib
import re
import signal
import time

import pexpect

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
KERNEL = ROOT / "build" / "pusos.elf"
LOGS = ROOT / "build" / "test-logs"
PROMPT = "pus> "
READY = re.compile(r"pusos: ready \(version (\S+), (\d+) harts, (\d+) MiB RAM")
BOOT_TIMEOUT = 60
CMD_TIMEOUT = 120


class Node:
    def __init__(self, name="node", smp=2, mem="128M", append="", extra=(), disk=None, rng=True,
                 kernel=None):
        self.name = name
        self.kernel = pathlib.Path(kernel) if kernel else KERNEL   # another build's image
        self.smp = smp
        self.mem = mem
        self.append = append
        self.extra = list(extra)
        self.disk = disk
        self.rng = rng
        self.child = None
        self.ready_match = None
        LOGS.mkdir(parents=True, exist_ok=True)
        self.logfile = open(LOGS / f"{name}.log", "a", encoding="utf-8", errors="replace")

    def qemu_args(self):
        args = ["-machine", "virt", "-nographic", "-m", self.mem, "-smp", str(self.smp),
                "-kernel", str(self.kernel), "-no-reboot"]
        if self.append:
            args += ["-append", self.append]
        if self.disk:
            args += ["-drive", f"file={self.disk},if=none,format=raw,id=disk0",
                     "-device", "virtio-blk-device,drive=disk0"]
        args += self.extra
        # Host entropy for the kernel's random source; last, so that it does
        # not move the other virtio devices to other slots.
        if self.rng:
            args += ["-object", "rng-random,filename=/dev/urandom,id=pusrng",
                     "-device", "virtio-rng-device,rng=pusrng"]
        return args

    def start(self, no_reboot=True):
        if not self.kernel.exists():
            raise FileNotFoundError(f"{self.kernel} is missing: run make first")
        args = self.qemu_args()
        if not no_reboot:
            args.remove("-no-reboot")
        self.logfile.write(f"\n===== qemu-system-riscv64 {' '.join(args)}\n")
        self.child = pexpect.spawn("qemu-system-riscv64", args, timeout=CMD_TIMEOUT,
                                   logfile=self.logfile, encoding="utf-8", codec_errors="replace",
                                   env={**os.environ, "TERM": "dumb"})
        return self

    def wait_ready(self, timeout=BOOT_TIMEOUT):
        self.child.expect(READY, timeout=timeout)
        self.ready_match = self.child.match
        self.child.expect_exact(PROMPT, timeout=timeout)
        return self

    def boot(self, **kw):
        return self.start(**kw).wait_ready()

    def run(self, command, timeout=CMD_TIMEOUT):
        """Run a shell command; return its output (without echo and prompt)."""
        self.child.sendline(command)
        self.child.expect_exact(command, timeout=timeout)      # our echo
        self.child.expect_exact(PROMPT, timeout=timeout)
        out = self.child.before
        return out.replace("\r", "").strip("\n")

    def expect(self, pattern, timeout=CMD_TIMEOUT):
        self.child.expect(pattern, timeout=timeout)
        return self.child.match

    def sendline(self, line):
        self.child.sendline(line)

    def wait_exit(self, timeout=CMD_TIMEOUT):
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus, self.child.signalstatus

    def close(self):
        if self.child is not None and self.child.isalive():
            self.child.kill(signal.SIGKILL)
            self.child.close(force=True)
        self.logfile.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
