# SPDX-License-Identifier: GPL-2.0-or-later
"""pasta: spawn a command in new namespaces, or join existing ones.

    ns "up" <--veth--> ns "host": pasta runs here
                                  |  tap "eth0" (named after the template)
                                  v
                       ns "guest": created by pasta for the command, or an
                                   existing one joined by PID or by path

See conftest.py for the addresses. Each test runs as root and as an
unprivileged user the test suite creates.
"""

import json
import os
import random
import subprocess
import textwrap

import pytest

from conftest import (HOST4, HOST6, HOST_IF, OUR_MAC, PREFIX4, PREFIX6, UP4,
                      UP6, Daemon, ip_json, sh, stop_pid, wait_for)

SEP = "@@@"


def ns_view_script():
    """Shell script printing what a namespace sees, as JSON parts."""
    return (f"ip -j addr show; echo {SEP}; ip -j -4 route show; "
            f"echo {SEP}; ip -j -6 route show")


def parse_view(out):
    addr, r4, r6 = out.split(SEP)
    return json.loads(addr), json.loads(r4), json.loads(r6)


def check_configured(addrs, r4, r6, mtu=65520):
    links = {a["ifname"]: a for a in addrs}
    assert HOST_IF in links, f"no {HOST_IF} in namespace: {list(links)}"
    tap = links[HOST_IF]
    assert "UP" in tap["flags"]
    assert tap["mtu"] == mtu
    got = {(a["local"], a["prefixlen"]) for a in tap["addr_info"]
           if a.get("scope") == "global"}
    assert (HOST4, PREFIX4) in got
    assert (HOST6, PREFIX6) in got
    assert "UP" in links["lo"]["flags"]
    assert any(r["dst"] == "default" and r.get("gateway") == UP4 and
               r["dev"] == HOST_IF for r in r4), r4
    assert any(r["dst"] == "default" and r.get("gateway") == UP6 and
               r["dev"] == HOST_IF for r in r6), r6


def test_spawn_config_net(topo, pasta_bin, as_user):
    r = sh(topo.cmd([pasta_bin, "--config-net", "--", "sh", "-c",
                     ns_view_script()], user=as_user))
    check_configured(*parse_view(r.stdout))


def test_spawn_mtu_and_ifname(topo, pasta_bin, as_user):
    r = sh(topo.cmd([pasta_bin, "--config-net", "-m", "9000", "-I", "tap7",
                     "--", "ip", "-j", "link", "show", "tap7"], user=as_user))
    link = json.loads(r.stdout)[0]
    assert link["mtu"] == 9000
    assert "UP" in link["flags"]


def test_spawn_without_config_net(topo, pasta_bin, as_user):
    """Without --config-net, the tap device exists but stays unconfigured."""
    r = sh(topo.cmd([pasta_bin, "--", "ip", "-j", "addr", "show", HOST_IF],
                    user=as_user))
    link = json.loads(r.stdout)[0]
    assert "UP" not in link["flags"]
    assert not [a for a in link.get("addr_info", [])
                if a.get("scope") == "global"]


def test_exit_status_propagates(topo, pasta_bin, as_user):
    r = sh(topo.cmd([pasta_bin, "--config-net", "--", "sh", "-c", "exit 7"],
                    user=as_user), check=False)
    assert r.returncode == 7, r.stderr
    r = sh(topo.cmd([pasta_bin, "-q", "--", "true"], user=as_user))
    assert r.returncode == 0
    assert r.stderr == "", "pasta -q must be silent when all is well"


def test_exit_status_signal(topo, pasta_bin):
    r = sh(topo.cmd([pasta_bin, "--", "sh", "-c", "kill -TERM $$"]),
           check=False)
    assert r.returncode == 128 + 15


def _target_ns(topo, as_user):
    """A process sleeping in namespaces pasta can join: as root a new
    network namespace, as a user new user and network namespaces."""
    if as_user:
        cmd = ["unshare", "-Urn", "sleep", "60"]
    else:
        cmd = ["unshare", "-n", "sleep", "60"]
    p = subprocess.Popen(topo.cmd(cmd, user=as_user))
    # Wait until unshare has exec'd sleep in its new namespace
    wait_for(lambda: os.readlink(f"/proc/{p.pid}/ns/net") !=
             os.readlink("/proc/self/ns/net") and
             open(f"/proc/{p.pid}/comm").read().strip() == "sleep",
             what="target namespace")
    return p


def _ns_view(pid):
    r = sh(["nsenter", "-t", str(pid), "-n", "sh", "-c", ns_view_script()])
    return parse_view(r.stdout)


@pytest.mark.parametrize("how", ["pid", "path"])
def test_join(topo, pasta_bin, as_user, wdir, daemons, how):
    target = _target_ns(topo, as_user)
    try:
        pidfile = os.path.join(wdir, "pasta.pid")
        if how == "pid":
            args = [str(target.pid)]
        else:
            args = ["--netns", f"/proc/{target.pid}/ns/net"]
            if as_user:
                args = ["--userns", f"/proc/{target.pid}/ns/user"] + args
        d = Daemon(topo.cmd([pasta_bin, "--config-net", "-P", pidfile] +
                            args, user=as_user),
                   os.path.join(wdir, "log"), pidfile)
        daemons.append(d)
        # Without -f, pasta returns once the namespace is configured
        d.start(foreground=False)
        assert d.alive()
        check_configured(*_ns_view(target.pid))
    finally:
        stop_pid(target.pid)
        target.wait(timeout=5)


def test_join_named_netns(topo, pasta_bin, wdir, daemons):
    """--netns NAME means /run/netns/NAME (as ip-netns(8) creates them)."""
    name = topo.host.replace("passt-h-", "passt-g-")
    sh(["ip", "netns", "add", name])
    try:
        pidfile = os.path.join(wdir, "pasta.pid")
        d = Daemon(topo.cmd([pasta_bin, "--config-net", "-P", pidfile,
                             "--netns", name]),
                   os.path.join(wdir, "log"), pidfile)
        daemons.append(d)
        d.start(foreground=False)
        r = sh(["ip", "netns", "exec", name, "sh", "-c", ns_view_script()])
        check_configured(*parse_view(r.stdout))
    finally:
        sh(["ip", "netns", "del", name], check=False)


def test_arp_gateway(topo, pasta_bin, as_user):
    """The namespace resolves the gateway, and any other address, to our
    MAC; a duplicate address probe for its own address gets no answer."""
    script = textwrap.dedent(f"""\
        arping -c 1 -w 5 -I {HOST_IF} 192.0.2.77 || exit 11
        arping -D -c 1 -w 2 -I {HOST_IF} {HOST4} >/dev/null || exit 12
        ping -c 1 -W 1 {UP4} >/dev/null 2>&1
        echo {SEP}
        ip -j neigh show dev {HOST_IF}
        """)
    r = sh(topo.cmd([pasta_bin, "--config-net", "--", "sh", "-c", script],
                    user=as_user), check=False)
    assert r.returncode == 0, f"rc {r.returncode}: {r.stderr}"
    arping, neigh = r.stdout.split(SEP)
    assert f"[{OUR_MAC.upper()}]" in arping
    # The kernel's own resolution of the gateway, triggered by the ping
    neigh = {n["dst"]: n for n in json.loads(neigh)}
    assert neigh[UP4]["lladdr"] == OUR_MAC
    assert neigh[UP4]["state"] != ["FAILED"]


GARBAGE = textwrap.dedent("""\
    import os, random, socket, struct, sys
    rnd = random.Random(int(sys.argv[2]))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((sys.argv[1], 0))
    mac = bytes.fromhex("9a559a559a55")
    src = bytes.fromhex("02aabbccddee")
    sent = 0
    def send(b):
        global sent
        try:
            s.send(b)
            sent += 1
        except OSError:
            pass
    for i in range(2000):
        send(os.urandom(rnd.randint(14, 1500)))
    for et in (0x0806, 0x0800, 0x86dd, 0x8100, 0x88cc):
        for n in range(0, 64):
            send(mac + src + struct.pack("!H", et) + os.urandom(n))
    # An ARP header claiming Ethernet/IPv4 but cut short
    send(b"\\xff" * 6 + src + b"\\x08\\x06" + bytes.fromhex("0001080006040001"))
    print(sent)
    """)


def test_garbage_on_tap(topo, pasta_bin, as_user):
    """Random and truncated frames on the tap leave pasta answering ARP."""
    seed = random.randrange(1 << 30)
    script = textwrap.dedent(f"""\
        /usr/bin/python3 -c '{GARBAGE}' {HOST_IF} {seed} || exit 10
        arping -c 1 -w 5 -I {HOST_IF} {UP4} >/dev/null || exit 11
        """)
    r = sh(topo.cmd([pasta_bin, "--config-net", "--", "sh", "-c", script],
                    user=as_user), check=False, timeout=60)
    assert r.returncode == 0, f"seed {seed}, rc {r.returncode}: {r.stderr}"
    assert int(r.stdout.split()[0]) > 2000


def test_log_file_and_debug(topo, pasta_bin, wdir):
    log = os.path.join(wdir, "pasta.log")
    sh(topo.cmd([pasta_bin, "--config-net", "-d", "-l", log, "--",
                 "arping", "-c", "1", "-w", "5", "-I", HOST_IF, UP4]))
    text = open(log).read()
    assert "pasta:" in text
    assert "Spawned command exited with status 0" in text  # debug level
