/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostwatch.h - follow the host's network configuration as it changes */
#ifndef HOSTWATCH_H
#define HOSTWATCH_H

#include <stdint.h>

struct ctx;

/* Milliseconds from the first notification of a burst to the look at the
 * host's configuration: a burst coalesces into one look, and there are at
 * most 1000 / HOSTWATCH_DELAY_MS of them a second, whatever the rate
 */
#define HOSTWATCH_DELAY_MS	200

/* Notifications read per wake-up, at most: bounded work per event */
#define HOSTWATCH_DRAIN_MAX	64

void hostwatch_init(struct ctx *c, int argc, char **argv);
void hostwatch_nl_handler(struct ctx *c, uint32_t events);
void hostwatch_timer_handler(struct ctx *c, uint32_t events);
void hostwatch_dns_handler(struct ctx *c, uint32_t events);

#endif /* HOSTWATCH_H */
