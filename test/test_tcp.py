# SPDX-License-Identifier: GPL-2.0-or-later
"""TCP translation, both directions, without a second TCP stack.

    +---- ns "up" ----+         +------- ns "host" --------+
    | 192.0.2.1       |<-veth-->| 192.0.2.2   2001:db8::2  |
    | 2001:db8::1     |         | pasta runs here; its     |
    | servers for     |         | listening sockets (-t);  |
    | outbound tests, |         | servers on 127.0.0.1 for |
    | clients for     |         | the gateway mapping      |
    | inbound ones    |         +------------|-------------+
    +-----------------+                      | tap "eth0"
                                +------------v-------------+
                                | ns "guest": 192.0.2.2/24 |
                                | default via 192.0.2.1    |
                                | (pasta --netns NAME, or  |
                                | the command pasta spawns)|
                                +--------------------------+

Most tests start pasta on a named namespace of their own (the "guest") and
run clients and servers with ip netns exec, so that pasta's debug log can be
watched until its TCP flow count is back to zero. The unprivileged test
lets pasta spawn the client instead. Clients and servers are the small
Python tool in TOOL, written to the test's directory: every byte of a
transfer is compared with the stream the other side generated.

The gateway (192.0.2.1) is also a real host here, in ns "up": pasta maps it
to the host namespace's loopback unless --no-map-gw, so the tests that want
the servers in ns "up" pass --no-map-gw.

The qemu test (marker "qemu") boots one guest behind passt and moves a few
MB each way with busybox nc, in both directions of connection.
"""

import json
import os
import re
import shutil
import subprocess
import time
import uuid

import pytest

from conftest import (HOST4, HOST6, UP4, UP6, Daemon, ip_json, sh, stop_pid,
                      wait_for)

PY = "/usr/bin/python3"
BIG = 100 * 1000 * 1000

TOOL = r'''
"""Clients and servers for test_tcp.py: see the usage of each mode."""
import json, os, random, selectors, socket, sys, threading, time

BLOCK = 1048583         # prime: shifted copies never line up with windows


def block(seed):
    return random.Random(seed).randbytes(BLOCK) * 2


def chunks(seed, n, size=1 << 18):
    """The stream for a seed: a random block repeated, n bytes."""
    b = memoryview(block(seed))
    off = 0
    while off < n:
        k = min(size, n - off)
        i = off % BLOCK
        yield b[i:i + k]
        off += k


class Checker:
    """Compares what arrives with the stream for a seed."""

    def __init__(self, seed, n):
        self.b = memoryview(block(seed))
        self.n, self.off, self.bad = n, 0, None

    def feed(self, data):
        """Check data, return what goes beyond n bytes."""
        k = min(len(data), self.n - self.off)
        done = 0
        while done < k:
            i = (self.off + done) % BLOCK
            m = min(k - done, BLOCK)
            if self.bad is None and data[done:done + m] != self.b[i:i + m]:
                self.bad = self.off + done
            done += m
        self.off += k
        return data[k:]


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def listener(addr, port, ready):
    ls = socket.socket(family(addr))
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1024)
    if ready:
        with open(ready + ".tmp", "w") as f:
            f.write("ok")
        os.rename(ready + ".tmp", ready)
    return ls


def out(**kw):
    print(json.dumps(kw), flush=True)


def serve(a):
    """serve ADDR PORT SEND COUNT PAUSE READY: per connection, check what
    the client sends (stream "cli"), send SEND bytes (stream "srv"), then a
    JSON trailer with what arrived; exit after COUNT connections. PAUSE:
    stop reading for that many seconds after 10 MB."""
    ls = listener(a[0], int(a[1]), a[5])
    send_n, count, pause = int(a[2]), int(a[3]), float(a[4])

    def handle(s):
        chk = Checker("cli", 1 << 62)

        def rd():
            paused = not pause
            while True:
                b = s.recv(1 << 20)
                if not b:
                    break
                chk.feed(b)
                if not paused and chk.off >= 10 << 20:
                    time.sleep(pause)
                    paused = True
        t = threading.Thread(target=rd)
        t.start()
        for c in chunks("srv", send_n):
            s.sendall(c)
        t.join()
        s.sendall((json.dumps({"len": chk.off, "bad": chk.bad}) +
                   "\n").encode())
        s.close()

    threads = []
    while not count or len(threads) < count:
        s, _ = ls.accept()
        t = threading.Thread(target=handle, args=(s,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


def client(a):
    """client ADDR PORT SEND EXPECT [PAUSE]: send SEND bytes of "cli", read
    and check EXPECT bytes of "srv" and the trailer. PAUSE: stop reading
    for that many seconds after 10 MB."""
    send_n, exp = int(a[2]), int(a[3])
    pause = float(a[4]) if len(a) > 4 else 0
    t0 = time.monotonic()
    s = socket.create_connection((a[0], int(a[1])), timeout=60)
    chk = Checker("srv", exp)
    res = {}

    def rd():
        tail = b""
        paused = not pause
        while True:
            b = s.recv(1 << 20)
            if not b:
                break
            tail += chk.feed(b)
            if not paused and chk.off >= 10 << 20:
                time.sleep(pause)
                paused = True
        res["tail"] = tail
    t = threading.Thread(target=rd)
    t.start()
    for c in chunks("cli", send_n):
        s.sendall(c)
    s.shutdown(socket.SHUT_WR)
    t.join()
    dt = time.monotonic() - t0
    try:
        trailer = json.loads(res["tail"])
    except ValueError:
        trailer = res["tail"].decode(errors="replace")
    ok = (chk.off == exp and chk.bad is None and
          trailer == {"len": send_n, "bad": None})
    out(ok=ok, got=chk.off, bad=chk.bad, trailer=trailer, secs=dt)
    sys.exit(0 if ok else 1)


def echo(a):
    """echo ADDR PORT READY: echo every connection until its EOF."""
    ls = listener(a[0], int(a[1]), a[2])

    def handle(s):
        while True:
            b = s.recv(1 << 16)
            if not b:
                break
            s.sendall(b)
        s.close()
    while True:
        s, _ = ls.accept()
        threading.Thread(target=handle, args=(s,), daemon=True).start()


def many(a):
    """many ADDR PORT N: N concurrent connections to an echo server,
    each with its own payload, all checked."""
    n = int(a[2])
    sel = selectors.DefaultSelector()
    left = n
    st = {}
    for i in range(n):
        s = socket.socket(family(a[0]))
        s.setblocking(False)
        s.connect_ex((a[0], int(a[1])))
        size = 20000 + (i * 7919) % 40000
        data = random.Random(i).randbytes(size)
        st[s] = {"i": i, "data": data, "sent": 0, "got": bytearray()}
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    ok = 0
    deadline = time.monotonic() + 120
    while left and time.monotonic() < deadline:
        for key, ev in sel.select(timeout=1):
            s, c = key.fileobj, st[key.fileobj]
            if ev & selectors.EVENT_WRITE and c["sent"] < len(c["data"]):
                try:
                    c["sent"] += s.send(c["data"][c["sent"]:][:65536])
                except BlockingIOError:
                    pass
                if c["sent"] == len(c["data"]):
                    s.shutdown(socket.SHUT_WR)
                    sel.modify(s, selectors.EVENT_READ)
            if ev & selectors.EVENT_READ:
                try:
                    b = s.recv(1 << 16)
                except BlockingIOError:
                    continue
                if b:
                    c["got"] += b
                    continue
                sel.unregister(s)
                s.close()
                left -= 1
                ok += c["got"] == c["data"]
    out(ok=ok, total=n, unfinished=left)
    sys.exit(0 if ok == n else 1)


def banner(a):
    """banner ADDR PORT TAG READY: send TAG to each connection, close."""
    ls = listener(a[0], int(a[1]), a[3])
    while True:
        s, _ = ls.accept()
        s.sendall(a[2].encode())
        s.close()


def fetch(a):
    """fetch ADDR PORT: print what the server sends until EOF."""
    s = socket.create_connection((a[0], int(a[1])), timeout=10)
    data = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        data += b
    out(data=data.decode())


def recv_all(s):
    """Read until EOF or reset: (data, "eof" or "reset" or "timeout")."""
    data = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                return data, "eof"
            data += b
    except ConnectionResetError:
        return data, "reset"
    except socket.timeout:
        return data, "timeout"


def one(a):
    """one ADDR PORT READY: listen, accept a single connection."""
    ls = listener(a[0], int(a[1]), a[2])
    s, _ = ls.accept()
    s.settimeout(10)
    return s


def half_server(a):
    """half_server ADDR PORT READY: read until EOF, then answer."""
    s = one(a)
    data, how = recv_all(s)
    s.sendall(b"got %d" % len(data))
    s.shutdown(socket.SHUT_WR)
    rest, how2 = recv_all(s)
    out(got=len(data), how=how, after=how2)


def half_client(a):
    """half_client ADDR PORT: send, shut down writing, read the answer."""
    s = socket.create_connection((a[0], int(a[1])), timeout=10)
    s.sendall(b"x" * 1000)
    s.shutdown(socket.SHUT_WR)
    data, how = recv_all(s)
    out(data=data.decode(), how=how)


def first_server(a):
    """first_server ADDR PORT READY: send, shut down writing, read."""
    s = one(a)
    s.sendall(b"hello")
    s.shutdown(socket.SHUT_WR)
    data, how = recv_all(s)
    out(got=len(data), how=how)


def first_client(a):
    """first_client ADDR PORT: read until EOF, then send and close."""
    s = socket.create_connection((a[0], int(a[1])), timeout=10)
    data, how = recv_all(s)
    s.sendall(b"y" * 2000)
    s.close()
    out(data=data.decode(), how=how)


def rst_close(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
    s.close()


def reset_client(a):
    """reset_client ADDR PORT: connect, send a byte, close with RST."""
    s = socket.create_connection((a[0], int(a[1])), timeout=10)
    s.sendall(b"x")
    time.sleep(0.3)
    rst_close(s)
    out(done=True)


def wait_reset_server(a):
    """wait_reset_server ADDR PORT READY: how does the connection end?"""
    s = one(a)
    data, how = recv_all(s)
    out(got=len(data), how=how)


def reset_server(a):
    """reset_server ADDR PORT READY: read a byte, close with RST."""
    s = one(a)
    s.recv(1)
    time.sleep(0.2)
    rst_close(s)
    out(done=True)


def wait_reset_client(a):
    """wait_reset_client ADDR PORT: send a byte, how does it end? The
    reset may come before connect() even returns."""
    try:
        s = socket.create_connection((a[0], int(a[1])), timeout=10)
        s.sendall(b"x")
    except (ConnectionResetError, BrokenPipeError):
        out(got=0, how="reset")
        return
    data, how = recv_all(s)
    out(got=len(data), how=how)


def keepalive(a):
    """keepalive ADDR PORT IDLE: probe every second while idle for IDLE
    seconds, giving up after two unanswered probes, then echo a line."""
    s = socket.create_connection((a[0], int(a[1])), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)
    time.sleep(float(a[2]))
    try:
        s.sendall(b"ping")
        s.shutdown(socket.SHUT_WR)
        data, how = recv_all(s)
        out(data=data.decode(), how=how)
    except OSError as e:
        out(data="", how="error %d" % e.errno)


def connect(a):
    """connect ADDR PORT: try to connect, say how it went and how fast."""
    s = socket.socket(family(a[0]))
    s.settimeout(30)
    t0 = time.monotonic()
    try:
        s.connect((a[0], int(a[1])))
        res = "connected"
    except ConnectionRefusedError:
        res = "refused"
    except ConnectionResetError:
        res = "reset"
    except socket.timeout:
        res = "timeout"
    except OSError as e:
        res = "error %d" % e.errno
    out(result=res, secs=time.monotonic() - t0)


if __name__ == "__main__":
    globals()[sys.argv[1]](sys.argv[2:])
'''


@pytest.fixture
def tool(wdir):
    """Path of the client/server tool, readable by anyone."""
    path = os.path.join(wdir, "tcptool.py")
    with open(path, "w") as f:
        f.write(TOOL)
    os.chmod(path, 0o644)
    return path


def in_ns(ns, args):
    return ["ip", "netns", "exec", ns] + [str(a) for a in args]


def flow_counts(log):
    """Values of the "TCP flows: N" debug lines of a log, in order."""
    return [int(n) for n in re.findall(r"TCP flows: (\d+)", log)]


class Guest:
    """pasta serving a named network namespace made for the test."""

    def __init__(self, topo, pasta_bin, wdir, daemons, args):
        self.ns = "passt-g-" + uuid.uuid4().hex[:8]
        sh(["ip", "netns", "add", self.ns])
        self.log_path = os.path.join(wdir, f"pasta-{self.ns}.log")
        self.d = Daemon(topo.cmd([pasta_bin, "-f", "-d", "--config-net"] +
                                 list(args) + ["--netns", self.ns]),
                        self.log_path)
        daemons.append(self.d)
        try:
            self.d.start()
            wait_for(self._configured, timeout=10,
                     what="pasta to configure the guest namespace")
        except Exception:
            self.close()
            raise

    def _configured(self):
        assert self.d.alive(), self.d.log()
        if "Sandbox: limits" not in self.d.log():
            return False            # start-up not over: descriptors change
        try:
            links = ip_json(self.ns, "addr", "show", "dev", "eth0")
        except subprocess.CalledProcessError:
            return False            # no tap device yet
        addrs = {a["local"] for link in links
                 for a in link.get("addr_info", [])
                 if not a.get("tentative")}
        return HOST4 in addrs and HOST6 in addrs

    def cmd(self, args):
        return in_ns(self.ns, args)

    def run(self, args, timeout=60):
        """Run a command in the guest namespace, parse its JSON output."""
        r = subprocess.run(self.cmd(args), capture_output=True, text=True,
                           timeout=timeout)
        assert r.returncode == 0 or r.stdout, \
            f"{args}: {r.returncode}\n{r.stderr}\n{self.tail()}"
        return r.returncode, json.loads(r.stdout.strip().splitlines()[-1])

    def tail(self, n=3000):
        log = self.d.log()
        return log[-n:]

    def wait_no_flows(self, timeout=10):
        """The daemon's TCP flow count (its debug log) comes back to 0."""
        try:
            wait_for(lambda: (flow_counts(self.d.log()) or [0])[-1] == 0,
                     timeout=timeout, interval=0.2, what="no TCP flows")
        except TimeoutError as e:
            raise AssertionError(f"{e}\n{self.tail()}") from e
        assert self.d.alive(), self.tail()

    def close(self):
        if self.d.proc is not None:
            self.d.stop()
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)


@pytest.fixture
def guest(topo, pasta_bin, wdir, daemons):
    """Factory: guest(*pasta_args) starts pasta on a new namespace."""
    made = []

    def make(*args):
        g = Guest(topo, pasta_bin, wdir, daemons, args)
        made.append(g)
        return g
    yield make
    for g in made:
        g.close()


class Server:
    """A tool server started in a namespace, stopped by its PID."""

    def __init__(self, ns, tool, mode, *args, wdir, timeout=10):
        self.ready = os.path.join(wdir, f"ready-{uuid.uuid4().hex[:8]}")
        argv = [PY, tool, mode] + [str(a) for a in args] + [self.ready]
        self.p = subprocess.Popen(in_ns(ns, argv), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: os.path.exists(self.ready) or
                     self.p.poll() is not None, timeout=timeout,
                     what=f"{mode} server to listen")
        except TimeoutError:
            self.stop()
            raise
        assert self.p.poll() is None, self.p.communicate()

    def result(self, timeout=30):
        """Wait for the server to exit, return its JSON output, if any."""
        out, err = self.p.communicate(timeout=timeout)
        assert self.p.returncode == 0, err
        lines = out.strip().splitlines()
        return json.loads(lines[-1]) if lines else None

    def stop(self):
        if self.p.poll() is None:
            stop_pid(self.p.pid)
        self.p.communicate()


@pytest.fixture
def servers():
    """Servers started by a test, stopped at the end."""
    started = []
    yield started
    for s in started:
        s.stop()


def start_server(servers, ns, tool, mode, *args, wdir):
    s = Server(ns, tool, mode, *args, wdir=wdir)
    servers.append(s)
    return s


def free_port():
    return 20000 + int(uuid.uuid4().hex[:4], 16) % 20000


# Outbound: a client in the guest, servers in ns "up"

@pytest.mark.parametrize("addr", [UP4, UP6], ids=["ipv4", "ipv6"])
def test_outbound_100mb(topo, guest, tool, wdir, servers, addr):
    """100 MB each way, guest client to a server beyond the host."""
    port = free_port()
    start_server(servers, topo.up, tool, "serve", addr, port, BIG, 1, 0,
                 wdir=wdir)
    g = guest("--no-map-gw")
    rc, res = g.run([PY, tool, "client", addr, port, BIG, BIG], timeout=120)
    assert rc == 0 and res["ok"], res
    g.wait_no_flows()


def test_outbound_unprivileged(topo, pasta_bin, tool, wdir, servers,
                               unpriv_user):
    """The same as an unprivileged user, pasta spawning the client."""
    port = free_port()
    start_server(servers, topo.up, tool, "serve", UP4, port, BIG, 1, 0,
                 wdir=wdir)
    cmd = f"{PY} {tool} client {UP4} {port} {BIG} {BIG}; s=$?; " \
          "sleep 2.5; exit $s"
    r = sh(topo.cmd([pasta_bin, "-d", "--config-net", "--no-map-gw", "--",
                     "sh", "-c", cmd], user=unpriv_user), check=False,
           timeout=120)
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert r.returncode == 0 and res["ok"], (res, r.stderr[-3000:])
    assert flow_counts(r.stderr)[-1] == 0, r.stderr[-3000:]


# Inbound: servers in the guest, clients in ns "up", through pasta's -t

@pytest.mark.parametrize("addr,peer", [(HOST4, "0.0.0.0"), (HOST6, "::")],
                         ids=["ipv4", "ipv6"])
def test_inbound_100mb(topo, guest, tool, wdir, servers, addr, peer):
    """100 MB each way through a forwarded port, and a remapped one."""
    port, mapped, target = free_port(), free_port() + 1, free_port() + 2
    g = guest("-t", str(port), "-t", f"{mapped}:{target}")
    start_server(servers, g.ns, tool, "serve", peer, port, BIG, 1, 0,
                 wdir=wdir)
    start_server(servers, g.ns, tool, "serve", peer, target, 1000000, 1, 0,
                 wdir=wdir)

    for p, n in ((port, BIG), (mapped, 1000000)):
        r = sh(in_ns(topo.up, [PY, tool, "client", addr, p, n, n]),
               check=False, timeout=120)
        res = json.loads(r.stdout.strip().splitlines()[-1])
        assert r.returncode == 0 and res["ok"], (res, g.tail())
    g.wait_no_flows()


# Back-pressure: a reader that stops for a while stalls nothing for long

def test_reader_pauses(topo, guest, tool, wdir, servers):
    """Both readers stop for 2 s after 10 MB of 50 MB: the windows close
    (the host socket's send buffer fills, the guest's receive buffer
    fills) and open again, and nothing the guest sent is dropped."""
    n, pause = 50 * 1000 * 1000, 2
    port = free_port()
    start_server(servers, topo.up, tool, "serve", UP4, port, n, 1, pause,
                 wdir=wdir)
    g = guest("--no-map-gw")
    rc, res = g.run([PY, tool, "client", UP4, port, n, n, pause],
                    timeout=60)
    assert rc == 0 and res["ok"], res
    assert res["secs"] < pause + 10, res
    assert "socket took" not in g.d.log(), g.tail()
    g.wait_no_flows()


def test_inbound_nobody_listens(topo, guest, tool):
    """A forwarded port nobody listens on in the guest: pasta accepted the
    connection already, so the guest's RST reaches the client as a reset,
    at once."""
    port = free_port()
    g = guest("-t", str(port))
    t0 = time.monotonic()
    r = sh(in_ns(topo.up, [PY, tool, "wait_reset_client", HOST4, port]))
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res == {"got": 0, "how": "reset"}, (res, g.tail())
    assert time.monotonic() - t0 < 3
    g.wait_no_flows()


# The gateway address: the host's loopback, or with --no-map-gw the gateway

@pytest.mark.parametrize("map_gw", [True, False], ids=["map-gw", "no-map-gw"])
def test_gateway(topo, guest, tool, wdir, servers, map_gw):
    port = free_port()
    for ns, addr, tag in ((topo.host, "127.0.0.1", "loopback4"),
                          (topo.host, "::1", "loopback6"),
                          (topo.up, UP4, "up4"), (topo.up, UP6, "up6")):
        start_server(servers, ns, tool, "banner", addr, port, tag,
                     wdir=wdir)
    g = guest() if map_gw else guest("--no-map-gw")

    for gw, v in ((UP4, "4"), (UP6, "6")):
        rc, res = g.run([PY, tool, "fetch", gw, port])
        want = ("loopback" if map_gw else "up") + v
        assert res["data"] == want, (res, g.tail())
    g.wait_no_flows()


# Many connections at once

def test_500_connections(topo, guest, tool, wdir, servers):
    port = free_port()
    start_server(servers, topo.up, tool, "echo", UP4, port, wdir=wdir)
    g = guest("--no-map-gw")
    rc, res = g.run([PY, tool, "many", UP4, port, 500], timeout=150)
    assert rc == 0 and res["ok"] == 500, res
    g.wait_no_flows()


# Lossy, reordering link between the guest and pasta

def netem_available():
    ns = "passt-n-" + uuid.uuid4().hex[:8]
    sh(["ip", "netns", "add", ns])
    try:
        r = sh(in_ns(ns, ["tc", "qdisc", "add", "dev", "lo", "root",
                          "netem", "delay", "1ms"]), check=False)
        return r.returncode == 0, r.stderr.strip()
    except FileNotFoundError:
        return False, "tc (iproute2) not installed"
    finally:
        sh(["ip", "netns", "del", ns], check=False)


def nft_loss(g, percent):
    """Drop a share of the frames both ways on the guest's interface."""
    sh(g.cmd(["nft", "add", "table", "inet", "loss"]))
    for hook, dev in (("input", "iifname"), ("output", "oifname")):
        sh(g.cmd(["nft", f"add chain inet loss {hook} {{ type filter hook "
                  f"{hook} priority 0; }}"]))
        sh(g.cmd(["nft", f"add rule inet loss {hook} {dev} eth0 numgen "
                  f"random mod 100 < {percent} drop"]))


@pytest.mark.parametrize("mtu", [65520, 1500])
def test_lossy_link(topo, guest, tool, wdir, servers, mtu):
    """5% loss and 10% reordering (netem) on the guest's side, or where the
    kernel has no netem, 5% loss both ways (nftables): 20 MB each way
    still arrive intact, and the flow goes away. With 64 KiB frames, and
    with 1500-byte ones (14,000 frames each way)."""
    ok, why = netem_available()
    if not ok and not shutil.which("nft"):
        pytest.skip(f"no netem qdisc (sch_netem) in this kernel ({why}), "
                    "and no nft for a fallback")
    n = 20 * 1000 * 1000
    port = free_port()
    start_server(servers, topo.up, tool, "serve", UP4, port, n, 1, 0,
                 wdir=wdir)
    g = guest("--no-map-gw", "-m", str(mtu))
    if ok:
        sh(g.cmd(["tc", "qdisc", "add", "dev", "eth0", "root", "netem",
                  "loss", "5%", "reorder", "10%", "delay", "1ms"]))
    else:
        nft_loss(g, 5)
    rc, res = g.run([PY, tool, "client", UP4, port, n, n], timeout=150)
    assert rc == 0 and res["ok"], res
    g.wait_no_flows(timeout=30)


# Half-close, resets

def test_half_close(topo, guest, tool, wdir, servers):
    """Each side shuts down writing first in turn: the other still sends,
    and both see EOF."""
    g = guest("--no-map-gw")
    port = free_port()
    s = start_server(servers, topo.up, tool, "half_server", UP4, port,
                     wdir=wdir)
    rc, res = g.run([PY, tool, "half_client", UP4, port])
    assert res == {"data": "got 1000", "how": "eof"}, res
    assert s.result() == {"got": 1000, "how": "eof", "after": "eof"}

    s = start_server(servers, topo.up, tool, "first_server", UP4, port + 1,
                     wdir=wdir)
    rc, res = g.run([PY, tool, "first_client", UP4, port + 1])
    assert res == {"data": "hello", "how": "eof"}, res
    assert s.result() == {"got": 2000, "how": "eof"}
    g.wait_no_flows()


def test_reset_both_ways(topo, guest, tool, wdir, servers):
    """A RST from either side reaches the other as a reset."""
    g = guest("--no-map-gw")
    port = free_port()
    s = start_server(servers, topo.up, tool, "wait_reset_server", UP4,
                     port, wdir=wdir)
    g.run([PY, tool, "reset_client", UP4, port])
    assert s.result() == {"got": 1, "how": "reset"}

    s = start_server(servers, topo.up, tool, "reset_server", UP4, port + 1,
                     wdir=wdir)
    rc, res = g.run([PY, tool, "wait_reset_client", UP4, port + 1])
    assert res == {"got": 0, "how": "reset"}, (res, g.tail())
    s.result()
    g.wait_no_flows()


def test_keepalive(topo, guest, tool, wdir, servers):
    """The guest's keepalive probes are answered: an idle connection with
    a 1 s keepalive, given up after 2 missed probes, lives on."""
    g = guest("--no-map-gw")
    port = free_port()
    start_server(servers, topo.up, tool, "echo", UP4, port, wdir=wdir)
    rc, res = g.run([PY, tool, "keepalive", UP4, port, 4])
    assert res == {"data": "ping", "how": "eof"}, (res, g.tail())
    g.wait_no_flows()


def test_refused_and_timeout(topo, guest, tool):
    """A closed port is refused at once; a host that never answers times
    out (pasta's SYN timeout, 10 s), and no flow is left behind."""
    g = guest("--no-map-gw")
    rc, res = g.run([PY, tool, "connect", UP4, free_port()])
    assert res["result"] == "refused" and res["secs"] < 1, res
    rc, res = g.run([PY, tool, "connect", UP6, free_port()])
    assert res["result"] == "refused" and res["secs"] < 1, res

    # Routed to ns "up", which doesn't forward: dropped without a word
    rc, res = g.run([PY, tool, "connect", "198.51.100.1", 80], timeout=40)
    assert res["result"] == "refused", res
    assert 8 < res["secs"] < 15, res
    assert "connect() timed out" in g.d.log()
    g.wait_no_flows()


# passt with a qemu guest

@pytest.mark.qemu
def test_qemu_transfers(topo, passt_bin, wdir, daemons, tool, servers):
    """busybox nc in a qemu guest: a few MB each way, as client and as
    server (-t), checked with sha256sum."""
    from guest import Guest as QemuGuest
    from guest import GuestUnavailable, build_guest
    import hashlib

    try:
        kernel, initrd = build_guest()
    except GuestUnavailable as e:
        pytest.skip(f"no qemu guest: {e}")

    n = 3 * 1000 * 1000
    port, inport = free_port(), free_port() + 1
    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(topo.cmd([passt_bin, "-f", "-d", "--no-map-gw", "-s", sock,
                         "-t", f"{inport}"]),
               os.path.join(wdir, "passt.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(sock) or not d.alive(),
             what="passt socket")
    assert d.alive(), d.log()

    srv_sha = hashlib.sha256()
    for c in _tool_chunks("srv", n):
        srv_sha.update(c)
    cli_sha = hashlib.sha256()
    for c in _tool_chunks("cli", n):
        cli_sha.update(c)

    # The server in ns "up" checks the guest's bytes against stream "cli":
    # the guest gets that stream from the host first, through -t
    s = start_server(servers, topo.up, tool, "serve", UP4, port, n, 1, 0,
                     wdir=wdir)
    with QemuGuest(sock, kernel=kernel, initrd=initrd) as vm:
        vm.wait_booted()
        vm.check(f"ip addr add {HOST4}/24 dev eth0 && "
                 f"ip route add default via {UP4}")

        # Inbound: the guest listens, a client in ns "up" sends "cli"
        # (checked by sha256sum in the guest) and gets "srv"-like data
        # back: the guest sends what it received, checked by the client
        vm.check("printf '#!/bin/sh\\ncat > /tmp/in; cat /tmp/in\\n' "
                 "> /tmp/srv.sh && chmod +x /tmp/srv.sh")
        vm.check(f"(nc -l -p {inport} -e /tmp/srv.sh &) ; sleep 1")
        r = sh(in_ns(topo.up, [PY, "-c", _ECHO_CLIENT, HOST4, str(inport),
                               str(n)]), check=False, timeout=240)
        assert r.stdout.strip() == cli_sha.hexdigest(), (r.stdout, r.stderr,
                                                         d.log()[-3000:])
        out = vm.check("sha256sum /tmp/in", timeout=60)
        assert out.split()[0] == cli_sha.hexdigest(), out
        # The guest reads slower than the host sends (TCG): qemu's socket
        # fills up. passt must then wait for room and go on from where the
        # guest's stream stopped: segments lost in the middle would reach
        # the guest out of order, and cost it retransmissions
        ofo = guest_tcp_ext(vm)["TCPOFOQueue"]
        assert ofo == 0, f"{ofo} segments out of order in the guest"

        # Outbound: the guest sends what it got ("cli") to the server in
        # ns "up", which checks it and sends "srv" back, then a trailer
        vm.check(f"nc {UP4} {port} < /tmp/in > /tmp/out", timeout=240)
        out = vm.check(f"head -c {n} /tmp/out | sha256sum; "
                       f"tail -c +{n + 1} /tmp/out", timeout=60)
        sha, trailer = out.split("\n", 1)
        assert sha.split()[0] == srv_sha.hexdigest(), out
        assert json.loads(trailer) == {"len": n, "bad": None}, out
        s.result()

    wait_for(lambda: (flow_counts(d.log()) or [0])[-1] == 0, timeout=10,
             what="TCP flows back to zero")


def guest_tcp_ext(vm):
    """The qemu guest's TcpExt counters, from /proc/net/netstat."""
    rows = [line.split() for line in vm.check("cat /proc/net/netstat")
            .splitlines() if line.startswith("TcpExt:")]
    return dict(zip(rows[0][1:], map(int, rows[1][1:])))


_ECHO_CLIENT = r'''
import hashlib, random, socket, sys, threading
a, p, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection((a, p), timeout=120)
BLOCK = 1048583
b = random.Random("cli").randbytes(BLOCK) * 2
h = hashlib.sha256()
def rd():
    while True:
        d = s.recv(1 << 16)
        if not d:
            break
        h.update(d)
t = threading.Thread(target=rd)
t.start()
off = 0
while off < n:
    k = min(1 << 18, n - off)
    s.sendall(b[off % BLOCK:off % BLOCK + k])
    off += k
s.shutdown(socket.SHUT_WR)
t.join()
print(h.hexdigest())
'''


def _tool_chunks(seed, n):
    """The tool's stream for a seed, in this process."""
    import random
    block = 1048583
    b = random.Random(seed).randbytes(block) * 2
    off = 0
    while off < n:
        k = min(1 << 18, n - off)
        yield b[off % block:off % block + k]
        off += k
