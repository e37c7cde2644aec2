// SPDX-License-Identifier: GPL-2.0-or-later
/* ip.c - IPv4 and IPv6 header parsing for frames from the guest
 *
 * DOC: Theory of Operation
 *
 * ip4_pull() and ip6_pull() consume the L3 header (and IPv6 extension
 * headers) from a view positioned after the Ethernet header, check every
 * length the header claims against what arrived, narrow the view to the
 * packet's own length (dropping Ethernet padding), and say where the
 * upper-layer header starts.
 *
 * Fragments are dropped: the guest's MTU is ours to choose, so a guest has
 * no reason to fragment, and reassembly would need buffers we don't keep.
 * IPv4 header checksums are not verified: the frame never crossed a wire,
 * and the host's stack re-creates every header anyway.
 */

#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <string.h>

#include "checksum.h"
#include "ip.h"
#include "log.h"

#define IP4_MF		0x2000
#define IP4_OFFMASK	0x1fff
#define IP6_EXTHDR_MAX	8	/* longer chains are not from a real guest */

/**
 * ip4_pull() - Consume an IPv4 header, check it, narrow the view
 * @v:		View positioned at the IPv4 header
 * @ii:		Filled with what the header says
 *
 * Return: PKT_CONSUMED if @v now starts at the upper-layer header and ends
 *	   with the packet, PKT_DROP if the header is malformed or a fragment
 */
enum pkt_verdict ip4_pull(struct pkt_view *v, struct ip_info *ii)
{
	size_t hlen, tot_len;
	struct iphdr ip;
	uint16_t frag;

	if (!pkt_pull_copy(v, &ip, sizeof(ip)))
		return PKT_DROP;

	hlen = ip.ihl * 4UL;
	tot_len = ntohs(ip.tot_len);
	if (ip.version != 4 || hlen < sizeof(ip) || tot_len < hlen)
		return PKT_DROP;

	/* Options: skipped, but they must have arrived */
	if (!pkt_pull(v, hlen - sizeof(ip)))
		return PKT_DROP;
	if (!pkt_limit(v, tot_len - hlen))
		return PKT_DROP;

	frag = ntohs(ip.frag_off);
	if (frag & (IP4_MF | IP4_OFFMASK)) {
		debug_ratelimit("ip: dropped IPv4 fragment");
		return PKT_DROP;
	}

	memset(ii, 0, sizeof(*ii));
	ii->af = AF_INET;
	ii->proto = ip.protocol;
	ii->ttl = ip.ttl;
	ii->tos = ip.tos;
	ii->s4.s_addr = ip.saddr;
	ii->d4.s_addr = ip.daddr;
	return PKT_CONSUMED;
}

/**
 * ip6_pull() - Consume an IPv6 header and extension headers, narrow view
 * @v:		View positioned at the IPv6 header
 * @ii:		Filled with what the headers say
 *
 * Hop-by-hop, routing and destination options headers are skipped; a
 * fragment header, ESP/AH or too long a chain drops the packet.
 *
 * Return: PKT_CONSUMED if @v now starts at the upper-layer header and ends
 *	   with the packet, PKT_DROP otherwise
 */
enum pkt_verdict ip6_pull(struct pkt_view *v, struct ip_info *ii)
{
	struct ip6_hdr ip6;
	uint8_t nh;
	int i;

	if (!pkt_pull_copy(v, &ip6, sizeof(ip6)))
		return PKT_DROP;
	if ((ip6.ip6_vfc >> 4) != 6)
		return PKT_DROP;
	if (!pkt_limit(v, ntohs(ip6.ip6_plen)))
		return PKT_DROP;

	nh = ip6.ip6_nxt;
	for (i = 0; i < IP6_EXTHDR_MAX; i++) {
		struct ip6_ext ext;

		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS)
			break;

		/* Length in 8-octet units, not counting the first 8 */
		if (!pkt_pull_copy(v, &ext, sizeof(ext)) ||
		    !pkt_pull(v, (ext.ip6e_len + 1) * 8UL - sizeof(ext)))
			return PKT_DROP;
		nh = ext.ip6e_nxt;
	}
	if (i == IP6_EXTHDR_MAX || nh == IPPROTO_FRAGMENT) {
		debug_ratelimit("ip: dropped IPv6 fragment or long chain");
		return PKT_DROP;
	}

	memset(ii, 0, sizeof(*ii));
	ii->af = AF_INET6;
	ii->proto = nh;
	ii->ttl = ip6.ip6_hlim;
	ii->tos = (ntohl(ip6.ip6_flow) >> 20) & 0xff;
	ii->s6 = ip6.ip6_src;
	ii->d6 = ip6.ip6_dst;
	return PKT_CONSUMED;
}

/**
 * ip4_hdr_build() - Write an IPv4 header without options, checksum included
 * @ip:		Header to fill
 * @proto:	Protocol of the payload
 * @l4len:	Length of the payload (transport header included)
 * @saddr:	Source address
 * @daddr:	Destination address
 * @ttl:	Time to live
 * @df:		Set the don't-fragment flag
 */
void ip4_hdr_build(struct iphdr *ip, uint8_t proto, size_t l4len,
		   struct in_addr saddr, struct in_addr daddr, uint8_t ttl,
		   bool df)
{
	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = sizeof(*ip) / 4;
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + l4len));
	ip->frag_off = df ? htons(IP_DF) : 0;
	ip->ttl = ttl;
	ip->protocol = proto;
	ip->saddr = saddr.s_addr;
	ip->daddr = daddr.s_addr;
	ip->check = csum(ip, sizeof(*ip), 0);
}
