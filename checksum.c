// SPDX-License-Identifier: GPL-2.0-or-later
/* checksum.c - Internet checksums (RFC 1071) and pseudo-headers
 *
 * DOC: Theory of Operation
 *
 * The one's complement sum is accumulated in 64 bits, four bytes at a time,
 * which leaves the carries to a single fold at the end: with no carry lost
 * for buffers below 2^32 words, this is as correct as the textbook 16-bit
 * loop and several times faster. The compiler vectorises the loop.
 *
 * Pseudo-header sums (RFC 768, RFC 8200 section 8.1) are computed
 * separately and passed as the initial value of the payload's sum.
 */

#include <string.h>

#include "checksum.h"

/**
 * csum_unfolded() - One's complement sum of a buffer, not folded
 * @buf:	Data, any alignment
 * @len:	Length in bytes
 * @init:	Initial value (a pseudo-header sum, or 0)
 *
 * Return: 32-bit partial sum, to be folded with csum_fold()
 */
uint32_t csum_unfolded(const void *buf, size_t len, uint32_t init)
{
	const uint8_t *p = buf;
	uint64_t sum = init;

	while (len >= 4) {
		uint32_t w;

		memcpy(&w, p, sizeof(w));
		sum += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, sizeof(w));
		sum += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0;

		memcpy(&w, p, 1);	/* padded with a zero byte, RFC 1071 */
		sum += w;
	}

	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	return (uint32_t)sum;
}

/**
 * csum_fold() - Fold a partial sum to 16 bits and complement it
 * @sum:	Partial sum
 *
 * Return: checksum in network order, ready to store
 */
uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * csum() - Checksum of a buffer
 * @buf:	Data
 * @len:	Length in bytes
 * @init:	Initial partial sum (pseudo-header), or 0
 *
 * Return: checksum in network order
 */
uint16_t csum(const void *buf, size_t len, uint32_t init)
{
	return csum_fold(csum_unfolded(buf, len, init));
}

/**
 * csum_pseudo4() - Partial sum of an IPv4 pseudo-header
 * @l4len:	Length of the transport header and payload
 * @proto:	Protocol number
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: partial sum
 */
uint32_t csum_pseudo4(uint16_t l4len, uint8_t proto, struct in_addr saddr,
		      struct in_addr daddr)
{
	uint32_t sum = 0;

	sum += saddr.s_addr >> 16;
	sum += saddr.s_addr & 0xffff;
	sum += daddr.s_addr >> 16;
	sum += daddr.s_addr & 0xffff;
	sum += htons(proto);
	sum += htons(l4len);
	return sum;
}

/**
 * csum_pseudo6() - Partial sum of an IPv6 pseudo-header
 * @l4len:	Upper-layer packet length
 * @proto:	Next header value of the upper layer
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: partial sum
 */
uint32_t csum_pseudo6(uint32_t l4len, uint8_t proto,
		      const struct in6_addr *saddr,
		      const struct in6_addr *daddr)
{
	uint32_t sum = 0;

	sum = csum_unfolded(saddr, sizeof(*saddr), sum);
	sum = csum_unfolded(daddr, sizeof(*daddr), sum);
	sum = csum_unfolded(&(uint32_t){ htonl(l4len) }, 4, sum);
	sum = csum_unfolded(&(uint32_t){ htonl(proto) }, 4, sum);
	return sum;
}
