/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp.h - TCP translation: what the loop and tap.c call */
#ifndef TCP_H
#define TCP_H

#include <stdint.h>
#include <time.h>

#include "fwd.h"
#include "ip.h"
#include "packet.h"
#include "passt.h"

void tcp_init(struct ctx *c);
enum pkt_verdict tcp_tap_handler(struct ctx *c, const struct ip_info *ii,
				 struct pkt_view *v);
void tcp_tap_flush(struct ctx *c);
void tcp_tap_writable(struct ctx *c);
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events);
void tcp_listen_handler(struct ctx *c, union epoll_ref ref, uint32_t events);
const char *tcp_state_str(unsigned state);
int tcp_listen_open(struct ctx *c, enum fwd_dir dir, in_port_t port);
void tcp_listen_close(struct ctx *c, enum fwd_dir dir, in_port_t port);
void tcp_timer_handler(struct ctx *c, union epoll_ref ref, uint32_t events);
void tcp_post_batch(struct ctx *c, const struct timespec *now);

#endif /* TCP_H */
