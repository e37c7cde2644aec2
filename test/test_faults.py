# SPDX-License-Identifier: GPL-2.0-or-later
"""Failing hosts and vanishing guests: the daemon serves the other flows and
leaks nothing.

    +---- ns "up" ----+         +------- ns "host" --------+
    | 192.0.2.1       |<-veth-->| 192.0.2.2                |
    | servers that    |         | pasta (or passt) runs    |
    | reset, crawl,   |         | here: its fds are counted|
    | or echo         |         | in /proc/PID/fd          |
    +-----------------+         +------------|-------------+
                                             | tap "eth0" (pasta) or
                                             | qemu's stream socket (passt)
                                +------------v-------------+
                                | ns "guest" (pasta), or   |
                                | this test playing qemu   |
                                +--------------------------+

Every case runs a bulk transfer or an echo on other flows alongside the
fault, and ends the same way: the daemon is alive, its TCP flow count (its
"TCP flows: N" debug lines) is back to zero, and its descriptor count is
back to what it was before the first connection. The servers and clients
are test_tcp.py's tool, plus the few modes in FAULT_TOOL below.
"""

import json
import os
import select
import shutil
import subprocess
import time

import pytest

from conftest import HOST4, UP4, Daemon, sh, stop_pid, wait_for
from test_tcp import (PY, free_port, flow_counts, guest, in_ns,  # noqa: F401
                      servers, start_server, tool)

EMFILE_TEXT = ("Too many open files", "No file descriptors available")

FAULT_TOOL = r'''
"""Fault modes for test_faults.py, on top of test_tcp.py's tool."""
import json, socket, sys, time
from tcptool import Checker, chunks, listener, out, recv_all, rst_close


def reset_writer(a):
    """reset_writer ADDR PORT N READY: send N bytes of "srv" to one
    connection, then close it with a reset."""
    ls = listener(a[0], int(a[1]), a[3])
    s, _ = ls.accept()
    for c in chunks("srv", int(a[2])):
        s.sendall(c)
    rst_close(s)
    out(done=True)


def reset_reader(a):
    """reset_reader ADDR PORT N READY: read N bytes of "cli" from one
    connection, check them, then close it with a reset."""
    ls = listener(a[0], int(a[1]), a[3])
    s, _ = ls.accept()
    chk = Checker("cli", int(a[2]))
    while chk.off < chk.n:
        b = s.recv(1 << 16)
        if not b:
            break
        chk.feed(b)
    rst_close(s)
    out(got=chk.off, bad=chk.bad)


def slow_sink(a):
    """slow_sink ADDR PORT N READY: a receive buffer of 4 KiB (set before
    listen(), so the connection has it from its SYN on), read at most
    4 KiB each millisecond, check N bytes of "cli", answer with a trailer."""
    ls = socket.socket(socket.AF_INET)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    ls.bind((a[0], int(a[1])))
    ls.listen(8)
    with open(a[3] + ".tmp", "w") as f:
        f.write("ok")
    import os
    os.rename(a[3] + ".tmp", a[3])
    s, _ = ls.accept()
    chk = Checker("cli", int(a[2]))
    while True:
        b = s.recv(4096)
        if not b:
            break
        chk.feed(b)
        time.sleep(0.001)
    s.sendall(json.dumps({"len": chk.off, "bad": chk.bad}).encode())
    s.close()
    out(got=chk.off, bad=chk.bad)


def read_all(a):
    """read_all ADDR PORT: read "srv" until EOF or reset."""
    s = socket.create_connection((a[0], int(a[1])), timeout=30)
    chk = Checker("srv", 1 << 62)
    how = "eof"
    try:
        while True:
            b = s.recv(1 << 20)
            if not b:
                break
            chk.feed(b)
    except ConnectionResetError:
        how = "reset"
    except socket.timeout:
        how = "timeout"
    out(got=chk.off, bad=chk.bad, how=how)


def write_all(a):
    """write_all ADDR PORT N: send N bytes of "cli", then read the answer
    until EOF or reset."""
    s = socket.create_connection((a[0], int(a[1])), timeout=60)
    t0 = time.monotonic()
    how, sent = "eof", 0
    try:
        for c in chunks("cli", int(a[2])):
            s.sendall(c)
            sent += len(c)
        s.shutdown(socket.SHUT_WR)
        data, how = recv_all(s)
    except (ConnectionResetError, BrokenPipeError):
        how, data = "reset", b""
    out(sent=sent, how=how, answer=data.decode(errors="replace"),
        secs=time.monotonic() - t0)


def hold(a):
    """hold ADDR PORT K: K connections to an echo server; echo a line on
    each, print "ready", wait for a line on stdin, echo again on each,
    close them, print how many echoed right both times."""
    socks = [socket.create_connection((a[0], int(a[1])), timeout=10)
             for _ in range(int(a[2]))]

    def echo_all(tag):
        ok = 0
        for i, s in enumerate(socks):
            msg = b"%s %d\n" % (tag, i)
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                b = s.recv(64)
                if not b:
                    break
                got += b
            ok += got == msg
        return ok

    first = echo_all(b"first")
    print("ready", flush=True)
    sys.stdin.readline()
    second = echo_all(b"second")
    for s in socks:
        s.close()
    out(first=first, second=second)


def connects(a):
    """connects ADDR PORT N: N connections one after the other, each
    echoing a line: how did each go?"""
    res = {}
    for i in range(int(a[2])):
        try:
            s = socket.create_connection((a[0], int(a[1])), timeout=15)
            s.sendall(b"x\n")
            r = "echoed" if s.recv(8) == b"x\n" else "bad echo"
            s.close()
        except ConnectionRefusedError:
            r = "refused"
        except ConnectionResetError:
            r = "reset"
        except socket.timeout:
            r = "timeout"
        except OSError as e:
            r = "error %d" % e.errno
        res[r] = res.get(r, 0) + 1
    out(**res)


if __name__ == "__main__":
    globals()[sys.argv[1]](sys.argv[2:])
'''

BULK = 40 * 1000 * 1000

# No automatic port forwarding: its listening sockets come and go with what
# listens elsewhere, and would blur the descriptor counts
QUIET_ARGS = ("--no-map-gw", "-t", "none", "-u", "none", "-T", "none",
              "-U", "none")


@pytest.fixture
def ftool(tool, wdir):
    """Path of the fault tool, next to test_tcp.py's (which it imports)."""
    path = os.path.join(wdir, "tcptool_faults.py")
    with open(path, "w") as f:
        f.write(FAULT_TOOL)
    os.chmod(path, 0o644)
    return path


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def fd_max(pid):
    return max(int(n) for n in os.listdir(f"/proc/{pid}/fd"))


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def run_json(argv, timeout=120):
    r = subprocess.run(argv, capture_output=True, text=True,
                       timeout=timeout)
    lines = r.stdout.strip().splitlines()
    assert lines, f"{argv}: {r.returncode}\n{r.stderr}"
    return json.loads(lines[-1])


class Bulk:
    """A bulk transfer both ways through a guest, alongside a fault:
    test_tcp.py's serve/client pair, checked byte by byte."""

    def __init__(self, topo, g, tool, servers, wdir, n=BULK):
        port = free_port()
        start_server(servers, topo.up, tool, "serve", UP4, port, n, 1, 0,
                     wdir=wdir)
        self.p = subprocess.Popen(g.cmd([PY, tool, "client", UP4, port, n,
                                         n]), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)

    def check(self, timeout=120):
        out, err = self.p.communicate(timeout=timeout)
        res = json.loads(out.strip().splitlines()[-1]) if out.strip() \
            else err
        assert self.p.returncode == 0 and res["ok"], res


def settled(g, fd0):
    """The daemon is alive, has no TCP flow, and as many fds as at fd0."""
    g.wait_no_flows(timeout=30)
    try:
        wait_for(lambda: fd_count(g.d.pid) == fd0, timeout=10,
                 what=f"fd count back to {fd0}")
    except TimeoutError as e:
        fds = {n: os.readlink(f"/proc/{g.d.pid}/fd/{n}")
               for n in os.listdir(f"/proc/{g.d.pid}/fd")}
        raise AssertionError(f"{e}: {fds}\n{g.tail()}") from e
    assert g.d.alive()


# The host peer resets mid-transfer

def test_peer_resets(topo, guest, tool, ftool, wdir, servers):
    """A host peer that closes with a reset while sending 20 MB, and one
    that does while receiving: the guest sees a reset in both directions,
    and the bulk transfer beside them is unharmed."""
    g = guest(*QUIET_ARGS)
    fd0 = fd_count(g.d.pid)
    bulk = Bulk(topo, g, tool, servers, wdir)

    port = free_port()
    s = start_server(servers, topo.up, ftool, "reset_writer", UP4, port,
                     20 * 1000 * 1000, wdir=wdir)
    res = run_json(g.cmd([PY, ftool, "read_all", UP4, port]))
    assert res["how"] == "reset" and res["bad"] is None, (res, g.tail())
    s.result()

    port = free_port()
    s = start_server(servers, topo.up, ftool, "reset_reader", UP4, port,
                     1000 * 1000, wdir=wdir)
    res = run_json(g.cmd([PY, ftool, "write_all", UP4, port,
                          20 * 1000 * 1000]))
    assert res["how"] == "reset", (res, g.tail())
    assert s.result() == {"got": 1000 * 1000, "bad": None}

    bulk.check()
    settled(g, fd0)


# A slow host server: back-pressure, not buffering

def test_slow_server(topo, guest, tool, ftool, wdir, servers):
    """A server with a 4 KiB receive buffer, reading 4 KiB a millisecond
    at most, gets 8 MB from the guest intact. Back-pressure reaches the
    guest: its socket keeps bytes queued (Send-Q) that pasta didn't take,
    and pasta's resident memory doesn't grow by more than 2 MiB, a quarter
    of the transfer: pasta holds no data of its own (the window it gives
    the guest follows the host socket's free send buffer), and its frame
    buffers are static, so whatever it touches of them is already resident
    after the first transfers."""
    n = 8 * 1000 * 1000
    g = guest(*QUIET_ARGS)
    fd0 = fd_count(g.d.pid)

    # Warm up: touch the frame buffers, so that growth means buffering
    Bulk(topo, g, tool, servers, wdir, n=4 * 1000 * 1000).check()
    g.wait_no_flows()
    rss0 = vm_rss_kib(g.d.pid)

    port = free_port()
    s = start_server(servers, topo.up, ftool, "slow_sink", UP4, port, n,
                     wdir=wdir)
    p = subprocess.Popen(g.cmd([PY, ftool, "write_all", UP4, port, n]),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    queued, rss_max = 0, rss0
    deadline = time.monotonic() + 120
    while p.poll() is None and time.monotonic() < deadline:
        rss_max = max(rss_max, vm_rss_kib(g.d.pid))
        r = sh(g.cmd(["ss", "-tnH", "state", "established", "dst", UP4]),
               check=False)
        for line in r.stdout.splitlines():
            f = line.split()
            if len(f) >= 4 and f[-1].endswith(f":{port}"):
                queued = max(queued, int(f[1]))
        time.sleep(0.1)
    out, err = p.communicate(timeout=30)
    res = json.loads(out.strip().splitlines()[-1])
    assert res["how"] == "eof" and res["sent"] == n, (res, err)
    assert json.loads(res["answer"]) == {"len": n, "bad": None}, res
    assert s.result() == {"got": n, "bad": None}

    assert queued > 256 * 1024, f"guest's Send-Q never above {queued}"
    assert rss_max - rss0 < 2048, f"RSS {rss0} -> {rss_max} KiB"
    settled(g, fd0)


# The guest vanishes mid-transfer

def test_guest_killed_pasta(topo, pasta_bin, tool, wdir, servers, as_user):
    """pasta spawns a shell that runs a client reading 1 GB; the shell and
    the client are killed mid-transfer: pasta exits (its command is gone),
    and the server on the host side sees the connection end rather than
    wait forever. As root and as an unprivileged user."""
    port = free_port()
    s = start_server(servers, topo.up, tool, "serve", UP4, port,
                     1000 * 1000 * 1000, 1, 0, wdir=wdir)
    log = os.path.join(wdir, "pasta.log")
    cmd = f"{PY} {tool} client {UP4} {port} 0 1000000000 & " \
          "sleep 1; kill -9 $! $$"
    d = Daemon(topo.cmd([pasta_bin, "-f", "-d", "--config-net",
                         "--no-map-gw", "--", "sh", "-c", cmd],
                        user=as_user), log)
    d.start()
    try:
        rc = d.proc.wait(timeout=30)
    finally:
        d.stop()
    assert rc == 128 + 9, d.log()[-3000:]
    # The server's sendall() fails or completes: either way it exits
    s.p.communicate(timeout=30)


class StreamGuest:
    """qemu's side of passt's socket, enough for one TCP connection."""

    def __init__(self, path):
        from test_ndp import StreamGuest as Base
        self.g = Base(path)

    def tcp_connect(self, dst, dport, sport):
        scapy = pytest.importorskip("scapy.all")
        from test_passt import GUEST_MAC
        from conftest import OUR_MAC
        eth = scapy.Ether(src=GUEST_MAC, dst=OUR_MAC)
        ip = scapy.IP(src=HOST4, dst=dst)
        syn = scapy.TCP(sport=sport, dport=dport, flags="S", seq=1000,
                        window=65535, options=[("MSS", 1460)])
        self.g.send([bytes(eth / ip / syn)])
        sa = self.g.expect(lambda f: scapy.TCP in f and
                           f[scapy.TCP].dport == sport and
                           f[scapy.TCP].flags == "SA", timeout=10)
        ack = scapy.TCP(sport=sport, dport=dport, flags="A", seq=1001,
                        ack=sa[scapy.TCP].seq + 1, window=65535)
        self.g.send([bytes(eth / ip / ack)])
        # Data from the server, which we never acknowledge
        self.g.expect(lambda f: scapy.TCP in f and
                      f[scapy.TCP].dport == sport and
                      len(f[scapy.TCP].payload) > 0, timeout=10)

    def vanish(self):
        self.g.s.close()


def connect_guest(path):
    """A StreamGuest, or None if passt refuses it (one guest at a time:
    the last one may not be gone yet)."""
    try:
        return StreamGuest(path)
    except ConnectionRefusedError:
        return None


def test_guest_vanishes_passt(topo, passt_bin, tool, wdir, daemons,
                              servers):
    """passt's guest (this test, playing qemu) opens a connection to a
    server sending 100 MB, and its socket closes mid-transfer. passt
    resets the guest's flows at once (no guest will ever acknowledge
    them), the server sees the reset, and the next guest gets a working
    connection."""
    pytest.importorskip("scapy.all")
    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(topo.cmd([passt_bin, "-f", "-d", "--no-map-gw", "-s",
                         sock]), os.path.join(wdir, "passt.log"))
    daemons.append(d)
    d.start()
    # The socket is there before the rest of the set-up (flows, host
    # watch): count descriptors once the sandbox is up, the last step
    wait_for(lambda: "Sandbox: limits" in d.log() or not d.alive(),
             what="passt set up")
    assert d.alive(), d.log()
    fd0 = fd_count(d.pid)

    for i in range(2):
        port = free_port()
        s = start_server(servers, topo.up, tool, "serve", UP4, port,
                         100 * 1000 * 1000, 1, 0, wdir=wdir)
        g = wait_for(lambda: connect_guest(sock), timeout=10,
                     what="passt to take a guest")
        g.tcp_connect(UP4, port, 40000 + i)
        g.vanish()
        # The server's sendall() fails with the reset: it exits
        s.p.communicate(timeout=30)
        wait_for(lambda: (flow_counts(d.log()) or [1])[-1] == 0,
                 timeout=30, what="no TCP flows")
        try:
            wait_for(lambda: fd_count(d.pid) == fd0, timeout=10,
                     what=f"fd count back to {fd0}")
        except TimeoutError as e:
            fds = {n: os.readlink(f"/proc/{d.pid}/fd/{n}")
                   for n in os.listdir(f"/proc/{d.pid}/fd")}
            raise AssertionError(f"{e}: {fds}\n{d.log()[-3000:]}") from e
    assert d.alive()


# The daemon runs out of file descriptors

def test_fd_limit(topo, guest, tool, ftool, wdir, servers):
    """With RLIMIT_NOFILE lowered under pasta's feet (prlimit, soft and
    hard) to just what it has open, plus 8 connections held open: new
    connections are refused at once (RST), with a debug line, the held
    ones still echo, and once they close, new connections work again."""
    if not shutil.which("prlimit"):
        pytest.skip("prlimit (util-linux) not installed")
    g = guest(*QUIET_ARGS)
    pid = g.d.pid
    fd0 = fd_count(pid)
    port = free_port()
    start_server(servers, topo.up, tool, "echo", UP4, port, wdir=wdir)

    holder = subprocess.Popen(g.cmd([PY, ftool, "hold", UP4, port, 8]),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready", \
            holder.communicate(timeout=10)
        lim = fd_max(pid) + 1
        r = sh(as_ids_of(pid, ["prlimit", f"--pid={pid}",
                               f"--nofile={lim}:{lim}"]), check=False)
        assert r.returncode == 0, r.stderr

        # A hole below the limit (a descriptor closed earlier) may still
        # be handed out: a few may succeed, the rest are refused at once
        res = run_json(g.cmd([PY, ftool, "connects", UP4, port, 20]))
        assert set(res) <= {"echoed", "refused", "reset"}, res
        assert res.get("refused", 0) + res.get("reset", 0) >= 10, res
        # EMFILE as the C library words it: glibc, or musl (make static)
        assert any(m in g.d.log() for m in EMFILE_TEXT), g.tail()

        holder.stdin.write("go\n")
        holder.stdin.flush()
        out, err = holder.communicate(timeout=30)
        assert json.loads(out.strip().splitlines()[-1]) == \
            {"first": 8, "second": 8}, (out, err)
    finally:
        if holder.poll() is None:
            stop_pid(holder.pid)
            holder.communicate()

    # The held connections closed: their descriptors are free again
    g.wait_no_flows()
    res = run_json(g.cmd([PY, ftool, "connects", UP4, port, 5]))
    assert res == {"echoed": 5}, (res, g.tail())
    assert g.d.alive()
    settled(g, fd0)


def cpu_secs(pid):
    """User and system time of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_fd_limit_inbound(topo, guest, tool, ftool, wdir, servers):
    """At the descriptor limit, connections to a forwarded port wait in
    the listening socket's backlog: pasta doesn't spin on accept() failing
    (its CPU time stays low), and takes them once descriptors are free,
    without a new connection to wake it up (tcp_listen_retry())."""
    port, hport = free_port(), free_port() + 1
    g = guest("--no-map-gw", "-t", str(port), "-u", "none", "-T", "none",
              "-U", "none")
    pid = g.d.pid
    fd0 = fd_count(pid)
    start_server(servers, g.ns, tool, "echo", "0.0.0.0", port, wdir=wdir)
    start_server(servers, topo.up, tool, "echo", UP4, hport, wdir=wdir)

    holder = subprocess.Popen(g.cmd([PY, ftool, "hold", UP4, hport, 4]),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    clients = None
    try:
        assert holder.stdout.readline().strip() == "ready", \
            holder.communicate(timeout=10)
        lim = fd_max(pid) + 1
        r = sh(as_ids_of(pid, ["prlimit", f"--pid={pid}",
                               f"--nofile={lim}:{lim}"]), check=False)
        assert r.returncode == 0, r.stderr

        # Descriptor numbers below the limit that are free (closed at
        # start-up) still take connections: two more than that, held open
        k = lim - fd_count(pid) + 2
        clients = subprocess.Popen(in_ns(topo.up, [PY, ftool, "hold", HOST4,
                                                   port, k]),
                                   stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        cpu0 = cpu_secs(pid)
        time.sleep(3)
        spent = cpu_secs(pid) - cpu0
        assert spent < 1, f"pasta used {spent:.2f} s of CPU in 3 s"
        r, _, _ = select.select([clients.stdout], [], [], 0)
        assert not r, "all inbound connections taken at the limit"

        holder.stdin.write("go\n")
        holder.stdin.flush()
        out, err = holder.communicate(timeout=30)
        assert json.loads(out.strip().splitlines()[-1]) == \
            {"first": 4, "second": 4}, (out, err)

        # Descriptors free: the waiting connections are taken, and echo
        r, _, _ = select.select([clients.stdout], [], [], 8)
        assert r, f"waiting connections not taken\n{g.tail()}"
        assert clients.stdout.readline().strip() == "ready"
        out, err = clients.communicate("go\n", timeout=30)
        assert json.loads(out.strip().splitlines()[-1]) == \
            {"first": k, "second": k}, (out, err, g.tail())
    finally:
        for p in (holder, clients):
            if p is not None and p.poll() is None:
                stop_pid(p.pid)
                p.communicate()
    assert "accept" in g.d.log(), g.tail()
    settled(g, fd0)


def as_ids_of(pid, argv):
    """argv run with the real and effective IDs of process pid: prlimit on
    another process takes either those or CAP_SYS_RESOURCE, which root
    may lack (containers), and the daemon dropped to its own IDs anyway."""
    ids = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Uid", "Gid"):
                ids[k] = v.split()[0]
    return ["setpriv", f"--reuid={ids['Uid']}", f"--regid={ids['Gid']}",
            "--clear-groups", "--"] + argv

