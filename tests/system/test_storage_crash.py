"""Power cut during writes: QEMU is killed with SIGKILL while the node
writes and syncs numbered files (`fsloop`). After the reboot the filesystem
mounts clean, fsck passes, and every file the node reported as synced is
intact. A file being written at the kill is either absent, empty (created,
data not yet synced) or complete."""
import random
import re

import pytest

from node import Node
from storagelib import MODERN, blank_image, pusfs

VERIFY = re.compile(r"verify: (\d+) intact in a row, (\d+) bad, (\d+) files, last (\S+)")


def kill_during_loop(img, name, synced_target, extra=()):
    """Run the loop, SIGKILL QEMU once `synced_target` was printed; return
    the highest synced number seen."""
    n = Node(name, disk=img, extra=list(extra))
    try:
        n.boot()
        n.sendline("fsloop /loop 1000000")
        last = -1
        while last < synced_target:
            last = int(n.expect(r"synced (\d+)\r*\n").group(1))
    finally:
        n.close()                                   # SIGKILL, mid-write
    return last


def check_after(img, name, last_synced, extra=()):
    with Node(name, disk=img, extra=list(extra)) as n:
        n.boot()
        log = n.run("log")
        assert "/: littlefs 2.1 on virtio-blk0" in log, log
        assert "formatting" not in log and "corrupt" not in log
        assert n.run("fsck /") == "fsck: /: clean"
        out = n.run("fsloop verify /loop", timeout=300)
        m = VERIFY.search(out)
        assert m, out
        intact, bad, files, last = int(m[1]), int(m[2]), int(m[3]), m[4]
        assert intact >= last_synced + 1, out
        # only the file being written at the kill may be short (empty)
        for line in out.splitlines():
            if line.startswith("bad "):
                idx = int(line.split()[1][1:].rstrip(":"))
                assert idx > last_synced and "size 0 " in line, out
        assert bad <= 1 and files <= intact + 1, out
        if last_synced >= 7:
            assert last != "-" and int(last) >= (last_synced + 1) // 8 * 8 - 1, out
        # the filesystem still takes writes after the cut
        assert n.run("write /after-cut ok") == ""
        assert n.run("cat /after-cut") == "ok"
        return intact


@pytest.mark.parametrize("layout", ["legacy", "modern"])
def test_sigkill_during_write_loop(tmp_path, layout):
    extra = MODERN if layout == "modern" else []
    img = blank_image(tmp_path / "disk.img")
    rng = random.Random(layout)
    total = 0
    for round_ in range(3):
        target = total + rng.randint(5, 40)
        # the loop restarts at f00000 each round: rewrites are cut too
        last = kill_during_loop(img, f"crash-{layout}-{round_}", target, extra)
        total = check_after(img, f"crash-{layout}-{round_}-check", last, extra)
    # the host tool agrees
    assert "clean" in pusfs("fsck", img).stdout
