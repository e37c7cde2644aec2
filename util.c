// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - small helpers shared by every module */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"
#include "log.h"
#include "passt.h"

/**
 * assert_fail() - Report a broken invariant and abort
 * @expr:	Text of the failed expression
 * @file:	Source file
 * @line:	Source line
 * @func:	Function name
 */
void assert_fail(const char *expr, const char *file, int line,
		 const char *func)
{
	err("ASSERTION FAILED in %s (%s:%d): %s", func, file, line, expr);
	abort();
}

/**
 * hex_digit() - Value of one hexadecimal digit
 * @ch:		Character
 *
 * Return: 0 to 15, or -1 if @ch is not a hexadecimal digit
 */
int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/**
 * mac_parse() - Parse a MAC address written as six colon-separated octets
 * @s:		String, such as "9a:55:9a:55:9a:55"
 * @mac:	Parsed address, written only on success
 *
 * Each octet is one or two hexadecimal digits.
 *
 * Return: 0 on success, -EINVAL if @s is not a MAC address
 */
int mac_parse(const char *s, uint8_t mac[ETH_ADDR_LEN])
{
	uint8_t out[ETH_ADDR_LEN];
	int i;

	for (i = 0; i < ETH_ADDR_LEN; i++) {
		int hi = hex_digit(*s), lo;

		if (hi < 0)
			return -EINVAL;
		s++;
		lo = hex_digit(*s);
		if (lo >= 0) {
			out[i] = (uint8_t)(hi << 4 | lo);
			s++;
		} else {
			out[i] = (uint8_t)hi;
		}

		if (i < ETH_ADDR_LEN - 1) {
			if (*s != ':')
				return -EINVAL;
			s++;
		}
	}
	if (*s)
		return -EINVAL;

	memcpy(mac, out, sizeof(out));
	return 0;
}

static const char *epoll_type_names[] = {
	[EPOLL_TYPE_NONE]	= "unregistered",
	[EPOLL_TYPE_TAP_LISTEN]	= "listening guest socket",
	[EPOLL_TYPE_TAP_PASST]	= "guest socket",
	[EPOLL_TYPE_TAP_PASTA]	= "tap device",
	[EPOLL_TYPE_PASTA_CHILD] = "spawned command",
	[EPOLL_TYPE_NSQUIT]	= "namespace watch",
	[EPOLL_TYPE_TCP]	= "TCP socket",
	[EPOLL_TYPE_TCP_LISTEN]	= "listening TCP socket",
	[EPOLL_TYPE_TCP_TIMER]	= "TCP timer",
	[EPOLL_TYPE_UDP]	= "UDP socket",
	[EPOLL_TYPE_UDP_LISTEN]	= "UDP forwarded port socket",
	[EPOLL_TYPE_PING]	= "ping socket",
	[EPOLL_TYPE_TCP_SPLICE] = "spliced TCP socket",
	[EPOLL_TYPE_NSBROKER]	= "namespace socket broker",
	[EPOLL_TYPE_UDP_SPLICE] = "UDP loopback socket",
	[EPOLL_TYPE_HOSTWATCH_NL] = "host network notifications",
	[EPOLL_TYPE_HOSTWATCH_TIMER] = "host network timer",
	[EPOLL_TYPE_HOSTWATCH_DNS] = "resolv.conf watch",
	[EPOLL_TYPE_CONTROL]	= "listening control socket",
	[EPOLL_TYPE_CONTROL_CONN] = "control client",
};
static_assert(ARRAY_SIZE(epoll_type_names) == EPOLL_NUM_TYPES,
	      "epoll_type_names must name every enum epoll_type");

/**
 * epoll_type_str() - Name of an epoll reference type, for logs
 * @type:	Type
 *
 * Return: constant string
 */
const char *epoll_type_str(enum epoll_type type)
{
	if ((unsigned)type >= EPOLL_NUM_TYPES)
		return "unknown";
	return epoll_type_names[type];
}

/**
 * sockaddr_loopback() - Fill in the loopback address of a family, with a port
 * @af:		AF_INET or AF_INET6
 * @port:	Port, host order
 * @sa:		Filled in
 *
 * Return: length of the address
 */
socklen_t sockaddr_loopback(int af, in_port_t port,
			    struct sockaddr_storage *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (af == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4->sin_port = htons(port);
		return sizeof(*s4);
	}
	((struct sockaddr_in6 *)sa)->sin6_family = AF_INET6;
	((struct sockaddr_in6 *)sa)->sin6_addr = in6addr_loopback;
	((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
	return sizeof(struct sockaddr_in6);
}

/**
 * read_upto() - Read a file until its end, or until a buffer is full
 * @fd:		File descriptor
 * @buf:	Buffer
 * @max:	Room in @buf
 *
 * Return: bytes read, -1 on error (errno set)
 */
ssize_t read_upto(int fd, void *buf, size_t max)
{
	size_t len = 0;

	while (len < max) {
		ssize_t n = read(fd, (char *)buf + len, max - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}
