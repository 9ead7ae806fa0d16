"""The spec tests on RISC-V: the runtime built for rv64gc (hardware FP, as in
the kernel) with picolibc, run bare-metal in qemu-system-riscv64.

Every non-SIMD file runs (~20 s). Floating point is where RISC-V and the
wasm spec disagree (NaNs, fmin/fmax, conversions); this test found
picolibc's floor/ceil giving wrong results for some large values.
"""
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, SHARED

SUITE = SHARED / "wasm-testsuite"
CROSS = "riscv64-unknown-elf-gcc"
QEMU = "qemu-system-riscv64"


def files():
    return sorted(p.name[:-5] for p in SUITE.glob("*.wast") if not p.name.startswith("simd_"))


@pytest.mark.skipif(not shutil.which(CROSS) or not shutil.which(QEMU),
                    reason="needs riscv64-unknown-elf-gcc and qemu-system-riscv64")
def test_spec_on_riscv(tmp_path):
    elf = tmp_path / "spec_rv.elf"
    srcs = ([ROOT / "tests" / "wasm" / "riscv_spec_main.c"] +
            [ROOT / "tools" / "pusvm" / n for n in ("spec.c", "json.c", "util.c")] +
            sorted((ROOT / "lib" / "wasm").glob("*.c")) + [ROOT / "lib" / "util" / "err.c"])
    subprocess.run([CROSS, "--specs=picolibc.specs", "--oslib=semihost", "-march=rv64gc",
                    "-mabi=lp64d", "-mcmodel=medany", "-O2", "-std=gnu11", "-D_GNU_SOURCE",
                    f"-I{ROOT}/include", f"-I{ROOT}/lib", f"-I{ROOT}/tools/pusvm",
                    "-Wl,--defsym=__flash=0x80000000", "-Wl,--defsym=__flash_size=0x400000",
                    "-Wl,--defsym=__ram=0x80400000", "-Wl,--defsym=__ram_size=0x1fc00000",
                    "-Wl,--defsym=__stack_size=0x10000", "-o", str(elf)] +
                   [str(s) for s in srcs] + ["-lm"], check=True)
    names = files()
    for n in names:
        subprocess.run(["wast2json", str(SUITE / f"{n}.wast"), "-o", str(tmp_path / f"{n}.json")],
                       check=True, stdout=subprocess.DEVNULL)
    (tmp_path / "rv_list.txt").write_text("".join(f"{n}.json\n" for n in names))
    proc = subprocess.run([QEMU, "-M", "virt", "-m", "600M", "-bios", "none", "-kernel", str(elf),
                           "-semihosting-config", "enable=on,target=native", "-nographic",
                           "-monitor", "none", "-serial", "none"], cwd=tmp_path,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    out = proc.stdout.decode(errors="replace")
    totals = [0, 0, 0]
    for name, summary in re.findall(r"^== (\S+)\n(?:.*\n)*?(\d+ passed, \d+ failed, \d+ skipped)$",
                                    out, re.M):
        counts = list(map(int, re.findall(r"\d+", summary)))
        totals = [a + b for a, b in zip(totals, counts)]
        print(f"riscv {name}: {summary}")
    print(f"riscv total over {len(names)} files: {totals[0]} passed, {totals[1]} failed, "
          f"{totals[2]} skipped")
    assert "riscv done 0" in out and proc.returncode == 0, out[-20000:]
    assert totals[1] == 0 and totals[0] > 0
