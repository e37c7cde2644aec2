// SPDX-License-Identifier: GPL-2.0-or-later
/* test_dhcpv6.c - DHCPv6 server: answers, validation, hostile input */

#include <netinet/udp.h>

#include "frame6.h"
#include "../../dhcpv6.h"

#define CLIENT		"fe80::2"
#define SERVERS		"ff02::1:2"
#define OUR_LL		"fe80::9855:9aff:fe55:9a55"

/* Our DUID-LL: type 3, hardware type 1, our MAC address */
static const uint8_t our_duid[] = { 0, 3, 0, 1,
				    0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };
static const uint8_t client_duid[] = { 0, 1, 0, 1, 0x2a, 0x2b, 0x2c, 0x2d,
				       2, 0, 0, 0, 0, 1 };
static const uint8_t iaid[4] = { 1, 2, 3, 4 };

/**
 * struct msg - A DHCPv6 message being built, behind room for a UDP header
 * @b:		UDP header, then the message
 * @len:	Bytes used in @b
 */
struct msg {
	uint8_t b[1500];
	size_t len;
};

/**
 * msg_init() - Start a message: UDP header, type and transaction ID
 * @m:		Message
 * @type:	Message type
 */
static void msg_init(struct msg *m, uint8_t type)
{
	memset(m, 0, sizeof(*m));
	m->b[0] = 546 >> 8;
	m->b[1] = 546 & 0xff;
	m->b[2] = 547 >> 8;
	m->b[3] = 547 & 0xff;
	m->b[8] = type;
	m->b[9] = 0xab;
	m->b[10] = 0xcd;
	m->b[11] = 0xef;
	m->len = 12;
}

/**
 * msg_opt() - Append an option
 * @m:		Message
 * @code:	Option code
 * @data:	Option data
 * @len:	Its length
 *
 * Return: offset of the option, for nesting with msg_grow()
 */
static size_t msg_opt(struct msg *m, uint16_t code, const void *data,
		      size_t len)
{
	size_t off = m->len;

	m->b[off] = (uint8_t)(code >> 8);
	m->b[off + 1] = (uint8_t)code;
	m->b[off + 2] = (uint8_t)(len >> 8);
	m->b[off + 3] = (uint8_t)len;
	if (len)
		memcpy(m->b + off + 4, data, len);
	m->len += 4 + len;
	return off;
}

/**
 * msg_grow() - Account for options nested in an earlier one
 * @m:		Message
 * @off:	Offset of the enclosing option
 */
static void msg_grow(struct msg *m, size_t off)
{
	size_t len = m->len - off - 4;

	m->b[off + 2] = (uint8_t)(len >> 8);
	m->b[off + 3] = (uint8_t)len;
}

/**
 * msg_ia_na() - Append an IA_NA, optionally with an IA Address
 * @m:		Message
 * @addr:	Address to name in it, NULL for none
 */
static void msg_ia_na(struct msg *m, const char *addr)
{
	uint8_t ia[12] = { 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0 };
	size_t off = msg_opt(m, 3, ia, sizeof(ia));

	if (addr) {
		uint8_t a[24] = { 0 };
		struct in6_addr in = f6_addr(addr);

		memcpy(a, &in, 16);
		msg_opt(m, 5, a, sizeof(a));
		msg_grow(m, off);
	}
}

/**
 * msg_send() - Send a message from the guest, UDP length and checksum set
 * @c:		Context
 * @m:		Message
 * @src:	Source address
 * @dst:	Destination address
 */
static void msg_send(struct ctx *c, struct msg *m, const char *src,
		     const char *dst)
{
	uint8_t f[F6_MAX];

	m->b[4] = (uint8_t)(m->len >> 8);
	m->b[5] = (uint8_t)m->len;
	tap_frame_input(c, f, f6_build(f, src, dst, 1, IPPROTO_UDP, m->b,
					 m->len));
}

/**
 * reply_recv() - Read a reply to the guest, check the frame around it
 * @peer:	Guest's end of the socket pair
 * @f:		Buffer, F6_MAX bytes
 * @dst:	Expected destination address
 * @type:	Expected message type
 *
 * Return: length of the DHCPv6 message at f + F6_L4 + 8, 0 if none
 */
static size_t reply_recv(int peer, uint8_t *f, const char *dst, uint8_t type)
{
	ssize_t n = f6_recv(peer, f);

	CHECK(n > F6_L4 + 8 + 4);
	if (n <= F6_L4 + 8 + 4)
		return 0;
	f6_check_reply(f, n, OUR_LL, dst, IPPROTO_UDP);
	CHECK_EQ_INT(f[F6_L4] << 8 | f[F6_L4 + 1], 547);
	CHECK_EQ_INT(f[F6_L4 + 2] << 8 | f[F6_L4 + 3], 546);
	CHECK_EQ_INT(f[F6_L4 + 4] << 8 | f[F6_L4 + 5], n - F6_L4);
	CHECK_EQ_INT(f[F6_L4 + 8], type);
	CHECK(f[F6_L4 + 9] == 0xab && f[F6_L4 + 10] == 0xcd &&
	      f[F6_L4 + 11] == 0xef);
	return (size_t)n - F6_L4 - 8;
}

/**
 * opt_find() - Find an option in a list, checking the framing of all
 * @p:		First option
 * @len:	Length of the list
 * @code:	Option wanted
 * @olen:	Set to the length of its data
 *
 * Return: pointer to the option's data, NULL if absent
 */
static const uint8_t *opt_find(const uint8_t *p, size_t len, uint16_t code,
			       size_t *olen)
{
	const uint8_t *found = NULL;
	size_t off = 0;

	while (off < len) {
		size_t l;

		CHECK(off + 4 <= len);
		if (off + 4 > len)
			return NULL;
		l = (size_t)(p[off + 2] << 8 | p[off + 3]);
		CHECK(off + 4 + l <= len);
		if (off + 4 + l > len)
			return NULL;
		if ((p[off] << 8 | p[off + 1]) == code && !found) {
			found = p + off + 4;
			*olen = l;
		}
		off += 4 + l;
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
 * check_ids() - Check the server and client identifiers of a reply
 * @o:		Options of the reply
 * @len:	Their length
 * @client:	The client identifier should be there
 */
static void check_ids(const uint8_t *o, size_t len, bool client)
{
	const uint8_t *p;
	size_t l = 0;

	p = opt_find(o, len, 2, &l);
	CHECK(p && l == sizeof(our_duid));
	if (p && l == sizeof(our_duid))
		CHECK_MEMEQ(p, our_duid, l);
	p = opt_find(o, len, 1, &l);
	if (!client) {
		CHECK(!p);
		return;
	}
	CHECK(p && l == sizeof(client_duid));
	if (p && l == sizeof(client_duid))
		CHECK_MEMEQ(p, client_duid, l);
}

/**
 * check_dns() - Check resolvers and search list in a reply
 * @c:		Context
 * @o:		Options of the reply
 * @len:	Their length
 */
static void check_dns(const struct ctx *c, const uint8_t *o, size_t len)
{
	static const uint8_t names[] = "\x07" "example" "\x03" "org" "\x00"
				       "\x04" "test" "\x00";
	struct in6_addr a[2] = { f6_addr("2001:db8::53"),
				 f6_addr("2001:db8::54") };
	const uint8_t *p;
	size_t l = 0;

	p = opt_find(o, len, 23, &l);
	if (c->no_dhcp_dns) {
		CHECK(!p);
	} else {
		CHECK(p && l == sizeof(a));	/* ::1 left out */
		if (p && l == sizeof(a))
			CHECK_MEMEQ(p, a, sizeof(a));
	}
	p = opt_find(o, len, 24, &l);
	if (c->no_dhcp_search) {
		CHECK(!p);
	} else {
		CHECK(p && l == sizeof(names) - 1);
		if (p && l == sizeof(names) - 1)
			CHECK_MEMEQ(p, names, l);
	}
}

/**
 * check_ia_na() - Check the IA_NA of a reply: our address, given for long
 * @o:		Options of the reply
 * @len:	Their length
 * @extra:	Another address the client named, returned with lifetime 0
 */
static void check_ia_na(const uint8_t *o, size_t len, const char *extra)
{
	struct in6_addr ours = f6_addr("2001:db8::2");
	const uint8_t *ia, *a;
	size_t l = 0, al = 0;

	ia = opt_find(o, len, 3, &l);
	CHECK(ia && l >= 12 + 4 + 24);
	if (!ia || l < 12 + 4 + 24)
		return;
	CHECK_MEMEQ(ia, iaid, 4);
	CHECK(be32(ia + 4) >= 3600 && be32(ia + 8) >= be32(ia + 4));
	a = opt_find(ia + 12, l - 12, 5, &al);
	CHECK(a && al >= 24);
	if (!a || al < 24)
		return;
	CHECK_MEMEQ(a, &ours, 16);
	CHECK(be32(a + 16) >= 86400 && be32(a + 20) >= be32(a + 16));
	if (extra) {
		struct in6_addr e = f6_addr(extra);

		CHECK_EQ_INT(l, 12 + 2 * (4 + 24));
		if (l != 12 + 2 * (4 + 24))
			return;
		CHECK_MEMEQ(a + 28, &e, 16);
		CHECK_EQ_INT(be32(a + 44), 0);
		CHECK_EQ_INT(be32(a + 48), 0);
	}
}

/**
 * status() - Status code of a list of options
 * @o:		Options
 * @len:	Their length
 *
 * Return: the status code, -1 if there's no status option
 */
static int status(const uint8_t *o, size_t len)
{
	const uint8_t *p;
	size_t l = 0;

	p = opt_find(o, len, 13, &l);
	if (!p || l < 2)
		return -1;
	return p[0] << 8 | p[1];
}

UNIT_TEST(dhcpv6_solicit_advertise)
{
	uint8_t oro[4] = { 0, 23, 0, 24 }, et[2] = { 0 }, f[F6_MAX];
	static struct ctx c;
	const uint8_t *o;
	struct msg m;
	size_t len, l = 0;
	int peer;

	f6_setup(&c, &peer);
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 6, oro, sizeof(oro));
	msg_opt(&m, 8, et, sizeof(et));
	msg_ia_na(&m, NULL);
	msg_send(&c, &m, CLIENT, SERVERS);

	len = reply_recv(peer, f, CLIENT, 2);
	o = f + F6_L4 + 12;
	len = len > 4 ? len - 4 : 0;
	check_ids(o, len, true);
	check_ia_na(o, len, NULL);
	check_dns(&c, o, len);
	CHECK(opt_find(o, len, 7, &l) && l == 1);	/* preference... */
	CHECK_EQ_INT(*opt_find(o, len, 7, &l), 255);	/* ...don't wait */
	CHECK(!opt_find(o, len, 14, &l));
	CHECK(f6_recv(peer, f) < 0);
	f6_teardown(&c, peer);
}

UNIT_TEST(dhcpv6_rapid_commit_and_request)
{
	static struct ctx c;
	uint8_t f[F6_MAX];
	const uint8_t *o;
	struct msg m;
	size_t len, l = 0;
	int peer;

	f6_setup(&c, &peer);
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 14, NULL, 0);
	msg_ia_na(&m, NULL);
	msg_send(&c, &m, CLIENT, SERVERS);
	len = reply_recv(peer, f, CLIENT, 7);
	o = f + F6_L4 + 12;
	len = len > 4 ? len - 4 : 0;
	CHECK(opt_find(o, len, 14, &l) && !l);
	check_ids(o, len, true);
	check_ia_na(o, len, NULL);

	/* Request, with our identifier, to our link-local address */
	msg_init(&m, 3);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 2, our_duid, sizeof(our_duid));
	msg_ia_na(&m, "2001:db8::2");
	msg_send(&c, &m, CLIENT, OUR_LL);
	len = reply_recv(peer, f, CLIENT, 7);
	len = len > 4 ? len - 4 : 0;
	check_ids(o, len, true);
	check_ia_na(o, len, NULL);
	check_dns(&c, o, len);
	CHECK(!opt_find(o, len, 14, &l));
	f6_teardown(&c, peer);
}

UNIT_TEST(dhcpv6_renew_rebind_confirm)
{
	static struct ctx c;
	uint8_t f[F6_MAX];
	const uint8_t *o = f + F6_L4 + 12;
	struct msg m;
	size_t len;
	int peer;

	f6_setup(&c, &peer);
	/* Renew naming an address that isn't ours: lifetime 0 for it */
	msg_init(&m, 5);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 2, our_duid, sizeof(our_duid));
	msg_ia_na(&m, "2001:db8:1::99");
	msg_send(&c, &m, CLIENT, SERVERS);
	len = reply_recv(peer, f, CLIENT, 7);
	len = len > 4 ? len - 4 : 0;
	check_ids(o, len, true);
	check_ia_na(o, len, "2001:db8:1::99");

	/* Rebind: no server identifier */
	msg_init(&m, 6);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, "2001:db8::2");
	msg_send(&c, &m, CLIENT, SERVERS);
	len = reply_recv(peer, f, CLIENT, 7);
	len = len > 4 ? len - 4 : 0;
	check_ia_na(o, len, NULL);

	/* Confirm: on link, off link, and nothing to confirm */
	msg_init(&m, 4);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, "2001:db8::1234");
	msg_send(&c, &m, CLIENT, SERVERS);
	len = reply_recv(peer, f, CLIENT, 7);
	len = len > 4 ? len - 4 : 0;
	CHECK_EQ_INT(status(o, len), 0);
	check_ids(o, len, true);

	msg_init(&m, 4);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, "2001:db8:1::1234");
	msg_send(&c, &m, CLIENT, SERVERS);
	len = reply_recv(peer, f, CLIENT, 7);
	len = len > 4 ? len - 4 : 0;
	CHECK_EQ_INT(status(o, len), 4);		/* NotOnLink */

	msg_init(&m, 4);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, NULL);
	msg_send(&c, &m, CLIENT, SERVERS);
	CHECK(f6_recv(peer, f) < 0);
	f6_teardown(&c, peer);
}

UNIT_TEST(dhcpv6_release_decline_info)
{
	uint8_t f[F6_MAX], types[] = { 8, 9 };
	static struct ctx c;
	const uint8_t *o = f + F6_L4 + 12;
	struct msg m;
	size_t len, i;
	int peer;

	f6_setup(&c, &peer);
	for (i = 0; i < sizeof(types); i++) {
		msg_init(&m, types[i]);
		msg_opt(&m, 1, client_duid, sizeof(client_duid));
		msg_opt(&m, 2, our_duid, sizeof(our_duid));
		msg_ia_na(&m, "2001:db8::2");
		msg_send(&c, &m, CLIENT, SERVERS);
		len = reply_recv(peer, f, CLIENT, 7);
		len = len > 4 ? len - 4 : 0;
		CHECK_EQ_INT(status(o, len), 0);
		check_ids(o, len, true);
	}

	/* Information-request: no client identifier needed, no IA given */
	msg_init(&m, 11);
	msg_send(&c, &m, CLIENT, SERVERS);
	len = reply_recv(peer, f, CLIENT, 7);
	len = len > 4 ? len - 4 : 0;
	check_ids(o, len, false);
	check_dns(&c, o, len);
	CHECK(!opt_find(o, len, 3, &i));

	/* ...and the options follow --no-dhcp-dns, --no-dhcp-search */
	c.no_dhcp_dns = c.no_dhcp_search = true;
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_send(&c, &m, CLIENT, SERVERS);
	len = reply_recv(peer, f, CLIENT, 7);
	len = len > 4 ? len - 4 : 0;
	check_ids(o, len, true);
	check_dns(&c, o, len);
	f6_teardown(&c, peer);
}

UNIT_TEST(dhcpv6_invalid_ignored)
{
	uint8_t other[] = { 0, 3, 0, 1, 1, 2, 3, 4, 5, 6 }, f[F6_MAX];
	static struct ctx c;
	struct msg m;
	int peer;

	f6_setup(&c, &peer);
	/* Solicit without client identifier, or with a server identifier */
	msg_init(&m, 1);
	msg_ia_na(&m, NULL);
	msg_send(&c, &m, CLIENT, SERVERS);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 2, our_duid, sizeof(our_duid));
	msg_send(&c, &m, CLIENT, SERVERS);

	/* Request, Renew, Release, Decline: none, or another server's */
	msg_init(&m, 3);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, NULL);
	msg_send(&c, &m, CLIENT, SERVERS);
	msg_opt(&m, 2, other, sizeof(other));
	msg_send(&c, &m, CLIENT, SERVERS);
	m.b[8] = 5;
	msg_send(&c, &m, CLIENT, SERVERS);
	m.b[8] = 8;
	msg_send(&c, &m, CLIENT, SERVERS);
	m.b[8] = 9;
	msg_send(&c, &m, CLIENT, SERVERS);

	/* Information-request with an IA, or another server's identifier */
	msg_init(&m, 11);
	msg_ia_na(&m, NULL);
	msg_send(&c, &m, CLIENT, SERVERS);
	msg_init(&m, 11);
	msg_opt(&m, 2, other, sizeof(other));
	msg_send(&c, &m, CLIENT, SERVERS);

	/* Server and relay messages, unknown types */
	msg_init(&m, 2);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_send(&c, &m, CLIENT, SERVERS);
	m.b[8] = 12;
	msg_send(&c, &m, CLIENT, SERVERS);
	m.b[8] = 200;
	msg_send(&c, &m, CLIENT, SERVERS);

	/* From :: */
	msg_init(&m, 11);
	msg_send(&c, &m, "::", SERVERS);

	CHECK(f6_recv(peer, f) < 0);
	CHECK_EQ_INT(c.stats.frames_out, 0);

	/* Not to a server address of ours: somebody else's, not ours (and
	 * not udp.c's either, here)
	 */
	c.no_udp = true;
	msg_send(&c, &m, CLIENT, "2001:db8::547");
	CHECK_EQ_INT(c.stats.drop_proto, 1);
	CHECK(f6_recv(peer, f) < 0);
	f6_teardown(&c, peer);
}

UNIT_TEST(dhcpv6_ias_beyond_the_first)
{
	uint8_t ta[4] = { 9, 9, 9, 9 }, pd[12] = { 7, 7, 7, 7 }, f[F6_MAX];
	uint8_t ia2[12] = { 5, 5, 5, 5 };
	static struct ctx c;
	const uint8_t *o = f + F6_L4 + 12, *p;
	struct msg m;
	size_t len, l = 0;
	int peer;

	f6_setup(&c, &peer);
	msg_init(&m, 3);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 2, our_duid, sizeof(our_duid));
	msg_opt(&m, 25, pd, sizeof(pd));
	msg_opt(&m, 4, ta, sizeof(ta));
	msg_ia_na(&m, NULL);
	msg_opt(&m, 3, ia2, sizeof(ia2));
	msg_send(&c, &m, CLIENT, SERVERS);
	len = reply_recv(peer, f, CLIENT, 7);
	len = len > 4 ? len - 4 : 0;
	check_ia_na(o, len, NULL);		/* the first IA_NA */
	p = opt_find(o, len, 25, &l);
	CHECK(p && l >= 12 && !memcmp(p, pd, 4) && status(p + 12, l - 12) == 6);
	p = opt_find(o, len, 4, &l);
	CHECK(p && l >= 4 && !memcmp(p, ta, 4) && status(p + 4, l - 4) == 2);

	/* A Solicit with no IA_NA: NoAddrsAvail, Advertise even with Rapid
	 * Commit
	 */
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 14, NULL, 0);
	msg_opt(&m, 25, pd, sizeof(pd));
	msg_send(&c, &m, CLIENT, SERVERS);
	len = reply_recv(peer, f, CLIENT, 2);
	len = len > 4 ? len - 4 : 0;
	CHECK_EQ_INT(status(o, len), 2);
	check_ids(o, len, true);
	f6_teardown(&c, peer);
}

UNIT_TEST(dhcpv6_malformed_dropped)
{
	static struct ctx c;
	uint8_t f[F6_MAX];
	struct msg m, good;
	size_t i, fl;
	int peer, drops;

	f6_setup(&c, &peer);
	msg_init(&good, 3);
	msg_opt(&good, 1, client_duid, sizeof(client_duid));
	msg_opt(&good, 2, our_duid, sizeof(our_duid));
	msg_ia_na(&good, "2001:db8::2");

	/* Cut at every length, UDP and IPv6 lengths consistent with it:
	 * every cut leaves the header or an option short, or the message
	 * without an identifier it needs; but a cut right before the IA_NA
	 * is a valid Request for no address
	 */
	for (i = 8; i < good.len; i++) {
		if (i == 12 + 4 + 14 + 4 + 10)
			continue;
		m = good;
		m.len = i;
		msg_send(&c, &m, CLIENT, SERVERS);
	}
	CHECK(f6_recv(peer, f) < 0);
	drops = (int)c.stats.drop_malformed;
	CHECK_EQ_INT(drops, good.len - 8 - 1);

	/* UDP length beyond the packet, or below the header */
	m = good;
	fl = f6_build(f, CLIENT, SERVERS, 1, IPPROTO_UDP, m.b, m.len);
	f[F6_L4 + 4] = 0x10;
	tap_frame_input(&c, f, fl);
	f[F6_L4 + 4] = 0;
	f[F6_L4 + 5] = 7;
	tap_frame_input(&c, f, fl);
	drops += 2;

	/* Frame cut short of the IPv6 payload length */
	m = good;
	fl = f6_build(f, CLIENT, SERVERS, 1, IPPROTO_UDP, m.b, m.len);
	for (i = 0; i < fl; i++)
		tap_frame_input(&c, f, i);

	/* IA_NA too short; IA address too short, or its option past it */
	m = good;
	m.b[12 + 4 + 14 + 4 + 10 + 3] = 11;
	msg_send(&c, &m, CLIENT, SERVERS);
	m = good;
	m.b[12 + 4 + 14 + 4 + 10 + 4 + 12 + 3] = 23;
	msg_send(&c, &m, CLIENT, SERVERS);
	m = good;
	msg_opt(&m, 13, "\0\0", 2);	/* a status inside the address */
	m.b[m.len - 6 + 3] = 20;	/* ...claiming 20 bytes */
	msg_grow(&m, 12 + 4 + 14 + 4 + 10 + 4 + 12);
	msg_grow(&m, 12 + 4 + 14 + 4 + 10);
	msg_send(&c, &m, CLIENT, SERVERS);
	/* Client identifier of 0 and 131 bytes */
	msg_init(&m, 11);
	msg_opt(&m, 1, NULL, 0);
	msg_send(&c, &m, CLIENT, SERVERS);
	msg_init(&m, 11);
	msg_opt(&m, 1, f, 131);
	msg_send(&c, &m, CLIENT, SERVERS);
	/* Rapid commit with data */
	msg_init(&m, 11);
	msg_opt(&m, 14, f, 1);
	msg_send(&c, &m, CLIENT, SERVERS);
	drops += 6;

	CHECK(f6_recv(peer, f) < 0);
	CHECK_EQ_INT(c.stats.frames_out, 0);
	CHECK_EQ_INT(c.stats.drop_malformed, drops + (int)fl - F6_ETH_LEN);
	CHECK_EQ_INT(c.stats.drop_short, F6_ETH_LEN);

	/* The intact message is still answered */
	msg_send(&c, &good, CLIENT, SERVERS);
	CHECK(reply_recv(peer, f, CLIENT, 7));
	f6_teardown(&c, peer);
}

UNIT_TEST(dhcpv6_random_options)
{
	uint64_t seed = 0x2001db8ULL;
	static struct ctx c;
	uint8_t f[F6_MAX];
	struct msg m;
	int i, peer;

	f6_setup(&c, &peer);
	for (i = 0; i < 20000; i++) {
		size_t n = f6_rand(&seed) % 6, j;

		msg_init(&m, (uint8_t)(1 + f6_rand(&seed) % 12));
		if (f6_rand(&seed) % 4)
			msg_opt(&m, 1, client_duid, sizeof(client_duid));
		if (f6_rand(&seed) % 2)
			msg_opt(&m, 2, our_duid, sizeof(our_duid));
		for (j = 0; j < n; j++) {
			uint8_t d[64];
			size_t k, l = f6_rand(&seed) % sizeof(d), off;

			for (k = 0; k < l; k++)
				d[k] = (uint8_t)f6_rand(&seed);
			off = msg_opt(&m, (uint16_t)(f6_rand(&seed) % 26), d,
				      l);
			if (!(f6_rand(&seed) % 8))	/* lie about it */
				m.b[off + 3] = (uint8_t)f6_rand(&seed);
		}
		if (f6_rand(&seed) % 4 == 0)
			m.len -= f6_rand(&seed) % m.len;
		msg_send(&c, &m, CLIENT, SERVERS);
		while (f6_recv(peer, f) > 0)
			;
	}
	CHECK_EQ_INT(c.stats.frames_in, 20000);
	f6_teardown(&c, peer);
}
