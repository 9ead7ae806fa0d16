"""Issue 6 with the real kernel: a cluster of PusOS nodes under pusctl.

One 3-node cluster (user networking) serves the tests of this module in
order: it comes up healthy, the API and CLI agree, every node's agent
heartbeats, the nodes ping each other across the segment, hostile
heartbeats are rejected, a killed, a hung and a panicking node each come
back with a new boot id, and a restarted controller finds the nodes again.
Separate clusters check that NICs are told apart by MAC (uplink NIC first
on QEMU's command line) and tap networking (root).
"""
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from ctlkit import PUSCTL, wait_until
from realkit import QEMU, RealCluster, capture_heartbeat, heartbeat, real_kernel, send_udp

pytestmark = [
    pytest.mark.skipif(not QEMU, reason="qemu-system-riscv64 is not installed"),
    pytest.mark.skipif(not real_kernel(), reason="build/pusos.elf is missing (run `make`); "
                       "PUS_KERNEL=path selects another kernel image"),
]

NODES = 3


@pytest.fixture(scope="module")
def c():
    cluster = RealCluster(NODES)
    try:
        assert cluster.up.returncode == 0, cluster.up.stderr
        yield cluster
    finally:
        proc, left = cluster.down()
        assert left == [], left


def all_healthy(c):
    nodes = c.all_nodes()
    return len(nodes) == NODES and all(n["state"] == "healthy" for n in nodes.values())


def test_up_all_healthy_api_and_cli_agree(c):
    assert f"{NODES} nodes healthy" in c.up.stdout
    api = c.all_nodes()
    assert sorted(api) == list(range(1, NODES + 1))
    lines = c.pusctl("nodes").stdout.splitlines()
    rows = {int(l.split()[0]): l.split() for l in lines[1:]}
    assert sorted(rows) == sorted(api)
    for i, n in api.items():
        assert rows[i][1] == n["address"] == f"10.78.0.{i}"
        assert rows[i][2] == n["state"] == "healthy"
        assert n["managed"] and n["pid"] > 0 and n["boot_count"] == 1
        assert n["heartbeats"] > 0 and n["uptime_ms"] > 0
    # The --json form is exactly what the API returns (modulo ages moving on).
    import json
    cli = {n["id"]: n for n in json.loads(c.pusctl("nodes", "--json").stdout)["nodes"]}
    for i in api:
        assert cli[i]["boot_id"] == api[i]["boot_id"] and cli[i]["address"] == api[i]["address"]


def test_every_agent_sends_heartbeats(c):
    for i in range(1, NODES + 1):
        out = c.console(i, "cluster", r"heartbeats sent (\d+), send errors (\d+)")
        assert f"node {i}, boot id {c.node(i)['boot_id']}" in out
        assert f"controller 10.0.2.2:{c.hb_port}" in out
        assert "segment eth" in out and "uplink eth" in out
        sent = int(re.search(r"heartbeats sent (\d+)", out).group(1))
        assert sent > 0
    # The controller keeps counting them (the agent runs on).
    before = c.node(1)["heartbeats"]
    wait_until(lambda: c.node(1)["heartbeats"] >= before + 3, 10, "more heartbeats")


def test_node_api_reached_over_the_uplink(c):
    import json
    import urllib.request
    n = c.node(2)
    with urllib.request.urlopen(f"http://127.0.0.1:{n['api_port']}/v1/node", timeout=10) as r:
        body = json.loads(r.read())
    addrs = {i["mac"]: i["addr"] for i in body["interfaces"]}
    assert addrs["52:54:00:4e:00:02"] == "10.78.0.2"
    assert addrs["52:54:00:0a:00:02"] == "10.0.2.15"


def test_nodes_ping_each_other_across_the_segment(c):
    out = c.console(1, "ping -c 2 10.78.0.2", r"\d+ packets transmitted, \d+ received.*")
    assert "2 packets transmitted, 2 received" in out
    out = c.console(3, "ping -c 1 10.78.0.1", r"\d+ packets transmitted, \d+ received.*")
    assert "1 packets transmitted, 1 received" in out


def test_forged_truncated_and_replayed_heartbeats_are_rejected(c):
    target = c.node(2)
    boot, seq = int(target["boot_id"], 16), target["seq"]
    before = c.stats()["rejected"]
    node_before = dict(c.node(2)["rejected"])
    real = capture_heartbeat(c.hb_port, 2)          # a recording (root only)
    forged = heartbeat(os.urandom(32), 2, boot, seq + 1000, target["uptime_ms"] + 100000)
    truncated = heartbeat(c.key, 2, boot, seq + 1000, target["uptime_ms"] + 100000)[:-5]
    replayed = heartbeat(c.key, 2, boot, max(1, seq - 5), target["uptime_ms"])
    new_node = heartbeat(os.urandom(32), 77, 12345, 1, 10)
    send_udp(c.hb_port, [forged] * 3 + [truncated] * 2 + [replayed] * 4 + [new_node])
    if real:
        wait_until(lambda: c.node(2)["seq"] > 0, 5, "node 2 to move on")
        send_udp(c.hb_port, [real] * 2)
    want_replay = 4 + (2 if real else 0)

    def counted():
        r = c.stats()["rejected"]
        return (r["auth"] - before["auth"] >= 4 and r["bad_format"] - before["bad_format"] >= 2
                and r["replay"] - before["replay"] >= want_replay)
    wait_until(counted, 10, "the rejections to be counted")
    r = c.stats()["rejected"]
    assert r["auth"] - before["auth"] == 4
    assert r["bad_format"] - before["bad_format"] == 2
    assert r["replay"] - before["replay"] == want_replay
    assert c.node(2)["rejected"]["replay"] - node_before["replay"] == want_replay
    # Nothing else changed: no new node, node 2 still on its own boot.
    assert sorted(c.all_nodes()) == list(range(1, NODES + 1))
    assert c.stats()["nodes"] == NODES
    assert c.node(2)["boot_id"] == target["boot_id"] and c.node(2)["state"] == "healthy"
    print(f"\nrejected: auth 4, bad_format 2, replay {want_replay} "
          f"({'with' if real else 'without'} a recorded real heartbeat)")


def test_killed_node_is_relaunched_with_a_new_boot(c):
    old = c.node(2)
    since = c.last_event_id()
    t0 = time.monotonic()
    c.pusctl("kill", "2")
    wait_until(lambda: c.events(2, "dead", since), 5, "node 2 declared dead")
    t_dead = time.monotonic() - t0
    wait_until(lambda: c.healthy(2, not_boot=old["boot_id"]), 30, "node 2 healthy again")
    t_healthy = time.monotonic() - t0
    new = c.node(2)
    assert new["pid"] != old["pid"] and new["boot_count"] == old["boot_count"] + 1
    assert "relaunched" in c.events(2, "restarted", since)[0]["detail"]
    assert "new boot" in c.events(2, "recovered", since)[0]["detail"]
    print(f"\nkill -> dead {t_dead * 1000:.0f} ms, kill -> healthy {t_healthy * 1000:.0f} ms")
    wait_until(lambda: all_healthy(c), 10, "all nodes healthy")


def test_hung_node_is_reset_and_rejoins(c):
    old = c.node(3)
    since = c.last_event_id()
    t0 = time.monotonic()
    # QMP stop: the guest freezes. (409 while QMP is still negotiating.)
    wait_until(lambda: c.pusctl("hang", "3", check=False).returncode == 0, 5, "QMP stop")
    wait_until(lambda: c.events(3, "dead", since), 5, "node 3 declared dead")
    t_dead = time.monotonic() - t0
    wait_until(lambda: c.healthy(3, not_boot=old["boot_id"]), 30, "node 3 healthy again")
    t_healthy = time.monotonic() - t0
    assert "silent" in c.events(3, "dead", since)[0]["detail"]
    assert "system_reset" in c.events(3, "restarted", since)[0]["detail"]
    assert c.node(3)["pid"] == old["pid"]           # same QEMU, reset in place
    # The agent heartbeats a moment before the boot prints "ready".
    wait_until(lambda: c.console_log(3).count("pusos: ready") == 2, 10, "node 3's second boot")
    print(f"\nhang -> dead {t_dead * 1000:.0f} ms, hang -> healthy {t_healthy * 1000:.0f} ms")


def test_stopped_qemu_is_killed_and_relaunched(c):
    """SIGSTOP freezes QEMU itself: it never acts on the system_reset, so
    the controller kills and relaunches it a second later."""
    wait_until(lambda: all_healthy(c), 10, "all nodes healthy")
    old = c.node(3)
    since = c.last_event_id()
    t0 = time.monotonic()
    os.kill(old["pid"], signal.SIGSTOP)
    try:
        wait_until(lambda: c.healthy(3, not_boot=old["boot_id"]), 30, "node 3 back")
    finally:
        try:
            os.kill(old["pid"], signal.SIGCONT)   # only matters if the test failed
        except ProcessLookupError:
            pass
    t_healthy = time.monotonic() - t0
    details = [e["detail"] for e in c.events(3, "restarted", since)]
    assert "system_reset" in details[0] and "relaunched" in details[1]
    assert "did not act on system_reset" in c.events(3, "restart_failed", since)[0]["detail"]
    assert c.node(3)["pid"] != old["pid"]
    print(f"\nSIGSTOP -> healthy {t_healthy * 1000:.0f} ms")


def test_panicking_node_reboots_and_rejoins_by_itself(c):
    old = c.node(1)
    since = c.last_event_id()
    # Wait for the panic itself: closing the console on the echo of the
    # typed line could drop its last bytes before QEMU hands them over.
    out = c.console(1, "crash panic", r"KERNEL PANIC.*\n(.|\n)*panic: rebooting")
    assert "crash command asked for a panic" in out
    try:
        wait_until(lambda: c.healthy(1, not_boot=old["boot_id"]), 30, "node 1 back after a panic")
    except AssertionError:
        print(c.pusctl("events", "--node", "1").stdout[-3000:])
        print(c.console_log(1)[-3000:])
        raise
    assert c.node(1)["pid"] == old["pid"]
    # The guest reset itself (SBI reset -> QEMU's RESET event) before the
    # controller did anything. Normally it is back within ~200 ms, before
    # it could be declared dead, and the controller calls it "rebooted";
    # on a very loaded host the controller may also have stepped in after.
    evs = [e for e in c.events(1, since=since) if e["type"] in ("vm", "restarted")]
    assert evs and evs[0]["type"] == "vm" and evs[0]["detail"] == "QMP event RESET", evs
    if not c.events(1, "restarted", since):
        assert c.events(1, "rebooted", since)
    wait_until(lambda: c.console_log(1).count("pusos: ready") == 2, 10, "node 1's second boot")
    log = c.console_log(1)
    # The panic's last line in the log before the second boot. (One CI run
    # found it missing from QEMU's console logfile although the console
    # session above had read it; not reproduced since: the tail is here so
    # that the next failure shows what the log held instead.)
    panic_at = log.find("panic: rebooting")
    assert 0 <= panic_at < log.rindex("pusos: ready"), log[-4000:]


def test_restarted_controller_finds_the_running_nodes(c):
    before = c.all_nodes()
    with open(os.path.join(c.run_dir, "daemon.pid")) as f:
        os.kill(int(f.read()), signal.SIGTERM)
    wait_until(lambda: c.pusctl("status", check=False).returncode == 1, 10, "the daemon to stop")
    log = open(os.path.join(c.run_dir, "daemon.log"), "ab")
    subprocess.Popen([str(PUSCTL), "daemon", "--run-dir", c.run_dir], stdout=log,
                     stderr=subprocess.STDOUT, start_new_session=True)
    log.close()

    def answering():
        try:
            return c.all_nodes()
        except (OSError, AssertionError):
            return None
    wait_until(answering, 10, "the new daemon's API")
    wait_until(lambda: all_healthy(c), 10, "all nodes healthy under the new daemon")
    after = c.all_nodes()
    for i in before:
        assert after[i]["pid"] == before[i]["pid"]
        assert after[i]["boot_id"] == before[i]["boot_id"]
    assert "3 nodes from the database" in c.events(0, "controller")[-1]["detail"]
    # It supervises them as before: a kill is still healed.
    old = c.node(1)
    c.pusctl("kill", "1")
    wait_until(lambda: c.healthy(1, not_boot=old["boot_id"]), 30, "node 1 healed")


def test_nics_are_told_apart_by_mac():
    """Uplink NIC first on QEMU's command line: probe order no longer puts
    ip= on the segment NIC, the agent moves the addresses by MAC."""
    c = RealCluster(2, "--uplink-first")
    try:
        assert c.up.returncode == 0, c.up.stderr
        out = c.console(1, "cluster", r"heartbeats sent \d+")
        seg = re.search(r"segment eth(\d)", out).group(1)
        up = re.search(r"uplink eth(\d)", out).group(1)
        assert seg != up
        assert "is the segment: 10.78.0.1/24" in c.console_log(1)
        out = c.console(1, "ping -c 1 10.78.0.2", r"\d+ packets transmitted, \d+ received.*")
        assert "1 received" in out
    finally:
        _, left = c.down()
        assert left == []


def netns_works():
    probe = "pus-probe-%d" % os.getpid()
    ok = subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode == 0
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return ok


@pytest.mark.root
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"), reason="--net tap needs root")
def test_tap_cluster_of_real_nodes():
    if not netns_works():
        pytest.skip("network namespaces are not available here")
    c = RealCluster(2, net="tap")
    try:
        assert c.up.returncode == 0, c.up.stderr
        nodes = c.all_nodes()
        assert [nodes[i]["address"] for i in (1, 2)] == ["10.77.0.1", "10.77.0.2"]
        out = c.console(1, "cluster", r"heartbeats sent \d+")
        assert f"controller 10.77.0.254:{c.hb_port}" in out and "segment eth0" in out
        out = c.console(1, "ping -c 2 10.77.0.2", r"\d+ packets transmitted, \d+ received.*")
        assert "2 packets transmitted, 2 received" in out
        # The controller is a host on the segment: it reaches node APIs directly.
        import json
        import urllib.request
        with urllib.request.urlopen("http://10.77.0.2/v1/node", timeout=10) as r:
            assert json.loads(r.read())["interfaces"][0]["addr"] == "10.77.0.2"
        old = c.node(2)
        c.pusctl("kill", "2")
        wait_until(lambda: c.healthy(2, not_boot=old["boot_id"]), 30, "node 2 back (tap)")
    finally:
        _, left = c.down()
        assert left == []
    assert "10.77.0.254" not in subprocess.run(["ip", "addr"], capture_output=True,
                                               text=True).stdout
