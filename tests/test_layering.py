"""The dependency arrows point down (../shared/DESIGN.md): a portable library
never includes a kernel, driver, service or arch header, and a driver never
includes a service header."""
import re

from pusdirs import ROOT

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]', re.M)


def includes(folder):
    for path in sorted((ROOT / folder).rglob("*.[ch]")):
        for inc in INCLUDE.findall(path.read_text(errors="replace")):
            yield path.relative_to(ROOT), inc


def test_libraries_do_not_include_kernel_headers():
    bad = [(str(p), i) for p, i in includes("lib")
           if i.split("/")[0] in ("kernel", "arch", "drivers", "services", "platform")]
    assert not bad, f"library includes kernel headers: {bad}"


def test_drivers_do_not_include_services():
    bad = [(str(p), i) for p, i in includes("drivers") if i.startswith("services/")]
    assert not bad, f"driver includes service headers: {bad}"
