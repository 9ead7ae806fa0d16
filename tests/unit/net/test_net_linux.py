"""lib/net against the real Linux TCP/IP stack.

A private user+network namespace (unshare -rn) holds a tap device; the
Linux side of it is 10.9.0.1, lib/net (tests/unit/net/linux_peer.c) is
10.9.0.2. Nothing touches the host's real network. Skipped where namespaces
or /dev/net/tun are not available.
"""
import os
import shutil
import subprocess

import pytest

from pusdirs import BUILD, ROOT

PEER = BUILD / "tests" / "net" / "linux_peer"


def namespaces_work():
    if not shutil.which("unshare") or not os.path.exists("/dev/net/tun"):
        return False
    r = subprocess.run(["unshare", "-rn", "ip", "tuntap", "add", "dev", "t0", "mode", "tap"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


@pytest.mark.skipif(not PEER.exists(), reason="linux_peer not built")
@pytest.mark.parametrize("loss", ["0", "5"])
def test_linux_peer(loss):
    if not namespaces_work():
        pytest.skip("no network namespaces or tap devices here")
    proc = subprocess.run(["unshare", "-rn", "/usr/bin/python3",
                           str(ROOT / "tests" / "unit" / "net" / "linux_inner.py"), str(PEER), loss],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    out = proc.stdout.decode(errors="replace")
    print(out)
    assert proc.returncode == 0, out
