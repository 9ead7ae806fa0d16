"""Images move between the node and the host tool in both directions:
pusfs (lib/fs on an image file) reads what the node wrote, and the node
reads what pusfs wrote, byte for byte, including multi-block files."""
import hashlib
import os

from node import Node
from pusdirs import BUILD
from storagelib import MODERN, blank_image, mkfs, pusfs


def fsloop_content(n):
    """What `fsloop` writes into file number n (see cmd_fsloop.c)."""
    size = 1 + (n * 2654435761 % 2**32) % 9000
    x = (n * 0x9E3779B9 + 1) & 0xFFFFFFFF
    out = bytearray()
    for _ in range(size):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out.append(x & 0xFF)
    return bytes(out)


def test_host_image_in_node_and_back(tmp_path):
    img = mkfs(tmp_path / "node-disk.img")              # what make run creates
    big = os.urandom(300 * 1024 + 17)                   # a CTZ list of ~76 blocks
    (tmp_path / "big.bin").write_bytes(big)
    (tmp_path / "small.txt").write_text("hello from the host\n")
    pusfs("mkdir", img, "/apps")
    pusfs("mkdir", img, "/apps/demo")
    pusfs("put", img, tmp_path / "big.bin", "/apps/demo/big.bin")
    pusfs("put", img, tmp_path / "small.txt", "/small.txt")
    with Node("interop", disk=img) as n:
        n.boot()
        log = n.run("log")
        assert "formatting" not in log and "/: littlefs 2.1 on virtio-blk0" in log
        assert n.run("cat /small.txt") == "hello from the host"
        out = n.run("sha256sum /apps/demo/big.bin")
        assert out.split()[0] == hashlib.sha256(big).hexdigest()
        assert f"{len(big)}  big.bin" in n.run("ls -l /apps/demo")
        # node-side writes: deterministic files of 1..9000 bytes, a rename,
        # a removal, a copy of the big file's digest
        out = n.run("fsloop /loop 40", timeout=300)
        assert "fsloop: done" in out
        assert n.run("mv /small.txt /apps/note.txt") == ""
        assert n.run("rm /loop/f00003") == ""
        assert n.run("write /apps/demo/msg written by the node") == ""
        assert n.run("fsck /") == "fsck: /: clean"
    assert "clean" in pusfs("fsck", img).stdout
    assert pusfs("cat", img, "/apps/note.txt").stdout == "hello from the host\n"
    assert pusfs("cat", img, "/apps/demo/msg").stdout == "written by the node\n"
    assert pusfs("cat", img, "/small.txt", check=False).returncode == 1
    for i in (0, 1, 2, 4, 17, 39):
        out = tmp_path / f"f{i}"
        pusfs("get", img, f"/loop/f{i:05d}", out)
        assert out.read_bytes() == fsloop_content(i), i
    assert pusfs("get", img, "/loop/f00003", tmp_path / "gone", check=False).returncode == 1
    got = tmp_path / "big.back"
    pusfs("get", img, "/apps/demo/big.bin", got)
    assert got.read_bytes() == big
    # and the host's changes on top of the node's are seen by the node again
    pusfs("rm", img, "/loop/f00004")
    pusfs("put", img, tmp_path / "big.bin", "/loop/big")
    with Node("interop-2", disk=img, extra=MODERN) as n:
        n.boot()
        assert n.run("stat /loop/f00004") == "error: stat: /loop/f00004: not found"
        assert n.run("sha256sum /loop/big").split()[0] == hashlib.sha256(big).hexdigest()
        # verify stops at the first missing file (f00003, removed by the node)
        assert "verify: 3 intact in a row, 0 bad, 3 files, last 39" in n.run("fsloop verify /loop")
        assert n.run("fsck") .count("clean") == 2


def test_node_formatted_disk_on_host(tmp_path):
    img = blank_image(tmp_path / "blank.img", mib=8)
    with Node("interop-blank", disk=img) as n:
        n.boot()
        assert n.run("mkdir /a") == "" and n.run("mkdir /a/b") == ""
        assert n.run("write /a/b/c deep") == ""
    listing = pusfs("ls", img, "/", "-R").stdout
    assert "/a/b/c" in listing
    df = pusfs("df", img).stdout
    assert "2048" in df                                 # 8 MiB of 4 KiB blocks


def leb128(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def test_large_blocks_read_whole(tmp_path):
    # A filesystem with 128 KiB blocks, and a module of ~300 KiB that
    # `wasm run` reads in one call: lib/fs reads each whole block straight
    # into the caller's buffer, more than the disk adapter's first 64 KiB
    # read-ahead window (which once returned stale bytes past 64 KiB).
    img = tmp_path / "big-blocks.img"
    pusfs("mkfs", img, "--block-size", 128 * 1024, "--blocks", 64)
    name, pad = b"padding", os.urandom(300 * 1024)
    body = leb128(len(name)) + name + pad
    module = (BUILD / "apps" / "hello.wasm").read_bytes() + b"\x00" + leb128(len(body)) + body
    (tmp_path / "big.wasm").write_bytes(module)
    pusfs("put", img, tmp_path / "big.wasm", "/big.wasm")
    with Node("interop-bigblocks", disk=img) as n:
        n.boot()
        assert "/: littlefs 2.1 on virtio-blk0, 64 blocks of 131072 bytes" in n.run("log")
        out = n.run("wasm run /big.wasm")
        assert "hello from PusOS wasm" in out and "exited with status 0" in out, out
        assert n.run("sha256sum /big.wasm").split()[0] == hashlib.sha256(module).hexdigest()
        assert n.run("fsck /") == "fsck: /: clean"
