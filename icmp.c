// SPDX-License-Identifier: GPL-2.0-or-later
/* icmp.c - ICMP translation (placeholder: no ICMP flows yet) */

#include "flow_table.h"
#include "icmp.h"
#include "passt.h"

/**
 * icmp_flow_defer() - Deferred work and timer of one ICMP flow
 * @c:		Execution context
 * @flow:	Flow
 * @now:	Current monotonic time
 * @timer:	A timer interval has passed
 *
 * Return: true: nothing is ever open for a flow yet
 */
bool icmp_flow_defer(struct ctx *c, union flow *flow,
		    const struct timespec *now, bool timer)
{
	(void)c;
	(void)flow;
	(void)now;
	(void)timer;
	return true;
}

/**
 * icmp_tap_handler() - ICMP message from the guest (placeholder)
 * @c:		Execution context
 * @ii:		L3 header information
 * @v:		View at the ICMP header
 *
 * Return: PKT_NOT_MINE, for now
 */
enum pkt_verdict icmp_tap_handler(struct ctx *c, const struct ip_info *ii,
				  struct pkt_view *v)
{
	(void)c;
	(void)ii;
	(void)v;
	return PKT_NOT_MINE;
}

/**
 * icmp_sock_handler() - Reply on a ping socket (placeholder)
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 */
void icmp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	(void)c;
	(void)ref;
	(void)events;
}
