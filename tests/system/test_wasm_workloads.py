"""The compute workloads give the same checksums inside the node (wasm
under the kernel's interpreter, and as native kernel code through
`nativebench`) as with build/bin/pusvm on the host. Sizes are small so
the test stays quick under QEMU."""
import pathlib
import re
import subprocess

import pytest

from node import Node

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
PUSVM = ROOT / "build" / "bin" / "pusvm"
SIZES = {"sieve": 200000, "matmul": 60, "sha256": 256, "sort": 50000, "fib": 22}


def host_checksum(name, size):
    out = subprocess.run([str(PUSVM), str(ROOT / "build" / "apps" / f"{name}.wasm"), str(size)],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    m = re.search(rf"{name}\({size}\) checksum=0x[0-9a-f]+", out)
    assert m, out
    return m.group(0)


@pytest.fixture(scope="module")
def node():
    with Node("wasm-workloads", smp=2, mem="256M") as n:
        n.boot()
        yield n


@pytest.mark.parametrize("name", list(SIZES))
def test_workload_checksums_match_the_host(node, name):
    size = SIZES[name]
    want = host_checksum(name, size)
    out = node.run(f"wasm run {name} {size}", timeout=300)
    assert f"[{name}] {want}" in out, out
    assert f"app {name} exited with status 0" in out
    native = node.run(f"nativebench {name} {size}", timeout=300)
    assert want in native, native


@pytest.mark.parametrize("size,why", [
    ("12abc", "not a number"),       # was run as 12
    ("0x10", "not a number"),
    ("", "not a number"),
    ("0", "not a number"),
    ("513", "not a number 1..512"),  # matmul's arrays hold 512x512: was clamped silently
])
def test_nativebench_refuses_bad_sizes(node, size, why):
    out = node.run(f'nativebench matmul "{size}"')
    assert out.startswith(f"error: nativebench: matmul: size '{size}' is "), out
    assert why in out and "checksum" not in out, out
