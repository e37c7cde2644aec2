/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flow_table.h - the union of every flow type, for modules owning flows */
#ifndef FLOW_TABLE_H
#define FLOW_TABLE_H

#include <stdbool.h>
#include <time.h>

#include "flow.h"
#include "icmp_flow.h"
#include "tcp_conn.h"
#include "tcp_splice.h"
#include "udp_flow.h"

/**
 * union flow - One entry of the flow table
 * @f:		Common fields, valid in every state
 * @tcp:	FLOW_TCP
 * @tcp_splice:	FLOW_TCP_SPLICE
 * @udp:	FLOW_UDP
 * @ping:	FLOW_PING4, FLOW_PING6
 */
union flow {
	struct flow_common f;
	struct tcp_tap_conn tcp;
	struct tcp_splice_conn tcp_splice;
	struct udp_flow udp;
	struct icmp_ping_flow ping;
};

/* Each module's deferred work and timer for one of its flows: return true
 * when the entry may be freed (the module has closed what it owned)
 */
bool tcp_flow_defer(struct ctx *c, union flow *flow,
		    const struct timespec *now, bool timer);
bool udp_flow_defer(struct ctx *c, union flow *flow,
		    const struct timespec *now, bool timer);
bool icmp_flow_defer(struct ctx *c, union flow *flow,
		     const struct timespec *now, bool timer);

#endif /* FLOW_TABLE_H */
