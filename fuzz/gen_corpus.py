#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpora of the fuzz targets: one valid input of each kind
the guest can send, so that the fuzzer starts from deep inside each parser.

Run from the repository root: /usr/bin/python3 fuzz/gen_corpus.py
The output, fuzz/corpus/<target>/, is committed; rerun after changing this.
"""

import hashlib
import os
import struct

from scapy.all import (ARP, BOOTP, DHCP, ICMP, IP, IPv6, TCP, UDP, Ether,
                       ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6ND_RS,
                       ICMPv6NDOptSrcLLAddr, raw)
from scapy.layers.dhcp6 import (DHCP6_Solicit, DHCP6OptClientId,
                                DHCP6OptElapsedTime, DHCP6OptIA_NA,
                                DHCP6OptOptReq, DUID_LL)

GMAC = "02:00:00:00:00:01"
OURMAC = "9a:55:9a:55:9a:55"
G4, GW4 = "192.0.2.2", "192.0.2.1"
G6, GW6, LL6 = "2001:db8::2", "2001:db8::1", "fe80::2"

HERE = os.path.dirname(os.path.abspath(__file__))

# Control socket requests, one of each command (fuzz target "control")
CONTROL_SEEDS = [
    b'{"cmd":"add-forward","proto":"tcp","port":"8080-8081","to":80,'
    b'"addr":"127.0.0.1","dir":"in"}',
    b'{"cmd":"remove-forward","proto":"udp","port":53}',
    b'{"cmd":"list-forwards"}',
    b'{"cmd":"stats"}',
    b'{"cmd":"flows","start":0}',
    b'{"cmd":"st\\u0061ts", "x": [null, true, -1]}',
]


def save(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def dhcp4(msg_type, extra=()):
    return (BOOTP(chaddr=bytes.fromhex("020000000001") + b"\0" * 10,
                  xid=0x1234, flags=0x8000) /
            DHCP(options=[("message-type", msg_type),
                          ("param_req_list", [1, 3, 6, 15, 26, 28, 51, 119]),
                          ("max_dhcp_size", 1500), *extra, "end"]))


def main():
    eth = Ether(src=GMAC, dst="ff:ff:ff:ff:ff:ff")
    eth_gw = Ether(src=GMAC, dst=OURMAC)

    discover = dhcp4("discover")
    request = dhcp4("request", [("requested_addr", G4),
                                ("server_id", GW4)])
    solicit = (DHCP6_Solicit(trid=0x1234) /
               DHCP6OptClientId(duid=DUID_LL(lladdr=GMAC)) /
               DHCP6OptIA_NA(iaid=1) / DHCP6OptOptReq(reqopts=[23, 24]) /
               DHCP6OptElapsedTime())
    rs = ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=GMAC)
    ns = ICMPv6ND_NS(tgt=GW6) / ICMPv6NDOptSrcLLAddr(lladdr=GMAC)
    syn = TCP(sport=40000, dport=80, flags="S", seq=1000,
              options=[("MSS", 65480), ("SAckOK", b""),
                       ("Timestamp", (1, 0)), ("NOP", None),
                       ("WScale", 7)])
    ack = TCP(sport=40000, dport=80, flags="PA", seq=1001, ack=1) / b"GET /"

    frames = [
        eth / ARP(op=1, hwsrc=GMAC, psrc=G4, pdst=GW4),
        eth / IP(src="0.0.0.0", dst="255.255.255.255") /
        UDP(sport=68, dport=67) / discover,
        eth / IP(src="0.0.0.0", dst="255.255.255.255") /
        UDP(sport=68, dport=67) / request,
        Ether(src=GMAC, dst="33:33:00:01:00:02") /
        IPv6(src=LL6, dst="ff02::1:2") / UDP(sport=546, dport=547) / solicit,
        Ether(src=GMAC, dst="33:33:00:00:00:02") /
        IPv6(src=LL6, dst="ff02::2", hlim=255) / rs,
        Ether(src=GMAC, dst="33:33:ff:00:00:01") /
        IPv6(src=LL6, dst="ff02::1:ff00:1", hlim=255) / ns,
        eth_gw / IP(src=G4, dst=GW4) / syn,
        eth_gw / IP(src=G4, dst=GW4) / ack,
        eth_gw / IPv6(src=G6, dst=GW6) / syn,
        eth_gw / IP(src=G4, dst=GW4) / UDP(sport=40000, dport=53) /
        b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
        b"\x04test\x00\x00\x01\x00\x01",
        eth_gw / IPv6(src=G6, dst=GW6) / UDP(sport=40000, dport=5000) /
        b"hello",
        eth_gw / IP(src=G4, dst=GW4) / ICMP(type=8, id=7, seq=1) / b"ping",
        eth_gw / IPv6(src=G6, dst=GW6) / ICMPv6EchoRequest(id=7, seq=1),
    ]

    stream = b""
    for f in frames:
        b = raw(f)
        save("tap", b)
        save("stream", struct.pack("!I", len(b)) + b)
        stream += struct.pack("!I", len(b)) + b
    save("stream", stream)

    save("dhcp", raw(discover))
    save("dhcp", raw(request))
    save("dhcpv6", raw(solicit))
    save("ndp", raw(rs))
    save("ndp", raw(ns))
    save("tcp", raw(syn))
    save("tcp", raw(ack))
    save("udp", b"\x00hello")
    save("udp", b"\x35" + b"\x00" * 40)
    for line in CONTROL_SEEDS:
        save("control", line)


if __name__ == "__main__":
    main()
