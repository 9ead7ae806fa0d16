"""The kernel random source: two boots give different bytes, the boot log
names the entropy sources (virtio-rng when QEMU offers it), nodes boot fine
without virtio-rng, and the `random` command's edges."""
import os
import re
import tempfile

from node import Node

HEX_LINE = re.compile(r"^[0-9a-f]+$")
SEEDED = re.compile(r"random: seeded from ([^;\n]+); (\d+) bits credited")


def draw(node, n=32):
    out = node.run(f"random {n}")
    lines = out.splitlines()
    assert all(HEX_LINE.match(l) for l in lines), out
    return "".join(lines)


def test_two_boots_differ():
    a, b = Node("random-boot-a"), Node("random-boot-b")
    try:
        # Both at once: same kernel, same QEMU command line, same moment.
        a.start()
        b.start()
        a.wait_ready()
        b.wait_ready()
        xa, xb = draw(a), draw(b)
        assert len(xa) == len(xb) == 64
        assert xa != xb
        assert draw(a) != xa            # and the next draw differs too
    finally:
        a.close()
        b.close()


def test_virtio_rng_seeds_and_is_named_in_the_boot_log():
    with Node("random-virtio") as n:
        n.boot()
        log = n.run("log")
        assert re.search(r"virtio-rng: \d+ bytes of host entropy into the random pool", log), log
        m = SEEDED.search(log)
        assert m, log
        assert "virtio-rng (" in m.group(1) and "rng-seed (" in m.group(1), m.group(0)
        info = n.run("random info")
        assert "random: seeded" in info, info
        fetches = int(re.search(r"virtio-rng: (\d+) fetches", info).group(1))
        assert fetches >= 1, info
        # `random reseed` asks the device for more; it answers in its own time.
        assert "reseeded" in n.run("random reseed")
        for _ in range(50):
            info = n.run("random info")
            if int(re.search(r"virtio-rng: (\d+) fetches", info).group(1)) > fetches:
                break
        else:
            raise AssertionError(f"virtio-rng never fetched again:\n{info}")


def test_boots_without_virtio_rng():
    with Node("random-no-virtio", rng=False) as n:
        n.boot()
        log = n.run("log")
        m = SEEDED.search(log)
        assert m, log
        assert "virtio-rng" not in m.group(1)
        assert "rng-seed (" in m.group(1)         # QEMU virt's /chosen/rng-seed
        assert "virtio-rng: none" in n.run("random info")
        assert len(draw(n, 16)) == 32


def test_silent_virtio_rng_does_not_stop_boot():
    """A virtio-rng whose backend never answers (an EGD socket nobody
    connects to): the probe gives up after its timeout and boot goes on."""
    with tempfile.TemporaryDirectory(prefix="pusrng-") as d:
        sock = os.path.join(d, "egd.sock")
        extra = ["-chardev", f"socket,id=egd,path={sock},server=on,wait=off",
                 "-object", "rng-egd,chardev=egd,id=silent",
                 "-device", "virtio-rng-device,rng=silent"]
        with Node("random-silent", rng=False, extra=extra) as n:
            n.boot()
            log = n.run("log")
            assert "virtio-rng: no entropy at probe (timed out)" in log, log
            assert SEEDED.search(log), log
            assert re.search(r"virtio-rng: 0 fetches, 0 bytes, 1 timeouts", n.run("random info"))
            assert len(draw(n)) == 64


def test_weak_seeding_without_trusted_sources():
    """No virtio-rng and the loader's seed not trusted: the node says it is
    weakly seeded, yet two boots still differ (jitter, seed, counters)."""
    args = dict(rng=False, append="random.trust_bootloader=off")
    a, b = Node("random-weak-a", **args), Node("random-weak-b", **args)
    try:
        a.start()
        b.start()
        a.wait_ready()
        b.wait_ready()
        log = a.run("log")
        assert "random: only weakly seeded" in log, log
        assert "rng-seed (0 bits)" in log, log
        assert "NOT fully seeded" in a.run("random info")
        assert draw(a) != draw(b)
    finally:
        a.close()
        b.close()


def test_mac_addresses_are_mixed_in():
    # A NIC on a hub with nothing else on it: no traffic leaves QEMU.
    nic = ["-netdev", "hubport,id=n0,hubid=0",
           "-device", "virtio-net-device,netdev=n0,mac=52:54:00:77:00:02"]
    with Node("random-mac", extra=nic, append="ip=10.77.0.2/24") as n:
        n.boot()
        info = n.run("random info")
        assert re.search(r"^\s+mac\s+0 bits credited,\s+6 bytes in 1 inputs", info, re.M), info


def test_random_command():
    with Node("random-cmd", smp=1) as n:
        n.boot()
        assert len(draw(n)) == 64                  # default: 32 bytes
        big = n.run("random 100").splitlines()
        assert [len(l) for l in big] == [64, 64, 64, 8], big
        assert len(draw(n, 4096)) == 8192
        for bad in ("0", "4097", "x", "-3", "12z"):
            assert "error: random: N must be a number from 1 to 4096" in n.run(f"random {bad}")
        assert "usage: random" in n.run("random 1 2")
