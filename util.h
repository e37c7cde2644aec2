/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h - small macros and helpers shared by every module */
#ifndef UTIL_H
#define UTIL_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define BIT(n)			(1UL << (n))
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))

#define STRINGIFY_(x)		#x
#define STRINGIFY(x)		STRINGIFY_(x)

/**
 * ASSERT() - Abort on a broken internal invariant, in every build
 * @expr:	Condition that must hold
 *
 * Unlike assert(3), this is not compiled out by NDEBUG: a broken invariant
 * in a daemon that parses hostile input must stop it, not be ignored.
 */
#define ASSERT(expr)							\
	do {								\
		if (__builtin_expect(!(expr), 0))			\
			assert_fail(#expr, __FILE__, __LINE__, __func__); \
	} while (0)

void assert_fail(const char *expr, const char *file, int line,
		 const char *func) __attribute__((noreturn));

#define ETH_ADDR_LEN		6
#define MAC_FMT			"%02x:%02x:%02x:%02x:%02x:%02x"
#define MAC_ARGS(m)		(m)[0], (m)[1], (m)[2], (m)[3], (m)[4], (m)[5]

int hex_digit(char ch);
int mac_parse(const char *s, uint8_t mac[ETH_ADDR_LEN]);
ssize_t read_upto(int fd, void *buf, size_t max);
socklen_t sockaddr_loopback(int af, in_port_t port,
			    struct sockaddr_storage *sa);

#endif /* UTIL_H */
