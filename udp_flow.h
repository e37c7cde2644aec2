/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_flow.h - UDP flow entries, part of the flow table's union */
#ifndef UDP_FLOW_H
#define UDP_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "inany.h"

/**
 * struct udp_flow - A UDP exchange between the guest and one host peer
 * @f:		Common flow fields, first: @f.tap is the guest's view
 * @sock:	Outbound: our connected socket. Inbound: -1, datagrams go
 *		through the socket of the forwarded port
 * @ts:		Last datagram either way, CLOCK_MONOTONIC seconds
 * @peer:	Peer's address on the host side (after translation)
 * @peer_port:	Peer's port, host order
 * @lport:	Inbound: the forwarded port the peer sent to; 0 outbound
 * @last_len:	UDP length of the guest's last datagram, to quote it in an
 *		ICMP error when the host's quote is cut short
 * @bytes_in:	Payload bytes from the guest, sent (or queued to send)
 * @bytes_out:	Payload bytes to the guest, in frames handed to tap.c
 * @inbound:	Created by a datagram to a forwarded port
 * @closing:	The socket failed: the next sweep frees the entry
 */
struct udp_flow {
	struct flow_common f;
	int sock;
	uint32_t ts;
	union inany_addr peer;
	in_port_t peer_port;
	in_port_t lport;
	uint16_t last_len;
	uint64_t bytes_in;
	uint64_t bytes_out;
	bool inbound;
	bool closing;
};

#endif /* UDP_FLOW_H */
