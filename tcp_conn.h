/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_conn.h - TCP flow entries (placeholder until TCP lands) */
#ifndef TCP_CONN_H
#define TCP_CONN_H

#include "flow.h"

/**
 * struct tcp_tap_conn - A TCP connection between the guest and a socket
 * @f:		Common flow fields, first
 * @sock:	Host socket, -1 if none
 */
struct tcp_tap_conn {
	struct flow_common f;
	int sock;
};

#endif /* TCP_CONN_H */
