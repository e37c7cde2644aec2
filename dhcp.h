/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dhcp.h - DHCPv4 server */
#ifndef DHCP_H
#define DHCP_H

#include "ip.h"
#include "packet.h"

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68

struct ctx;

enum pkt_verdict dhcp_handler(struct ctx *c, const struct ip_info *ii,
			      struct pkt_view *v);

#endif /* DHCP_H */
