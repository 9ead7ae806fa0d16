"""What the node does with the disk it finds at boot: a blank disk is
formatted, a littlefs disk is mounted (read-only if the disk is), a disk
with foreign or corrupt data is left alone until `format` is asked for."""
import os

import pytest

from node import Node
from storagelib import MODERN, blank_image, drive_args, mkfs, pusfs, sha256


def test_blank_disk_is_formatted_and_files_survive_reboot(tmp_path):
    img = blank_image(tmp_path / "disk.img")
    with Node("storage-blank", disk=img) as n:
        n.boot()
        log = n.run("log")
        assert "virtio-blk0 is blank: formatting littlefs" in log
        assert "formatted at first boot" in log
        assert "/: littlefs 2.1 on virtio-blk0, 4096 blocks of 4096 bytes" in log
        df = n.run("df")
        assert any(l.startswith("/ ") and "read-write" in l for l in df.splitlines()), df
        assert n.run("mkdir /etc") == ""
        assert n.run("write /etc/name fog node 7") == ""
        assert n.run("write /big " + "x" * 200) == ""
        assert n.run("mv /big /etc/big") == ""
        assert n.run("fsck") .count("clean") == 2
    with Node("storage-blank-2", disk=img) as n:
        n.boot()
        log = n.run("log")
        assert "formatting" not in log
        assert "/: littlefs 2.1 on virtio-blk0" in log
        assert n.run("cat /etc/name") == "fog node 7"
        assert n.run("cat /etc/big") == "x" * 200
        ls = n.run("ls -l /etc")
        assert "name" in ls and "big" in ls and "201" in ls
        assert "/etc: directory" in n.run("stat /etc")
        assert "/etc/name: file, 11 bytes" in n.run("stat etc/name")
    # The host tool reads what the node wrote.
    assert pusfs("cat", img, "/etc/name").stdout == "fog node 7\n"
    assert "clean" in pusfs("fsck", img).stdout


def test_modern_virtio_mmio_layout(tmp_path):
    img = blank_image(tmp_path / "disk.img")
    for boot in range(2):
        with Node(f"storage-modern-{boot}", disk=img, extra=MODERN) as n:
            n.boot()
            assert "virtio-mmio v2" in n.run("log")
            if boot == 0:
                assert n.run("write /hello modern layout") == ""
            else:
                assert n.run("cat /hello") == "modern layout"
                assert "clean" in n.run("fsck /")


def test_read_only_disk_mounts_read_only_and_refuses_writes(tmp_path):
    img = mkfs(tmp_path / "ro.img")
    src = tmp_path / "hello.txt"
    src.write_text("from the host\n")
    pusfs("put", img, src, "/hello")
    pusfs("mkdir", img, "/d")
    before = sha256(img)
    with Node("storage-ro", extra=drive_args(img, readonly=True)) as n:
        n.boot()
        log = n.run("log")
        assert "read-only" in log and "/: littlefs" in log
        assert "read-only" in [l for l in n.run("df").splitlines() if l.startswith("/ ")][0]
        assert n.run("cat /hello") == "from the host"
        assert n.run("write /new x") == "error: write: /new: read-only filesystem"
        assert n.run("write /hello x") == "error: write: /hello: read-only filesystem"
        assert n.run("mkdir /e") == "error: mkdir: /e: read-only filesystem"
        assert n.run("rm /d") == "error: rm: /d: read-only filesystem"
        assert n.run("mv /hello /x") == "error: mv: /hello: read-only filesystem"
        assert "error: format: virtio-blk0: read-only filesystem" in n.run("format --yes")
        assert "clean" in n.run("fsck /")
        # /tmp still takes writes
        assert n.run("write /tmp/scratch ok") == ""
        assert n.run("cat /tmp/scratch") == "ok"
    assert sha256(img) == before


def test_foreign_disk_is_left_alone_until_format(tmp_path):
    img = tmp_path / "foreign.img"
    with open(img, "wb") as f:
        f.truncate(16 << 20)
        f.seek(1024)
        f.write(b"\x53\xef" + os.urandom(4000))     # looks like some other filesystem
    before = sha256(img)
    with Node("storage-foreign", disk=img) as n:
        n.boot()
        log = n.run("log")
        assert "virtio-blk0 holds data that is not littlefs" in log
        assert "/ not mounted, nothing written" in log
        assert "foreign data" in n.run("df")
        assert n.run("write /x y") == "error: write: /x: no filesystem mounted there"
        assert n.run("ls /") == "tmp/"
        # format asks; anything but "yes" cancels
        n.sendline("format")
        n.expect("Type yes to continue: ")
        n.sendline("no")
        n.expect("format: cancelled, nothing written")
        n.expect(r"pus> ")
        assert sha256(img) == before
        n.sendline("format")
        n.expect("Type yes to continue: ")
        n.sendline("yes")
        n.expect("format: / is an empty littlefs filesystem")
        n.expect(r"pus> ")
        assert n.run("write /x y") == ""
        assert n.run("cat /x") == "y"
    assert pusfs("cat", img, "/x").stdout == "y\n"


def test_corrupt_littlefs_is_not_mounted_nor_formatted(tmp_path):
    img = mkfs(tmp_path / "corrupt.img")
    with open(img, "r+b") as f:
        for block in (0, 1):                      # both superblock copies
            f.seek(block * 4096 + 40)
            f.write(os.urandom(200))
    before = sha256(img)
    with Node("storage-corrupt", disk=img) as n:
        n.boot()
        log = n.run("log")
        assert "holds a littlefs filesystem that does not mount" in log
        assert "corrupt" in n.run("df")
        assert n.run("cat /x") == "error: cat: /x: no filesystem mounted there"
        assert n.run("fsck /") == "error: fsck: /: not mounted (corrupt)"
    assert sha256(img) == before
    with Node("storage-corrupt-format", disk=img) as n:
        n.boot()
        assert "format: / is an empty littlefs filesystem" in n.run("format --yes")
        assert "clean" in n.run("fsck /")


def test_no_disk_keeps_tmp():
    with Node("storage-nodisk") as n:
        n.boot()
        assert "no virtio-blk disk" in n.run("log")
        assert n.run("write /tmp/a hello") == ""
        assert n.run("cat /tmp/a") == "hello"
        assert n.run("write /a b") == "error: write: /a: no filesystem mounted there"


def test_clear_errors(tmp_path):
    img = blank_image(tmp_path / "disk.img")
    with Node("storage-errors", disk=img) as n:
        n.boot()
        assert n.run("cat /nope") == "error: cat: /nope: not found"
        assert n.run("ls /nope") == "error: ls: /nope: not found"
        assert n.run("stat /nope") == "error: stat: /nope: not found"
        assert n.run("rm /nope") == "error: rm: /nope: not found"
        assert n.run("hexdump /nope") == "error: hexdump: /nope: not found"
        assert n.run("mkdir /d") == ""
        assert n.run("write /d/f x") == ""
        assert n.run("mkdir /d") == "error: mkdir: /d: already exists"
        assert n.run("rm /d") == "error: rm: /d: directory not empty"
        assert n.run("cat /d") == "error: cat: /d: is a directory"
        assert n.run("write /d/f/g x") == "error: write: /d/f/g: not a directory"
        assert n.run("cat /..") == "error: cat: /..: invalid path or arguments"
        assert n.run("mv /d/f /tmp/f") == "error: mv: /d/f -> /tmp/f: not on the same filesystem"
        assert n.run("rm /tmp") == "error: rm: /tmp: busy"
        assert n.run("cat /d/./../d/f") == "x"
        assert n.run("cat").startswith("usage: cat")
        hd = n.run("hexdump /d/f")
        assert hd.splitlines()[0].startswith("00000000  78 0a") and "|x.|" in hd


def test_rewriting_files_on_a_well_used_filesystem():
    # 95 files of 1..9000 bytes fill /tmp (1 MiB) to 60%; rewriting them
    # again and again must not run out of space (lib/fs's allocator once
    # reported a full disk at 60% here, counting blocks freed since its
    # window was filled as used; tests/unit/fs/test_alloc.c has the cause).
    with Node("storage-rewrite") as n:
        n.boot()
        for _ in range(5):
            assert n.run("fsloop /tmp/loop 95", timeout=300).endswith("fsloop: done")
        assert "verify: 95 intact in a row, 0 bad, 95 files" in n.run("fsloop verify /tmp/loop")
        assert n.run("fsck /tmp") == "fsck: /tmp: clean"


def test_custom_attributes_survive_reboot(tmp_path):
    img = blank_image(tmp_path / "disk.img")
    with Node("storage-attr", disk=img) as n:
        n.boot()
        assert n.run("write /app.wasm payload") == ""
        assert n.run("mkdir /cfg") == ""
        assert n.run("attr set /app.wasm 7 v1.2.3") == ""
        assert n.run("attr set /app.wasm 7 v1.2.4") == ""     # replaces
        assert n.run("attr set /cfg 0x20 owner=cluster") == ""  # on a directory
        assert n.run("attr get /app.wasm 7") == "v1.2.4"
        assert n.run("attr set /tmp 1 x") == ""                 # /tmp is its own filesystem
        assert n.run("attr get /tmp 1") == "x"
        assert n.run("attr set /app.wasm 8 gone") == ""
        assert n.run("attr rm /app.wasm 8") == ""
        assert n.run("attr get /app.wasm 8").startswith("error: attr: /app.wasm:")
        assert n.run("attr get /nothing 7").startswith("error: attr: /nothing:")
        assert n.run("attr get /app.wasm 256") == "error: attr: type must be 0..255, not '256'"
        assert n.run("attr get /app.wasm").startswith("usage: attr")
        assert n.run("cat /app.wasm") == "payload"              # data untouched
    with Node("storage-attr-2", disk=img) as n:
        n.boot()
        assert n.run("attr get /app.wasm 7") == "v1.2.4"
        assert n.run("attr get /cfg 32") == "owner=cluster"
        assert n.run("attr get /app.wasm 8").startswith("error: attr: /app.wasm:")
        assert n.run("fsck /") == "fsck: /: clean"
    # The host tool sees the same filesystem, clean.
    assert "clean" in pusfs("fsck", img).stdout
