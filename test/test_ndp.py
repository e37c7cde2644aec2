# SPDX-License-Identifier: GPL-2.0-or-later
"""NDP and DHCPv6: the guest configures IPv6 with its own stock clients.

    ns "up" <--veth--> ns "host": pasta / passt run here
                       |  2001:db8::2/64, default via 2001:db8::1
                       |
                       +-- pasta, no --config-net: tap "eth0", link down
                       |     ns "guest" (spawned by pasta): the test sets
                       |     the link up; the guest's kernel does SLAAC
                       |     from our router advertisements, resolves
                       |     neighbours with our advertisements; dhclient -6
                       |     asks our DHCPv6 server; rdisc6/ndisc6 look
                       |
                       +-- passt, UNIX socket
                             a qemu guest (test/guest.py): SLAAC and
                             neighbours from its kernel; or this test,
                             playing qemu, sending thousands of broken
                             NDP and DHCPv6 messages, then good ones

We are fe80::9855:9aff:fe55:9a55 (derived from our MAC address: the host's
gateway is not link-local) and 9a:55:9a:55:9a:55 to the guest. Resolvers and
search domains given to the guest are test values (-D, -S), never this
machine's. dhclient never runs its default script: ours only records what
it is told, in a scratch directory.
"""

import ipaddress
import json
import os
import queue
import random
import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

from conftest import HOST6, OUR_MAC, Daemon, wait_for

OUR_LL = "fe80::9855:9aff:fe55:9a55"
PREFIX = ipaddress.IPv6Network("2001:db8::/64")
DNS6 = "2001:db8::53"
SEARCH = "example.test"
SEP = "@@@"


def tool(name):
    """Absolute path of a tool (commands run with a reset PATH), or skip."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed")
    return path


def eui64(mac):
    """SLAAC address in PREFIX for an interface identifier made from mac
    (RFC 4291 appendix A)."""
    b = bytearray(bytes.fromhex(mac.replace(":", "")))
    b[0] ^= 0x02
    iid = bytes(b[:3]) + b"\xff\xfe" + bytes(b[3:])
    return PREFIX[int.from_bytes(iid, "big")]


def link_up_script(ip, wait_global=True):
    """Shell lines: set eth0 up, then poll (bounded) until its link-local
    address, and if asked a global one, has passed DAD, and a default
    route is there."""
    cond = f"{ip} -6 addr show dev eth0 scope link | grep -q fe80"
    if wait_global:
        cond += (f" && {ip} -6 addr show dev eth0 scope global | "
                 f"grep -q 2001:db8 && {ip} -6 route | grep -q ^default")
    # Last: an address that shows up after this look would be tentative
    cond += f" && ! {ip} -6 addr show dev eth0 | grep -q tentative"
    return (f"{ip} link set eth0 up\n"
            f"i=0; while [ $i -lt 150 ]; do\n"
            f"  if {cond}; then break; fi\n"
            f"  sleep 0.1; i=$((i + 1))\n"
            f"done\n")


def run_pasta(topo, pasta_bin, wdir, script, opts=(), user=None,
              timeout=60):
    """Run script in a namespace pasta spawns, return (stdout, pasta log).
    """
    log = os.path.join(wdir, "pasta.log")
    argv = [pasta_bin, "-d", "-l", log] + list(opts) + ["--", "sh", "-ec",
                                                       script]
    r = subprocess.run(topo.cmd(argv, user=user), capture_output=True,
                       text=True, timeout=timeout, check=False)
    with open(log) as f:
        plog = f.read()
    assert r.returncode == 0, f"{r.stdout}\n{r.stderr}\n{plog}"
    return r.stdout, plog


# --------------------------------------------------------------------------
# pasta: the namespace's own kernel and tools
# --------------------------------------------------------------------------


def test_slaac_pasta(topo, pasta_bin, wdir, as_user):
    """Link up, nothing else: the kernel takes our router advertisement,
    makes its SLAAC address in 2001:db8::/64 and a default route via our
    link-local address. rdisc6 shows the options, resolver and search
    list included."""
    ip = tool("ip")
    rdisc6 = shutil.which("rdisc6")
    script = link_up_script(ip) + (
        f"{ip} -j -6 addr show dev eth0; echo {SEP}\n"
        f"{ip} -j -6 route show dev eth0; echo {SEP}\n"
        f"{ip} -j link show dev eth0; echo {SEP}\n"
        f"cat /proc/sys/net/ipv6/conf/eth0/addr_gen_mode; echo {SEP}\n")
    if rdisc6:
        script += f"{rdisc6} -1 -r 3 -w 1000 eth0\n"
    t0 = time.monotonic()
    out, plog = run_pasta(topo, pasta_bin, wdir, script,
                          ["-D", DNS6, "--dhcp-dns", "-S", SEARCH,
                           "--dhcp-search"], user=as_user)
    took = time.monotonic() - t0
    addrs, routes, link, gen_mode, rd = out.split(SEP)

    info = json.loads(addrs)[0]["addr_info"]
    slaac = [a for a in info if a.get("scope") == "global" and
             ipaddress.IPv6Address(a["local"]) in PREFIX]
    assert slaac, f"no SLAAC address after {took:.1f}s: {info}\n{plog}"
    a = slaac[0]
    assert a["prefixlen"] == 64
    assert a.get("dynamic"), a          # from a prefix option, not static
    assert not a.get("tentative") and not a.get("dadfailed"), a
    mac = json.loads(link)[0]["address"]
    if gen_mode.strip() == "0":         # EUI-64 identifiers
        assert ipaddress.IPv6Address(a["local"]) == eui64(mac)

    r = json.loads(routes)
    assert any(x["dst"] == "default" and x.get("gateway") == OUR_LL and
               x.get("protocol") == "ra" for x in r), r
    assert any(x["dst"] == "2001:db8::/64" for x in r), r

    if rdisc6:
        assert "Stateful address conf.    :          Yes" in rd, rd
        assert "Autonomous address conf.:          Yes" in rd, rd
        assert f"Recursive DNS server     : {DNS6}" in rd, rd
        assert f"DNS search list          : {SEARCH}" in rd, rd
        assert f"from {OUR_LL}" in rd, rd
        assert "Source link-layer address: " + OUR_MAC.upper() in rd, rd


def test_neighbours_pasta(topo, pasta_bin, wdir, as_user):
    """With --no-ra, no router advertisement ever comes, but neighbours are
    resolved: to our MAC address, for any address but the guest's own."""
    ip = tool("ip")
    ping = tool("ping")
    ndisc6 = shutil.which("ndisc6")
    rdisc6 = shutil.which("rdisc6")
    script = link_up_script(ip, wait_global=False) + (
        f"{ip} -6 addr add 2001:db8::abcd/64 dev eth0 nodad\n"
        f"{ping} -6 -c1 -W1 2001:db8::1 >/dev/null 2>&1 || true\n"
        f"{ip} -j -6 neigh show dev eth0; echo {SEP}\n")
    if ndisc6:
        script += (f"{ndisc6} -1 -r 2 -w 500 2001:db8::77 eth0; "
                   f"echo {SEP}\n"
                   f"{ndisc6} -1 -r 2 -w 500 {OUR_LL} eth0; echo {SEP}\n"
                   # The guest's own address: nobody else has it
                   f"! {ndisc6} -1 -r 2 -w 300 2001:db8::abcd eth0\n"
                   f"echo {SEP}\n")
    if rdisc6:
        script += f"! {rdisc6} -1 -r 2 -w 500 eth0\n"
    script += f"echo {SEP}; {ip} -j -6 route show dev eth0\n"
    out, plog = run_pasta(topo, pasta_bin, wdir, script, ["--no-ra"],
                          user=as_user)
    parts = out.split(SEP)

    neigh = {n["dst"]: n for n in json.loads(parts[0])}
    assert "2001:db8::1" in neigh, f"{neigh}\n{plog}"
    assert neigh["2001:db8::1"].get("lladdr") == OUR_MAC, neigh
    if ndisc6:
        for part, target in ((parts[1], "2001:db8::77"),
                             (parts[2], OUR_LL)):
            assert ("Target link-layer address: " + OUR_MAC.upper()
                    in part), part
            assert f"from {target}" in part, part
    routes = json.loads(parts[-1])
    assert not [r for r in routes if r["dst"] == "default"], routes


def test_no_ndp_pasta(topo, pasta_bin, wdir):
    """--no-ndp: neither solicitation is answered."""
    ip = tool("ip")
    ndisc6 = tool("ndisc6")
    rdisc6 = tool("rdisc6")
    script = link_up_script(ip, wait_global=False) + (
        f"! {ndisc6} -1 -r 1 -w 500 2001:db8::1 eth0\n"
        f"! {rdisc6} -1 -r 1 -w 500 eth0\n")
    run_pasta(topo, pasta_bin, wdir, script, ["--no-ndp"])


DHCLIENT_SCRIPT = """#!/bin/sh
# Records what dhclient says, nothing else: never configures anything
d="$(dirname "$0")"
env | grep -E '^(reason|interface|new_|old_)' | sort > "$d/env.$reason.tmp"
mv "$d/env.$reason.tmp" "$d/env.$reason"
exit 0
"""


def dhclient_files(wdir, conf):
    """Script, configuration, lease and PID file paths for dhclient, all in
    a scratch directory anybody (the unprivileged run) can write to."""
    d = os.path.join(wdir, "dhclient")
    os.mkdir(d)
    os.chmod(d, 0o777)
    script = os.path.join(d, "script")
    with open(script, "w") as f:
        f.write(DHCLIENT_SCRIPT)
    os.chmod(script, 0o755)
    cf = os.path.join(d, "conf")
    with open(cf, "w") as f:
        f.write(conf)
    os.chmod(cf, 0o644)
    return d, (f"-cf {cf} -sf {script} -lf {d}/lease -pf {d}/pid")


def read_env(path):
    with open(path) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in
                    line)


@pytest.mark.parametrize("mode", ["stateful", "rapid-commit", "stateless"])
def test_dhcpv6_dhclient(topo, pasta_bin, wdir, as_user, mode):
    """ISC dhclient -6 gets the address (Solicit, Advertise, Request,
    Reply; or Solicit and Reply with Rapid Commit), resolver and search
    list, then releases it; or, stateless, just the resolver and search
    list (Information-request)."""
    ip = tool("ip")
    dhclient = tool("dhclient")
    conf = "request dhcp6.name-servers, dhcp6.domain-search;\n"
    if mode == "rapid-commit":
        conf = "send dhcp6.rapid-commit;\n" + conf
    d, files = dhclient_files(wdir, conf)
    done = "RENEW6" if mode == "stateless" else "BOUND6"
    flags = "-S" if mode == "stateless" else ""
    # One-shot in the foreground, stopped by its PID once the script has
    # recorded the lease; then (stateful) released
    script = link_up_script(ip, wait_global=False) + f"""
{dhclient} -6 {flags} -1 -d -v {files} eth0 > {d}/log 2>&1 &
pid=$!
i=0; while [ ! -f {d}/env.{done} ] && [ $i -lt 150 ]; do
  sleep 0.1; i=$((i + 1))
done
kill $pid 2>/dev/null || true
wait $pid || true
"""
    if mode != "stateless":
        script += f"timeout 10 {dhclient} -6 -r -d -v {files} eth0 " \
                  f"> {d}/log.release 2>&1\n"
    t0 = time.monotonic()
    out, plog = run_pasta(topo, pasta_bin, wdir, script,
                          ["-D", DNS6, "--dhcp-dns", "-S", SEARCH,
                           "--dhcp-search"], user=as_user)
    took = time.monotonic() - t0

    envf = os.path.join(d, f"env.{done}")
    if not os.path.exists(envf):
        with open(os.path.join(d, "log")) as f:
            pytest.fail(f"no {done} after {took:.1f}s:\n{f.read()}\n{plog}")
    env = read_env(envf)
    assert env["new_dhcp6_name_servers"].split() == [DNS6], env
    assert env["new_dhcp6_domain_search"].split() == [SEARCH + "."], env
    assert env["new_dhcp6_server_id"] == "0:3:0:1:9a:55:9a:55:9a:55", env

    types = [line.split("message type ")[1]
             for line in plog.splitlines() if "DHCPv6: message type" in line]
    if mode == "stateless":
        assert "new_ip6_address" not in env, env
        assert types[:1] == ["11, answered with type 7"], plog
        return

    assert env["new_ip6_address"] == HOST6, env
    assert int(env["new_max_life"]) >= 86400, env
    if mode == "rapid-commit":
        assert types[:1] == ["1, answered with type 7"], plog
    else:
        assert types[:2] == ["1, answered with type 2",
                             "3, answered with type 7"], plog
    assert os.path.exists(os.path.join(d, "env.RELEASE6"))
    assert "8, answered with type 7" in types, plog


# --------------------------------------------------------------------------
# passt: a qemu guest
# --------------------------------------------------------------------------


@pytest.mark.qemu
def test_qemu_slaac_and_neighbours(topo, passt_bin, wdir, daemons):
    """One boot: the guest's kernel (its link is up already) gets its SLAAC
    address and default route from our advertisements, and resolves a
    neighbour to our MAC address."""
    from guest import DEFAULT_MAC, Guest, GuestUnavailable, build_guest
    try:
        kernel, initrd = build_guest()
    except GuestUnavailable as e:
        pytest.skip(f"no qemu guest: {e}")

    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(topo.cmd([passt_bin, "-f", "-d", "-s", sock]),
               os.path.join(wdir, "passt.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(sock) or not d.alive(),
             what="passt socket")
    assert d.alive(), d.log()

    want = str(eui64(DEFAULT_MAC))
    with Guest(sock, kernel=kernel, initrd=initrd) as g:
        g.wait_booted()
        g.check("ip link set eth0 up")
        poll = ("i=0; while [ $i -lt 200 ]; do "
                "ip -6 addr show dev eth0 | grep -q 'inet6 2001:db8:.*' && "
                "! ip -6 addr show dev eth0 | grep -q tentative && "
                "ip -6 route | grep -q '^default' && break; "
                "usleep 100000; i=$((i + 1)); done")
        g.run(poll, timeout=40)
        addrs = g.check("ip -6 addr show dev eth0")
        routes = g.check("ip -6 route")
        g.run("ping -6 -c 1 -W 1 2001:db8::1", timeout=10)
        neigh = g.check("ip -6 neigh show")

    assert f"inet6 {want}/64" in addrs, f"{addrs}\n{d.log()}"
    line = [x for x in addrs.splitlines() if want in x][0]
    assert "global" in line and "dadfailed" not in line, addrs
    assert any(r.startswith(f"default via {OUR_LL} dev eth0")
               for r in routes.splitlines()), routes
    assert any(n.startswith("2001:db8::1 ") and f"lladdr {OUR_MAC}" in n
               for n in neigh.splitlines()), neigh
    assert d.alive()


# --------------------------------------------------------------------------
# passt: this test plays qemu, with hostile messages
# --------------------------------------------------------------------------

GUEST_MAC = "02:00:00:00:00:01"
GUEST_LL = "fe80::2"


class StreamGuest:
    """qemu's side of passt's socket: frames with a 32-bit length before
    each; a thread reads whatever passt sends, so it is never blocked."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.frames = queue.Queue()
        self.closed = False
        self.t = threading.Thread(target=self._reader, daemon=True)
        self.t.start()

    def _reader(self):
        buf = b""
        while True:
            try:
                data = self.s.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return
            buf += data
            while len(buf) >= 4:
                (n,) = struct.unpack("!I", buf[:4])
                if len(buf) < 4 + n:
                    break
                self.frames.put(buf[4:4 + n])
                buf = buf[4 + n:]

    def send(self, frames):
        self.s.sendall(b"".join(struct.pack("!I", len(f)) + f
                                for f in frames))

    def drain(self):
        n = 0
        while True:
            try:
                self.frames.get_nowait()
                n += 1
            except queue.Empty:
                return n

    def settle(self, quiet=0.5, timeout=20):
        """Drop what arrives until nothing has for @quiet seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.frames.get(timeout=quiet)
            except queue.Empty:
                return
        raise TimeoutError("passt kept sending")

    def expect(self, match, timeout=5):
        """Next frame for which match(parsed) is true; others skipped."""
        scapy = pytest.importorskip("scapy.all")
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("expected frame not received")
            try:
                f = scapy.Ether(self.frames.get(timeout=left))
            except queue.Empty:
                continue
            if match(f):
                return f

    def close(self):
        self.s.close()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip6_frame(src, dst, proto, l4, hlim=255, fix_csum=True, plen=None):
    """Ethernet and IPv6 headers around l4; its checksum set if asked."""
    s = socket.inet_pton(socket.AF_INET6, src)
    d = socket.inet_pton(socket.AF_INET6, dst)
    l4 = bytearray(l4)
    off = 6 if proto == 17 else 2
    if fix_csum and len(l4) >= off + 2:
        l4[off:off + 2] = b"\0\0"
        pseudo = s + d + struct.pack("!IxxxB", len(l4), proto)
        l4[off:off + 2] = struct.pack("!H", csum(pseudo + bytes(l4)))
    if d[0] == 0xff:
        eth_dst = b"\x33\x33" + d[12:]
    else:
        eth_dst = bytes.fromhex(OUR_MAC.replace(":", ""))
    eth = eth_dst + bytes.fromhex(GUEST_MAC.replace(":", "")) + b"\x86\xdd"
    ip = struct.pack("!IHBB", 6 << 28, len(l4) if plen is None else plen,
                     proto, hlim) + s + d
    return eth + ip + bytes(l4)


def good_messages():
    """Valid RS, NS and DHCPv6 Solicit: (src, dst, proto, L4 bytes)."""
    mac = bytes.fromhex(GUEST_MAC.replace(":", ""))
    rs = bytes([133, 0, 0, 0, 0, 0, 0, 0, 1, 1]) + mac
    ns = (bytes([135, 0, 0, 0, 0, 0, 0, 0]) +
          socket.inet_pton(socket.AF_INET6, "2001:db8::1") +
          bytes([1, 1]) + mac)
    duid = struct.pack("!HH", 3, 1) + mac
    dhcp = (bytes([1, 0x12, 0x34, 0x56]) +
            struct.pack("!HH", 1, len(duid)) + duid +
            struct.pack("!HHIII", 3, 12, 7, 0, 0) +
            struct.pack("!HHH", 8, 2, 0))
    udp = struct.pack("!HHHH", 546, 547, 8 + len(dhcp), 0) + dhcp
    return [(GUEST_LL, "ff02::2", 58, rs),
            (GUEST_LL, "ff02::1:ff00:1", 58, ns),
            (GUEST_LL, "ff02::1:2", 17, udp)]


def mutate(rnd, msg):
    """A broken variant of a good message: truncated, bytes flipped,
    random options appended or lengths lied about; mostly with a right
    checksum, so that the parsers behind it are reached."""
    src, dst, proto, l4 = msg
    l4 = bytearray(l4)
    hdr = 8 if proto == 17 else 0       # UDP header kept sane-ish
    kind = rnd.randrange(6)
    if kind == 0:                       # truncated
        l4 = l4[:rnd.randrange(len(l4))]
    elif kind == 1:                     # flipped bytes
        for _ in range(rnd.randint(1, 6)):
            i = rnd.randrange(len(l4))
            l4[i] = rnd.randrange(256)
    elif kind == 2:                     # random options appended
        for _ in range(rnd.randint(1, 5)):
            n = rnd.randrange(24)
            if proto == 17:
                l4 += struct.pack("!HH", rnd.choice([1, 2, 3, 4, 5, 6, 14,
                                                     25, 99]),
                                  rnd.choice([n, n, rnd.randrange(65536)]))
            else:
                l4 += bytes([rnd.randrange(40), rnd.choice([0, 1, 2, 255])])
            l4 += bytes(rnd.randrange(256) for _ in range(n))
    elif kind == 3:                     # random body after the header
        keep = hdr + 4
        l4 = l4[:keep] + bytes(rnd.randrange(256)
                               for _ in range(rnd.randrange(64)))
    elif kind == 4:                     # any ICMPv6 NDP type, any length
        proto, dst = 58, rnd.choice(["ff02::2", "ff02::1:ff00:1", OUR_LL])
        l4 = bytearray([rnd.randint(133, 137), rnd.choice([0, 0, 1])]) + \
            bytes(rnd.randrange(256) for _ in range(rnd.randrange(80)))
    else:                               # the source is :: (DAD, or not)
        src = "::"
    if proto == 17 and len(l4) >= 8 and rnd.randrange(4):
        l4[4:6] = struct.pack("!H", len(l4))
    return ip6_frame(src, dst, proto, bytes(l4),
                     hlim=rnd.choice([255, 255, 255, 64]),
                     fix_csum=rnd.randrange(8) != 0,
                     plen=None if rnd.randrange(10) else
                     rnd.randrange(len(l4) + 16))


def test_fuzz_passt(topo, passt_bin, wdir, daemons):
    """A few thousand broken and random NDP and DHCPv6 messages, then good
    ones: passt stays up and answers them all."""
    scapy = pytest.importorskip("scapy.all")
    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(topo.cmd([passt_bin, "-f", "-s", sock, "-D", DNS6, "-S",
                         SEARCH]), os.path.join(wdir, "passt.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(sock) or not d.alive(),
             what="passt socket")
    g = StreamGuest(sock)

    seed = int(os.environ.get("FUZZ_SEED", random.randrange(1 << 30)))
    print(f"FUZZ_SEED={seed} (set it to replay this run)")
    rnd = random.Random(seed)
    good = good_messages()
    frames = [mutate(rnd, rnd.choice(good)) for _ in range(5000)]
    for i in range(0, len(frames), 250):
        g.send(frames[i:i + 250])
    assert not g.closed, f"seed {seed}: passt closed the connection"
    assert d.alive(), f"seed {seed}: {d.log()}"

    # Once passt is through the backlog, good ones: each answered. The
    # answers to the garbage may have filled the socket faster than this
    # test reads it, and passt drops what a guest doesn't read (a real
    # guest's protocols retry), so wait for the stream to go quiet first.
    g.settle()
    mac = bytes.fromhex(GUEST_MAC.replace(":", ""))
    last = (bytes([135, 0, 0, 0, 0, 0, 0, 0]) +
            socket.inet_pton(socket.AF_INET6, "2001:db8::f00d") +
            bytes([1, 1]) + mac)
    # The garbage may have come from any source address, and passt learns
    # the guest's addresses from what it sends: the guest speaks again from
    # its own global and link-local addresses first
    g.send([ip6_frame(HOST6, "ff02::1:ff00:f00d", 58, last),
            ip6_frame(GUEST_LL, "ff02::1:ff00:f00d", 58, last)])
    for _ in range(2):
        g.expect(lambda f: scapy.ICMPv6ND_NA in f and
                 f[scapy.ICMPv6ND_NA].tgt == "2001:db8::f00d", timeout=10)
    g.drain()
    g.send([ip6_frame(*good[0][:3], good[0][3])])
    ra = g.expect(lambda f: scapy.ICMPv6ND_RA in f and
                  f[scapy.IPv6].dst == GUEST_LL)
    assert ra[scapy.IPv6].src == OUR_LL
    assert ra[scapy.ICMPv6NDOptPrefixInfo].prefix == "2001:db8::"
    assert ra[scapy.ICMPv6NDOptRDNSS].dns == [DNS6]
    assert ra[scapy.ICMPv6NDOptSrcLLAddr].lladdr == OUR_MAC

    g.send([ip6_frame(*good[1][:3], good[1][3])])
    na = g.expect(lambda f: scapy.ICMPv6ND_NA in f)
    assert na[scapy.ICMPv6ND_NA].tgt == "2001:db8::1"
    assert na[scapy.ICMPv6ND_NA].R == 1 and na[scapy.ICMPv6ND_NA].S == 1
    assert na[scapy.ICMPv6NDOptDstLLAddr].lladdr == OUR_MAC

    g.send([ip6_frame(*good[2][:3], good[2][3])])
    adv = g.expect(lambda f: scapy.DHCP6_Advertise in f)
    assert adv[scapy.IPv6].src == OUR_LL and adv[scapy.UDP].dport == 546
    assert adv[scapy.DHCP6_Advertise].trid == 0x123456
    assert adv[scapy.DHCP6OptIA_NA].iaid == 7
    assert adv[scapy.DHCP6OptIAAddress].addr == HOST6
    assert adv[scapy.DHCP6OptDNSServers].dnsservers == [DNS6]

    # A DAD probe for the guest's address, or any other: no answer
    for target in (HOST6, "2001:db8::1"):
        t = socket.inet_pton(socket.AF_INET6, target)
        ns = bytes([135, 0, 0, 0, 0, 0, 0, 0]) + t
        snm = "ff02::1:ff00:" + target.split(":")[-1]   # ::1 and ::2
        g.send([ip6_frame("::", snm, 58, ns)])
    with pytest.raises(TimeoutError):
        g.expect(lambda f: scapy.ICMPv6ND_NA in f, timeout=0.5)

    assert d.alive(), d.log()
    assert not g.closed
    g.close()
    assert "ASSERT" not in d.log()
