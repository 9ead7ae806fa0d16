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


# ---- the client side: lib/http's request builder and response parser
# (build/proto/http_get) against Python's http.server ----

import http.server
import threading

from proto_helpers import BUILD

HTTP_GET = BUILD / "proto" / "http_get"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/fixed":
            self._send(200, b"fixed body\n", [("Content-Type", "text/plain")])
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Trailer", "X-Sum")
            self.end_headers()
            for piece in (b"alpha ", b"beta " * 300, b"gamma"):
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\nX-Sum: 42\r\n\r\n")
        elif self.path == "/close":
            # no length: the body ends when the connection does
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"until close")
            self.close_connection = True
        elif self.path == "/empty":
            self._send(204, b"")
        elif self.path == "/continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self._send(200, b"after continue")
        else:
            self._send(404, b"nope")

    do_HEAD = do_GET

    def do_PUT(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self._send(201, b"stored " + body)


@pytest.fixture(scope="module")
def origin():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def http_get(port, method, target, *args):
    if not HTTP_GET.exists():
        pytest.skip(f"{HTTP_GET} not built")
    proc = subprocess.run([str(HTTP_GET), str(port), method, target, *args],
                          stdout=subprocess.PIPE, timeout=30)
    return proc.returncode, proc.stdout.decode().splitlines()


def test_client_content_length_keep_alive(origin):
    rc, lines = http_get(origin, "GET", "/fixed", "-n", "3")
    assert rc == 0, lines
    assert lines.count("status 200") == 3
    assert lines.count("body 11 fixed body\\n") == 3
    assert "header Content-Type: text/plain" in lines


def test_client_chunked_with_trailer(origin):
    rc, lines = http_get(origin, "GET", "/chunked", "-n", "2")
    assert rc == 0, lines
    want = "alpha " + "beta " * 300 + "gamma"
    assert lines.count(f"body {len(want)} {want}") == 2


def test_client_until_close(origin):
    rc, lines = http_get(origin, "GET", "/close")
    assert rc == 0, lines
    assert "body 11 until close" in lines


def test_client_head_and_204(origin):
    rc, lines = http_get(origin, "HEAD", "/fixed", "-n", "2")
    assert rc == 0, lines
    assert lines.count("body 0 ") == 2 and "header Content-Length: 11" in lines
    rc, lines = http_get(origin, "GET", "/empty", "-n", "2")
    assert rc == 0 and lines.count("status 204") == 2


def test_client_skips_interim_100(origin):
    rc, lines = http_get(origin, "GET", "/continue")
    assert rc == 0, lines
    assert lines[0] == "status 100" and lines.count("status 200") == 1
    assert "body 14 after continue" in lines


def test_client_put_body(origin):
    rc, lines = http_get(origin, "PUT", "/x", "-d", "data=1", "-c")
    assert rc == 0, lines
    assert "status 201" in lines and "body 13 stored data=1" in lines
