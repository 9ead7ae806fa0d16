#!/usr/bin/python3
"""Writes seed inputs for the net_rx fuzz target into tests/fuzz/corpus/net_rx/.

Each seed is a list of records [flags][len u16][frame] (see net_rx.c); the
harness fixes MACs and checksums when the flags ask, so frames here leave
those fields zero.
"""
import os
import struct
import sys

ME = bytes([10, 0, 0, 1])
PEER = bytes([10, 0, 0, 2])
MAC_ME = bytes([2, 0, 0, 0, 0, 1])
MAC_PEER = bytes([2, 0, 0, 0, 0, 2])
BCAST = b"\xff" * 6


def eth(payload, etype=0x0800, dst=MAC_ME):
    return dst + MAC_PEER + struct.pack(">H", etype) + payload


def ip(proto, l4, src=PEER, dst=ME, frag=0, ident=1):
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, frag, 64, proto, 0, src, dst)
    return hdr + l4


def tcp(sport, dport, seq, ack, flags, data=b"", opts=b""):
    off = (20 + len(opts)) // 4
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, 65535, 0, 0) + opts + data


def udp(sport, dport, data):
    return struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data


def rec(frame, flags=0x07):
    return struct.pack(">BH", flags, len(frame)) + frame


def dhcp(msgtype, yiaddr=bytes([10, 0, 0, 77])):
    m = bytearray(240)
    m[0] = 2; m[1] = 1; m[2] = 6
    m[16:20] = yiaddr
    m[28:34] = MAC_ME
    m[236:240] = bytes([99, 130, 83, 99])
    m += bytes([53, 1, msgtype, 54, 4, 10, 0, 0, 254, 51, 4, 0, 0, 0, 100, 1, 4, 255, 255, 255, 0, 255])
    return bytes(m)


def dns_answer():
    q = b"\x04fuzz\x07example\x00\x00\x01\x00\x01"
    a = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x1e\x00\x04\x0a\x00\x00\x32"
    return struct.pack(">HHHHHH", 0, 0x8180, 1, 1, 0, 0) + q + a


def main(out):
    os.makedirs(out, exist_ok=True)
    seeds = {
        "tcp_syn": rec(eth(ip(6, tcp(4000, 80, 1, 0, 0x02, opts=b"\x02\x04\x05\xb4\x01\x03\x03\x07")))),
        "tcp_data": rec(eth(ip(6, tcp(1234, 80, 0, 0, 0x18, b"hello world"))), 0x47),
        "tcp_fin": rec(eth(ip(6, tcp(1234, 80, 0, 0, 0x11))), 0x47) + rec(b"", 0x10),
        "tcp_rst": rec(eth(ip(6, tcp(1234, 80, 0, 0, 0x04))), 0x47),
        "tcp_ooo": rec(eth(ip(6, tcp(1234, 80, 100, 0, 0x10, b"x" * 100))), 0x47)
        + rec(eth(ip(6, tcp(1234, 80, 0, 0, 0x10, b"y" * 100))), 0x47),
        "udp": rec(eth(ip(17, udp(1, 5683, b"coap")))),
        "udp_closed": rec(eth(ip(17, udp(1, 9, b"discard")))),
        "icmp_echo": rec(eth(ip(1, b"\x08\x00\x00\x00\x00\x01\x00\x01" + b"ping" * 8))),
        "icmp_unreach": rec(eth(ip(1, b"\x03\x03\x00\x00\x00\x00\x00\x00" + ip(17, udp(5683, 53, b"")), ))),
        "arp_req": rec(eth(struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) + MAC_PEER + PEER + b"\0" * 6 + ME,
                           0x0806, BCAST), 0),
        "dhcp_offer": rec(eth(ip(17, udp(67, 68, dhcp(2)), dst=b"\xff" * 4), dst=BCAST), 0x06),
        "dhcp_ack": rec(eth(ip(17, udp(67, 68, dhcp(5)), dst=b"\xff" * 4), dst=BCAST), 0x06),
        "dns": rec(eth(ip(17, udp(53, 50000, dns_answer()), src=bytes([10, 0, 0, 53])))),
        "frags": rec(eth(ip(17, udp(1, 5683, b"a" * 24)[:16], frag=0x2000, ident=7)))
        + rec(eth(ip(17, b"b" * 16, frag=2, ident=7))),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(os.path.dirname(__file__), "..", "corpus", "net_rx"))
