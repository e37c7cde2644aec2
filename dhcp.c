// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcp.c - DHCPv4 (placeholder: nothing is answered yet) */

#include "dhcp.h"
#include "passt.h"

/**
 * dhcp_handler() - Handle a DHCPv4 packet from the guest
 * @c:		Execution context
 * @ii:		L3 header information
 * @v:		View positioned at the L4 header
 *
 * Return: PKT_NOT_MINE, for now
 */
enum pkt_verdict dhcp_handler(struct ctx *c, const struct ip_info *ii,
			      struct pkt_view *v)
{
	(void)c;
	(void)ii;
	(void)v;
	return PKT_NOT_MINE;
}
