"""Helpers for the controller tests: a daemon in a temporary run directory,
the hbgen simulator under remote control, and small HTTP calls. Everything
a helper starts is stopped and every file removed when the test ends."""
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from pusdirs import BUILD

PUSCTL = BUILD / "bin" / "pusctl"
HBGEN = BUILD / "bench" / "hbgen"


def free_port(kind=socket.SOCK_STREAM):
    """A port free for both TCP and UDP on 127.0.0.1 right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        other = socket.SOCK_DGRAM if kind == socket.SOCK_STREAM else socket.SOCK_STREAM
        try:
            with socket.socket(socket.AF_INET, other) as s:
                s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


def wait_until(predicate, timeout, what):
    """Polls predicate until it returns something true; fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def http(port, path, method="GET"):
    """(status, parsed JSON body, headers) from the daemon's API."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read()), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), dict(e.headers)


def read_or_empty(path):
    """The text of path, or "" while it does not exist."""
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def run_pusctl(run_dir, *args, check=True, input=None, timeout=60):
    """pusctl ARGS --run-dir RUN_DIR; with check, it must succeed."""
    proc = subprocess.run([str(PUSCTL), *args, "--run-dir", run_dir],
                          capture_output=True, text=True, timeout=timeout, input=input)
    if check:
        assert proc.returncode == 0, (args, proc.returncode, proc.stdout, proc.stderr)
    return proc


def processes_mentioning(text):
    """(pid, command line) of this machine's other processes whose command
    line contains text."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmd:
            found.append((int(pid), cmd))
    return found


class VmCluster:
    """What the clusters of QEMU nodes share (test_qemu.Cluster with the stub
    kernel, realkit.RealCluster with the real one): a fresh run directory,
    free ports for the API and heartbeats, pusctl against that directory,
    the nodes' console logs, and a `down` that never leaves a VM behind."""

    def __init__(self, prefix):
        self.run_dir = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
        self.api_port = free_port()
        self.hb_port = free_port()
        self.extra_procs = []             # waited for after `pusctl down`

    def pusctl(self, *args, **kwargs):
        return run_pusctl(self.run_dir, *args, **kwargs)

    def console_log(self, i):
        return read_or_empty(os.path.join(self.run_dir, f"node{i}.log"))

    def down(self):
        proc = self.pusctl("down", check=False)
        for p in self.extra_procs:
            p.wait(timeout=10)
        left = processes_mentioning(self.run_dir)
        for pid, _ in left:               # never leave a VM behind, even on failure
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.run_dir, ignore_errors=True)
        return proc, left


class Daemon:
    """`pusctl daemon` on free loopback ports in a fresh run directory."""

    def __init__(self, extra=(), run_dir=None):
        self.own_dir = run_dir is None
        self.run_dir = run_dir or tempfile.mkdtemp(prefix="pusctl-", dir="/tmp")
        self.key_file = os.path.join(self.run_dir, "cluster.key")
        if not os.path.exists(self.key_file):
            with open(self.key_file, "w") as f:
                f.write(os.urandom(32).hex() + "\n")
        self.api_port = free_port()
        self.hb_port = free_port(socket.SOCK_DGRAM)
        self.extra = list(extra)
        self.proc = None
        self.start(["--api", f"127.0.0.1:{self.api_port}", "--hb", f"127.0.0.1:{self.hb_port}"]
                   + self.extra)

    def start(self, args=()):
        log = open(os.path.join(self.run_dir, "daemon.log"), "ab")
        self.proc = subprocess.Popen([str(PUSCTL), "daemon", "--run-dir", self.run_dir, *args],
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_until(self.answering, 10, "the daemon's API")

    def answering(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"daemon exited {self.proc.returncode}:\n{self.log()}")
        try:
            return http(self.api_port, "/api/v1/stats")[0] == 200
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self):
        return read_or_empty(os.path.join(self.run_dir, "daemon.log"))[-5000:]

    def get(self, path):
        status, body, _ = http(self.api_port, path)
        assert status == 200, (path, status, body)
        return body

    def nodes(self):
        return {n["id"]: n for n in self.get("/api/v1/nodes")["nodes"]}

    def events(self, node=None, type_=None):
        evs = self.get("/api/v1/events?limit=100000")["events"]
        return [e for e in evs if (node is None or e["node"] == node)
                and (type_ is None or e["type"] == type_)]

    def stats(self):
        return self.get("/api/v1/stats")

    def pusctl(self, *args, check=True):
        return run_pusctl(self.run_dir, *args, check=check)

    def close(self):
        self.stop()
        if self.own_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)


class Hbgen:
    """The heartbeat simulator, driven line by line (see bench/cluster/hbgen.c)."""

    def __init__(self, daemon, nodes, first=1, hz=10, key_file=None, port=None):
        self.proc = subprocess.Popen(
            [str(HBGEN), "--target", f"127.0.0.1:{port or daemon.hb_port}",
             "--key-file", key_file or daemon.key_file, "--nodes", str(nodes),
             "--first", str(first), "--hz", str(hz), "--control"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, bufsize=1)

    def cmd(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        assert ready, f"hbgen did not answer '{line}'"
        reply = self.proc.stdout.readline().strip()
        assert reply.startswith("ok"), f"hbgen: {line} -> {reply}"
        return reply

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=5)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
