/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd_auto.h - pasta: "auto" port forwarding, following bound ports */
#ifndef FWD_AUTO_H
#define FWD_AUTO_H

#include <netinet/in.h>
#include <time.h>

#define FWD_AUTO_INTERVAL_S	1	/* scan bound ports this often */

struct ctx;

void fwd_auto_init(struct ctx *c);
void fwd_auto_timer(struct ctx *c, const struct timespec *now);
in_port_t fwd_auto_line(const char *line, unsigned state);

#endif /* FWD_AUTO_H */
