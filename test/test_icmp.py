# SPDX-License-Identifier: GPL-2.0-or-later
"""ICMP and ICMPv6 echo through the daemon's ping sockets.

    +------------- ns "up" --------------+     +------------ ns "host" -------------+
    | up0  192.0.2.1      2001:db8::1    |<--->| eth0 192.0.2.2  2001:db8::2        |
    |      192.0.2.10     2001:db8::10   |     | lo   127.0.0.1  ::1                |
    +------------------------------------+     |   pasta / passt, ping sockets      |
                                               |   net.ipv4.ping_group_range set    |
                                               +----+-------------------------------+
                                                    | tap, UNIX socket, or qemu guest
                                               namespace / scapy "guest" / busybox

The gateway (192.0.2.1, 2001:db8::1) is the host namespace's loopback for the
guest, unless --no-map-gw; 192.0.2.10 and 2001:db8::10 are ns "up" itself.

Ping sockets need the daemon's group inside net.ipv4.ping_group_range of the
namespace it runs in: each test sets it for ns "host" (a new namespace starts
with "1 0", nobody allowed), but the one checking the warning.
"""

import os
import re
import subprocess
import time

import pytest

from conftest import HOST4, HOST6, UP4, UP6, Daemon, sh, wait_for

UP_EXTRA4 = "192.0.2.10"
UP_EXTRA6 = "2001:db8::10"
SYSCTL = "/proc/sys/net/ipv4/ping_group_range"


def set_ping_range(topo, value):
    sh(["ip", "netns", "exec", topo.host, "sh", "-c",
        f"echo '{value}' > {SYSCTL}"])


@pytest.fixture
def ping_topo(topo):
    """The topology, with extra addresses in ns "up" and ping sockets
    allowed for everybody in ns "host"."""
    u = ["ip", "netns", "exec", topo.up]
    sh(u + ["ip", "addr", "add", f"{UP_EXTRA4}/24", "dev", "up0"])
    sh(u + ["ip", "addr", "add", f"{UP_EXTRA6}/64", "dev", "up0", "nodad"])
    set_ping_range(topo, "0 2147483647")
    return topo


def pings(*targets, count=2):
    return " && ".join(f"ping {'-6 ' if ':' in t else ''}-c {count} -W 2 "
                       f"{t} >/dev/null" for t in targets)


def test_ping_pasta(ping_topo, pasta_bin, as_user):
    """The gateway (the host's loopback) and an address beyond it answer,
    IPv4 and IPv6, as root and as an ordinary user."""
    r = sh(ping_topo.cmd([pasta_bin, "-d", "--config-net", "--", "sh", "-c",
                          pings(UP4, UP6, UP_EXTRA4, UP_EXTRA6)],
                         user=as_user), check=False, timeout=60)
    assert r.returncode == 0, r.stderr
    # Echo to the gateway went to the host's loopback
    assert re.search(rf"to {UP4} \(host side 127\.0\.0\.1\)", r.stderr)
    assert re.search(rf"to {UP6} \(host side ::1\)", r.stderr)
    assert re.search(rf"to {UP_EXTRA4} \(host side {UP_EXTRA4}\)",
                     r.stderr)


def test_ping_no_map_gw(ping_topo, pasta_bin):
    """--no-map-gw: the gateway is ns "up" itself."""
    r = sh(ping_topo.cmd([pasta_bin, "-d", "--no-map-gw", "--config-net",
                          "--", "sh", "-c", pings(UP4, UP6)]),
           check=False, timeout=60)
    assert r.returncode == 0, r.stderr
    assert re.search(rf"to {UP4} \(host side {UP4}\)", r.stderr)
    assert re.search(rf"to {UP6} \(host side {UP6}\)", r.stderr)


def test_ping_forbidden_warns_once(topo, pasta_bin):
    """With ping sockets forbidden by the sysctl, echo requests are dropped,
    and a single warning names the sysctl."""
    set_ping_range(topo, "1 0")
    r = sh(topo.cmd([pasta_bin, "--config-net", "--", "sh", "-c",
                     f"ping -c 3 -W 1 {UP4}; ping -6 -c 2 -W 1 {UP6}; "
                     f"exit 0"]), timeout=60)
    lines = [l for l in r.stderr.splitlines()
             if "net.ipv4.ping_group_range" in l]
    assert len(lines) == 1, r.stderr
    assert "ping sockets not allowed" in lines[0]


def test_no_icmp(ping_topo, pasta_bin):
    r = sh(ping_topo.cmd([pasta_bin, "-d", "--no-icmp", "--config-net",
                          "--", "sh", "-c", pings(UP_EXTRA4)]),
           check=False, timeout=60)
    assert r.returncode != 0
    assert "ICMP echo" not in r.stderr


def test_concurrent_pings_pasta(ping_topo, pasta_bin):
    """Several ping processes at once, each with its identifier, to the same
    destinations: every one gets all its replies."""
    n = 4
    script = " & ".join(f"ping -c 10 -i 0.2 -W 2 {UP_EXTRA4} > out{i} "
                        f"&& ping -6 -c 10 -i 0.2 -W 2 {UP_EXTRA6} >> out{i}"
                        for i in range(n))
    script = (f"cd $(mktemp -d) && {{ {script} & wait; }}; "
              f"cat out*")
    r = sh(ping_topo.cmd([pasta_bin, "--config-net", "--", "sh", "-c",
                          script]), timeout=60)
    got = re.findall(r"(\d+) packets transmitted, (\d+) received", r.stdout)
    assert len(got) == 2 * n, r.stdout
    assert all(t == "10" and rx == "10" for t, rx in got), r.stdout


# passt with a guest made of crafted frames: identifiers checked one by one

GUEST_MAC = "02:00:00:00:00:01"


def _stream_guest(path):
    from test_udp import StreamGuest
    return StreamGuest(path)


@pytest.fixture
def passt_guest(ping_topo, passt_bin, wdir, daemons):
    pytest.importorskip("scapy.all")
    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(ping_topo.cmd([passt_bin, "-f", "-d", "-s", sock]),
               os.path.join(wdir, "passt.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(sock) or not d.alive(),
             what="passt socket")
    g = _stream_guest(sock)
    yield g, d
    g.s.close()


@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
def test_ids_dont_collide(passt_guest, v6):
    """Interleaved echo requests: three identifiers, each to two
    destinations (so two flows share the guest's identifier and the host
    socket of the second can't have it): every reply carries the guest's
    identifier and sequence number, its data, and comes from the address
    pinged."""
    import scapy.all as sc
    g, d = passt_guest
    dsts = [UP6, UP_EXTRA6] if v6 else [UP4, UP_EXTRA4]
    ids = [0x1234, 0x1235, 0xbeef]
    sent = {}
    for seq in range(1, 6):
        for i in ids:
            for dst in dsts:
                data = os.urandom(16) + bytes([seq])
                if v6:
                    p = (sc.IPv6(src=HOST6, dst=dst) /
                         sc.ICMPv6EchoRequest(id=i, seq=seq, data=data))
                else:
                    p = (sc.IP(src=HOST4, dst=dst) /
                         sc.ICMP(type=8, id=i, seq=seq) / data)
                g.send(bytes(sc.Ether(src=GUEST_MAC,
                                      dst="9a:55:9a:55:9a:55") / p))
                sent[(dst, i, seq)] = data

    got = {}
    deadline = time.monotonic() + 10
    while len(got) < len(sent) and time.monotonic() < deadline:
        try:
            f = sc.Ether(g.recv(deadline - time.monotonic()))
        except TimeoutError:
            break
        if v6 and sc.ICMPv6EchoReply in f:
            e = f[sc.ICMPv6EchoReply]
            key, data = (f[sc.IPv6].src, e.id, e.seq), bytes(e.data)
            f2 = sc.Ether(bytes(f))
            f2[sc.ICMPv6EchoReply].cksum = None
            ok = sc.Ether(bytes(f2))[sc.ICMPv6EchoReply].cksum == e.cksum
        elif not v6 and sc.ICMP in f and f[sc.ICMP].type == 0:
            e = f[sc.ICMP]
            key, data = (f[sc.IP].src, e.id, e.seq), bytes(e.payload)
            f2 = sc.Ether(bytes(f))
            f2[sc.ICMP].chksum = None
            ok = sc.Ether(bytes(f2))[sc.ICMP].chksum == e.chksum
        else:
            continue
        assert ok, f"bad checksum: {f!r}"
        assert key in sent, f"unexpected reply {key}"
        assert sent[key] == data, key
        assert key not in got, f"duplicate reply {key}"
        got[key] = True
    assert set(got) == set(sent), sorted(set(sent) - set(got))
    # The guest's identifier was taken on the host for one of the two
    # destinations: the kernel gave another, and the guest never saw it
    log = d.log()
    assert len(re.findall(r"ICMPv?6? echo\): guest", log)) == 6, log


# A real guest: busybox ping, in passt mode

@pytest.fixture(scope="module")
def images():
    from guest import GuestUnavailable, build_guest
    try:
        return build_guest()
    except GuestUnavailable as e:
        pytest.skip(f"no qemu guest: {e}")


@pytest.mark.qemu
def test_ping_qemu_guest(ping_topo, passt_bin, wdir, daemons, images):
    """From a qemu guest: the gateway and ns "up", IPv4 and IPv6, and
    concurrent pings (busybox gives each its own identifier)."""
    from guest import Guest
    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(ping_topo.cmd([passt_bin, "-f", "-d", "-s", sock]),
               os.path.join(wdir, "passt.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(sock) or not d.alive(),
             what="passt socket")
    kernel, initrd = images
    with Guest(sock, kernel=kernel, initrd=initrd) as g:
        g.wait_booted()
        g.check("ip link set eth0 up")
        g.check(f"ip addr add {HOST4}/24 dev eth0")
        g.check(f"ip route add default via {UP4}")
        g.check("echo 0 > /proc/sys/net/ipv6/conf/eth0/accept_dad")
        g.check(f"ip -6 addr add {HOST6}/64 dev eth0")
        out = g.check(f"ping -c 2 -W 3 {UP4}", timeout=30)
        assert "2 packets received" in out, out
        out = g.check(f"ping -c 2 -W 3 {UP_EXTRA4}", timeout=30)
        assert "2 packets received" in out, out
        out = g.check(f"ping6 -c 2 -W 3 {UP_EXTRA6}", timeout=30)
        assert "2 packets received" in out, out
        out = g.check(f"i=0; for d in {UP4} {UP_EXTRA4} {UP4}; do "
                      f"i=$((i + 1)); ping -c 4 -W 3 $d > /tmp/ping.$i & "
                      f"done; wait; cat /tmp/ping.*", timeout=40)
        assert out.count("4 packets received") == 3, out
    assert d.alive()
