import pathlib
import pytest

KERNEL = pathlib.Path(__file__).resolve().parent.parent.parent / "build" / "pusos.elf"


@pytest.fixture(autouse=True)
def need_kernel():
    if not KERNEL.exists():
        pytest.fail("build/pusos.elf is missing: run make first")
