/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp.h - UDP translation: what the loop and tap.c call */
#ifndef UDP_H
#define UDP_H

#include <stdint.h>
#include <time.h>

#include "ip.h"
#include "packet.h"
#include "passt.h"

void udp_init(struct ctx *c);
enum pkt_verdict udp_tap_handler(struct ctx *c, const struct ip_info *ii,
				 struct pkt_view *v);
void udp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events);
void udp_listen_handler(struct ctx *c, union epoll_ref ref, uint32_t events);
void udp_post_batch(struct ctx *c, const struct timespec *now);

#endif /* UDP_H */
