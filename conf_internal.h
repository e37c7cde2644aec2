/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf_internal.h - conf.c and conf_host.c only */
#ifndef CONF_INTERNAL_H
#define CONF_INTERNAL_H

#include <net/if.h>
#include <stdbool.h>

#include "conf.h"

struct ctx;

/**
 * struct conf_opts - What the command line said, beyond what the context
 *		      records
 * @prefix4:	IPv4 prefix length from -n, or -a ADDR/LEN, -1 if none
 * @prefix6:	IPv6 prefix length from -a ADDR/LEN, -1 if none
 * @addr4:	-a gave an IPv4 address
 * @addr6:	-a gave an IPv6 address
 * @gw4:	-g gave an IPv4 gateway
 * @gw6:	-g gave an IPv6 gateway
 * @dns:	-D given, with addresses or "none"
 * @search:	-S given, with domains or "none"
 * @v4_only:	-4 given
 * @v6_only:	-6 given
 * @foreground:	-f given
 * @sock:	-s given
 * @vhost_user:	--vhost-user given
 * @print_caps:	--print-capabilities given
 * @netns:	--netns given
 * @userns:	--userns given
 */
struct conf_opts {
	int prefix4;
	int prefix6;
	bool addr4;
	bool addr6;
	bool gw4;
	bool gw6;
	bool dns;
	bool search;
	bool v4_only;
	bool v6_only;
	bool foreground;
	bool sock;
	bool vhost_user;
	bool print_caps;
	bool netns;
	bool userns;
};

void conf_defaults(struct ctx *c, const struct conf_opts *o);
int conf_dns_add(struct ctx *c, const struct conf_addr *a);
int conf_search_add(struct ctx *c, const char *name);
const char *conf_ifname_str(unsigned int ifi, char buf[IFNAMSIZ]);

#endif /* CONF_INTERNAL_H */
