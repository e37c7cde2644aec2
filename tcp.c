// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp.c - TCP translation (placeholder: no TCP flows yet) */

#include "flow_table.h"
#include "tcp.h"
#include "passt.h"

/**
 * tcp_flow_defer() - Deferred work and timer of one TCP flow
 * @c:		Execution context
 * @flow:	Flow
 * @now:	Current monotonic time
 * @timer:	A timer interval has passed
 *
 * Return: true: nothing is ever open for a flow yet
 */
bool tcp_flow_defer(struct ctx *c, union flow *flow,
		    const struct timespec *now, bool timer)
{
	(void)c;
	(void)flow;
	(void)now;
	(void)timer;
	return true;
}

/**
 * tcp_init() - Listening sockets for forwarded ports (placeholder)
 * @c:		Execution context
 */
void tcp_init(struct ctx *c)
{
	(void)c;
}

/**
 * tcp_tap_handler() - TCP segment from the guest (placeholder)
 * @c:		Execution context
 * @ii:		L3 header information
 * @v:		View at the TCP header
 *
 * Return: PKT_NOT_MINE, for now
 */
enum pkt_verdict tcp_tap_handler(struct ctx *c, const struct ip_info *ii,
				 struct pkt_view *v)
{
	(void)c;
	(void)ii;
	(void)v;
	return PKT_NOT_MINE;
}

/**
 * tcp_sock_handler() - Event on a flow's host socket (placeholder)
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 */
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	(void)c;
	(void)ref;
	(void)events;
}

/**
 * tcp_listen_handler() - Connection to a forwarded port (placeholder)
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 */
void tcp_listen_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	(void)c;
	(void)ref;
	(void)events;
}

/**
 * tcp_timer_handler() - A flow's timer expired (placeholder)
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 */
void tcp_timer_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	(void)c;
	(void)ref;
	(void)events;
}

/**
 * tcp_post_batch() - Work deferred to the end of a batch (placeholder)
 * @c:		Execution context
 * @now:	Current monotonic time
 */
void tcp_post_batch(struct ctx *c, const struct timespec *now)
{
	(void)c;
	(void)now;
}
