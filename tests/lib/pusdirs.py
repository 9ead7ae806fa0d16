"""Paths every test needs: the repository, the build tree and ../shared."""
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BUILD = ROOT / "build"
SHARED = pathlib.Path(os.environ.get("PUS_SHARED", ROOT / ".." / "shared")).resolve()


def read_list(name):
    """A list file written by make (build/unit-tests.list, ...)."""
    path = BUILD / name
    if not path.exists():
        return []
    return [line for line in path.read_text().split() if line]
