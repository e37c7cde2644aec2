/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_splice.h - pasta: -U, UDP from the namespace's loopback to the host's */
#ifndef UDP_SPLICE_H
#define UDP_SPLICE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "inany.h"
#include "passt.h"

int udp_splice_open(struct ctx *c, in_port_t port);
void udp_splice_close(struct ctx *c, in_port_t port);
void udp_splice_listen_init(struct ctx *c);
bool udp_splice_from_host(struct ctx *c, bool v6, in_port_t port,
			  const union inany_addr *peer, in_port_t pport,
			  const void *buf, size_t len);
void udp_splice_handler(struct ctx *c, union epoll_ref ref, uint32_t events);
void udp_splice_timer(struct ctx *c, const struct timespec *now);

#endif /* UDP_SPLICE_H */
