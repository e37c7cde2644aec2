// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcpv6.c - DHCPv6 (placeholder: nothing is answered yet) */

#include "dhcpv6.h"
#include "passt.h"

/**
 * dhcpv6_handler() - Handle a DHCPv6 packet from the guest
 * @c:		Execution context
 * @ii:		L3 header information
 * @v:		View positioned at the L4 header
 *
 * Return: PKT_NOT_MINE, for now
 */
enum pkt_verdict dhcpv6_handler(struct ctx *c, const struct ip_info *ii,
			      struct pkt_view *v)
{
	(void)c;
	(void)ii;
	(void)v;
	return PKT_NOT_MINE;
}
