// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd.c - port forwarding rules and address translation
 *
 * DOC: Theory of Operation
 *
 * Port forwarding: each -t/-u (host to guest) and -T/-U (pasta: namespace
 * to host) option is parsed by conf_port_spec_parse() into a table per
 * protocol and direction: a bitmap of forwarded ports and, for each port,
 * the offset to its target port. "all" (passt) forwards every port but the
 * exclusions; a list of exclusions only means the same. "auto" (pasta)
 * leaves the bitmap to be filled from what is bound on the other side.
 *
 * Address translation, guest to host (fwd_nat_outbound()):
 * - the --dns-forward address, port 53: the --dns-host resolver, or the
 *   host's first resolver;
 * - the --map-host-loopback address (by default the gateway, unless
 *   --no-map-gw): the host's loopback, 127.0.0.1 or ::1;
 * - the --map-guest-addr address: the host's own address that the guest
 *   was given (so the guest can reach services bound to it);
 * - unspecified, multicast and broadcast destinations: refused;
 * - anything else: unchanged.
 *
 * Host to guest (fwd_nat_inbound()): a connection from the host's loopback
 * appears to come from the gateway (the --map-host-loopback address); one
 * from the host's own address, which the guest also has, appears to come
 * from the --map-guest-addr address or else the gateway.
 */

#include <arpa/inet.h>
#include <string.h>

#include "conf.h"
#include "fwd.h"
#include "log.h"
#include "passt.h"
#include "util.h"

static struct fwd_ports fwd_tab[2][FWD_NUM_DIRS];	/* [udp?][dir] */

/**
 * fwd_tab_for() - Table of a protocol and direction
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @dir:	Direction
 *
 * Return: the table
 */
static struct fwd_ports *fwd_tab_for(int proto, enum fwd_dir dir)
{
	ASSERT(proto == IPPROTO_TCP || proto == IPPROTO_UDP);
	ASSERT((unsigned)dir < FWD_NUM_DIRS);
	return &fwd_tab[proto == IPPROTO_UDP][dir];
}

/**
 * fwd_port_set() - Mark a port as forwarded, with its target
 * @fp:		Table
 * @port:	Port
 * @to:		Target port
 */
void fwd_port_set(struct fwd_ports *fp, in_port_t port, in_port_t to)
{
	fp->map[port / 8] |= (uint8_t)(1U << (port % 8));
	fp->delta[port] = (uint16_t)(to - port);
}

/**
 * fwd_port_clear() - Mark a port as not forwarded
 * @fp:		Table
 * @port:	Port
 */
void fwd_port_clear(struct fwd_ports *fp, in_port_t port)
{
	fp->map[port / 8] &= (uint8_t)~(1U << (port % 8));
	fp->delta[port] = 0;
}

/**
 * fwd_apply() - Merge one parsed specification into its table
 * @fp:		Table
 * @ps:		Parsed -t/-u/-T/-U argument
 */
static void fwd_apply(struct fwd_ports *fp, const struct port_spec *ps)
{
	bool all = ps->type == PORT_SPEC_ALL || ps->excl_only;
	int i;

	switch (ps->type) {
	case PORT_SPEC_NONE:
		fp->mode = FWD_MODE_NONE;
		return;
	case PORT_SPEC_AUTO:
		fp->mode = FWD_MODE_AUTO;
		return;
	case PORT_SPEC_ALL:
	case PORT_SPEC_LIST:
	default:
		break;
	}

	fp->mode = FWD_MODE_SPEC;
	if (ps->has_addr) {
		if (ps->addr.af == AF_INET)
			inany_from_v4(&fp->addr, ps->addr.a4);
		else
			fp->addr.a6 = ps->addr.a6;
	}
	if (*ps->ifname)
		snprintf(fp->ifname, sizeof(fp->ifname), "%s", ps->ifname);

	if (all) {
		unsigned p;

		/* Every port but the ephemeral range, like passt's "all" */
		for (p = 1; p < 32768; p++)
			fwd_port_set(fp, (in_port_t)p, (in_port_t)p);
	}

	for (i = 0; i < ps->n_ranges; i++) {
		const struct port_range *r = &ps->range[i];
		unsigned p;

		for (p = r->first; p <= r->last; p++) {
			if (r->exclude)
				fwd_port_clear(fp, (in_port_t)p);
			else
				fwd_port_set(fp, (in_port_t)p,
					(in_port_t)(r->to + (p - r->first)));
		}
	}
}

/**
 * fwd_init() - Build the forwarding tables from the options
 * @c:		Execution context
 *
 * Exclusions apply to everything given for the same protocol and
 * direction, whatever their order: they are applied last. pasta: a table
 * no option was given for is "auto" (fwd_auto.c).
 */
void fwd_init(struct ctx *c)
{
	bool given[2][FWD_NUM_DIRS] = { { false } };
	int i, pass;

	for (i = 0; i < c->fwd_count; i++)
		given[c->fwd[i].proto == IPPROTO_UDP]
		     [c->fwd[i].inbound ? FWD_IN : FWD_OUT] = true;
	for (i = 0; c->mode == MODE_PASTA && i < 2 * FWD_NUM_DIRS; i++) {
		if (!given[i / FWD_NUM_DIRS][i % FWD_NUM_DIRS])
			fwd_tab_for(i / FWD_NUM_DIRS ? IPPROTO_UDP :
				    IPPROTO_TCP, i % FWD_NUM_DIRS)->mode =
				FWD_MODE_AUTO;
	}

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < c->fwd_count; i++) {
			const struct fwd_spec *fs = &c->fwd[i];
			struct port_spec ps;
			char errbuf[CONF_ERR_LEN];
			int j, n_excl = 0;

			if (conf_port_spec_parse(fs->spec, &ps, errbuf,
						 sizeof(errbuf)))
				die("Invalid port specification `%s': %s",
				    fs->spec, errbuf);

			for (j = 0; j < ps.n_ranges; j++)
				n_excl += ps.range[j].exclude;

			/* First pass: specs with ports to add; second:
			 * exclusions, from any spec
			 */
			if (pass == 0) {
				fwd_apply(fwd_tab_for(fs->proto, fs->inbound ?
						      FWD_IN : FWD_OUT), &ps);
			} else if (n_excl && !ps.excl_only) {
				struct fwd_ports *fp;

				fp = fwd_tab_for(fs->proto, fs->inbound ?
						 FWD_IN : FWD_OUT);
				for (j = 0; j < ps.n_ranges; j++) {
					const struct port_range *r;
					unsigned p;

					r = &ps.range[j];
					if (!r->exclude)
						continue;
					for (p = r->first; p <= r->last; p++)
						fwd_port_clear(fp, (in_port_t)p);
				}
			}
		}
	}
}

/**
 * fwd_ports() - Forwarding table of a protocol and direction
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @dir:	Direction
 *
 * Return: the table, read-only
 */
const struct fwd_ports *fwd_ports(int proto, enum fwd_dir dir)
{
	return fwd_tab_for(proto, dir);
}

/**
 * fwd_ports_mut() - Forwarding table of a protocol and direction, to change
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @dir:	Direction
 *
 * For the modules that open and close forwarded ports at run time (the
 * control socket, pasta's automatic forwarding): whoever changes the table
 * also opens or closes the matching sockets.
 *
 * Return: the table
 */
struct fwd_ports *fwd_ports_mut(int proto, enum fwd_dir dir)
{
	return fwd_tab_for(proto, dir);
}

/**
 * fwd_port_forwarded() - Tell if a port is forwarded
 * @fp:		Table
 * @port:	Port, host order
 *
 * Return: true if it is
 */
bool fwd_port_forwarded(const struct fwd_ports *fp, in_port_t port)
{
	return fp->map[port / 8] & (1U << (port % 8));
}

/**
 * fwd_port_target() - Target port of a forwarded port
 * @fp:		Table
 * @port:	Port, host order
 *
 * Return: target port, host order
 */
in_port_t fwd_port_target(const struct fwd_ports *fp, in_port_t port)
{
	return (in_port_t)(port + fp->delta[port]);
}

/**
 * fwd_v4() - Make an inany from an IPv4 address
 * @a:		IPv4 address
 *
 * Return: the v4-mapped address
 */
static union inany_addr fwd_v4(struct in_addr a)
{
	union inany_addr r;

	inany_from_v4(&r, a);
	return r;
}

/**
 * fwd_v6() - Make an inany from an IPv6 address
 * @a:		IPv6 address
 *
 * Return: the same, as inany
 */
static union inany_addr fwd_v6(const struct in6_addr *a)
{
	union inany_addr r = { .a6 = *a };

	return r;
}

/**
 * fwd_is() - Tell if an address equals a configured one, set at all
 * @a:		Address
 * @v4:		Configured IPv4 address, INADDR_ANY if unset
 * @v6:		Configured IPv6 address, :: if unset
 *
 * Return: true if @a is the configured address of its family
 */
static bool fwd_is(const union inany_addr *a, struct in_addr v4,
		   const struct in6_addr *v6)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return v4.s_addr && a4->s_addr == v4.s_addr;
	return !IN6_IS_ADDR_UNSPECIFIED(v6) && IN6_ARE_ADDR_EQUAL(&a->a6, v6);
}

/**
 * fwd_map_host_lo() - The address that stands for the host's loopback
 * @c:		Execution context
 * @v4:		Filled with the IPv4 one, INADDR_ANY if none
 * @v6:		Filled with the IPv6 one, :: if none
 */
static void fwd_map_host_lo(const struct ctx *c, struct in_addr *v4,
			    struct in6_addr *v6)
{
	*v4 = c->map_host_lo4;
	*v6 = c->map_host_lo6;
	if (c->no_map_gw)
		return;
	if (!v4->s_addr)
		*v4 = c->ip4.gw;
	if (IN6_IS_ADDR_UNSPECIFIED(v6))
		*v6 = c->ip6.gw;
}

/**
 * fwd_nat_outbound() - Where a guest's packet to @dst really goes
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP (ICMP: either, port 0)
 * @dst:	Destination the guest used
 * @dport:	Destination port, host order
 * @host_dst:	Address to use on the host side
 *
 * Return: false if the destination must not be reached at all
 */
bool fwd_nat_outbound(const struct ctx *c, uint8_t proto,
		      const union inany_addr *dst, in_port_t dport,
		      union inany_addr *host_dst)
{
	const struct in_addr *a4 = inany_v4(dst);
	struct in6_addr lo6;
	struct in_addr lo4;

	(void)proto;

	if (a4) {
		if (!a4->s_addr || IN_MULTICAST(ntohl(a4->s_addr)) ||
		    a4->s_addr == htonl(INADDR_BROADCAST))
			return false;
	} else if (IN6_IS_ADDR_UNSPECIFIED(&dst->a6) ||
		   IN6_IS_ADDR_MULTICAST(&dst->a6)) {
		return false;
	}

	if (dport == 53 && fwd_is(dst, c->dns_forward4, &c->dns_forward6)) {
		if (a4 && c->dns_host4.s_addr) {
			*host_dst = fwd_v4(c->dns_host4);
			return true;
		}
		if (!a4 && !IN6_IS_ADDR_UNSPECIFIED(&c->dns_host6)) {
			*host_dst = fwd_v6(&c->dns_host6);
			return true;
		}
	}

	fwd_map_host_lo(c, &lo4, &lo6);
	if (fwd_is(dst, lo4, &lo6)) {
		if (a4)
			*host_dst = fwd_v4((struct in_addr){
					   htonl(INADDR_LOOPBACK) });
		else
			*host_dst = fwd_v6(&in6addr_loopback);
		return true;
	}

	if (fwd_is(dst, c->map_guest_addr4, &c->map_guest_addr6)) {
		if (a4)
			*host_dst = fwd_v4(c->ip4.addr);
		else
			*host_dst = fwd_v6(&c->ip6.addr);
		return true;
	}

	*host_dst = *dst;
	return true;
}

/**
 * fwd_nat_inbound() - Source address the guest sees for a host peer
 * @c:		Execution context
 * @src:	Peer's address on the host side
 * @guest_src:	Address the guest will see
 */
void fwd_nat_inbound(const struct ctx *c, const union inany_addr *src,
		     union inany_addr *guest_src)
{
	const struct in_addr *a4 = inany_v4(src);
	struct in6_addr lo6;
	struct in_addr lo4;

	fwd_map_host_lo(c, &lo4, &lo6);

	if (a4 ? (ntohl(a4->s_addr) >> 24) == IN_LOOPBACKNET :
		 IN6_IS_ADDR_LOOPBACK(&src->a6)) {
		if (a4 && lo4.s_addr) {
			*guest_src = fwd_v4(lo4);
			return;
		}
		if (!a4 && !IN6_IS_ADDR_UNSPECIFIED(&lo6)) {
			*guest_src = fwd_v6(&lo6);
			return;
		}
	}

	if (fwd_is(src, c->ip4.addr, &c->ip6.addr)) {
		if (a4)
			*guest_src = fwd_v4(c->map_guest_addr4.s_addr ?
					    c->map_guest_addr4 : c->ip4.gw);
		else
			*guest_src = fwd_v6(IN6_IS_ADDR_UNSPECIFIED(
						&c->map_guest_addr6) ?
					    &c->ip6.gw : &c->map_guest_addr6);
		return;
	}

	*guest_src = *src;
}

/**
 * fwd_guest_addr() - The guest's address, for connections towards it
 * @c:		Execution context
 * @v6:		IPv6 rather than IPv4
 * @addr:	The address last seen from the guest, or else configured
 */
void fwd_guest_addr(const struct ctx *c, bool v6, union inany_addr *addr)
{
	if (!v6) {
		*addr = fwd_v4(c->ip4.addr_seen.s_addr ? c->ip4.addr_seen :
						 c->ip4.addr);
		return;
	}
	*addr = fwd_v6(IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_seen) ?
		       &c->ip6.addr : &c->ip6.addr_seen);
}
