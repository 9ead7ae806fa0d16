"""pusctl with real QEMU processes: launching, QMP, kill and relaunch,
console and logs, adopting VMs after a daemon restart, and `down`.

Most tests boot a stub kernel (tests/cluster/stub/) that prints what
pusos.elf prints ("pusos: ready", "pus> ") and echoes its console, so the
controller's side is tested on its own, with heartbeats for a VM from
hbgen. test_real_kernel_boots uses build/pusos.elf when it exists; the
issue-6 scenarios with real nodes are in test_real.py.
"""
import os
import shutil
import signal
import subprocess
import tempfile

import pytest

from pusdirs import BUILD, ROOT
from ctlkit import PUSCTL, Hbgen, VmCluster, free_port, http, processes_mentioning, wait_until

STUB = ROOT / "tests" / "cluster" / "stub"
CROSS = shutil.which("riscv64-unknown-elf-gcc")
QEMU = shutil.which("qemu-system-riscv64")

pytestmark = pytest.mark.skipif(not QEMU, reason="qemu-system-riscv64 is not installed")


@pytest.fixture(scope="module")
def stub_kernel():
    if not CROSS:
        pytest.skip("riscv64-unknown-elf-gcc is not installed (needed for the stub kernel)")
    d = tempfile.mkdtemp(prefix="pusctl-stub-")
    out = os.path.join(d, "stub.elf")
    subprocess.run([CROSS, "-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany", "-O2",
                    "-ffreestanding", "-nostdlib", "-Wl,-N", "-Wl,-Ttext=0x80200000",
                    "-Wl,--no-warn-rwx-segments", "-o", out, str(STUB / "start.S"),
                    str(STUB / "stub.c")], check=True, timeout=60)
    yield out
    shutil.rmtree(d, ignore_errors=True)


class Cluster(VmCluster):
    def __init__(self, kernel, nodes, *extra):
        super().__init__("pusctl-q-")
        proc = self.pusctl("up", str(nodes), "--kernel", str(kernel), "--no-wait",
                           "--api", f"127.0.0.1:{self.api_port}",
                           "--hb", f"127.0.0.1:{self.hb_port}", *extra)
        assert f"{nodes} node" in proc.stdout

    def node(self, i):
        status, body, _ = http(self.api_port, f"/api/v1/nodes/{i}")
        assert status == 200, body
        return body

    def events(self, node=None, type_=None):
        evs = http(self.api_port, "/api/v1/events?limit=100000")[1]["events"]
        return [e for e in evs if (node is None or e["node"] == node)
                and (type_ is None or e["type"] == type_)]


@pytest.fixture
def cluster():
    made = []

    def make(kernel, nodes, *extra):
        c = Cluster(kernel, nodes, *extra)
        made.append(c)
        return c
    yield make
    for c in made:
        c.down()


def test_launch_console_logs_and_down(stub_kernel, cluster):
    c = cluster(stub_kernel, 2)
    for i in (1, 2):
        wait_until(lambda: "pus> " in c.console_log(i), 30, f"node {i} to boot")
    n1 = c.node(1)
    assert n1["managed"] and n1["pid"] > 0 and n1["state"] == "booting"
    assert n1["address"] == "10.78.0.1"
    # The command line QEMU actually runs.
    with open(f"/proc/{n1['pid']}/cmdline", "rb") as f:
        argv = f.read().split(b"\0")[:-1]
    argv = [a.decode() for a in argv]
    append = argv[argv.index("-append") + 1]
    with open(os.path.join(c.run_dir, "cluster.key")) as f:
        key = f.read().strip()
    assert append.split() == [
        "node=1", "ip=10.78.0.1/24", "mac=52:54:00:4e:00:01", "up_ip=10.0.2.15/24",
        "up_gw=10.0.2.2", "up_mac=52:54:00:0a:00:01", f"controller=10.0.2.2:{c.hb_port}",
        f"key={key}", "hb_ms=100", "api_port=80"]
    assert argv[argv.index("-machine") + 1] == "virt"
    netdevs = [argv[i + 1] for i, a in enumerate(argv) if a == "-netdev"]
    assert netdevs[0] == ("stream,id=seg,server=off,addr.type=unix,addr.path="
                          f"{c.run_dir}/switch.sock")
    assert netdevs[1] == f"user,id=up,hostfwd=tcp:127.0.0.1:{n1['api_port']}-:80"
    assert "-drive" not in argv          # no pusfs next to this kernel: no disk

    logs = c.pusctl("logs", "1").stdout
    assert "pusos: ready" in logs
    out = c.pusctl("console", "2", input="hello pusos\n").stdout
    assert "hello pusos" in out
    wait_until(lambda: "hello pusos" in c.console_log(2), 10, "the console log")
    status = c.pusctl("status").stdout
    assert "cluster up" in status and "2 booting" in status and "2 VMs" in status

    proc, left = c.down()
    assert proc.returncode == 0 and "down" in proc.stdout
    assert left == []
    assert not os.path.exists(c.run_dir)


def test_managed_node_reset_and_relaunch(stub_kernel, cluster):
    c = cluster(stub_kernel, 1)
    wait_until(lambda: "pus> " in c.console_log(1), 30, "node 1 to boot")
    h = Hbgen(None, 1, key_file=os.path.join(c.run_dir, "cluster.key"), port=c.hb_port)
    try:
        wait_until(lambda: c.node(1)["state"] == "healthy", 10, "node 1 healthy")
        pid = c.node(1)["pid"]
        # Silent but its VM still runs: a hang. Reset through QMP.
        h.cmd("stop 1")
        wait_until(lambda: c.events(1, "restarted"), 10, "a restart")
        assert "QMP system_reset" in c.events(1, "restarted")[0]["detail"]
        # QEMU may report other events (e.g. the stream netdev reconnecting)
        # around the reset, in any order: wait for the RESET itself.
        wait_until(lambda: "QMP event RESET" in [e["detail"] for e in c.events(1, "vm")],
                   10, "QEMU's RESET event")
        wait_until(lambda: c.console_log(1).count("pusos: ready") == 2, 30, "a second boot")
        assert c.node(1)["pid"] == pid
        h.cmd("reboot 1")
        wait_until(lambda: c.node(1)["state"] == "healthy", 10, "node 1 recovered")
        assert c.events(1, "recovered")[0]["detail"].startswith("new boot")

        # Hard stop: the process is gone, so recovery relaunches it.
        c.pusctl("kill", "1")
        wait_until(lambda: len(c.events(1, "restarted")) == 2, 10, "a second restart")
        detail = c.events(1, "restarted")[1]["detail"]
        assert "relaunched" in detail
        assert "killed by signal 9" in c.events(1, "exited")[0]["detail"]
        wait_until(lambda: c.node(1)["pid"] not in (0, pid), 10, "a new QEMU")
        wait_until(lambda: c.console_log(1).count("pusos: ready") == 3, 30, "a third boot")
        # Heartbeats of the boot that was killed do not count as recovery...
        assert c.node(1)["state"] == "recovering"
        # ...a new boot (what a relaunched VM sends) does.
        h.cmd("reboot 1")
        wait_until(lambda: c.node(1)["state"] == "healthy", 10, "node 1 healthy again")
        types = [e["type"] for e in c.events(1)]
        assert types.index("killed") < types.index("exited") < types.index("dead", types.index("killed"))
    finally:
        h.close()


def test_hung_vm_escalates_from_reset_to_relaunch(stub_kernel, cluster):
    c = cluster(stub_kernel, 1, "--boot-timeout-ms", "1500")
    wait_until(lambda: len(c.events(1, "restarted")) >= 3, 30, "three restarts")
    details = [e["detail"] for e in c.events(1, "restarted")]
    assert "no heartbeat" in c.events(1, "dead")[0]["detail"]
    assert "system_reset" in details[0] and "attempt 1" in details[0]
    assert "system_reset" in details[1] and "attempt 2" in details[1]
    assert "killed QEMU pid" in details[2] and "relaunched" in details[2]
    assert len(c.events(1, "vm")) >= 2


def test_daemon_restart_adopts_running_vms(stub_kernel, cluster):
    c = cluster(stub_kernel, 1)
    wait_until(lambda: "pus> " in c.console_log(1), 30, "node 1 to boot")
    pid = c.node(1)["pid"]
    with open(os.path.join(c.run_dir, "daemon.pid")) as f:
        daemon_pid = int(f.read())
    os.kill(daemon_pid, signal.SIGTERM)
    wait_until(lambda: c.pusctl("status", check=False).returncode == 1, 10, "the daemon to stop")
    assert "1 node VM still run" in c.pusctl("status", check=False).stdout
    assert os.path.exists(f"/proc/{pid}")             # the VM outlived its controller

    log = open(os.path.join(c.run_dir, "daemon.log"), "ab")
    c.extra_procs.append(subprocess.Popen([str(PUSCTL), "daemon", "--run-dir", c.run_dir],
                                          stdout=log, stderr=subprocess.STDOUT))
    log.close()
    def answering():
        try:
            return http(c.api_port, "/api/v1/stats")[0] == 200
        except OSError:
            return False
    wait_until(answering, 10, "the new daemon's API")
    assert c.node(1)["pid"] == pid
    # QMP works again: a restart by request resets the same VM.
    status, body, _ = http(c.api_port, "/api/v1/nodes/1/restart", method="POST")
    assert status == 202
    wait_until(lambda: c.events(1, "vm"), 10, "QEMU's RESET event")
    assert "system_reset" in c.events(1, "restarted")[0]["detail"]
    assert c.node(1)["pid"] == pid


def test_disk_images_made_with_pusfs(stub_kernel, cluster, tmp_path):
    fake = tmp_path / "pusfs"
    fake.write_text("#!/bin/sh\n# pusfs mkfs IMG --block-size B --blocks N\n"
                    "[ \"$1\" = mkfs ] && truncate -s $(( $4 * $6 )) \"$2\"\n")
    fake.chmod(0o755)
    c = cluster(stub_kernel, 1, "--pusfs", str(fake), "--disk-blocks", "64")
    img = os.path.join(c.run_dir, "node1.img")
    assert os.path.getsize(img) == 64 * 4096
    wait_until(lambda: "pus> " in c.console_log(1), 30, "node 1 to boot")
    with open(f"/proc/{c.node(1)['pid']}/cmdline", "rb") as f:
        argv = [a.decode() for a in f.read().split(b"\0")]
    assert f"file={img},if=none,format=raw,id=d" in argv
    assert "virtio-blk-device,drive=d" in argv


def test_up_refuses_second_cluster(stub_kernel, cluster):
    c = cluster(stub_kernel, 1)
    proc = c.pusctl("up", "1", "--kernel", stub_kernel, "--no-wait", check=False)
    assert proc.returncode == 1 and "already up" in proc.stderr


def test_up_reports_nodes_that_do_not_come_up(stub_kernel, cluster):
    """The stub never heartbeats: up must say which node is not healthy and why."""
    run_dir = tempfile.mkdtemp(prefix="pusctl-q-", dir="/tmp")
    try:
        proc = subprocess.run([str(PUSCTL), "up", "1", "--kernel", stub_kernel, "--timeout", "3",
                               "--run-dir", run_dir, "--api", f"127.0.0.1:{free_port()}",
                               "--hb", f"127.0.0.1:{free_port()}"],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1
        assert "node 1: booting; QEMU running; no heartbeats" in proc.stderr
        assert "pusctl down" in proc.stderr
    finally:
        subprocess.run([str(PUSCTL), "down", "--run-dir", run_dir], capture_output=True,
                       timeout=60)
        assert processes_mentioning(run_dir) == []
        shutil.rmtree(run_dir, ignore_errors=True)


def real_kernel():
    path = os.environ.get("PUS_KERNEL") or str(BUILD / "pusos.elf")
    return path if os.path.exists(path) else None


@pytest.mark.skipif(not real_kernel(), reason="build/pusos.elf is missing (run `make`); "
                    "PUS_KERNEL=path selects another kernel image")
def test_real_kernel_boots(cluster):
    c = cluster(real_kernel(), 2)
    for i in (1, 2):
        wait_until(lambda: "pusos: ready" in c.console_log(i), 60, f"node {i}: pusos: ready")
    out = c.pusctl("console", "1", input="\n").stdout
    assert "pus>" in out or "pus>" in c.console_log(1)
    # Kill one: recovery relaunches it and it boots again.
    c.pusctl("kill", "2")
    wait_until(lambda: c.console_log(2).count("pusos: ready") >= 2, 60, "node 2 to boot again")
    # A node that powers itself off (its QEMU exits cleanly) is relaunched too.
    c.pusctl("console", "1", input="poweroff\n", check=False)   # ends when QEMU exits
    wait_until(lambda: c.events(1, "exited"), 30, "node 1's QEMU to exit")
    assert "exited with status 0" in c.events(1, "exited")[0]["detail"]
    wait_until(lambda: c.console_log(1).count("pusos: ready") >= 2, 60, "node 1 to boot again")
    assert "relaunched" in c.events(1, "restarted")[0]["detail"]
