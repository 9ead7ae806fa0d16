"""Helpers for the storage system tests: disk images and the host tool."""
import hashlib
import subprocess

from pusdirs import BUILD

PUSFS = BUILD / "bin" / "pusfs"


def blank_image(path, mib=16):
    with open(path, "wb") as f:
        f.truncate(mib << 20)
    return path


def pusfs(*args, check=True):
    r = subprocess.run([str(PUSFS), *map(str, args)], capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"pusfs {' '.join(map(str, args))}: {r.returncode} {r.stderr}")
    return r


def mkfs(path, blocks=4096):
    pusfs("mkfs", path, "--block-size", 4096, "--blocks", blocks)
    return path


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def drive_args(path, index=0, readonly=False):
    ro = ",readonly=on" if readonly else ""
    return ["-drive", f"file={path},if=none,format=raw,id=disk{index}{ro}",
            "-device", f"virtio-blk-device,drive=disk{index}"]


MODERN = ["-global", "virtio-mmio.force-legacy=false"]
