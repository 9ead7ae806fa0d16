"""Runs every libFuzzer target for a bounded time (FUZZ_SECONDS, default 10).

`make test` keeps this short; `make fuzz` runs each target for longer. A seed
corpus may live in tests/fuzz/corpus/NAME/; new inputs go to a temporary
directory so the repository is never written.
"""
import os
import subprocess
import tempfile

import pytest

from pusdirs import ROOT, read_list

TARGETS = read_list("fuzz-targets.list")
SECONDS = int(os.environ.get("FUZZ_SECONDS", "10"))


@pytest.mark.parametrize("target", TARGETS, ids=[os.path.basename(t) for t in TARGETS])
def test_fuzz(target):
    name = os.path.basename(target)
    seeds = ROOT / "tests" / "fuzz" / "corpus" / name
    with tempfile.TemporaryDirectory() as work:
        args = [str(ROOT / target), f"-max_total_time={SECONDS}", "-timeout=10",
                "-rss_limit_mb=2048", f"-artifact_prefix={work}/", work]
        if seeds.is_dir():
            args.append(str(seeds))
        proc = subprocess.run(args, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=SECONDS + 300)
        out = proc.stdout.decode(errors="replace")
        assert proc.returncode == 0, f"{name} found a problem:\n{out[-20000:]}"
