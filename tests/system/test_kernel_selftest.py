"""In-kernel self-tests (threads, priorities, mutexes across harts,
semaphores, timeouts, sleep ordering, heap stress) on 1, 2 and 4 harts."""
import re

import pytest

from node import Node


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_selftests_pass(smp):
    with Node(f"selftest-smp{smp}", smp=smp) as n:
        n.boot()
        out = n.run("test", timeout=300)
        summary = re.search(r"ktest: (\d+) passed, (\d+) failed", out)
        assert summary, out
        failed = [l for l in out.splitlines() if "FAIL" in l]
        assert summary.group(2) == "0", "\n".join(failed) + "\n" + out
        assert int(summary.group(1)) >= 12
