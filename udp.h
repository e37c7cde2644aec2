/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp.h - UDP translation: what the loop, tap.c and conf.c call */
#ifndef UDP_H
#define UDP_H

#include <stdint.h>
#include <time.h>

#include "fwd.h"
#include "ip.h"
#include "packet.h"
#include "passt.h"

/* Flows without a datagram either way for this long are closed (seconds):
 * the default, and the most --udp-timeout takes
 */
#define UDP_TIMEOUT_DEFAULT	180
#define UDP_TIMEOUT_MAX		86400

void udp_init(struct ctx *c);
enum pkt_verdict udp_tap_handler(struct ctx *c, const struct ip_info *ii,
				 struct pkt_view *v);
void udp_tap_flush(const struct ctx *c);
void udp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events);
void udp_listen_handler(struct ctx *c, union epoll_ref ref, uint32_t events);
int udp_listen_open(struct ctx *c, enum fwd_dir dir, in_port_t port);
int udp_listen_fd(bool v6, in_port_t port);
void udp_listen_close(struct ctx *c, enum fwd_dir dir, in_port_t port);
void udp_post_batch(struct ctx *c, const struct timespec *now);
void udp_set_timeout(unsigned int seconds);

#endif /* UDP_H */
