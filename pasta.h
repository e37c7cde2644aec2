/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta.h - network namespaces: spawn a command or join, tap device setup */
#ifndef PASTA_H
#define PASTA_H

#include <stdint.h>

#include "passt.h"

struct ctx;
struct ip4_ctx;
struct ip6_ctx;

void pasta_start_ns(struct ctx *c);
void pasta_open_ns(struct ctx *c);
void pasta_ns_conf(struct ctx *c);
void pasta_child_watch(struct ctx *c);
void pasta_child_go(void);
void pasta_child_handler(struct ctx *c, uint32_t events);
int pasta_ns_open(struct ctx *c, const char *path);
void pasta_netns_quit_init(struct ctx *c);
void pasta_netns_quit_handler(struct ctx *c, union epoll_ref ref,
			      uint32_t events);
void pasta_ns_helper_start(const struct ctx *c, int argc, char **argv);
void pasta_ns_update(const struct ctx *c, const struct ip4_ctx *old4,
		     const struct ip6_ctx *old6, unsigned int changed);

#endif /* PASTA_H */
