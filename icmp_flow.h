/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icmp_flow.h - ICMP echo flow entries (placeholder until ICMP lands) */
#ifndef ICMP_FLOW_H
#define ICMP_FLOW_H

#include "flow.h"

/**
 * struct icmp_ping_flow - ICMP echo exchanges through one ping socket
 * @f:		Common flow fields, first
 * @sock:	Ping socket, -1 if none
 */
struct icmp_ping_flow {
	struct flow_common f;
	int sock;
};

#endif /* ICMP_FLOW_H */
