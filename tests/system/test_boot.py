"""The boot contract: ready line with version, harts and memory, then the
prompt; devicetree facts reach the kernel; bootargs are parsed."""
import re

import pytest

from node import Node


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_boot_to_ready(smp):
    with Node(f"boot-smp{smp}", smp=smp) as n:
        n.boot()
        version, harts, mib = n.ready_match.groups()
        assert int(harts) == smp
        assert int(mib) == 128
        assert version.count(".") == 2
        threads = n.run("threads")
        # one idle thread per hart, each pinned to its own hart
        idle = [l for l in threads.splitlines() if l.startswith("idle")]
        assert len(idle) == smp, threads


def test_boot_in_16_mib():
    with Node("boot-16m", smp=2, mem="16M") as n:
        n.boot()
        assert int(n.ready_match.group(3)) == 16
        assert "heap" in n.run("mem")


def test_bootargs_reach_the_kernel():
    secret = "00112233445566778899aabbccddeeff"
    with Node("bootargs", append=f'node=3 ip=10.77.0.2/24 name="fog node" key={secret} loglevel=info') as n:
        n.boot()
        out = n.run("bootargs")
        assert 'node=3 ip=10.77.0.2/24 name="fog node" key=*** loglevel=info' in out
        # The cluster key never reaches the console or the log.
        assert secret not in out
        assert secret not in n.run("log")


def idle_ticks(node):
    m = re.search(r"idle tick every (\d+) us, (\d+) so far", node.run("uptime"))
    return (int(m.group(1)), int(m.group(2))) if m else None


def test_idle_tick_option():
    """idle_tick_us=N wakes the boot hart every N us (a latency option for
    emulated hosts, off by default); a value out of range is refused."""
    with Node("idletick", append="idle_tick_us=1000") as n:
        n.boot()
        assert "idle tick: every 1000 us on the boot hart" in n.run("log")
        period, first = idle_ticks(n)
        assert period == 1000
        for _ in range(200):            # until it has fired a few more times
            if idle_ticks(n)[1] >= first + 20:
                break
        else:
            raise AssertionError("the idle tick does not fire")
    with Node("idletick-bad", append="idle_tick_us=5") as n:
        n.boot()
        assert "idle_tick_us=5: out of range (100 to 100000, or 0 for none); no idle tick" in n.run("log")
        assert idle_ticks(n) is None


def test_shell_basics():
    with Node("shell") as n:
        n.boot()
        assert "PusOS" in n.run("version")
        assert "up " in n.run("uptime")
        out = n.run("date")
        assert "UTC" in out and out[:2] == "20"
        assert "threads" in n.run("help")
        assert "error: unknown command 'frobnicate'" in n.run("frobnicate")
        assert "usage: log" in n.run("log -x")
        log = n.run("log")
        assert "PusOS" in log
        assert "allocations" in n.run("mem")


def test_line_editing():
    with Node("lineedit") as n:
        n.boot()
        # Type "versoin", fix it with backspaces, run it.
        n.child.send("versoin\x7f\x7f\x7fion\r")
        n.expect("PusOS")
        n.expect(r"pus> ")
        # Up arrow recalls the last command.
        n.child.send("\x1b[A\r")
        n.expect("PusOS")
        n.expect(r"pus> ")
