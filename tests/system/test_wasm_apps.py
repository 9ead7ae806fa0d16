"""WebAssembly apps in the node (services/apps): the built-in demos run from
the shell, print through the console, sleep without blocking, and can be
paused, resumed and stopped; traps and fuel exhaustion end an app with a
clear message while the shell keeps working."""
import re

import pytest

from node import Node, PROMPT


class Console:
    """The node's console as one transcript. Background apps print at any
    time, also between a command's echo and its prompt, so app output is
    looked for in everything read so far rather than in a command's output."""

    def __init__(self, node):
        self.node = node
        self.text = ""

    def cmd(self, line, timeout=120):
        """Run a shell command; returns what came until the next prompt."""
        mark = len(self.text)
        self.node.sendline(line)
        self.node.child.expect_exact(PROMPT, timeout=timeout)
        self.text += self.node.child.before.replace("\r", "") + PROMPT
        return self.text[mark:]

    def mark(self):
        return len(self.text)

    def wait(self, pattern, since, timeout=30):
        """Waits until pattern appears in the transcript after `since`."""
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.text, since)
            if m:
                return m
            # the raw console ends lines with \r\r\n
            self.node.child.expect(pattern.replace(r"\n", r"\r*\n"), timeout=timeout)
            self.text += (self.node.child.before + self.node.child.after).replace("\r", "")


@pytest.fixture(scope="module")
def node():
    with Node("wasm-apps", smp=2, mem="256M") as n:
        n.boot()
        yield n


@pytest.fixture
def con(node):
    return Console(node)


def test_demos_are_listed(con):
    out = con.cmd("wasm demos")
    for name in ("hello", "counter", "sieve", "matmul", "sha256", "sort", "fib", "trap", "spin"):
        assert re.search(rf"^\s+{name}\s+\d+ bytes", out, re.M), out


def test_hello_runs_in_the_foreground(con):
    out = con.cmd("wasm run hello one two")
    assert "[hello] hello from PusOS wasm" in out
    assert "[hello] arg 1: one" in out
    assert "[hello] arg 2: two" in out
    assert re.search(r"app hello exited with status 0 after [\d.]+ s \(run [\d.]+ s, fuel \d+\)", out), out
    # stdout and pus_log both reach the kernel log ring
    log = con.cmd("log")
    assert "app hello: hello from PusOS wasm" in log
    assert "app hello: hello app started" in log


def test_tiny_fuel_slices_still_finish(con):
    # A slice smaller than a block's cost: the interpreter charges a block
    # before running it, so without growing the slice the app never moved.
    for slice_ in ("1", "1000"):
        out = con.cmd(f"wasm run -s {slice_} hello")
        assert "[hello] hello from PusOS wasm" in out, out
        assert "app hello exited with status 0" in out, out


def test_counter_counts_once_a_second_and_pause_keeps_the_count(con):
    start = con.mark()
    assert "app c1 started" in con.cmd("wasm start c1 counter")
    con.wait(r"\[c1\] count 3\n", start, timeout=15)
    assert "app c1 paused" in con.cmd("wasm pause c1")
    ps = con.cmd("wasm ps")
    m = re.search(r"c1\s+paused\s+(\d+)\s+(\d+)\s+([\d.]+)", ps)
    assert m and int(m.group(2)) >= 1, ps
    last = max(int(x) for x in re.findall(r"\[c1\] count (\d+)", con.text))
    # paused across more than one tick (a foreground app sleeping 1.5 s
    # measures the time): nothing counts meanwhile
    paused = con.mark()
    assert "[counter] count 2" in con.cmd("wasm run counter 2 1500")
    resumed = con.mark()
    assert re.search(r"app c1 (running|sleeping)", con.cmd("wasm resume c1"))
    assert not re.search(r"\[c1\] count", con.text[paused:resumed])
    m = con.wait(r"\[c1\] count (\d+)\n", resumed, timeout=10)
    assert int(m.group(1)) == last + 1
    nxt = con.wait(r"\[c1\] count (\d+)\n", m.end(), timeout=10)
    assert int(nxt.group(1)) == last + 2
    assert "app c1 stopped" in con.cmd("wasm stop c1")
    assert "c1" not in con.cmd("wasm ps")


def test_counter_with_a_limit_exits_by_itself(con):
    out = con.cmd("wasm run counter 3 100")
    assert "[counter] count 3" in out
    assert "app counter exited with status 0" in out


@pytest.mark.parametrize("kind,message", [
    ("unreachable", "unreachable"),
    ("oob", "out of bounds memory access"),
    ("div0", "integer divide by zero"),
])
def test_trap_is_reported_and_the_shell_goes_on(con, kind, message):
    out = con.cmd(f"wasm run trap {kind}")
    assert f"[trap] about to trap: {kind}" in out
    m = re.search(r"app trap trapped: trap: (.+) in function (\d+) at offset 0x([0-9a-f]+)", out)
    assert m, out
    assert message in m.group(1)
    assert int(m.group(2)) > 0
    assert "PusOS" in con.cmd("version")


def test_background_trap_shows_in_ps(con):
    start = con.mark()
    con.cmd("wasm start t1 trap")
    con.wait(r"app t1 trapped: trap: unreachable\S* \S* ?in function \d+ at offset 0x[0-9a-f]+",
             start)
    out = con.cmd("wasm ps")
    assert re.search(r"t1\s+trapped\s+\d+\s+\d+\s+[\d.]+\s+trap: unreachable", out), out
    con.cmd("wasm stop t1")                  # forgets an ended app
    assert "t1" not in con.cmd("wasm ps")


def test_out_of_fuel_stops_the_app(con):
    out = con.cmd("wasm run -f 5000000 spin")
    assert "[spin] spinning" in out
    assert re.search(r"app spin out-of-fuel: out of fuel after \d+ units \(budget 5000000\)", out), out
    assert "PusOS" in con.cmd("version")


def test_runaway_app_does_not_starve_the_shell(con):
    start = con.mark()
    assert "app r1 started" in con.cmd("wasm start r1 spin")
    con.wait(r"\[r1\] spinning", start)
    fuels = []
    for _ in range(5):
        out = con.cmd("wasm ps", timeout=10)
        m = re.search(r"r1\s+running\s+(\d+)", out)
        assert m, out
        fuels.append(int(m.group(1)))
        assert "up " in con.cmd("uptime", timeout=10)
    assert fuels[-1] > fuels[0]          # it really runs meanwhile
    assert "app r1 paused" in con.cmd("wasm pause r1")
    a = re.search(r"r1\s+paused\s+(\d+)", con.cmd("wasm ps")).group(1)
    b = re.search(r"r1\s+paused\s+(\d+)", con.cmd("wasm ps")).group(1)
    assert a == b                        # paused means no fuel burnt
    assert "app r1 running" in con.cmd("wasm resume r1")
    assert "app r1 stopped" in con.cmd("wasm stop r1")


def test_ctrl_c_stops_a_foreground_app(con):
    start = con.mark()
    con.node.sendline("wasm run spin")
    con.wait(r"\[spin\] spinning", start)
    con.node.child.send("\x03")
    con.wait(r"app spin stopped: stopped", start)
    con.node.child.expect_exact(PROMPT)
    assert "PusOS" in con.cmd("version")


def test_bad_input_is_refused_cleanly(con):
    assert "error: wasm run: cannot read /nope.wasm: " in con.cmd("wasm run /nope.wasm")
    assert "bad app name" in con.cmd("wasm start bad/name hello")
    assert "app dup started" in con.cmd("wasm start dup counter 0 5000")
    assert "an app named 'dup' is running" in con.cmd("wasm start dup hello")
    assert "app dup stopped" in con.cmd("wasm stop dup")
    assert "no app named 'ghost'" in con.cmd("wasm pause ghost")
    assert "error: wasm run: bad option" in con.cmd("wasm run -x 1 hello")


def test_memory_cap_refuses_a_big_app(con):
    out = con.cmd("wasm run -p 16 sieve 1000")
    assert "error: wasm run: sieve:" in out, out
    assert "PusOS" in con.cmd("version")


def test_table_full_of_ended_apps_makes_room(con):
    start = con.mark()
    for i in range(1, 19):
        assert f"app h{i} started" in con.cmd(f"wasm start h{i} hello")
        con.wait(rf"app h{i}: exited with status 0", start)
    ps = con.cmd("wasm ps")
    names = re.findall(r"^(h\d+)\s+exited", ps, re.M)
    assert names == [f"h{i}" for i in range(3, 19)], ps   # the 16 newest, oldest first
    for i in range(3, 19):
        con.cmd(f"wasm stop h{i}")
    assert not re.search(r"^h\d+", con.cmd("wasm ps"), re.M)


def test_runaway_app_on_one_hart_leaves_the_shell_responsive():
    with Node("wasm-apps-smp1", smp=1, mem="128M") as n:
        n.boot()
        con = Console(n)
        start = con.mark()
        assert "app r started" in con.cmd("wasm start r spin")
        con.wait(r"\[r\] spinning", start)
        for _ in range(3):
            assert "up " in con.cmd("uptime", timeout=10)
            assert re.search(r"r\s+running\s+\d+", con.cmd("wasm ps", timeout=10))
        assert "app r stopped" in con.cmd("wasm stop r", timeout=10)
        # and a foreground app still gets the hart when nothing else runs
        assert "app hello exited with status 0" in con.cmd("wasm run hello")
