// SPDX-License-Identifier: GPL-2.0-or-later
/* test_udp.c - UDP: frame headers, ICMP errors quoting the guest, limits */

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>

#include "unit.h"
#include "../../checksum.h"
#include "../../flow.h"
#include "../../packet.h"
#include "../../passt.h"
#include "../../udp.h"
#include "../../udp_internal.h"

static const uint8_t mac_a[ETH_ALEN] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t mac_b[ETH_ALEN] = MAC_OUR_DEFAULT;

/**
 * side4() - An IPv4 guest view: 192.0.2.2:40000 to 198.51.100.7:53
 * @s:		Filled in
 */
static void side4(struct flowside *s)
{
	memset(s, 0, sizeof(*s));
	inany_from_v4(&s->gaddr, (struct in_addr){ htonl(0xc0000202) });
	inany_from_v4(&s->daddr, (struct in_addr){ htonl(0xc6336407) });
	s->gport = 40000;
	s->dport = 53;
}

/**
 * side6() - An IPv6 guest view: [2001:db8::2]:40000 to [2001:db8::1]:53
 * @s:		Filled in
 */
static void side6(struct flowside *s)
{
	memset(s, 0, sizeof(*s));
	inet_pton(AF_INET6, "2001:db8::2", &s->gaddr.a6);
	inet_pton(AF_INET6, "2001:db8::1", &s->daddr.a6);
	s->gport = 40000;
	s->dport = 53;
}

static struct {
	uint8_t room[UDP_HDR_ROOM];
	uint8_t data[70000];
} buf;

UNIT_TEST(udp_frame_hdrs_ipv4)
{
	size_t off, plen = 1001, i;
	struct flowside s;
	struct udphdr uh;
	struct iphdr ip;
	uint8_t *f;

	side4(&s);
	for (i = 0; i < plen; i++)
		buf.data[i] = (uint8_t)(i * 7);
	off = udp_frame_hdrs(buf.room, buf.data, plen, &s, mac_b, mac_a);
	CHECK_EQ_INT(off, sizeof(struct ip6_hdr) - sizeof(struct iphdr));
	f = buf.room + off;

	CHECK_MEMEQ(f, mac_a, ETH_ALEN);
	CHECK_MEMEQ(f + ETH_ALEN, mac_b, ETH_ALEN);
	CHECK(f[12] == 0x08 && f[13] == 0x00);

	memcpy(&ip, f + ETH_HLEN, sizeof(ip));
	CHECK_EQ_INT(ip.version, 4);
	CHECK_EQ_INT(ip.ihl, 5);
	CHECK_EQ_INT(ntohs(ip.tot_len), 20 + 8 + plen);
	CHECK_EQ_INT(ip.protocol, IPPROTO_UDP);
	CHECK_EQ_INT(ntohl(ip.saddr), 0xc6336407);	/* from the peer */
	CHECK_EQ_INT(ntohl(ip.daddr), 0xc0000202);	/* to the guest */
	CHECK_EQ_INT(csum(&ip, sizeof(ip), 0), 0);

	memcpy(&uh, f + ETH_HLEN + sizeof(ip), sizeof(uh));
	CHECK_EQ_INT(ntohs(uh.source), 53);
	CHECK_EQ_INT(ntohs(uh.dest), 40000);
	CHECK_EQ_INT(ntohs(uh.len), 8 + plen);
	CHECK(uh.check != 0);
	/* Summed with its pseudo-header, a valid segment folds to zero */
	CHECK_EQ_INT(csum(f + ETH_HLEN + sizeof(ip), 8 + plen,
			  csum_pseudo4(8 + plen, IPPROTO_UDP,
				       (struct in_addr){ ip.saddr },
				       (struct in_addr){ ip.daddr })), 0);
	CHECK(f + ETH_HLEN + sizeof(ip) + sizeof(uh) == buf.data);
}

UNIT_TEST(udp_frame_hdrs_ipv6)
{
	size_t off, plen = UDP_PAYLOAD_MAX - 40 - 8;
	struct ip6_hdr ip6;
	struct flowside s;
	struct udphdr uh;
	uint8_t *f;

	side6(&s);
	memset(buf.data, 0xa5, plen);
	off = udp_frame_hdrs(buf.room, buf.data, plen, &s, mac_b, mac_a);
	CHECK_EQ_INT(off, 0);
	f = buf.room;
	CHECK(f[12] == 0x86 && f[13] == 0xdd);

	memcpy(&ip6, f + ETH_HLEN, sizeof(ip6));
	CHECK_EQ_INT(ntohl(ip6.ip6_flow) >> 28, 6);
	CHECK_EQ_INT(ntohs(ip6.ip6_plen), 8 + plen);
	CHECK_EQ_INT(ip6.ip6_nxt, IPPROTO_UDP);
	CHECK(IN6_ARE_ADDR_EQUAL(&ip6.ip6_src, &s.daddr.a6));
	CHECK(IN6_ARE_ADDR_EQUAL(&ip6.ip6_dst, &s.gaddr.a6));

	memcpy(&uh, f + ETH_HLEN + sizeof(ip6), sizeof(uh));
	CHECK_EQ_INT(ntohs(uh.len), 8 + plen);
	CHECK(uh.check != 0);	/* mandatory over IPv6 (RFC 8200 8.1) */
	CHECK_EQ_INT(csum(f + ETH_HLEN + sizeof(ip6), 8 + plen,
			  csum_pseudo6(8 + plen, IPPROTO_UDP, &ip6.ip6_src,
				       &ip6.ip6_dst)), 0);
}

UNIT_TEST(udp_payload_max)
{
	CHECK_EQ_INT(udp_payload_max(false, 65520), 65520 - 28);
	CHECK_EQ_INT(udp_payload_max(true, 65520), 65520 - 48);
	CHECK_EQ_INT(udp_payload_max(false, 1500), 1472);
	CHECK_EQ_INT(udp_payload_max(true, 1280), 1232);
	CHECK_EQ_INT(udp_payload_max(false, 28), 0);
	CHECK_EQ_INT(udp_payload_max(false, 68), 40);
	CHECK(udp_payload_max(true, 65520) >= 65000);
	CHECK(udp_payload_max(false, 65520) >= 65000);
}

UNIT_TEST(udp_err_map)
{
	uint8_t t = 0, c = 0;

	CHECK(udp_err_map(false, SO_EE_ORIGIN_ICMP, ICMP_DEST_UNREACH,
			  ICMP_PORT_UNREACH, &t, &c));
	CHECK_EQ_INT(t, ICMP_DEST_UNREACH);
	CHECK_EQ_INT(c, ICMP_PORT_UNREACH);
	CHECK(udp_err_map(false, SO_EE_ORIGIN_ICMP, ICMP_DEST_UNREACH,
			  ICMP_HOST_UNREACH, &t, &c));
	CHECK_EQ_INT(c, ICMP_HOST_UNREACH);

	/* The host's path, not the guest's business */
	CHECK(!udp_err_map(false, SO_EE_ORIGIN_ICMP, ICMP_DEST_UNREACH,
			   ICMP_FRAG_NEEDED, &t, &c));
	CHECK(!udp_err_map(false, SO_EE_ORIGIN_ICMP, ICMP_TIME_EXCEEDED, 0,
			   &t, &c));
	CHECK(!udp_err_map(false, SO_EE_ORIGIN_LOCAL, ICMP_DEST_UNREACH,
			   ICMP_PORT_UNREACH, &t, &c));
	CHECK(!udp_err_map(false, SO_EE_ORIGIN_ICMP, ICMP_DEST_UNREACH, 200,
			   &t, &c));

	CHECK(udp_err_map(true, SO_EE_ORIGIN_ICMP6, ICMP6_DST_UNREACH,
			  ICMP6_DST_UNREACH_NOPORT, &t, &c));
	CHECK_EQ_INT(t, ICMP6_DST_UNREACH);
	CHECK_EQ_INT(c, ICMP6_DST_UNREACH_NOPORT);
	CHECK(!udp_err_map(true, SO_EE_ORIGIN_ICMP6, ICMP6_PACKET_TOO_BIG, 0,
			   &t, &c));
	CHECK(!udp_err_map(true, SO_EE_ORIGIN_ICMP, ICMP6_DST_UNREACH, 4,
			   &t, &c));
}

UNIT_TEST(udp_icmp4_err_quote)
{
	uint8_t msg[UDP_ICMP4_DGRAM_MAX], payload[2000];
	struct udphdr uh;
	struct flowside s;
	struct iphdr ip;
	size_t len, i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	side4(&s);

	/* A long datagram: the whole ICMP datagram stays within 576 bytes */
	len = udp_icmp4_err_build(msg, sizeof(msg), ICMP_DEST_UNREACH,
				  ICMP_PORT_UNREACH, &s, 8 + 2000, payload,
				  sizeof(payload));
	CHECK_EQ_INT(len + sizeof(struct iphdr), 576);
	CHECK_EQ_INT(msg[0], ICMP_DEST_UNREACH);
	CHECK_EQ_INT(msg[1], ICMP_PORT_UNREACH);
	CHECK(!msg[4] && !msg[5] && !msg[6] && !msg[7]);	/* unused */

	memcpy(&ip, msg + 8, sizeof(ip));
	CHECK_EQ_INT(ip.version, 4);
	CHECK_EQ_INT(ntohs(ip.tot_len), 20 + 8 + 2000);	/* as sent */
	CHECK_EQ_INT(ip.protocol, IPPROTO_UDP);
	CHECK_EQ_INT(ntohl(ip.saddr), 0xc0000202);	/* the guest */
	CHECK_EQ_INT(ntohl(ip.daddr), 0xc6336407);
	CHECK_EQ_INT(csum(&ip, sizeof(ip), 0), 0);

	memcpy(&uh, msg + 28, sizeof(uh));
	CHECK_EQ_INT(ntohs(uh.source), 40000);
	CHECK_EQ_INT(ntohs(uh.dest), 53);
	CHECK_EQ_INT(ntohs(uh.len), 8 + 2000);
	CHECK_MEMEQ(msg + 36, payload, len - 36);

	/* Short quote: all of it; length at least what's quoted */
	len = udp_icmp4_err_build(msg, sizeof(msg), 3, 1, &s, 0, payload, 5);
	CHECK_EQ_INT(len, 8 + 20 + 8 + 5);
	memcpy(&uh, msg + 28, sizeof(uh));
	CHECK_EQ_INT(ntohs(uh.len), 13);

	/* No room, or the wrong family */
	CHECK_EQ_INT(udp_icmp4_err_build(msg, 40, 3, 3, &s, 8, payload, 5),
		     0);
	side6(&s);
	CHECK_EQ_INT(udp_icmp4_err_build(msg, sizeof(msg), 3, 3, &s, 8,
					 payload, 5), 0);
}

UNIT_TEST(udp_icmp6_err_quote)
{
	uint8_t msg[UDP_ICMP6_DGRAM_MAX], payload[1500];
	struct ip6_hdr ip6;
	struct flowside s;
	struct udphdr uh;
	size_t len;

	memset(payload, 0x5a, sizeof(payload));
	side6(&s);

	/* Within the IPv6 minimum MTU, RFC 4443 2.4 (c) */
	len = udp_icmp6_err_build(msg, sizeof(msg), ICMP6_DST_UNREACH,
				  ICMP6_DST_UNREACH_NOPORT, &s, 8 + 1500,
				  payload, sizeof(payload));
	CHECK_EQ_INT(len + sizeof(struct ip6_hdr), 1280);
	CHECK_EQ_INT(msg[0], ICMP6_DST_UNREACH);
	CHECK_EQ_INT(msg[1], ICMP6_DST_UNREACH_NOPORT);

	memcpy(&ip6, msg + 8, sizeof(ip6));
	CHECK_EQ_INT(ntohl(ip6.ip6_flow) >> 28, 6);
	CHECK_EQ_INT(ntohs(ip6.ip6_plen), 8 + 1500);
	CHECK_EQ_INT(ip6.ip6_nxt, IPPROTO_UDP);
	CHECK(IN6_ARE_ADDR_EQUAL(&ip6.ip6_src, &s.gaddr.a6));
	CHECK(IN6_ARE_ADDR_EQUAL(&ip6.ip6_dst, &s.daddr.a6));

	memcpy(&uh, msg + 48, sizeof(uh));
	CHECK_EQ_INT(ntohs(uh.source), 40000);
	CHECK_EQ_INT(ntohs(uh.dest), 53);
	CHECK_MEMEQ(msg + 56, payload, len - 56);

	side4(&s);
	CHECK_EQ_INT(udp_icmp6_err_build(msg, sizeof(msg), 1, 4, &s, 8,
					 payload, 5), 0);
}

/**
 * tap_udp() - Run udp_tap_handler() on a UDP header and payload
 * @hdr_len:	UDP length field
 * @sport:	Source port
 * @dport:	Destination port
 * @plen:	Payload bytes actually present
 *
 * Return: the handler's verdict
 */
static enum pkt_verdict tap_udp(uint16_t hdr_len, in_port_t sport,
				in_port_t dport, size_t plen)
{
	static struct ctx c;
	uint8_t seg[64] = { 0 };
	struct ip_info ii;
	struct udphdr uh;
	struct pkt_view v;

	memset(&ii, 0, sizeof(ii));
	ii.af = AF_INET;
	ii.proto = IPPROTO_UDP;
	ii.s4.s_addr = htonl(0xc0000202);
	ii.d4.s_addr = htonl(0xc6336407);
	uh.source = htons(sport);
	uh.dest = htons(dport);
	uh.len = htons(hdr_len);
	uh.check = 0;
	memcpy(seg, &uh, sizeof(uh));
	c.epollfd = -1;
	pkt_init(&v, seg, sizeof(uh) + plen);
	return udp_tap_handler(&c, &ii, &v);
}

UNIT_TEST(udp_tap_malformed)
{
	CHECK_EQ_INT(tap_udp(7, 1000, 53, 0), PKT_DROP);	/* < header */
	CHECK_EQ_INT(tap_udp(20, 1000, 53, 4), PKT_DROP);	/* > packet */
	CHECK_EQ_INT(tap_udp(2, 1000, 53, 10), PKT_DROP);
	CHECK_EQ_INT(tap_udp(12, 0, 53, 4), PKT_DROP);		/* port 0 */
	CHECK_EQ_INT(tap_udp(12, 1000, 0, 4), PKT_DROP);
}
