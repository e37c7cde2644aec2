/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inany.h - IPv4 or IPv6 address in one type (IPv4 as v4-mapped IPv6) */
#ifndef INANY_H
#define INANY_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/**
 * union inany_addr - IPv6 address, or IPv4 address mapped (::ffff:a.b.c.d)
 * @a6:		As IPv6
 * @v4mapped:	Mapped IPv4 view
 * @v4mapped.zero:	Zero bytes
 * @v4mapped.one:	0xffff
 * @v4mapped.a4:	IPv4 address
 */
union inany_addr {
	struct in6_addr a6;
	struct {
		uint8_t zero[10];
		uint8_t one[2];
		struct in_addr a4;
	} v4mapped;
};

#define INANY_ADDRSTRLEN	INET6_ADDRSTRLEN

/**
 * inany_from_v4() - Make a v4-mapped address
 * @a:		Result
 * @v4:		IPv4 address
 */
static inline void inany_from_v4(union inany_addr *a, struct in_addr v4)
{
	memset(a->v4mapped.zero, 0, sizeof(a->v4mapped.zero));
	memset(a->v4mapped.one, 0xff, sizeof(a->v4mapped.one));
	a->v4mapped.a4 = v4;
}

/**
 * inany_v4() - The IPv4 address of a v4-mapped address
 * @a:		Address
 *
 * Return: pointer to the IPv4 address, NULL if @a is IPv6
 */
static inline const struct in_addr *inany_v4(const union inany_addr *a)
{
	if (!IN6_IS_ADDR_V4MAPPED(&a->a6))
		return NULL;
	return &a->v4mapped.a4;
}

/**
 * inany_equals() - Compare two addresses
 * @a:		First
 * @b:		Second
 *
 * Return: true if equal
 */
static inline bool inany_equals(const union inany_addr *a,
				const union inany_addr *b)
{
	return IN6_ARE_ADDR_EQUAL(&a->a6, &b->a6);
}

/**
 * inany_ntop() - Format an address, IPv4 in dotted quad
 * @a:		Address
 * @buf:	Buffer of INANY_ADDRSTRLEN bytes
 *
 * Return: @buf
 */
static inline const char *inany_ntop(const union inany_addr *a, char *buf)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return inet_ntop(AF_INET, v4, buf, INANY_ADDRSTRLEN);
	return inet_ntop(AF_INET6, &a->a6, buf, INANY_ADDRSTRLEN);
}

#endif /* INANY_H */
