/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_flow.h - UDP flow entries (placeholder until UDP lands) */
#ifndef UDP_FLOW_H
#define UDP_FLOW_H

#include "flow.h"

/**
 * struct udp_flow - A UDP exchange between the guest and a host socket
 * @f:		Common flow fields, first
 * @sock:	Host socket, -1 if none
 */
struct udp_flow {
	struct flow_common f;
	int sock;
};

#endif /* UDP_FLOW_H */
