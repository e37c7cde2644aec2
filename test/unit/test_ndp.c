// SPDX-License-Identifier: GPL-2.0-or-later
/* test_ndp.c - NDP: router and neighbour advertisements, and what isn't
 * answered
 */

#include <netinet/icmp6.h>
#include <time.h>

#include "frame6.h"
#include "../../ndp.h"

#define GUEST_LL	"fe80::2"
#define OUR_LL		"fe80::9855:9aff:fe55:9a55"

/**
 * rs_msg() - Build a router solicitation
 * @m:		Buffer, at least 16 bytes
 * @slla:	Add a source link-layer address option
 *
 * Return: message length
 */
static size_t rs_msg(uint8_t *m, bool slla)
{
	memset(m, 0, 16);
	m[0] = ND_ROUTER_SOLICIT;
	if (!slla)
		return 8;
	m[8] = ND_OPT_SOURCE_LINKADDR;
	m[9] = 1;
	memcpy(m + 10, f6_guest_mac, 6);
	return 16;
}

/**
 * ns_msg() - Build a neighbour solicitation
 * @m:		Buffer, at least 32 bytes
 * @target:	Target address, text
 * @slla:	Add a source link-layer address option
 *
 * Return: message length
 */
static size_t ns_msg(uint8_t *m, const char *target, bool slla)
{
	struct in6_addr t = f6_addr(target);

	memset(m, 0, 32);
	m[0] = ND_NEIGHBOR_SOLICIT;
	memcpy(m + 8, &t, 16);
	if (!slla)
		return 24;
	m[24] = ND_OPT_SOURCE_LINKADDR;
	m[25] = 1;
	memcpy(m + 26, f6_guest_mac, 6);
	return 32;
}

/**
 * send_icmp() - Send an ICMPv6 message from the guest, checksum filled in
 * @c:		Context
 * @src:	Source address
 * @dst:	Destination address
 * @hlim:	Hop limit
 * @m:		Message
 * @len:	Its length
 */
static void send_icmp(struct ctx *c, const char *src, const char *dst,
		      uint8_t hlim, const uint8_t *m, size_t len)
{
	uint8_t f[F6_MAX];

	tap_frame_input(c, f, f6_build(f, src, dst, hlim, IPPROTO_ICMPV6, m,
					 len));
}

/**
 * opt_find() - Find an option in a received NDP message, checking them all
 * @m:		Message
 * @len:	Its length
 * @off:	Offset of the first option
 * @type:	Option wanted
 * @olen:	Set to the option's length in bytes
 *
 * Return: pointer to the option, NULL if absent
 */
static const uint8_t *opt_find(const uint8_t *m, size_t len, size_t off,
			       uint8_t type, size_t *olen)
{
	const uint8_t *found = NULL;

	while (off < len) {
		size_t l = m[off + 1] * 8UL;

		CHECK(off + 2 <= len && l && off + l <= len);
		if (off + 2 > len || !l || off + l > len)
			return NULL;
		if (m[off] == type && !found) {
			found = m + off;
			*olen = l;
		}
		off += l;
	}
	return found;
}

/**
 * be32() - Read a 32-bit big-endian number
 * @p:		Its first byte
 *
 * Return: the number
 */
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | p[2] << 8 | p[3];
}

/**
 * check_ra() - Check a router advertisement against the context
 * @c:		Context
 * @f:		Frame
 * @n:		Frame length
 * @dst:	Expected destination
 */
static void check_ra(const struct ctx *c, const uint8_t *f, ssize_t n,
		     const char *dst)
{
	static const uint8_t dnssl[] = "\x07" "example" "\x03" "org" "\x00"
				       "\x04" "test" "\x00";
	const uint8_t *ra = f + F6_L4, *o;
	struct in6_addr a;
	size_t len, ol;

	f6_check_reply(f, n, OUR_LL, dst, IPPROTO_ICMPV6);
	if (n < F6_L4 + 16)
		return;
	len = (size_t)n - F6_L4;
	CHECK_EQ_INT(ra[0], ND_ROUTER_ADVERT);
	CHECK_EQ_INT(ra[1], 0);
	CHECK_EQ_INT(ra[5] & 0xc0, c->no_dhcpv6 ? 0 : 0xc0);	/* M, O */
	CHECK(ra[6] << 8 | ra[7]);				/* lifetime */

	o = opt_find(ra, len, 16, ND_OPT_SOURCE_LINKADDR, &ol);
	CHECK(o && ol == 8);
	if (o)
		CHECK_MEMEQ(o + 2, f6_our_mac, 6);

	o = opt_find(ra, len, 16, ND_OPT_MTU, &ol);
	CHECK(o && ol == 8);
	if (o)
		CHECK_EQ_INT(be32(o + 4), c->mtu);

	o = opt_find(ra, len, 16, ND_OPT_PREFIX_INFORMATION, &ol);
	CHECK(o && ol == 32);
	if (o) {
		CHECK_EQ_INT(o[2], 64);
		CHECK_EQ_INT(o[3] & 0xc0, 0xc0);		/* L, A */
		CHECK(be32(o + 4) >= 86400);			/* valid */
		CHECK(be32(o + 8) >= 86400);		/* preferred */
		a = f6_addr("2001:db8::");
		CHECK_MEMEQ(o + 16, &a, 16);
	}

	o = opt_find(ra, len, 16, 25, &ol);			/* RDNSS */
	if (c->no_dhcp_dns) {
		CHECK(!o);
	} else {
		CHECK(o && ol == 8 + 32);	/* ::1 left out */
		if (o) {
			CHECK(be32(o + 4) >= 360);
			a = f6_addr("2001:db8::53");
			CHECK_MEMEQ(o + 8, &a, 16);
			a = f6_addr("2001:db8::54");
			CHECK_MEMEQ(o + 24, &a, 16);
		}
	}

	o = opt_find(ra, len, 16, 31, &ol);			/* DNSSL */
	if (c->no_dhcp_search) {
		CHECK(!o);
	} else {
		CHECK(o && ol == 8 + 24);
		if (o) {
			CHECK_MEMEQ(o + 8, dnssl, sizeof(dnssl) - 1);
			CHECK(!o[8 + sizeof(dnssl) - 1]);	/* padding */
		}
	}
}

UNIT_TEST(ndp_rs_answered)
{
	uint8_t m[64], f[F6_MAX];
	static struct ctx c;
	ssize_t n;
	int peer;

	f6_setup(&c, &peer);
	send_icmp(&c, GUEST_LL, "ff02::2", 255, m, rs_msg(m, true));
	n = f6_recv(peer, f);
	check_ra(&c, f, n, GUEST_LL);
	CHECK(f6_recv(peer, f) < 0);

	/* Without a source link-layer option too */
	send_icmp(&c, GUEST_LL, "ff02::2", 255, m, rs_msg(m, false));
	check_ra(&c, f, f6_recv(peer, f), GUEST_LL);

	/* From ::, to all nodes; never with a link-layer option */
	send_icmp(&c, "::", "ff02::2", 255, m, rs_msg(m, false));
	check_ra(&c, f, f6_recv(peer, f), "ff02::1");
	send_icmp(&c, "::", "ff02::2", 255, m, rs_msg(m, true));
	CHECK(f6_recv(peer, f) < 0);
	CHECK_EQ_INT(c.stats.drop_malformed, 1);
	f6_teardown(&c, peer);
}

UNIT_TEST(ndp_ra_options_follow_config)
{
	uint8_t m[64], f[F6_MAX];
	static struct ctx c;
	int peer;

	f6_setup(&c, &peer);
	c.no_dhcpv6 = c.no_dhcp_dns = c.no_dhcp_search = true;
	c.mtu = 1500;
	send_icmp(&c, GUEST_LL, "ff02::2", 255, m, rs_msg(m, true));
	check_ra(&c, f, f6_recv(peer, f), GUEST_LL);

	/* --no-ra: no advertisement, neighbours still answered */
	c.no_ra = true;
	send_icmp(&c, GUEST_LL, "ff02::2", 255, m, rs_msg(m, true));
	CHECK(f6_recv(peer, f) < 0);
	send_icmp(&c, GUEST_LL, "ff02::1:ff00:1", 255, m,
		  ns_msg(m, "2001:db8::1", true));
	CHECK(f6_recv(peer, f) > 0);
	f6_teardown(&c, peer);
}

UNIT_TEST(ndp_ra_long_search_list_fits)
{
	uint8_t m[64], f[F6_MAX];
	static struct ctx c;
	const uint8_t *o;
	size_t ol = 0;
	ssize_t n;
	int i, peer;

	f6_setup(&c, &peer);
	for (i = 0; i < SEARCH_MAX; i++) {	/* 6 names of 250 bytes */
		memset(c.search[i], 'a' + i, 249);
		c.search[i][49] = c.search[i][99] = c.search[i][149] = '.';
		c.search[i][199] = '.';
		c.search[i][249] = '\0';
	}
	strcpy(c.search[2], "bad..name");
	send_icmp(&c, GUEST_LL, "ff02::2", 255, m, rs_msg(m, true));
	n = f6_recv(peer, f);
	CHECK(n > 0 && n <= F6_ETH_LEN + 1280);
	if (n > F6_L4) {
		o = opt_find(f + F6_L4, (size_t)n - F6_L4, 16, 31, &ol);
		CHECK(o && !(ol % 8));
		if (o)
			CHECK_EQ_INT(o[8], 49);		/* first label */
	}
	f6_teardown(&c, peer);
}

UNIT_TEST(ndp_ns_answered)
{
	uint8_t m[64], f[F6_MAX];
	struct in6_addr t;
	static struct ctx c;
	ssize_t n;
	int peer;

	f6_setup(&c, &peer);
	send_icmp(&c, GUEST_LL, "ff02::1:ff00:1", 255, m,
		  ns_msg(m, "2001:db8::1", true));
	n = f6_recv(peer, f);
	f6_check_reply(f, n, "2001:db8::1", GUEST_LL, IPPROTO_ICMPV6);
	CHECK_EQ_INT(n, F6_L4 + 32);
	if (n == F6_L4 + 32) {
		CHECK_EQ_INT(f[F6_L4], ND_NEIGHBOR_ADVERT);
		CHECK_EQ_INT(f[F6_L4 + 1], 0);
		/* Router, solicited, override */
		CHECK_EQ_INT(f[F6_L4 + 4], 0x80 | 0x40 | 0x20);
		t = f6_addr("2001:db8::1");
		CHECK_MEMEQ(f + F6_L4 + 8, &t, 16);
		CHECK_EQ_INT(f[F6_L4 + 24], ND_OPT_TARGET_LINKADDR);
		CHECK_EQ_INT(f[F6_L4 + 25], 1);
		CHECK_MEMEQ(f + F6_L4 + 26, f6_our_mac, 6);
	}

	/* Our link-local address, unicast, from a global address */
	send_icmp(&c, "2001:db8::77", OUR_LL, 255, m, ns_msg(m, OUR_LL, false));
	n = f6_recv(peer, f);
	f6_check_reply(f, n, OUR_LL, "2001:db8::77", IPPROTO_ICMPV6);
	CHECK_EQ_INT(c.stats.frames_out, 2);
	f6_teardown(&c, peer);
}

UNIT_TEST(ndp_ns_for_guest_not_answered)
{
	uint8_t m[64], f[F6_MAX];
	static struct ctx c;
	int peer;

	f6_setup(&c, &peer);
	/* The configured address, a global source seen, a link-local one */
	send_icmp(&c, GUEST_LL, "ff02::1:ff00:2", 255, m,
		  ns_msg(m, "2001:db8::2", true));
	send_icmp(&c, "2001:db8::abcd", "ff02::1:ff00:1", 255, m,
		  ns_msg(m, "2001:db8::1", true));
	CHECK(f6_recv(peer, f) > 0);	/* that one is answered... */
	send_icmp(&c, GUEST_LL, "ff02::1:ff00:abcd", 255, m,
		  ns_msg(m, "2001:db8::abcd", true));
	send_icmp(&c, "2001:db8::abcd", "ff02::1:ff00:2", 255, m,
		  ns_msg(m, GUEST_LL, true));
	/* Target is the source itself */
	send_icmp(&c, "2001:db8::99", "2001:db8::99", 255, m,
		  ns_msg(m, "2001:db8::99", false));
	CHECK(f6_recv(peer, f) < 0);	/* ...and none of these */
	CHECK_EQ_INT(c.stats.drop_malformed, 0);
	f6_teardown(&c, peer);
}

UNIT_TEST(ndp_dad_never_answered)
{
	uint8_t m[64], f[F6_MAX];
	static struct ctx c;
	int peer;

	f6_setup(&c, &peer);
	/* RFC 4862 5.4: probes for the guest's address, and for any other
	 * (it might be a SLAAC or privacy address we never saw)
	 */
	send_icmp(&c, "::", "ff02::1:ff00:2", 255, m,
		  ns_msg(m, "2001:db8::2", false));
	send_icmp(&c, "::", "ff02::1:ff12:3456", 255, m,
		  ns_msg(m, "2001:db8::ff:fe12:3456", false));
	send_icmp(&c, "::", "ff02::1:ff00:1", 255, m,
		  ns_msg(m, "2001:db8::1", false));
	send_icmp(&c, "::", "ff02::1:ff55:9a55", 255, m,
		  ns_msg(m, OUR_LL, false));
	CHECK(f6_recv(peer, f) < 0);
	CHECK_EQ_INT(c.stats.drop_malformed, 0);

	/* Invalid probes: with a link-layer option, or not to the
	 * solicited-node group (RFC 4861 7.1.1)
	 */
	send_icmp(&c, "::", "ff02::1:ff00:1", 255, m,
		  ns_msg(m, "2001:db8::1", true));
	send_icmp(&c, "::", "ff02::1", 255, m,
		  ns_msg(m, "2001:db8::1", false));
	CHECK(f6_recv(peer, f) < 0);
	CHECK_EQ_INT(c.stats.drop_malformed, 2);
	f6_teardown(&c, peer);
}

UNIT_TEST(ndp_invalid_dropped)
{
	uint8_t m[64], f[F6_MAX];
	static struct ctx c;
	size_t len, fl;
	int peer, drops = 0;

	f6_setup(&c, &peer);

	/* Hop limit not 255: forwarded, not from the link */
	send_icmp(&c, GUEST_LL, "ff02::2", 64, m, rs_msg(m, true));
	drops++;
	/* Code not 0 */
	len = rs_msg(m, true);
	m[1] = 1;
	send_icmp(&c, GUEST_LL, "ff02::2", 255, m, len);
	drops++;
	/* Bad checksum */
	fl = f6_build(f, GUEST_LL, "ff02::2", 255, IPPROTO_ICMPV6, m,
		      rs_msg(m, true));
	f[F6_L4 + 3] ^= 0x40;
	tap_frame_input(&c, f, fl);
	drops++;
	/* Option length 0 */
	len = rs_msg(m, true);
	m[9] = 0;
	send_icmp(&c, GUEST_LL, "ff02::2", 255, m, len);
	drops++;
	/* Option past the end */
	len = rs_msg(m, true);
	m[9] = 2;
	send_icmp(&c, GUEST_LL, "ff02::2", 255, m, len);
	drops++;
	/* Trailing byte that can't be an option */
	len = rs_msg(m, true);
	m[len] = ND_OPT_SOURCE_LINKADDR;
	send_icmp(&c, GUEST_LL, "ff02::2", 255, m, len + 1);
	drops++;
	/* Multicast target */
	send_icmp(&c, GUEST_LL, "ff02::1", 255, m, ns_msg(m, "ff02::1", true));
	drops++;
	/* Multicast source */
	send_icmp(&c, "ff02::5", "ff02::1:ff00:1", 255, m,
		  ns_msg(m, "2001:db8::1", false));
	drops++;
	/* Too short for a neighbour solicitation */
	send_icmp(&c, GUEST_LL, "ff02::1:ff00:1", 255, m, 20);
	drops++;

	CHECK(f6_recv(peer, f) < 0);
	CHECK_EQ_INT(c.stats.drop_malformed, drops);
	CHECK_EQ_INT(c.stats.frames_out, 0);
	f6_teardown(&c, peer);
}

UNIT_TEST(ndp_truncated_at_every_length)
{
	uint8_t m[64], f[F6_MAX];
	static struct ctx c;
	size_t len, i, fl;
	int peer;

	f6_setup(&c, &peer);
	/* The message cut short, lengths and checksum consistent */
	len = ns_msg(m, "2001:db8::1", true);
	for (i = 0; i < len; i++) {
		if (i == 24)
			continue;	/* a whole message without option */
		send_icmp(&c, GUEST_LL, "ff02::1:ff00:1", 255, m, i);
	}
	len = rs_msg(m, true);
	for (i = 0; i < len; i++) {
		if (i == 8)
			continue;
		send_icmp(&c, GUEST_LL, "ff02::2", 255, m, i);
	}
	CHECK(f6_recv(peer, f) < 0);

	/* The frame cut short: the IPv6 payload length claims more */
	fl = f6_build(f, GUEST_LL, "ff02::1:ff00:1", 255, IPPROTO_ICMPV6, m,
		      ns_msg(m, "2001:db8::1", true));
	for (i = 0; i < fl; i++)
		tap_frame_input(&c, f, i);
	CHECK(f6_recv(peer, f) < 0);
	CHECK_EQ_INT(c.stats.frames_out, 0);
	f6_teardown(&c, peer);
}

UNIT_TEST(ndp_other_icmp_not_mine)
{
	uint8_t m[64] = { ICMP6_ECHO_REQUEST, 0 }, f[F6_MAX];
	static struct ctx c;
	int peer;

	f6_setup(&c, &peer);
	c.no_icmp = true;	/* echo is icmp.c's: keep it out of this */
	send_icmp(&c, "2001:db8::2", "2001:db8::1", 64, m, 16);
	CHECK_EQ_INT(c.stats.drop_proto, 1);
	CHECK_EQ_INT(c.stats.drop_malformed, 0);
	CHECK(f6_recv(peer, f) < 0);

	/* --no-ndp: tap.c doesn't even ask */
	c.no_ndp = true;
	send_icmp(&c, GUEST_LL, "ff02::2", 255, m, rs_msg(m, true));
	CHECK(f6_recv(peer, f) < 0);
	f6_teardown(&c, peer);
}

UNIT_TEST(ndp_random_messages)
{
	uint64_t seed = 0x9a559a559a55ULL;
	uint8_t m[256], f[F6_MAX];
	static struct ctx c;
	int i, peer;

	f6_setup(&c, &peer);
	for (i = 0; i < 20000; i++) {
		size_t len = f6_rand(&seed) % sizeof(m), j;

		for (j = 0; j < len; j++)
			m[j] = (uint8_t)f6_rand(&seed);
		if (len) {
			m[0] = 133 + f6_rand(&seed) % 5;	/* NDP types */
			if (f6_rand(&seed) % 2)
				m[1] = 0;
		}
		if (len > 9 && f6_rand(&seed) % 2)
			m[9] = (uint8_t)(f6_rand(&seed) % 4);
		send_icmp(&c, f6_rand(&seed) % 4 ? GUEST_LL : "::",
			  "ff02::1:ff00:1", 255, m, len);
		while (f6_recv(peer, f) > 0)
			;
	}
	CHECK_EQ_INT(c.stats.frames_in, 20000);
	f6_teardown(&c, peer);
}

/**
 * ts() - A monotonic time stamp for ndp_timer()
 * @ms:		Milliseconds
 *
 * Return: the time
 */
static struct timespec ts(long ms)
{
	struct timespec t = { .tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L };

	return t;
}

UNIT_TEST(ndp_unsolicited_ra)
{
	uint8_t m[64], f[F6_MAX];
	static struct ctx c;
	struct timespec t;
	int peer, fd, i, sent;
	long now = 100000;
	ssize_t n;

	f6_setup(&c, &peer);
	t = ts(now);
	fd = c.fd_tap;
	c.fd_tap = -1;		/* forget any earlier test's guest */
	ndp_timer(&c, &t);
	c.fd_tap = fd;

	/* Nothing until the guest shows up */
	for (i = 0; i < 10; i++) {
		t = ts(now += 1000);
		ndp_timer(&c, &t);
	}
	CHECK(f6_recv(peer, f) < 0);

	/* It sends something: three quick ones, then every minute or two */
	memset(m, 0, sizeof(m));
	m[0] = 143;				/* an MLDv2 report, say */
	send_icmp(&c, GUEST_LL, "ff02::16", 1, m, 8);
	for (sent = 0, i = 0; i < 5000; i++) {
		t = ts(now += 100);
		ndp_timer(&c, &t);
		if ((n = f6_recv(peer, f)) > 0) {
			check_ra(&c, f, n, "ff02::1");
			sent++;
		}
		if (i == 60)		/* 6 s: the initial ones */
			CHECK_EQ_INT(sent, NDP_RA_INITIAL_COUNT);
		if (i == 60 + 599)	/* not before a minute */
			CHECK_EQ_INT(sent, NDP_RA_INITIAL_COUNT);
	}
	/* 500 s later: at least 500 / 120 more, at most 500 / 60 */
	CHECK(sent >= NDP_RA_INITIAL_COUNT + 4);
	CHECK(sent <= NDP_RA_INITIAL_COUNT + 9);

	/* --no-ra: none */
	c.no_ra = true;
	for (i = 0; i < 1300; i++) {
		t = ts(now += 100);
		ndp_timer(&c, &t);
	}
	CHECK(f6_recv(peer, f) < 0);
	f6_teardown(&c, peer);
}
