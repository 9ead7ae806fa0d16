"""Shared by the protocol interop tests: start a host test program that
prints "port N" when ready, and stop it again."""
import os
import pathlib
import select
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BUILD = ROOT / "build"


def start_server(name, args=(), timeout=10):
    """Starts build/proto/<name>; returns (process, port)."""
    path = BUILD / "proto" / name
    if not path.exists():
        pytest.skip(f"{path} not built (run make host)")
    proc = subprocess.Popen([str(path), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else ""
    if not line.startswith("port "):
        stop(proc)
        raise RuntimeError(f"{name} did not start: {line!r}")
    return proc, int(line.split()[1])


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def need(tool):
    for d in os.environ.get("PATH", "/usr/bin").split(":") + ["/usr/bin", "/usr/sbin"]:
        if os.access(os.path.join(d, tool), os.X_OK):
            return os.path.join(d, tool)
    pytest.skip(f"{tool} not installed")
