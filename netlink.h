/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netlink.h - rtnetlink queries of the host, configuration of the namespace */
#ifndef NETLINK_H
#define NETLINK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/**
 * enum nl_target - Which network namespace a request goes to
 * @NL_HOST:	The namespace the daemon runs in
 * @NL_NS:	pasta: the guest's namespace
 */
enum nl_target {
	NL_HOST,
	NL_NS,
};

int nl_sock_init(enum nl_target t);
unsigned int nl_get_ext_if(sa_family_t af);
int nl_route_get_gw(enum nl_target t, unsigned int ifi, sa_family_t af,
		    void *gw);
int nl_addr_get(enum nl_target t, unsigned int ifi, sa_family_t af,
		void *addr, int *prefix_len, struct in6_addr *addr_ll);
int nl_link_get_mac(enum nl_target t, unsigned int ifi,
		    uint8_t mac[ETH_ADDR_LEN]);
int nl_link_get_mtu(enum nl_target t, unsigned int ifi);
int nl_link_set_mac(enum nl_target t, unsigned int ifi,
		    const uint8_t mac[ETH_ADDR_LEN]);
int nl_link_set_mtu(enum nl_target t, unsigned int ifi, int mtu);
int nl_link_up(enum nl_target t, unsigned int ifi);
int nl_addr_add(enum nl_target t, unsigned int ifi, sa_family_t af,
		const void *addr, int prefix_len);
int nl_route_add_default(enum nl_target t, unsigned int ifi, sa_family_t af,
			 const void *gw);
int nl_link_ifindex(enum nl_target t, const char *name);
int nl_addr_del(enum nl_target t, unsigned int ifi, sa_family_t af,
		const void *addr, int prefix_len);
int nl_route_replace_default(enum nl_target t, unsigned int ifi,
			     sa_family_t af, const void *gw);
int nl_monitor_open(void);
int nl_sock_fd(enum nl_target t);
unsigned int nl_monitor_drain(int fd, unsigned int max);

#endif /* NETLINK_H */
