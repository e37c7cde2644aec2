// SPDX-License-Identifier: GPL-2.0-or-later
/* conf_parse.c - parsers and validators of single option values
 *
 * DOC: Theory of Operation
 *
 * One function per kind of value found on the command line: port
 * forwarding specifications, addresses with or without prefix length,
 * netmasks, --runas users, sizes, interface and domain names. Each takes
 * the text and fills a result, and returns 0 or a negative errno; the
 * richer ones also write a human-readable reason that quotes the offending
 * part, for the caller to put in its message.
 *
 * These are pure: no context, no logging, no exit. conf.c reports errors
 * and decides what a value means in each mode; unit tests and fuzzers can
 * call these alone. The only outside state read is the user database, by
 * conf_runas_parse() for names.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define PORT_MAX		65535UL
#define DOMAIN_LEN_MAX		253
#define DOMAIN_LABEL_MAX	63


/**
 * conf_err() - Write the reason of a parsing failure, if asked for one
 * @err:	Buffer for the reason, may be NULL
 * @err_len:	Size of @err
 * @fmt:	Format string of the reason, followed by its arguments
 *
 * Return: -EINVAL, so that parsers can end with "return conf_err(...)"
 */
static int __attribute__((format(printf, 3, 4)))
conf_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !err_len)
		return -EINVAL;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);

	return -EINVAL;
}

/**
 * conf_uint_scan() - Scan a decimal number at the start of a string
 * @p:		Cursor: advanced past every leading digit, even on -ERANGE
 * @max:	Largest value accepted
 * @v:		Value scanned, set on success only
 *
 * No sign, no space, no base prefix: digits only.
 *
 * Return: 0 on success, -EINVAL if there are no digits, -ERANGE above @max
 */
static int conf_uint_scan(const char **p, unsigned long max,
			  unsigned long *v)
{
	unsigned long n = 0;
	const char *s = *p;
	bool over = false;
	unsigned int d;

	if (*s < '0' || *s > '9')
		return -EINVAL;

	for (; *s >= '0' && *s <= '9'; s++) {
		d = (unsigned int)(*s - '0');
		if (over || n > max / 10 || max - n * 10 < d)
			over = true;
		else
			n = n * 10 + d;
	}

	*p = s;
	if (over)
		return -ERANGE;

	*v = n;
	return 0;
}

/**
 * conf_uint_parse() - Parse a whole string as a decimal number
 * @s:		String made of digits only
 * @max:	Largest value accepted
 * @v:		Value parsed, set on success only
 *
 * Return: 0 on success, -EINVAL if @s isn't a number, -ERANGE above @max
 */
int conf_uint_parse(const char *s, unsigned long max, unsigned long *v)
{
	unsigned long n;
	int rc;

	rc = conf_uint_scan(&s, max, &n);
	if (rc)
		return rc;
	if (*s)
		return -EINVAL;

	*v = n;
	return 0;
}

/**
 * conf_addr_parse() - Parse an IPv4 or IPv6 address, with optional /prefix
 * @s:		Address as text: dotted quad or RFC 4291 form, no brackets, no
 *		zone, optionally followed by '/' and a prefix length
 * @a:		Parsed address, family and prefix length (-1 if none given)
 *
 * A prefix length must be 1 to 32 for IPv4, 1 to 128 for IPv6.
 *
 * Return: 0 on success, -EINVAL if @s isn't a valid address
 */
int conf_addr_parse(const char *s, struct conf_addr *a)
{
	const char *slash = strchr(s, '/');
	char buf[INET6_ADDRSTRLEN];
	unsigned long plen;
	size_t len;

	len = slash ? (size_t)(slash - s) : strlen(s);
	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';

	memset(a, 0, sizeof(*a));
	a->prefix_len = -1;

	if (inet_pton(AF_INET, buf, &a->a4) == 1)
		a->af = AF_INET;
	else if (inet_pton(AF_INET6, buf, &a->a6) == 1)
		a->af = AF_INET6;
	else
		return -EINVAL;

	if (slash) {
		if (conf_uint_parse(slash + 1, a->af == AF_INET ? 32 : 128,
				    &plen) || !plen)
			return -EINVAL;
		a->prefix_len = (int)plen;
	}

	return 0;
}

/**
 * conf_addr_unusable() - Tell why an address can't be used by an option
 * @a:		Address
 * @guest:	The address is one for the guest itself (-a): also refuse
 *		loopback, link-local and broadcast
 *
 * Return: what's wrong with @a ("multicast", ...), NULL if it's usable
 */
const char *conf_addr_unusable(const struct conf_addr *a, bool guest)
{
	if (a->af == AF_INET) {
		uint32_t v = ntohl(a->a4.s_addr);

		if (v == INADDR_ANY)
			return "unspecified";
		if (IN_MULTICAST(v))
			return "multicast";
		if (guest && v == INADDR_BROADCAST)
			return "broadcast";
		if (guest && (v >> 24) == IN_LOOPBACKNET)
			return "loopback";
		return NULL;
	}

	if (IN6_IS_ADDR_UNSPECIFIED(&a->a6))
		return "unspecified";
	if (IN6_IS_ADDR_MULTICAST(&a->a6))
		return "multicast";
	if (guest && IN6_IS_ADDR_LOOPBACK(&a->a6))
		return "loopback";
	if (guest && IN6_IS_ADDR_LINKLOCAL(&a->a6))
		return "link-local";
	return NULL;
}

/**
 * conf_netmask_parse() - Parse an IPv4 netmask: dotted quad or prefix length
 * @s:		Netmask as text, "255.255.255.0" or "24"
 * @prefix_len:	Prefix length, 1 to 32, set on success only
 *
 * A dotted mask must be a run of ones followed by zeroes only.
 *
 * Return: 0 on success, -EINVAL if @s isn't a valid netmask
 */
int conf_netmask_parse(const char *s, int *prefix_len)
{
	struct in_addr mask;
	unsigned long v;
	uint32_t m, inv;

	if (strchr(s, '.')) {
		if (inet_pton(AF_INET, s, &mask) != 1)
			return -EINVAL;

		m = ntohl(mask.s_addr);
		inv = ~m;
		/* Contiguous: inverted, then plus one, gives a power of 2 */
		if (!m || (inv & (inv + 1)))
			return -EINVAL;

		*prefix_len = __builtin_popcount(m);
		return 0;
	}

	if (conf_uint_parse(s, 32, &v) || !v)
		return -EINVAL;

	*prefix_len = (int)v;
	return 0;
}

/**
 * conf_ifname_valid() - Check a network interface name, as the kernel does
 * @s:		Interface name
 *
 * Return: true if @s could name an interface: 1 to IFNAMSIZ - 1 bytes, not
 *	   "." or "..", without '/', ':' or white space
 */
bool conf_ifname_valid(const char *s)
{
	const char *p;

	if (!*s || strlen(s) >= IFNAMSIZ)
		return false;
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return false;

	for (p = s; *p; p++) {
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return false;
	}

	return true;
}

/**
 * conf_domain_valid() - Check a domain name for the search list or --fqdn
 * @s:		Domain name
 *
 * Labels of letters, digits, '-' and '_', 1 to 63 bytes each, 253 bytes in
 * all, with an optional final dot.
 *
 * Return: true if @s is acceptable
 */
bool conf_domain_valid(const char *s)
{
	size_t len = strlen(s), label = 0;
	const char *p;

	if (!len || len - (s[len - 1] == '.') > DOMAIN_LEN_MAX)
		return false;

	for (p = s; *p; p++) {
		if (*p == '.') {
			if (!label)
				return false;
			label = 0;
			continue;
		}

		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
		if (++label > DOMAIN_LABEL_MAX)
			return false;
	}

	return true;
}

/**
 * conf_port_scan() - Scan one port number of a port specification
 * @p:		Cursor, advanced past the digits (on -ERANGE too)
 * @port:	Port number, set on success only
 *
 * Return: 0 on success, -EINVAL if there's no number, -ERANGE if the number
 *	   isn't 1 to 65535
 */
static int conf_port_scan(const char **p, uint16_t *port)
{
	unsigned long v;
	int rc;

	rc = conf_uint_scan(p, PORT_MAX, &v);
	if (rc)
		return rc;
	if (!v)
		return -ERANGE;

	*port = (uint16_t)v;
	return 0;
}

/**
 * conf_port_pair_scan() - Scan PORT or PORT-LAST in a port specification
 * @p:		Cursor, advanced past what was scanned
 * @first:	First port, set on success
 * @last:	Last port, @first if no range was given, set on success
 * @bad:	Start of the last number scanned, to quote it on -ERANGE
 *
 * Return: 0 on success, -EINVAL for bad syntax, -ERANGE for a port that
 *	   isn't 1 to 65535
 */
static int conf_port_pair_scan(const char **p, uint16_t *first,
			       uint16_t *last, const char **bad)
{
	int rc;

	*bad = *p;
	rc = conf_port_scan(p, first);
	if (rc)
		return rc;

	*last = *first;
	if (**p != '-')
		return 0;

	*bad = ++(*p);
	return conf_port_scan(p, last);
}

/**
 * conf_port_range_parse() - Parse one element of a port list
 * @s:		Start of the element: [~]FIRST[-LAST][:TO[-TOLAST]]
 * @len:	Length of the element, not including a ',' after it
 * @r:		Parsed range
 * @err:	Buffer for the reason of a failure, may be NULL
 * @err_len:	Size of @err
 *
 * The target range must be as long as the source range. A target without
 * its last port (1-10:21) shifts the whole range.
 *
 * Return: 0 on success, -EINVAL on failure
 */
static int conf_port_range_parse(const char *s, size_t len,
				 struct port_range *r,
				 char *err, size_t err_len)
{
	uint16_t to, to_last;
	const char *p, *bad;
	bool to_range;
	char buf[32];
	int rc;

	if (len >= sizeof(buf))
		return conf_err(err, err_len, "invalid port range `%.*s'",
				(int)len, s);
	memcpy(buf, s, len);
	buf[len] = '\0';

	memset(r, 0, sizeof(*r));
	p = buf;
	if (*p == '~') {
		r->exclude = true;
		p++;
	}

	rc = conf_port_pair_scan(&p, &r->first, &r->last, &bad);
	if (rc)
		goto fail;
	if (r->last < r->first)
		return conf_err(err, err_len, "reversed port range `%s'", buf);

	r->to = r->first;
	if (*p == ':') {
		if (r->exclude)
			return conf_err(err, err_len,
					"excluded range `%s' can't have a target",
					buf);

		to_range = strchr(++p, '-') != NULL;
		rc = conf_port_pair_scan(&p, &to, &to_last, &bad);
		if (rc)
			goto fail;

		if (!to_range) {
			if (to + (r->last - r->first) > (int)PORT_MAX)
				return conf_err(err, err_len,
						"target range in `%s' goes past 65535",
						buf);
		} else if (to_last < to) {
			return conf_err(err, err_len,
					"reversed target range in `%s'", buf);
		} else if (to_last - to != r->last - r->first) {
			return conf_err(err, err_len,
					"target range in `%s' isn't as long as the source",
					buf);
		}

		r->to = to;
	}

	if (*p)
		return conf_err(err, err_len, "invalid port range `%s'", buf);

	return 0;

fail:
	if (rc == -ERANGE)
		return conf_err(err, err_len,
				"port `%.*s' out of range 1-65535",
				(int)(p - bad), bad);
	return conf_err(err, err_len, "invalid port range `%s'", buf);
}

/**
 * conf_port_prefix_parse() - Parse what comes before '/' in a port spec
 * @s:		Start of the prefix: ADDR, %IFACE or ADDR%IFACE
 * @len:	Length of the prefix, not including the '/'
 * @ps:		Port specification: address and interface are set here
 * @err:	Buffer for the reason of a failure, may be NULL
 * @err_len:	Size of @err
 *
 * ADDR is IPv4 or IPv6, the latter optionally in brackets.
 *
 * Return: 0 on success, -EINVAL on failure
 */
static int conf_port_prefix_parse(const char *s, size_t len,
				  struct port_spec *ps,
				  char *err, size_t err_len)
{
	char buf[INET6_ADDRSTRLEN + IFNAMSIZ + 3];
	char *addr = buf, *pct;
	struct conf_addr a;
	size_t alen;

	if (!len)
		return conf_err(err, err_len,
				"missing address or interface before `/'");
	if (len >= sizeof(buf))
		return conf_err(err, err_len, "invalid address `%.*s'",
				(int)len, s);
	memcpy(buf, s, len);
	buf[len] = '\0';

	pct = strchr(buf, '%');
	if (pct) {
		*pct = '\0';
		if (!conf_ifname_valid(pct + 1))
			return conf_err(err, err_len,
					"invalid interface name `%s'", pct + 1);
		strcpy(ps->ifname, pct + 1);
	}

	if (!*addr)
		return pct ? 0 : conf_err(err, err_len, "empty address");

	alen = strlen(addr);
	if (alen > 2 && addr[0] == '[' && addr[alen - 1] == ']') {
		addr[alen - 1] = '\0';
		addr++;
	}

	if (conf_addr_parse(addr, &a) || a.prefix_len != -1)
		return conf_err(err, err_len, "invalid address `%s'", addr);

	ps->has_addr = true;
	ps->addr = a;
	return 0;
}

/**
 * conf_port_spec_parse() - Parse and validate a -t, -u, -T or -U argument
 * @spec:	Specification: "none", "all", "auto", or a comma-separated
 *		list of [~]FIRST[-LAST][:TO[-TOLAST]], optionally preceded by
 *		ADDR/, %IFACE/ or ADDR%IFACE/ (the prefix ends at the last '/')
 * @ps:		Parsed specification
 * @err:	Buffer for the reason of a failure, may be NULL
 * @err_len:	Size of @err
 *
 * Keywords are accepted whatever the mode: the caller checks which one
 * applies. A list made of exclusions only is valid and sets @ps->excl_only.
 *
 * Return: 0 on success, -EINVAL on failure, with the reason in @err
 */
int conf_port_spec_parse(const char *spec, struct port_spec *ps,
			 char *err, size_t err_len)
{
	const char *slash, *p, *end;
	size_t len;
	int rc;

	memset(ps, 0, sizeof(*ps));
	ps->addr.prefix_len = -1;

	if (!*spec)
		return conf_err(err, err_len, "empty port specification");

	if (!strcmp(spec, "none")) {
		ps->type = PORT_SPEC_NONE;
		return 0;
	}
	if (!strcmp(spec, "all")) {
		ps->type = PORT_SPEC_ALL;
		return 0;
	}
	if (!strcmp(spec, "auto")) {
		ps->type = PORT_SPEC_AUTO;
		return 0;
	}

	ps->type = PORT_SPEC_LIST;

	p = spec;
	slash = strrchr(spec, '/');
	if (slash) {
		rc = conf_port_prefix_parse(spec, (size_t)(slash - spec), ps,
					    err, err_len);
		if (rc)
			return rc;
		p = slash + 1;
		if (!*p)
			return conf_err(err, err_len, "no ports after `/'");
	}

	ps->excl_only = true;
	for (;;) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (!len)
			return conf_err(err, err_len,
					"empty element in port list");
		if (ps->n_ranges >= PORT_SPEC_RANGES_MAX)
			return conf_err(err, err_len,
					"too many port ranges (at most %d)",
					PORT_SPEC_RANGES_MAX);

		rc = conf_port_range_parse(p, len, &ps->range[ps->n_ranges],
					   err, err_len);
		if (rc)
			return rc;
		if (!ps->range[ps->n_ranges].exclude)
			ps->excl_only = false;
		ps->n_ranges++;

		if (!end)
			break;
		p = end + 1;
	}

	return 0;
}

/**
 * conf_id_parse() - Parse a numeric user or group ID
 * @s:		ID as decimal digits
 * @id:		Parsed ID, set on success only
 *
 * Return: 0 on success, -EINVAL if @s isn't a valid ID ((uid_t)-1 isn't)
 */
static int conf_id_parse(const char *s, long *id)
{
	unsigned long v;

	if (conf_uint_parse(s, UINT32_MAX - 1, &v))
		return -EINVAL;

	*id = (long)v;
	return 0;
}

/**
 * conf_runas_parse() - Parse and resolve a --runas argument
 * @s:		UID, UID:GID, LOGIN or LOGIN:GROUP; IDs or names
 * @uid:	Resolved user ID, set on success only
 * @gid:	Resolved group ID, set on success only
 * @err:	Buffer for the reason of a failure, may be NULL
 * @err_len:	Size of @err
 *
 * Names are looked up now, with getpwnam() and getgrnam(): later, the user
 * database might be out of reach. Without a group, the user's primary group
 * is taken, or for a UID unknown to the system, the GID of the same value.
 *
 * Return: 0 on success, -EINVAL on failure, with the reason in @err
 */
int conf_runas_parse(const char *s, long *uid, long *gid,
		     char *err, size_t err_len)
{
	const struct passwd *pw;
	const struct group *gr;
	char user[256], *group;
	long u, g;

	if (strlen(s) >= sizeof(user))
		return conf_err(err, err_len, "too long");
	strcpy(user, s);

	group = strchr(user, ':');
	if (group)
		*group++ = '\0';

	if (!*user)
		return conf_err(err, err_len, "missing user");
	if (group && !*group)
		return conf_err(err, err_len, "missing group after `:'");

	if (!conf_id_parse(user, &u)) {
		pw = group ? NULL : getpwuid((uid_t)u);
		g = pw ? (long)pw->pw_gid : u;
	} else {
		pw = getpwnam(user);
		if (!pw)
			return conf_err(err, err_len, "unknown user `%s'",
					user);
		u = (long)pw->pw_uid;
		g = (long)pw->pw_gid;
	}

	if (group && conf_id_parse(group, &g)) {
		gr = getgrnam(group);
		if (!gr)
			return conf_err(err, err_len, "unknown group `%s'",
					group);
		g = (long)gr->gr_gid;
	}

	*uid = u;
	*gid = g;
	return 0;
}

/**
 * conf_size_parse() - Parse a size in bytes, with optional k, M, G suffix
 * @s:		Size as decimal digits, then optionally k/K, m/M or g/G for
 *		KiB, MiB or GiB
 * @size:	Size in bytes, set on success only
 *
 * Return: 0 on success, -EINVAL if @s isn't a size, -ERANGE if too large
 */
int conf_size_parse(const char *s, size_t *size)
{
	unsigned long v, mult = 1;
	int rc;

	rc = conf_uint_scan(&s, ULONG_MAX, &v);
	if (rc)
		return rc;

	switch (*s) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1UL << 10;
		s++;
		break;
	case 'm':
	case 'M':
		mult = 1UL << 20;
		s++;
		break;
	case 'g':
	case 'G':
		mult = 1UL << 30;
		s++;
		break;
	default:
		return -EINVAL;
	}

	if (*s)
		return -EINVAL;
	if (v > SIZE_MAX / mult)
		return -ERANGE;

	*size = v * mult;
	return 0;
}
