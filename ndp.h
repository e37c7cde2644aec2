/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndp.h - NDP: router and neighbour advertisements */
#ifndef NDP_H
#define NDP_H

#include "ip.h"
#include "packet.h"

struct ctx;

#include <time.h>

enum pkt_verdict ndp_handler(struct ctx *c, const struct ip_info *ii,
			     struct pkt_view *v);
void ndp_timer(struct ctx *c, const struct timespec *now);

#endif /* NDP_H */
