# SPDX-License-Identifier: GPL-2.0-or-later
"""The podman contract (../shared/COMPAT.md), end to end: the exact argument
vectors podman and rootlesskit build, against namespaces the test creates
(podman itself isn't needed), and the namespace's lifetime rules.

    ns "up" (clients) <--veth--> ns "host": pasta runs here
                                      | tap
                           ns "target": made by the test (ip netns add, or
                           a process of its own), joined by pasta

pasta must exit 0 only once the namespace is configured, stay running in
the background, print nothing on stderr when all is well, forward what it
was asked to, and exit when the namespace goes away: its file removed
(joined by path), or its process gone (joined by PID); --no-netns-quit
keeps it running.
"""

import json
import os
import subprocess
import uuid

import pytest

from conftest import (HOST4, UP4, ip_json, pid_alive, pids_with_arg, sh,
                      stop_pid,
                      wait_for)
from test_tcp import PY, free_port, in_ns, servers, start_server  # noqa
from test_tcp import tool  # noqa


@pytest.fixture
def netns(topo):
    """A named namespace, as podman's own: pasta joins it by path."""
    name = "passt-p-" + uuid.uuid4().hex[:8]
    sh(["ip", "netns", "add", name])
    yield name
    for pid in pids_with_arg(f"/run/netns/{name}"):
        stop_pid(pid)
    sh(["ip", "netns", "del", name], check=False)


def configured(name):
    """The tap device has the host's address, and a default route."""
    links = {lk["ifname"]: lk for lk in ip_json(name, "addr", "show")}
    addrs = [a["local"] for lk in links.values()
             for a in lk.get("addr_info", [])]
    routes = ip_json(name, "-4", "route", "show", "default")
    return HOST4 in addrs and routes and routes[0]["gateway"] == UP4


def fetch(ns, tool, addr, port):
    r = sh(in_ns(ns, [PY, tool, "fetch", addr, port]), check=False)
    return json.loads(r.stdout.strip().splitlines()[-1])["data"] \
        if r.returncode == 0 else None


def podman_argv(pasta_bin, path, hp, cp, extra=()):
    """`podman run -p HP:CP --network pasta`, as podman 5 builds it."""
    return [pasta_bin, "--config-net", *extra,
            "-t", f"{hp}-{hp}:{cp}-{cp}", "--dns-forward", "169.254.1.1",
            "-u", "none", "-T", "none", "-U", "none", "--no-map-gw",
            "--quiet", "--netns", path, "--map-guest-addr", "169.254.1.2"]


def test_podman_run(topo, pasta_bin, netns, tool, wdir, servers):
    """podman run -p HP:CP: exit 0 configured, silent, in the background;
    the port works from outside and from the host's loopback; removing
    the namespace file ends pasta."""
    path = f"/run/netns/{netns}"
    hp, cp = free_port(), free_port() + 1
    r = sh(topo.cmd(podman_argv(pasta_bin, path, hp, cp)), timeout=20)
    assert r.returncode == 0 and r.stderr == "" and r.stdout == ""
    assert configured(netns)
    pids = pids_with_arg(path)
    assert pids and all(pid_alive(p) for p in pids)

    start_server(servers, netns, tool, "banner", "0.0.0.0", cp, "ctr",
                 wdir=wdir)
    assert fetch(topo.up, tool, HOST4, hp) == "ctr"
    assert fetch(topo.host, tool, "127.0.0.1", hp) == "ctr"

    sh(["ip", "netns", "del", netns])
    wait_for(lambda: not pids_with_arg(path), timeout=5,
             what="pasta to exit with its namespace")


def test_podman_bridge(topo, pasta_bin, netns, wdir):
    """A rootless bridge network adds --pid FILE; the PID is pasta's, and
    it goes with the namespace file."""
    path = f"/run/netns/{netns}"
    pidfile = os.path.join(wdir, "pasta.pid")
    argv = podman_argv(pasta_bin, path, free_port(), 80,
                       extra=("--pid", pidfile))
    r = sh(topo.cmd(argv), timeout=20)
    assert r.returncode == 0 and r.stderr == ""
    pid = int(open(pidfile).read())
    assert pid_alive(pid) and configured(netns)

    sh(["ip", "netns", "del", netns])
    wait_for(lambda: not pid_alive(pid), timeout=5,
             what="pasta to exit with its namespace")


def test_no_netns_quit(topo, pasta_bin, netns, wdir):
    """--no-netns-quit: the namespace file goes, pasta stays."""
    path = f"/run/netns/{netns}"
    pidfile = os.path.join(wdir, "pasta.pid")
    argv = podman_argv(pasta_bin, path, free_port(), 80,
                       extra=("--pid", pidfile, "--no-netns-quit"))
    sh(topo.cmd(argv), timeout=20)
    pid = int(open(pidfile).read())
    sh(["ip", "netns", "del", netns])
    with pytest.raises(TimeoutError):
        wait_for(lambda: not pid_alive(pid), timeout=2, what="pasta")
    stop_pid(pid)


@pytest.mark.parametrize("how", ["pid", "netns-path"])
def test_rootlesskit(topo, pasta_bin, wdir, as_user, how):
    """rootlesskit's command line, joining a process's namespaces by PID or
    by /proc path (--userns and --netns), as root and as a user: pasta
    exits when the process does."""
    p = subprocess.Popen(topo.cmd(["unshare", "--user", "--map-root-user",
                                   "--net", "sleep", "60"], user=as_user))
    try:
        wait_for(lambda: os.readlink(f"/proc/{p.pid}/ns/net") !=
                 os.readlink("/proc/self/ns/net") and
                 open(f"/proc/{p.pid}/comm").read().strip() == "sleep",
                 what="target process")
        pidfile = os.path.join(wdir, f"pasta-{how}.pid")
        target = [str(p.pid)] if how == "pid" else \
            [f"--userns=/proc/{p.pid}/ns/user",
             f"--netns=/proc/{p.pid}/ns/net"]
        argv = [pasta_bin, "--stderr", "--ns-ifname=tap0", "--mtu=65520",
                "--config-net", "--address=10.0.2.100", "--netmask=24",
                "--gateway=10.0.2.2", "--dns-forward=10.0.2.3",
                "--no-map-gw", "--ipv4-only", "--tcp-ports=none",
                "--udp-ports=none", "--host-lo-to-ns-lo", "--quiet",
                f"--pid={pidfile}"] + target
        r = sh(topo.cmd(argv, user=as_user), timeout=20)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        pasta_pid = int(open(pidfile).read())
        try:
            r = sh(["nsenter", "-t", str(p.pid), "-n", "ip", "-j", "addr",
                    "show", "tap0"])
            link = json.loads(r.stdout)[0]
            assert "10.0.2.100" in [a["local"] for a in link["addr_info"]]
            assert pid_alive(pasta_pid)
            stop_pid(p.pid)
            p.wait(timeout=5)
            wait_for(lambda: not pid_alive(pasta_pid), timeout=5,
                     what="pasta to exit with the process")
        finally:
            if pid_alive(pasta_pid):
                stop_pid(pasta_pid)
    finally:
        if p.poll() is None:
            stop_pid(p.pid)
            p.wait(timeout=5)


def test_libvirt_argv(topo, passt_bin, wdir):
    """libvirt's passt command line: passt goes to the background once
    the PID file is written and its socket listens."""
    sock = os.path.join(wdir, "passt.socket")
    pidfile = os.path.join(wdir, "passt.pid")
    log = os.path.join(wdir, "passt.log")
    argv = [passt_bin, "--one-off", "--socket", sock, "--pid", pidfile,
            "--mtu", "1500", "--log-file", log, "--address", HOST4,
            "--netmask", "24", "--tcp-ports", str(free_port()),
            "--udp-ports", str(free_port()), "--mac-addr",
            "52:54:00:12:34:56"]
    r = sh(topo.cmd(argv), timeout=20)
    assert r.returncode == 0
    pid = int(open(pidfile).read())
    try:
        assert pid_alive(pid) and os.path.exists(sock)
    finally:
        stop_pid(pid)
