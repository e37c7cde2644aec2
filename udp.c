// SPDX-License-Identifier: GPL-2.0-or-later
/* udp.c - UDP translation (placeholder: no UDP flows yet) */

#include "flow_table.h"
#include "udp.h"
#include "passt.h"

/**
 * udp_flow_defer() - Deferred work and timer of one UDP flow
 * @c:		Execution context
 * @flow:	Flow
 * @now:	Current monotonic time
 * @timer:	A timer interval has passed
 *
 * Return: true: nothing is ever open for a flow yet
 */
bool udp_flow_defer(struct ctx *c, union flow *flow,
		    const struct timespec *now, bool timer)
{
	(void)c;
	(void)flow;
	(void)now;
	(void)timer;
	return true;
}

/**
 * udp_init() - Sockets for forwarded ports (placeholder)
 * @c:		Execution context
 */
void udp_init(struct ctx *c)
{
	(void)c;
}

/**
 * udp_tap_handler() - UDP datagram from the guest (placeholder)
 * @c:		Execution context
 * @ii:		L3 header information
 * @v:		View at the UDP header
 *
 * Return: PKT_NOT_MINE, for now
 */
enum pkt_verdict udp_tap_handler(struct ctx *c, const struct ip_info *ii,
				 struct pkt_view *v)
{
	(void)c;
	(void)ii;
	(void)v;
	return PKT_NOT_MINE;
}

/**
 * udp_sock_handler() - Datagrams on a flow's socket (placeholder)
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 */
void udp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	(void)c;
	(void)ref;
	(void)events;
}

/**
 * udp_listen_handler() - Datagrams to a forwarded port (placeholder)
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 */
void udp_listen_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	(void)c;
	(void)ref;
	(void)events;
}

/**
 * udp_post_batch() - Work deferred to the end of a batch (placeholder)
 * @c:		Execution context
 * @now:	Current monotonic time
 */
void udp_post_batch(struct ctx *c, const struct timespec *now)
{
	(void)c;
	(void)now;
}
