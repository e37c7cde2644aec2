/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icmp.h - ICMP and ICMPv6 echo: what the loop and tap.c call */
#ifndef ICMP_H
#define ICMP_H

#include <stdint.h>

#include "ip.h"
#include "packet.h"
#include "passt.h"

enum pkt_verdict icmp_tap_handler(struct ctx *c, const struct ip_info *ii,
				  struct pkt_view *v);
void icmp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events);

#endif /* ICMP_H */
