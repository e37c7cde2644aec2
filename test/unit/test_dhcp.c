// SPDX-License-Identifier: GPL-2.0-or-later
/* test_dhcp.c - DHCPv4 server: what each message gets, and what gets none
 *
 * Frames are built by hand (Ethernet, IPv4, UDP, BOOTP header, options),
 * fed to tap_frame_input() of a pasta context whose tap is one end of a
 * datagram socket pair, and the reply, if any, is read from the other end.
 */

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "unit.h"
#include "../../log.h"
#include "../../passt.h"
#include "../../tap.h"

/* Offsets in a frame from the guest: Ethernet, IPv4 without options, UDP */
#define F_IP		14
#define F_UDP		34
#define F_BOOTP		42
#define F_OPTS		(F_BOOTP + 240)
/* Offsets in the BOOTP header */
#define B_OP		0
#define B_HTYPE		1
#define B_HLEN		2
#define B_XID		4
#define B_FLAGS		10
#define B_CIADDR	12
#define B_YIADDR	16
#define B_SIADDR	20
#define B_CHADDR	28
#define B_SNAME		44
#define B_FILE		108
#define B_COOKIE	236

#define FRAME_MAX	4096

/* Option codes, as the RFCs number them */
#define O_PAD		0
#define O_MASK		1
#define O_ROUTER	3
#define O_DNS		6
#define O_HOSTNAME	12
#define O_MTU		26
#define O_REQ_ADDR	50
#define O_LEASE		51
#define O_OVERLOAD	52
#define O_TYPE		53
#define O_SERVER_ID	54
#define O_PRL		55
#define O_MESSAGE	56
#define O_MAX_SIZE	57
#define O_T1		58
#define O_T2		59
#define O_CLIENT_ID	61
#define O_SEARCH	119
#define O_END		255

#define DISCOVER	1
#define OFFER		2
#define REQUEST		3
#define DECLINE		4
#define ACK		5
#define NAK		6
#define RELEASE		7
#define INFORM		8

static const uint8_t guest_mac[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t our_mac[6] = MAC_OUR_DEFAULT;
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/**
 * addr() - An IPv4 address from text
 * @s:		Dotted quad
 *
 * Return: address, network order
 */
static struct in_addr addr(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

/**
 * setup() - A pasta context with the test addresses, tap a socket pair
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
	c->mtu = MTU_DEFAULT;
	memcpy(c->our_mac, our_mac, 6);
	c->ip4.addr = addr("192.0.2.2");
	c->ip4.prefix_len = 24;
	c->ip4.gw = addr("192.0.2.1");
	c->ip4.dns[0] = addr("192.0.2.53");
	c->ip4.dns[1] = addr("127.0.0.53");	/* loopback: never sent */
	c->ip4.dns[2] = addr("198.51.100.53");
	strcpy(c->search[0], "example.test");
	strcpy(c->search[1], "b.example.test.");
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

/**
 * fix_lengths() - Make the IPv4 and UDP lengths say what the frame holds
 * @f:		Frame
 * @len:	Frame length
 */
static void fix_lengths(uint8_t *f, size_t len)
{
	uint16_t l;

	l = htons((uint16_t)(len - F_IP));
	memcpy(f + F_IP + 2, &l, 2);
	l = htons((uint16_t)(len - F_UDP));
	memcpy(f + F_UDP + 4, &l, 2);
}

/**
 * frame() - Build a DHCP request frame from the guest
 * @f:		Buffer, FRAME_MAX bytes
 * @opts:	Options after the cookie, end option included by the caller
 * @olen:	Length of @opts
 *
 * Return: frame length
 */
static size_t frame(uint8_t *f, const uint8_t *opts, size_t olen)
{
	const uint8_t ip[12] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0 };
	const uint8_t cookie[4] = { 99, 130, 83, 99 };
	const uint8_t xid[4] = { 0x12, 0x34, 0x56, 0x78 };
	uint8_t *b = f + F_BOOTP;
	size_t len = F_OPTS + olen;

	memset(f, 0, F_OPTS);
	memcpy(f, bcast_mac, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memcpy(f + F_IP, ip, sizeof(ip));
	memset(f + F_IP + 16, 0xff, 4);		/* to 255.255.255.255 */
	f[F_UDP + 1] = 68;
	f[F_UDP + 3] = 67;
	b[B_OP] = 1;
	b[B_HTYPE] = 1;
	b[B_HLEN] = 6;
	memcpy(b + B_XID, xid, 4);
	memcpy(b + B_CHADDR, guest_mac, 6);
	memcpy(b + B_COOKIE, cookie, 4);
	memcpy(f + F_OPTS, opts, olen);
	fix_lengths(f, len);
	return len;
}

/**
 * recv_reply() - Read the reply frame, if there is one
 * @peer:	Our end of the socket pair
 * @buf:	Buffer, FRAME_MAX bytes
 *
 * Return: frame length, or -1 if nothing was sent
 */
static ssize_t recv_reply(int peer, uint8_t *buf)
{
	return recv(peer, buf, FRAME_MAX, 0);
}

/**
 * opt_get() - Find an option in a reply, concatenating its instances
 * @f:		Reply frame
 * @len:	Frame length, negative if there's no frame
 * @code:	Option code
 * @val:	Value, FRAME_MAX bytes, or NULL
 * @first:	Set to the position of the first instance among options
 *
 * Return: length of the value, -1 if absent or if the reply is malformed
 */
static int opt_get(const uint8_t *f, ssize_t len, uint8_t code, uint8_t *val,
		   int *first)
{
	ssize_t i = F_OPTS;
	int vlen = -1, pos = 0;

	while (i < len) {
		uint8_t c = f[i++], l;

		if (c == O_PAD)
			continue;
		if (c == O_END)
			return vlen;
		if (i >= len)
			return -1;
		l = f[i++];
		if (i + l > len)
			return -1;
		if (c == code) {
			if (vlen < 0) {
				vlen = 0;
				if (first)
					*first = pos;
			}
			if (val)
				memcpy(val + vlen, f + i, l);
			vlen += l;
		}
		i += l;
		pos++;
	}
	return -1;	/* no end option */
}

/**
 * opt_u32() - Value of a 4-byte option
 * @f:		Reply frame
 * @len:	Frame length
 * @code:	Option code
 *
 * Return: value as it is on the wire (addresses stay in network order)
 */
static uint32_t opt_u32(const uint8_t *f, ssize_t len, uint8_t code)
{
	uint8_t val[FRAME_MAX];
	uint32_t v = 0;

	if (opt_get(f, len, code, val, NULL) == 4)
		memcpy(&v, val, 4);
	return v;
}

/**
 * opt_type() - Message type of a reply
 * @f:		Reply frame
 * @len:	Frame length
 *
 * Return: type, -1 if absent
 */
static int opt_type(const uint8_t *f, ssize_t len)
{
	uint8_t val[FRAME_MAX];

	if (opt_get(f, len, O_TYPE, val, NULL) != 1)
		return -1;
	return val[0];
}

/**
 * field_addr() - An address field of the BOOTP header of a reply
 * @f:		Reply frame
 * @off:	Offset in the BOOTP header
 *
 * Return: address, network order
 */
static uint32_t field_addr(const uint8_t *f, size_t off)
{
	uint32_t a;

	memcpy(&a, f + F_BOOTP + off, 4);
	return a;
}

/**
 * ask() - Send a request, read the reply
 * @c:		Context
 * @peer:	Our end of the socket pair
 * @opts:	Options, end included
 * @olen:	Length of @opts
 * @rep:	Reply buffer, FRAME_MAX bytes
 *
 * Return: reply length, -1 if none
 */
static ssize_t ask(struct ctx *c, int peer, const uint8_t *opts, size_t olen,
		   uint8_t *rep)
{
	uint8_t f[FRAME_MAX];

	tap_frame_input(c, f, frame(f, opts, olen));
	return recv_reply(peer, rep);
}

UNIT_TEST(dhcp_discover_offer)
{
	const uint8_t opts[] = { O_TYPE, 1, DISCOVER,
				 O_PRL, 5, O_DNS, O_MTU, O_MASK, 200, O_ROUTER,
				 O_END };
	const uint8_t search[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
				   4, 't', 'e', 's', 't', 0,
				   1, 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
				   4, 't', 'e', 's', 't', 0 };
	uint8_t rep[FRAME_MAX], val[FRAME_MAX];
	int peer, pos_type = -1, pos_dns = -1, pos_mtu = -1, pos_mask = -1,
	    pos_router = -1, pos_lease = -1;
	static struct ctx c;
	uint16_t mtu;
	ssize_t n;

	setup(&c, &peer);
	n = ask(&c, peer, opts, sizeof(opts), rep);
	CHECK(n >= F_BOOTP + 300);
	if (n < F_OPTS)
		goto out;

	CHECK_MEMEQ(rep, guest_mac, 6);		/* unicast, no flag */
	CHECK_MEMEQ(rep + 6, our_mac, 6);
	CHECK(!memcmp(rep + F_IP + 12, &c.ip4.gw, 4));	/* from the gw */
	CHECK(!memcmp(rep + F_IP + 16, &c.ip4.addr, 4));	/* to yiaddr */
	CHECK_EQ_INT(rep[F_UDP + 1], 67);
	CHECK_EQ_INT(rep[F_UDP + 3], 68);
	CHECK_EQ_INT(rep[F_BOOTP + B_OP], 2);
	CHECK_EQ_INT(rep[F_BOOTP + B_XID], 0x12);
	CHECK_EQ_INT(rep[F_BOOTP + B_XID + 3], 0x78);
	CHECK_MEMEQ(rep + F_BOOTP + B_CHADDR, guest_mac, 6);
	CHECK_EQ_INT(field_addr(rep, B_YIADDR), c.ip4.addr.s_addr);
	CHECK_EQ_INT(field_addr(rep, B_CIADDR), 0);
	CHECK_EQ_INT(field_addr(rep, B_SIADDR), 0);

	CHECK_EQ_INT(opt_get(rep, n, O_TYPE, val, &pos_type), 1);
	CHECK_EQ_INT(val[0], OFFER);
	CHECK_EQ_INT(opt_u32(rep, n, O_SERVER_ID), c.ip4.gw.s_addr);
	CHECK_EQ_INT(opt_u32(rep, n, O_LEASE), 0xffffffff);
	CHECK_EQ_INT(opt_u32(rep, n, O_MASK), htonl(0xffffff00));
	CHECK_EQ_INT(opt_u32(rep, n, O_ROUTER), c.ip4.gw.s_addr);
	CHECK_EQ_INT(opt_get(rep, n, O_DNS, val, &pos_dns), 8);
	CHECK_MEMEQ(val, &c.ip4.dns[0], 4);
	CHECK_MEMEQ(val + 4, &c.ip4.dns[2], 4);
	CHECK_EQ_INT(opt_get(rep, n, O_MTU, val, &pos_mtu), 2);
	memcpy(&mtu, val, 2);
	CHECK_EQ_INT(ntohs(mtu), 65520);
	CHECK_EQ_INT(opt_get(rep, n, O_SEARCH, val, NULL), sizeof(search));
	CHECK_MEMEQ(val, search, sizeof(search));
	/* Infinite lease: no T1, no T2 */
	CHECK_EQ_INT(opt_get(rep, n, O_T1, NULL, NULL), -1);
	CHECK_EQ_INT(opt_get(rep, n, O_T2, NULL, NULL), -1);
	CHECK_EQ_INT(opt_get(rep, n, O_HOSTNAME, NULL, NULL), -1);
	CHECK_EQ_INT(opt_get(rep, n, O_CLIENT_ID, NULL, NULL), -1);

	/* Message type first, then the request list's order, then the rest */
	opt_get(rep, n, O_MASK, NULL, &pos_mask);
	opt_get(rep, n, O_ROUTER, NULL, &pos_router);
	opt_get(rep, n, O_LEASE, NULL, &pos_lease);
	CHECK_EQ_INT(pos_type, 0);
	CHECK_EQ_INT(pos_dns, 1);
	CHECK_EQ_INT(pos_mtu, 2);
	CHECK_EQ_INT(pos_mask, 3);
	CHECK_EQ_INT(pos_router, 4);
	CHECK(pos_lease > pos_router);

	CHECK_EQ_INT(c.stats.frames_out, 1);
	CHECK_EQ_INT(c.stats.drop_malformed, 0);
out:
	teardown(&c, peer);
}

UNIT_TEST(dhcp_broadcast_flag)
{
	const uint8_t opts[] = { O_TYPE, 1, DISCOVER, O_END };
	uint8_t f[FRAME_MAX], rep[FRAME_MAX];
	static struct ctx c;
	size_t len;
	ssize_t n;
	int peer;

	setup(&c, &peer);
	len = frame(f, opts, sizeof(opts));
	f[F_BOOTP + B_FLAGS] = 0x80;
	tap_frame_input(&c, f, len);
	n = recv_reply(peer, rep);
	CHECK(n > F_OPTS);
	CHECK_MEMEQ(rep, bcast_mac, 6);
	CHECK_MEMEQ(rep + F_IP + 16, bcast_mac, 4);
	CHECK_EQ_INT(rep[F_BOOTP + B_FLAGS], 0x80);	/* flags echoed */
	CHECK_EQ_INT(field_addr(rep, B_YIADDR), c.ip4.addr.s_addr);
	teardown(&c, peer);
}

UNIT_TEST(dhcp_request_selecting)
{
	const uint8_t ours[] = { O_TYPE, 1, REQUEST,
				 O_SERVER_ID, 4, 192, 0, 2, 1,
				 O_REQ_ADDR, 4, 192, 0, 2, 2,
				 O_CLIENT_ID, 7, 1, 2, 0, 0, 0, 0, 1,
				 O_END };
	const uint8_t other[] = { O_TYPE, 1, REQUEST,
				  O_SERVER_ID, 4, 192, 0, 2, 99,
				  O_REQ_ADDR, 4, 192, 0, 2, 2, O_END };
	const uint8_t wrong[] = { O_TYPE, 1, REQUEST,
				  O_SERVER_ID, 4, 192, 0, 2, 1,
				  O_REQ_ADDR, 4, 192, 0, 2, 7,
				  O_CLIENT_ID, 3, 0, 'i', 'd', O_END };
	uint8_t rep[FRAME_MAX], val[FRAME_MAX];
	static struct ctx c;
	ssize_t n;
	int peer;

	setup(&c, &peer);
	n = ask(&c, peer, ours, sizeof(ours), rep);
	CHECK(n > F_OPTS);
	CHECK_EQ_INT(opt_type(rep, n), ACK);
	CHECK_EQ_INT(field_addr(rep, B_YIADDR), c.ip4.addr.s_addr);
	CHECK_EQ_INT(opt_u32(rep, n, O_LEASE), 0xffffffff);
	CHECK_EQ_INT(opt_u32(rep, n, O_SERVER_ID), c.ip4.gw.s_addr);
	CHECK_EQ_INT(opt_get(rep, n, O_CLIENT_ID, val, NULL), 7);  /* echo */
	CHECK_MEMEQ(val, ours + 17, 7);

	/* The client chose another server: not a word */
	CHECK(ask(&c, peer, other, sizeof(other), rep) < 0);
	CHECK_EQ_INT(c.stats.drop_malformed, 0);

	/* Asking us for an address that isn't the guest's: broadcast NAK */
	n = ask(&c, peer, wrong, sizeof(wrong), rep);
	CHECK(n > F_OPTS);
	CHECK_EQ_INT(opt_type(rep, n), NAK);
	CHECK_MEMEQ(rep, bcast_mac, 6);
	CHECK_MEMEQ(rep + F_IP + 16, bcast_mac, 4);
	CHECK_EQ_INT(field_addr(rep, B_YIADDR), 0);
	CHECK_EQ_INT(opt_u32(rep, n, O_SERVER_ID), c.ip4.gw.s_addr);
	CHECK_EQ_INT(opt_get(rep, n, O_CLIENT_ID, val, NULL), 3);
	CHECK(opt_get(rep, n, O_MESSAGE, NULL, NULL) > 0);
	CHECK_EQ_INT(opt_get(rep, n, O_LEASE, NULL, NULL), -1);
	CHECK_EQ_INT(opt_get(rep, n, O_MASK, NULL, NULL), -1);
	CHECK_EQ_INT(opt_get(rep, n, O_ROUTER, NULL, NULL), -1);
	CHECK_EQ_INT(opt_get(rep, n, O_DNS, NULL, NULL), -1);
	teardown(&c, peer);
}

UNIT_TEST(dhcp_request_init_reboot)
{
	const uint8_t good[] = { O_TYPE, 1, REQUEST,
				 O_REQ_ADDR, 4, 192, 0, 2, 2, O_END };
	const uint8_t bad[] = { O_TYPE, 1, REQUEST,
				O_REQ_ADDR, 4, 10, 0, 0, 2, O_END };
	const uint8_t none[] = { O_TYPE, 1, REQUEST, O_END };
	uint8_t rep[FRAME_MAX];
	static struct ctx c;
	ssize_t n;
	int peer;

	setup(&c, &peer);
	n = ask(&c, peer, good, sizeof(good), rep);
	CHECK_EQ_INT(opt_type(rep, n), ACK);
	CHECK_EQ_INT(field_addr(rep, B_YIADDR), c.ip4.addr.s_addr);
	n = ask(&c, peer, bad, sizeof(bad), rep);
	CHECK_EQ_INT(opt_type(rep, n), NAK);
	/* No server, no requested address, no ciaddr: nothing to check */
	CHECK(ask(&c, peer, none, sizeof(none), rep) < 0);
	CHECK_EQ_INT(c.stats.drop_malformed, 1);
	teardown(&c, peer);
}

UNIT_TEST(dhcp_request_renewing)
{
	const uint8_t opts[] = { O_TYPE, 1, REQUEST, O_END };
	uint8_t f[FRAME_MAX], rep[FRAME_MAX];
	static struct ctx c;
	size_t len;
	ssize_t n;
	int peer;

	setup(&c, &peer);
	len = frame(f, opts, sizeof(opts));
	memcpy(f + F_BOOTP + B_CIADDR, &c.ip4.addr, 4);
	f[F_BOOTP + B_FLAGS] = 0x80;	/* ciaddr wins (RFC 2131 4.1) */
	tap_frame_input(&c, f, len);
	n = recv_reply(peer, rep);
	CHECK_EQ_INT(opt_type(rep, n), ACK);
	CHECK_MEMEQ(rep, guest_mac, 6);
	CHECK(!memcmp(rep + F_IP + 16, &c.ip4.addr, 4));
	CHECK_EQ_INT(field_addr(rep, B_CIADDR), c.ip4.addr.s_addr);
	CHECK_EQ_INT(field_addr(rep, B_YIADDR), c.ip4.addr.s_addr);

	/* Renewing an address that isn't the guest's */
	inet_pton(AF_INET, "192.0.2.77", f + F_BOOTP + B_CIADDR);
	tap_frame_input(&c, f, len);
	n = recv_reply(peer, rep);
	CHECK_EQ_INT(opt_type(rep, n), NAK);
	CHECK_EQ_INT(field_addr(rep, B_CIADDR), 0);
	CHECK_MEMEQ(rep + F_IP + 16, bcast_mac, 4);
	teardown(&c, peer);
}

UNIT_TEST(dhcp_inform)
{
	const uint8_t opts[] = { O_TYPE, 1, INFORM, O_PRL, 2, O_DNS, O_SEARCH,
				 O_END };
	uint8_t f[FRAME_MAX], rep[FRAME_MAX];
	static struct ctx c;
	size_t len;
	ssize_t n;
	int peer;

	setup(&c, &peer);
	len = frame(f, opts, sizeof(opts));
	memcpy(f + F_BOOTP + B_CIADDR, &c.ip4.addr, 4);
	tap_frame_input(&c, f, len);
	n = recv_reply(peer, rep);
	CHECK_EQ_INT(opt_type(rep, n), ACK);
	CHECK_EQ_INT(field_addr(rep, B_YIADDR), 0);
	CHECK_EQ_INT(field_addr(rep, B_CIADDR), c.ip4.addr.s_addr);
	CHECK(!memcmp(rep + F_IP + 16, &c.ip4.addr, 4));
	CHECK_EQ_INT(opt_get(rep, n, O_LEASE, NULL, NULL), -1);
	CHECK_EQ_INT(opt_get(rep, n, O_DNS, NULL, NULL), 8);
	CHECK(opt_get(rep, n, O_SEARCH, NULL, NULL) > 0);
	CHECK_EQ_INT(opt_u32(rep, n, O_SERVER_ID), c.ip4.gw.s_addr);
	teardown(&c, peer);
}

UNIT_TEST(dhcp_release_decline_silent)
{
	const uint8_t rel[] = { O_TYPE, 1, RELEASE,
				O_SERVER_ID, 4, 192, 0, 2, 1, O_END };
	const uint8_t dec[] = { O_TYPE, 1, DECLINE,
				O_REQ_ADDR, 4, 192, 0, 2, 2,
				O_SERVER_ID, 4, 192, 0, 2, 1, O_END };
	const uint8_t offer[] = { O_TYPE, 1, OFFER, O_END };
	const uint8_t bootp[] = { O_END };
	uint8_t rep[FRAME_MAX];
	static struct ctx c;
	int peer;

	setup(&c, &peer);
	CHECK(ask(&c, peer, rel, sizeof(rel), rep) < 0);
	CHECK(ask(&c, peer, dec, sizeof(dec), rep) < 0);
	CHECK(ask(&c, peer, bootp, sizeof(bootp), rep) < 0);
	CHECK_EQ_INT(c.stats.drop_malformed, 0);
	CHECK(ask(&c, peer, offer, sizeof(offer), rep) < 0);
	CHECK_EQ_INT(c.stats.drop_malformed, 1);
	CHECK_EQ_INT(c.stats.frames_out, 0);
	teardown(&c, peer);
}

UNIT_TEST(dhcp_options_follow_config)
{
	const uint8_t opts[] = { O_TYPE, 1, DISCOVER, O_END };
	uint8_t rep[FRAME_MAX], val[FRAME_MAX];
	static struct ctx c;
	ssize_t n;
	int peer;

	setup(&c, &peer);
	c.no_dhcp_dns = true;
	c.no_dhcp_search = true;
	strcpy(c.fqdn, "guest.example.test");
	c.mtu = 9000;
	c.ip4.prefix_len = 20;
	n = ask(&c, peer, opts, sizeof(opts), rep);
	CHECK_EQ_INT(opt_type(rep, n), OFFER);
	CHECK_EQ_INT(opt_get(rep, n, O_DNS, NULL, NULL), -1);
	CHECK_EQ_INT(opt_get(rep, n, O_SEARCH, NULL, NULL), -1);
	CHECK_EQ_INT(opt_get(rep, n, O_HOSTNAME, val, NULL), 18);
	CHECK_MEMEQ(val, "guest.example.test", 18);
	CHECK_EQ_INT(opt_get(rep, n, O_MTU, val, NULL), 2);
	CHECK_EQ_INT(val[0] << 8 | val[1], 9000);
	CHECK_EQ_INT(opt_u32(rep, n, O_MASK), htonl(0xfffff000));

	/* Only loopback resolvers: no DNS option at all */
	c.no_dhcp_dns = false;
	memset(c.ip4.dns, 0, sizeof(c.ip4.dns));
	c.ip4.dns[0] = addr("127.0.0.1");
	n = ask(&c, peer, opts, sizeof(opts), rep);
	CHECK_EQ_INT(opt_get(rep, n, O_DNS, NULL, NULL), -1);

	/* No address for the guest: nobody answers */
	c.ip4.addr.s_addr = 0;
	CHECK(ask(&c, peer, opts, sizeof(opts), rep) < 0);
	teardown(&c, peer);
}

/**
 * long_search() - Fill the search list with six long domains
 * @c:		Context
 */
static void long_search(struct ctx *c)
{
	int i, j;

	for (i = 0; i < SEARCH_MAX; i++) {
		char *s = c->search[i];

		/* 3 labels of 60 bytes: a 184-byte encoded name */
		for (j = 0; j < 3; j++) {
			memset(s + j * 61, 'a' + i, 60);
			s[j * 61 + 60] = j < 2 ? '.' : '\0';
		}
	}
}

UNIT_TEST(dhcp_size_limits)
{
	const uint8_t small[] = { O_TYPE, 1, DISCOVER, O_PRL, 2, O_SEARCH,
				  O_ROUTER, O_CLIENT_ID, 2, 1, 9, O_END };
	/* Maximum message sizes of 1500 and 64 bytes */
	const uint8_t big[] = { O_TYPE, 1, DISCOVER,
				O_MAX_SIZE, 2, 0x05, 0xdc, O_END };
	const uint8_t tiny[] = { O_TYPE, 1, DISCOVER,
				 O_MAX_SIZE, 2, 0x00, 0x40, O_END };
	uint8_t rep[FRAME_MAX], val[FRAME_MAX];
	static struct ctx c;
	size_t i, pos;
	ssize_t n;
	int peer;

	setup(&c, &peer);
	long_search(&c);

	/* Default: 576 bytes of IP datagram. The search list (6 * 184
	 * bytes) can't fit, even if asked for first, the rest does
	 */
	n = ask(&c, peer, small, sizeof(small), rep);
	CHECK(n > F_OPTS);
	CHECK(n - F_IP <= 576);
	CHECK_EQ_INT(opt_type(rep, n), OFFER);
	CHECK_EQ_INT(opt_get(rep, n, O_SEARCH, NULL, NULL), -1);
	CHECK_EQ_INT(opt_u32(rep, n, O_ROUTER), c.ip4.gw.s_addr);
	CHECK_EQ_INT(opt_u32(rep, n, O_SERVER_ID), c.ip4.gw.s_addr);
	CHECK_EQ_INT(opt_get(rep, n, O_CLIENT_ID, NULL, NULL), 2);
	CHECK_EQ_INT(opt_get(rep, n, O_DNS, NULL, NULL), 8);

	/* A maximum below 576 means 576 */
	n = ask(&c, peer, tiny, sizeof(tiny), rep);
	CHECK(n > F_OPTS && n - F_IP <= 576);
	CHECK_EQ_INT(opt_type(rep, n), OFFER);

	/* 1500 bytes: the search list fits, split in 255-byte instances */
	n = ask(&c, peer, big, sizeof(big), rep);
	CHECK(n > F_OPTS && n - F_IP <= 1500);
	CHECK_EQ_INT(opt_get(rep, n, O_SEARCH, val, NULL), 6 * 184);
	for (i = 0, pos = 0; i < SEARCH_MAX; i++, pos += 184) {
		CHECK_EQ_INT(val[pos], 60);
		CHECK_EQ_INT(val[pos + 1], 'a' + i);
		CHECK_EQ_INT(val[pos + 183], 0);
	}
	for (i = F_OPTS; i < (size_t)n && rep[i] != O_END; ) {
		if (rep[i] == O_PAD) {
			i++;
			continue;
		}
		if (rep[i] == O_SEARCH)
			CHECK(rep[i + 1] == 255 || rep[i + 1] == 6 * 184 % 255);
		i += 2 + rep[i + 1];
	}

	/* Our MTU caps it too */
	c.mtu = 1000;
	n = ask(&c, peer, big, sizeof(big), rep);
	CHECK(n > F_OPTS && n - F_IP <= 1000);
	CHECK_EQ_INT(opt_type(rep, n), OFFER);
	teardown(&c, peer);
}

UNIT_TEST(dhcp_repeated_and_long_prl)
{
	uint8_t opts[3 + 8 * 257 + 1], rep[FRAME_MAX];
	size_t i, j, len = 0;
	static struct ctx c;
	int peer, pos;
	ssize_t n;

	setup(&c, &peer);
	opts[len++] = O_TYPE;
	opts[len++] = 1;
	opts[len++] = DISCOVER;
	/* Eight instances of 255 bytes: every code 255 down to 1, then
	 * repeats. Concatenated (RFC 3396), the router comes first of ours
	 */
	for (i = 0; i < 8; i++) {
		opts[len++] = O_PRL;
		opts[len++] = 255;
		for (j = 0; j < 255; j++)
			opts[len++] = (uint8_t)(255 - j);
	}
	opts[len++] = O_END;

	n = ask(&c, peer, opts, len, rep);
	CHECK(n > F_OPTS && n - F_IP <= 576);
	CHECK_EQ_INT(opt_type(rep, n), OFFER);
	pos = -1;
	opt_get(rep, n, O_SEARCH, NULL, &pos);
	CHECK_EQ_INT(pos, 1);
	CHECK_EQ_INT(opt_u32(rep, n, O_SERVER_ID), c.ip4.gw.s_addr);

	/* Split in two instances: "55 1 3" then "55 1 6" asks for the
	 * router, then DNS
	 */
	{
		const uint8_t two[] = { O_TYPE, 1, DISCOVER, O_PRL, 1, O_ROUTER,
					O_PAD, O_PAD, O_PRL, 1, O_DNS, O_END };

		n = ask(&c, peer, two, sizeof(two), rep);
		pos = -1;
		opt_get(rep, n, O_ROUTER, NULL, &pos);
		CHECK_EQ_INT(pos, 1);
		pos = -1;
		opt_get(rep, n, O_DNS, NULL, &pos);
		CHECK_EQ_INT(pos, 2);
	}
	teardown(&c, peer);
}

UNIT_TEST(dhcp_overload)
{
	const uint8_t opts[] = { O_OVERLOAD, 1, 3, O_END };
	const uint8_t in_file[] = { O_TYPE, 1, DISCOVER, O_PRL, 1, O_MTU,
				    O_END };
	const uint8_t in_sname[] = { O_PRL, 1, O_DNS, O_END };
	uint8_t f[FRAME_MAX], rep[FRAME_MAX];
	static struct ctx c;
	int peer, pos;
	size_t len;
	ssize_t n;

	setup(&c, &peer);
	len = frame(f, opts, sizeof(opts));
	memcpy(f + F_BOOTP + B_FILE, in_file, sizeof(in_file));
	memcpy(f + F_BOOTP + B_SNAME, in_sname, sizeof(in_sname));
	tap_frame_input(&c, f, len);
	n = recv_reply(peer, rep);
	CHECK_EQ_INT(opt_type(rep, n), OFFER);
	/* Concatenation order: options, file, sname (RFC 3396) */
	pos = -1;
	opt_get(rep, n, O_MTU, NULL, &pos);
	CHECK_EQ_INT(pos, 1);
	pos = -1;
	opt_get(rep, n, O_DNS, NULL, &pos);
	CHECK_EQ_INT(pos, 2);
	/* Our own sname and file are empty */
	CHECK_EQ_INT(rep[F_BOOTP + B_FILE], 0);
	CHECK_EQ_INT(rep[F_BOOTP + B_SNAME], 0);

	/* Overload 1 only: sname isn't read, file still is */
	f[F_OPTS + 2] = 1;
	memset(f + F_BOOTP + B_SNAME, 0xee, 64);
	tap_frame_input(&c, f, len);
	n = recv_reply(peer, rep);
	CHECK_EQ_INT(opt_type(rep, n), OFFER);

	/* Overload pointing at garbage: option running past the field */
	f[F_OPTS + 2] = 3;
	tap_frame_input(&c, f, len);
	CHECK(recv_reply(peer, rep) < 0);

	/* ...at a field without end option */
	memset(f + F_BOOTP + B_SNAME, O_PAD, 64);
	tap_frame_input(&c, f, len);
	CHECK(recv_reply(peer, rep) < 0);

	/* ...invalid overload values */
	memcpy(f + F_BOOTP + B_SNAME, in_sname, sizeof(in_sname));
	f[F_OPTS + 2] = 0;
	tap_frame_input(&c, f, len);
	f[F_OPTS + 2] = 4;
	tap_frame_input(&c, f, len);
	CHECK(recv_reply(peer, rep) < 0);
	CHECK_EQ_INT(c.stats.drop_malformed, 4);
	teardown(&c, peer);
}

UNIT_TEST(dhcp_malformed_dropped)
{
	const uint8_t opts[] = { O_TYPE, 1, DISCOVER,
				 O_PRL, 4, O_MASK, O_ROUTER, O_DNS, O_MTU,
				 O_HOSTNAME, 3, 'g', 0, 0x1b,
				 O_END };
	uint8_t f[FRAME_MAX], g[FRAME_MAX], rep[FRAME_MAX];
	static struct ctx c;
	size_t len, i;
	int peer;

	setup(&c, &peer);
	len = frame(f, opts, sizeof(opts));

	/* The frame cut at every length: the IPv4 length says it's short */
	for (i = 0; i < len; i++)
		tap_frame_input(&c, f, i);
	CHECK(recv_reply(peer, rep) < 0);

	/* Cut at every length, with IPv4 and UDP lengths saying so */
	for (i = F_UDP + 8; i < len; i++) {
		memcpy(g, f, len);
		fix_lengths(g, i);
		tap_frame_input(&c, g, i);
	}
	CHECK(recv_reply(peer, rep) < 0);

	/* UDP length beyond the IP payload, or below the UDP header */
	memcpy(g, f, len);
	g[F_UDP + 4] = 0x40;
	tap_frame_input(&c, g, len);
	g[F_UDP + 4] = 0;
	g[F_UDP + 5] = 7;
	tap_frame_input(&c, g, len);
	CHECK(recv_reply(peer, rep) < 0);

	/* Header fields: op, htype, hlen, cookie */
	for (i = 0; i < 4; i++) {
		static const size_t off[] = { B_OP, B_HTYPE, B_HLEN,
					      B_COOKIE };

		memcpy(g, f, len);
		g[F_BOOTP + off[i]] ^= 0x02;
		tap_frame_input(&c, g, len);
		CHECK(recv_reply(peer, rep) < 0);
	}

	/* Option length past the end */
	memcpy(g, f, len);
	g[F_OPTS + 4] = 200;
	tap_frame_input(&c, g, len);
	CHECK(recv_reply(peer, rep) < 0);

	/* No end option: the last byte becomes a pad */
	memcpy(g, f, len);
	g[len - 1] = O_PAD;
	tap_frame_input(&c, g, len);
	CHECK(recv_reply(peer, rep) < 0);

	/* Fixed-size options of the wrong size */
	memcpy(g, f, len);
	g[F_OPTS + 1] = 2;	/* message type of 2 bytes */
	tap_frame_input(&c, g, len);
	CHECK(recv_reply(peer, rep) < 0);
	{
		const uint8_t bad[][12] = {
			{ O_TYPE, 1, REQUEST, O_REQ_ADDR, 3, 1, 2, 3, O_END },
			{ O_TYPE, 1, REQUEST, O_SERVER_ID, 5, 1, 2, 3, 4, 5,
			  O_END },
			{ O_TYPE, 1, DISCOVER, O_MAX_SIZE, 1, 9, O_END },
			{ O_TYPE, 1, DISCOVER, O_CLIENT_ID, 1, 9, O_END },
			{ O_TYPE, 1, DISCOVER, O_TYPE, 1, DISCOVER, O_END },
			{ O_TYPE, 0, O_END },
			{ O_TYPE, 1, 0, O_END },
			{ O_TYPE, 1, 200, O_END },
		};

		for (i = 0; i < ARRAY_SIZE(bad); i++)
			CHECK(ask(&c, peer, bad[i], sizeof(bad[i]), rep) < 0);
	}

	/* After all that, a good one still gets its answer */
	tap_frame_input(&c, f, len);
	CHECK_EQ_INT(opt_type(rep, recv_reply(peer, rep)), OFFER);
	CHECK_EQ_INT(c.stats.frames_out, 1);
	teardown(&c, peer);
}

UNIT_TEST(dhcp_random_frames)
{
	const uint8_t opts[] = { O_TYPE, 1, REQUEST,
				 O_OVERLOAD, 1, 3,
				 O_PRL, 4, O_MASK, O_ROUTER, O_DNS, O_MTU,
				 O_REQ_ADDR, 4, 192, 0, 2, 2,
				 O_MAX_SIZE, 2, 2, 64,
				 O_HOSTNAME, 3, 'g', 0, 0x1b,
				 O_CLIENT_ID, 3, 1, 2, 3,
				 O_END };
	uint8_t f[FRAME_MAX], g[FRAME_MAX], rep[FRAME_MAX];
	uint32_t seed = 0x2131;
	static struct ctx c;
	size_t len, i, j;
	int peer, devnull, saved;

	setup(&c, &peer);
	len = frame(f, opts, sizeof(opts));
	f[F_BOOTP + B_FILE] = O_END;
	f[F_BOOTP + B_SNAME] = O_END;

	/* With debug messages on, so that their formatting runs too */
	devnull = open("/dev/null", O_WRONLY);
	saved = dup(STDERR_FILENO);
	dup2(devnull, STDERR_FILENO);
	log_set_level(LOG_DEBUG);

	for (i = 0; i < 20000; i++) {
		size_t glen = len, flips;

		memcpy(g, f, len);
		seed = seed * 1103515245 + 12345;
		flips = 1 + (seed >> 16) % 8;
		for (j = 0; j < flips; j++) {
			seed = seed * 1103515245 + 12345;
			g[F_BOOTP + (seed >> 8) % (len - F_BOOTP)] =
				(uint8_t)(seed >> 24);
		}
		seed = seed * 1103515245 + 12345;
		if ((seed >> 16) % 4 == 0)
			glen = F_BOOTP + (seed >> 4) % (len - F_BOOTP);
		fix_lengths(g, glen);
		tap_frame_input(&c, g, glen);
		while (recv_reply(peer, rep) > 0)
			;
	}

	log_set_level(LOG_INFO);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(devnull);

	tap_frame_input(&c, f, len);
	CHECK_EQ_INT(opt_type(rep, recv_reply(peer, rep)), ACK);
	teardown(&c, peer);
}
