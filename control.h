/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.h - runtime control socket: what the loop and start-up call */
#ifndef CONTROL_H
#define CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "passt.h"

/* Clients served at once; a new one beyond that replaces the idlest */
#define CONTROL_CLIENTS		4
/* Longest request line, newline included */
#define CONTROL_LINE_MAX	4096
/* Bytes of replies waiting for one client to read them */
#define CONTROL_OUT_MAX		(64 * 1024)

/* Smallest reply buffer control_request() takes: any error fits */
#define CONTROL_REPLY_MIN	512

void control_init(struct ctx *c);
size_t control_request(struct ctx *c, const char *line, size_t len,
		       char *reply, size_t size);
void control_listen_handler(struct ctx *c, union epoll_ref ref,
			    uint32_t events);
void control_conn_handler(struct ctx *c, union epoll_ref ref,
			  uint32_t events);

#endif /* CONTROL_H */
