/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd.h - port forwarding rules and address translation */
#ifndef FWD_H
#define FWD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "inany.h"

struct ctx;

/**
 * enum fwd_dir - Direction of a port forwarding table
 * @FWD_IN:	Host to guest: -t, -u (connections to the host's ports)
 * @FWD_OUT:	pasta: namespace to host: -T, -U (loopback to loopback)
 * @FWD_NUM_DIRS: Number of directions
 */
enum fwd_dir {
	FWD_IN,
	FWD_OUT,
	FWD_NUM_DIRS,
};

/**
 * enum fwd_mode - What a table was given
 * @FWD_MODE_NONE:	Nothing forwarded (default, or "none")
 * @FWD_MODE_SPEC:	Ports and ranges listed (or "all": every port that
 *			could be bound, minus exclusions)
 * @FWD_MODE_AUTO:	pasta "auto": follow what is bound on the other side
 */
enum fwd_mode {
	FWD_MODE_NONE,
	FWD_MODE_SPEC,
	FWD_MODE_AUTO,
};

/**
 * struct fwd_ports - Forwarded ports of one protocol in one direction
 * @mode:	What the options said
 * @map:	Bitmap: bit N set if port N is forwarded
 * @delta:	Target of port N is N + delta[N] (mod 65536)
 * @addr:	Address to bind listening sockets to, :: (any) if none given
 * @ifname:	Interface to bind to, empty if none given
 */
struct fwd_ports {
	enum fwd_mode mode;
	uint8_t map[65536 / 8];
	uint16_t delta[65536];
	union inany_addr addr;
	char ifname[16];
};

void fwd_init(struct ctx *c);
const struct fwd_ports *fwd_ports(int proto, enum fwd_dir dir);
struct fwd_ports *fwd_ports_mut(int proto, enum fwd_dir dir);
void fwd_port_set(struct fwd_ports *fp, in_port_t port, in_port_t to);
void fwd_port_clear(struct fwd_ports *fp, in_port_t port);
bool fwd_port_forwarded(const struct fwd_ports *fp, in_port_t port);
in_port_t fwd_port_target(const struct fwd_ports *fp, in_port_t port);

bool fwd_nat_outbound(const struct ctx *c, uint8_t proto,
		      const union inany_addr *dst, in_port_t dport,
		      union inany_addr *host_dst);
void fwd_nat_inbound(const struct ctx *c, const union inany_addr *src,
		     union inany_addr *guest_src);
void fwd_guest_addr(const struct ctx *c, bool v6, union inany_addr *addr);

#endif /* FWD_H */
