# SPDX-License-Identifier: GPL-2.0-or-later
"""passt: the qemu stream socket, driven by a guest written in Python.

    ns "up" <--veth--> ns "host": passt runs here
                                  |  UNIX socket, qemu stream framing:
                                  |  [32-bit big-endian length][frame]...
                                  v
                       this test, playing qemu: crafted frames (scapy)

A real qemu guest is in test_qemu.py; here we control every byte, to check
framing, reassembly, one guest at a time, reconnection and hostile input.
"""

import os
import random
import select
import socket
import struct
import subprocess
import time

import pytest

from conftest import (HOST4, OUR_MAC, UP4, Daemon, pid_alive, sh, stop_pid,
                      wait_for)

scapy = pytest.importorskip("scapy.all")

GUEST_MAC = "02:00:00:00:00:01"


def arp_request(target, sender=HOST4):
    return bytes(scapy.Ether(src=GUEST_MAC, dst="ff:ff:ff:ff:ff:ff") /
                 scapy.ARP(op=1, hwsrc=GUEST_MAC, psrc=sender,
                           pdst=target))


def frame(b):
    return struct.pack("!I", len(b)) + b


class Guest:
    """One connection to passt's socket, speaking qemu's stream framing."""

    def __init__(self, path=None, sock=None):
        if sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
        self.s = sock
        self.s.settimeout(5)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def recv_frame(self, timeout=5):
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 4:
                (n,) = struct.unpack("!I", self.buf[:4])
                if len(self.buf) >= 4 + n:
                    f, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    return f
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no frame from passt")
            self.s.settimeout(left)
            data = self.s.recv(65536)
            if not data:
                raise EOFError("passt closed the connection")
            self.buf += data

    def arp(self, target, timeout=5):
        """Ask for target's MAC, return the ARP reply (skipping others)."""
        self.send(frame(arp_request(target)))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            f = scapy.Ether(self.recv_frame(deadline - time.monotonic()))
            if scapy.ARP in f and f[scapy.ARP].op == 2:
                return f
        raise TimeoutError("no ARP reply")

    def closed_by_peer(self, timeout=5):
        """True if passt closes (or resets) this connection in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.s], [], [], 0.1)
            if r:
                try:
                    if not self.s.recv(65536):
                        return True
                except ConnectionResetError:
                    return True
        return False

    def close(self):
        self.s.close()


def check_arp_reply(f, target, our_mac=OUR_MAC):
    assert f.src == our_mac
    assert f.dst == GUEST_MAC
    a = f[scapy.ARP]
    assert a.hwsrc == our_mac and a.psrc == target
    assert a.hwdst == GUEST_MAC and a.pdst == HOST4


@pytest.fixture
def passt(topo, passt_bin, wdir, daemons, request):
    """Start passt in the host namespace, return (daemon, socket path)."""
    def start(*extra, user=None, sock=True):
        path = os.path.join(wdir, "passt.socket")
        argv = [passt_bin, "-f", "-d"]
        if sock:
            argv += ["-s", path]
        d = Daemon(topo.cmd(argv + list(extra), user=user),
                   os.path.join(wdir, f"passt{len(daemons)}.log"))
        daemons.append(d)
        d.start()
        if sock:
            wait_for(lambda: os.path.exists(path) or not d.alive(),
                     what="passt socket")
            assert d.alive(), d.log()
        return d, path
    return start


def test_arp(passt, as_user):
    d, path = passt(user=as_user)
    g = Guest(path)
    for target in (UP4, "192.0.2.200", "203.0.113.9"):
        check_arp_reply(g.arp(target), target)
    assert d.alive()


def test_no_reply_for_own_address(passt):
    """A duplicate address probe (RFC 5227) for the guest's own address
    must not be answered; the next request still is."""
    d, path = passt()
    g = Guest(path)
    g.send(frame(arp_request(HOST4, sender="0.0.0.0")))
    check_arp_reply(g.arp(UP4), UP4)


def test_split_frames_reassembled(passt):
    """A frame delivered a few bytes at a time, the length prefix itself
    split, and many frames in one write, are all handled."""
    d, path = passt()
    g = Guest(path)
    data = frame(arp_request(UP4))
    for i in range(len(data)):
        g.send(data[i:i + 1])
        time.sleep(0.002)
    check_arp_reply(scapy.Ether(g.recv_frame()), UP4)

    g.send(b"".join(frame(arp_request(f"192.0.2.{i}")) for i in range(3, 53)))
    got = {scapy.Ether(g.recv_frame())[scapy.ARP].psrc for _ in range(50)}
    assert got == {f"192.0.2.{i}" for i in range(3, 53)}


def test_second_guest_refused_then_next_accepted(passt):
    d, path = passt()
    first = Guest(path)
    check_arp_reply(first.arp(UP4), UP4)

    second = Guest(path)
    assert second.closed_by_peer(), "a second guest must be refused"
    check_arp_reply(first.arp(UP4), UP4)

    first.close()
    third = wait_for(lambda: _connect_and_arp(path), timeout=5,
                     what="next guest to be served")
    check_arp_reply(third, UP4)
    assert d.alive()


def _connect_and_arp(path):
    try:
        return Guest(path).arp(UP4, timeout=1)
    except (EOFError, TimeoutError, ConnectionError):
        return None


def test_one_off_exits(passt):
    d, path = passt("--one-off")
    g = Guest(path)
    check_arp_reply(g.arp(UP4), UP4)
    g.close()
    wait_for(lambda: d.proc.poll() is not None, what="passt to exit")
    assert d.proc.returncode == 0


def test_one_off_survives_probe(passt):
    """Another passt looking for a free /tmp/passt_N.socket connects and
    closes at once to see whether the path is stale: that is no guest, and
    doesn't end a --one-off passt. A guest connecting right after one is
    served, and ends it."""
    d, path = passt("--one-off")
    for _ in range(3):
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        probe.connect(path)
        probe.close()
    g = Guest(path)
    check_arp_reply(g.arp(UP4), UP4)
    assert d.alive(), d.log()
    g.close()
    wait_for(lambda: d.proc.poll() is not None, what="passt to exit")
    assert d.proc.returncode == 0


def test_fd_given(topo, passt_bin, wdir, daemons):
    """-F FD: an already connected socket, as qemu's -netdev passt hands
    over. The guest closing it ends passt (implied --one-off)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    os.set_inheritable(theirs.fileno(), True)
    fd = theirs.fileno()
    logf = open(os.path.join(wdir, "passt.log"), "w")
    p = subprocess.Popen(topo.cmd([passt_bin, "-f", "-F", str(fd)]),
                         pass_fds=[fd], stdout=logf, stderr=logf)
    theirs.close()
    try:
        g = Guest(sock=ours)
        check_arp_reply(g.arp(UP4), UP4)
        g.close()
        assert p.wait(timeout=5) == 0
    finally:
        stop_pid(p.pid)
        logf.close()


def test_default_socket_path(passt):
    """Without -s, passt picks /tmp/passt_N.socket and says so, with the
    qemu command line to use."""
    d, _ = passt(sock=False)
    wait_for(lambda: "addr.path=" in d.log(), what="socket path in log")
    path = d.log().split("addr.path=")[1].split()[0]
    assert path.startswith("/tmp/passt_") and path.endswith(".socket")
    try:
        check_arp_reply(Guest(path).arp(UP4), UP4)
    finally:
        d.stop()
        if os.path.exists(path):
            os.unlink(path)


def test_default_socket_path_race(passt):
    """Daemons started together without -s each get a path of their own,
    and a path exists only once its daemon listens: connecting as soon as
    it appears works, and nobody takes over another's path as stale."""
    ds = [passt(sock=False)[0] for _ in range(4)]
    paths = []
    try:
        for d in ds:
            wait_for(lambda: "addr.path=" in d.log(), what="socket path")
            paths.append(d.log().split("addr.path=")[1].split()[0])
        assert len(set(paths)) == len(paths), paths
        for path in paths:
            check_arp_reply(Guest(path).arp(UP4), UP4)
        assert not [p for p in os.listdir("/tmp")
                    if any(p.startswith(os.path.basename(x) + ".")
                           for x in paths)], "temporary names left"
    finally:
        for d in ds:
            d.stop()
        for path in paths:
            if os.path.exists(path):
                os.unlink(path)


BAD_STREAMS = {
    "length 0": struct.pack("!I", 0),
    "length 2^31": struct.pack("!I", 1 << 31) + b"x" * 64,
    "length 13": struct.pack("!I", 13) + b"x" * 13,
    "length 65536": struct.pack("!I", 65536) + b"x" * 64,
    "random": None,
}


@pytest.mark.parametrize("kind", list(BAD_STREAMS))
def test_garbage_stream(passt, as_user, kind):
    """A stream that isn't framed right is reset; passt stays up and the
    next guest is served."""
    d, path = passt(user=as_user)
    seed = random.randrange(1 << 30)
    data = BAD_STREAMS[kind]
    if data is None:
        rnd = random.Random(seed)
        # Random bytes whose first word is certainly a bad length
        data = b"\xff" + bytes(rnd.randrange(256) for _ in range(4095))
    g = Guest(path)
    g.send(data)
    assert g.closed_by_peer(), f"seed {seed}: bad stream not reset"
    g.close()
    g = wait_for(lambda: _connect_and_arp(path), what="ARP after reset")
    check_arp_reply(g, UP4)
    assert d.alive()


def test_truncated_frames_dropped(passt):
    """Well-framed but truncated or meaningless frames are dropped; the
    connection stays and ARP is still answered on it."""
    d, path = passt()
    g = Guest(path)
    good = arp_request(UP4)
    rnd = random.Random(1)
    junk = []
    for n in range(14, len(good)):
        junk.append(frame(good[:n]))          # ARP cut short
    for et in (b"\x08\x00", b"\x86\xdd", b"\x88\xcc", b"\x81\x00"):
        junk.append(frame(good[:12] + et + b"\x45"))
    for _ in range(500):
        junk.append(frame(bytes(rnd.randrange(256)
                                for _ in range(rnd.randint(14, 200)))))
    g.send(b"".join(junk))
    check_arp_reply(g.arp(UP4), UP4)
    assert d.alive()
    assert "ASSERT" not in d.log()


def test_daemonize_pid_file_libvirt(topo, passt_bin, wdir, daemons):
    """libvirt's command line: passt daemonizes once the PID file is
    written; the socket is ready by then. --mac-addr is our address."""
    our_mac = "9a:55:00:00:00:07"
    sock = os.path.join(wdir, "libvirt.socket")
    pidfile = os.path.join(wdir, "passt.pid")
    argv = [passt_bin, "--one-off", "--socket", sock, "--pid", pidfile,
            "--mtu", "1500", "--interface", "eth0",
            "--address", HOST4, "--netmask", "24",
            "--tcp-ports", "2222:22", "--udp-ports", "5353",
            "--mac-addr", our_mac]
    d = Daemon(topo.cmd(argv), os.path.join(wdir, "log"), pidfile)
    daemons.append(d)
    d.start(foreground=False)
    assert pid_alive(d.pid)
    check_arp_reply(Guest(sock).arp(UP4), UP4, our_mac)
