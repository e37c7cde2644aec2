// SPDX-License-Identifier: GPL-2.0-or-later
/* arp.c - ARP responder
 *
 * DOC: Theory of Operation
 *
 * The guest's link has exactly two stations: the guest and us. Every other
 * address the guest can reach, the gateway and any host of its subnet, is
 * behind us, so we answer every ARP request with our own MAC address.
 *
 * There is one exception: a request for the guest's own address, or for
 * the address the request itself comes from. Those are duplicate address
 * probes and announcements (RFC 5227): answering them would tell the guest
 * that its address is taken.
 *
 * Only Ethernet/IPv4 requests are answered; anything else is dropped.
 */

#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <string.h>

#include "arp.h"
#include "log.h"
#include "passt.h"
#include "tap.h"

/**
 * struct arp_eth_ipv4 - ARP payload for Ethernet and IPv4 (RFC 826)
 * @sha:	Sender hardware address
 * @spa:	Sender protocol address
 * @tha:	Target hardware address
 * @tpa:	Target protocol address
 */
struct arp_eth_ipv4 {
	uint8_t sha[ETH_ALEN];
	uint8_t spa[4];
	uint8_t tha[ETH_ALEN];
	uint8_t tpa[4];
} __attribute__((packed));

/**
 * struct arp_frame - A whole ARP frame as we send it
 * @eh:		Ethernet header
 * @ah:		ARP header
 * @body:	Ethernet/IPv4 payload
 */
struct arp_frame {
	struct ether_header eh;
	struct arphdr ah;
	struct arp_eth_ipv4 body;
} __attribute__((packed));

/**
 * arp_handler() - Answer an ARP request from the guest
 * @c:		Execution context
 * @v:		View of the whole frame, Ethernet header not yet consumed
 *
 * Return: PKT_CONSUMED if answered or deliberately ignored, PKT_DROP if
 *	   malformed or not an Ethernet/IPv4 request
 */
enum pkt_verdict arp_handler(struct ctx *c, struct pkt_view *v)
{
	struct ether_header eh;
	struct arp_eth_ipv4 body;
	struct arp_frame reply;
	struct arphdr ah;

	if (!pkt_pull_copy(v, &eh, sizeof(eh)) ||
	    !pkt_pull_copy(v, &ah, sizeof(ah)))
		return PKT_DROP;

	if (ntohs(ah.ar_hrd) != ARPHRD_ETHER ||
	    ntohs(ah.ar_pro) != ETHERTYPE_IP ||
	    ah.ar_hln != ETH_ALEN || ah.ar_pln != 4)
		return PKT_DROP;

	if (!pkt_pull_copy(v, &body, sizeof(body)))
		return PKT_DROP;

	if (ntohs(ah.ar_op) != ARPOP_REQUEST)
		return PKT_CONSUMED;	/* replies, announcements: nothing to do */

	/* RFC 5227: probes (sender 0.0.0.0) and announcements (sender ==
	 * target) for the guest's address must find nobody else there
	 */
	if (!memcmp(body.tpa, body.spa, sizeof(body.tpa)) ||
	    !memcmp(body.tpa, &c->ip4.addr, sizeof(body.tpa)))
		return PKT_CONSUMED;

	memcpy(reply.eh.ether_dhost, eh.ether_shost, ETH_ALEN);
	memcpy(reply.eh.ether_shost, c->our_mac, ETH_ALEN);
	reply.eh.ether_type = htons(ETHERTYPE_ARP);

	reply.ah = ah;
	reply.ah.ar_op = htons(ARPOP_REPLY);

	memcpy(reply.body.sha, c->our_mac, ETH_ALEN);
	memcpy(reply.body.spa, body.tpa, sizeof(reply.body.spa));
	memcpy(reply.body.tha, body.sha, ETH_ALEN);
	memcpy(reply.body.tpa, body.spa, sizeof(reply.body.tpa));

	tap_send(c, &reply, sizeof(reply));
	return PKT_CONSUMED;
}
