// SPDX-License-Identifier: GPL-2.0-or-later
/* ndp.c - NDP (placeholder: nothing is answered yet) */

#include "ndp.h"
#include "passt.h"

/**
 * ndp_handler() - Handle a NDP packet from the guest
 * @c:		Execution context
 * @ii:		L3 header information
 * @v:		View positioned at the L4 header
 *
 * Return: PKT_NOT_MINE, for now
 */
enum pkt_verdict ndp_handler(struct ctx *c, const struct ip_info *ii,
			      struct pkt_view *v)
{
	(void)c;
	(void)ii;
	(void)v;
	return PKT_NOT_MINE;
}

/**
 * ndp_timer() - Periodic work: unsolicited router advertisements
 * @c:		Execution context
 * @now:	Current monotonic time
 */
void ndp_timer(struct ctx *c, const struct timespec *now)
{
	(void)c;
	(void)now;
}
