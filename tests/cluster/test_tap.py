"""`pusctl up --net tap` (root): the namespace, bridge, taps and the veth
that puts the controller on the nodes' segment at 10.77.0.254. Heartbeats
sent from inside the namespace must reach the daemon on the host."""
import os
import shutil
import subprocess
import tempfile

import pytest

from ctlkit import HBGEN, PUSCTL, free_port, http, processes_mentioning, wait_until
from test_qemu import CROSS, QEMU, stub_kernel  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0, reason="--net tap needs root"),
    pytest.mark.skipif(not QEMU or not shutil.which("ip"), reason="needs QEMU and iproute2"),
]


def netns_works():
    probe = "pus-probe-%d" % os.getpid()
    ok = subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode == 0
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return ok


def test_tap_cluster(stub_kernel):
    if not netns_works():
        pytest.skip("network namespaces are not available here")
    run_dir = tempfile.mkdtemp(prefix="pusctl-tap-", dir="/tmp")
    api = free_port()
    hb = free_port()
    gen = None
    try:
        subprocess.run([str(PUSCTL), "up", "2", "--net", "tap", "--kernel", stub_kernel,
                        "--no-wait", "--run-dir", run_dir, "--api", f"127.0.0.1:{api}",
                        "--hb", f"0.0.0.0:{hb}"], check=True, capture_output=True, timeout=60)
        nodes = http(api, "/api/v1/nodes")[1]["nodes"]
        assert [n["address"] for n in nodes] == ["10.77.0.1", "10.77.0.2"]
        ns = [l.split()[0] for l in subprocess.run(["ip", "netns", "list"], capture_output=True,
              text=True).stdout.splitlines() if l.startswith("pus-")]
        ours = [n for n in ns if subprocess.run(
            ["ip", "-n", n, "link", "show", "pustap1"], capture_output=True).returncode == 0]
        assert len(ours) >= 1
        netns = ours[0]
        # The VMs run inside the namespace, on its taps.
        pid = nodes[0]["pid"]

        def exec_done():
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                return b"qemu-system" in f.read().split(b"\0")[0]
        wait_until(exec_done, 10, "QEMU to start")
        assert os.stat(f"/proc/{pid}/ns/net").st_ino == os.stat(f"/run/netns/{netns}").st_ino
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode() for a in f.read().split(b"\0")]
        append = argv[argv.index("-append") + 1]
        assert f"controller=10.77.0.254:{hb}" in append and "up_ip" not in append
        assert "tap,id=seg,ifname=pustap1,script=no,downscript=no" in argv
        # A host on the segment (a test address on the bridge) reaches the
        # controller at 10.77.0.254: simulated node 9 joins from inside.
        subprocess.run(["ip", "-n", netns, "addr", "add", "10.77.0.200/24", "dev", "br0"],
                       check=True)
        gen = subprocess.Popen(["ip", "netns", "exec", netns, str(HBGEN), "--target",
                                f"10.77.0.254:{hb}", "--key-file",
                                os.path.join(run_dir, "cluster.key"), "--nodes", "1",
                                "--first", "9", "--duration", "30"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: any(n["id"] == 9 and n["state"] == "healthy"
                               for n in http(api, "/api/v1/nodes")[1]["nodes"]), 10,
                   "node 9 from inside the namespace")
        node9 = http(api, "/api/v1/nodes/9")[1]
        assert node9["address"] == "10.77.0.200"
    finally:
        if gen:
            gen.kill()
            gen.wait()
        subprocess.run([str(PUSCTL), "down", "--run-dir", run_dir], capture_output=True,
                       timeout=60)
        assert processes_mentioning(run_dir) == []
        left = subprocess.run(["ip", "link"], capture_output=True, text=True).stdout
        shutil.rmtree(run_dir, ignore_errors=True)
    assert "10.77.0.254" not in subprocess.run(["ip", "addr"], capture_output=True,
                                               text=True).stdout
    assert " pv" not in left
