"""Large files: the block device's read-ahead, prefetch and write-behind
paths carry whole multi-megabyte files without changing a byte."""
import hashlib
import os
import re

from node import Node
from storagelib import MODERN, blank_image, drive_args, mkfs, pusfs


def test_large_host_file_read_in_node(tmp_path):
    img = mkfs(tmp_path / "disk.img", blocks=8192)            # 32 MiB
    data = os.urandom(6 * 1024 * 1024 + 12345)
    (tmp_path / "big").write_bytes(data)
    pusfs("put", img, tmp_path / "big", "/big")
    with Node("storage-large", disk=img, extra=MODERN) as n:
        n.boot()
        for _ in range(2):                                    # cold, then again
            assert n.run("sha256sum /big", timeout=300).split()[0] == \
                hashlib.sha256(data).hexdigest()
        assert n.run("mv /big /big2") == ""
        assert n.run("sha256sum /big2", timeout=300).split()[0] == \
            hashlib.sha256(data).hexdigest()


def stamp(offset):
    """What fsbench puts in the first 8 bytes of the sector at offset
    (services/vfs/fsbench_pattern.c)."""
    v = ((offset * 0x9e3779b97f4a7c15) & (2**64 - 1)) ^ 0xf5b0c4d3a2e19788
    return v.to_bytes(8, "little")


def test_fsbench_asks_then_writes_reads_and_verifies(tmp_path):
    img = blank_image(tmp_path / "disk.img", mib=32)
    scratch = blank_image(tmp_path / "scratch.img", mib=16)
    with Node("storage-fsbench", disk=img, extra=drive_args(scratch, index=1)) as n:
        n.boot()
        # Without --yes: refused, nothing written on the scratch disk.
        out = n.run("fsbench 8", timeout=60)
        assert out.startswith("error: fsbench: the raw figures overwrite the first 8 MiB "
                              "of virtio-blk1"), out
        assert "fsbench --yes 8" in out, out
        assert "MB/s" not in out
        assert scratch.read_bytes() == bytes(16 << 20)
        out = n.run("fsbench --yes 8", timeout=600)
        assert "error" not in out, out
        assert re.search(r"sequential write: fs \d+ MB/s, raw \d+ MB/s", out), out
        assert re.search(r"sequential read: fs \d+ MB/s, raw \d+ MB/s", out), out
        assert n.run("fsck /") == "fsck: /: clean"
        assert "fsbench.tmp" not in n.run("ls /")
        assert n.run("fsbench --yes --yes 8").startswith("usage:")
    assert "clean" in pusfs("fsck", img).stdout
    # The raw pass wrote 8 MiB, every sector stamped with its own offset
    # (a chunk written to the wrong place would show), and nothing beyond.
    raw = scratch.read_bytes()
    for off in range(0, 8 << 20, 512):
        assert raw[off:off + 8] == stamp(off), off
    assert raw[8 << 20:] == bytes(8 << 20)
