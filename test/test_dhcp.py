# SPDX-License-Identifier: GPL-2.0-or-later
"""DHCPv4: the guest configures itself with stock clients.

    ns "up" <--veth--> ns "host": pasta or passt runs here
                                   |                      |
             pasta: tap "eth0", left down and             | passt: UNIX socket
             unconfigured (no --config-net)               |
                                   v                      v
           ns "guest" (pasta's command): the       qemu guest (test/guest.py):
           test brings eth0 up, then busybox       busybox udhcpc, or this
           udhcpc or ISC dhclient configure it     test playing qemu with
           from what the daemon tells them         crafted frames (scapy)

The daemon gives the guest the host's address 192.0.2.2/24 and gateway
192.0.2.1 (see conftest.py). Resolvers and search domains are always given
on the command line (-D, -S), so that no client ever learns this machine's
own: pasta's namespace shares this machine's files, so each client runs with
a script of ours, never the distribution's (which would rewrite
/etc/resolv.conf).
"""

import json
import os
import random
import shutil

import pytest

from conftest import (HOST4, HOST_IF, PREFIX4, UP4, Daemon, sh, wait_for)

DNS1 = "192.0.2.53"
DNS2 = "198.51.100.53"
SEARCH = ["example.test", "b.example.test"]
FQDN = "guest.example.test"
SEP = "@@@"

UDHCPC_SCRIPT = r"""#!/bin/sh
# udhcpc script of the DHCP tests: record the lease, apply it with ip
out="@OUT@"
case "$1" in
deconfig)
	ip -4 addr flush dev "$interface"
	ip link set "$interface" up
	;;
bound|renew)
	{
		echo "ip=$ip"
		echo "mask=$mask"
		echo "subnet=$subnet"
		echo "router=$router"
		echo "dns=$dns"
		echo "search=$search"
		echo "domain=$domain"
		echo "mtu=$mtu"
		echo "hostname=$hostname"
		echo "lease=$lease"
		echo "serverid=$serverid"
		echo "event=$1"
	} > "$out.new"
	ip -4 addr flush dev "$interface"
	ip -4 addr add "$ip/$mask" dev "$interface"
	[ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
	for r in $router; do
		ip -4 route add default via "$r" dev "$interface"
		break
	done
	mv "$out.new" "$out"
	;;
leasefail|nak)
	echo "event=$1" >> "$out.fail"
	;;
esac
exit 0
"""

# dhclient-script(8) variables we record; the rest of the environment too
DHCLIENT_SCRIPT = r"""#!/bin/sh
# dhclient script of the DHCP tests: never the system's dhclient-script,
# which would rewrite this machine's /etc/resolv.conf
out="@OUT@"
case "$reason" in
PREINIT)
	ip link set "$interface" up
	;;
BOUND|RENEW|REBIND|REBOOT)
	{
		echo "ip=$new_ip_address"
		echo "subnet=$new_subnet_mask"
		echo "router=$new_routers"
		echo "dns=$new_domain_name_servers"
		echo "search=$new_domain_search"
		echo "mtu=$new_interface_mtu"
		echo "hostname=$new_host_name"
		echo "lease=$new_dhcp_lease_time"
		echo "serverid=$new_dhcp_server_identifier"
		echo "event=$reason"
	} > "$out.new"
	ip -4 addr flush dev "$interface"
	ip -4 addr add "$new_ip_address/$new_subnet_mask" dev "$interface"
	[ -n "$new_interface_mtu" ] &&
		ip link set "$interface" mtu "$new_interface_mtu"
	for r in $new_routers; do
		ip -4 route add default via "$r" dev "$interface"
		break
	done
	mv "$out.new" "$out"
	;;
esac
exit 0
"""

DHCLIENT_CONF = """\
# dhclient.conf of the DHCP tests
timeout 20;
retry 60;
initial-interval 1;
request subnet-mask, routers, domain-name-servers, domain-search,
	interface-mtu, host-name;
"""


def busybox():
    path = shutil.which("busybox")
    if path is None:
        pytest.skip("busybox not installed (busybox-static)")
    return path


def dhclient():
    for path in ("/usr/sbin/dhclient", "/sbin/dhclient"):
        if os.path.exists(path):
            return path
    pytest.skip("dhclient not installed (isc-dhcp-client)")


def write_script(wdir, name, text, out):
    path = os.path.join(wdir, name)
    with open(path, "w") as f:
        f.write(text.replace("@OUT@", out))
    os.chmod(path, 0o755)
    return path


def read_lease(path):
    """key=value lines written by our scripts, as a dict."""
    with open(path) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f
                    if "=" in line)


def view_script():
    """Shell commands printing eth0's addresses and the IPv4 routes."""
    return (f"ip -j addr show {HOST_IF}; echo {SEP}; "
            f"ip -j -4 route show")


def check_applied(out, mtu):
    """The lease is configured on eth0: address, prefix, MTU, route."""
    addrs, routes = out.split(SEP)
    link = json.loads(addrs)[0]
    assert link["mtu"] == mtu, link
    got = {(a["local"], a["prefixlen"]) for a in link["addr_info"]
           if a["family"] == "inet"}
    assert got == {(HOST4, PREFIX4)}, link
    assert any(r["dst"] == "default" and r.get("gateway") == UP4 and
               r["dev"] == HOST_IF for r in json.loads(routes)), routes


def run_pasta(topo, pasta_bin, as_user, opts, cmd, timeout=60):
    """pasta OPTS -- sh -c CMD, without --config-net: eth0 comes up down.

    timeout(1) bounds the command inside, and kills all it started (its
    process group) if it hangs: nothing is left behind in the namespace.
    """
    inner = ["timeout", "-s", "KILL", str(timeout), "sh", "-c", cmd]
    return sh(topo.cmd([pasta_bin] + opts + ["--"] + inner, user=as_user),
              check=False, timeout=timeout + 10)


# (pasta options, what the lease must say) for udhcpc
CASES = {
    "dns-search-mtu": (
        ["--dhcp-dns", "--dhcp-search", "-D", DNS1, "-D", DNS2,
         "-S", " ".join(SEARCH), "-m", "9000"],
        {"dns": f"{DNS1} {DNS2}", "search": " ".join(SEARCH),
         "mtu": "9000", "hostname": ""}),
    # pasta's defaults: no resolvers and no search list over DHCP, as the
    # namespace most likely shares the host's resolv.conf
    "defaults": (
        ["-D", DNS1, "-S", SEARCH[0]],
        {"dns": "", "search": "", "mtu": "65520", "hostname": ""}),
    "ipv4-only-fqdn": (
        ["-4", "--dhcp-dns", "-D", DNS1, "--no-dhcp-search", "-S", SEARCH[0],
         "--fqdn", FQDN],
        {"dns": DNS1, "search": "", "mtu": "65520", "hostname": FQDN}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_pasta_udhcpc(topo, pasta_bin, wdir, as_user, case):
    opts, want = CASES[case]
    lease = os.path.join(wdir, "lease")
    script = write_script(wdir, "udhcpc.sh", UDHCPC_SCRIPT, lease)
    cmd = (f"ip link set {HOST_IF} up && "
           f"{busybox()} udhcpc -f -q -n -t 5 -T 2 -i {HOST_IF} "
           f"-s {script} >&2 && {view_script()}")
    r = run_pasta(topo, pasta_bin, as_user, opts, cmd)
    assert r.returncode == 0, r.stderr
    got = read_lease(lease)
    assert got["ip"] == HOST4
    assert got["mask"] == str(PREFIX4)
    assert got["subnet"] == "255.255.255.0"
    assert got["router"] == UP4
    assert got["serverid"] == UP4
    assert got["lease"] == str(0xffffffff)
    for k, v in want.items():
        assert got[k] == v, (k, got)
    check_applied(r.stdout, int(want["mtu"]))


def test_pasta_dhclient(topo, pasta_bin, wdir, as_user):
    """ISC dhclient, one-shot: it goes to the background once bound (the
    lease is infinite, it would wait forever), and is then stopped by the
    PID it wrote."""
    client = dhclient()
    lease = os.path.join(wdir, "lease")
    script = write_script(wdir, "dhclient.sh", DHCLIENT_SCRIPT, lease)
    conf = os.path.join(wdir, "dhclient.conf")
    with open(conf, "w") as f:
        f.write(DHCLIENT_CONF)
    pidf = os.path.join(wdir, "dhclient.pid")
    leasef = os.path.join(wdir, "dhclient.leases")
    opts = ["--dhcp-dns", "--dhcp-search", "-D", DNS1, "-D", DNS2,
            "-S", " ".join(SEARCH), "--fqdn", FQDN]
    cmd = (f"ip link set {HOST_IF} up && "
           f"{client} -4 -1 -v -cf {conf} -sf {script} -lf {leasef} "
           f"-pf {pidf} {HOST_IF} >&2; rc=$?; "
           f"[ -s {pidf} ] && kill $(cat {pidf}); "
           f"[ $rc -eq 0 ] && {view_script()}")
    r = run_pasta(topo, pasta_bin, as_user, opts, cmd)
    assert r.returncode == 0, r.stderr
    got = read_lease(lease)
    assert got["event"] == "BOUND", got
    assert got["ip"] == HOST4
    assert got["subnet"] == "255.255.255.0"
    assert got["router"] == UP4
    assert got["serverid"] == UP4
    assert got["dns"] == f"{DNS1} {DNS2}"
    # dhclient quotes each name and ends it with a dot
    assert got["search"].replace('"', "").split() == \
        [s + "." for s in SEARCH] or got["search"].split() == SEARCH, got
    assert got["mtu"] == "65520"
    assert got["hostname"] == FQDN
    assert got["lease"] == str(0xffffffff)
    check_applied(r.stdout, 65520)


def test_pasta_no_dhcp(topo, pasta_bin, wdir):
    """--no-dhcp: nobody answers, udhcpc gives up after its retries."""
    lease = os.path.join(wdir, "lease")
    script = write_script(wdir, "udhcpc.sh", UDHCPC_SCRIPT, lease)
    cmd = (f"ip link set {HOST_IF} up && "
           f"{busybox()} udhcpc -f -q -n -t 2 -T 1 -i {HOST_IF} -s {script}")
    r = run_pasta(topo, pasta_bin, None, ["--no-dhcp"], cmd)
    assert r.returncode != 0, r.stderr
    assert not os.path.exists(lease)
    assert read_lease(lease + ".fail")["event"] == "leasefail"


# Run inside pasta's namespace: random and broken DHCP frames on eth0
# through a packet socket, as fast as the tap takes them
FUZZ = r"""
import errno, random, socket, struct, sys, time

ifname, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
mac = bytes.fromhex("020000000001")


def opt(code, data):
    return bytes([code, len(data)]) + data


def bootp(options, sname=b"", file=b"", ciaddr=b"\0" * 4):
    return (struct.pack("!BBBBIHH", 1, 1, 6, 0, rnd.getrandbits(32), 0,
                        rnd.choice((0, 0x8000))) +
            ciaddr + b"\0" * 12 + mac + b"\0" * 10 +
            sname.ljust(64, b"\0")[:64] + file.ljust(128, b"\0")[:128] +
            b"\x63\x82\x53\x63" + options)


def frame(payload, ulen=None, tot=None):
    ulen = len(payload) + 8 if ulen is None else ulen
    tot = ulen + 20 if tot is None else tot
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot & 0xffff, 0, 0, 64, 17,
                     0, b"\0" * 4, b"\xff" * 4)
    udp = struct.pack("!HHHH", 68, 67, ulen & 0xffff, 0)
    return b"\xff" * 6 + mac + b"\x08\x00" + ip + udp + payload


def rbytes(n):
    return bytes(rnd.getrandbits(8) for _ in range(n))


def good():
    return bootp(opt(53, b"\x01") + opt(55, bytes([1, 3, 6, 26, 119])) +
                 opt(61, b"\x01" + mac) + b"\xff")


def mutate(p):
    p = bytearray(p)
    for _ in range(rnd.randint(1, 8)):
        p[rnd.randrange(len(p))] = rnd.getrandbits(8)
    return bytes(p)


kinds = [
    lambda: frame(mutate(good())),
    lambda: frame(good()[:rnd.randrange(len(good()))]),
    lambda: frame(good(), ulen=rnd.randrange(0, 400)),
    lambda: frame(good(), tot=rnd.randrange(0, 400)),
    lambda: frame(bootp(opt(53, b"\x03") + bytes([rnd.randrange(256),
                                                   rnd.randrange(256)]) +
                        rbytes(rnd.randrange(40)))),
    lambda: frame(bootp(opt(53, b"\x01") + opt(52, bytes([rnd.randrange(5)]))
                        + b"\xff", sname=rbytes(64), file=rbytes(128))),
    lambda: frame(bootp(opt(53, b"\x01") +
                        b"".join(opt(55, rbytes(255)) for _ in range(4)) +
                        b"\xff")),
    lambda: frame(bootp(opt(53, b"\x01") + opt(57, rbytes(2)) +
                        opt(55, bytes(range(1, 255))) + b"\xff")),
    lambda: frame(bootp(opt(53, bytes([rnd.randrange(10)])) +
                        opt(54, rbytes(4)) + opt(50, rbytes(4)) + b"\xff",
                        ciaddr=rbytes(4))),
    lambda: frame(bootp(opt(53, b"\x01") + opt(12, rbytes(40)) + b"\xff")),
    lambda: frame(rbytes(rnd.randrange(600))),
    lambda: frame(bootp(opt(53, b"\x01") + b"\0" * rnd.randrange(300))),
]
sent = 0
deadline = time.monotonic() + 30
for i in range(count):
    if time.monotonic() > deadline:
        break
    f = kinds[i % len(kinds)]()
    for _ in range(1000):
        try:
            s.send(f)
            sent += 1
            break
        except OSError as e:    # tap queue full: let pasta catch up
            if e.errno != errno.ENOBUFS:
                raise
            time.sleep(0.001)
print(f"fuzz: sent {sent} of {count} frames, seed {seed}", file=sys.stderr)
"""


def test_pasta_fuzz_then_udhcpc(topo, pasta_bin, wdir):
    """Thousands of random, truncated and inconsistent DHCP frames, then a
    real client: pasta is still there and still answers."""
    lease = os.path.join(wdir, "lease")
    script = write_script(wdir, "udhcpc.sh", UDHCPC_SCRIPT, lease)
    fuzz = os.path.join(wdir, "fuzz.py")
    with open(fuzz, "w") as f:
        f.write(FUZZ)
    seed = random.randrange(1 << 30)
    cmd = (f"ip link set {HOST_IF} up && "
           f"/usr/bin/python3 {fuzz} {HOST_IF} {seed} 4000 && "
           f"{busybox()} udhcpc -f -q -n -t 5 -T 2 -i {HOST_IF} "
           f"-s {script} >&2 && {view_script()}")
    r = run_pasta(topo, pasta_bin, None,
                  ["--dhcp-dns", "-D", DNS1, "-S", SEARCH[0]], cmd,
                  timeout=120)
    assert r.returncode == 0, f"seed {seed}: {r.stderr[-3000:]}"
    assert "fuzz: sent 4000 of 4000" in r.stderr, r.stderr
    got = read_lease(lease)
    assert got["ip"] == HOST4 and got["router"] == UP4, got
    assert got["dns"] == DNS1
    check_applied(r.stdout, 65520)


# -- passt, this test playing qemu -------------------------------------------

def _passt_discover(topo, passt_bin, wdir, daemons, extra):
    """Start passt with extra options, send a DISCOVER over its socket,
    return the OFFER (scapy)."""
    scapy = pytest.importorskip("scapy.all")
    from test_passt import Guest, frame, GUEST_MAC

    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(topo.cmd([passt_bin, "-f", "-d", "-s", sock] + extra),
               os.path.join(wdir, f"passt{len(daemons)}.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(sock) or not d.alive(),
             what="passt socket")
    assert d.alive(), d.log()

    g = Guest(sock)
    mac = bytes.fromhex(GUEST_MAC.replace(":", ""))
    disc = (scapy.Ether(src=GUEST_MAC, dst="ff:ff:ff:ff:ff:ff") /
            scapy.IP(src="0.0.0.0", dst="255.255.255.255") /
            scapy.UDP(sport=68, dport=67) /
            scapy.BOOTP(chaddr=mac, xid=0x2131, flags=0x8000) /
            scapy.DHCP(options=[("message-type", "discover"),
                                ("param_req_list", [1, 3, 6, 15, 119]),
                                "end"]))
    g.send(frame(bytes(disc)))
    for _ in range(20):
        f = scapy.Ether(g.recv_frame())
        if scapy.BOOTP in f and f[scapy.BOOTP].xid == 0x2131:
            break
    else:
        pytest.fail("no OFFER")
    g.close()
    assert d.alive()
    opts = {}
    for o in f[scapy.DHCP].options:
        if isinstance(o, tuple):
            opts.setdefault(o[0], []).extend(o[1:])
    return f, opts


def test_passt_offer_dns_default(topo, passt_bin, wdir, daemons):
    """passt gives resolvers and search domains by default; the broadcast
    flag makes the OFFER a broadcast."""
    f, opts = _passt_discover(topo, passt_bin, wdir, daemons,
                              ["-D", DNS1, "-S", SEARCH[0]])
    assert f.dst == "ff:ff:ff:ff:ff:ff"
    assert f["IP"].src == UP4 and f["IP"].dst == "255.255.255.255"
    assert f["BOOTP"].yiaddr == HOST4
    assert opts["message-type"] == [2]
    assert opts["server_id"] == [UP4]
    assert opts["router"] == [UP4]
    assert opts["name_server"] == [DNS1]
    assert "domain_search" in opts or 119 in opts, opts


def test_passt_no_dhcp_dns(topo, passt_bin, wdir, daemons):
    f, opts = _passt_discover(topo, passt_bin, wdir, daemons,
                              ["-D", DNS1, "-S", SEARCH[0], "--no-dhcp-dns",
                               "--no-dhcp-search"])
    assert opts["message-type"] == [2]
    assert "name_server" not in opts
    assert "domain_search" not in opts and 119 not in opts


# -- passt with a real qemu guest --------------------------------------------

@pytest.fixture(scope="module")
def images():
    from guest import GuestUnavailable, build_guest
    try:
        return build_guest()
    except GuestUnavailable as e:
        pytest.skip(f"no qemu guest: {e}")


@pytest.mark.qemu
def test_qemu_udhcpc(topo, passt_bin, wdir, daemons, images):
    """The guest's own udhcpc, with the guest's default script: the lease
    it records, and eth0 configured with it."""
    from guest import Guest

    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(topo.cmd([passt_bin, "-f", "-d", "-s", sock, "-D", DNS1,
                         "-S", " ".join(SEARCH), "--fqdn", FQDN]),
               os.path.join(wdir, "passt.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(sock) or not d.alive(),
             what="passt socket")
    kernel, initrd = images
    with Guest(sock, kernel=kernel, initrd=initrd) as g:
        g.wait_booted()
        g.check("udhcpc -i eth0 -s /etc/udhcpc.script -q -n -f -t 5 -T 2",
                timeout=60)
        lease = dict(line.split("=", 1) for line in
                     g.check("cat /tmp/lease").splitlines() if "=" in line)
        addr = g.check("ip -4 addr show dev eth0")
        route = g.check("ip -4 route show default")
        mtu = g.check("cat /sys/class/net/eth0/mtu").strip()
    assert lease["ip"] == HOST4, lease
    assert lease["mask"] == str(PREFIX4)
    assert lease["router"] == UP4
    assert lease["serverid"] == UP4
    assert lease["dns"].split() == [DNS1]
    assert lease["search"].split() == SEARCH
    assert lease["hostname"] == FQDN
    assert lease["mtu"] == "65520"
    assert lease["lease"] == str(0xffffffff)
    assert f"inet {HOST4}/{PREFIX4}" in addr, addr
    assert f"default via {UP4} dev eth0" in route, route
    assert mtu == "65520"
    assert d.alive()
