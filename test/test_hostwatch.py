# SPDX-License-Identifier: GPL-2.0-or-later
"""Following the host's network as it changes (hostwatch.c), and local mode.

    ns "up" <--veth--> ns "host": pasta runs here, and the test changes
    203.0.113.1/32 (lo)   |        addresses and routes under it
    TCP echo server       |  tap "eth0"
                          v
               ns "guest": joined by pasta (--config-net)

The echo server in "up" listens on an address of its loopback, reached
through the host's default route, so that it is never the guest's gateway
(which stands for the host's own loopback). See conftest.py for the rest.
"""

import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import (HOST4, HOST6, HOST_IF, PREFIX4, PREFIX6, UP4, UP6,
                      Daemon, pid_alive, pids_with_arg, sh, stop_pid,
                      wait_for)
from test_dns import host_resolv_conf  # noqa: F401 (fixture)

SERVER4 = "203.0.113.1"
PORT = 7777
NEW_UP4, NEW_HOST4 = "198.51.100.1", "198.51.100.2"
NEW_UP6, NEW_HOST6 = "2001:db8:1::1", "2001:db8:1::2"
ALT_GW4 = "192.0.2.3"
LOCAL4, LOCAL_GW4 = "169.254.2.1", "169.254.2.2"
LOCAL6 = "fd00:9a55::1"

ECHO_SERVER = textwrap.dedent("""\
    import socket, sys, threading, time
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(sys.argv[1])))
    s.listen(16)
    s.settimeout(120)
    def serve(c):
        c.settimeout(60)
        try:
            while True:
                b = c.recv(4096)
                if not b:
                    break
                c.sendall(b)
        except OSError:
            pass
        c.close()
    end = time.monotonic() + 120
    while time.monotonic() < end:
        try:
            c, _ = s.accept()
        except OSError:
            break
        threading.Thread(target=serve, args=(c,), daemon=True).start()
    """)

# Connects, echoes "a", then one more line per line read on stdin
ECHO_CLIENT = textwrap.dedent("""\
    import socket, sys
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
    def echo(b):
        s.sendall(b)
        got = b""
        while len(got) < len(b):
            r = s.recv(100)
            if not r:
                break
            got += r
        print("ok" if got == b else "bad %r" % got, flush=True)
    echo(b"a")
    for line in sys.stdin:
        echo(line.strip().encode())
    """)


class Guest:
    """The namespace pasta joins: a process sleeping in new namespaces
    (user and network ones, for an unprivileged pasta)."""

    def __init__(self, topo, user):
        cmd = ["unshare", "-Urn" if user else "-n", "sleep", "120"]
        self.proc = subprocess.Popen(topo.cmd(cmd, user=user))
        wait_for(lambda: os.readlink(f"/proc/{self.proc.pid}/ns/net") !=
                 os.readlink("/proc/self/ns/net") and
                 open(f"/proc/{self.proc.pid}/comm").read().strip() ==
                 "sleep", what="guest namespace")
        self.pid = self.proc.pid

    def cmd(self, args):
        return ["nsenter", "-t", str(self.pid), "-n"] + list(args)

    def addrs(self, family):
        out = sh(self.cmd(["ip", "-j", family, "addr", "show", HOST_IF]))
        info = json.loads(out.stdout)[0].get("addr_info", [])
        return {(a["local"], a["prefixlen"]) for a in info
                if a.get("scope") == "global"}

    def default_gw(self, family):
        out = sh(self.cmd(["ip", "-j", family, "route", "show", "default"]))
        return {r.get("gateway") for r in json.loads(out.stdout or "[]")}

    def stop(self):
        stop_pid(self.pid)
        self.proc.wait(timeout=5)


@pytest.fixture
def guest_factory(topo):
    made = []

    def make(user=None):
        g = Guest(topo, user)
        made.append(g)
        return g
    yield make
    for g in made:
        g.stop()


def start_pasta(topo, pasta_bin, wdir, daemons, guest, user, extra=(),
                view=None):
    """pasta --config-net in the background, in ns "host", joining the
    guest's namespace; with view, seeing the EtcView's /etc."""
    pidfile = os.path.join(wdir, "pasta.pid")
    args = [pasta_bin, "--config-net", "-d", "-P", pidfile,
            "-l", os.path.join(wdir, "pasta.log")]
    args += list(extra)
    if user:
        args += ["--userns", f"/proc/{guest.pid}/ns/user"]
    args += ["--netns", f"/proc/{guest.pid}/ns/net"]
    cmd = topo.cmd(args, user=user)
    if view:
        cmd = view.wrap(cmd)
    d = Daemon(cmd, os.path.join(wdir, "log"), pidfile)
    daemons.append(d)
    d.start(foreground=False)
    return d


@pytest.fixture
def echo_server(topo):
    """TCP echo server in ns "up", on SERVER4, reached through the host's
    default route."""
    u = ["ip", "netns", "exec", topo.up]
    sh(u + ["ip", "addr", "add", f"{SERVER4}/32", "dev", "lo"])
    p = subprocess.Popen(u + [sys.executable, "-c", ECHO_SERVER, str(PORT)])

    def listening():
        r = sh(u + ["ss", "-Htln", f"sport = :{PORT}"], check=False)
        return r.stdout.strip()
    wait_for(listening, what="echo server")
    yield SERVER4
    stop_pid(p.pid)
    p.wait(timeout=5)


def daemon_log(wdir):
    with open(os.path.join(wdir, "pasta.log")) as f:
        return f.read()


def connect_ok(guest, addr=SERVER4, port=PORT):
    """A new TCP connection from the guest, echoing one byte."""
    r = sh(guest.cmd([sys.executable, "-c", ECHO_CLIENT, addr, str(port)]),
           check=False, timeout=20, input="")
    return r.returncode == 0 and r.stdout.split() == ["ok"], r


def hsh(topo, *args):
    return sh(["ip", "netns", "exec", topo.host] + list(args))


def ush(topo, *args):
    return sh(["ip", "netns", "exec", topo.up] + list(args))


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])    # utime + stime


def test_follow_gateway_and_address(topo, pasta_bin, wdir, daemons,
                                    guest_factory, echo_server, as_user):
    """The host's default route moves to another gateway, then the host
    moves to another subnet: the namespace follows, new connections work,
    and a connection open across the gateway change keeps working."""
    g = guest_factory(as_user)
    d = start_pasta(topo, pasta_bin, wdir, daemons, g, as_user)
    assert (HOST4, PREFIX4) in g.addrs("-4")

    ok, r = connect_ok(g)
    assert ok, r

    old = subprocess.Popen(g.cmd([sys.executable, "-c", ECHO_CLIENT,
                                  SERVER4, str(PORT)]),
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True)
    try:
        assert old.stdout.readline().strip() == "ok"

        # 1. Same subnet, another router
        ush(topo, "ip", "addr", "add", f"{ALT_GW4}/{PREFIX4}", "dev", "up0")
        hsh(topo, "ip", "route", "replace", "default", "via", ALT_GW4)
        wait_for(lambda: g.default_gw("-4") == {ALT_GW4}, timeout=10,
                 what="namespace default route via the new gateway")
        ok, r = connect_ok(g)
        assert ok, r
        old.stdin.write("b\n")
        old.stdin.flush()
        assert old.stdout.readline().strip() == "ok", \
            "existing connection broke on a gateway change"
    finally:
        old.stdin.close()
        old.wait(timeout=10)

    # 2. Another subnet, both families: the old addresses go away
    ush(topo, "ip", "addr", "add", f"{NEW_UP4}/24", "dev", "up0")
    ush(topo, "ip", "addr", "add", f"{NEW_UP6}/64", "dev", "up0", "nodad")
    hsh(topo, "ip", "addr", "add", f"{NEW_HOST4}/24", "dev", HOST_IF)
    hsh(topo, "ip", "addr", "add", f"{NEW_HOST6}/64", "dev", HOST_IF,
        "nodad")
    hsh(topo, "ip", "route", "replace", "default", "via", NEW_UP4)
    hsh(topo, "ip", "-6", "route", "replace", "default", "via", NEW_UP6)
    hsh(topo, "ip", "addr", "del", f"{HOST4}/{PREFIX4}", "dev", HOST_IF)
    hsh(topo, "ip", "addr", "del", f"{HOST6}/{PREFIX6}", "dev", HOST_IF)

    wait_for(lambda: g.addrs("-4") == {(NEW_HOST4, 24)}, timeout=10,
             what="namespace IPv4 address to follow")
    wait_for(lambda: (NEW_HOST6, 64) in g.addrs("-6") and
             (HOST6, PREFIX6) not in g.addrs("-6"), timeout=10,
             what="namespace IPv6 address to follow")
    assert g.default_gw("-4") == {NEW_UP4}
    wait_for(lambda: NEW_UP6 in g.default_gw("-6"), timeout=10,
             what="namespace IPv6 default route")

    ok, r = connect_ok(g)
    assert ok, r
    assert d.alive()
    assert "Host network changed" in daemon_log(wdir)


RA_LISTENER = textwrap.dedent("""\
    import socket, sys, time
    kind, addr, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
    want = socket.inet_pton(socket.AF_INET6, addr)
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.settimeout(0.5)
    print("ready", flush=True)
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            b = s.recv(2048)
        except socket.timeout:
            continue
        if not b or b[0] != 134:
            continue
        off = 16
        while off + 2 <= len(b) and b[off + 1]:
            t, l = b[off], b[off + 1] * 8
            if kind == "prefix" and t == 3 and \\
               b[off + 16:off + 24] == want[:8]:
                sys.exit(0)
            if kind == "rdnss" and t == 25 and \\
               want in [b[i:i + 16] for i in range(off + 8, off + l, 16)]:
                sys.exit(0)
            off += l
    sys.exit(1)
    """)


def ra_listener(guest, kind, addr, secs=8):
    """Wait in the guest for a router advertisement carrying a prefix, or
    a resolver (RDNSS): the process exits 0 once it has seen one."""
    p = subprocess.Popen(guest.cmd([sys.executable, "-c", RA_LISTENER, kind,
                                    addr, str(secs)]),
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    return p


def wait_first_ra(guest):
    """Advertisements start once the guest was seen (router solicitations,
    duplicate address detection): wait for the first one to be in."""
    wait_for(lambda: "proto ra" in sh(guest.cmd(["ip", "-6", "route"])
                                      ).stdout,
             timeout=15, what="first router advertisement")
    # Then let the quick initial ones (ndp.h: at most 3, 1.5 s apart) pass:
    # the next periodic one is a minute away or more
    time.sleep(5)


def test_router_advertisement_follows(topo, pasta_bin, wdir, daemons,
                                      guest_factory):
    """A new IPv6 prefix on the host reaches the guest in an unsolicited
    router advertisement right away, not at the next periodic one."""
    g = guest_factory()
    start_pasta(topo, pasta_bin, wdir, daemons, g, None)
    wait_first_ra(g)

    lst = ra_listener(g, "prefix", NEW_HOST6)
    try:
        t0 = time.monotonic()
        ush(topo, "ip", "addr", "add", f"{NEW_UP6}/64", "dev", "up0",
            "nodad")
        hsh(topo, "ip", "addr", "add", f"{NEW_HOST6}/64", "dev", HOST_IF,
            "nodad")
        hsh(topo, "ip", "-6", "route", "replace", "default", "via", NEW_UP6)
        hsh(topo, "ip", "addr", "del", f"{HOST6}/{PREFIX6}", "dev", HOST_IF)
        assert lst.wait(timeout=15) == 0, "no advertisement of the prefix"
        # Periodic ones come every 60 s or more: this one was for us
        assert time.monotonic() - t0 < 8
    finally:
        if lst.poll() is None:
            stop_pid(lst.pid)
        lst.wait(timeout=5)


def slaac_addrs(guest, prefix):
    """Addresses the guest's kernel made up from advertised prefixes
    (SLAAC), in a /64 given by one of its addresses: {addr: addr_info}."""
    out = sh(guest.cmd(["ip", "-j", "-6", "addr", "show", HOST_IF]))
    info = json.loads(out.stdout)[0].get("addr_info", [])
    want = ipaddress.ip_network(f"{prefix}/64", strict=False)
    return {a["local"]: a for a in info
            if a.get("dynamic") and ipaddress.ip_address(a["local"]) in want}


def test_old_prefix_deprecated(topo, pasta_bin, wdir, daemons,
                               guest_factory):
    """The host's IPv6 address moves to another prefix: the guest's address
    in the old one is deprecated at once (no longer picked for new
    connections) and expires within two hours, instead of staying
    preferred forever."""
    g = guest_factory()
    start_pasta(topo, pasta_bin, wdir, daemons, g, None)
    wait_first_ra(g)
    wait_for(lambda: slaac_addrs(g, HOST6), timeout=10,
             what="guest address from the first prefix")
    old = slaac_addrs(g, HOST6)
    assert all(not a.get("deprecated") for a in old.values()), old

    ush(topo, "ip", "addr", "add", f"{NEW_UP6}/64", "dev", "up0", "nodad")
    hsh(topo, "ip", "addr", "add", f"{NEW_HOST6}/64", "dev", HOST_IF,
        "nodad")
    hsh(topo, "ip", "-6", "route", "replace", "default", "via", NEW_UP6)
    hsh(topo, "ip", "addr", "del", f"{HOST6}/{PREFIX6}", "dev", HOST_IF)

    wait_for(lambda: slaac_addrs(g, NEW_HOST6), timeout=15,
             what="guest address from the new prefix")

    def deprecated():
        a = slaac_addrs(g, HOST6)
        return a and all(x.get("deprecated") for x in a.values())
    wait_for(deprecated, timeout=15, what="old address deprecated")
    for a in slaac_addrs(g, HOST6).values():
        assert a["preferred_life_time"] == 0, a
        assert a["valid_life_time"] <= 7200, a
    new = slaac_addrs(g, NEW_HOST6)
    assert all(not a.get("deprecated") for a in new.values()), new


def test_resolv_conf_follows(topo, pasta_bin, wdir, daemons, guest_factory,
                             host_resolv_conf):
    """resolv.conf rewritten in place: the new resolver reaches the guest
    in a router advertisement (RDNSS) right away."""
    host_resolv_conf("nameserver 2001:db8::53\n")
    g = guest_factory()
    start_pasta(topo, pasta_bin, wdir, daemons, g, None, ["--dhcp-dns"])
    wait_first_ra(g)

    lst = ra_listener(g, "rdnss", "2001:db8::54")
    try:
        host_resolv_conf("nameserver 2001:db8::54\nsearch example.org\n")
        assert lst.wait(timeout=15) == 0, "no advertisement of the resolver"
    finally:
        if lst.poll() is None:
            stop_pid(lst.pid)
        lst.wait(timeout=5)
    assert "resolvers or search domains changed" in daemon_log(wdir)


# In a mount namespace of the daemon's own (within the one of ip netns exec):
# the real /etc aside, then the view over /etc
ETC_VIEW_SH = ('mount --bind /etc "$1" && mount --bind "$2" /etc && '
               'shift 2 && exec "$@"')


class EtcView:
    """An /etc for the daemon whose resolv.conf the test may replace, as
    NetworkManager and systemd-resolved do: a directory of the test's,
    where every entry of the real /etc is a symbolic link to it (mounted
    aside), but resolv.conf. Bind-mounted over /etc in a mount namespace of
    the daemon's alone, so that renames in it are renames in /etc there."""

    def __init__(self, wdir):
        self.real = os.path.join(wdir, "etc-real")
        self.path = os.path.join(wdir, "etc")
        for d in (self.real, self.path):
            os.mkdir(d)
            os.chmod(d, 0o755)
        for name in os.listdir("/etc"):
            if name != "resolv.conf":
                os.symlink(os.path.join(self.real, name),
                           os.path.join(self.path, name))
        self.resolv = os.path.join(self.path, "resolv.conf")

    def wrap(self, cmd):
        """Run cmd (from topo.cmd()) with this view of /etc."""
        assert cmd[:3] == ["ip", "netns", "exec"]
        return (cmd[:4] + ["unshare", "-m", "--propagation", "private",
                           "sh", "-c", ETC_VIEW_SH, "sh", self.real,
                           self.path] + cmd[4:])


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)


def replace_file(path, text):
    """Write aside, then rename over: what NetworkManager does."""
    tmp = os.path.join(os.path.dirname(path), ".tmp-" + uuid_tag())
    write_file(tmp, text)
    os.rename(tmp, path)


def uuid_tag():
    return os.urandom(4).hex()


@pytest.fixture
def etc_view(wdir):
    return EtcView(wdir)


def reader_pid(log):
    """PID of the resolv.conf reader, as the daemon logged it (-d): log is
    a function returning the log so far, polled until the PID is there."""
    m = wait_for(lambda: re.search(r"resolv\.conf reader: PID (\d+)",
                                   log()),
                 timeout=5, what="the resolv.conf reader's PID in the log")
    return int(m.group(1))


def expect_rdnss(guest, addr, change):
    """Run change(), then wait for a router advertisement with addr as
    resolver (RDNSS) in the guest."""
    lst = ra_listener(guest, "rdnss", addr)
    try:
        change()
        assert lst.wait(timeout=15) == 0, \
            f"no advertisement of the resolver {addr}"
    finally:
        if lst.poll() is None:
            stop_pid(lst.pid)
        lst.wait(timeout=5)


def test_resolv_conf_replaced(topo, pasta_bin, wdir, daemons, guest_factory,
                              etc_view, as_user):
    """resolv.conf replaced by rename, twice: followed, and the reader's
    command line doesn't look like the daemon's."""
    write_file(etc_view.resolv, "nameserver 2001:db8::53\n")
    g = guest_factory(as_user)
    d = start_pasta(topo, pasta_bin, wdir, daemons, g, as_user,
                    ["--dhcp-dns"], view=etc_view)
    wait_first_ra(g)

    expect_rdnss(g, "2001:db8::54", lambda: replace_file(
        etc_view.resolv, "nameserver 2001:db8::54\nsearch example.org\n"))
    expect_rdnss(g, "2001:db8::55", lambda: replace_file(
        etc_view.resolv, "nameserver 2001:db8::55\n"))
    assert "resolvers or search domains changed" in daemon_log(wdir)

    pid = reader_pid(lambda: daemon_log(wdir))
    assert pid_alive(pid)
    assert pids_with_arg(os.path.join(wdir, "pasta.pid")) == [d.pid]


def test_resolv_conf_symlink(topo, pasta_bin, wdir, daemons, guest_factory,
                             etc_view):
    """resolv.conf is a symbolic link to a file elsewhere, as with
    systemd-resolved: the target replaced by rename is followed; then the
    link itself is replaced by a relative one, to a file in another
    directory, and that file is followed from then on."""
    run = os.path.join(wdir, "run")
    resolve = os.path.join(run, "resolve")
    nm = os.path.join(etc_view.path, "nm")
    for d in (run, resolve, nm):
        os.mkdir(d)
        os.chmod(d, 0o755)
    stub = os.path.join(resolve, "stub-resolv.conf")
    write_file(stub, "nameserver 2001:db8::53\n")
    os.symlink(stub, etc_view.resolv)

    g = guest_factory()
    start_pasta(topo, pasta_bin, wdir, daemons, g, None, ["--dhcp-dns"],
                view=etc_view)
    wait_first_ra(g)

    expect_rdnss(g, "2001:db8::54", lambda: replace_file(
        stub, "nameserver 2001:db8::54\n"))

    def relink():
        write_file(os.path.join(nm, "resolv.conf"),
                   "nameserver 2001:db8::55\n")
        tmp = etc_view.resolv + ".new"
        os.symlink("nm/resolv.conf", tmp)
        os.rename(tmp, etc_view.resolv)
    expect_rdnss(g, "2001:db8::55", relink)

    # The new target, replaced: its directory is watched now
    expect_rdnss(g, "2001:db8::56", lambda: replace_file(
        os.path.join(nm, "resolv.conf"), "nameserver 2001:db8::56\n"))


def test_resolv_conf_dir_later(topo, pasta_bin, wdir, daemons,
                               guest_factory, etc_view):
    """resolv.conf is a symbolic link into a directory that doesn't exist
    yet (the resolver isn't up): once it does, with the file, followed."""
    run = os.path.join(wdir, "run")
    resolve = os.path.join(run, "resolve")
    os.mkdir(run)
    os.chmod(run, 0o755)
    stub = os.path.join(resolve, "stub-resolv.conf")
    os.symlink(stub, etc_view.resolv)

    g = guest_factory()
    start_pasta(topo, pasta_bin, wdir, daemons, g, None, ["--dhcp-dns"],
                view=etc_view)
    wait_first_ra(g)

    def create():
        os.mkdir(resolve)
        os.chmod(resolve, 0o755)
        replace_file(stub, "nameserver 2001:db8::54\n")
    expect_rdnss(g, "2001:db8::54", create)


def test_resolv_conf_recreated(topo, pasta_bin, wdir, daemons, guest_factory,
                               etc_view):
    """resolv.conf removed (the guest keeps its resolvers meanwhile), then
    created again: followed."""
    write_file(etc_view.resolv, "nameserver 2001:db8::53\n")
    g = guest_factory()
    d = start_pasta(topo, pasta_bin, wdir, daemons, g, None, ["--dhcp-dns"],
                    view=etc_view)
    wait_first_ra(g)

    os.unlink(etc_view.resolv)
    time.sleep(0.5)
    assert d.alive()
    expect_rdnss(g, "2001:db8::54", lambda: write_file(
        etc_view.resolv, "nameserver 2001:db8::54\n"))


def test_resolv_conf_reader_exits(topo, pasta_bin, wdir, daemons,
                                  guest_factory, etc_view, as_user):
    """The reader goes when the daemon does (in the background: it was
    forked before the daemon forked away)."""
    write_file(etc_view.resolv, "nameserver 2001:db8::53\n")
    g = guest_factory(as_user)
    d = start_pasta(topo, pasta_bin, wdir, daemons, g, as_user,
                    view=etc_view)
    pid = reader_pid(lambda: daemon_log(wdir))
    assert pid_alive(pid)
    with open(f"/proc/{pid}/status") as f:
        status = f.read()
    assert re.search(r"^CapEff:\s+0+$", status, re.M), status
    assert re.search(r"^NoNewPrivs:\s+1$", status, re.M), status
    assert re.search(r"^Seccomp:\s+2$", status, re.M), status
    if not as_user:
        assert re.search(r"^Uid:\s+65534\s", status, re.M), status

    d.stop()
    wait_for(lambda: not pid_alive(pid), timeout=5,
             what="resolv.conf reader to exit")


def test_resolv_conf_both_given(topo, pasta_bin, wdir, daemons,
                                guest_factory):
    """-D and -S: nothing to follow, no reader."""
    g = guest_factory()
    start_pasta(topo, pasta_bin, wdir, daemons, g, None,
                ["-D", "2001:db8::53", "-S", "example.org"])
    assert "resolv.conf reader" not in daemon_log(wdir)


def dhcp_offer(sock, xid):
    """DISCOVER from a guest on passt's socket: (OFFER frame, its options)."""
    import scapy.all as scapy
    from test_passt import GUEST_MAC, Guest, frame

    g = Guest(sock)
    mac = bytes.fromhex(GUEST_MAC.replace(":", ""))
    disc = (scapy.Ether(src=GUEST_MAC, dst="ff:ff:ff:ff:ff:ff") /
            scapy.IP(src="0.0.0.0", dst="255.255.255.255") /
            scapy.UDP(sport=68, dport=67) /
            scapy.BOOTP(chaddr=mac, xid=xid, flags=0x8000) /
            scapy.DHCP(options=[("message-type", "discover"), "end"]))
    g.send(frame(bytes(disc)))
    for _ in range(20):
        f = scapy.Ether(g.recv_frame())
        if scapy.BOOTP in f and f[scapy.BOOTP].xid == xid:
            break
    else:
        pytest.fail("no OFFER")
    g.close()
    return f, dict(o for o in f[scapy.DHCP].options
                   if isinstance(o, tuple) and len(o) == 2)

def test_resolv_conf_passt(topo, passt_bin, wdir, daemons, etc_view):
    """passt, in the foreground: resolv.conf replaced by rename, the next
    DHCP answer has the new resolver; the reader goes with passt."""
    pytest.importorskip("scapy.all")

    write_file(etc_view.resolv, "nameserver 192.0.2.53\n")
    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(etc_view.wrap(topo.cmd([passt_bin, "-f", "-d", "-s", sock])),
               os.path.join(wdir, "passt.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(sock) or not d.alive(),
             what="passt socket")
    pid = reader_pid(d.log)

    replace_file(etc_view.resolv, "nameserver 192.0.2.54\n")
    wait_for(lambda: "resolvers or search domains changed" in d.log(),
             timeout=10, what="passt to follow resolv.conf")

    f, opts = dhcp_offer(sock, 0x4243)
    assert opts["name_server"] == "192.0.2.54"

    assert pid_alive(pid)
    d.stop()
    wait_for(lambda: not pid_alive(pid), timeout=5,
             what="resolv.conf reader to exit")


def test_route_storm(topo, pasta_bin, wdir, daemons, guest_factory,
                     echo_server):
    """500 route changes in about a second: the daemon coalesces them,
    stays responsive, and spends little CPU time on them."""
    g = guest_factory()
    d = start_pasta(topo, pasta_bin, wdir, daemons, g, None)
    ok, r = connect_ok(g)
    assert ok, r

    batch = os.path.join(wdir, "storm")
    with open(batch, "w") as f:
        for i in range(250):
            f.write(f"route add 10.{i // 250}.{i % 250}.0/24 via {UP4}\n")
        for i in range(250):
            f.write(f"route del 10.{i // 250}.{i % 250}.0/24 via {UP4}\n")

    before = cpu_ticks(d.pid)
    t0 = time.monotonic()
    hsh(topo, "ip", "-batch", batch)
    elapsed = time.monotonic() - t0
    ok, r = connect_ok(g)
    assert ok, r
    time.sleep(1)       # let the last coalesced look happen
    spent = (cpu_ticks(d.pid) - before) / os.sysconf("SC_CLK_TCK")
    assert d.alive()
    # Generous: a look costs a few netlink dumps, at most 5 a second
    print(f"storm: {elapsed:.2f}s, {spent:.2f}s CPU")
    assert spent < 2 + elapsed, f"{spent}s of CPU for the storm"
    assert g.addrs("-4") == {(HOST4, PREFIX4)}


def uplink(topo):
    """(Re)create the host's uplink as conftest.py's topology has it."""
    h = ["ip", "netns", "exec", topo.host]
    u = ["ip", "netns", "exec", topo.up]
    sh(h + ["ip", "link", "add", HOST_IF, "type", "veth", "peer", "name",
            "up0", "netns", topo.up])
    sh(u + ["ip", "link", "set", "up0", "up"])
    sh(u + ["ip", "addr", "add", f"{UP4}/{PREFIX4}", "dev", "up0"])
    sh(u + ["ip", "addr", "add", f"{UP6}/{PREFIX6}", "dev", "up0", "nodad"])
    sh(h + ["ip", "link", "set", HOST_IF, "up"])
    sh(h + ["ip", "addr", "add", f"{HOST4}/{PREFIX4}", "dev", HOST_IF])
    sh(h + ["ip", "addr", "add", f"{HOST6}/{PREFIX6}", "dev", HOST_IF,
            "nodad"])
    sh(h + ["ip", "route", "add", "default", "via", UP4])
    sh(h + ["ip", "-6", "route", "add", "default", "via", UP6])


def test_start_offline(topo, pasta_bin, wdir, daemons, guest_factory,
                       echo_server, as_user):
    """No interface but loopback on the host: pasta starts in local mode,
    says so once; an uplink shows up later, and the guest uses it."""
    hsh(topo, "ip", "link", "del", HOST_IF)
    g = guest_factory(as_user)
    d = start_pasta(topo, pasta_bin, wdir, daemons, g, as_user,
                    ["-I", HOST_IF])
    assert g.addrs("-4") == {(LOCAL4, 16)}
    assert g.default_gw("-4") == {LOCAL_GW4}
    assert (LOCAL6, 64) in g.addrs("-6")
    assert (d.log() + daemon_log(wdir)).count("local mode") == 1

    uplink(topo)
    wait_for(lambda: g.addrs("-4") == {(HOST4, PREFIX4)}, timeout=10,
             what="namespace to take the host's address")
    wait_for(lambda: g.default_gw("-4") == {UP4}, timeout=10,
             what="namespace default route via the host's gateway")
    wait_for(lambda: (HOST6, PREFIX6) in g.addrs("-6"), timeout=10,
             what="namespace IPv6 address")
    ok, r = connect_ok(g)
    assert ok, r


def test_start_no_default_route_explicit(topo, pasta_bin):
    """-a and -g still win: no local mode, the given addresses."""
    hsh(topo, "ip", "route", "del", "default")
    hsh(topo, "ip", "-6", "route", "del", "default")
    r = sh(topo.cmd([pasta_bin, "--config-net", "-a", "10.1.2.3", "-n",
                     "24", "-g", "10.1.2.1", "--", "ip", "-j", "-4", "addr",
                     "show", "tap0"]), check=False)
    assert r.returncode == 0, r.stderr
    assert "10.1.2.3" in r.stdout
    assert "local mode" not in r.stderr


def test_local_mode_short_lease(topo, pasta_bin, wdir):
    """Local mode over DHCP: the local address, and a lease of 5 minutes
    (not infinite: the address will change once the host has an uplink)."""
    from test_dhcp import (UDHCPC_SCRIPT, busybox, read_lease, run_pasta,
                           write_script)
    hsh(topo, "ip", "link", "del", HOST_IF)
    lease = os.path.join(wdir, "lease")
    script = write_script(wdir, "udhcpc.sh", UDHCPC_SCRIPT, lease)
    cmd = (f"ip link set {HOST_IF} up && "
           f"{busybox()} udhcpc -f -q -n -t 5 -T 2 -i {HOST_IF} "
           f"-s {script} >&2")
    r = run_pasta(topo, pasta_bin, None, ["-I", HOST_IF], cmd)
    assert r.returncode == 0, r.stderr
    got = read_lease(lease)
    assert got["ip"] == LOCAL4
    assert got["router"] == LOCAL_GW4
    assert got["lease"] == "300"


def test_passt_follows(topo, passt_bin, wdir, daemons):
    """passt: after the host moved to another subnet, a DHCP DISCOVER gets
    the new address and gateway, with a 5-minute lease."""
    pytest.importorskip("scapy.all")

    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(topo.cmd([passt_bin, "-f", "-d", "-s", sock]),
               os.path.join(wdir, "passt.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(sock) or not d.alive(),
             what="passt socket")

    ush(topo, "ip", "addr", "add", f"{NEW_UP4}/24", "dev", "up0")
    hsh(topo, "ip", "addr", "add", f"{NEW_HOST4}/24", "dev", HOST_IF)
    hsh(topo, "ip", "route", "replace", "default", "via", NEW_UP4)
    hsh(topo, "ip", "addr", "del", f"{HOST4}/{PREFIX4}", "dev", HOST_IF)
    wait_for(lambda: "Host network changed: IPv4" in d.log(), timeout=10,
             what="passt to follow")

    f, opts = dhcp_offer(sock, 0x4242)
    assert f["BOOTP"].yiaddr == NEW_HOST4
    assert opts["router"] == NEW_UP4
    assert opts["lease_time"] == 300
    assert d.alive()
