# SPDX-License-Identifier: GPL-2.0-or-later
"""DNS: queries from the namespace reach a resolver on the host's loopback.

    +------------- ns "up" ----------+     +------------ ns "host" ---------------+
    | up0  192.0.2.1   2001:db8::1   |<--->| eth0 192.0.2.2  2001:db8::2          |
    |      (the gateway)             |     | lo   DNS_SERVER below, UDP and TCP:  |
    +--------------------------------+     |      127.0.0.1 / 127.0.0.53 / ::1    |
                                           |   pasta runs here                    |
                                           +----+---------------------------------+
                                                | tap
                                           namespace: dig @ADDRESS passt.test

The resolver is this test's own (DNS_SERVER, RFC 1035 enough for one name):
nothing here ever reaches this machine's resolvers or network. For the
default mapping, ip-netns(8) bind-mounts /etc/netns/NS/resolv.conf over
/etc/resolv.conf for the daemon, so that it reads a loopback resolver there.
"""

import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import UP4, UP6, sh, stop_pid, wait_for

PY = sys.executable
NAME = "passt.test"
ANSWER4 = "192.0.2.99"
ANSWER6 = "2001:db8::99"

DNS_SERVER = textwrap.dedent("""\
    import select, signal, socket, struct, sys
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    NAME = sys.argv[1].encode()
    A = socket.inet_pton(socket.AF_INET, sys.argv[2])
    AAAA = socket.inet_pton(socket.AF_INET6, sys.argv[3])

    def answer(q):
        # RFC 1035 4.1: header, one question; answer it, or NXDOMAIN
        if len(q) < 12:
            return None
        qid, flags, qd = struct.unpack("!HHH", q[:6])
        if qd != 1 or flags & 0x8000:
            return None
        i, labels = 12, []
        while i < len(q) and q[i]:
            labels.append(q[i + 1:i + 1 + q[i]])
            i += 1 + q[i]
        if i + 5 > len(q):
            return None
        qtype, qclass = struct.unpack("!HH", q[i + 1:i + 5])
        question = q[12:i + 5]
        name = b".".join(labels).lower()
        rdata = {1: A, 28: AAAA}.get(qtype) if name == NAME else None
        rcode = 0 if name == NAME else 3
        hdr = struct.pack("!HHHHHH", qid, 0x8400 | (flags & 0x0100) | rcode,
                          1, 1 if rdata else 0, 0, 0)
        rr = b""
        if rdata:
            rr = struct.pack("!HHHIH", 0xc00c, qtype, qclass, 60,
                             len(rdata)) + rdata
        log(name.decode(errors="replace"), qtype)
        return hdr + question + rr

    def log(name, qtype):
        print(PROTO, name, qtype, flush=True)

    socks = {}
    for addr in sys.argv[5:]:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        u = socket.socket(fam, socket.SOCK_DGRAM)
        u.bind((addr, 53))
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((addr, 53))
        t.listen(8)
        socks[u] = "udp"
        socks[t] = "listen"
    open(sys.argv[4], "w").close()          # ready
    while True:
        r, _, _ = select.select(list(socks), [], [], 1)
        for s in r:
            kind = socks[s]
            if kind == "udp":
                q, a = s.recvfrom(4096)
                PROTO = "udp"
                resp = answer(q)
                if resp:
                    s.sendto(resp, a)
            elif kind == "listen":
                c, _ = s.accept()
                c.settimeout(2)
                socks[c] = "tcp"
            else:
                try:
                    n = s.recv(2)
                    q = s.recv(struct.unpack("!H", n)[0]) if len(n) == 2 else b""
                except OSError:
                    q = b""
                PROTO = "tcp"
                resp = answer(q) if q else None
                if resp:
                    s.sendall(struct.pack("!H", len(resp)) + resp)
                else:
                    del socks[s]
                    s.close()
    """)


@pytest.fixture
def dns_server(topo, wdir):
    """Start DNS_SERVER in ns "host" on the given loopback addresses;
    returns a function reading what it answered, by transport."""
    procs = []

    def start(*addrs):
        path = os.path.join(wdir, "dns.py")
        with open(path, "w") as f:
            f.write(DNS_SERVER)
        ready = os.path.join(wdir, f"dns-ready-{len(procs)}")
        out = open(os.path.join(wdir, f"dns-{len(procs)}.log"), "w")
        p = subprocess.Popen(topo.cmd([PY, path, NAME, ANSWER4, ANSWER6,
                                       ready] + list(addrs)),
                             stdout=out, stderr=subprocess.STDOUT)
        procs.append((p, out))
        wait_for(lambda: os.path.exists(ready) or p.poll() is not None,
                 what="DNS server")
        assert p.poll() is None, open(out.name).read()

        def queries():
            with open(out.name) as f:
                return [l.split() for l in f if l[:3] in ("udp", "tcp")]
        return queries

    yield start
    for p, out in procs:
        stop_pid(p.pid)
        p.wait(timeout=5)
        out.close()


@pytest.fixture
def host_resolv_conf(topo):
    """Write the resolv.conf the daemon in ns "host" reads."""
    base = "/etc/netns"
    made_base = not os.path.isdir(base)
    d = os.path.join(base, topo.host)
    os.makedirs(d, exist_ok=True)

    def write(text):
        # In place: the bind mount holds on to the file, not the name
        with open(os.path.join(d, "resolv.conf"), "w") as f:
            f.write(text)

    yield write
    shutil.rmtree(d, ignore_errors=True)
    if made_base and not os.listdir(base):
        os.rmdir(base)


def dig(server, qtype, tcp=False):
    return ["dig", "+short", "+time=2", "+tries=2", "+tcp" if tcp else
            "+notcp", f"@{server}", NAME, qtype]


def need_dig():
    if shutil.which("dig") is None:
        pytest.skip("dig (bind9-dnsutils) not installed")


def tcp_translation_missing(topo, pasta_bin, server):
    """Tell if TCP doesn't get through at all yet: a plain connection to
    the DNS server's TCP port, through the same address."""
    probe = ("import socket, sys\n"
             "try:\n"
             f"    socket.create_connection(('{server}', 53), timeout=3)\n"
             "except OSError:\n"
             "    sys.exit(1)\n")
    r = sh(topo.cmd([pasta_bin, "--config-net", "--", PY, "-c", probe]),
           check=False, timeout=30)
    return r.returncode != 0


def check_answers(topo, pasta_bin, r, queries, tcp, server):
    if tcp and r.returncode != 0 or (tcp and not r.stdout.strip()):
        if tcp_translation_missing(topo, pasta_bin, server):
            pytest.xfail("TCP translation isn't there yet (tcp.c): DNS "
                         "over TCP needs it")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.split() == [ANSWER4, ANSWER6], r.stdout + r.stderr
    proto = "tcp" if tcp else "udp"
    assert [q[0] for q in queries()] == [proto, proto], queries()


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
def test_dns_forward(topo, pasta_bin, dns_server, as_user, v6, tcp):
    """--dns-forward ADDR --dns-host LOOPBACK: queries to ADDR, port 53,
    reach the resolver on the host's loopback; answers come from ADDR."""
    need_dig()
    fwd, host = ("2001:db8::53", "::1") if v6 else ("192.0.2.53",
                                                     "127.0.0.1")
    queries = dns_server(host)
    script = " && ".join(" ".join(dig(fwd, t, tcp)) for t in ("A", "AAAA"))
    r = sh(topo.cmd([pasta_bin, "--config-net", "--dns-forward", fwd,
                     "--dns-host", host, "--", "sh", "-c", script],
                    user=as_user), check=False, timeout=60)
    check_answers(topo, pasta_bin, r, queries, tcp, fwd)


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_dns_default_loopback_resolver(topo, pasta_bin, dns_server,
                                       host_resolv_conf, tcp):
    """The host's resolvers are 127.0.0.53 and ::1 (as with
    systemd-resolved): the guest is told the gateway instead, and what it
    sends there on port 53 reaches them, not 127.0.0.1 and not ns "up"."""
    need_dig()
    host_resolv_conf("nameserver 127.0.0.53\nnameserver ::1\n")
    queries = dns_server("127.0.0.53", "::1")
    script = f"{' '.join(dig(UP4, 'A', tcp))} && " \
             f"{' '.join(dig(UP6, 'AAAA', tcp))}"
    r = sh(topo.cmd([pasta_bin, "--config-net", "--", "sh", "-c", script]),
           check=False, timeout=60)
    told = re.findall(r"DNS: (\S+)$", r.stderr, re.M)
    assert told == [UP4, UP6], r.stderr
    assert f"DNS: queries to {UP4} forwarded to 127.0.0.53" in r.stderr
    assert f"DNS: queries to {UP6} forwarded to ::1" in r.stderr
    check_answers(topo, pasta_bin, r, queries, tcp, UP4)


def test_dns_loopback_resolver_no_map_gw(topo, pasta_bin, host_resolv_conf):
    """--no-map-gw and no --dns-forward: a loopback resolver can't be
    reached, and the guest isn't told about it; others are passed on."""
    host_resolv_conf("nameserver 127.0.0.53\nnameserver 192.0.2.77\n")
    r = sh(topo.cmd([pasta_bin, "--no-map-gw", "--config-net", "--",
                     "true"]), timeout=30)
    assert re.findall(r"DNS: (\S+)$", r.stderr, re.M) == ["192.0.2.77"]
    assert "127.0.0.53 is on the host's loopback" in r.stderr
