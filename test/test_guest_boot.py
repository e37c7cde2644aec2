"""Smoke test of the QEMU test guest (test/guest.py), without the daemon.

A plain Python UNIX stream socket stands in for passt: the guest boots with
its NIC connected to it, answers shell commands on its console, and an ARP
request it sends shows up on the socket in QEMU's stream framing (4-byte
big-endian length, then the Ethernet frame).
"""

import os
import socket
import struct
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from guest import (DEFAULT_MAC, Guest, GuestUnavailable,  # noqa: E402
                   build_guest)

pytestmark = pytest.mark.qemu

ETH_P_ARP = 0x0806
TARGET = "192.0.2.1"    # TEST-NET-1: the frame only ever reaches our socket


def _recv_exact(conn, n, deadline):
    """Read exactly n bytes from conn before deadline, or None on EOF."""
    buf = b""
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"socket read: got {len(buf)} of {n} bytes")
        conn.settimeout(left)
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _read_frames(conn, timeout=30, max_frames=200):
    """Yield Ethernet frames from QEMU's stream framing, bounded."""
    deadline = time.monotonic() + timeout
    for _ in range(max_frames):
        hdr = _recv_exact(conn, 4, deadline)
        if hdr is None:
            return
        length, = struct.unpack("!I", hdr)
        assert 14 <= length <= 65535, f"bad frame length {length}"
        frame = _recv_exact(conn, length, deadline)
        assert frame is not None, "EOF inside a frame"
        yield frame


@pytest.fixture
def guest_images():
    try:
        return build_guest()
    except GuestUnavailable as e:
        pytest.skip(f"guest unavailable: {e}")


def test_guest_boot(tmp_path, guest_images):
    kernel, initrd = guest_images
    path = str(tmp_path / "qemu.socket")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as srv:
        srv.bind(path)
        srv.listen(1)
        srv.settimeout(30)
        with Guest(path, kernel=kernel, initrd=initrd) as guest:
            try:
                conn, _ = srv.accept()
            except socket.timeout:
                pytest.fail("QEMU did not connect\n" + guest.log)
            with conn:
                guest.wait_booted(timeout=120)
                assert guest.run("echo hello") == (0, "hello"), guest.log

                rc, out = guest.run("ip link show eth0")
                assert rc == 0, guest.log
                assert DEFAULT_MAC in out

                rc, out = guest.run(f"arping -c 1 -w 2 -I eth0 {TARGET}",
                                    timeout=30)
                assert "Sent 1 probe" in out, guest.log

                mac = bytes.fromhex(DEFAULT_MAC.replace(":", ""))
                arp = None
                for frame in _read_frames(conn):
                    ethertype, = struct.unpack_from("!H", frame, 12)
                    if ethertype == ETH_P_ARP:
                        arp = frame
                        break
                assert arp is not None, "no ARP frame seen\n" + guest.log
                assert arp[6:12] == mac                     # source MAC
                assert arp[0:6] == b"\xff" * 6              # broadcast
                oper, = struct.unpack_from("!H", arp, 14 + 6)
                assert oper == 1                            # request
                assert arp[14 + 24:14 + 28] == socket.inet_aton(TARGET)

                # The default udhcpc script, fed a lease by hand.
                rc, out = guest.run(
                    "interface=eth0 ip=192.0.2.15 mask=24 router=192.0.2.1 "
                    "mtu=1400 /etc/udhcpc.script bound && cat /tmp/lease")
                assert rc == 0, guest.log
                assert "ip=192.0.2.15" in out.splitlines()
                rc, out = guest.run("ip -4 addr show eth0; ip -4 route")
                assert "inet 192.0.2.15/24" in out
                assert "mtu 1400" in out
                assert "default via 192.0.2.1 dev eth0" in out
