/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icmp_flow.h - ICMP echo flow entries, part of the flow table's union */
#ifndef ICMP_FLOW_H
#define ICMP_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

/**
 * struct icmp_ping_flow - ICMP echo exchanges through one ping socket
 * @f:		Common flow fields, first: @f.tap.gport is the guest's echo
 *		identifier, @f.tap.dport is 0
 * @sock:	Ping socket, connected to the (translated) destination
 * @ts:		Last request or reply, CLOCK_MONOTONIC seconds
 * @sock_id:	Identifier the kernel gave the socket, host order: replies
 *		carry it, and get the guest's back
 * @closing:	The socket failed: the next sweep frees the entry
 */
struct icmp_ping_flow {
	struct flow_common f;
	int sock;
	uint32_t ts;
	uint16_t sock_id;
	bool closing;
};

#endif /* ICMP_FLOW_H */
