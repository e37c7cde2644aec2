/* SPDX-License-Identifier: GPL-2.0-or-later */
/* arp.h - ARP responder */
#ifndef ARP_H
#define ARP_H

#include "packet.h"

struct ctx;

enum pkt_verdict arp_handler(struct ctx *c, struct pkt_view *v);

#endif /* ARP_H */
