# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared fixtures for the integration tests.

Every test that runs the daemon runs it inside a network namespace the test
created, whose only way out is a veth pair to a second namespace, also the
test's own: nothing a guest sends can reach this machine's real network.

    +-------------- ns "up" -------------+     +----------- ns "host" ------------+
    | veth "up0"                         |     | veth "eth0" (template interface) |
    |   192.0.2.1/24  2001:db8::1/64     |<--->|   192.0.2.2/24  2001:db8::2/64   |
    +------------------------------------+     |   default via 192.0.2.1,         |
                                               |               2001:db8::1        |
                                               |   passt / pasta run here         |
                                               +----------------------------------+

Addresses are from the documentation ranges (RFC 5737, RFC 3849).
"""

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import uuid

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HOST4 = "192.0.2.2"
UP4 = "192.0.2.1"
PREFIX4 = 24
HOST6 = "2001:db8::2"
UP6 = "2001:db8::1"
PREFIX6 = 64
HOST_IF = "eth0"
OUR_MAC = "9a:55:9a:55:9a:55"
TEST_USER = "passt-test"


def pytest_configure(config):
    config.addinivalue_line("markers", "qemu: boots a qemu guest (slow)")


def sh(cmd, check=True, timeout=30, **kw):
    """Run a command (list), return CompletedProcess with text output."""
    return subprocess.run(cmd, check=check, timeout=timeout, text=True,
                          capture_output=True, **kw)


def wait_for(cond, timeout=10.0, interval=0.02, what="condition"):
    """Poll cond() until it returns a true value, bounded by timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def pids_with_arg(arg):
    """PIDs of processes whose command line has this (unique) argument."""
    pids = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if arg.encode() in args:
            pids.append(int(p))
    return pids


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0): look at its state
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def stop_pid(pid, timeout=5.0):
    """Stop a process we started, by its PID: SIGTERM, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        try:
            wait_for(lambda: not pid_alive(pid), timeout=timeout,
                     what=f"pid {pid} to exit")
            return
        except TimeoutError:
            continue


def ip_json(ns, *args):
    """`ip -j ARGS` in namespace ns, parsed."""
    cmd = ["ip", "-j"] + list(args)
    if ns:
        cmd = ["ip", "netns", "exec", ns] + cmd
    out = sh(cmd).stdout
    return json.loads(out) if out.strip() else []


class Topology:
    """The two namespaces of the module docstring, deleted on exit."""

    def __init__(self):
        tag = uuid.uuid4().hex[:8]
        self.host = f"passt-h-{tag}"
        self.up = f"passt-u-{tag}"
        self.host_if = HOST_IF

    def __enter__(self):
        sh(["ip", "netns", "add", self.up])
        try:
            sh(["ip", "netns", "add", self.host])
            h = ["ip", "netns", "exec", self.host]
            u = ["ip", "netns", "exec", self.up]
            sh(h + ["ip", "link", "add", HOST_IF, "type", "veth", "peer",
                    "name", "up0", "netns", self.up])
            sh(u + ["ip", "link", "set", "up0", "up"])
            sh(u + ["ip", "link", "set", "lo", "up"])
            sh(u + ["ip", "addr", "add", f"{UP4}/{PREFIX4}", "dev", "up0"])
            sh(u + ["ip", "addr", "add", f"{UP6}/{PREFIX6}", "dev", "up0",
                    "nodad"])
            sh(h + ["ip", "link", "set", HOST_IF, "up"])
            sh(h + ["ip", "link", "set", "lo", "up"])
            sh(h + ["ip", "addr", "add", f"{HOST4}/{PREFIX4}", "dev",
                    HOST_IF])
            sh(h + ["ip", "addr", "add", f"{HOST6}/{PREFIX6}", "dev",
                    HOST_IF, "nodad"])
            sh(h + ["ip", "route", "add", "default", "via", UP4])
            sh(h + ["ip", "-6", "route", "add", "default", "via", UP6])
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for ns in (self.host, self.up):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def cmd(self, args, user=None):
        """Argument vector running args in the host namespace, as user."""
        pre = ["ip", "netns", "exec", self.host]
        if user:
            pw = pwd.getpwnam(user)
            pre += ["setpriv", f"--reuid={pw.pw_uid}",
                    f"--regid={pw.pw_gid}", "--clear-groups",
                    "--reset-env", "--"]
        return pre + list(args)


@pytest.fixture(autouse=True)
def sanitizer_reports():
    """make check-asan: the sanitizer build writes its reports to the file
    $PASST_ASAN_LOG (see test/asan.c); a test during which one was written
    fails with it, whether or not the test noticed the daemon stop."""
    path = os.environ.get("PASST_ASAN_LOG")
    if not path or not os.path.exists(path):
        yield
        return
    start = os.path.getsize(path)
    yield
    with open(path, "rb") as f:
        f.seek(start)
        new = f.read()
    if new:
        pytest.fail("sanitizer report:\n" +
                    new.decode(errors="replace")[:8000], pytrace=False)


@pytest.fixture
def root():
    if os.geteuid() != 0:
        pytest.skip("needs root (network namespaces)")


@pytest.fixture
def topo(root):
    with Topology() as t:
        yield t


@pytest.fixture(scope="session")
def bin_dir(tmp_path_factory):
    """A world-readable copy of the binary and its pasta link, so that an
    unprivileged user can run it whatever the permissions of the checkout."""
    src = os.environ.get("PASST_BIN", os.path.join(REPO, "passt"))
    if not os.path.exists(src):
        pytest.fail(f"{src} not built: run make first")
    d = tmp_path_factory.mktemp("bin")
    os.chmod(d, 0o755)
    os.chmod(os.path.dirname(d), 0o755)
    shutil.copy2(src, d / "passt")
    os.chmod(d / "passt", 0o755)
    os.symlink("passt", d / "pasta")
    return d


@pytest.fixture(scope="session")
def passt_bin(bin_dir):
    return str(bin_dir / "passt")


@pytest.fixture(scope="session")
def pasta_bin(bin_dir):
    return str(bin_dir / "pasta")


@contextlib.contextmanager
def _sysctl(path, value):
    with open(path) as f:
        old = f.read().strip()
    with open(path, "w") as f:
        f.write(value)
    try:
        yield
    finally:
        with open(path, "w") as f:
            f.write(old)


@pytest.fixture(scope="session")
def unpriv_user():
    """A non-root user made for the tests, with what an unprivileged daemon
    needs on a typical distribution: /dev/net/tun usable by all, and ping
    sockets allowed (this machine's defaults are stricter than most)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to create the test user")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) not installed")
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        sh(["useradd", "--system", "--no-create-home", "--shell",
            "/usr/sbin/nologin", TEST_USER])
    tun = "/dev/net/tun"
    mode = stat.S_IMODE(os.stat(tun).st_mode)
    os.chmod(tun, 0o666)
    try:
        with _sysctl("/proc/sys/net/ipv4/ping_group_range",
                     "0\t2147483647"):
            yield TEST_USER
    finally:
        os.chmod(tun, mode)


@pytest.fixture(params=["root", "user"])
def as_user(request):
    """Run a test as root and as an unprivileged user: both must work."""
    if request.param == "root":
        return None
    return request.getfixturevalue("unpriv_user")


class Daemon:
    """A daemon started by a test, stopped by its PID."""

    def __init__(self, argv, log_path, pid_path=None):
        self.argv = argv
        self.log_path = log_path
        self.pid_path = pid_path
        self.proc = None
        self.pid = None

    def start(self, foreground=True, timeout=10):
        self.logf = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=self.logf)
        if foreground:
            self.pid = self.proc.pid
        else:
            rc = self.proc.wait(timeout=timeout)
            assert rc == 0, f"daemon exited {rc}: {self.log()}"
            self.pid = int(wait_for(lambda: _read(self.pid_path),
                                    what="PID file"))
        return self

    def alive(self):
        if self.proc is not None and self.pid == self.proc.pid:
            return self.proc.poll() is None
        return pid_alive(self.pid)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        if self.pid:
            stop_pid(self.pid)
        if self.proc is not None:
            with contextlib.suppress(Exception):
                self.proc.wait(timeout=5)
        self.logf.close()


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


@pytest.fixture
def daemons():
    """Collects daemons started by a test; stops them all at the end."""
    started = []
    yield started
    for d in started:
        d.stop()


@pytest.fixture
def wdir():
    """A scratch directory any user may use (for sockets, logs, PID files)."""
    d = tempfile.mkdtemp(prefix="passt-test-")
    os.chmod(d, 0o777)
    yield d
    shutil.rmtree(d, ignore_errors=True)
