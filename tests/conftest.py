"""Shared pytest setup: paths to the build tree and to ../shared test data."""
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
SHARED = pathlib.Path(os.environ.get("PUS_SHARED", ROOT / ".." / "shared")).resolve()

sys.path.insert(0, str(ROOT / "tests" / "lib"))


def read_list(name):
    """A list file written by make (build/unit-tests.list, ...)."""
    path = BUILD / name
    if not path.exists():
        return []
    return [line for line in path.read_text().split() if line]
