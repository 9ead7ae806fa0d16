"""lib/mqtt against Debian's mosquitto broker: the test starts mosquitto on
127.0.0.1 on a free port with a config in a temporary directory, runs
build/proto/mqtt_client (tests/unit/mqtt/mqtt_client_main.c) against it,
and cross-checks with mosquitto_pub / mosquitto_sub."""
import select
import socket
import subprocess
import time

import pytest

from proto_helpers import BUILD, need

CLIENT = BUILD / "proto" / "mqtt_client"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    mosquitto = need("mosquitto")
    if not CLIENT.exists():
        pytest.skip(f"{CLIENT} not built")
    port = free_port()
    conf = tmp_path_factory.mktemp("mosquitto") / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n"
                    "persistence false\nlog_dest stderr\n")
    proc = subprocess.Popen([mosquitto, "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:   # wait until it accepts connections (bounded)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("mosquitto did not start: " + proc.stderr.read().decode())
            select.select([], [], [], 0.05)
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def client(port, *args, timeout_ms=10000):
    proc = subprocess.run([str(CLIENT), "-p", str(port), "-t", str(timeout_ms), *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return proc.returncode, proc.stdout.decode().splitlines()


def test_publish_qos1_retained_seen_by_mosquitto_sub(broker):
    rc, lines = client(broker, "-i", "pub1", "-P", "pus/retained", "hello broker", "1", "1")
    assert rc == 0, lines
    assert "connected 0" in lines and "puback 1" in lines
    out = subprocess.run([need("mosquitto_sub"), "-p", str(broker), "-h", "127.0.0.1",
                          "-t", "pus/retained", "-C", "1", "-W", "5", "-v"],
                         stdout=subprocess.PIPE, timeout=30)
    assert out.stdout.decode().strip() == "pus/retained hello broker"


def test_subscribe_receives_from_mosquitto_pub(broker):
    proc = subprocess.Popen([str(CLIENT), "-p", str(broker), "-i", "sub1", "-t", "10000",
                             "-s", "pus/in/#", "1", "-n", "3"],
                            stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        while "ready" not in lines:   # subscribed (SUBACK seen): now publish
            line = proc.stdout.readline()
            assert line, lines
            lines.append(line.strip())
        assert "suback 1 1" in lines
        pub = need("mosquitto_pub")
        for topic, msg, qos in (("pus/in/a", "one", "1"), ("pus/in/b/c", "two", "0"),
                                ("pus/in", "three", "1")):
            subprocess.run([pub, "-p", str(broker), "-h", "127.0.0.1", "-t", topic, "-m", msg,
                            "-q", qos], check=True, timeout=30)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lines += out.splitlines()
    assert proc.returncode == 0, lines
    got = [l for l in lines if l.startswith("message ")]
    assert got == ["message pus/in/a 1 0 one", "message pus/in/b/c 0 0 two",
                   "message pus/in 1 0 three"]


def test_round_trip_through_broker(broker):
    rc, lines = client(broker, "-i", "self1", "-s", "pus/self/+", "1",
                       "-P", "pus/self/q0", "zero", "0", "0",
                       "-P", "pus/self/q1", "one", "1", "0", "-n", "2")
    assert rc == 0, lines
    got = sorted(l for l in lines if l.startswith("message "))
    assert got == ["message pus/self/q0 0 0 zero", "message pus/self/q1 1 0 one"]
    assert "puback 2" in lines


def test_unsubscribe(broker):
    rc, lines = client(broker, "-i", "unsub1", "-s", "pus/u/#", "0", "-s", "pus/v", "1",
                       "-u", "pus/u/#")
    assert rc == 0, lines
    assert lines.index("suback 1 0") < lines.index("ready") < lines.index("unsuback 3")


def test_keepalive_pings(broker):
    rc, lines = client(broker, "-i", "ka1", "-k", "1", "-w", "2", timeout_ms=8000)
    assert rc == 0, lines
    assert lines.count("pingresp") >= 2


def test_invalid_filter_refused_before_sending(broker):
    """A filter with '#' in the middle never reaches the broker."""
    rc, lines = client(broker, "-i", "bad1", "-s", "a/#/b", "0")
    assert rc == 1
