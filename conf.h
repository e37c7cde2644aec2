/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf.h - command line options and defaults derived from the host
 *
 * conf() and conf_print() are implemented in conf.c; the pure value parsers,
 * for reuse (fwd.c, control.c) and unit tests, in conf_parse.c.
 */
#ifndef CONF_H
#define CONF_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

/* Size of the buffer the parsers below write a human-readable reason into */
#define CONF_ERR_LEN		128

/**
 * struct conf_addr - An IPv4 or IPv6 address as given, with optional prefix
 * @af:		AF_INET or AF_INET6
 * @a4:		The address, if @af is AF_INET
 * @a6:		The address, if @af is AF_INET6
 * @prefix_len:	Prefix length given after '/', -1 if none was given
 */
struct conf_addr {
	sa_family_t af;
	union {
		struct in_addr a4;
		struct in6_addr a6;
	};
	int prefix_len;
};

/**
 * enum port_spec_type - What a port forwarding specification says
 * @PORT_SPEC_NONE:	"none": forward nothing
 * @PORT_SPEC_ALL:	"all" (passt only): every unbound, non-ephemeral port
 * @PORT_SPEC_AUTO:	"auto" (pasta only): follow what is bound on the
 *			other side
 * @PORT_SPEC_LIST:	A list of ranges in @port_spec.range
 */
enum port_spec_type {
	PORT_SPEC_NONE,
	PORT_SPEC_ALL,
	PORT_SPEC_AUTO,
	PORT_SPEC_LIST,
};

/**
 * struct port_range - One element of a port list: [~]FIRST[-LAST][:TO[-TL]]
 * @first:	First port of the range, 1 to 65535
 * @last:	Last port of the range, @first if no range was given
 * @to:		Target of @first: port N goes to @to + (N - @first), so the
 *		target range is as long as the source one (@first if no
 *		target was given; unused for exclusions)
 * @exclude:	The range was prefixed by '~': these ports are not forwarded
 */
struct port_range {
	uint16_t first;
	uint16_t last;
	uint16_t to;
	bool exclude;
};

/* Enough for any list fitting struct fwd_spec: "1,2,3,..." takes 2 bytes an
 * element at the very least
 */
#define PORT_SPEC_RANGES_MAX	128

/**
 * struct port_spec - A parsed -t/-u/-T/-U argument
 * @type:	Keyword given, or PORT_SPEC_LIST
 * @has_addr:	An address to bind was given before '/'
 * @addr:	That address (@prefix_len is always -1)
 * @ifname:	Interface to bind given after '%', empty if none
 * @excl_only:	The list has exclusions only: forward all other ports
 * @n_ranges:	Number of entries in @range
 * @range:	Ranges, in the order given, exclusions included
 */
struct port_spec {
	enum port_spec_type type;
	bool has_addr;
	struct conf_addr addr;
	char ifname[IFNAMSIZ];
	bool excl_only;
	int n_ranges;
	struct port_range range[PORT_SPEC_RANGES_MAX];
};

int conf_port_spec_parse(const char *spec, struct port_spec *ps,
			 char *err, size_t err_len);
int conf_addr_parse(const char *s, struct conf_addr *a);
const char *conf_addr_unusable(const struct conf_addr *a, bool guest);
int conf_netmask_parse(const char *s, int *prefix_len);
int conf_runas_parse(const char *s, long *uid, long *gid,
		     char *err, size_t err_len);
int conf_size_parse(const char *s, size_t *size);
int conf_uint_parse(const char *s, unsigned long max, unsigned long *v);
bool conf_ifname_valid(const char *s);
bool conf_domain_valid(const char *s);

void conf(struct ctx *c, int argc, char **argv);
void conf_print(const struct ctx *c);

/* conf_host_refresh() results: what changed, by family */
#define CONF_HOST_CHANGED_IP4	(1U << 0)
#define CONF_HOST_CHANGED_IP6	(1U << 1)

unsigned int conf_host_refresh(struct ctx *c);
bool conf_host_dns_refresh(struct ctx *c, char *buf);
bool conf_host_resolv_follow(void);

#endif /* CONF_H */
