"""Faults print a register dump and a symbolized backtrace, then follow
the panic policy: reboot (default) or halt. Power control ends QEMU."""
import re
import subprocess

import pytest

from node import KERNEL, Node
from qmp import qmp


@pytest.mark.parametrize("kind,cause", [
    ("null", "load page fault"),
    ("text", "store page fault"),
    ("stack", "stack overflow"),
])
def test_fault_dumps_and_reboots(kind, cause):
    with Node(f"fault-{kind}") as n:
        n.boot(no_reboot=False)
        n.sendline(f"crash {kind}")
        n.expect("KERNEL PANIC")
        n.expect(cause)
        n.expect(r"ra [0-9a-f]{16}")          # register dump
        n.expect(r"backtrace:")
        n.expect(r"cmd_crash|overflow_thread|recurse")   # symbolized
        n.expect("rebooting")
        n.wait_ready()                        # the node came back by itself


def symbol_range(name):
    """[start, end) of a function of the kernel image, from its symbol table."""
    out = subprocess.run(["nm", "-S", str(KERNEL)], check=True, capture_output=True,
                         text=True, timeout=60).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[3] == name:
            return int(f[0], 16), int(f[0], 16) + int(f[1], 16)
    raise AssertionError(f"{name} not in {KERNEL}")


def test_panic_halt_policy(tmp_path):
    """Positive signs of a halt instead of a wait for a reboot that does not
    come: the node says it halts, QEMU (started with -no-reboot, so a reboot
    would end it) is still running, and the panicking hart sits in the halt
    loop of stop_or_reboot()."""
    sock = str(tmp_path / "qmp.sock")
    with Node("fault-halt", append="panic=halt",
              extra=["-qmp", f"unix:{sock},server=on,wait=off"]) as n:
        n.boot()
        n.sendline("crash panic")
        n.expect("KERNEL PANIC")
        n.expect(r"panic: halting \(panic=halt\)")
        status = qmp(sock, "query-status")
        assert status["running"] and status["status"] == "running", status
        assert n.child.isalive()
        lo, hi = symbol_range("stop_or_reboot")
        regs = qmp(sock, "human-monitor-command", {"command-line": "info registers -a"})
        pcs = [int(pc, 16) for pc in re.findall(r"\bpc\s+([0-9a-f]{16})", regs)]
        assert len(pcs) == n.smp, regs
        assert any(lo <= pc < hi for pc in pcs), (hex(lo), [hex(pc) for pc in pcs])
        assert "rebooting" not in n.child.before


def test_reboot_command():
    with Node("reboot") as n:
        n.boot(no_reboot=False)
        n.sendline("reboot")
        n.expect("rebooting")
        n.wait_ready()


def test_reboot_ends_qemu_with_no_reboot():
    with Node("reboot-exit") as n:
        n.boot()
        n.sendline("reboot")
        n.wait_exit(timeout=60)


def test_poweroff_ends_qemu():
    with Node("poweroff") as n:
        n.boot()
        n.sendline("poweroff")
        n.expect("powering off")
        status, sig = n.wait_exit(timeout=60)
        assert sig is None
