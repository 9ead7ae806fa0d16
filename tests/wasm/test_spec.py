"""The WebAssembly core spec test suite against pusvm.

Each .wast in $PUS_SHARED/wasm-testsuite is converted with Debian's wast2json
at test time (into a temporary directory) and run with `pusvm --spec`; one
pytest item per file. SIMD is not implemented yet, so simd_* files are
skipped. Every other assertion must pass. Per-file and total counts are
printed (visible with -s, and in the terminal summary).
"""
import os
import re
import subprocess

import pytest

from pusdirs import BUILD, SHARED

SUITE = SHARED / "wasm-testsuite"
PUSVM = BUILD / "bin" / "pusvm"
FILES = sorted(p.name[:-5] for p in SUITE.glob("*.wast")) if SUITE.is_dir() else []
TOTALS = {"passed": 0, "failed": 0, "skipped": 0, "files": 0}
LINES = []


@pytest.fixture(scope="module")
def outdir(tmp_path_factory, request):
    yield tmp_path_factory.mktemp("wast")
    # per-file and total counts, shown even when output is captured
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capman = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter and capman and TOTALS["files"]:
        with capman.global_and_fixture_disabled():
            report(reporter)


def report(reporter):
    reporter.write_line("")
    for line in LINES:
        reporter.write_line(line)
    reporter.write_line(f"spec total over {TOTALS['files']} files: {TOTALS['passed']} passed, "
                        f"{TOTALS['failed']} failed, {TOTALS['skipped']} skipped "
                        f"(+{len([f for f in FILES if f.startswith('simd_')])} simd_* files "
                        f"skipped: SIMD not implemented yet)")


@pytest.mark.parametrize("name", FILES)
def test_spec(name, outdir):
    if name.startswith("simd_"):
        pytest.skip("SIMD not implemented yet")
    assert PUSVM.exists(), "build pusvm first (make host)"
    json = outdir / f"{name}.json"
    conv = subprocess.run(["wast2json", str(SUITE / f"{name}.wast"), "-o", str(json)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert conv.returncode == 0, conv.stdout.decode(errors="replace")
    proc = subprocess.run([str(PUSVM), "--spec", str(json)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=300)
    out = proc.stdout.decode(errors="replace")
    m = re.search(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", out, re.M)
    assert m, f"no summary line (exit {proc.returncode}):\n{out[-5000:]}"
    passed, failed, skipped = map(int, m.groups())
    TOTALS["passed"] += passed
    TOTALS["failed"] += failed
    TOTALS["skipped"] += skipped
    TOTALS["files"] += 1
    LINES.append(f"spec {name}: {passed} passed, {failed} failed, {skipped} skipped")
    print(LINES[-1])
    assert failed == 0 and proc.returncode == 0, out[-20000:]


def test_spec_total(outdir):
    """The total over the files run in this session (runs last)."""
    print(f"spec total over {TOTALS['files']} files: {TOTALS['passed']} passed, "
          f"{TOTALS['failed']} failed, {TOTALS['skipped']} skipped")
    assert TOTALS["failed"] == 0
