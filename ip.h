/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ip.h - IPv4 and IPv6 header parsing for frames from the guest */
#ifndef IP_H
#define IP_H

#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

/**
 * struct ip_info - What the L3 header of a guest packet said
 * @af:		AF_INET or AF_INET6
 * @proto:	Upper-layer protocol (after IPv6 extension headers)
 * @ttl:	IPv4 TTL or IPv6 hop limit
 * @tos:	IPv4 TOS or IPv6 traffic class
 * @s4:		IPv4 source address
 * @d4:		IPv4 destination address
 * @s6:		IPv6 source address
 * @d6:		IPv6 destination address
 */
struct ip_info {
	sa_family_t af;
	uint8_t proto;
	uint8_t ttl;
	uint8_t tos;
	struct in_addr s4;
	struct in_addr d4;
	struct in6_addr s6;
	struct in6_addr d6;
};

enum pkt_verdict ip4_pull(struct pkt_view *v, struct ip_info *ii);
void ip4_hdr_build(struct iphdr *ip, uint8_t proto, size_t l4len,
		   struct in_addr saddr, struct in_addr daddr, uint8_t ttl,
		   bool df);
enum pkt_verdict ip6_pull(struct pkt_view *v, struct ip_info *ii);

#endif /* IP_H */
