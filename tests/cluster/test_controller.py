"""The controller daemon with simulated nodes (hbgen) on loopback: joining,
failure detection and the restart hook, hostile heartbeats, persistence
across daemon restarts, and the REST API with its errors."""
import json
import os
import signal

import pytest

from ctlkit import Daemon, Hbgen, http, wait_until


@pytest.fixture
def daemon(request):
    extra = getattr(request, "param", ())
    d = Daemon(extra=extra)
    yield d
    d.close()


@pytest.fixture
def sims():
    started = []

    def start(daemon, nodes, **kw):
        """Simulates nodes 1..nodes and waits until they are all healthy."""
        h = Hbgen(daemon, nodes, **kw)
        started.append(h)
        wait_all(daemon, nodes, "healthy")
        return h
    yield start
    for h in started:
        h.close()


def all_in_state(daemon, count, state):
    nodes = daemon.nodes()
    return len(nodes) == count and all(n["state"] == state for n in nodes.values())


def wait_all(daemon, count, state):
    wait_until(lambda: all_in_state(daemon, count, state), 10, f"{count} {state} nodes")


def wait_node(daemon, i, state, what):
    wait_until(lambda: daemon.nodes()[i]["state"] == state, 10, what)


def test_nodes_join_and_are_healthy(daemon, sims):
    sims(daemon, 20)
    n = daemon.nodes()[7]
    assert n["boot_count"] == 1 and n["managed"] is False
    assert n["address"] == "127.0.0.1"
    assert [a["name"] for a in n["apps"]] == ["app0", "app1"]
    assert all(a["state"] == "running" for a in n["apps"])
    assert 0 <= n["cpu_load"] <= 1 and n["mem_free_kib"] > 0
    assert len(daemon.events(type_="joined")) == 20
    stats = daemon.stats()
    assert stats["rejected"]["total"] == 0 and stats["accepted"] >= 20


@pytest.mark.parametrize("daemon", [("--restart-hook", "echo $PUS_NODE >> $PUS_RUN_DIR/hook.out")],
                         indirect=True)
def test_silent_node_is_declared_dead_and_restarted(daemon, sims):
    h = sims(daemon, 5)
    h.cmd("stop 3")
    wait_until(lambda: daemon.nodes()[3]["state"] in ("dead", "recovering"), 10, "node 3 dead")
    # The hook ran for node 3, and the restart is an event after "dead".
    hook_out = os.path.join(daemon.run_dir, "hook.out")
    wait_until(lambda: os.path.exists(hook_out) and open(hook_out).read().strip(), 10,
               "the restart hook")
    assert open(hook_out).read().split() == ["3"]
    types = [e["type"] for e in daemon.events(node=3)]
    assert types[:4] == ["joined", "suspected", "dead", "restarted"], types
    assert "restart hook" in daemon.events(node=3, type_="restarted")[0]["detail"]
    assert daemon.nodes()[3]["state"] == "recovering"
    # No other node was blamed.
    others = [e for e in daemon.events() if e["node"] not in (0, 3) and e["type"] != "joined"]
    assert others == []
    # The node comes back with a new boot: recovered, second boot counted.
    h.cmd("reboot 3")
    wait_node(daemon, 3, "healthy", "node 3 back")
    rec = daemon.events(node=3, type_="recovered")
    assert len(rec) == 1 and rec[0]["detail"].startswith("new boot")
    assert daemon.nodes()[3]["boot_count"] == 2


@pytest.mark.parametrize("daemon", [("--no-recover",)], indirect=True)
def test_no_recover_only_detects(daemon, sims):
    h = sims(daemon, 2)
    h.cmd("stop 1")
    wait_node(daemon, 1, "dead", "node 1 dead")
    h.cmd("start 1")
    wait_node(daemon, 1, "healthy", "node 1 healthy again")
    assert daemon.events(type_="restarted") == []
    assert daemon.events(node=1, type_="recovered")[0]["detail"].startswith("same boot")


def test_hostile_heartbeats_are_rejected_and_counted(daemon, sims):
    h = sims(daemon, 4)
    h.cmd("reboot 2")       # gives node 2 a previous boot to impersonate
    wait_until(lambda: daemon.nodes()[2]["boot_count"] == 2, 10, "node 2's second boot")
    h.cmd("forge 1 7")
    h.cmd("truncate 1 5")
    h.cmd("replay 1 6")
    h.cmd("oldboot 2")
    h.cmd("skew 3 3600000")
    h.cmd("garbage 9")

    def counted():
        r = daemon.stats()["rejected"]
        return (r["auth"] >= 7 and r["bad_format"] >= 14 and r["replay"] >= 6 and
                r["old_boot"] >= 1 and r["clock"] >= 1) and r
    r = wait_until(counted, 10, "rejections to be counted")
    assert (r["auth"], r["replay"], r["old_boot"], r["clock"]) == (7, 6, 1, 1)
    assert r["bad_format"] == 14          # 5 truncated + 9 garbage
    assert r["total"] == 7 + 14 + 6 + 1 + 1
    nodes = daemon.nodes()
    assert sorted(nodes) == [1, 2, 3, 4]      # nothing forged became a node
    assert all(n["state"] == "healthy" for n in nodes.values())
    assert nodes[1]["rejected"]["replay"] == 6
    assert nodes[2]["rejected"]["old_boot"] == 1
    assert nodes[3]["rejected"]["clock"] == 1
    assert nodes[2]["boot_count"] == 2        # the old boot did not count as a reboot


def test_daemon_restart_recovers_state(daemon, sims):
    h = sims(daemon, 5)
    h.cmd("stop 5")
    wait_node(daemon, 5, "recovering", "node 5 recovering")
    h.cmd("replay 1 2")
    wait_until(lambda: daemon.stats()["rejected"]["replay"] == 2, 10, "replays counted")
    before = daemon.nodes()
    events_before = daemon.events()

    daemon.stop()
    daemon.start([])               # settings come from the database this time
    after = daemon.nodes()
    assert sorted(after) == sorted(before)
    for i in before:
        for key in ("boot_id", "boot_count", "address", "restarts", "apps"):
            assert after[i][key] == before[i][key], (i, key)
    assert after[5]["state"] == "recovering"
    assert daemon.stats()["rejected"]["replay"] == 2
    events_after = daemon.events()
    assert events_after[:len(events_before)] == events_before
    assert events_after[len(events_before)]["type"] == "controller"

    # The replay filter survived: node 5's last heartbeat, which the old
    # daemon accepted, is refused by the new one.
    h.cmd("replay 5 3")
    wait_until(lambda: daemon.stats()["rejected"]["replay"] == 5, 10, "replays counted")
    assert daemon.nodes()[5]["rejected"]["replay"] == 3
    assert daemon.nodes()[5]["state"] == "recovering"
    h.cmd("reboot 5")
    wait_node(daemon, 5, "healthy", "node 5 back")
    assert daemon.nodes()[5]["boot_count"] == 2
    assert all(n["state"] == "healthy" for n in daemon.nodes().values())


def test_daemon_killed_hard_keeps_events_and_nodes(daemon, sims):
    h = sims(daemon, 3)
    # Nodes are flushed at most a second after they change.
    wait_until(lambda: daemon.pusctl("status").returncode == 0, 5, "status")
    import sqlite3
    def flushed():
        with sqlite3.connect(os.path.join(daemon.run_dir, "state.db")) as db:
            return db.execute("SELECT COUNT(*) FROM nodes WHERE state='healthy'").fetchone()[0] == 3
    wait_until(flushed, 5, "nodes in the database")
    h.close()
    daemon.stop(signal.SIGKILL)
    daemon.start([])
    assert sorted(daemon.nodes()) == [1, 2, 3]
    assert len(daemon.events(type_="joined")) == 3


def test_api_and_cli_agree(daemon, sims):
    h = sims(daemon, 3)
    h.close()
    # Let everything settle into one state (recovering, no hook) so nothing moves.
    wait_all(daemon, 3, "recovering")
    cli = json.loads(daemon.pusctl("nodes", "--json").stdout)
    api = daemon.get("/api/v1/nodes")
    for doc in (cli, api):
        for n in doc["nodes"]:
            n.pop("last_heartbeat_age_ms")
    assert cli == api
    table = daemon.pusctl("nodes").stdout.splitlines()
    assert table[0].split()[:3] == ["ID", "ADDRESS", "STATE"]
    assert [line.split()[2] for line in table[1:]] == ["recovering"] * 3
    ev_cli = json.loads(daemon.pusctl("events", "--json").stdout)["events"]
    assert ev_cli == daemon.events()
    text = daemon.pusctl("events", "--node", "2").stdout
    assert "joined" in text and "node 2" in text and "node 1 " not in text


def test_api_errors(daemon, sims):
    h = sims(daemon, 1)
    p = daemon.api_port
    status, body, _ = http(p, "/api/v1/nodes/42")
    assert status == 404 and "no node 42" in body["error"]
    for bad in ("abc", "0", "-1", "1x", "99999999999"):
        status, body, _ = http(p, f"/api/v1/nodes/{bad}")
        assert status == 400 and "bad node id" in body["error"], bad
    status, body, headers = http(p, "/api/v1/nodes", method="POST")
    assert status == 405 and headers["Allow"] == "GET"
    status, body, headers = http(p, "/api/v1/nodes/1/restart")
    assert status == 405 and headers["Allow"] == "POST"
    status, body, headers = http(p, "/api/v1/nodes/1", method="DELETE")
    assert status == 405 and headers["Allow"] == "GET"
    assert http(p, "/api/v1/nodes/1/explode", method="POST")[0] == 404
    assert http(p, "/api/v2/nodes")[0] == 404
    assert http(p, "/")[0] == 404
    assert http(p, "/api/v1/events?since=x")[0] == 400
    assert http(p, "/api/v1/events?limit=0")[0] == 400
    status, body, _ = http(p, "/api/v1/nodes/1/kill", method="POST")
    assert status == 409 and "no running VM" in body["error"]
    # A restart by request is done and recorded even for a simulated node.
    status, body, _ = http(p, "/api/v1/nodes/1/restart", method="POST")
    assert status == 202 and body["action"] == "restart"
    assert "requested through the API" in daemon.events(node=1, type_="restarted")[0]["detail"]
    # The CLI reports the API's error and fails.
    proc = daemon.pusctl("kill", "1", check=False)
    assert proc.returncode == 1 and "no running VM" in proc.stderr
    proc = daemon.pusctl("restart", "77", check=False)
    assert proc.returncode == 1 and "no node 77" in proc.stderr
    h.close()


def test_cli_without_a_daemon(tmp_path):
    from ctlkit import PUSCTL
    import subprocess
    run = str(tmp_path / "run")
    proc = subprocess.run([str(PUSCTL), "nodes", "--run-dir", run, "--api", "127.0.0.1:1"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1 and "not reachable" in proc.stderr
    proc = subprocess.run([str(PUSCTL), "status", "--run-dir", run], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 3 and "no cluster running" in proc.stdout
    proc = subprocess.run([str(PUSCTL), "up", "2", "--run-dir", run, "--kernel",
                           str(tmp_path / "missing.elf")], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 1 and "not found" in proc.stderr and "make" in proc.stderr
    assert not os.path.exists(run)
    proc = subprocess.run([str(PUSCTL), "frobnicate"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "unknown command" in proc.stderr
    proc = subprocess.run([str(PUSCTL), "daemon", "--run-dir", run, "--dead-ms", "100",
                           "--suspect-ms", "200"], capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0


@pytest.mark.parametrize("addr", ["127.0.0.1:abc", "127.0.0.1:", "127.0.0.1:0",
                                  "127.0.0.1:65536", "127.0.0.1:80x", ":8810", "+80",
                                  "127.0.0.1: 80"])
def test_cli_refuses_a_bad_address(tmp_path, addr):
    """--api and --hb are parsed whole: a bad port is an error, not port 0."""
    from ctlkit import PUSCTL
    import subprocess
    run = str(tmp_path / "run")
    proc = subprocess.run([str(PUSCTL), "nodes", "--run-dir", run, "--api", addr],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert f"bad --api '{addr}'" in proc.stderr and "1..65535" in proc.stderr
    for opt in ("--api", "--hb"):
        proc = subprocess.run([str(PUSCTL), "up", "1", "--run-dir", run, opt, addr,
                               "--kernel", str(tmp_path / "missing.elf")],
                              capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2 and f"bad {opt} '{addr}'" in proc.stderr, proc.stderr
    assert not os.path.exists(run)


@pytest.mark.parametrize("daemon", [("--restart-hook",
                                     "sleep 0.2; echo $PUS_NODE >> $PUS_RUN_DIR/hook.out")],
                         indirect=True)
def test_mass_failure_runs_every_hook_once(daemon, sims):
    """40 nodes die together: hooks run (at most 16 at a time), each once."""
    h = sims(daemon, 40)
    h.close()
    hook_out = os.path.join(daemon.run_dir, "hook.out")

    def all_ran():
        if not os.path.exists(hook_out):
            return False
        with open(hook_out) as f:
            return len(f.read().split()) == 40
    wait_until(all_ran, 20, "40 restart hooks")
    with open(hook_out) as f:
        assert sorted(int(x) for x in f.read().split()) == list(range(1, 41))
    wait_all(daemon, 40, "recovering")
    assert len(daemon.events(type_="restarted")) == 40
