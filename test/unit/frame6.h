/* SPDX-License-Identifier: GPL-2.0-or-later */
/* frame6.h - IPv6 frames for the NDP and DHCPv6 unit tests
 *
 * Frames from the guest are built here byte by byte, and their checksums
 * computed with a plain 16-bit RFC 1071 loop written independently of
 * checksum.c, so that a bug there can't hide behind a matching bug here.
 * The "guest" sends into one end of a datagram socket pair, the context's
 * tap, and reads what the daemon answers from the other end.
 */
#ifndef FRAME6_H
#define FRAME6_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "../../passt.h"
#include "../../tap.h"

#define F6_ETH_LEN	14
#define F6_IP6_LEN	40
#define F6_L4		(F6_ETH_LEN + F6_IP6_LEN)	/* L4 offset */
#define F6_MAX		2048

static const uint8_t f6_guest_mac[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t f6_our_mac[6] = MAC_OUR_DEFAULT;

/**
 * f6_addr() - Parse an IPv6 address for a test
 * @s:		Address text
 *
 * Return: the address (all zeroes if @s doesn't parse, failing the check)
 */
static inline struct in6_addr f6_addr(const char *s)
{
	struct in6_addr a = IN6ADDR_ANY_INIT;

	CHECK(inet_pton(AF_INET6, s, &a) == 1);
	return a;
}

/**
 * f6_csum() - Reference checksum of an upper-layer IPv6 packet
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Next header
 * @p:		Packet, checksum field included
 * @len:	Its length
 *
 * Return: complement of the one's complement sum, host order: 0 if the
 *	   packet's checksum is right, the value to store if the field was 0
 */
static inline uint16_t f6_csum(const struct in6_addr *src,
			       const struct in6_addr *dst, uint8_t proto,
			       const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < 16; i += 2) {
		sum += (uint32_t)(src->s6_addr[i] << 8 | src->s6_addr[i + 1]);
		sum += (uint32_t)(dst->s6_addr[i] << 8 | dst->s6_addr[i + 1]);
	}
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + proto;
	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | (i + 1 < len ? p[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * f6_build() - Build an IPv6 frame from the guest
 * @f:		Buffer, F6_MAX bytes
 * @src:	Source address, text
 * @dst:	Destination address, text
 * @hlim:	Hop limit
 * @proto:	Next header: IPPROTO_ICMPV6 or IPPROTO_UDP
 * @l4:		Upper-layer packet, its checksum field is filled in here
 * @len:	Its length
 *
 * Return: frame length
 */
static inline size_t f6_build(uint8_t *f, const char *src, const char *dst,
			      uint8_t hlim, uint8_t proto, const void *l4,
			      size_t len)
{
	struct in6_addr s = f6_addr(src), d = f6_addr(dst);
	size_t csum_off = proto == IPPROTO_UDP ? 6 : 2;
	uint16_t sum;

	if (d.s6_addr[0] == 0xff) {
		f[0] = f[1] = 0x33;
		memcpy(f + 2, &d.s6_addr[12], 4);
	} else {
		memcpy(f, f6_our_mac, 6);
	}
	memcpy(f + 6, f6_guest_mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;

	memset(f + F6_ETH_LEN, 0, F6_IP6_LEN);
	f[F6_ETH_LEN] = 0x60;
	f[F6_ETH_LEN + 4] = (uint8_t)(len >> 8);
	f[F6_ETH_LEN + 5] = (uint8_t)len;
	f[F6_ETH_LEN + 6] = proto;
	f[F6_ETH_LEN + 7] = hlim;
	memcpy(f + F6_ETH_LEN + 8, &s, 16);
	memcpy(f + F6_ETH_LEN + 24, &d, 16);

	memcpy(f + F6_L4, l4, len);
	if (len >= csum_off + 2) {
		f[F6_L4 + csum_off] = f[F6_L4 + csum_off + 1] = 0;
		sum = f6_csum(&s, &d, proto, f + F6_L4, len);
		if (proto == IPPROTO_UDP && !sum)
			sum = 0xffff;
		f[F6_L4 + csum_off] = (uint8_t)(sum >> 8);
		f[F6_L4 + csum_off + 1] = (uint8_t)sum;
	}
	return F6_L4 + len;
}

/**
 * f6_setup() - A context serving 2001:db8::2/64, its tap a socket pair
 * @c:		Context to fill
 * @peer:	The other end, where replies can be read
 */
static inline void f6_setup(struct ctx *c, int *peer)
{
	int sv[2];

	memset(c, 0, sizeof(*c));
	CHECK(!socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv));
	c->mode = MODE_PASTA;
	c->fd_tap = sv[0];
	*peer = sv[1];
	c->ipv6_enabled = true;
	c->mtu = MTU_DEFAULT;
	memcpy(c->our_mac, f6_our_mac, 6);
	c->ip6.addr = f6_addr("2001:db8::2");
	c->ip6.addr_seen = c->ip6.addr;
	c->ip6.prefix_len = 64;
	c->ip6.gw = f6_addr("2001:db8::1");
	c->ip6.our_ll = f6_addr("fe80::9855:9aff:fe55:9a55");
	c->ip6.dns[0] = f6_addr("2001:db8::53");
	c->ip6.dns[1] = f6_addr("::1");	/* loopback: never given */
	c->ip6.dns[2] = f6_addr("2001:db8::54");
	strcpy(c->search[0], "example.org");
	strcpy(c->search[1], "test.");
}

/**
 * f6_teardown() - Close the socket pair of f6_setup()
 * @c:		Context
 * @peer:	Other end
 */
static inline void f6_teardown(struct ctx *c, int peer)
{
	close(c->fd_tap);
	close(peer);
}

/**
 * f6_recv() - Read the next frame sent to the guest, if any
 * @peer:	Guest's end of the socket pair
 * @f:		Buffer, F6_MAX bytes
 *
 * Return: frame length, or -1 if nothing was sent
 */
static inline ssize_t f6_recv(int peer, uint8_t *f)
{
	return recv(peer, f, F6_MAX, 0);
}

/**
 * f6_check_reply() - Check the IPv6 frame around a reply to the guest
 * @f:		Frame
 * @n:		Its length
 * @src:	Expected source address, text
 * @dst:	Expected destination address, text
 * @proto:	Expected next header
 *
 * Ethernet addresses, version, payload length, hop limit 255 and the
 * upper-layer checksum are checked too.
 */
static inline void f6_check_reply(const uint8_t *f, ssize_t n,
				  const char *src, const char *dst,
				  uint8_t proto)
{
	struct in6_addr s = f6_addr(src), d = f6_addr(dst);
	uint8_t mac[6] = { 0x33, 0x33 };

	CHECK(n >= F6_L4 + 8);
	if (n < F6_L4 + 8)
		return;
	if (d.s6_addr[0] == 0xff) {
		memcpy(mac + 2, &d.s6_addr[12], 4);
		CHECK_MEMEQ(f, mac, 6);
	} else {
		CHECK_MEMEQ(f, f6_guest_mac, 6);
	}
	CHECK_MEMEQ(f + 6, f6_our_mac, 6);
	CHECK(f[12] == 0x86 && f[13] == 0xdd);
	CHECK_EQ_INT(f[F6_ETH_LEN] >> 4, 6);
	CHECK_EQ_INT(f[F6_ETH_LEN + 4] << 8 | f[F6_ETH_LEN + 5], n - F6_L4);
	CHECK_EQ_INT(f[F6_ETH_LEN + 6], proto);
	CHECK_EQ_INT(f[F6_ETH_LEN + 7], 255);
	CHECK_MEMEQ(f + F6_ETH_LEN + 8, &s, 16);
	CHECK_MEMEQ(f + F6_ETH_LEN + 24, &d, 16);
	CHECK_EQ_INT(f6_csum(&s, &d, proto, f + F6_L4, (size_t)n - F6_L4), 0);
}

/**
 * f6_rand() - Small deterministic generator for fuzz-style tests
 * @state:	Generator state, any non-zero seed
 *
 * Return: 32 pseudo-random bits
 */
static inline uint32_t f6_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint32_t)(*state >> 16);
}

#endif /* FRAME6_H */
