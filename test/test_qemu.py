# SPDX-License-Identifier: GPL-2.0-or-later
"""passt with a real qemu guest: Debian's kernel and busybox (test/guest.py).

    ns "up" <--veth--> ns "host": passt runs here, socket S
                                        ^
                                        | -netdev stream (UNIX socket S)
                                  qemu -accel tcg: eth0 (virtio-net)
"""

import os

import pytest

from conftest import HOST4, OUR_MAC, UP4, Daemon, wait_for
from guest import Guest, GuestUnavailable, build_guest

pytestmark = pytest.mark.qemu


@pytest.fixture(scope="session")
def images():
    try:
        return build_guest()
    except GuestUnavailable as e:
        pytest.skip(f"no qemu guest: {e}")


def start_passt(topo, passt_bin, wdir, daemons, *extra, user=None):
    sock = os.path.join(wdir, "passt.socket")
    d = Daemon(topo.cmd([passt_bin, "-f", "-d", "-s", sock] + list(extra),
                        user=user),
               os.path.join(wdir, f"passt{len(daemons)}.log"))
    daemons.append(d)
    d.start()
    wait_for(lambda: os.path.exists(sock) or not d.alive(),
             what="passt socket")
    assert d.alive(), d.log()
    return d, sock


def guest_arp(g):
    """Give the guest its address, let its kernel resolve the gateway (a
    ping nobody answers yet is enough), return the MAC it got."""
    g.check(f"ip addr add {HOST4}/24 dev eth0")
    out = g.check(f"arping -c 1 -w 5 -I eth0 {UP4}", timeout=20)
    assert f"[{OUR_MAC}]" in out.lower(), out
    g.run(f"ping -c 1 -W 2 {UP4}", timeout=20)
    out = g.check(f"ip neigh show {UP4} dev eth0")
    assert "lladdr" in out, out
    return out.split("lladdr")[1].split()[0]


def test_guest_resolves_gateway(topo, passt_bin, wdir, daemons, images,
                                as_user):
    d, sock = start_passt(topo, passt_bin, wdir, daemons, user=as_user)
    kernel, initrd = images
    with Guest(sock, kernel=kernel, initrd=initrd) as g:
        g.wait_booted()
        assert guest_arp(g) == OUR_MAC
    assert d.alive()


def test_next_guest_after_disconnect(topo, passt_bin, wdir, daemons,
                                     images):
    """Without --one-off, a second guest is served once the first one has
    gone; with --one-off, passt exits when its guest goes."""
    d, sock = start_passt(topo, passt_bin, wdir, daemons)
    kernel, initrd = images
    with Guest(sock, kernel=kernel, initrd=initrd) as g:
        g.wait_booted()
        assert guest_arp(g) == OUR_MAC
    wait_for(lambda: "Guest disconnected" in d.log(),
             what="passt to see the guest go")
    with Guest(sock, kernel=kernel, initrd=initrd) as g:
        g.wait_booted()
        assert guest_arp(g) == OUR_MAC
    assert d.alive()


def test_one_off_exits_with_guest(topo, passt_bin, wdir, daemons, images):
    d, sock = start_passt(topo, passt_bin, wdir, daemons, "--one-off")
    kernel, initrd = images
    with Guest(sock, kernel=kernel, initrd=initrd) as g:
        g.wait_booted()
        assert guest_arp(g) == OUR_MAC
        g.kill()
    wait_for(lambda: d.proc.poll() is not None, what="passt to exit")
    assert d.proc.returncode == 0
