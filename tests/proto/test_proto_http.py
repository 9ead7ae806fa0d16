"""lib/http against a real client: curl talks to the server engine over a
loopback TCP socket (build/proto/http_server, see
tests/unit/http/http_server_main.c)."""
import subprocess

import pytest

from proto_helpers import need, start_server, stop


@pytest.fixture(scope="module")
def server():
    proc, port = start_server("http_server")
    yield f"http://127.0.0.1:{port}"
    stop(proc)


def curl(*args, data=None):
    """Runs curl; returns (stdout bytes, stderr text)."""
    cmd = [need("curl"), "-sS", "--max-time", "10", *args]
    proc = subprocess.run(cmd, input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=30)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout, proc.stderr.decode()


def status_and_headers(raw):
    """Splits `curl -i` output into (status, {lower name: value}, body),
    skipping interim 1xx responses."""
    while True:
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        if status >= 200:
            break
        raw = body
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def test_get(server):
    out, _ = curl("-i", server + "/hello")
    status, headers, body = status_and_headers(out)
    assert (status, body) == (200, b"hello\n")
    assert headers["content-length"] == "6"
    assert headers["server"] == "pusos-host-test"


def test_path_params_are_decoded(server):
    out, _ = curl(server + "/apps/my%20app")
    assert out == b"name=my app"


def test_keep_alive_reuses_one_connection(server):
    out, err = curl("-v", server + "/count", server + "/count", server + "/count")
    assert out == b"1\n2\n3\n"
    assert "Re-using existing connection" in err or "Reusing existing connection" in err


def test_http10_closes(server):
    out, err = curl("-0", "-i", server + "/count", server + "/count")
    # each request is the first on its own connection
    assert out.count(b"\r\n\r\n1\n") == 2
    assert b"Connection: close" in out


def test_head(server):
    out, _ = curl("-I", server + "/hello")
    status, headers, body = status_and_headers(out)
    assert status == 200 and headers["content-length"] == "6" and body == b""


def test_chunked_response(server):
    out, _ = curl("-i", server + "/stream?n=50")
    status, headers, body = status_and_headers(out)
    assert headers["transfer-encoding"] == "chunked"
    assert body == b"".join(b"line %d\n" % i for i in range(50))


def test_post_content_length(server):
    data = bytes(range(256)) * 3
    out, _ = curl("--data-binary", "@-", "-H", "Content-Type: application/octet-stream",
                  server + "/echo", data=data)
    assert out == data


def test_put_chunked_upload(server):
    data = b"x" * 700 + b"y" * 300
    out, err = curl("-v", "-T", "-", "-H", "Transfer-Encoding: chunked", server + "/echo",
                    data=data)
    assert "Transfer-Encoding: chunked" in err
    assert out == data


def test_expect_continue(server):
    data = b"z" * 1000
    out, _ = curl("-i", "-H", "Expect: 100-continue", "--data-binary", "@-",
                  server + "/echo", data=data)
    assert out.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    status, _, body = status_and_headers(out)
    assert status == 200 and body == data


def test_not_found(server):
    out, _ = curl("-i", server + "/nowhere")
    assert status_and_headers(out)[0] == 404


def test_method_not_allowed(server):
    out, _ = curl("-i", "-X", "DELETE", server + "/hello")
    status, headers, _ = status_and_headers(out)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"


def test_body_too_large(server):
    out, _ = curl("-i", "--data-binary", "@-", server + "/echo", data=b"q" * 5000)
    status, headers, _ = status_and_headers(out)
    assert status == 413
    assert headers["connection"] == "close"


def test_chunked_upload_too_large(server):
    out, _ = curl("-i", "-T", "-", "-H", "Transfer-Encoding: chunked", server + "/echo",
                  data=b"q" * 5000)
    assert status_and_headers(out)[0] == 413


def test_header_fields_too_large(server):
    out, _ = curl("-i", "-H", "X-Big: " + "b" * 9000, server + "/hello")
    assert status_and_headers(out)[0] == 431


def test_uri_too_long(server):
    out, _ = curl("-i", server + "/" + "u" * 5000)
    assert status_and_headers(out)[0] == 414


def test_server_survives_and_still_serves(server):
    out, _ = curl(server + "/hello")
    assert out == b"hello\n"
