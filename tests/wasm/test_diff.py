"""Differential tests: pusvm against Debian's wasm-interp (wabt).

Both engines run the same modules with --run-all-exports and must print the
same results; where both trap, the trap kinds must agree too.
- the benchmark kernels (apps/kernels/*.h), built for bare wasm32 with
  clang-14 -nostdlib (wasm-interp has no WASI), at small sizes;
- random modules from gen_module.py, converted with wat2wasm.
"""
import pathlib
import re
import subprocess

import pytest

from pusdirs import BUILD, ROOT

PUSVM = BUILD / "bin" / "pusvm"
HERE = pathlib.Path(__file__).parent
KERNELS = {"sieve": 30000, "matmul": 24, "sha256": 16, "sort": 5000, "fib": 20}
SEEDS = range(60)

# Trap messages of the two engines, reduced to one word each.
TRAP_KINDS = [("divide by zero", "div0"), ("integer overflow", "overflow"),
              ("invalid conversion", "conversion"), ("out of bounds memory", "oob"),
              ("memory access out of bounds", "oob"), ("unreachable", "unreachable"),
              ("call stack exhausted", "exhausted")]

# Freestanding helpers clang may call for loops it recognises.
SHIM = r"""
void *memset(void *d, int c, unsigned long n) {
    volatile unsigned char *p = d; while (n--) *p++ = (unsigned char)c; return d; }
void *memcpy(void *d, const void *s, unsigned long n) {
    volatile unsigned char *p = d; const unsigned char *q = s; while (n--) *p++ = *q++; return d; }
"""


def normalise(text):
    lines = []
    for line in text.strip().splitlines():
        m = re.match(r"^(\S+\(.*?\)) => error: (.*)$", line)
        if m:
            kind = next((k for pat, k in TRAP_KINDS if pat in m.group(2)), m.group(2))
            line = f"{m.group(1)} => trap {kind}"
        lines.append(line)
    return lines


def run_both(wasm):
    ref = subprocess.run(["wasm-interp", str(wasm), "--run-all-exports"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    ours = subprocess.run([str(PUSVM), "--run-all-exports", str(wasm)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    assert ours.returncode == 0, ours.stdout.decode()
    return normalise(ref.stdout.decode()), normalise(ours.stdout.decode())


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_kernel(name, tmp_path):
    src = tmp_path / f"{name}.c"
    src.write_text(SHIM + f'#include "kernels/{name}.h"\n'
                   f"unsigned {name}(void) {{ return {name}_kernel({KERNELS[name]}); }}\n")
    wasm = tmp_path / f"{name}.wasm"
    subprocess.run(["clang-14", "--target=wasm32", "-nostdlib", "-Wl,--no-entry",
                    f"-Wl,--export={name}", "-O2", "-I", str(ROOT / "apps"), "-o", str(wasm),
                    str(src)], check=True)
    ref, ours = run_both(wasm)
    assert len(ref) == 1 and ref[0].startswith(f"{name}() => i32:"), ref
    assert ours == ref


@pytest.mark.parametrize("seed", SEEDS)
def test_generated(seed, tmp_path):
    import sys
    sys.path.insert(0, str(HERE))
    from gen_module import Gen
    wat = tmp_path / f"gen{seed}.wat"
    wat.write_text(Gen(seed).module())
    wasm = tmp_path / f"gen{seed}.wasm"
    subprocess.run(["wat2wasm", str(wat), "-o", str(wasm)], check=True)
    ref, ours = run_both(wasm)
    assert len(ref) > 0
    diffs = [(a, b) for a, b in zip(ref, ours) if a != b]
    assert ours == ref, f"seed {seed}: first differences {diffs[:5]}\n{wat.read_text()[:3000]}"
