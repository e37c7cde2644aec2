# SPDX-License-Identifier: GPL-2.0-or-later
"""Soak: thousands of short TCP connections and UDP flows alongside a bulk
transfer, through pasta, for SOAK_SECS; then nothing is left behind.

    +---- ns "up" ----------+         +------- ns "host" --------+
    | 192.0.2.1             |<-veth-->| 192.0.2.2: pasta         |
    | TCP echo (tcptool.py) |         | (fds, VmRSS, flow counts |
    | UDP echo (SOAK_TOOL)  |         |  watched from here)      |
    +-----------------------+         +------------|-------------+
                                                   | tap "eth0"
                                      +------------v-------------+
                                      | ns "guest": SOAK_TOOL's  |
                                      | load, in three processes |
                                      +--------------------------+

At the end: every byte of every connection and datagram was checked by
the client that sent it (echoed back, compared), pasta's TCP and UDP flow
counts (its debug lines) are back to zero, its descriptor count is back to
what it was before the load, and its resident memory grew by less than
RSS_GROWTH_KIB between the end of the warm-up and the end of the load.
"""

import json
import os
import subprocess
import time

from conftest import UP4, stop_pid, wait_for
from test_faults import QUIET_ARGS, fd_count, vm_rss_kib
from test_tcp import (PY, free_port, guest,  # noqa: F401
                      servers, start_server, tool)
from test_udp import flow_counts as udp_flow_counts

# About a minute, as issue 8 asks; SOAK_SECS=N in the environment for more
SOAK_SECS = int(os.environ.get("SOAK_SECS", "60"))
WARMUP_SECS = 10

# pasta allocates nothing after start-up: what grows is the share of its
# static tables and buffers that the load touched for the first time. After
# the warm-up, the frame buffers are all touched (the bulk transfer fills
# them); the flow table and its hash table touch a new page when a flow
# lands on an entry or a slot no earlier flow used. 2 MiB is 512 pages:
# a few hundred flow entries' worth of fresh pages, far less than a leak
# of one buffer per connection (thousands of connections) would show.
RSS_GROWTH_KIB = 2048

SOAK_TOOL = r'''
"""Load for test_soak.py: see each mode."""
import json, os, random, socket, sys, threading, time
from tcptool import chunks, Checker, out


def udp_echo(a):
    """udp_echo ADDR PORT READY: echo every datagram."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((a[0], int(a[1])))
    with open(a[2] + ".tmp", "w") as f:
        f.write("ok")
    os.rename(a[2] + ".tmp", a[2])
    while True:
        d, peer = s.recvfrom(65536)
        s.sendto(d, peer)


def run_threads(n, secs, fn):
    """fn(rng, deadline, stats) in n threads until the deadline; totals."""
    deadline = time.monotonic() + secs
    stats = [dict() for _ in range(n)]
    ts = [threading.Thread(target=fn, args=(random.Random(i), deadline,
                                            stats[i])) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    tot = {}
    for s in stats:
        for k, v in s.items():
            tot[k] = tot.get(k, 0) + v
    return tot


def bump(st, k, v=1):
    st[k] = st.get(k, 0) + v


def short_tcp(a):
    """short_tcp ADDR PORT SECS THREADS: connect, send 1 to 8 KiB, shut
    down writing, read the echo to EOF, compare, close; again and again."""
    addr, port = a[0], int(a[1])

    def one(rng, deadline, st):
        while time.monotonic() < deadline:
            data = rng.randbytes(rng.randrange(1024, 8193))
            try:
                s = socket.create_connection((addr, port), timeout=20)
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                got = b""
                while True:
                    b = s.recv(65536)
                    if not b:
                        break
                    got += b
                s.close()
            except OSError as e:
                bump(st, "error %s" % type(e).__name__)
                continue
            bump(st, "ok" if got == data else "bad")
            bump(st, "bytes", len(data))
    out(**run_threads(int(a[3]), float(a[2]), one))


def udp_flows(a):
    """udp_flows ADDR PORT SECS THREADS: a new socket (a new source port,
    so a new flow) per exchange: one datagram of 1 to 1400 bytes, echoed
    and compared; resent up to 3 times if nothing comes back in 1 s."""
    addr, port = a[0], int(a[1])

    def one(rng, deadline, st):
        while time.monotonic() < deadline:
            data = rng.randbytes(rng.randrange(1, 1401))
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(1)
            s.connect((addr, port))
            res = "lost"
            for _ in range(4):
                s.send(data)
                try:
                    got = s.recv(65536)
                except socket.timeout:
                    bump(st, "resent")
                    continue
                res = "ok" if got == data else "bad"
                break
            s.close()
            bump(st, res)
    out(**run_threads(int(a[3]), float(a[2]), one))


def bulk(a):
    """bulk ADDR PORT SECS: one connection to an echo server: send stream
    "cli" for SECS seconds, check the echo as it comes back, then shut
    down writing and check that everything came back."""
    s = socket.create_connection((a[0], int(a[1])), timeout=60)
    chk = Checker("cli", 1 << 62)

    def rd():
        while True:
            b = s.recv(1 << 20)
            if not b:
                break
            chk.feed(b)
    t = threading.Thread(target=rd)
    t.start()
    deadline = time.monotonic() + float(a[2])
    sent = 0
    for c in chunks("cli", 1 << 62):
        if time.monotonic() > deadline:
            break
        s.sendall(c)
        sent += len(c)
    s.shutdown(socket.SHUT_WR)
    t.join()
    out(sent=sent, got=chk.off, bad=chk.bad)


if __name__ == "__main__":
    globals()[sys.argv[1]](sys.argv[2:])
'''


def test_soak(topo, guest, tool, wdir, servers):
    stool = os.path.join(wdir, "tcptool_soak.py")
    with open(stool, "w") as f:
        f.write(SOAK_TOOL)

    tport, uport, bport = free_port(), free_port() + 1, free_port() + 2
    start_server(servers, topo.up, tool, "echo", UP4, tport, wdir=wdir)
    start_server(servers, topo.up, tool, "echo", UP4, bport, wdir=wdir)
    start_server(servers, topo.up, stool, "udp_echo", UP4, uport,
                 wdir=wdir)
    g = guest(*QUIET_ARGS, "--udp-timeout", "2")
    pid = g.d.pid
    fd0 = fd_count(pid)

    def load(mode, port, *args):
        return subprocess.Popen(g.cmd([PY, stool, mode, UP4, port, SOAK_SECS]
                                      + list(args)),
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    t0 = time.monotonic()
    procs = {"bulk": load("bulk", bport),
             "tcp": load("short_tcp", tport, 6),
             "udp": load("udp_flows", uport, 4)}
    rss = []
    try:
        while any(p.poll() is None for p in procs.values()) and \
                time.monotonic() - t0 < SOAK_SECS + 60:
            rss.append((time.monotonic() - t0, vm_rss_kib(pid)))
            assert g.d.alive(), g.tail()
            time.sleep(1)
        res = {}
        for k, p in procs.items():
            out, err = p.communicate(timeout=30)
            assert out.strip(), f"{k}: {p.returncode}\n{err}\n{g.tail()}"
            res[k] = json.loads(out.strip().splitlines()[-1])
    finally:
        for p in procs.values():
            if p.poll() is None:
                stop_pid(p.pid)
                p.communicate()
    print(f"soak: {res}, RSS (s, KiB): {rss}")

    b = res["bulk"]
    assert b["bad"] is None and b["got"] == b["sent"] > 0, b
    t = res["tcp"]
    assert t.get("ok", 0) >= 1000 and set(t) <= {"ok", "bytes"}, t
    u = res["udp"]
    assert u.get("ok", 0) >= 1000 and set(u) <= {"ok", "resent"}, u

    # Memory: flat once warm
    warm = [kib for s, kib in rss if s >= WARMUP_SECS]
    assert warm, rss
    assert max(warm) - warm[0] < RSS_GROWTH_KIB, rss

    # Nothing left: flows (TCP at once, UDP after their 2 s timeout), fds
    g.wait_no_flows(timeout=30)
    wait_for(lambda: (udp_flow_counts(g.d.log()) or [0])[-1] == 0,
             timeout=30, interval=0.5, what="no UDP flows")
    wait_for(lambda: fd_count(pid) == fd0, timeout=10,
             what=f"fd count back to {fd0}")
    assert g.d.alive()
