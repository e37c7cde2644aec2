# SPDX-License-Identifier: GPL-2.0-or-later
"""The sandbox: what a running daemon is left with, and that it holds.

    ns "up" <--veth--> ns "host": passt (-s socket), or pasta spawning
                                  `sleep` or joining a namespace, runs here
                                  |
                                  v
                       this test reads /proc/PID of the running daemon:
                       seccomp, NO_NEW_PRIVS, capabilities, user, root
                       directory, PID namespace

Each daemon runs as root (it must drop to nobody) and as an unprivileged
user (it must stay that user), and must go on working sandboxed (an ARP
exchange with passt; the other test files exercise everything else under the
same sandbox). A test build of the daemon (make passt.test-sigsys) makes a
forbidden system call once sandboxed: it must die of SIGSYS.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess

import pytest

from conftest import (REPO, UP4, Daemon, pid_alive, sh, stop_pid,
                      wait_for)

ZERO_CAPS = "0000000000000000"


def proc_status(pid):
    """/proc/PID/status as a dict of field: value (whitespace kept out)."""
    with open(f"/proc/{pid}/status") as f:
        return {k: v.strip() for k, v in
                (line.split(":", 1) for line in f if ":" in line)}


def wait_sandboxed(d):
    """Wait until the daemon has loaded its seccomp filter: /proc/PID/status
    says so once isolate_postfork() is done."""
    def done():
        if not d.alive():
            raise AssertionError(f"daemon exited: {d.log()}")
        return proc_status(d.pid).get("Seccomp") == "2"
    wait_for(done, what="seccomp filter in place")


def expected_uid(user):
    """Who the daemon must run as: nobody if started as root."""
    if user:
        return pwd.getpwnam(user).pw_uid
    try:
        return pwd.getpwnam("nobody").pw_uid
    except KeyError:
        return 65534


def check_sandbox(pid, user):
    st = proc_status(pid)
    assert st["Seccomp"] == "2", st
    assert st["NoNewPrivs"] == "1", st
    for caps in ("CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"):
        assert st[caps] == ZERO_CAPS, f"{caps}: {st[caps]}"
    uid = expected_uid(user)
    assert [int(u) for u in st["Uid"].split()] == [uid] * 4, st["Uid"]
    assert os.listdir(f"/proc/{pid}/root") == [], "root directory not empty"
    # Namespaces: all new but the network one, which serves host sockets
    for ns in ("user", "mnt", "ipc", "uts"):
        assert (os.readlink(f"/proc/{pid}/ns/{ns}") !=
                os.readlink(f"/proc/self/ns/{ns}")), f"{ns} namespace kept"
    return st


def test_passt_foreground(topo, passt_bin, as_user, wdir, daemons):
    from test_passt import Guest, check_arp_reply

    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(topo.cmd([passt_bin, "-f", "-d", "-s", sock], user=as_user),
               os.path.join(wdir, "log"))
    daemons.append(d)
    d.start()
    wait_sandboxed(d)
    check_sandbox(d.pid, as_user)

    # --debug describes the sandbox it is in
    log = d.log()
    assert "Sandbox: capabilities: none" in log, log
    assert "Sandbox: root directory: empty read-only tmpfs" in log, log

    # ...and it still works
    check_arp_reply(Guest(sock).arp(UP4), UP4)
    assert d.alive()


@pytest.mark.parametrize("spec", ["name", "ids"])
def test_runas(topo, passt_bin, unpriv_user, wdir, daemons, spec):
    """Started as root with --runas, passt runs as that user, given by name
    (LOGIN) or by IDs (UID:GID)."""
    from test_passt import Guest, check_arp_reply

    pw = pwd.getpwnam(unpriv_user)
    runas = unpriv_user if spec == "name" else f"{pw.pw_uid}:{pw.pw_gid}"
    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(topo.cmd([passt_bin, "-f", "-s", sock, "--runas", runas]),
               os.path.join(wdir, "log"))
    daemons.append(d)
    d.start()
    wait_sandboxed(d)
    check_sandbox(d.pid, unpriv_user)
    gids = [int(g) for g in proc_status(d.pid)["Gid"].split()]
    assert gids == [pw.pw_gid] * 4, gids
    check_arp_reply(Guest(sock).arp(UP4), UP4)


def test_passt_daemon_pid_namespace(topo, passt_bin, as_user, wdir,
                                    daemons):
    """Daemonized, passt is the init of a PID namespace of its own: it
    still stops on SIGTERM (init ignores signals it has no handler for)."""
    sock = os.path.join(wdir, "passt.socket")
    pidfile = os.path.join(wdir, "passt.pid")
    d = Daemon(topo.cmd([passt_bin, "-s", sock, "-P", pidfile],
                        user=as_user), os.path.join(wdir, "log"), pidfile)
    daemons.append(d)
    d.start(foreground=False)
    wait_sandboxed(d)
    st = check_sandbox(d.pid, as_user)
    assert st["NSpid"].split() == [str(d.pid), "1"], st["NSpid"]

    os.kill(d.pid, signal.SIGTERM)
    wait_for(lambda: not pid_alive(d.pid), timeout=3, what="exit on SIGTERM")


def test_pasta_spawn(topo, pasta_bin, as_user, wdir, daemons):
    d = Daemon(topo.cmd([pasta_bin, "--config-net", "-d", "--",
                         "sleep", "30"], user=as_user),
               os.path.join(wdir, "log"))
    daemons.append(d)
    d.start()
    wait_sandboxed(d)
    check_sandbox(d.pid, as_user)
    assert "Sandbox: capabilities: none" in d.log()


def test_pasta_join(topo, pasta_bin, as_user, wdir, daemons):
    if as_user:
        cmd = ["unshare", "-Urn", "sleep", "60"]
    else:
        cmd = ["unshare", "-n", "sleep", "60"]
    target = subprocess.Popen(topo.cmd(cmd, user=as_user))
    try:
        wait_for(lambda: os.readlink(f"/proc/{target.pid}/ns/net") !=
                 os.readlink("/proc/self/ns/net") and
                 open(f"/proc/{target.pid}/comm").read().strip() == "sleep",
                 what="target namespace")
        pidfile = os.path.join(wdir, "pasta.pid")
        d = Daemon(topo.cmd([pasta_bin, "--config-net", "-P", pidfile,
                             str(target.pid)], user=as_user),
                   os.path.join(wdir, "log"), pidfile)
        daemons.append(d)
        d.start(foreground=False)
        wait_sandboxed(d)
        st = check_sandbox(d.pid, as_user)
        assert st["NSpid"].split() == [str(d.pid), "1"], st["NSpid"]
        # The tap device is there, and up
        r = sh(["nsenter", "-t", str(target.pid), "-n", "ip", "-j", "link",
                "show", "eth0"])
        assert "UP" in r.stdout
    finally:
        stop_pid(target.pid)
        target.wait(timeout=5)


def test_syslog_after_sandbox(topo, passt_bin, wdir, daemons):
    """Daemonized without --log-file, passt logs to /dev/log: connected
    before the sandbox, as the path is gone after. A private mount namespace
    puts our own socket there (this machine may have no system logger)."""
    path = os.path.join(wdir, "log.socket")
    logger = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    logger.bind(path)
    logger.settimeout(5)
    setup = (f"mount --make-rprivate / && mkdir {wdir}/dev && "
             f"mount --bind /dev {wdir}/dev && "
             "mount -t tmpfs tmpfs /dev && touch /dev/null /dev/log && "
             f"mount --bind {wdir}/dev/null /dev/null && "
             f"mount --bind {path} /dev/log && exec \"$@\"")
    pidfile = os.path.join(wdir, "passt.pid")
    argv = topo.cmd([passt_bin, "-d", "-s", os.path.join(wdir, "sock"),
                     "-P", pidfile])
    d = Daemon(["unshare", "-m", "sh", "-c", setup, "sh"] + argv,
               os.path.join(wdir, "log"), pidfile)
    daemons.append(d)
    try:
        d.start(foreground=False)
        msgs = []
        while not any("Sandbox: limits" in m for m in msgs):
            msgs.append(logger.recv(65536).decode())
    finally:
        logger.close()
    # LOG_DAEMON | LOG_DEBUG
    assert any(m.startswith("<31>passt: Sandbox: capabilities: none")
               for m in msgs), msgs
    wait_sandboxed(d)
    check_sandbox(d.pid, None)


@pytest.fixture(scope="module")
def sigsys_dir(tmp_path_factory):
    """The test build, world-readable, as passt and as pasta."""
    src = os.environ.get("PASST_SIGSYS_BIN",
                         os.path.join(REPO, "passt.test-sigsys"))
    if not os.path.exists(src):
        pytest.fail(f"{src} not built: run make passt.test-sigsys")
    d = tmp_path_factory.mktemp("sigsys")
    os.chmod(d, 0o755)
    shutil.copy2(src, d / "passt")
    os.chmod(d / "passt", 0o755)
    os.symlink("passt", d / "pasta")
    return d


@pytest.mark.parametrize("mode", ["passt", "pasta"])
def test_forbidden_syscall_kills(topo, sigsys_dir, as_user, wdir, mode):
    """Once sandboxed, a system call off the list ends the process with
    SIGSYS: the test build opens a path right after loading the filter."""
    if mode == "passt":
        argv = [str(sigsys_dir / "passt"), "-f", "-d", "-s",
                os.path.join(wdir, "passt.socket")]
    else:
        argv = [str(sigsys_dir / "pasta"), "-d", "--config-net", "--",
                "sleep", "30"]
    r = sh(topo.cmd(argv, user=as_user), check=False)
    assert r.returncode == -signal.SIGSYS, (r.returncode, r.stderr)
    assert "Test build: opening a path" in r.stderr
    assert "was allowed" not in r.stderr
