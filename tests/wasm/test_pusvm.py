"""pusvm running real clang-built WASI apps (build/apps, made by apps/module.mk).

Covers: output and arguments, exit status from proc_exit, files in the
preopened directory (--dir), sleeping as suspension (counter), traps with
function index and offset (exit 134), --fuel and --max-pages limits, and
the SDK's pus module. Each app is also compared with its native build where
it prints a checksum.
"""
import os
import subprocess

import pytest

from conftest import BUILD, ROOT

PUSVM = BUILD / "bin" / "pusvm"
APPS = BUILD / "apps"


@pytest.fixture(scope="module", autouse=True)
def built():
    subprocess.run(["make", "-s", "-C", str(ROOT), "build/bin/pusvm", "apps"], check=True,
                   timeout=600)


def run(args, cwd=None, timeout=60):
    return subprocess.run([str(PUSVM)] + [str(a) for a in args], cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def build_wasi(tmp_path, name, source):
    src = tmp_path / f"{name}.c"
    src.write_text(source)
    out = tmp_path / f"{name}.wasm"
    subprocess.run(["clang-14", "--target=wasm32-wasi", "-O2", "-I", str(ROOT / "sdk" / "include"),
                    "-o", str(out), str(src)], check=True)
    return out


def test_hello_prints_args_and_logs():
    p = run([APPS / "hello.wasm", "one", "two words"])
    assert p.returncode == 0
    assert p.stdout.decode() == "hello from PusOS wasm\narg 1: one\narg 2: two words\n"
    assert "[pus_log] hello app started" in p.stderr.decode()


def test_counter_sleeps_by_suspending():
    p = run([APPS / "counter.wasm", "3", "20"])
    assert p.returncode == 0
    assert p.stdout.decode() == "count 1\ncount 2\ncount 3\n"


@pytest.mark.parametrize("name,size", [("sieve", 100000), ("matmul", 40), ("sha256", 64),
                                       ("sort", 20000), ("fib", 22)])
def test_workload_matches_native(name, size, tmp_path):
    native = tmp_path / name
    subprocess.run(["gcc", "-O2", "-I", str(ROOT / "apps"), "-o", str(native),
                    str(ROOT / "apps" / f"{name}.c")], check=True)
    want = subprocess.run([str(native), str(size)], stdout=subprocess.PIPE, check=True).stdout
    p = run([APPS / f"{name}.wasm", size])
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout == want


def test_exit_status_and_files(tmp_path):
    app = build_wasi(tmp_path, "files", r'''
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) {
    FILE *f = fopen("in.txt", "r");
    char buf[64] = {0};
    if (!f || !fgets(buf, sizeof buf, f)) return 10;
    fclose(f);
    if (mkdir("sub", 0755)) return 11;
    f = fopen("sub/out.txt", "w");
    if (!f) return 12;
    fprintf(f, "got %s", buf);
    fclose(f);
    if (rename("sub/out.txt", "sub/moved.txt")) return 13;
    struct stat st;
    if (stat("sub/moved.txt", &st) || st.st_size != 4 + (long)strlen(buf)) return 14;
    int n = 0;
    DIR *d = opendir("sub");
    struct dirent *e;
    while ((e = readdir(d))) if (!strcmp(e->d_name, "moved.txt")) n++;
    closedir(d);
    if (n != 1) return 15;
    if (fopen("../escape.txt", "w")) return 16;
    FILE *g = fopen("sub/moved.txt", "r");
    fseek(g, 0, SEEK_END);
    if (ftell(g) != st.st_size) return 17;
    fclose(g);
    if (unlink("in.txt")) return 18;
    printf("ok\n");
    exit(42);
}
''')
    work = tmp_path / "work"
    work.mkdir()
    (work / "in.txt").write_text("hello\n")
    p = run(["--dir", work, app])
    assert p.returncode == 42, (p.returncode, p.stderr.decode())
    assert p.stdout.decode() == "ok\n"
    assert (work / "sub" / "moved.txt").read_text() == "got hello\n"
    assert not (work / "in.txt").exists()
    assert not (tmp_path / "escape.txt").exists()


def test_trap_reports_function_and_offset(tmp_path):
    app = build_wasi(tmp_path, "trap", r'''
#include <stdio.h>
volatile int zero = 0;
int main(void) { printf("before\n"); fflush(stdout); return 10 / zero; }
''')
    p = run([app])
    assert p.returncode == 134
    assert p.stdout.decode() == "before\n"
    err = p.stderr.decode()
    assert "trap: integer divide by zero in function" in err and "at offset 0x" in err


def test_fuel_limit_stops_an_endless_loop(tmp_path):
    app = build_wasi(tmp_path, "spin", "int main(void) { volatile int x = 0; for (;;) x++; }\n")
    p = run(["--fuel", 1000000, app], timeout=30)
    assert p.returncode == 134
    assert "out of fuel" in p.stderr.decode()


def test_max_pages_limits_memory(tmp_path):
    app = build_wasi(tmp_path, "big", r'''
#include <stdio.h>
#include <stdlib.h>
int main(void) {
    char *volatile p = malloc(8 << 20);
    if (p)
        p[(8 << 20) - 1] = 1;
    printf("%s\n", p ? "got 8 MiB" : "no memory");
    return 0;
}
''')
    assert run([app]).stdout.decode() == "got 8 MiB\n"
    assert run(["--max-pages", 32, app]).stdout.decode() == "no memory\n"


def test_bad_module_is_refused(tmp_path):
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\1\0\0\0\1\5\1\x60\0\1\x7b")
    p = run([bad])
    assert p.returncode == 2
    assert "type section" in p.stderr.decode() and "offset" in p.stderr.decode()
