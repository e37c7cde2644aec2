# SPDX-License-Identifier: GPL-2.0-or-later
"""pasta's "auto" port forwarding: -t auto, -u auto, -T auto follow the
ports bound on the other side, as listeners come and go.

    +---- ns "up" ----+         +-------- ns "host" --------+
    | clients for     |<-veth-->| pasta runs here; servers  |
    | -t/-u auto      |         | for -T auto on 127.0.0.1; |
    | (tap path)      |         | clients on 127.0.0.1      |
    +-----------------+         +------------|--------------+
                                             | tap, and splice
                                +------------v--------------+
                                | ns "guest": servers for   |
                                | -t/-u auto, started after |
                                | pasta; clients for -T     |
                                +---------------------------+

pasta scans /proc/net/{tcp,udp}{,6} of each side about once a second: a
server started after pasta becomes reachable from the other side within a
few seconds (the tests allow 5), and its port is closed again once the
server is gone. The log says when a port comes and goes.
"""

import json
import os
import subprocess
import uuid

from conftest import HOST4, UP4, sh, stop_pid, wait_for  # noqa: F401
from test_tcp import PY, free_port, guest, in_ns, servers  # noqa: F401
from test_tcp import start_server, tool  # noqa: F401
from test_splice import UDP_ECHO  # noqa: F401

# Connect again and again until a deadline: print what the server sent,
# and how long it took, as JSON
RETRY = r'''
import json, socket, sys, time
addr, port, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
t0 = time.monotonic()
while True:
    try:
        s = socket.create_connection((addr, port), timeout=2)
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
        print(json.dumps({"data": data.decode(),
                          "secs": time.monotonic() - t0}))
        break
    except OSError as e:
        if time.monotonic() - t0 > limit:
            print(json.dumps({"error": str(e)}))
            sys.exit(1)
        time.sleep(0.05)
'''

# Send a datagram every 0.1 s until an answer comes or a deadline passes
UDP_RETRY = r'''
import json, socket, sys, time
addr, port, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.1)
t0 = time.monotonic()
while time.monotonic() - t0 < limit:
    try:
        s.sendto(b"hi", (addr, port))
        d = s.recv(100)
        print(json.dumps({"data": d.decode(),
                          "secs": time.monotonic() - t0}))
        sys.exit(0)
    except OSError:
        pass
print(json.dumps({"error": "no answer"}))
sys.exit(1)
'''


def script(wdir, name, text):
    path = os.path.join(wdir, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


def retry_fetch(ns, wdir, addr, port, limit=5):
    r = sh(in_ns(ns, [PY, script(wdir, "retry.py", RETRY), addr, port,
                      limit]), check=False, timeout=limit + 10)
    return json.loads(r.stdout.strip().splitlines()[-1])


def listening(ns, port, proto="t"):
    """Sockets bound to a port in a namespace (ss), as text lines."""
    r = sh(["ip", "netns", "exec", ns, "ss", f"-{proto}lnH",
            f"sport = :{port}"])
    return [ln for ln in r.stdout.splitlines() if ln.strip()]


def test_tcp_auto(topo, guest, tool, wdir, servers):
    """-t auto -T auto: a server started in the namespace after pasta is
    reached from the host's loopback (spliced) and from outside (tap);
    once it's gone, its port is closed on the host. A server on the
    host's loopback is reached from the namespace. pasta's own listeners
    are never forwarded back."""
    port, hport = free_port(), free_port() + 1
    g = guest("-t", "auto", "-T", "auto")
    srv = start_server(servers, g.ns, tool, "banner", "0.0.0.0", port,
                       "in-ns", wdir=wdir)

    res = retry_fetch(topo.host, wdir, "127.0.0.1", port)
    assert res.get("data") == "in-ns", (res, g.tail())
    res = retry_fetch(topo.up, wdir, HOST4, port)
    assert res.get("data") == "in-ns", (res, g.tail())

    srv.stop()
    wait_for(lambda: not listening(topo.host, port), timeout=5,
             what="the host port to close")
    assert f"TCP port {port}: not forwarded any more" in g.d.log()

    start_server(servers, topo.host, tool, "banner", "127.0.0.1", hport,
                 "on-host", wdir=wdir)
    res = retry_fetch(g.ns, wdir, "127.0.0.1", hport)
    assert res.get("data") == "on-host", (res, g.tail())

    log = g.d.log()
    assert f"TCP port {port}: now forwarded from the namespace" not in log
    assert f"TCP port {hport}: now forwarded from the host" not in log
    g.wait_no_flows()


def test_udp_auto(topo, guest, wdir):
    """-u auto: a UDP server bound in the namespace after pasta starts
    answers a client beyond the host; once it's gone, the host port is
    closed."""
    port = 20000 + int(uuid.uuid4().hex[:4], 16) % 10000  # not ephemeral
    g = guest("-u", "auto")
    ready = os.path.join(wdir, "udp-ready")
    p = subprocess.Popen(in_ns(g.ns, [PY, script(wdir, "udpecho.py",
                                                   UDP_ECHO),
                                      "0.0.0.0", port, ready]))
    try:
        wait_for(lambda: os.path.exists(ready), what="UDP server")
        r = sh(in_ns(topo.up, [PY, script(wdir, "udpretry.py", UDP_RETRY),
                               HOST4, port, 5]), check=False, timeout=20)
        res = json.loads(r.stdout.strip().splitlines()[-1])
        assert res.get("data") == "echo:hi", (res, g.tail())
    finally:
        stop_pid(p.pid)
        p.wait(timeout=5)
    wait_for(lambda: not listening(topo.host, port, "u"), timeout=5,
             what="the host's UDP port to close")


def test_auto_unprivileged(topo, pasta_bin, tool, wdir, unpriv_user):
    """As an ordinary user, pasta spawning a server that starts after it:
    -t auto makes it reachable from the host's loopback."""
    port = free_port()
    ready = os.path.join(wdir, "ready-" + uuid.uuid4().hex[:6])
    cmd = f"sleep 1; exec {PY} {tool} banner 127.0.0.1 {port} user {ready}"
    p = subprocess.Popen(topo.cmd([pasta_bin, "-d", "--config-net", "-t",
                                   "auto", "--", "sh", "-c", cmd],
                                  user=unpriv_user),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        wait_for(lambda: os.path.exists(ready) or p.poll() is not None,
                 timeout=10, what="the spawned server")
        res = retry_fetch(topo.host, wdir, "127.0.0.1", port)
        assert res.get("data") == "user", res
    finally:
        stop_pid(p.pid)
        out, err = p.communicate(timeout=10)
    assert f"TCP port {port}: now forwarded from the host" in err
    assert "Sandbox: capabilities: none" in err


def test_udp_ns_auto(topo, guest, wdir):
    """-U auto: a UDP server bound on the host's loopback after pasta
    starts answers a client on the namespace's loopback; once it's gone,
    the namespace's port is closed."""
    port = 20000 + int(uuid.uuid4().hex[:4], 16) % 10000  # not ephemeral
    g = guest("-U", "auto")
    ready = os.path.join(wdir, "udp-ready-host")
    p = subprocess.Popen(in_ns(topo.host, [PY, script(wdir, "udpecho.py",
                                                        UDP_ECHO),
                                           "127.0.0.1", port, ready]))
    try:
        wait_for(lambda: os.path.exists(ready), what="UDP server")
        rc, res = g.run([PY, script(wdir, "udpretry.py", UDP_RETRY),
                         "127.0.0.1", port, 5], timeout=20)
        assert res.get("data") == "echo:hi", (res, g.tail())
    finally:
        stop_pid(p.pid)
        p.wait(timeout=5)
    wait_for(lambda: not listening(g.ns, port, "u"), timeout=5,
             what="the namespace's UDP port to close")
    assert f"UDP port {port}: now forwarded from the namespace" in g.d.log()
