/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dhcpv6.h - DHCPv6 server */
#ifndef DHCPV6_H
#define DHCPV6_H

#include "ip.h"
#include "packet.h"

#define DHCPV6_CLIENT_PORT	546
#define DHCPV6_SERVER_PORT	547

struct ctx;

enum pkt_verdict dhcpv6_handler(struct ctx *c, const struct ip_info *ii,
				struct pkt_view *v);

#endif /* DHCPV6_H */
