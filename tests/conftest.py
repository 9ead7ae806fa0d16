"""Shared pytest setup: puts tests/lib (pusdirs, node, ...) on sys.path.

Tests import shared paths from pusdirs, never from a conftest: several
folders have their own conftest.py and the module name would be ambiguous.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "lib"))

from pusdirs import ROOT, BUILD, SHARED, read_list  # noqa: E402,F401  (kept for old imports)
