# SPDX-License-Identifier: GPL-2.0-or-later
"""A full flow table: new flows refused cleanly, old ones served, recovery.

The production table has 128k entries: too many to fill from a test. The
test build passt.test-flows (make passt.test-flows) is the same daemon with
a table of FLOW_MAX_TEST entries. pasta (that build) serves a namespace of
the test's own, as in test_tcp.py; a server in ns "up" accepts and holds
connections. The guest opens more connections than the table holds: the
first ones work, the others are refused at once with a reset (not left to
time out), the daemon says so in its log at most once a second, the held
connections still carry data, and once they are closed new connections work
again. The host side is refused the same way through a -t forward (tap
path: a connection to the host's address, not to its loopback).
"""

import json
import os
import selectors
import shutil
import subprocess
import time

import pytest

from conftest import HOST4, REPO, UP4
from test_tcp import Guest, in_ns

FLOW_MAX_TEST = 64
PY = "/usr/bin/python3"

# Run in the guest namespace: open N connections to ADDR:PORT, report how
# each one went, send a byte on every open one and read its echo, then hold
# them until stdin closes, and close them.
CLIENT = r'''
import json, socket, sys
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks, refused, other = [], 0, []
for i in range(n):
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect((addr, port))
        socks.append(s)
    except ConnectionRefusedError:
        refused += 1
        s.close()
    except OSError as e:
        other.append(repr(e))
        s.close()
echoed = 0
for s in socks:
    try:
        s.sendall(b"x")
        if s.recv(1) == b"x":
            echoed += 1
    except OSError as e:
        other.append(repr(e))
print(json.dumps({"open": len(socks), "refused": refused, "echoed": echoed,
                  "other": other}), flush=True)
sys.stdin.read()
for s in socks:
    s.close()
'''

# Run in ns "up": accept connections, echo every byte, until killed.
ECHO = r'''
import selectors, socket, sys
sel = selectors.DefaultSelector()
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], int(sys.argv[2])))
l.listen(512)
sel.register(l, selectors.EVENT_READ)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        if key.fileobj is l:
            c, _ = l.accept()
            sel.register(c, selectors.EVENT_READ)
            continue
        try:
            d = key.fileobj.recv(4096)
        except OSError:
            d = b""
        if d:
            key.fileobj.sendall(d)
        else:
            sel.unregister(key.fileobj)
            key.fileobj.close()
'''


@pytest.fixture
def flows_bin(tmp_path):
    """passt.test-flows, installed as pasta in a directory of its own."""
    src = os.path.join(REPO, "passt.test-flows")
    if not os.path.exists(src):
        pytest.fail(f"{src} not built: run make passt.test-flows")
    dst = tmp_path / "bin"
    dst.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(dst, 0o755)
    shutil.copy(src, dst / "passt")
    os.symlink("passt", dst / "pasta")
    return str(dst / "pasta")


@pytest.fixture
def scripts(wdir):
    paths = {}
    for name, text in (("client.py", CLIENT), ("echo.py", ECHO)):
        paths[name] = os.path.join(wdir, name)
        with open(paths[name], "w") as f:
            f.write(text)
    return paths


def start(args):
    return subprocess.Popen(args, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def first_line(p, timeout=30):
    """The first line p prints, or a failure after timeout seconds."""
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    if not sel.select(timeout):
        raise TimeoutError(f"{p.args}: no output in {timeout} s")
    return p.stdout.readline()


def test_table_full(topo, flows_bin, wdir, daemons, scripts):
    port = 40123
    echo = start(in_ns(topo.up, [PY, scripts["echo.py"], UP4, port]))
    procs = [echo]
    fwd = 40124
    g = Guest(topo, flows_bin, wdir, daemons,
              ["--no-map-gw", "-t", str(fwd)])
    try:
        assert first_line(echo).strip() == "ready"

        # One more than the table holds, and a few: the first ones open
        n = FLOW_MAX_TEST + 16
        t0 = time.monotonic()
        c1 = start(g.cmd([PY, scripts["client.py"], UP4, port, n]))
        procs.append(c1)
        r1 = json.loads(first_line(c1, timeout=60))
        took = time.monotonic() - t0
        assert r1["open"] + r1["refused"] == n, (r1, g.tail())
        assert r1["open"] >= FLOW_MAX_TEST - 4, (r1, g.tail())
        assert r1["open"] <= FLOW_MAX_TEST, r1
        # refused with a reset, not left to time out (5 s each)
        assert r1["refused"] >= 16 and not r1["other"], r1
        assert took < 30, f"{took:.1f} s for {n} connections"
        assert r1["echoed"] == r1["open"], r1

        log = g.d.log()
        full = log.count("Flow table full")
        assert full >= 1, g.tail()

        # From the host side through -t (to the host's address, not its
        # loopback, which would take the splice path): refused too, the
        # connection ends at once instead of hanging
        inb = subprocess.run(
            topo.cmd([PY, "-c",
                      "import socket,sys\n"
                      "try:\n"
                      "    s=socket.create_connection(('%s',%d),5)\n"
                      "    s.settimeout(5)\n"
                      "    d=s.recv(1)\n"
                      "    print('eof' if not d else 'data')\n"
                      "except (ConnectionResetError, ConnectionRefusedError):\n"
                      "    print('reset')\n"
                      "except socket.timeout:\n"
                      "    print('hang')\n" % (HOST4, fwd)]),
            capture_output=True, text=True, timeout=30)
        assert inb.stdout.strip() in ("eof", "reset"), \
            (inb.stdout, inb.stderr, g.tail())

        # Close them all: the flows go, and new connections work again
        c1.stdin.close()
        c1.wait(timeout=30)
        g.wait_no_flows(timeout=20)
        c2 = start(g.cmd([PY, scripts["client.py"], UP4, port, 8]))
        procs.append(c2)
        r2 = json.loads(first_line(c2, timeout=30))
        assert r2 == {"open": 8, "refused": 0, "echoed": 8, "other": []}, \
            (r2, g.tail())
        c2.stdin.close()
        c2.wait(timeout=30)
        g.wait_no_flows(timeout=20)

        # Logged once per interval, not once per refused connection
        assert g.d.log().count("Flow table full") <= 1 + int(took) + 2
        assert g.d.alive()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        g.close()
