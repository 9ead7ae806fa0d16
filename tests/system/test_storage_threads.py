"""Several threads on several harts use the same filesystems at once: the
VFS serializes each filesystem with its mutex, so every file written is
read back intact, every appended record is there, and fsck stays clean."""
from node import Node
from storagelib import blank_image


def test_threads_share_the_filesystems(tmp_path):
    img = blank_image(tmp_path / "disk.img")
    with Node("storage-threads", smp=4, disk=img) as n:
        n.boot()
        out = n.run("fsthreads /thr 6 40", timeout=600)
        assert out.endswith("fsthreads: 6 threads x 40 files, 240 records, 0 errors"), out
        out = n.run("fsthreads /tmp/thr 4 25", timeout=600)
        assert out.endswith("fsthreads: 4 threads x 25 files, 100 records, 0 errors"), out
        assert n.run("fsck") == "fsck: /: clean\nfsck: /tmp: clean"
        # even-numbered files stay; odd ones were removed
        ls = n.run("ls /thr").split()
        assert "t0-0" in ls and "t5-38" in ls and "t0-1" not in ls
        assert len(ls) == 6 * 20
