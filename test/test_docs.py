# SPDX-License-Identifier: GPL-2.0-or-later
"""The documentation: README.md's commands, the man page, make install.

Each ```sh block of README.md runs as one shell script (set -e), as root,
in a sandbox that can't touch this machine:

    ns "up" <--veth--> ns "host": the block runs here, in mount and PID
                                  namespaces of its own: /tmp, /run/netns
                                  and /usr/local are empty tmpfs mounts, and
                                  whatever the block leaves running (pasta
                                  in the background, passt) dies with it

Every command of the README has an entry in COMMANDS, saying what the test
does with it: run it as written, run it with a small rewrite (input on
stdin, a time limit for a daemon in the foreground, qemu halted and without
a disk, connecting to passt), or check its syntax only, with the reason.
A command added to the README without an entry fails, and so does an entry
whose command is gone: change both together.

The man page: no warnings from man(1), every option of --help documented
as an entry of its own, dashes escaped; `make install` and `make uninstall`
add and remove exactly the expected files.
"""

import os
import re
import shlex
import shutil
import subprocess

import pytest

from conftest import HOST4, HOST6, PREFIX4, PREFIX6, REPO, UP4, sh

README = os.path.join(REPO, "README.md")
MAN_PASST = os.path.join(REPO, "doc", "passt.1")
MAN_PASTA = os.path.join(REPO, "doc", "pasta.1")

ADDR4 = f"{HOST4}/{PREFIX4}"
ADDR6 = f"{HOST6}/{PREFIX6}"
MAN_NAME = "passt, pasta - user-mode networking"

BLOCK_TIMEOUT = 600        # make unit and a nested pytest run take a while
SANDBOX = ["unshare", "--mount", "--propagation", "private", "--pid",
           "--fork", "--kill-child", "--mount-proc"]
# The checkout may itself be under /tmp or /usr/local (CI clones anywhere):
# the block enters it before the tmpfs mounts hide its path, then binds it
# back at the same path
PRELUDE = """mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run/netns
mount -t tmpfs tmpfs /usr/local
"""
BLOCK_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "SHELL": "/bin/sh",
    "LC_ALL": "C.UTF-8",
    "HOME": "/root",
}


class Run:
    """Run the command as written; the block's output must contain each
    string of expect."""

    needs = ()

    def __init__(self, expect=()):
        self.expect = list(expect)

    def script(self, cmd):
        return cmd


class Stdin(Run):
    """An interactive command: give it text on standard input."""

    def __init__(self, text, expect=()):
        super().__init__(expect)
        self.text = text

    def script(self, cmd):
        return f"printf %s {shlex.quote(self.text)} | {cmd}"


class Stays(Run):
    """A daemon in the foreground: still running after secs seconds, then
    stopped with SIGINT (the README's Ctrl-C)."""

    def __init__(self, secs, expect=()):
        super().__init__(expect)
        self.secs = secs

    def script(self, cmd):
        return (f"rc=0; timeout -s INT {self.secs} {cmd} || rc=$?; "
                f"[ $rc -eq 124 ]")


class Qemu(Run):
    """A qemu command line: there is no guest disk here, so keep only its
    -device and -netdev options, and start qemu halted (-S), in the
    background. It must connect to the socket of its -netdev within a few
    seconds, and still be running then (qemu 7.2 doesn't exit when it
    can't connect: the guest just has no network, so look at the socket)."""

    needs = ("qemu-system-x86_64", "ss")

    def script(self, cmd):
        words = shlex.split(cmd)
        assert words[0] == "qemu-system-x86_64", cmd
        kept, path = [], None
        for opt, val in zip(words, words[1:]):
            if opt in ("-device", "-netdev"):
                kept += [opt, val]
            if opt == "-netdev":
                for kv in val.split(","):
                    if kv.startswith("addr.path="):
                        path = kv[len("addr.path="):]
        assert "-device" in kept and path, cmd
        argv = ["qemu-system-x86_64", "-S", "-accel", "tcg", "-display",
                "none", "-nodefaults", "-no-user-config", "-monitor",
                "none"] + kept
        connected = ("ss -Hx state established | grep -qF " +
                     shlex.quote(path))
        return (f"{shlex.join(argv)} &\n"
                f"for i in $(seq 100); do {connected} && break; "
                f"sleep 0.1; done\n"
                f"{connected}\n"
                f"kill $!")


class Partly(Run):
    """Run only a part of the command (which must appear in it verbatim);
    the rest is checked for syntax only, for the reason given."""

    def __init__(self, keep, why, expect=()):
        super().__init__(expect)
        self.keep = keep
        self.why = why

    def script(self, cmd):
        assert self.keep in cmd, f"`{self.keep}' not in `{cmd}'"
        return self.keep


class Syntax:
    """Syntax check only, for the reason given; verify, if given, is a
    command run in the source tree that must succeed (a cheap check that
    what the README names exists)."""

    expect = ()
    needs = ()

    def __init__(self, why, verify=None):
        self.why = why
        self.verify = verify

    def script(self, cmd):
        return ": " + shlex.quote(cmd)


COMMANDS = {
    # Set-up
    "./test/install-deps && make && ./pasta --config-net -- ip -br addr show":
        Partly("./pasta --config-net -- ip -br addr show",
               why="install-deps installs packages from the network; make: "
                   "the suite runs on the tree it just built",
               expect=[ADDR4, ADDR6]),
    "make check":
        Syntax("runs the whole suite, this test included",
               verify=["make", "-n", "check"]),

    # Install: /usr/local is an empty tmpfs in the sandbox
    "make install": Run(),
    "man pasta": Run(expect=[MAN_NAME]),
    "make uninstall": Run(),

    # A network namespace
    "./pasta --config-net":
        Stdin("ip -br addr show\nexit\n", expect=[ADDR4, ADDR6]),
    "./pasta --config-net -- ip route show":
        Run(expect=[f"default via {UP4}"]),
    "unshare --user --map-root-user --net sleep 600 &": Run(),
    "sleep 1": Run(),
    "./pasta --config-net -P /tmp/pasta.pid $!": Run(),
    "nsenter --target $! --user --net ip -br addr show":
        Run(expect=[ADDR4, ADDR6]),
    "kill $(cat /tmp/pasta.pid) $!": Run(),
    "ip netns add ctr": Run(),
    "./pasta --config-net -P /tmp/pasta.pid --netns ctr": Run(),
    "ip netns exec ctr ip -br addr show": Run(expect=[ADDR4, ADDR6]),
    "kill $(cat /tmp/pasta.pid); ip netns del ctr": Run(),
    "podman run --rm --network pasta docker.io/library/alpine ip addr show":
        Syntax("needs podman and an image from the network; podman's "
               "command line for pasta is checked in test_cli.py"),

    # A qemu guest
    "./passt -s /tmp/passt.socket -P /tmp/passt.pid": Run(),
    "qemu-system-x86_64 -enable-kvm -m 2G -drive "
    "file=guest.qcow2,if=virtio -device virtio-net-pci,netdev=net0 -netdev "
    "stream,id=net0,server=off,addr.type=unix,addr.path=/tmp/passt.socket":
        Qemu(),
    "kill $(cat /tmp/passt.pid)": Run(),

    # Port forwarding: -u works, the others are accepted and checked
    "./pasta --config-net -t 2222:22 -u 8053:53 -T none -U none -- true":
        Run(),

    # Runtime forwarding through the control socket
    "./pasta --config-net -t none -P /tmp/pasta.pid --control /tmp/pasta.ctl "
    "-- sleep 600 &": Run(),
    "./passt-ctl /tmp/pasta.ctl add tcp 8080:80":
        Run(expect=['{"ok":true,"ports":1}']),
    "./passt-ctl /tmp/pasta.ctl list":
        Run(expect=['"port":"8080","to":"80"']),
    "./passt-ctl /tmp/pasta.ctl remove tcp 8080": Run(),
    "kill $(cat /tmp/pasta.pid)": Run(),

    # Logs
    "./passt -f -d -s /tmp/passt.socket":
        Stays(2, expect=["UNIX domain socket bound at /tmp/passt.socket"]),
    "./pasta --config-net -d -l /tmp/pasta.log -- true; cat /tmp/pasta.log":
        Run(expect=["Template interface: eth0"]),
    "journalctl -t passt -t pasta":
        Syntax("reads this machine's journal: what it shows depends on the "
               "machine, not on us"),

    # Tests
    "make unit": Run(),
    "/usr/bin/python3 -m pytest test/test_pasta.py -k spawn_config_net":
        Run(expect=[" passed"]),     # at least one test ran
    "make check PYTEST_ARGS=\"-m 'not qemu'\"":
        Syntax("runs the whole suite, this test included",
               verify=["make", "-n", "check", "PYTEST_ARGS=-m 'not qemu'"]),
}


def _strip_comment(line):
    """A command line without its trailing "# comment"."""
    return re.sub(r"(^|\s)#(\s.*)?$", "", line).strip()


def readme_blocks():
    """The ```sh blocks of README.md, each a list of commands: continuation
    lines joined, comments and blank lines dropped, spaces collapsed."""
    with open(README) as f:
        text = f.read()

    blocks = []
    for m in re.finditer(r"^```sh\n(.*?)^```\s*$", text, re.M | re.S):
        body = m.group(1).replace("\\\n", " ")
        cmds = [" ".join(_strip_comment(ln).split())
                for ln in body.splitlines()]
        blocks.append([c for c in cmds if c])
    return blocks


def _printed(what, out):
    """Whether out contains what, give or take spaces (man justifies)."""
    return " ".join(what.split()) in " ".join(out.split())


def _block_id(block):
    return block[0][:40] if block else "empty"


BLOCKS = readme_blocks()


def test_readme_commands_classified():
    """Every README command has an entry in COMMANDS, and every entry a
    command in the README."""
    seen = {c for b in BLOCKS for c in b}
    missing = sorted(seen - COMMANDS.keys())
    stale = sorted(COMMANDS.keys() - seen)
    assert not missing, ("README commands without an entry in COMMANDS "
                         f"(test/test_docs.py): {missing}")
    assert not stale, f"COMMANDS entries not in the README: {stale}"


@pytest.mark.parametrize("cmd", sorted(c for c, a in COMMANDS.items()
                                       if isinstance(a, (Syntax, Partly))))
def test_readme_syntax_only(cmd):
    """What isn't run is valid shell, and what it names exists."""
    r = sh(["sh", "-n", "-c", cmd], check=False)
    assert r.returncode == 0, r.stderr
    verify = getattr(COMMANDS[cmd], "verify", None)
    if verify:
        r = sh(verify, check=False, cwd=REPO, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
    if cmd.startswith("./test/install-deps"):
        path = os.path.join(REPO, "test", "install-deps")
        assert os.access(path, os.X_OK)
        assert sh(["sh", "-n", path], check=False).returncode == 0


@pytest.mark.parametrize("block", BLOCKS, ids=_block_id)
def test_readme_block(topo, block):
    """Run one README block in the sandbox; check what it printed."""
    actions = [COMMANDS[c] for c in block if c in COMMANDS]
    assert len(actions) == len(block), "unclassified command: see above"
    if all(isinstance(a, Syntax) for a in actions):
        pytest.skip("syntax only: " + "; ".join(a.why for a in actions))

    for b in ("passt", "pasta"):
        if os.path.exists(os.path.join(REPO, b)):
            continue
        if os.environ.get("PASST_BIN"):
            pytest.skip(f"the README runs ./{b}, not built here")
        pytest.fail(f"{b} not built: run make first")
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) not installed")
    for a in actions:
        for tool in a.needs:
            if shutil.which(tool) is None:
                pytest.skip(f"{tool} not installed")

    repo = shlex.quote(REPO)
    script = f"set -e\ncd {repo}\n" + PRELUDE + \
        f"[ -d {repo} ] || {{ mkdir -p {repo}; " \
        f"mount --no-canonicalize --bind . {repo}; }}\n" + \
        "".join(a.script(c) + "\n" for c, a in zip(block, actions))
    argv = topo.cmd(SANDBOX + ["sh", "-c", script])
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, env=BLOCK_ENV, timeout=BLOCK_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"README block timed out:\n{script}\n--- output:\n"
                    f"{e.output}")

    where = f"README block:\n{script}\n--- output:\n{r.stdout}"
    assert r.returncode == 0, f"exit status {r.returncode}; {where}"
    for a in actions:
        for s in a.expect:
            assert _printed(s, r.stdout), f"`{s}' not printed; {where}"


def _man(args, width=80):
    if shutil.which("man") is None or shutil.which("groff") is None:
        pytest.skip("man-db or groff not installed")
    env = dict(os.environ, MANWIDTH=str(width), LC_ALL="C.UTF-8",
               MAN_KEEP_FORMATTING="", MANPAGER="cat", PAGER="cat")
    return subprocess.run(["man"] + args, capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.mark.parametrize("page", [MAN_PASST, MAN_PASTA],
                         ids=os.path.basename)
def test_man_no_warnings(page):
    """`man --warnings -l PAGE` prints the page and no warning."""
    for width in (80, 200):
        r = _man(["--warnings", "-l", page], width)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        assert _printed(MAN_NAME, r.stdout)


def test_man_pasta_is_passt():
    """pasta(1) is passt(1): one page for both faces, a symbolic link, so
    that `man -l doc/pasta.1` and the installed `man pasta` both work."""
    assert os.path.islink(MAN_PASTA)
    assert os.readlink(MAN_PASTA) == "passt.1"


def _help_options(path):
    """Options listed by `path --help`: ({long names}, {short: long})."""
    r = sh([path, "--help"])
    longs, pairs = set(), {}
    for m in re.finditer(r"(?<![\w\]-])--(\[no-\])?([a-z0-9][a-z0-9-]*)",
                         r.stdout):
        longs.add(m.group(2))
        if m.group(1):
            longs.add("no-" + m.group(2))
    for m in re.finditer(r"^\s+-(\w), --([a-z0-9-]+)", r.stdout, re.M):
        pairs[m.group(1)] = m.group(2)
    assert longs and pairs, r.stdout
    return longs, pairs


@pytest.mark.parametrize("binary", ["passt", "pasta"])
def test_man_documents_every_option(request, binary):
    """Each option --help lists has an entry of its own in OPTIONS: a tag
    line starting with it (with its short form, if it has one)."""
    longs, pairs = _help_options(request.getfixturevalue(f"{binary}_bin"))

    with open(MAN_PASST) as f:
        source = f.read().replace("\\-", "-")
    rendered = _man(["-l", MAN_PASST], width=200).stdout
    tags = [ln.strip() for ln in rendered.splitlines()]
    short_of = {lng: s for s, lng in pairs.items()}

    for name in sorted(longs):
        assert re.search(rf"(?<![\w-])--{re.escape(name)}(?![\w-])", source), \
            f"--{name} is missing from doc/passt.1"
        head = f"-{short_of[name]}, --{name}" if name in short_of \
            else f"--{name}"
        assert any(re.match(rf"{re.escape(head)}(?:$|[ ,])", t)
                   for t in tags), \
            f"doc/passt.1 has no entry starting with `{head}'"


def test_man_dashes_escaped():
    """Every dash that starts a word is written \\- (a minus): options must
    copy and paste as ASCII from any formatter."""
    with open(MAN_PASST) as f:
        lines = f.read().splitlines()
    bad = [f"{i}: {ln}" for i, ln in enumerate(lines, 1)
           if not ln.startswith('.\\"') and
           re.search(r"(?<![\\\w-])-", ln)]
    assert not bad, "unescaped dashes in doc/passt.1:\n" + "\n".join(bad)


def _tree(root):
    """Files and links under root: {relative path: (kind, detail)}."""
    out = {}
    for d, _dirs, files in os.walk(root):
        for n in files + [x for x in _dirs
                          if os.path.islink(os.path.join(d, x))]:
            p = os.path.join(d, n)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            else:
                out[rel] = ("file", oct(os.stat(p).st_mode & 0o777))
    return out


def test_make_install_uninstall(tmp_path):
    """make install DESTDIR=... PREFIX=/usr puts exactly the binary, the
    pasta link and the man pages there; make uninstall removes them."""
    dest = str(tmp_path / "stage")
    make = ["make", "-C", REPO, f"DESTDIR={dest}", "PREFIX=/usr"]
    r = sh(make + ["install"], check=False, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr

    assert _tree(dest) == {
        "usr/bin/passt": ("file", "0o755"),
        "usr/bin/pasta": ("link", "passt"),
        "usr/bin/passt-ctl": ("file", "0o755"),
        "usr/share/man/man1/passt.1": ("file", "0o644"),
        "usr/share/man/man1/pasta.1": ("link", "passt.1"),
    }
    with open(os.path.join(REPO, "doc", "passt.1"), "rb") as a, \
            open(os.path.join(dest, "usr/share/man/man1/passt.1"),
                 "rb") as b:
        assert a.read() == b.read()
    r = sh([os.path.join(dest, "usr/bin/pasta"), "--version"])
    assert r.stdout.startswith("pasta ")
    if shutil.which("man"):
        r = _man(["-l", os.path.join(dest, "usr/share/man/man1/pasta.1")])
        assert _printed(MAN_NAME, r.stdout)

    r = sh(make + ["uninstall"], check=False, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert _tree(dest) == {}
