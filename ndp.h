/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndp.h - NDP: router and neighbour advertisements */
#ifndef NDP_H
#define NDP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ip.h"
#include "packet.h"

struct ctx;

/* Unsolicited router advertisements, RFC 4861 6.2.1 and 6.2.4: every
 * MinRtrAdvInterval to MaxRtrAdvInterval, but the first ones (at most
 * MAX_INITIAL_RTR_ADVERTISEMENTS), once the guest shows up, quickly
 */
#define NDP_RA_INTERVAL_MIN_MS	60000
#define NDP_RA_INTERVAL_MAX_MS	120000
#define NDP_RA_INITIAL_COUNT	3
#define NDP_RA_INITIAL_MIN_MS	500
#define NDP_RA_INITIAL_MAX_MS	1500

/* The on-link prefix given to the guest is the /64 of its address: RFC 4862
 * 5.5.3 d), RFC 2464 4: SLAAC on Ethernet needs 64-bit interface identifiers
 */
#define NDP_PREFIX_LEN		64

/* DNS names in wire format (RFC 1035 3.1) are at most this long */
#define NDP_DN_MAX			255

enum pkt_verdict ndp_handler(struct ctx *c, const struct ip_info *ii,
			     struct pkt_view *v);
void ndp_timer(struct ctx *c, const struct timespec *now);
void ndp_ra_now(void);

int ndp_dns_get(const struct ctx *c, struct in6_addr *dns, int max);
size_t ndp_search_encode(const struct ctx *c, uint8_t *buf, size_t size);

#endif /* NDP_H */
