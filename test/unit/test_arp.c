// SPDX-License-Identifier: GPL-2.0-or-later
/* test_arp.c - ARP responder: who gets an answer, and what it says */

#include <arpa/inet.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "../../passt.h"
#include "../../tap.h"

static const uint8_t guest_mac[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t our_mac[6] = MAC_OUR_DEFAULT;

/**
 * arp_req() - Build an ARP request frame from the guest
 * @f:		Buffer, at least 42 bytes
 * @op:		ARP operation
 * @spa:	Sender address, dotted quad
 * @tpa:	Target address, dotted quad
 *
 * Return: frame length
 */
static size_t arp_req(uint8_t *f, uint16_t op, const char *spa,
		      const char *tpa)
{
	const uint8_t hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 0 };

	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, hdr, 8);
	f[20] = op >> 8;
	f[21] = op & 0xff;
	memcpy(f + 22, guest_mac, 6);
	inet_pton(AF_INET, spa, f + 28);
	memset(f + 32, 0, 6);
	inet_pton(AF_INET, tpa, f + 38);
	return 42;
}

/**
 * setup() - A context whose "tap" is one end of a datagram socket pair
 * @c:		Context to fill
 * @peer:	The other end, where replies can be read
 */
static void setup(struct ctx *c, int *peer)
{
	int sv[2];

	memset(c, 0, sizeof(*c));
	socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv);
	c->mode = MODE_PASTA;
	c->fd_tap = sv[0];
	*peer = sv[1];
	c->ipv4_enabled = true;
	memcpy(c->our_mac, our_mac, 6);
	inet_pton(AF_INET, "192.0.2.2", &c->ip4.addr);
}

/**
 * teardown() - Close the socket pair of setup()
 * @c:		Context
 * @peer:	Other end
 */
static void teardown(struct ctx *c, int peer)
{
	close(c->fd_tap);
	close(peer);
}

UNIT_TEST(arp_reply_contents)
{
	uint8_t req[64], rep[128], want_ip[4];
	static struct ctx c;
	ssize_t n;
	int peer;

	setup(&c, &peer);
	tap_frame_input(&c, req, arp_req(req, 1, "192.0.2.2", "192.0.2.1"));
	n = recv(peer, rep, sizeof(rep), 0);
	CHECK_EQ_INT(n, 42);
	CHECK_MEMEQ(rep, guest_mac, 6);			/* to the asker */
	CHECK_MEMEQ(rep + 6, our_mac, 6);
	CHECK_EQ_INT(rep[21], 2);			/* reply */
	CHECK_MEMEQ(rep + 22, our_mac, 6);		/* sha: us */
	inet_pton(AF_INET, "192.0.2.1", want_ip);
	CHECK_MEMEQ(rep + 28, want_ip, 4);		/* spa: who was asked */
	CHECK_MEMEQ(rep + 32, guest_mac, 6);
	inet_pton(AF_INET, "192.0.2.2", want_ip);
	CHECK_MEMEQ(rep + 38, want_ip, 4);
	CHECK_EQ_INT(c.stats.frames_out, 1);
	teardown(&c, peer);
}

UNIT_TEST(arp_no_reply_for_guest_or_probe)
{
	static struct ctx c;
	uint8_t req[64], rep[128];
	int peer;

	setup(&c, &peer);
	/* Probe for the guest's own address (RFC 5227) */
	tap_frame_input(&c, req, arp_req(req, 1, "0.0.0.0", "192.0.2.2"));
	/* Announcement: sender == target */
	tap_frame_input(&c, req, arp_req(req, 1, "192.0.2.9", "192.0.2.9"));
	/* A reply from the guest: nothing to say */
	tap_frame_input(&c, req, arp_req(req, 2, "192.0.2.2", "192.0.2.1"));
	CHECK(recv(peer, rep, sizeof(rep), 0) < 0);
	CHECK_EQ_INT(c.stats.frames_out, 0);
	CHECK_EQ_INT(c.stats.drop_malformed, 0);

	/* A probe from 0.0.0.0 for another address is answered */
	tap_frame_input(&c, req, arp_req(req, 1, "0.0.0.0", "192.0.2.1"));
	CHECK_EQ_INT(recv(peer, rep, sizeof(rep), 0), 42);
	teardown(&c, peer);
}

UNIT_TEST(arp_malformed_dropped)
{
	uint8_t req[64], rep[128];
	static struct ctx c;
	size_t len, i;
	int peer;

	setup(&c, &peer);
	len = arp_req(req, 1, "192.0.2.2", "192.0.2.1");
	for (i = 14; i < len; i++)			/* every truncation */
		tap_frame_input(&c, req, i);
	CHECK_EQ_INT(c.stats.drop_malformed, len - 14);

	req[19] = 16;					/* plen 16: not IPv4 */
	tap_frame_input(&c, req, len);
	CHECK_EQ_INT(c.stats.drop_malformed, len - 13);
	CHECK(recv(peer, rep, sizeof(rep), 0) < 0);
	teardown(&c, peer);
}
