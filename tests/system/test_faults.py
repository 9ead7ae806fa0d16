"""Faults print a register dump and a symbolized backtrace, then follow
the panic policy: reboot (default) or halt. Power control ends QEMU."""
import pexpect
import pytest

from node import Node


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


def test_panic_halt_policy():
    with Node("fault-halt", append="panic=halt") as n:
        n.boot()
        n.sendline("crash panic")
        n.expect("KERNEL PANIC")
        n.expect("halting")
        with pytest.raises(pexpect.TIMEOUT):
            n.expect("pusos: ready", timeout=5)


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
