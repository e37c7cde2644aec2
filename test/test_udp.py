# SPDX-License-Identifier: GPL-2.0-or-later
"""UDP through pasta and passt: flows both ways, forwarded ports, errors.

    +------------- ns "up" --------------+     +------------ ns "host" -------------+
    | up0  192.0.2.1      2001:db8::1    |<--->| eth0 192.0.2.2  2001:db8::2        |
    |      192.0.2.10     2001:db8::10   |     | lo   127.0.0.1  ::1                |
    |      (UP_EXTRA: not the gateway)   |     |   pasta / passt runs here          |
    +------------------------------------+     +------------------------------------+
                                                    | tap (pasta) or UNIX socket (passt)
                                               +----+-------------------------------+
                                               | namespace / Python "guest" (scapy) |
                                               | 192.0.2.2, gateway 192.0.2.1       |
                                               +------------------------------------+

192.0.2.1 and 2001:db8::1 are the gateway: the daemon maps them to the host
namespace's loopback. UP_EXTRA addresses reach ns "up" itself.

Echo tests send 10 000 datagrams of 12 bytes to 65000 bytes, each carrying a
sequence number, its length and a CRC32 of its payload, with a window of
datagrams in flight: no datagram may come back corrupted, and the loss (zero
expected, on veths and loopback) must stay under LOSS_MAX.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import (HOST4, HOST6, UP4, UP6, Daemon, sh, stop_pid,
                      wait_for)

UP_EXTRA4 = "192.0.2.10"
UP_EXTRA6 = "2001:db8::10"
PY = sys.executable
LOSS_MAX = 0.005

ECHO_SERVER = textwrap.dedent("""\
    import signal, socket, sys, time
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.bind((sys.argv[1], int(sys.argv[2])))
    idle, limit = float(sys.argv[3]), float(sys.argv[4])
    open(sys.argv[5], "w").close()          # ready
    start = last = time.monotonic()
    n = 0
    s.settimeout(0.2)
    try:
        while time.monotonic() - start < limit:
            if n and time.monotonic() - last > idle:
                break
            try:
                d, a = s.recvfrom(65536)
            except socket.timeout:
                continue
            s.sendto(d, a)
            n += 1
            last = time.monotonic()
    finally:
        print(n)
    """)

ECHO_CLIENT = textwrap.dedent("""\
    import json, random, select, socket, struct, sys, time, zlib
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.connect((host, port))
    s.setblocking(False)
    rnd = random.Random(int(sys.argv[4]))
    BIG = (65000, 65000, 48000, 32768, 9000, 1473, 1472)
    def size(i):
        if i % 500 == 250:
            return BIG[(i // 500) % len(BIG)]
        if i % 50 == 25:
            return rnd.randint(1500, 16384)
        return rnd.randint(12, 2048)
    WINDOW, LOSS_AFTER = 16, 2.0
    out = {}            # seq -> (sent at, length, crc)
    st = dict(sent=0, received=0, lost=0, corrupt=0, unexpected=0,
              bytes=0, max_len=0)
    nxt = 0
    deadline = time.monotonic() + 120
    while (nxt < count or out) and time.monotonic() < deadline:
        while nxt < count and len(out) < WINDOW:
            n = size(nxt)
            body = rnd.randbytes(n - 12)
            crc = zlib.crc32(body)
            try:
                s.send(struct.pack("!III", nxt, n, crc) + body)
            except BlockingIOError:
                break
            out[nxt] = (time.monotonic(), n, crc)
            st["sent"] += 1
            nxt += 1
        select.select([s], [], [], 0.05)
        while True:
            try:
                d = s.recv(65536)
            except (BlockingIOError, ConnectionRefusedError):
                break
            if len(d) < 12:
                st["corrupt"] += 1
                continue
            seq, n, crc = struct.unpack("!III", d[:12])
            if seq not in out:
                st["unexpected"] += 1
                continue
            if (n, crc) != out[seq][1:] or len(d) != n or \\
               zlib.crc32(d[12:]) != crc:
                st["corrupt"] += 1
            else:
                st["received"] += 1
                st["bytes"] += n
                st["max_len"] = max(st["max_len"], n)
            del out[seq]
        now = time.monotonic()
        for seq in [q for q, v in out.items() if now - v[0] > LOSS_AFTER]:
            del out[seq]
            st["lost"] += 1
    st["lost"] += len(out)
    print(json.dumps(st))
    """)


@pytest.fixture
def up_extra(topo):
    """Addresses of ns "up" that aren't the gateway."""
    u = ["ip", "netns", "exec", topo.up]
    sh(u + ["ip", "addr", "add", f"{UP_EXTRA4}/24", "dev", "up0"])
    sh(u + ["ip", "addr", "add", f"{UP_EXTRA6}/64", "dev", "up0", "nodad"])
    return topo


def script(wdir, name, text):
    path = os.path.join(wdir, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


def in_up(topo, args):
    return ["ip", "netns", "exec", topo.up] + list(args)


def start_echo_server(argv, wdir, tag, idle=3.0, limit=120.0):
    """Start ECHO_SERVER (argv: prefix up to the interpreter, then address
    and port appended by the caller), wait until it's bound."""
    ready = os.path.join(wdir, f"ready-{tag}")
    p = subprocess.Popen(argv + [str(idle), str(limit), ready],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    wait_for(lambda: os.path.exists(ready) or p.poll() is not None,
             what="echo server")
    assert p.poll() is None, p.communicate()
    return p


def check_echo(stats, count):
    print(f"UDP echo: {stats}")
    assert stats["corrupt"] == 0, stats
    assert stats["unexpected"] == 0, stats
    assert stats["sent"] == count, stats
    assert stats["lost"] <= count * LOSS_MAX, stats
    assert stats["max_len"] == 65000, stats


@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
def test_echo_outbound(up_extra, pasta_bin, wdir, v6):
    """Namespace client, server in ns "up": 10 000 datagrams, up to 65000
    bytes, both ways through one flow."""
    topo = up_extra
    count = 10000
    srv = script(wdir, "server.py", ECHO_SERVER)
    cli = script(wdir, "client.py", ECHO_CLIENT)
    addr = UP_EXTRA6 if v6 else UP_EXTRA4
    server = start_echo_server(in_up(topo, [PY, srv, addr, "7777"]), wdir,
                               "out")
    try:
        r = sh(topo.cmd([pasta_bin, "--config-net", "--", PY, cli, addr,
                         "7777", str(count), "1"]), timeout=180)
    finally:
        stop_pid(server.pid)
        server.communicate()
    check_echo(json.loads(r.stdout), count)


@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
def test_echo_inbound(topo, pasta_bin, wdir, daemons, v6):
    """-u forward: client in ns "up" to the host's address, server in the
    namespace; replies leave from the forwarded port."""
    count = 10000
    srv = script(wdir, "server.py", ECHO_SERVER)
    cli = script(wdir, "client.py", ECHO_CLIENT)
    ready = os.path.join(wdir, "ready-in")
    bind = "::" if v6 else "0.0.0.0"
    d = Daemon(topo.cmd([pasta_bin, "--config-net", "-u", "7000-7001:8000",
                         "--", PY, srv, bind, "8000", "3", "120", ready]),
               os.path.join(wdir, "pasta.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(ready) or not d.alive(),
             what="server in the namespace")
    assert d.alive(), d.log()
    r = sh(in_up(topo, [PY, cli, HOST6 if v6 else HOST4, "7000",
                        str(count), "2"]), timeout=180)
    check_echo(json.loads(r.stdout), count)


PING_PONG = textwrap.dedent("""\
    import socket, sys
    host, port = sys.argv[1], int(sys.argv[2])
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((host, port))
    s.send(sys.argv[3].encode())
    try:
        d, a = s.recvfrom(65536)
        print(d.decode(), a[0], a[1])
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("timeout")
    """)


@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
def test_gateway_is_host_loopback(topo, pasta_bin, wdir, as_user, v6):
    """Datagrams to the gateway reach a server on the host's loopback, and
    its reply comes back from the gateway."""
    srv = script(wdir, "server.py", ECHO_SERVER)
    cli = script(wdir, "pingpong.py", PING_PONG)
    lo, gw = ("::1", UP6) if v6 else ("127.0.0.1", UP4)
    server = start_echo_server(topo.cmd([PY, srv, lo, "5353"]), wdir, "lo")
    try:
        r = sh(topo.cmd([pasta_bin, "--config-net", "--", PY, cli, gw,
                         "5353", "hello"], user=as_user), timeout=30)
    finally:
        stop_pid(server.pid)
        server.communicate()
    assert r.stdout.split() == ["hello", gw, "5353"], r.stdout + r.stderr


@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
def test_port_unreachable(up_extra, pasta_bin, wdir, v6):
    """A closed port in ns "up", and one on the host's loopback through the
    gateway: the namespace's socket gets ECONNREFUSED, from the ICMP error
    built from the host socket's error queue."""
    topo = up_extra
    cli = script(wdir, "pingpong.py", PING_PONG)
    far, gw = (UP_EXTRA6, UP6) if v6 else (UP_EXTRA4, UP4)
    r = sh(topo.cmd([pasta_bin, "--config-net", "--", "sh", "-c",
                     f"{PY} {cli} {far} 9 x; {PY} {cli} {gw} 9 y"]),
           timeout=30)
    assert r.stdout.split() == ["refused", "refused"], r.stdout + r.stderr


def test_no_udp(up_extra, pasta_bin, wdir):
    """--no-udp: nothing goes out, nothing comes back."""
    topo = up_extra
    srv = script(wdir, "server.py", ECHO_SERVER)
    cli = script(wdir, "pingpong.py", PING_PONG)
    server = start_echo_server(in_up(topo, [PY, srv, UP_EXTRA4, "7777"]),
                               wdir, "no")
    try:
        r = sh(topo.cmd([pasta_bin, "--config-net", "--no-udp", "--", PY,
                         cli, UP_EXTRA4, "7777", "x"]), timeout=30)
    finally:
        stop_pid(server.pid)
        out, _ = server.communicate()
    assert r.stdout.split() == ["timeout"], r.stdout + r.stderr
    assert out.strip() == "0"


FLOWS = textwrap.dedent("""\
    import socket, sys, time
    socks = []
    for port in range(7777, 7777 + int(sys.argv[2])):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(3)
        s.connect((sys.argv[1], port))
        s.send(b"x")
        socks.append(s)
    print(sum(1 for s in socks if s.recv(10) == b"x"))
    sys.stdout.flush()
    time.sleep(float(sys.argv[3]))
    """)


def flow_counts(log):
    return [int(l.split("UDP flows:")[1]) for l in log.splitlines()
            if "UDP flows:" in l]


def test_flows_expire(up_extra, pasta_bin, wdir):
    """--udp-timeout 2: three flows, then none, the sockets closed."""
    topo = up_extra
    srv = script(wdir, "server.py", ECHO_SERVER)
    cli = script(wdir, "flows.py", FLOWS)
    servers = [start_echo_server(in_up(topo, [PY, srv, UP_EXTRA4,
                                              str(7777 + i)]), wdir, str(i))
               for i in range(3)]
    try:
        t0 = time.monotonic()
        r = sh(topo.cmd([pasta_bin, "-d", "--udp-timeout", "2",
                         "--config-net", "--", PY, cli, UP_EXTRA4, "3",
                         "6"]), timeout=60)
        took = time.monotonic() - t0
    finally:
        for s in servers:
            stop_pid(s.pid)
            s.communicate()
    assert r.stdout.strip() == "3", r.stdout + r.stderr
    counts = flow_counts(r.stderr)
    print(f"flow counts {counts}, {took:.1f} s")
    assert 3 in counts, r.stderr
    assert counts[-1] == 0, r.stderr
    assert "idle, closed" in r.stderr


def test_udp_timeout_option_checked(pasta_bin, topo):
    r = sh(topo.cmd([pasta_bin, "--udp-timeout", "0", "--", "true"]),
           check=False)
    assert r.returncode == 1
    assert "--udp-timeout `0'" in r.stderr


# passt, with a guest made of crafted frames: the ICMP error's quote, byte by
# byte, and datagrams near the MTU through the qemu stream framing

scapy = None


def _scapy():
    global scapy
    if scapy is None:
        scapy = pytest.importorskip("scapy.all")
    return scapy


GUEST_MAC = "02:00:00:00:00:01"


class StreamGuest:
    """passt's socket, qemu stream framing: frames in, frames out."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""

    def send(self, frame):
        self.s.sendall(len(frame).to_bytes(4, "big") + frame)

    def recv(self, timeout=5):
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 4:
                n = int.from_bytes(self.buf[:4], "big")
                if len(self.buf) >= 4 + n:
                    f, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    return f
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no frame from passt")
            self.s.settimeout(left)
            d = self.s.recv(1 << 20)
            if not d:
                raise EOFError("passt closed the connection")
            self.buf += d

    def recv_match(self, pred, timeout=5):
        deadline = time.monotonic() + timeout
        while True:
            f = _scapy().Ether(self.recv(max(0.01,
                                             deadline - time.monotonic())))
            if pred(f):
                return f


@pytest.fixture
def passt_guest(up_extra, passt_bin, wdir, daemons):
    _scapy()
    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(up_extra.cmd([passt_bin, "-f", "-d", "-s", sock, "-u",
                             "7000:7100"]),
               os.path.join(wdir, "passt.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(sock) or not d.alive(),
             what="passt socket")
    g = StreamGuest(sock)
    yield g, d
    g.s.close()


def udp_frame(v6, dst, sport, dport, payload):
    sc = _scapy()
    ip = sc.IPv6(src=HOST6, dst=dst) if v6 else sc.IP(src=HOST4, dst=dst)
    return bytes(sc.Ether(src=GUEST_MAC, dst="9a:55:9a:55:9a:55") / ip /
                 sc.UDP(sport=sport, dport=dport) / payload)


def checksum_ok(frame, layer, field="chksum"):
    """The checksum of a layer of a frame is the one scapy computes."""
    sc = _scapy()
    f = sc.Ether(bytes(frame))
    sent = getattr(f[layer], field)
    setattr(f[layer], field, None)
    return getattr(sc.Ether(bytes(f))[layer], field) == sent


@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
def test_icmp_error_quote(passt_guest, v6):
    """Port unreachable: type and code right, the guest's IP and UDP headers
    quoted as it sent them, and the payload, cut to RFC 1812 / RFC 4443
    limits; checksums right."""
    sc = _scapy()
    g, d = passt_guest
    dst = UP_EXTRA6 if v6 else UP_EXTRA4
    payload = bytes(range(256)) * 8      # 2048 bytes: the quote is cut
    g.send(udp_frame(v6, dst, 40000, 9, payload))
    if v6:
        f = g.recv_match(lambda f: sc.ICMPv6DestUnreach in f)
        icmp = f[sc.ICMPv6DestUnreach]
        assert (f[sc.IPv6].src, f[sc.IPv6].dst) == (dst, HOST6)
        assert icmp.code == 4
        assert len(f[sc.IPv6]) <= 1280
        assert checksum_ok(f, sc.ICMPv6DestUnreach, "cksum")
        q = sc.IPv6(bytes(icmp.payload))
        assert (q.src, q.dst, q.nh) == (HOST6, dst, 17)
        assert q.plen == 8 + len(payload)
    else:
        f = g.recv_match(lambda f: sc.ICMP in f and f[sc.ICMP].type == 3)
        icmp = f[sc.ICMP]
        assert (f[sc.IP].src, f[sc.IP].dst) == (dst, HOST4)
        assert icmp.code == 3
        assert len(f[sc.IP]) <= 576
        assert checksum_ok(f, sc.IP) and checksum_ok(f, sc.ICMP)
        q = sc.IP(bytes(icmp.payload))
        assert (q.src, q.dst, q.proto) == (HOST4, dst, 17)
        assert q.len == 20 + 8 + len(payload)
        assert q.chksum == sc.IP(sc.raw(q.copy())).chksum
    qu = q[sc.UDP]
    assert (qu.sport, qu.dport, qu.len) == (40000, 9, 8 + len(payload))
    quoted = bytes(qu.payload)
    assert len(quoted) >= 8 and payload.startswith(quoted)
    assert len(quoted) == (1280 - 96 if v6 else 576 - 56)


@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
def test_large_datagrams_passt(passt_guest, up_extra, wdir, v6):
    """65000 bytes out through the stream framing and back, intact, with
    good checksums."""
    sc = _scapy()
    g, d = passt_guest
    srv = script(wdir, "server.py", ECHO_SERVER)
    dst = UP_EXTRA6 if v6 else UP_EXTRA4
    server = start_echo_server(in_up(up_extra, [PY, srv, dst, "7777"]),
                               wdir, "big")
    try:
        payload = os.urandom(65000)
        g.send(udp_frame(v6, dst, 40001, 7777, payload))
        f = g.recv_match(lambda f: sc.UDP in f and f[sc.UDP].dport == 40001,
                         timeout=10)
    finally:
        stop_pid(server.pid)
        server.communicate()
    ip = f[sc.IPv6] if v6 else f[sc.IP]
    assert (ip.src, f[sc.UDP].sport) == (dst, 7777)
    assert bytes(f[sc.UDP].payload) == payload
    assert checksum_ok(f, sc.UDP)
    if not v6:
        assert checksum_ok(f, sc.IP)


@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
def test_icmp_error_inbound(passt_guest, up_extra, v6):
    """-u 7000:7100: a peer's datagram reaches the guest on port 7100 from
    the peer's address; the guest's reply goes back from port 7000, and once
    the peer's socket is gone, the guest's next reply earns it a port
    unreachable error from the peer's address (error queue of the forwarded
    port's socket)."""
    sc = _scapy()
    g, d = passt_guest
    peer = UP_EXTRA6 if v6 else UP_EXTRA4
    host = HOST6 if v6 else HOST4
    probe = textwrap.dedent(f"""\
        import socket
        s = socket.socket(socket.AF_INET{'6' if v6 else ''},
                          socket.SOCK_DGRAM)
        s.bind(("{peer}", 0))
        s.settimeout(5)
        s.sendto(b"ping", ("{host}", 7000))
        print(s.getsockname()[1], flush=True)
        d, a = s.recvfrom(100)
        print(d.decode(), a[0], a[1])
        """)
    p = subprocess.Popen(in_up(up_extra, [PY, "-c", probe]),
                         stdout=subprocess.PIPE, text=True)
    try:
        pport = int(p.stdout.readline())
        f = g.recv_match(lambda f: sc.UDP in f and f[sc.UDP].dport == 7100)
        ip = f[sc.IPv6] if v6 else f[sc.IP]
        assert (ip.src, ip.dst, f[sc.UDP].sport) == (peer, host, pport)
        assert bytes(f[sc.UDP].payload) == b"ping"
        g.send(udp_frame(v6, peer, 7100, pport, b"pong"))
        out, _ = p.communicate(timeout=10)
    finally:
        stop_pid(p.pid)
    assert out.split() == ["pong", host, "7000"]

    g.send(udp_frame(v6, peer, 7100, pport, b"anyone?"))
    if v6:
        f = g.recv_match(lambda f: sc.ICMPv6DestUnreach in f)
        q = sc.IPv6(bytes(f[sc.ICMPv6DestUnreach].payload))
        assert (f[sc.IPv6].src, f[sc.ICMPv6DestUnreach].code) == (peer, 4)
    else:
        f = g.recv_match(lambda f: sc.ICMP in f and f[sc.ICMP].type == 3)
        q = sc.IP(bytes(f[sc.ICMP].payload))
        assert (f[sc.IP].src, f[sc.ICMP].code) == (peer, 3)
    assert (q.src, q.dst) == (host, peer)
    assert (q[sc.UDP].sport, q[sc.UDP].dport) == (7100, pport)
    assert bytes(q[sc.UDP].payload) == b"anyone?"
