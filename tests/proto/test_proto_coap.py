"""lib/coap against libcoap: Debian's coap-client (libcoap3-bin) talks to
lib/coap's server over UDP on 127.0.0.1 (build/proto/coap_server, see
tests/unit/coap/coap_server_main.c). A raw-socket client checks the
exchange rules coap-client does not exercise (retransmission dedup)."""
import shutil
import socket
import struct
import subprocess

import pytest

from proto_helpers import start_server, stop


def coap_client():
    for name in ("coap-client-notls", "coap-client", "coap-client-gnutls",
                 "coap-client-openssl"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("coap-client (libcoap3-bin) not installed")


@pytest.fixture(scope="module")
def server():
    proc, port = start_server("coap_server")
    yield port
    stop(proc)


def client(port, method, path, *extra):
    cmd = [coap_client(), "-B", "5", "-m", method, *extra,
           f"coap://127.0.0.1:{port}{path}"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=30)
    return proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def test_get(server):
    out, _ = client(server, "get", "/hello")
    assert out.strip() == "hello from pusos"


def test_get_non_confirmable(server):
    out, _ = client(server, "get", "/hello", "-N")
    assert out.strip() == "hello from pusos"


def test_put_then_get(server):
    out, err = client(server, "put", "/store", "-e", "21.5 C")
    assert "4." not in err and "5." not in err
    out, _ = client(server, "get", "/store")
    assert out.strip() == "21.5 C"


def test_unknown_path_is_404(server):
    out, err = client(server, "get", "/no/such/thing")
    assert "4.04" in out + err


def test_wrong_method_is_405(server):
    out, err = client(server, "delete", "/hello")
    assert "4.05" in out + err


def test_discovery(server):
    out, _ = client(server, "get", "/.well-known/core")
    assert out.strip() == "</hello>,</store>,</big>,</count>"


def test_blockwise_get(server):
    expect = "".join(str(i % 10) for i in range(3000))
    out, _ = client(server, "get", "/big")
    assert out.strip() == expect
    out, _ = client(server, "get", "/big", "-b", "64")   # client picks 64-byte blocks
    assert out.strip() == expect


def test_retransmitted_con_is_answered_from_cache(server):
    """The same CON twice (a lost ACK): same reply bytes, handler run once."""
    def count_request(mid):
        # CON GET /count, token 0x77, Uri-Path "count"
        return struct.pack("!BBH", 0x41, 0x01, mid) + b"\x77" + b"\xb5count"

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.connect(("127.0.0.1", server))
        s.send(count_request(0x5151))
        first = s.recv(1500)
        s.send(count_request(0x5151))
        again = s.recv(1500)
        assert first == again
        assert first[0] == 0x61 and first[1] == 0x45          # ACK 2.05, TKL 1
        assert struct.unpack("!H", first[2:4])[0] == 0x5151
        n1 = int(first.split(b"\xff", 1)[1])
        s.send(count_request(0x5152))
        n2 = int(s.recv(1500).split(b"\xff", 1)[1])
        assert n2 == n1 + 1

        # a CoAP ping gets an RST
        s.send(struct.pack("!BBH", 0x40, 0x00, 0x1234))
        assert s.recv(1500) == struct.pack("!BBH", 0x70, 0x00, 0x1234)
