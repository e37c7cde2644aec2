/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_internal.h - UDP files only: constants and the pure builders that the
 * unit tests call
 */
#ifndef UDP_INTERNAL_H
#define UDP_INTERNAL_H

#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* Datagrams read by one recvmmsg(), and recvmmsg() calls per wake-up */
#define UDP_BATCH		32
#define UDP_READS_MAX		4

/* Errors read from an error queue per wake-up */
#define UDP_ERRS_MAX		16

/* Room for the headers in front of each received payload: Ethernet, the
 * longer of the two IP headers, UDP
 */
#define UDP_HDR_ROOM		(ETH_HLEN + sizeof(struct ip6_hdr) +	\
				 sizeof(struct udphdr))

/* Largest UDP payload: a 16-bit UDP length, less its header (RFC 768) */
#define UDP_PAYLOAD_MAX		(65535 - sizeof(struct udphdr))

/* Most of the guest's datagram quoted in an ICMP error, payload only:
 * RFC 1812 4.3.2.3, the whole ICMP datagram within 576 bytes; RFC 4443 2.4
 * (c), within the IPv6 minimum MTU
 */
#define UDP_ICMP4_DGRAM_MAX	576
#define UDP_ICMP6_DGRAM_MAX	1280
#define UDP_ICMP_HDR_LEN	8	/* type, code, checksum, 4 unused */
#define UDP_ICMP4_QUOTE_MAX	(UDP_ICMP4_DGRAM_MAX - 2 * sizeof(struct iphdr) \
				 - UDP_ICMP_HDR_LEN - sizeof(struct udphdr))
#define UDP_ICMP6_QUOTE_MAX	(UDP_ICMP6_DGRAM_MAX -			\
				 2 * sizeof(struct ip6_hdr) -		\
				 UDP_ICMP_HDR_LEN - sizeof(struct udphdr))

/* Hop limit of the datagrams we write to the guest, and of our quotes */
#define UDP_TTL			64

/* Log "UDP flows: N" at most once per this many seconds */
#define UDP_LOG_INTERVAL	1

size_t udp_frame_hdrs(uint8_t room[UDP_HDR_ROOM], const uint8_t *payload,
		      size_t plen, const struct flowside *tap,
		      const uint8_t *src_mac, const uint8_t *dst_mac);
bool udp_err_map(bool v6, uint8_t origin, uint8_t type, uint8_t code,
		 uint8_t *otype, uint8_t *ocode);
size_t udp_icmp4_err_build(uint8_t *buf, size_t size, uint8_t type,
			   uint8_t code, const struct flowside *tap,
			   size_t ulen, const uint8_t *payload, size_t plen);
size_t udp_icmp6_err_build(uint8_t *buf, size_t size, uint8_t type,
			   uint8_t code, const struct flowside *tap,
			   size_t ulen, const uint8_t *payload, size_t plen);
size_t udp_payload_max(bool v6, int mtu);

#endif /* UDP_INTERNAL_H */
