"""lib/json against Python's json module: random documents written by
Python are parsed by lib/json, written back by the lib/json writer
(build/proto/json_roundtrip) and must read back equal in Python."""
import json
import math
import random
import subprocess

import pytest

from proto_helpers import BUILD

TOOL = BUILD / "proto" / "json_roundtrip"


def roundtrip(text):
    if not TOOL.exists():
        pytest.skip(f"{TOOL} not built")
    data = text.encode() if isinstance(text, str) else text
    proc = subprocess.run([str(TOOL)], input=data, stdout=subprocess.PIPE, timeout=30)
    return proc.returncode, proc.stdout


def random_value(rng, depth=0):
    kind = rng.randrange(9 if depth < 6 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.choice([0, -1, 2**63 - 1, -2**63, rng.randrange(-10**6, 10**6)])
    if kind == 3:
        return rng.choice([0.5, -0.0, 1e-310, 1.7976931348623157e308,
                           rng.uniform(-1e6, 1e6), rng.random() * 10 ** rng.randrange(-30, 30)])
    if kind in (4, 5):
        alphabet = "ab\"\\/\b\f\n\r\t\x00\x1f é€😀\u2028"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
    if kind in (6, 7):
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    return {"k%d" % rng.randrange(20):
            random_value(rng, depth + 1) for _ in range(rng.randrange(5))}


def close(a, b):
    if isinstance(a, float) and isinstance(b, (float, int)):
        return a == b or math.isclose(a, b, rel_tol=1e-15, abs_tol=0)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(close, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    return a == b and type(a) == type(b)


@pytest.mark.parametrize("ascii_only", [True, False])
def test_random_documents_round_trip(ascii_only):
    rng = random.Random(1234 + ascii_only)
    for _ in range(150):
        value = random_value(rng)
        text = json.dumps(value, ensure_ascii=ascii_only, indent=rng.choice([None, 2]))
        rc, out = roundtrip(text)
        assert rc == 0, (text, out)
        back = json.loads(out.decode("utf-8"))
        assert close(value, back), (text, out)


def test_large_integers_exact():
    rc, out = roundtrip("[9223372036854775807,-9223372036854775808,9223372036854775808]")
    assert rc == 0
    assert json.loads(out) == [2**63 - 1, -2**63, 2.0**63]


@pytest.mark.parametrize("text", [
    "NaN", "[Infinity]", '"\\ud800"', "[1,]", "{'a':1}", "[1] x", '"\x01"', "01", "",
])
def test_rejects_what_rfc8259_rejects(text):
    rc, out = roundtrip(text)
    assert rc == 2 and out.startswith(b"error "), out


def test_rejects_invalid_utf8():
    rc, out = roundtrip(b'["\xc3\x28"]')
    assert rc == 2 and b"UTF-8" in out
