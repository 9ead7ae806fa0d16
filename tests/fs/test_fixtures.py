"""Reference littlefs images (../shared/fixtures/littlefs) through pusfs.

Every image must mount (with and without an explicit block count), list
exactly the manifest's entries, read every file back byte-exact (sha256),
return the custom attributes, and stay byte-identical while only read.
Writing on top of a copy must keep it mountable and consistent.
"""
import hashlib
import json
import shutil
import subprocess

import pytest

from pusdirs import BUILD, SHARED

FIXTURES = SHARED / "fixtures" / "littlefs"
PUSFS = BUILD / "bin" / "pusfs"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text()) \
    if (FIXTURES / "manifest.json").exists() else {"images": []}
IMAGES = MANIFEST["images"]


def pusfs(*args, check=True):
    proc = subprocess.run([str(PUSFS), *map(str, args)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr.decode()
    return proc


def geometry_args(image, with_count):
    args = ["--block-size", image["geometry"]["block_size"]]
    if with_count:
        args += ["--blocks", image["geometry"]["block_count"]]
    return args


def listing(img, args):
    """{path: (type, size)} from pusfs ls -R."""
    out = pusfs("ls", img, "/", "-R", *args).stdout.decode()
    entries = {}
    for line in out.splitlines():
        kind, size, path = line.split(None, 2)
        if kind == "d":
            entries[path.rstrip("/")] = ("dir", None)
        else:
            entries[path] = ("file", int(size))
    return entries


def expected_listing(image):
    entries = {}
    for d in image["dirs"]:
        for e in d["entries"]:
            path = (d["path"].rstrip("/") + "/" + e["name"])
            entries[path] = (e["type"], e.get("size") if e["type"] == "file" else None)
    return entries


def check_contents(img, image, args):
    assert listing(img, args) == expected_listing(image)
    for f in image["files"]:
        data = pusfs("get", img, f["path"], "-", *args).stdout
        assert len(data) == f["size"], f["path"]
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
    for a in image["attrs"]:
        out = pusfs("getattr", img, a["path"], int(a["type"], 16), *args)
        assert out.stdout.decode().strip() == a["hex"], a["path"]


@pytest.mark.parametrize("with_count", [True, False], ids=["count", "sbcount"])
@pytest.mark.parametrize("image", IMAGES, ids=[i["name"] for i in IMAGES])
def test_read_fixture(image, with_count):
    img = FIXTURES / image["file"]
    before = hashlib.sha256(img.read_bytes()).hexdigest()
    assert before == image["image_sha256"]
    args = geometry_args(image, with_count)
    check_contents(img, image, args)
    out = pusfs("df", img, *args).stdout.decode()
    used = int(out.split("used ")[1].split()[0])
    assert used == image["used_blocks"]
    pusfs("fsck", img, *args)
    assert hashlib.sha256(img.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("image", IMAGES, ids=[i["name"] for i in IMAGES])
def test_write_on_fixture(image, tmp_path):
    img = tmp_path / image["file"]
    shutil.copy(FIXTURES / image["file"], img)
    img.chmod(0o644)
    args = geometry_args(image, False)
    local = tmp_path / "local.bin"
    payload = bytes((i * 7 + 3) & 0xff for i in range(20000))
    local.write_bytes(payload)
    pusfs("mkdir", img, "/new", *args)
    pusfs("put", img, local, "/new/big.bin", *args)
    small = tmp_path / "small.txt"
    small.write_bytes(b"tiny\n")
    pusfs("put", img, small, "/new/tiny.txt", *args)
    pusfs("mv", img, "/new/tiny.txt", "/tiny-moved.txt", *args)
    victim = next((f["path"] for f in image["files"]), None)
    if victim:
        pusfs("rm", img, victim, *args)
    pusfs("fsck", img, *args)
    entries = listing(img, args)
    expected = expected_listing(image)
    if victim:
        del expected[victim]
    expected["/new"] = ("dir", None)
    expected["/new/big.bin"] = ("file", len(payload))
    expected["/tiny-moved.txt"] = ("file", 5)
    assert entries == expected
    assert pusfs("get", img, "/new/big.bin", "-", *args).stdout == payload
    assert pusfs("cat", img, "/tiny-moved.txt", *args).stdout == b"tiny\n"
    for f in image["files"]:
        if f["path"] == victim:
            continue
        data = pusfs("get", img, f["path"], "-", *args).stdout
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
    if image["name"] == "small_v2_0":
        # first write upgrades the superblock to lfs2.1
        out = pusfs("df", img, *args).stdout.decode()
        assert "version 2.1" in out


def test_blank_and_foreign_disks_are_refused(tmp_path):
    blank = tmp_path / "blank.img"
    blank.write_bytes(b"\xff" * 4096 * 16)
    proc = pusfs("ls", blank, "--block-size", 4096, check=False)
    assert proc.returncode != 0 and b"bad format" in proc.stderr
    foreign = tmp_path / "foreign.img"
    foreign.write_bytes(bytes(range(256)) * 16 * 16)
    proc = pusfs("ls", foreign, "--block-size", 4096, check=False)
    assert proc.returncode != 0 and b"bad format" in proc.stderr


def test_mkfs_creates_image(tmp_path):
    img = tmp_path / "node.img"
    pusfs("mkfs", img, "--block-size", 4096, "--blocks", 64)
    assert img.stat().st_size == 4096 * 64
    assert pusfs("ls", img).stdout == b""
    src = tmp_path / "app.wasm"
    src.write_bytes(b"\0asm" + bytes(10000))
    pusfs("mkdir", img, "/apps")
    pusfs("put", img, src, "/apps/app.wasm")
    assert pusfs("get", img, "/apps/app.wasm", "-").stdout == src.read_bytes()
    out = tmp_path / "out.bin"
    pusfs("get", img, "/apps/app.wasm", out)
    assert out.read_bytes() == src.read_bytes()
    pusfs("rm", img, "/apps/app.wasm")
    pusfs("rm", img, "/apps")
    pusfs("fsck", img)
    assert pusfs("ls", img).stdout == b""
    proc = pusfs("rm", img, "/nope", check=False)
    assert proc.returncode != 0 and b"not found" in proc.stderr


def test_pusfs_errors(tmp_path):
    img = tmp_path / "e.img"
    assert pusfs(check=False).returncode == 2
    assert pusfs("frobnicate", img, check=False).returncode == 2
    assert pusfs("mkfs", img, check=False).returncode == 2   # needs geometry
    pusfs("mkfs", img, "--block-size", 512, "--blocks", 128)
    pusfs("mkdir", img, "/d")
    cases = [
        (("mkdir", img, "/d"), b"already exists"),
        (("cat", img, "/d"), b"is a directory"),
        (("mkdir", img, "/nope/x"), b"not found"),
        (("put", img, tmp_path / "missing", "/x"), b"cannot read"),
        (("ls", img, "/missing"), b"not found"),
        (("mkdir", img, "/" + "n" * 256), b"name too long"),
    ]
    local = tmp_path / "f"
    local.write_bytes(b"abc")
    pusfs("put", img, local, "/d/f")
    cases.append((("rm", img, "/d"), b"directory not empty"))
    cases.append((("put", img, local, "/d/f/g"), b"not a directory"))
    for args, message in cases:
        proc = pusfs(*args, check=False)
        assert proc.returncode == 1, args
        assert message in proc.stderr, (args, proc.stderr)
    assert pusfs("ls", img, "/d/f").stdout.split() == [b"f", b"3", b"/d/f"]
    pusfs("fsck", img)
