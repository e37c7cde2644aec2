# SPDX-License-Identifier: GPL-2.0-or-later
"""pasta's loopback fast path: TCP between the host's loopback and the
namespace's loopback, moved with splice(2), no frames.

    +------------ ns "host" ------------+
    | pasta runs here                   |
    | 127.0.0.1 / ::1: clients for -t,  |
    | servers for -T                    |
    +--------|-----------------^--------+
             | -t (from lo)    | -T (to lo)
             | spliced: no     | spliced: no
             | frames          | frames
    +--------v-----------------|--------+
    | ns "guest" (pasta --netns NAME,   |
    | or the command pasta spawns):     |
    | 127.0.0.1 / ::1: servers for -t,  |
    | clients for -T; the broker's      |
    | sockets live here                 |
    +-----------------------------------+

The client/server tool and the guest fixture are test_tcp.py's: every byte
is checked against the stream the other side generated. pasta's debug log
says, when a spliced flow closes, how many bytes it moved each way
("spliced N bytes in, M bytes out"): the tests check those counts, and
that no flow of the frame path ("Flow N (TCP)") was made.
"""

import json
import os
import re
import subprocess

from conftest import sh, stop_pid, wait_for
from test_tcp import (BIG, PY, free_port, guest, in_ns,  # noqa
                      servers, start_server, tool)  # noqa

LO = {"ipv4": ("127.0.0.1", "127.0.0.1"), "ipv6": ("::1", "::1")}


def spliced(log):
    """(in, out) byte counts of each spliced flow closed, from the log."""
    return [(int(a), int(b)) for a, b in
            re.findall(r"spliced (\d+) bytes in, (\d+) bytes out", log)]


def host_client(topo, tool, addr, port, n, timeout=120):
    """Run the tool's client in ns "host", return its JSON result."""
    r = sh(in_ns(topo.host, [PY, tool, "client", addr, port, n, n]),
           check=False, timeout=timeout)
    return r.returncode, json.loads(r.stdout.strip().splitlines()[-1])


def test_inbound_from_loopback(topo, guest, tool, wdir, servers):
    """-t: 100 MB each way from the host's 127.0.0.1 to a server on the
    namespace's 127.0.0.1, and 1 MB on a remapped port over ::1."""
    port, mapped, target = free_port(), free_port() + 1, free_port() + 2
    g = guest("-t", str(port), "-t", f"{mapped}:{target}")
    start_server(servers, g.ns, tool, "serve", "127.0.0.1", port, BIG, 1, 0,
                 wdir=wdir)
    start_server(servers, g.ns, tool, "serve", "::1", target, 1000000, 1, 0,
                 wdir=wdir)

    rc, res = host_client(topo, tool, "127.0.0.1", port, BIG)
    assert rc == 0 and res["ok"], (res, g.tail())
    rc, res = host_client(topo, tool, "::1", mapped, 1000000)
    assert rc == 0 and res["ok"], (res, g.tail())
    g.wait_no_flows()

    log = g.d.log()
    counts = spliced(log)
    assert len(counts) == 2, g.tail()
    assert counts[0][0] == BIG and counts[0][1] > BIG, counts
    assert counts[1][0] == 1000000 and counts[1][1] > 1000000, counts
    assert "(TCP)" not in log, "a connection took the frame path"


def test_outbound_to_loopback(topo, guest, tool, wdir, servers):
    """-T: 100 MB each way from the namespace's 127.0.0.1 to a server on
    the host's 127.0.0.1, and 1 MB over ::1 to a remapped port."""
    port, mapped, target = free_port(), free_port() + 1, free_port() + 2
    start_server(servers, topo.host, tool, "serve", "127.0.0.1", port, BIG,
                 1, 0, wdir=wdir)
    start_server(servers, topo.host, tool, "serve", "::1", target, 1000000,
                 1, 0, wdir=wdir)
    g = guest("-T", str(port), "-T", f"{mapped}:{target}")

    rc, res = g.run([PY, tool, "client", "127.0.0.1", port, BIG, BIG],
                    timeout=120)
    assert rc == 0 and res["ok"], (res, g.tail())
    rc, res = g.run([PY, tool, "client", "::1", mapped, 1000000, 1000000])
    assert rc == 0 and res["ok"], (res, g.tail())
    g.wait_no_flows()

    counts = spliced(g.d.log())
    assert [c[0] for c in counts] == [BIG, 1000000], counts
    assert "(TCP)" not in g.d.log()


def test_reader_pauses(topo, guest, tool, wdir, servers):
    """Back-pressure: both readers stop for 2 s after 10 MB of 50 MB; the
    pipes fill, reading stops, and everything arrives once they go on."""
    n, pause = 50 * 1000 * 1000, 2
    port = free_port()
    g = guest("-t", str(port))
    start_server(servers, g.ns, tool, "serve", "127.0.0.1", port, n, 1,
                 pause, wdir=wdir)
    r = sh(in_ns(topo.host, [PY, tool, "client", "127.0.0.1", port, n, n,
                             pause]), check=False, timeout=60)
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert r.returncode == 0 and res["ok"], (res, g.tail())
    assert res["secs"] < pause + 10, res
    g.wait_no_flows()
    assert spliced(g.d.log())[0][0] == n


def test_half_close_and_reset(topo, guest, tool, wdir, servers):
    """Half-close each way, then a reset from either side, through -t."""
    port = free_port()
    g = guest("-t", f"{port}-{port + 3}")

    s = start_server(servers, g.ns, tool, "half_server", "127.0.0.1", port,
                     wdir=wdir)
    r = sh(in_ns(topo.host, [PY, tool, "half_client", "127.0.0.1", port]))
    assert json.loads(r.stdout) == {"data": "got 1000", "how": "eof"}
    assert s.result() == {"got": 1000, "how": "eof", "after": "eof"}

    s = start_server(servers, g.ns, tool, "first_server", "127.0.0.1",
                     port + 1, wdir=wdir)
    r = sh(in_ns(topo.host, [PY, tool, "first_client", "127.0.0.1",
                             port + 1]))
    assert json.loads(r.stdout) == {"data": "hello", "how": "eof"}
    assert s.result() == {"got": 2000, "how": "eof"}

    s = start_server(servers, g.ns, tool, "wait_reset_server", "127.0.0.1",
                     port + 2, wdir=wdir)
    sh(in_ns(topo.host, [PY, tool, "reset_client", "127.0.0.1", port + 2]))
    assert s.result() == {"got": 1, "how": "reset"}

    s = start_server(servers, g.ns, tool, "reset_server", "127.0.0.1",
                     port + 3, wdir=wdir)
    r = sh(in_ns(topo.host, [PY, tool, "wait_reset_client", "127.0.0.1",
                             port + 3]))
    assert json.loads(r.stdout) == {"got": 0, "how": "reset"}, g.tail()
    s.result()
    g.wait_no_flows()
    assert "(TCP)" not in g.d.log()


def test_nobody_listens(topo, guest, tool):
    """Nothing on the namespace's loopback port: the host's client sees a
    reset at once, and no flow is left."""
    port = free_port()
    g = guest("-t", str(port), "-T", str(port + 1))
    r = sh(in_ns(topo.host, [PY, tool, "wait_reset_client", "127.0.0.1",
                             port]))
    assert json.loads(r.stdout) == {"got": 0, "how": "reset"}, g.tail()
    rc, res = g.run([PY, tool, "wait_reset_client", "127.0.0.1", port + 1])
    assert res == {"got": 0, "how": "reset"}, g.tail()
    g.wait_no_flows()


def test_no_splice(topo, guest, tool, wdir, servers):
    """--no-splice: the same connection from the host's loopback takes the
    frame path, to the namespace's address."""
    port = free_port()
    g = guest("--no-splice", "-t", str(port))
    start_server(servers, g.ns, tool, "serve", "0.0.0.0", port, 1000000, 1,
                 0, wdir=wdir)
    rc, res = host_client(topo, tool, "127.0.0.1", port, 1000000)
    assert rc == 0 and res["ok"], (res, g.tail())
    g.wait_no_flows()
    assert not spliced(g.d.log())
    assert "(TCP)" in g.d.log()


def test_unprivileged(topo, pasta_bin, tool, wdir, servers, unpriv_user):
    """As an ordinary user, pasta spawning the command: -T to a server on
    the host's loopback, and -t to a server the command runs on the
    namespace's loopback; the sandbox stays as it is."""
    port_t, port_T = free_port(), free_port() + 1
    start_server(servers, topo.host, tool, "serve", "127.0.0.1", port_T,
                 BIG, 1, 0, wdir=wdir)
    ready = os.path.join(wdir, "ready-unpriv")
    done = os.path.join(wdir, "done-unpriv")
    # pasta exits with the command: it waits for the host's client to be
    # done (at most 60 s), so that nothing is cut short
    cmd = (f"{PY} {tool} serve 127.0.0.1 {port_t} {BIG} 1 0 {ready} & "
           f"{PY} {tool} client 127.0.0.1 {port_T} {BIG} {BIG} && wait && "
           f"for i in $(seq 600); do [ -e {done} ] && break; sleep 0.1; "
           "done")
    p = subprocess.Popen(topo.cmd([pasta_bin, "-d", "--config-net",
                                   "-t", str(port_t), "-T", str(port_T),
                                   "--", "sh", "-c", cmd],
                                  user=unpriv_user),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        wait_for(lambda: os.path.exists(ready) or p.poll() is not None,
                 timeout=10, what="the spawned server")
        rc, res = host_client(topo, tool, "127.0.0.1", port_t, BIG)
        open(done, "w").close()
        out, err = p.communicate(timeout=120)
        assert rc == 0 and res["ok"], (res, err[-3000:])
    finally:
        if p.poll() is None:
            stop_pid(p.pid)
            p.communicate()
    assert p.returncode == 0, err[-3000:]
    res = json.loads(out.strip().splitlines()[-1])
    assert res["ok"], res
    assert sorted(c[0] for c in spliced(err)) == [BIG, BIG], err[-3000:]
    assert "Sandbox: capabilities: none" in err
    assert "(TCP)" not in err


UDP_ECHO = r'''
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
open(sys.argv[3], "w").close()
while True:
    d, a = s.recvfrom(65536)
    s.sendto(b"echo:" + d, a)
'''

UDP_CLIENT = r'''
import json, socket, sys
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET,
                  socket.SOCK_DGRAM)
s.settimeout(2)
got = []
for i in range(n):
    s.sendto(b"%d" % i + b"x" * (i * 997 % 60000), (addr, port))
    d, a = s.recvfrom(65536)
    got.append(d == b"echo:%d" % i + b"x" * (i * 997 % 60000) and
               a[1] == port)
print(json.dumps({"ok": sum(got), "n": n}))
'''


def test_udp_ns_to_host(topo, guest, wdir):
    """-U: datagrams from the namespace's 127.0.0.1 and ::1 to an echo
    server on the host's loopback, up to 60 kB each, and the answers back
    from the forwarded port, with no frames (no UDP flow of the tap path
    is made)."""
    port, mapped, target = free_port(), free_port() + 1, free_port() + 2
    echo = os.path.join(wdir, "udpecho.py")
    client = os.path.join(wdir, "udpclient.py")
    for path, text in ((echo, UDP_ECHO), (client, UDP_CLIENT)):
        with open(path, "w") as f:
            f.write(text)
    procs = []
    try:
        for addr, p in (("::", port), ("127.0.0.1", target)):
            ready = os.path.join(wdir, f"ready-udp-{p}")
            procs.append(subprocess.Popen(in_ns(topo.host, [PY, echo, addr,
                                                            p, ready])))
            wait_for(lambda: os.path.exists(ready), what="UDP echo server")
        g = guest("-U", str(port), "-U", f"{mapped}:{target}")
        for addr, p in (("127.0.0.1", port), ("::1", port),
                        ("127.0.0.1", mapped)):
            rc, res = g.run([PY, client, addr, p, 50])
            assert res == {"ok": 50, "n": 50}, (addr, p, res, g.tail())
        log = g.d.log()
        assert log.count("UDP splice: namespace loopback port") == 3, log
        assert "UDP flows: 1" not in log
    finally:
        for p in procs:
            stop_pid(p.pid)
            p.wait(timeout=5)


def test_udp_host_to_ns(topo, guest, wdir):
    """-u: datagrams from the host's 127.0.0.1 and ::1 reach an echo
    server on the namespace's loopback, socket to socket, and the answers
    come back from the forwarded port."""
    port, mapped, target = free_port(), free_port() + 1, free_port() + 2
    echo = os.path.join(wdir, "udpecho.py")
    client = os.path.join(wdir, "udpclient.py")
    for path, text in ((echo, UDP_ECHO), (client, UDP_CLIENT)):
        with open(path, "w") as f:
            f.write(text)
    g = guest("-u", str(port), "-u", f"{mapped}:{target}")
    procs = []
    try:
        for addr, p in (("::1", port), ("127.0.0.1", port),
                        ("127.0.0.1", target)):
            ready = os.path.join(wdir, f"ready-udp-{addr}-{p}")
            procs.append(subprocess.Popen(in_ns(g.ns, [PY, echo, addr, p,
                                                       ready])))
            wait_for(lambda: os.path.exists(ready), what="UDP echo server")
        for addr, p in (("127.0.0.1", port), ("::1", port),
                        ("127.0.0.1", mapped)):
            r = sh(in_ns(topo.host, [PY, client, addr, p, 50]), check=False)
            res = json.loads(r.stdout.strip().splitlines()[-1])
            assert res == {"ok": 50, "n": 50}, (addr, p, res, g.tail())
        log = g.d.log()
        assert log.count("UDP splice: host loopback port") == 3, log
        assert "UDP flows: 1" not in log
    finally:
        for p in procs:
            stop_pid(p.pid)
            p.wait(timeout=5)
