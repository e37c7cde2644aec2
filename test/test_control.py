# SPDX-License-Identifier: GPL-2.0-or-later
"""Runtime control socket (--control) and its client, passt-ctl.

    +---------- ns "up" ----------+     +----------- ns "host" -------------+
    | 192.0.2.1    2001:db8::1    |<--->| 192.0.2.2   2001:db8::2           |
    | clients of the forwarded    |     | pasta / passt, --control SOCK     |
    | ports (CLIENT)              |     | (SOCK in the test's directory:    |
    +-----------------------------+     |  the socket is a path, any netns) |
                                        +-----------------|-----------------+
                                                          | tap / UNIX socket
                                        +-----------------v-----------------+
                                        | pasta: the command it spawns,     |
                                        | GUEST: TCP and UDP echo servers;  |
                                        | passt: a Python "guest" (scapy)   |
                                        +-----------------------------------+

Nothing is forwarded at start: the tests add TCP and UDP forwards with
passt-ctl, move data through them (every byte compared), compare the
daemon's counters with what they moved, remove a forward and see the port
refused, and abuse the control socket (malformed JSON, a 1 MB line, a
client that never reads, a client that only connects) while a transfer
runs, which must complete intact.
"""

import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import HOST4, HOST6, REPO, Daemon, sh, stop_pid, wait_for

PY = sys.executable
TPORT, TPORT_GUEST = 8080, 80
UPORT = 9090

GUEST = textwrap.dedent("""\
    import os, signal, socket, sys, threading, time
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    tport, uport, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    t = socket.socket(socket.AF_INET6)
    t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("::", tport))
    t.listen(16)
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    u.bind(("::", uport))

    def echo(c):
        with c:
            while True:
                d = c.recv(1 << 16)
                if not d:
                    break
                c.sendall(d)

    def tcp():
        while True:
            c, _ = t.accept()
            threading.Thread(target=echo, args=(c,), daemon=True).start()

    def udp():
        while True:
            d, a = u.recvfrom(65536)
            u.sendto(d, a)

    threading.Thread(target=tcp, daemon=True).start()
    threading.Thread(target=udp, daemon=True).start()
    open(ready, "w").close()
    time.sleep(float(sys.argv[4]))
    """)

CLIENT = textwrap.dedent("""\
    import json, random, socket, sys, threading
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    if mode == "tcp":
        n = int(sys.argv[4])
        data = random.Random(n).randbytes(n)
        s = socket.socket(fam)
        s.settimeout(60)
        try:
            s.connect((host, port))
        except ConnectionRefusedError:
            print(json.dumps({"refused": True}))
            sys.exit(0)
        got = bytearray()

        def rd():
            while True:
                d = s.recv(1 << 16)
                if not d:
                    break
                got.extend(d)

        r = threading.Thread(target=rd)
        r.start()
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        r.join(90)
        print(json.dumps({"refused": False, "sent": n, "got": len(got),
                          "intact": bytes(got) == data}))
    else:
        count, size = int(sys.argv[4]), int(sys.argv[5])
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.connect((host, port))
        s.settimeout(1)
        echoed = sent = 0
        for i in range(count):
            d = random.Random(i).randbytes(size)
            for _ in range(5):
                s.send(d)
                sent += 1
                try:
                    if s.recv(65536) == d:
                        echoed += 1
                        break
                except (socket.timeout, ConnectionRefusedError):
                    pass
        print(json.dumps({"sent": sent, "echoed": echoed}))
    """)


@pytest.fixture(scope="session")
def ctl_bin(bin_dir):
    """passt-ctl, next to the daemon's world-readable copy."""
    src = os.path.join(REPO, "passt-ctl")
    if not os.path.exists(src):
        pytest.fail(f"{src} not built: run make first")
    dst = bin_dir / "passt-ctl"
    if not dst.exists():
        shutil.copy2(src, dst)
        os.chmod(dst, 0o755)
    return str(dst)


def script(wdir, name, text):
    path = os.path.join(wdir, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


def ctl(topo, ctl_bin, sock, *args, user=None, ok=True):
    """Run passt-ctl (as user), return the replies, parsed."""
    argv = [ctl_bin, sock] + list(args)
    if user:
        argv = topo.cmd(argv, user=user)
    r = sh(argv, check=False, timeout=30)
    replies = [json.loads(line) for line in r.stdout.splitlines()]
    assert replies, r.stderr
    if ok:
        assert r.returncode == 0 and replies[-1]["ok"], replies
    else:
        assert r.returncode == 1 and not replies[-1]["ok"], replies
    return replies if len(replies) > 1 else replies[0]


def request(sock, line, timeout=10):
    """One raw request line (bytes) on a new connection, the reply parsed."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock)
    try:
        s.sendall(line)
        buf = b""
        while b"\n" not in buf:
            d = s.recv(65536)
            if not d:
                break
            buf += d
    finally:
        s.close()
    return json.loads(buf.split(b"\n")[0])


def client(topo, wdir, *args, timeout=120):
    cli = script(wdir, "client.py", CLIENT)
    r = sh(["ip", "netns", "exec", topo.up, PY, cli] + [str(a) for a in args],
           timeout=timeout)
    return json.loads(r.stdout)


@pytest.fixture
def pasta_ctl(topo, pasta_bin, wdir, daemons, as_user):
    """pasta spawning GUEST, nothing forwarded, a control socket."""
    sock = os.path.join(wdir, "control.sock")
    ready = os.path.join(wdir, "ready")
    guest = script(wdir, "guest.py", GUEST)
    d = Daemon(topo.cmd([pasta_bin, "--config-net", "-d", "--control", sock,
                         "-t", "none", "-u", "none", "-T", "none", "--", PY, guest, str(TPORT_GUEST), str(UPORT),
                         ready, "300"], user=as_user),
               os.path.join(wdir, "pasta.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: (os.path.exists(ready) and os.path.exists(sock))
             or not d.alive(), timeout=20, what="guest servers")
    assert d.alive(), d.log()
    return topo, sock, d, as_user


def test_socket_mode_owner(pasta_ctl):
    """The socket is the invoking user's, mode 0600."""
    topo, sock, d, user = pasta_ctl
    st = os.stat(sock)
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o600
    assert st.st_uid == (pwd.getpwnam(user).pw_uid if user else 0)


def test_forward_tcp_udp_runtime(pasta_ctl, ctl_bin, wdir):
    """Add a TCP and a UDP forward at run time, use them, check the
    counters, remove the TCP one: refused again."""
    topo, sock, d, user = pasta_ctl

    assert client(topo, wdir, "tcp", HOST4, TPORT, 1000)["refused"]

    r = ctl(topo, ctl_bin, sock, "add", "tcp", f"{TPORT}:{TPORT_GUEST}",
            user=user)
    assert r["ports"] == 1
    ctl(topo, ctl_bin, sock, "add", "udp", str(UPORT), user=user)
    fw = ctl(topo, ctl_bin, sock, "list", user=user)["forwards"]
    assert {"proto": "tcp", "dir": "in", "port": str(TPORT),
            "to": str(TPORT_GUEST)} in fw
    assert {"proto": "udp", "dir": "in", "port": str(UPORT),
            "to": str(UPORT)} in fw

    # TCP: bytes both ways, every one compared; the counters of frames to
    # and from the guest grow by the payload plus per-frame headers
    n = 3 * 1000 * 1000
    before = ctl(topo, ctl_bin, sock, "stats", user=user)
    r = client(topo, wdir, "tcp", HOST4, TPORT, n)
    assert r == {"refused": False, "sent": n, "got": n, "intact": True}
    for v6, host in ((True, HOST6),):
        r = client(topo, wdir, "tcp", host, TPORT, 100000)
        assert r["intact"], r
    after = ctl(topo, ctl_bin, sock, "stats", user=user)
    moved = n + 100000
    t0, t1 = before["proto"]["tcp"], after["proto"]["tcp"]
    for way in ("in", "out"):
        frames = t1[f"frames_{way}"] - t0[f"frames_{way}"]
        nbytes = t1[f"bytes_{way}"] - t0[f"bytes_{way}"]
        # Ethernet 14, IPv6 40, TCP 20 + options 12 at most per frame
        assert moved <= nbytes <= moved + frames * (14 + 40 + 32), \
            (way, moved, nbytes, frames)
    assert after["tap"]["bytes_out"] - before["tap"]["bytes_out"] >= moved

    # UDP: exact, Ethernet + IPv4 + UDP headers per datagram
    before = after
    r = client(topo, wdir, "udp", HOST4, UPORT, 20, 1000)
    assert r["echoed"] == 20, r
    after = ctl(topo, ctl_bin, sock, "stats", user=user)
    u0, u1 = before["proto"]["udp"], after["proto"]["udp"]
    assert u1["frames_out"] - u0["frames_out"] == r["sent"]
    assert u1["bytes_out"] - u0["bytes_out"] == r["sent"] * (1000 + 42)
    assert u1["bytes_in"] - u0["bytes_in"] >= 20 * (1000 + 42)
    assert after["flows"]["udp"] >= 1

    # The flow list has the UDP flow, inbound, with its addresses
    flows = ctl(topo, ctl_bin, sock, "flows", user=user)
    flows = flows if isinstance(flows, list) else [flows]
    entries = [f for page in flows for f in page["flows"]]
    udp = [f for f in entries if f["type"] == "udp" and
           f["state"] == "inbound" and f["gport"] == UPORT and
           f["peer"] == "192.0.2.1"]
    assert len(udp) == 1, entries
    assert udp[0]["bytes_in"] >= 20 * 1000, udp
    assert udp[0]["bytes_out"] == r["sent"] * 1000, udp
    assert flows[-1]["next"] is None

    # A TCP flow held open: its bytes, as its host socket counts them
    held = subprocess.Popen(
        ["ip", "netns", "exec", topo.up, PY, "-c",
         "import socket, sys\n"
         f"s = socket.create_connection(('{HOST4}', {TPORT}), 10)\n"
         "s.sendall(b'x' * 5000)\n"
         "n = 0\n"
         "while n < 5000:\n"
         "    n += len(s.recv(65536))\n"
         "print('echoed', flush=True)\n"
         "sys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert held.stdout.readline().strip() == "echoed"

        def tcp_flow():
            page = ctl(topo, ctl_bin, sock, "flows", user=user)
            for f in page["flows"]:
                if (f["type"] == "tcp" and f["gport"] == TPORT_GUEST and
                        f["state"] == "ESTABLISHED" and
                        f["bytes_in"] >= 5000 and f["bytes_out"] >= 5000):
                    return f
            return None
        f = wait_for(tcp_flow, what="TCP flow with its bytes")
        assert f["proto"] == "tcp" and f["peer"] == "192.0.2.1", f
    finally:
        held.stdin.close()
        held.wait(timeout=10)

    r = ctl(topo, ctl_bin, sock, "remove", "tcp", str(TPORT), user=user)
    assert r["ports"] == 1
    assert client(topo, wdir, "tcp", HOST4, TPORT, 1000)["refused"]
    # UDP still there
    assert client(topo, wdir, "udp", HOST4, UPORT, 2, 100)["echoed"] == 2

    # Added again: works again
    ctl(topo, ctl_bin, sock, "add", "tcp", f"{TPORT}:{TPORT_GUEST}",
        user=user)
    r = client(topo, wdir, "tcp", HOST4, TPORT, 10000)
    assert r["intact"], r
    assert d.alive()


def test_forward_splice(pasta_ctl, ctl_bin, wdir):
    """A forward added at run time is spliced for the host's own loopback
    clients, as one from the command line is."""
    topo, sock, d, user = pasta_ctl
    ctl(topo, ctl_bin, sock, "add", "tcp", f"{TPORT}:{TPORT_GUEST}",
        user=user)
    cli = script(wdir, "client.py", CLIENT)
    n = 2 * 1000 * 1000
    before = ctl(topo, ctl_bin, sock, "stats", user=user)
    r = sh(topo.cmd([PY, cli, "tcp", "127.0.0.1", str(TPORT), str(n)]),
           timeout=120)
    assert json.loads(r.stdout) == {"refused": False, "sent": n, "got": n,
                                    "intact": True}
    after = ctl(topo, ctl_bin, sock, "stats", user=user)
    # Spliced: no frames carried it
    assert (after["proto"]["tcp"]["bytes_out"] -
            before["proto"]["tcp"]["bytes_out"]) < n // 10
    ctl(topo, ctl_bin, sock, "remove", "tcp", str(TPORT), user=user)
    r = sh(topo.cmd([PY, cli, "tcp", "127.0.0.1", str(TPORT), "10"]))
    assert json.loads(r.stdout)["refused"]


def guest_pid(d):
    """PID of the command pasta spawned (GUEST): its only child."""
    def child():
        try:
            with open(f"/proc/{d.pid}/task/{d.pid}/children") as f:
                kids = f.read().split()
        except OSError:
            return None
        return kids[0] if kids else None
    return wait_for(child, what="pasta's child")


def test_forward_out_runtime(pasta_ctl, ctl_bin, wdir):
    """An "out" forward (like -T) added at run time: the namespace's
    loopback port reaches the host's, spliced."""
    topo, sock, d, user = pasta_ctl
    srv = script(wdir, "echo.py", GUEST)
    ready = os.path.join(wdir, "ready-host")
    server = subprocess.Popen(topo.cmd([PY, srv, "7300", "7301", ready,
                                        "120"]))
    try:
        wait_for(lambda: os.path.exists(ready), what="host echo server")
        ctl(topo, ctl_bin, sock, "add", "tcp", "out", "7200:7300",
            user=user)
        cli = script(wdir, "client.py", CLIENT)
        ns = ["nsenter", "--target", guest_pid(d), "--user", "--net",
              "--preserve-credentials"]
        r = sh(ns + [PY, cli, "tcp", "127.0.0.1", "7200", "300000"],
               timeout=60)
        assert json.loads(r.stdout)["intact"], r.stdout
        ctl(topo, ctl_bin, sock, "remove", "tcp", "out", "7200", user=user)
        r = sh(ns + [PY, cli, "tcp", "127.0.0.1", "7200", "10"])
        assert json.loads(r.stdout)["refused"]
    finally:
        server.kill()
        server.wait()


def test_forward_errors(pasta_ctl, ctl_bin):
    """Requests that can't be done are refused, with a reason, and change
    nothing."""
    topo, sock, d, user = pasta_ctl
    ctl(topo, ctl_bin, sock, "add", "tcp", "7000-7002:80-82", user=user)
    bad = [
        (["add", "tcp", "7001"], "already forwarded"),
        (["remove", "tcp", "7005"], "not forwarded"),
        (["add", "tcp", "127.0.0.1/7010"], "bound to"),
        (["add", "tcp", "7010-7011:80-89"], "differs"),
        (["add", "udp", "0"], "port"),
        (["add", "udp", "1-5000"], "at most"),
        (['{"cmd":"add-forward","proto":"sctp","port":1}'], "proto"),
        (['{"cmd":"stats","port":1}'], "unknown member"),
        (['{"cmd":"reboot"}'], "unknown command"),
    ]
    for args, why in bad:
        r = ctl(topo, ctl_bin, sock, *args, user=user, ok=False)
        assert why in r["error"], (args, r)
    fw = ctl(topo, ctl_bin, sock, "list", user=user)["forwards"]
    # -U is "auto" by default: listed as such
    assert {"proto": "udp", "dir": "out", "auto": True} in fw
    fw = [f for f in fw if f["dir"] == "in"]
    assert fw == [{"proto": "tcp", "dir": "in", "port": "7000-7002",
                   "to": "80-82"}], fw
    r = ctl(topo, ctl_bin, sock, "add", "udp", "out", "7000", user=user,
            ok=False)
    assert "auto" in r["error"]
    ctl(topo, ctl_bin, sock, "remove", "tcp", "7000-7002", user=user)
    fw = ctl(topo, ctl_bin, sock, "list", user=user)["forwards"]
    assert [f for f in fw if f["dir"] == "in"] == []


MALFORMED = [
    b"hello\n",
    b"{\n",
    b"[]\n",
    b'{"cmd":"stats",}\n',
    b'{"cmd":"stats"} x\n',
    b'{"cmd":"stats","cmd":"stats"}\n',
    b'{"cmd":"stats","a":{"b":1}}\n',
    b'{"cmd":"st\\u0000ats"}\n',
    b'{"cmd":"stats","n":1.5}\n',
    b'{"cmd":"stats","n":0123}\n',
    b'{"cmd":"\xff"}\n',
    b'{"cmd":' + b'"' + b"a" * 200 + b'"}\n',
    b"{" + b'"k":1,' * 20 + b'"cmd":"stats"}\n',
    b'{"cmd":"stats"\x00}\n',
    b"{}\n",
]


def test_abuse_during_transfer(pasta_ctl, ctl_bin, wdir):
    """Malformed JSON, a 1 MB line, a client that never reads and clients
    that only connect, while a transfer runs: it completes intact, and the
    control socket still answers."""
    topo, sock, d, user = pasta_ctl
    ctl(topo, ctl_bin, sock, "add", "tcp", f"{TPORT}:{TPORT_GUEST}",
        user=user)
    n = 40 * 1000 * 1000
    cli = script(wdir, "client.py", CLIENT)
    xfer = subprocess.Popen(["ip", "netns", "exec", topo.up, PY, cli, "tcp",
                             HOST4, str(TPORT), str(n)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        idle = []
        for _ in range(3):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock)
            idle.append(s)

        for line in MALFORMED:
            r = request(sock, line)
            assert r["ok"] is False and r["error"], (line, r)

        # Pipelined requests, more than one event serves: every one gets
        # its reply, in order
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(sock)
        n_req = 1000
        s.sendall(b"".join(b'{"cmd":"list-forwards"}\n' if i % 2 else
                           b'{"cmd":"nope%d"}\n' % i
                           for i in range(n_req)))
        buf = b""
        while buf.count(b"\n") < n_req:
            got = s.recv(1 << 16)
            assert got, buf.count(b"\n")
            buf += got
        s.close()
        replies = [json.loads(x) for x in buf.split(b"\n")[:n_req]]
        for i, r in enumerate(replies):
            if i % 2:
                assert r["ok"], r
            else:
                assert r["error"] == f"unknown command `nope{i}'", r

        # A 1 MB line: an error, then the connection is closed
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(sock)
        reply = b""
        try:
            s.sendall(b"{" + b" " * (1 << 20) + b"}\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while True:
                got = s.recv(65536)
                if not got:
                    break
                reply += got
        except ConnectionResetError:
            pass
        s.close()
        assert b'"ok":false' in reply and b"longer than" in reply, reply

        # Never reads: requests pile up replies until it's dropped
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(sock)
        s.settimeout(10)
        dropped = False
        deadline = time.monotonic() + 30
        for _ in range(20000):
            try:
                s.sendall(b'{"cmd":"list-forwards"}\n' * 16)
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                dropped = True
                break
            if time.monotonic() > deadline:
                break
        s.close()
        assert dropped

        st = ctl(topo, ctl_bin, sock, "stats", user=user)
        assert st["errors"]["control_clients_dropped"] >= 2

        out, err = xfer.communicate(timeout=120)
    finally:
        if xfer.poll() is None:
            xfer.kill()
            xfer.communicate()
        for s in idle:
            s.close()
    r = json.loads(out)
    assert r == {"refused": False, "sent": n, "got": n, "intact": True}, err
    assert d.alive(), d.log()


def test_passt_mode(topo, passt_bin, ctl_bin, wdir, daemons):
    """passt, started as root (so running as nobody, sandboxed): forwards
    added at run time reach the guest, frames counted; root's socket."""
    from test_udp import StreamGuest, _scapy, udp_frame
    sc = _scapy()
    sock = os.path.join(wdir, "passt.socket")
    csock = os.path.join(wdir, "control.sock")
    d = Daemon(topo.cmd([passt_bin, "-f", "--control", csock, "-s", sock]),
               os.path.join(wdir, "passt.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: (os.path.exists(sock) and os.path.exists(csock))
             or not d.alive(), what="passt sockets")
    assert d.alive(), d.log()
    st = os.stat(csock)
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (0, 0o600)
    g = StreamGuest(sock)
    try:
        ctl(topo, ctl_bin, csock, "add", "udp", f"{UPORT}:{UPORT + 1}")
        ctl(topo, ctl_bin, csock, "add", "tcp", f"{TPORT}:{TPORT_GUEST}")

        # UDP from ns "up" to the host reaches the guest, and its reply
        # goes back to the sender
        cli = script(wdir, "client.py", CLIENT)
        p = subprocess.Popen(["ip", "netns", "exec", topo.up, PY, cli,
                              "udp", HOST4, str(UPORT), "1", "300"],
                             stdout=subprocess.PIPE, text=True)
        f = g.recv_match(lambda f: sc.UDP in f and
                         f[sc.UDP].dport == UPORT + 1, timeout=10)
        payload = bytes(f[sc.UDP].payload)
        assert len(payload) == 300
        g.send(udp_frame(False, f[sc.IP].src, UPORT + 1, f[sc.UDP].sport,
                         payload))
        out, _ = p.communicate(timeout=30)
        assert json.loads(out)["echoed"] == 1

        # TCP: a connection from ns "up" becomes a SYN to the guest
        c = subprocess.Popen(["ip", "netns", "exec", topo.up, PY, "-c",
                              "import socket; s = socket.create_connection("
                              f"('{HOST4}', {TPORT}), 10); s.recv(1)"],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            f = g.recv_match(lambda f: sc.TCP in f and
                             f[sc.TCP].dport == TPORT_GUEST and
                             f[sc.TCP].flags.S, timeout=10)
            assert f[sc.Ether].src == "9a:55:9a:55:9a:55"
        finally:
            c.kill()
            c.wait()

        st = ctl(topo, ctl_bin, csock, "stats")
        assert st["proto"]["udp"]["frames_in"] >= 1
        assert st["proto"]["udp"]["bytes_out"] >= 300 + 42
        assert st["proto"]["tcp"]["frames_out"] >= 1

        ctl(topo, ctl_bin, csock, "remove", "udp", str(UPORT))
        ctl(topo, ctl_bin, csock, "remove", "tcp", str(TPORT))
        assert client(topo, wdir, "tcp", HOST4, TPORT, 10)["refused"]
        assert ctl(topo, ctl_bin, csock, "list")["forwards"] == []
    finally:
        g.s.close()
    assert d.alive(), d.log()


def test_control_path(topo, pasta_bin, wdir, as_user):
    """A socket in use is refused, so is a path that isn't a socket; a
    stale socket (its daemon gone) is taken over."""
    sock = os.path.join(wdir, "control.sock")
    path = os.path.join(wdir, "file")
    with open(path, "w"):
        pass
    os.chmod(path, 0o666)

    def pasta(ctl_path, *cmd):
        return sh(topo.cmd([pasta_bin, "--config-net", "-t", "none",
                            "--control", ctl_path, "--"] + list(cmd),
                           user=as_user), check=False, timeout=60)

    r = pasta(path, "true")
    assert r.returncode == 1 and "not a socket" in r.stderr, r.stderr

    ready = os.path.join(wdir, "ready")
    first = subprocess.Popen(topo.cmd([pasta_bin, "--config-net", "-t",
                                       "none", "--control", sock, "--",
                                       "sh", "-c", f"touch {ready}; "
                                       "sleep 60"], user=as_user))
    try:
        wait_for(lambda: os.path.exists(ready) and os.path.exists(sock),
                 what="first pasta")
        r = pasta(sock, "true")
        assert r.returncode == 1 and "in use" in r.stderr, r.stderr
    finally:
        stop_pid(first.pid)
        first.wait()
    assert os.path.exists(sock)        # left behind: stale
    r = pasta(sock, "true")
    assert r.returncode == 0, r.stderr
