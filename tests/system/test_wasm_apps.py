"""WebAssembly apps in the node (services/apps): the built-in demos run from
the shell, print through the console, sleep without blocking, and can be
paused, resumed and stopped; traps and fuel exhaustion end an app with a
clear message while the shell keeps working."""
import re

import pytest

from node import Node, PROMPT


def cmd(n, line, until=PROMPT, timeout=120):
    """Send a command and wait for `until` (a regex or the prompt). Unlike
    Node.run this does not match the echo, which a background app's output
    may interleave with."""
    n.sendline(line)
    if until == PROMPT:
        n.child.expect_exact(PROMPT, timeout=timeout)
        return n.child.before.replace("\r", "")
    return n.expect(until, timeout=timeout)


@pytest.fixture(scope="module")
def node():
    with Node("wasm-apps", smp=2, mem="256M") as n:
        n.boot()
        yield n


def test_demos_are_listed(node):
    out = node.run("wasm demos")
    for name in ("hello", "counter", "sieve", "matmul", "sha256", "sort", "fib", "trap", "spin"):
        assert re.search(rf"^\s+{name}\s+\d+ bytes", out, re.M), out


def test_hello_runs_in_the_foreground(node):
    out = node.run("wasm run hello one two")
    assert "[hello] hello from PusOS wasm" in out
    assert "[hello] arg 1: one" in out
    assert "[hello] arg 2: two" in out
    assert re.search(r"app hello exited with status 0 after [\d.]+ s \(fuel \d+\)", out), out
    # stdout and pus_log both reach the kernel log ring
    log = node.run("log")
    assert "app hello: hello from PusOS wasm" in log
    assert "app hello: hello app started" in log


def test_counter_counts_once_a_second_and_pause_keeps_the_count(node):
    cmd(node, "wasm start c1 counter", r"app c1 started")
    first = cmd(node, "", r"\[c1\] count 1\r?\n")
    node.expect(r"\[c1\] count 2\r?\n", timeout=10)
    node.expect(r"\[c1\] count 3\r?\n", timeout=10)
    cmd(node, "wasm pause c1", r"app c1 paused")
    ps = cmd(node, "wasm ps", r"c1\s+paused\s+(\d+)\s+(\d+)\s+([\d.]+)")
    assert int(ps.group(2)) >= 1
    # nothing counts while paused: the next count comes only after resume
    node.child.expect_exact(PROMPT)
    out = cmd(node, "wasm ps")
    last = max(int(x) for x in re.findall(r"\[c1\] count (\d+)", out) or ["3"])
    cmd(node, "wasm resume c1", r"app c1 (running|sleeping)")
    m = node.expect(r"\[c1\] count (\d+)\r?\n", timeout=10)
    assert 4 <= int(m.group(1)) <= last + 1
    nxt = node.expect(r"\[c1\] count (\d+)\r?\n", timeout=10)
    assert int(nxt.group(1)) == int(m.group(1)) + 1
    cmd(node, "wasm stop c1", r"app c1 stopped")
    node.child.expect_exact(PROMPT)
    out = cmd(node, "wasm ps")
    assert "c1" not in out


def test_counter_with_a_limit_exits_by_itself(node):
    out = node.run("wasm run counter 3 100")
    assert "[counter] count 3" in out
    assert "app counter exited with status 0" in out


@pytest.mark.parametrize("kind,message", [
    ("unreachable", "unreachable"),
    ("oob", "out of bounds memory access"),
    ("div0", "integer divide by zero"),
])
def test_trap_is_reported_and_the_shell_goes_on(node, kind, message):
    out = node.run(f"wasm run trap {kind}")
    assert f"[trap] about to trap: {kind}" in out
    m = re.search(r"app trap trapped: trap: (.+) in function (\d+) at offset 0x([0-9a-f]+)", out)
    assert m, out
    assert message in m.group(1)
    assert int(m.group(2)) > 0
    assert "version" not in out
    assert "PusOS" in node.run("version")


def test_background_trap_shows_in_ps(node):
    cmd(node, "wasm start t1 trap", r"app t1 trapped: trap: unreachable in function \d+ at offset 0x[0-9a-f]+")
    node.child.expect_exact(PROMPT)
    out = node.run("wasm ps")
    assert re.search(r"t1\s+trapped\s+\d+\s+\d+\s+[\d.]+\s+trap: unreachable", out), out
    assert "app t1 forgotten" not in node.run("wasm stop t1")
    assert "t1" not in node.run("wasm ps")


def test_out_of_fuel_stops_the_app(node):
    out = node.run("wasm run -f 5000000 spin")
    assert "[spin] spinning" in out
    assert re.search(r"app spin out-of-fuel: out of fuel after \d+ units \(budget 5000000\)", out), out
    assert "PusOS" in node.run("version")


def test_runaway_app_does_not_starve_the_shell(node):
    cmd(node, "wasm start r1 spin", r"\[r1\] spinning")
    node.child.expect_exact(PROMPT)
    fuels = []
    for _ in range(5):
        out = node.run("wasm ps", timeout=10)
        m = re.search(r"r1\s+running\s+(\d+)", out)
        assert m, out
        fuels.append(int(m.group(1)))
        assert "up " in node.run("uptime", timeout=10)
    assert fuels[-1] > fuels[0]          # it really runs meanwhile
    cmd(node, "wasm pause r1", r"app r1 paused")
    node.child.expect_exact(PROMPT)
    a = re.search(r"r1\s+paused\s+(\d+)", node.run("wasm ps")).group(1)
    b = re.search(r"r1\s+paused\s+(\d+)", node.run("wasm ps")).group(1)
    assert a == b                        # paused means no fuel burnt
    cmd(node, "wasm resume r1", r"app r1 running")
    node.child.expect_exact(PROMPT)
    assert "app r1 stopped" in node.run("wasm stop r1")


def test_ctrl_c_stops_a_foreground_app(node):
    node.sendline("wasm run spin")
    node.expect(r"\[spin\] spinning")
    node.child.send("\x03")
    node.expect(r"app spin stopped: stopped")
    node.child.expect_exact(PROMPT)
    assert "PusOS" in node.run("version")


def test_bad_input_is_refused_cleanly(node):
    assert "error: wasm run: /nope.wasm: " in node.run("wasm run /nope.wasm") or \
        "cannot read /nope.wasm" in node.run("wasm run /nope.wasm")
    out = node.run("wasm start bad/name hello")
    assert "bad app name" in out
    cmd(node, "wasm start dup counter 0 5000", r"app dup started")
    node.child.expect_exact(PROMPT)
    assert "an app named 'dup' is running" in node.run("wasm start dup hello")
    assert "app dup stopped" in node.run("wasm stop dup")
    assert "no app named 'ghost'" in node.run("wasm pause ghost")
    assert "error: wasm run: bad option" in node.run("wasm run -x 1 hello")


def test_memory_cap_refuses_a_big_app(node):
    out = node.run("wasm run -p 16 sieve 1000")
    assert "error: wasm run: sieve:" in out, out
    assert "PusOS" in node.run("version")
