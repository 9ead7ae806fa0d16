"""Interrupt-driven console output: big outputs arrive complete and in
order, lines from several threads stay whole, input still works, writers
that cannot sleep drop whole lines and say so, and a panic sends what was
queued before its own report."""
import re

import pytest

from node import Node

FLOOD_LINE = re.compile(r"^flood (\d+) (\d+) abcdefghijklmnopqrstuvwxyz0123456789 end \1 \2$")


def check_flood(out, writers, lines):
    """Every line whole; each writer's lines all there, in order."""
    seen = {w: [] for w in range(writers)}
    body = out.splitlines()
    assert body[-1] == "flood done", body[-3:]
    for line in body[:-1]:
        m = FLOOD_LINE.match(line)
        assert m, f"mangled line: {line!r}"
        seen[int(m.group(1))].append(int(m.group(2)))
    for w in range(writers):
        assert seen[w] == list(range(lines)), f"writer {w}: {len(seen[w])} lines, out of order or missing"


def stats(node):
    out = node.run("console")
    fields = dict(re.findall(r"(queued|sent|in ring|dropped|waits for room) (\d+)", out))
    return out, {k: int(v) for k, v in fields.items()}


def test_output_is_interrupt_driven_and_large_output_is_complete():
    with Node("console-big", smp=2) as n:
        n.boot()
        out, before = stats(n)
        assert "output: interrupt-driven, FIFO 16 bytes" in out, out
        check_flood(n.run("console flood 1 3000"), 1, 3000)     # ~190 KB, 23x the ring
        out, after = stats(n)
        # Threads wait for room instead of dropping; everything queued went out.
        assert after["dropped"] == before["dropped"] == 0, out
        assert after["waits for room"] > before["waits for room"], out
        assert after["sent"] + after["in ring"] == after["queued"], out


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_lines_from_several_threads_stay_whole_and_in_order(smp):
    with Node(f"console-threads-smp{smp}", smp=smp) as n:
        n.boot()
        check_flood(n.run("console flood 4 500"), 4, 500)
        out, s = stats(n)
        assert s["dropped"] == 0, out


def test_input_typed_during_output_is_kept():
    with Node("console-input", smp=2) as n:
        n.boot()
        # The second command is typed while the first is still printing.
        n.sendline("console flood 3 400")
        n.sendline("bootargs")
        n.expect("flood done")
        n.expect(r"pus> bootargs\r")           # read and echoed after the flood
        n.expect(r"pus> ")
        assert "interrupt-driven" in n.run("console")


def test_writers_that_cannot_sleep_drop_whole_lines_and_report_it():
    with Node("console-selftest", smp=2) as n:
        n.boot()
        out = n.run("test console", timeout=300)
        assert "ktest: 2 passed, 0 failed" in out, out
        printed = [l for l in out.splitlines() if l.startswith("console-print-test")]
        assert printed == ["console-print-test " + "." * 44] * 256
        dropped = [l for l in out.splitlines() if "console-drop-test" in l]
        assert dropped and all(
            l == "console-drop-test 0123456789abcdefghijklmnopqrstuvwxyz........" for l in dropped)
        m = re.search(r"^\[console: (\d+) bytes dropped\]$", out, re.M)
        assert m, out
        # 256 lines of 63 bytes were written; what was not printed was reported.
        assert int(m.group(1)) == (256 - len(dropped)) * 63


def test_panic_sends_queued_output_first():
    with Node("console-panic", smp=2, append="panic=halt") as n:
        n.boot()
        n.sendline("console panic")
        for i in range(50):
            n.expect(rf"queued before panic {i:02d} \.{{40}}\r*\n")
        n.expect(r"\*\*\* KERNEL PANIC: console test: panic with output queued")
        n.expect("backtrace:")
        n.expect("halting")
