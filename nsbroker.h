/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsbroker.h - pasta: sockets made inside the namespace, after the sandbox */
#ifndef NSBROKER_H
#define NSBROKER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "passt.h"

void nsbroker_init(struct ctx *c, int argc, char **argv);
int nsbroker_listen(struct ctx *c, int af, int proto, in_port_t port);
void nsbroker_seal(struct ctx *c);
int nsbroker_socket(struct ctx *c, int af);
int nsbroker_udp_socket(struct ctx *c, int af);
bool nsbroker_ready(void);
void nsbroker_handler(struct ctx *c, uint32_t events);

#endif /* NSBROKER_H */
