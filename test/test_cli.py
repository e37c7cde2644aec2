# SPDX-License-Identifier: GPL-2.0-or-later
"""The command lines our callers already use: podman, rootlesskit, libvirt,
qemu's -netdev passt; and the behaviour they rely on (exit codes, messages,
going to the background once the namespace is ready).

    ns "up" <--veth--> ns "host": pasta / passt run here
                                  |
                       ns "target": created by the test, joined by pasta
"""

import json
import os
import socket
import subprocess

import pytest

from conftest import (HOST4, HOST_IF, UP4, ip_json, pid_alive, pids_with_arg,
                      sh, stop_pid,
                      wait_for)


def test_version_and_help(passt_bin, pasta_bin):
    for b in (passt_bin, pasta_bin):
        r = sh([b, "--version"])
        assert os.path.basename(b) in r.stdout
        r = sh([b, "--help"])
        assert "Usage:" in r.stdout and r.stderr == ""
        assert len(r.stdout.splitlines()) < 100


def test_rootlesskit_probes(pasta_bin):
    """rootlesskit probes with these; both must exit 0."""
    sh([pasta_bin, "--version"])
    sh([pasta_bin, "--host-lo-to-ns-lo", "--version"])


def test_unknown_option(passt_bin, pasta_bin):
    """podman looks for getopt's own message; exit status 1."""
    for b in (passt_bin, pasta_bin):
        r = sh([b, "--bogus-option"], check=False)
        assert r.returncode == 1
        assert "unrecognized option '--bogus-option'" in r.stderr


@pytest.mark.parametrize("argv,what", [
    (["-m", "70000"], "70000"),
    (["-t", "0"], "0"),
    (["-t", "5-1"], "5-1"),
    (["-a", "not-an-address"], "not-an-address"),
    (["-M", "9a:55"], "9a:55"),
])
def test_bad_values_quoted(pasta_bin, argv, what):
    """A bad value ends start-up with a message that quotes it."""
    r = sh([pasta_bin] + argv + ["--", "true"], check=False)
    assert r.returncode == 1
    assert f"`{what}'" in r.stderr, r.stderr


@pytest.fixture
def target_netns(topo):
    name = topo.host.replace("passt-h-", "passt-t-")
    sh(["ip", "netns", "add", name])
    yield name
    for pid in pids_with_arg(f"/run/netns/{name}"):
        stop_pid(pid)
    sh(["ip", "netns", "del", name], check=False)


def _check_ns(name, addr=HOST4, gw=UP4, ifname=HOST_IF, mtu=65520):
    links = {lk["ifname"]: lk for lk in ip_json(name, "addr", "show")}
    assert ifname in links, links
    assert links[ifname]["mtu"] == mtu
    assert addr in [a["local"] for a in links[ifname]["addr_info"]]
    routes = ip_json(name, "-4", "route", "show", "default")
    assert routes and routes[0]["gateway"] == gw


def test_podman_argv(topo, pasta_bin, target_netns):
    """What podman runs for `podman run -p 8080:80 --network pasta`: exit 0
    once the namespace is configured, nothing on stderr, stay running."""
    path = f"/run/netns/{target_netns}"
    argv = [pasta_bin, "--config-net", "-t", "8080-8080:80-80",
            "--dns-forward", "169.254.1.1", "-u", "none", "-T", "none",
            "-U", "none", "--no-map-gw", "--quiet", "--netns", path,
            "--map-guest-addr", "169.254.1.2"]
    r = sh(topo.cmd(argv), timeout=20)
    assert r.returncode == 0
    assert r.stderr == "" and r.stdout == ""
    _check_ns(target_netns)
    pids = pids_with_arg(path)
    assert len(pids) == 1 and pid_alive(pids[0])


def test_podman_bridge_argv(topo, pasta_bin, target_netns, wdir):
    """Rootless bridge networks add --pid FILE; IPv6 host address
    unbracketed in a port spec."""
    path = f"/run/netns/{target_netns}"
    pidfile = os.path.join(wdir, "pasta.pid")
    argv = [pasta_bin, "--config-net", "--pid", pidfile,
            "-t", "127.0.0.1/8080-8080:80-80", "-t", "::1/8443-8443:443-443",
            "-u", "5353-5353:53-53", "--dns-forward", "169.254.1.1",
            "-T", "none", "-U", "none", "--no-map-gw", "--quiet",
            "--netns", path, "--map-guest-addr", "169.254.1.2"]
    r = sh(topo.cmd(argv), timeout=20)
    assert r.returncode == 0 and r.stderr == ""
    pid = int(open(pidfile).read())
    assert pid_alive(pid) and pids_with_arg(path) == [pid]
    _check_ns(target_netns)


def test_rootlesskit_argv(topo, pasta_bin, wdir):
    """rootlesskit's command line, joining a namespace by PID. The
    addresses are only configured inside the test's namespace; no traffic
    is sent to them."""
    p = subprocess.Popen(topo.cmd(["unshare", "-n", "sleep", "60"]))
    try:
        wait_for(lambda: open(f"/proc/{p.pid}/comm").read().strip() ==
                 "sleep", what="target process")
        pidfile = os.path.join(wdir, "pasta.pid")
        argv = [pasta_bin, "--stderr", "--ns-ifname=tap0", "--mtu=65520",
                "--config-net", "--address=10.0.2.100", "--netmask=24",
                "--gateway=10.0.2.2", "--dns-forward=10.0.2.3",
                "--no-map-gw", "--ipv4-only", "--tcp-ports=none",
                "--udp-ports=none", "--host-lo-to-ns-lo",
                f"--pid={pidfile}", str(p.pid)]
        sh(topo.cmd(argv), timeout=20)
        pasta_pid = int(open(pidfile).read())
        try:
            r = sh(["nsenter", "-t", str(p.pid), "-n", "ip", "-j", "addr",
                    "show", "tap0"])
            link = json.loads(r.stdout)[0]
            assert ("10.0.2.100", 24) in [(a["local"], a["prefixlen"])
                                          for a in link["addr_info"]]
            r = sh(["nsenter", "-t", str(p.pid), "-n", "ip", "-j", "-6",
                    "addr", "show", "tap0", "scope", "global"])
            assert not json.loads(r.stdout) or \
                not json.loads(r.stdout)[0].get("addr_info")
        finally:
            stop_pid(pasta_pid)
    finally:
        stop_pid(p.pid)
        p.wait(timeout=5)


def test_qemu_netdev_passt_argv(topo, passt_bin, wdir):
    """qemu's -netdev passt: `passt --quiet --pid FILE --fd 3`, fd 3 a
    connected stream socket; passt goes to the background."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pidfile = os.path.join(wdir, "passt.pid")
    n = theirs.fileno()
    r = subprocess.run(topo.cmd(["bash", "-c", f'exec "$0" "$@" 3<&{n} {n}<&-',
                                 passt_bin, "--quiet", "--pid", pidfile,
                                 "--fd", "3"]),
                       pass_fds=[n], capture_output=True, text=True,
                       timeout=20)
    theirs.close()
    assert r.returncode == 0 and r.stderr == "", r.stderr
    pid = int(open(pidfile).read())
    assert pid_alive(pid)
    ours.close()            # the guest goes away: one-off, passt exits
    wait_for(lambda: not pid_alive(pid), what="passt to exit")
