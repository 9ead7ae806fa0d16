"""Runs every host unit test binary that `make` built (see mk/rules.mk).

Each binary is one pytest item; its cmocka output is shown on failure.
"""
import os
import subprocess

import pytest

from pusdirs import ROOT, SHARED, read_list

UNIT_TESTS = read_list("unit-tests.list")


@pytest.mark.parametrize("binary", UNIT_TESTS, ids=[os.path.basename(b) for b in UNIT_TESTS])
def test_unit(binary):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env["PUS_SHARED"] = str(SHARED)
    proc = subprocess.run([str(ROOT / binary)], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=600)
    out = proc.stdout.decode(errors="replace")
    assert proc.returncode == 0, f"{binary} exited {proc.returncode}:\n{out[-20000:]}"
