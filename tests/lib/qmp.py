"""QEMU's machine protocol (QMP) for tests: one command per connection."""
import json
import socket


def qmp(path, command, arguments=None, timeout=30):
    """Runs one QMP command on a fresh connection to the unix socket at path
    (greeting, capabilities, command; events in between are skipped) and
    returns its "return" value."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        f = s.makefile("rw")
        assert "QMP" in json.loads(f.readline())
        for cmd in ({"execute": "qmp_capabilities"},
                    dict({"execute": command}, **({"arguments": arguments} if arguments else {}))):
            f.write(json.dumps(cmd) + "\n")
            f.flush()
            reply = json.loads(f.readline())
            while "event" in reply:
                reply = json.loads(f.readline())
            assert "return" in reply, reply
        return reply["return"]
