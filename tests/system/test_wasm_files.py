"""Apps reach files through WASI on the node's filesystem (services/vfs),
confined to their preopened directory, and `wasm run` loads modules from
files. A kernel built without services/vfs refuses file calls cleanly
(the app sees an error, nothing crashes): that case is tested instead when
the node has no `ls` command."""
import pathlib
import re
import subprocess

import pytest

from node import Node

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
PUSFS = ROOT / "build" / "bin" / "pusfs"


def has_vfs(n):
    return "no command" not in n.run("help ls")


@pytest.fixture(scope="module")
def node():
    with Node("wasm-files", smp=2, mem="256M") as n:
        n.boot()
        yield n


def test_files_in_the_preopened_directory(node):
    out = node.run("wasm run -d /tmp files /tmp")
    if not has_vfs(node):
        assert "[files] files: mkdir failed: Not supported" in out, out
        assert "app files exited with status 1" in out
        return
    assert "[files] read: hello files" in out, out
    assert "[files] entry: note.txt" in out
    assert "[files] size: 12" in out
    assert "[files] files ok" in out
    assert "app files exited with status 0" in out


def test_no_escape_from_the_preopened_directory(node):
    out = node.run("wasm run -d /tmp files /")
    if not has_vfs(node):
        pytest.skip("kernel built without services/vfs")
    assert "[files] files: mkdir failed: Capabilities insufficient" in out, out
    assert "app files exited with status 1" in out
    out = node.run("wasm run -d /tmp files /tmp/../..")
    assert "[files] files: mkdir failed: Capabilities insufficient" in out, out
    assert "wasm-files" not in node.run("ls /")


def test_missing_file_is_a_clean_error(node):
    out = node.run("wasm run /apps/nothing.wasm")
    assert out.startswith("error: wasm run: cannot read /apps/nothing.wasm: "), out
    assert "PusOS" in node.run("version")


def test_missing_preopened_directory_is_refused(node):
    """-d names a directory that must exist: the app does not start."""
    if not has_vfs(node):
        pytest.skip("kernel built without services/vfs")
    out = node.run("wasm run -d /tmp/nonexistent hello")
    assert out.startswith("error: wasm run: hello: preopened directory /tmp/nonexistent: "
                          "no such directory"), out
    assert "[hello]" not in out and "exited" not in out, out
    # this node has no disk: nothing is mounted at /nonexistent
    out = node.run("wasm run -d /nonexistent hello")
    assert out.startswith("error: wasm run: hello: preopened directory /nonexistent: "), out
    assert "[hello]" not in out and "exited" not in out, out
    node.run("write /tmp/plain.txt not a directory")
    out = node.run("wasm start -d /tmp/plain.txt h2 hello")
    assert out.startswith("error: wasm start: hello: preopened directory /tmp/plain.txt: "
                          "not a directory"), out
    assert "h2" not in node.run("wasm ps")
    node.run("rm /tmp/plain.txt")
    # a relative DIR is taken from "/", as the file commands take their paths
    out = node.run("wasm run -d tmp files /tmp")
    assert "[files] files ok" in out, out


def test_relative_file_is_taken_from_the_root(node):
    out = node.run("wasm run apps/nothing.wasm")
    assert out.startswith("error: wasm run: cannot read /apps/nothing.wasm: "), out


def test_app_from_a_file_on_disk(tmp_path):
    img = tmp_path / "disk.img"
    subprocess.run([PUSFS, "mkfs", img, "--block-size", "4096", "--blocks", "4096"], check=True,
                   capture_output=True, timeout=60)
    subprocess.run([PUSFS, "mkdir", img, "/apps"], check=True, capture_output=True, timeout=60)
    subprocess.run([PUSFS, "put", img, ROOT / "build" / "apps" / "hello.wasm", "/apps/hi.wasm"],
                   check=True, capture_output=True, timeout=60)
    with Node("wasm-files-disk", smp=2, mem="256M", disk=str(img)) as n:
        n.boot()
        if not has_vfs(n):
            pytest.skip("kernel built without services/vfs")
        out = n.run("wasm run /apps/hi.wasm from-disk")
        assert "[hi] hello from PusOS wasm" in out, out
        assert "[hi] arg 1: from-disk" in out
        assert "app hi exited with status 0" in out
        # a relative FILE is taken from "/", as `ls apps` lists /apps
        out = n.run("wasm run apps/hi.wasm relative")
        assert "[hi] arg 1: relative" in out, out
        assert "app hi exited with status 0" in out
        # a corrupt module on disk is refused with the decoder's message
        n.run("write /apps/bad.wasm not a module")
        out = n.run("wasm run /apps/bad.wasm")
        assert out.startswith("error: wasm run: /apps/bad.wasm: "), out


def test_directory_of_hundreds_of_entries(node):
    """wasi-libc's readdir over a few hundred entries, whose names fill its
    buffer many times: each entry once; removing entries while listing
    (as rm -r does) leaves none behind."""
    if not has_vfs(node):
        pytest.skip("kernel built without services/vfs")
    out = node.run("wasm run -d /tmp files /tmp many 300", timeout=600)
    assert "[files] many ok: 300 entries, 300 removed while listing" in out, out
    assert "app files exited with status 0" in out
    assert "wasm-many" not in node.run("ls /tmp")
