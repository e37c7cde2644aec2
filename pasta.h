/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta.h - network namespaces: spawn a command or join, tap device setup */
#ifndef PASTA_H
#define PASTA_H

#include <stdint.h>

struct ctx;

void pasta_start_ns(struct ctx *c);
void pasta_open_ns(struct ctx *c);
void pasta_ns_conf(struct ctx *c);
void pasta_child_watch(struct ctx *c);
void pasta_child_go(void);
void pasta_child_handler(struct ctx *c, uint32_t events);

#endif /* PASTA_H */
