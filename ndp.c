// SPDX-License-Identifier: GPL-2.0-or-later
/* ndp.c - NDP: router and neighbour advertisements
 *
 * DOC: Theory of Operation
 *
 * The guest's link has two stations, the guest and us, and we stand for
 * everything else: the router, and every other address on the link. This
 * file answers the two Neighbor Discovery questions a guest asks (RFC 4861):
 *
 * - Router Solicitation: answered at once with a Router Advertisement, to
 *   the soliciting address, or to all nodes if it was the unspecified
 *   address. RFC 4861 6.2.6 asks for a random delay of up to half a second
 *   before a solicited advertisement, so that the routers of a link don't
 *   answer together: we are the only router, so we don't wait, which keeps
 *   the guest's boot fast.
 *
 * - Neighbor Solicitation: answered with a Neighbor Advertisement carrying
 *   our MAC address for any target, except the guest's own addresses (the
 *   configured one, and the last global and link-local sources seen) and the
 *   address the solicitation itself comes from: those are the guest's, and
 *   telling it otherwise would break its duplicate address detection. For
 *   the same reason, a duplicate address detection probe (source ::) is
 *   never answered, whatever its target: the guest may be checking an
 *   address it made up (SLAAC, privacy addresses) that we haven't seen yet
 *   (RFC 4862 5.4). Advertisements always have the router flag (all the
 *   guest can reach is behind the one router we are) and the override flag.
 *
 * Router advertisements make us the guest's default router (router lifetime
 * NDP_ROUTER_LIFETIME) and carry, as options:
 * - our link-layer address;
 * - the MTU, if it is valid for IPv6;
 * - the /64 prefix of the guest's configured address, on-link and for
 *   stateless autoconfiguration (RFC 4862), with infinite lifetimes. The
 *   prefix length is always 64, whatever the host's: SLAAC on Ethernet only
 *   works with 64-bit interface identifiers (RFC 4862 5.5.3 d, RFC 2464 4),
 *   and everything on the guest's link is on-link anyway;
 * - when the host's address moved to another prefix (hostwatch.c), the
 *   prefix advertised before, with a preferred lifetime of zero and a valid
 *   lifetime of two hours: the guest stops using its old address for new
 *   connections, and drops it two hours later;
 * - resolvers (RDNSS) and the search list (DNSSL) of RFC 8106, unless
 *   --no-dhcp-dns and --no-dhcp-search (the default for pasta, whose
 *   namespace shares the host's resolv.conf). Loopback resolvers are left
 *   out: in the guest, they would be the guest itself.
 * The managed and other-configuration flags are set unless --no-dhcpv6, so
 * that DHCPv6 clients that wait for them go ahead.
 *
 * Unsolicited advertisements (RFC 4861 6.2.4) start once the guest shows
 * up, that is when the first frame arrives on a new tap connection:
 * NDP_RA_INITIAL_COUNT of them a second or so apart, then one every
 * NDP_RA_INTERVAL_MIN_MS to NDP_RA_INTERVAL_MAX_MS. The jitter comes from a
 * small xorshift generator seeded from the clock the first time it is
 * needed: it has no secret to keep, and needs no system call.
 *
 * Every message is validated as RFC 4861 6.1.1 and 7.1.1 ask before it is
 * answered: hop limit 255 (it was not forwarded), code 0, ICMPv6 checksum,
 * minimum length, option lengths not zero (they count 8-byte units) and
 * within the message, no source link-layer option from the unspecified
 * address, multicast targets refused. Router advertisements, neighbour
 * advertisements and redirects from the guest are validated the same way
 * and ignored. Other ICMPv6 types are not ours: echo requests belong to
 * icmp.c.
 *
 * --no-ra stops router advertisements, but not neighbour advertisements.
 * --no-ndp stops everything (tap.c doesn't call us at all).
 */

#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <string.h>

#include "checksum.h"
#include "log.h"
#include "ndp.h"
#include "passt.h"
#include "tap.h"

/* RFC 4861 6.1.1, 7.1.1: a hop limit of 255 means "not forwarded" */
#define NDP_HOP_LIMIT		255
/* RFC 4861 4.6: option lengths count 8-octet units */
#define NDP_OPT_UNIT		8
#define NDP_OPT_LEN_MAX		(UINT8_MAX * NDP_OPT_UNIT)
#define NDP_OPT_RDNSS		25	/* RFC 8106 5.1 */
#define NDP_OPT_DNSSL		31	/* RFC 8106 5.2 */
/* Seconds; RFC 4861 6.2.1: at most 9000; RFC 8106 5.1: >= 3 * MaxRtrAdv */
#define NDP_ROUTER_LIFETIME	1800
#define NDP_DNS_LIFETIME	1800
#define NDP_LIFETIME_INFINITE	0xffffffffU
/* A prefix we stopped advertising: deprecated, and gone after two hours (RFC
 * 4862 5.5.3 e: a host never cuts a valid lifetime below two hours) */
#define NDP_OLD_PREFIX_VALID	7200

/* A router advertisement fits the smallest IPv6 link MTU: always sendable */
#define NDP_RA_SIZE		(MTU_MIN_IPV6 - sizeof(struct ip6_hdr))

static_assert(NDP_ROUTER_LIFETIME * 1000UL >= NDP_RA_INTERVAL_MAX_MS &&
	      NDP_ROUTER_LIFETIME <= 9000,
	      "RFC 4861 6.2.1: MaxRtrAdvInterval <= lifetime <= 9000 s");
static_assert(NDP_DNS_LIFETIME * 1000UL >= 3 * NDP_RA_INTERVAL_MAX_MS,
	      "RFC 8106 5.1: DNS lifetime at least 3 * MaxRtrAdvInterval");
static_assert(NDP_RA_INTERVAL_MIN_MS >= 3000 &&
	      NDP_RA_INTERVAL_MIN_MS * 4UL <= NDP_RA_INTERVAL_MAX_MS * 3,
	      "RFC 4861 6.2.1: 3 s <= MinRtrAdvInterval <= 0.75 * Max");
static_assert(NDP_RA_INITIAL_MAX_MS <= 16000,
	      "RFC 4861 10: MAX_INITIAL_RTR_ADVERT_INTERVAL is 16 s");

/**
 * struct ndp_opt_hdr - Type and length of an NDP option (RFC 4861 4.6)
 * @type:	Option type
 * @len:	Length of the whole option in 8-octet units, never 0
 */
struct ndp_opt_hdr {
	uint8_t type;
	uint8_t len;
} __attribute__((packed));

/**
 * struct ndp_opt_lladdr - Link-layer address option for Ethernet
 * @h:		Option header, length 1
 * @mac:	MAC address (RFC 2464 8)
 */
struct ndp_opt_lladdr {
	struct ndp_opt_hdr h;
	uint8_t mac[ETH_ALEN];
} __attribute__((packed));

/**
 * struct ndp_opt_dns - Fixed part of RDNSS and DNSSL options (RFC 8106 5)
 * @h:		Option header
 * @reserved:	Zero
 * @lifetime:	Seconds the addresses or names may be used, network order
 */
struct ndp_opt_dns {
	struct ndp_opt_hdr h;
	uint16_t reserved;
	uint32_t lifetime;
} __attribute__((packed));

/**
 * struct ndp_na_msg - A neighbour advertisement as we send it
 * @na:		Advertisement, with the ICMPv6 header
 * @tlla:	Target link-layer address option: our MAC
 */
struct ndp_na_msg {
	struct nd_neighbor_advert na;
	struct ndp_opt_lladdr tlla;
} __attribute__((packed));

/**
 * struct ndp_opts - What the options of a received message said
 * @slla:	Source link-layer address, valid if @has_slla
 * @has_slla:	A source link-layer address option was present
 */
struct ndp_opts {
	uint8_t slla[ETH_ALEN];
	bool has_slla;
};

/**
 * union ndp_fixed - Fixed part of a received message, ICMPv6 header included
 * @ih:		ICMPv6 header, common to all
 * @rs:		Router solicitation
 * @ra:		Router advertisement
 * @ns:		Neighbour solicitation
 * @na:		Neighbour advertisement
 * @rd:		Redirect
 */
union ndp_fixed {
	struct icmp6_hdr ih;
	struct nd_router_solicit rs;
	struct nd_router_advert ra;
	struct nd_neighbor_solicit ns;
	struct nd_neighbor_advert na;
	struct nd_redirect rd;
};

/**
 * struct ndp_ra_state - Schedule of unsolicited router advertisements
 * @fd_tap:	Guest's file descriptor when last looked: a new one (a new
 *		passt guest) starts the schedule over. A guest leaving and
 *		the next one coming in the same batch, with the same number,
 *		go unnoticed: that one gets solicited and periodic
 *		advertisements, but no quick initial ones
 * @fd_seen:	A guest's file descriptor was seen before
 * @frames_in:	Frames received from guests until then
 * @active:	The guest sent something since: it's there, advertise
 * @initial:	Quick initial advertisements left
 * @next_ms:	When the next one is due, monotonic milliseconds
 * @prng:	State of the jitter generator, 0 until seeded
 * @prefix:	/64 prefix last advertised, unspecified if none yet
 * @old:	Prefix advertised before that, advertised as deprecated
 * @old_until:	Until then (monotonic seconds), 0 if there's none
 */
static struct ndp_ra_state {
	int fd_tap;
	bool fd_seen;
	uint64_t frames_in;
	bool active;
	unsigned int initial;
	uint64_t next_ms;
	uint64_t prng;
	struct in6_addr prefix;
	struct in6_addr old;
	time_t old_until;
} ndp_ra = { .fd_tap = -1 };

/* ff02::1, RFC 4291 2.7.1 */
static const struct in6_addr ndp_all_nodes = {
	.s6_addr = { 0xff, 0x02, [15] = 0x01 }
};

/**
 * ndp_dns_get() - Resolvers to give to the guest (NDP and DHCPv6)
 * @c:		Execution context
 * @dns:	Filled with up to @max addresses
 * @max:	Room in @dns
 *
 * None with --no-dhcp-dns. Loopback addresses are skipped: in the guest,
 * they would be the guest itself.
 *
 * Return: number of addresses written
 */
int ndp_dns_get(const struct ctx *c, struct in6_addr *dns, int max)
{
	int i, n = 0;

	if (c->no_dhcp_dns)
		return 0;

	for (i = 0; i < DNS_MAX && n < max; i++) {
		const struct in6_addr *a = &c->ip6.dns[i];

		if (IN6_IS_ADDR_UNSPECIFIED(a))
			break;
		if (IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_MULTICAST(a))
			continue;
		dns[n++] = *a;
	}

	return n;
}

/**
 * ndp_dn_encode() - Write a domain name in DNS wire format, uncompressed
 * @name:	Name, dotted, an optional final dot
 * @buf:	Destination
 * @size:	Room in @buf
 *
 * RFC 1035 3.1: each label preceded by its length (1 to 63), a zero length
 * at the end, at most NDP_DN_MAX bytes in all.
 *
 * Return: bytes written, 0 if the name is empty, invalid or doesn't fit
 */
static size_t ndp_dn_encode(const char *name, uint8_t *buf, size_t size)
{
	size_t len = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		if (!l || l > 63 || len + 1 + l + 1 > MIN(size, NDP_DN_MAX))
			return 0;
		buf[len++] = (uint8_t)l;
		memcpy(buf + len, name, l);
		len += l;
		name += l + (dot ? 1 : 0);
	}

	if (!len)
		return 0;
	buf[len++] = 0;
	return len;
}

/**
 * ndp_search_encode() - Search list in DNS wire format (NDP and DHCPv6)
 * @c:		Execution context
 * @buf:	Destination
 * @size:	Room in @buf
 *
 * Nothing with --no-dhcp-search. Names that don't fit, and invalid ones,
 * are left out.
 *
 * Return: bytes written
 */
size_t ndp_search_encode(const struct ctx *c, uint8_t *buf, size_t size)
{
	size_t len = 0;
	int i;

	if (c->no_dhcp_search)
		return 0;

	for (i = 0; i < SEARCH_MAX && c->search[i][0]; i++) {
		size_t n = ndp_dn_encode(c->search[i], buf + len, size - len);

		if (!n)
			debug("NDP: search domain %i doesn't fit, left out", i);
		len += n;
	}

	return len;
}

/**
 * ndp_ra_slla() - Source link-layer address option: our MAC address
 * @c:		Execution context
 * @buf:	Option, zeroed, type and length filled by the caller
 * @size:	Room in @buf
 *
 * Return: length of the option in bytes, 0 to leave it out
 */
static size_t ndp_ra_slla(const struct ctx *c, uint8_t *buf, size_t size)
{
	if (size < sizeof(struct ndp_opt_lladdr))
		return 0;
	memcpy(buf + offsetof(struct ndp_opt_lladdr, mac), c->our_mac,
	       ETH_ALEN);
	return sizeof(struct ndp_opt_lladdr);
}

/**
 * ndp_ra_mtu() - MTU option, if the MTU is valid for IPv6
 * @c:		Execution context
 * @buf:	Option, zeroed, type and length filled by the caller
 * @size:	Room in @buf
 *
 * Return: length of the option in bytes, 0 to leave it out
 */
static size_t ndp_ra_mtu(const struct ctx *c, uint8_t *buf, size_t size)
{
	uint32_t mtu = htonl((uint32_t)c->mtu);

	if (c->mtu < MTU_MIN_IPV6 || size < sizeof(struct nd_opt_mtu))
		return 0;
	memcpy(buf + offsetof(struct nd_opt_mtu, nd_opt_mtu_mtu), &mtu,
	       sizeof(mtu));
	return sizeof(struct nd_opt_mtu);
}

/**
 * ndp_ra_pio() - Write a prefix information option for a /64
 * @buf:	Option, zeroed, type and length filled by the caller
 * @size:	Room in @buf
 * @prefix:	Prefix, only its first 64 bits are used
 * @valid:	Valid lifetime, seconds
 * @preferred:	Preferred lifetime, seconds
 *
 * Return: length of the option in bytes, 0 if there's no room
 */
static size_t ndp_ra_pio(uint8_t *buf, size_t size,
			 const struct in6_addr *prefix, uint32_t valid,
			 uint32_t preferred)
{
	struct nd_opt_prefix_info pi;

	if (size < sizeof(pi))
		return 0;

	memset(&pi, 0, sizeof(pi));
	pi.nd_opt_pi_prefix_len = NDP_PREFIX_LEN;
	pi.nd_opt_pi_flags_reserved = ND_OPT_PI_FLAG_ONLINK |
				      ND_OPT_PI_FLAG_AUTO;
	pi.nd_opt_pi_valid_time = htonl(valid);
	pi.nd_opt_pi_preferred_time = htonl(preferred);
	memcpy(&pi.nd_opt_pi_prefix, prefix, NDP_PREFIX_LEN / 8);

	memcpy(buf, &pi, sizeof(pi));	/* type and length: the caller's */
	return sizeof(pi);
}

/**
 * ndp_ra_prefix() - Prefix information option: the /64 of the guest address
 * @c:		Execution context
 * @buf:	Option, zeroed, type and length filled by the caller
 * @size:	Room in @buf
 *
 * Return: length of the option in bytes, 0 to leave it out
 */
static size_t ndp_ra_prefix(const struct ctx *c, uint8_t *buf, size_t size)
{
	if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
		return 0;
	return ndp_ra_pio(buf, size, &c->ip6.addr, NDP_LIFETIME_INFINITE,
			  NDP_LIFETIME_INFINITE);
}

/**
 * ndp_ra_old_prefix() - Prefix information option: the prefix we advertised
 *			 before the host's address changed, deprecated
 * @c:		Execution context
 * @buf:	Option, zeroed, type and length filled by the caller
 * @size:	Room in @buf
 *
 * A preferred lifetime of zero makes the guest stop picking its address in
 * that prefix as a source for new connections at once (RFC 4862 5.5.4);
 * open connections keep it until the valid lifetime runs out.
 *
 * Return: length of the option in bytes, 0 to leave it out
 */
static size_t ndp_ra_old_prefix(const struct ctx *c, uint8_t *buf,
				size_t size)
{
	if (!ndp_ra.old_until || c->now.tv_sec >= ndp_ra.old_until)
		return 0;
	return ndp_ra_pio(buf, size, &ndp_ra.old, NDP_OLD_PREFIX_VALID, 0);
}

/**
 * ndp_ra_prefix_track() - Note a change of the prefix we advertise
 * @c:		Execution context
 */
static void ndp_ra_prefix_track(const struct ctx *c)
{
	struct in6_addr p = IN6ADDR_ANY_INIT;

	memcpy(&p, &c->ip6.addr, NDP_PREFIX_LEN / 8);
	if (IN6_IS_ADDR_UNSPECIFIED(&p) ||
	    !memcmp(&p, &ndp_ra.prefix, sizeof(p)))
		return;

	if (!IN6_IS_ADDR_UNSPECIFIED(&ndp_ra.prefix)) {
		ndp_ra.old = ndp_ra.prefix;
		ndp_ra.old_until = c->now.tv_sec + NDP_OLD_PREFIX_VALID;
	}
	ndp_ra.prefix = p;
}

/**
 * ndp_ra_rdnss() - Recursive DNS server option (RFC 8106 5.1)
 * @c:		Execution context
 * @buf:	Option, zeroed, type and length filled by the caller
 * @size:	Room in @buf
 *
 * Return: length of the option in bytes, 0 to leave it out
 */
static size_t ndp_ra_rdnss(const struct ctx *c, uint8_t *buf, size_t size)
{
	uint32_t lifetime = htonl(NDP_DNS_LIFETIME);
	size_t hlen = sizeof(struct ndp_opt_dns);
	struct in6_addr dns[DNS_MAX];
	size_t room;
	int n;

	if (size < hlen)
		return 0;
	room = MIN((size - hlen) / sizeof(*dns), (size_t)DNS_MAX);
	n = ndp_dns_get(c, dns, (int)room);
	if (!n)
		return 0;

	memcpy(buf + offsetof(struct ndp_opt_dns, lifetime), &lifetime,
	       sizeof(lifetime));
	memcpy(buf + hlen, dns, n * sizeof(*dns));
	return hlen + n * sizeof(*dns);
}

/**
 * ndp_ra_dnssl() - DNS search list option (RFC 8106 5.2)
 * @c:		Execution context
 * @buf:	Option, zeroed, type and length filled by the caller
 * @size:	Room in @buf
 *
 * Return: length of the option in bytes, 0 to leave it out
 */
static size_t ndp_ra_dnssl(const struct ctx *c, uint8_t *buf, size_t size)
{
	uint32_t lifetime = htonl(NDP_DNS_LIFETIME);
	size_t room, n;

	size = MIN(size, NDP_OPT_LEN_MAX);
	if (size < sizeof(struct ndp_opt_dns) + NDP_OPT_UNIT)
		return 0;

	/* Whole units only: the padding must fit too */
	room = (size - sizeof(struct ndp_opt_dns)) & ~(NDP_OPT_UNIT - 1UL);
	n = ndp_search_encode(c, buf + sizeof(struct ndp_opt_dns), room);
	if (!n)
		return 0;

	memcpy(buf + offsetof(struct ndp_opt_dns, lifetime), &lifetime,
	       sizeof(lifetime));
	/* Padding is zeroes already: round up to whole units */
	return DIV_ROUND_UP(sizeof(struct ndp_opt_dns) + n, NDP_OPT_UNIT) *
	       NDP_OPT_UNIT;
}

/**
 * struct ndp_ra_opt - Builder of one router advertisement option
 * @type:	Option type
 * @build:	Writes the option's body, returns its whole length in bytes
 *		(a multiple of 8), or 0 to leave it out
 */
static const struct ndp_ra_opt {
	uint8_t type;
	size_t (*build)(const struct ctx *c, uint8_t *buf, size_t size);
} ndp_ra_opts[] = {
	{ ND_OPT_SOURCE_LINKADDR,	ndp_ra_slla },
	{ ND_OPT_MTU,			ndp_ra_mtu },
	{ ND_OPT_PREFIX_INFORMATION,	ndp_ra_prefix },
	{ ND_OPT_PREFIX_INFORMATION,	ndp_ra_old_prefix },
	{ NDP_OPT_RDNSS,		ndp_ra_rdnss },
	{ NDP_OPT_DNSSL,		ndp_ra_dnssl },
};

/**
 * ndp_ra_send() - Send a router advertisement to the guest
 * @c:		Execution context
 * @dst:	Destination: the soliciting address, or all nodes
 */
static void ndp_ra_send(struct ctx *c, const struct in6_addr *dst)
{
	uint8_t buf[NDP_RA_SIZE] __attribute__((aligned(8)));
	struct nd_router_advert ra;
	size_t len, i;

	ndp_ra_prefix_track(c);

	memset(buf, 0, sizeof(buf));
	memset(&ra, 0, sizeof(ra));
	ra.nd_ra_type = ND_ROUTER_ADVERT;
	ra.nd_ra_code = 0;
	ra.nd_ra_curhoplimit = 0;	/* unspecified: the guest's default */
	if (!c->no_dhcpv6)
		ra.nd_ra_flags_reserved = ND_RA_FLAG_MANAGED |
					  ND_RA_FLAG_OTHER;
	ra.nd_ra_router_lifetime = htons(NDP_ROUTER_LIFETIME);
	ra.nd_ra_reachable = 0;		/* unspecified */
	ra.nd_ra_retransmit = 0;	/* unspecified */
	memcpy(buf, &ra, sizeof(ra));
	len = sizeof(ra);

	for (i = 0; i < ARRAY_SIZE(ndp_ra_opts); i++) {
		size_t n = ndp_ra_opts[i].build(c, buf + len,
						sizeof(buf) - len);

		if (!n)
			continue;
		ASSERT(!(n % NDP_OPT_UNIT) && n <= NDP_OPT_LEN_MAX &&
		       n <= sizeof(buf) - len);
		buf[len] = ndp_ra_opts[i].type;
		buf[len + 1] = (uint8_t)(n / NDP_OPT_UNIT);
		len += n;
	}

	tap_icmp6_send(c, &c->ip6.our_ll, dst, buf, len);
}

/**
 * ndp_is_guest() - Is an address one of the guest's own?
 * @c:		Execution context
 * @a:		Address
 * @src:	Source of the solicitation asking about it
 *
 * Return: true for the configured address, the last global and link-local
 *	   sources seen, and the solicitation's own source
 */
static bool ndp_is_guest(const struct ctx *c, const struct in6_addr *a,
			 const struct in6_addr *src)
{
	return IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr) ||
	       IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr_seen) ||
	       IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr_ll_seen) ||
	       IN6_ARE_ADDR_EQUAL(a, src);
}

/**
 * ndp_is_solicited_node() - Is an address a solicited-node multicast one?
 * @a:		Address
 *
 * Return: true if @a is in ff02::1:ff00:0/104 (RFC 4291 2.7.1)
 */
static bool ndp_is_solicited_node(const struct in6_addr *a)
{
	static const uint8_t prefix[13] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff
	};

	return !memcmp(a->s6_addr, prefix, sizeof(prefix));
}

/**
 * ndp_rs() - Answer a router solicitation with an advertisement
 * @c:		Execution context
 * @ii:		L3 header information
 * @m:		Fixed part of the message
 * @o:		Its options
 *
 * Return: PKT_CONSUMED, or PKT_DROP if invalid (RFC 4861 6.1.1)
 */
static enum pkt_verdict ndp_rs(struct ctx *c, const struct ip_info *ii,
			       const union ndp_fixed *m,
			       const struct ndp_opts *o)
{
	bool unspec = IN6_IS_ADDR_UNSPECIFIED(&ii->s6);

	(void)m;

	if (unspec && o->has_slla)
		return PKT_DROP;
	if (c->no_ra)
		return PKT_CONSUMED;

	ndp_ra_send(c, unspec ? &ndp_all_nodes : &ii->s6);
	return PKT_CONSUMED;
}

/**
 * ndp_ns() - Answer a neighbour solicitation, unless the target is the guest
 * @c:		Execution context
 * @ii:		L3 header information
 * @m:		Fixed part of the message
 * @o:		Its options
 *
 * Return: PKT_CONSUMED if answered or deliberately not, PKT_DROP if invalid
 *	   (RFC 4861 7.1.1)
 */
static enum pkt_verdict ndp_ns(struct ctx *c, const struct ip_info *ii,
			       const union ndp_fixed *m,
			       const struct ndp_opts *o)
{
	const struct in6_addr *target = &m->ns.nd_ns_target;
	char buf[INET6_ADDRSTRLEN];
	struct ndp_na_msg na;

	if (IN6_IS_ADDR_MULTICAST(target) || IN6_IS_ADDR_UNSPECIFIED(target) ||
	    IN6_IS_ADDR_LOOPBACK(target))
		return PKT_DROP;

	if (IN6_IS_ADDR_UNSPECIFIED(&ii->s6)) {
		if (!ndp_is_solicited_node(&ii->d6) || o->has_slla)
			return PKT_DROP;
		/* Duplicate address detection: the guest may be probing an
		 * address of its own we don't know yet, never answer
		 * (RFC 4862 5.4)
		 */
		trace("NDP: not answering DAD probe for %s",
		      inet_ntop(AF_INET6, target, buf, sizeof(buf)));
		return PKT_CONSUMED;
	}

	if (ndp_is_guest(c, target, &ii->s6)) {
		trace("NDP: not answering solicitation for the guest's %s",
		      inet_ntop(AF_INET6, target, buf, sizeof(buf)));
		return PKT_CONSUMED;
	}

	trace("NDP: answering solicitation for %s",
	      inet_ntop(AF_INET6, target, buf, sizeof(buf)));
	memset(&na, 0, sizeof(na));
	na.na.nd_na_type = ND_NEIGHBOR_ADVERT;
	na.na.nd_na_code = 0;
	na.na.nd_na_flags_reserved = ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED |
				     ND_NA_FLAG_OVERRIDE;
	na.na.nd_na_target = *target;
	na.tlla.h.type = ND_OPT_TARGET_LINKADDR;
	na.tlla.h.len = sizeof(na.tlla) / NDP_OPT_UNIT;
	memcpy(na.tlla.mac, c->our_mac, ETH_ALEN);

	/* RFC 4861 7.2.4: to the soliciting address, from the target's */
	tap_icmp6_send(c, target, &ii->s6, &na, sizeof(na));
	return PKT_CONSUMED;
}

/**
 * ndp_ignore() - Take a valid message that needs no answer
 * @c:		Execution context
 * @ii:		L3 header information
 * @m:		Fixed part of the message
 * @o:		Its options
 *
 * Router advertisements and redirects from the guest are none of our
 * business; its neighbour advertisements tell us nothing we use.
 *
 * Return: PKT_CONSUMED
 */
static enum pkt_verdict ndp_ignore(struct ctx *c, const struct ip_info *ii,
				   const union ndp_fixed *m,
				   const struct ndp_opts *o)
{
	(void)c;
	(void)ii;
	(void)m;
	(void)o;
	return PKT_CONSUMED;
}

/**
 * ndp_opt_slla() - Record a source link-layer address option
 * @o:		Options seen so far
 * @body:	View of the option after its type and length (6 bytes or more)
 *
 * Return: true if well-formed
 */
static bool ndp_opt_slla(struct ndp_opts *o, struct pkt_view *body)
{
	if (!pkt_pull_copy(body, o->slla, sizeof(o->slla)))
		return false;
	o->has_slla = true;
	return true;
}

/**
 * struct ndp_opt_handler - Parser of one option type in received messages
 * @type:	Option type
 * @parse:	Records the option in struct ndp_opts, false if malformed
 */
static const struct ndp_opt_handler {
	uint8_t type;
	bool (*parse)(struct ndp_opts *o, struct pkt_view *body);
} ndp_opt_handlers[] = {
	{ ND_OPT_SOURCE_LINKADDR,	ndp_opt_slla },
};

/**
 * ndp_opts_parse() - Check and record the options of a received message
 * @v:		View at the first option, ending with the message
 * @o:		Filled with what the options say
 *
 * Options we don't know are skipped, as RFC 4861 4.6 asks.
 *
 * Return: true if every option has a non-zero length within the message
 */
static bool ndp_opts_parse(struct pkt_view *v, struct ndp_opts *o)
{
	memset(o, 0, sizeof(*o));

	while (pkt_left(v)) {
		struct ndp_opt_hdr h;
		struct pkt_view body;
		size_t len, i;

		if (!pkt_pull_copy(v, &h, sizeof(h)))
			return false;
		len = h.len * (size_t)NDP_OPT_UNIT;
		if (!len)
			return false;	/* RFC 4861 4.6: 0 is invalid */

		body = *v;
		if (!pkt_pull(v, len - sizeof(h)) ||
		    !pkt_limit(&body, len - sizeof(h)))
			return false;

		for (i = 0; i < ARRAY_SIZE(ndp_opt_handlers); i++) {
			if (ndp_opt_handlers[i].type == h.type &&
			    !ndp_opt_handlers[i].parse(o, &body))
				return false;
		}
	}

	return true;
}

/**
 * struct ndp_msg_handler - Handler of one NDP message type
 * @type:	ICMPv6 type
 * @len_min:	Length of the fixed part, ICMPv6 header included: the
 *		minimum length of a valid message (RFC 4861 6.1, 7.1, 8.1)
 * @handle:	Answers it, or not
 */
static const struct ndp_msg_handler {
	uint8_t type;
	size_t len_min;
	enum pkt_verdict (*handle)(struct ctx *c, const struct ip_info *ii,
				   const union ndp_fixed *m,
				   const struct ndp_opts *o);
} ndp_msg_handlers[] = {
	{ ND_ROUTER_SOLICIT,	sizeof(struct nd_router_solicit),   ndp_rs },
	{ ND_ROUTER_ADVERT,	sizeof(struct nd_router_advert),   ndp_ignore },
	{ ND_NEIGHBOR_SOLICIT,	sizeof(struct nd_neighbor_solicit), ndp_ns },
	{ ND_NEIGHBOR_ADVERT,	sizeof(struct nd_neighbor_advert), ndp_ignore },
	{ ND_REDIRECT,		sizeof(struct nd_redirect),	   ndp_ignore },
};

/**
 * ndp_handler() - Handle an NDP message from the guest
 * @c:		Execution context
 * @ii:		L3 header information
 * @v:		View at the ICMPv6 header, ending with the packet
 *
 * Return: PKT_NOT_MINE for ICMPv6 types other than NDP (@v untouched),
 *	   PKT_CONSUMED if answered or deliberately ignored, PKT_DROP if
 *	   invalid
 */
enum pkt_verdict ndp_handler(struct ctx *c, const struct ip_info *ii,
			     struct pkt_view *v)
{
	const struct ndp_msg_handler *h = NULL;
	struct pkt_view m = *v;
	union ndp_fixed fixed;
	size_t len = pkt_left(v);
	struct icmp6_hdr ih;
	struct ndp_opts o;
	const void *msg;
	size_t i;

	if (!pkt_pull_copy(&m, &ih, sizeof(ih)))
		return PKT_DROP;

	for (i = 0; i < ARRAY_SIZE(ndp_msg_handlers); i++) {
		if (ndp_msg_handlers[i].type == ih.icmp6_type)
			h = &ndp_msg_handlers[i];
	}
	if (!h)
		return PKT_NOT_MINE;

	m = *v;
	msg = pkt_pull(&m, len);
	if (!msg || csum(msg, len, csum_pseudo6((uint32_t)len, IPPROTO_ICMPV6,
						&ii->s6, &ii->d6))) {
		debug_ratelimit("NDP: bad checksum, type %u", ih.icmp6_type);
		return PKT_DROP;
	}

	if (ii->ttl != NDP_HOP_LIMIT || ih.icmp6_code ||
	    IN6_IS_ADDR_MULTICAST(&ii->s6)) {
		debug_ratelimit("NDP: type %u with hop limit %u, code %u: "
				"dropped", ih.icmp6_type, ii->ttl,
				ih.icmp6_code);
		return PKT_DROP;
	}

	m = *v;
	if (!pkt_pull_copy(&m, &fixed, h->len_min) || !ndp_opts_parse(&m, &o)) {
		debug_ratelimit("NDP: malformed type %u, %zu bytes: dropped",
				ih.icmp6_type, len);
		return PKT_DROP;
	}

	return h->handle(c, ii, &fixed, &o);
}

/**
 * ndp_rand() - Next number of the jitter generator (xorshift64*)
 * @now:	Current time, the seed if there's none yet
 *
 * Return: 32 pseudo-random bits
 */
static uint32_t ndp_rand(const struct timespec *now)
{
	uint64_t x = ndp_ra.prng;

	if (!x) {
		x = ((uint64_t)now->tv_sec << 32) ^ (uint64_t)now->tv_nsec;
		x = (x ^ (x >> 31)) * 0x9e3779b97f4a7c15ULL;
		x |= 1;		/* never 0: that's a fixed point */
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	ndp_ra.prng = x;

	return (uint32_t)((x * 0x2545f4914f6cdd1dULL) >> 32);
}

/**
 * ndp_jitter() - Random interval between two bounds
 * @now:	Current time, to seed the generator
 * @min:	Lower bound, milliseconds
 * @max:	Upper bound, milliseconds, at least @min
 *
 * Return: interval in milliseconds, from @min to @max included
 */
static uint64_t ndp_jitter(const struct timespec *now, uint64_t min,
			   uint64_t max)
{
	return min + ndp_rand(now) % (max - min + 1);
}

/**
 * ndp_ra_now() - The configuration changed: advertise again, right away
 *
 * The next ndp_timer() call (after this batch of events) sends one, and a
 * few more follow quickly, as for a new guest (RFC 4861 6.2.4 allows this
 * when what the router advertises changes). Nothing if no guest showed up
 * yet: it will get the new configuration anyway.
 */
void ndp_ra_now(void)
{
	if (!ndp_ra.active)
		return;
	ndp_ra.initial = NDP_RA_INITIAL_COUNT;
	ndp_ra.next_ms = 0;
}

/**
 * ndp_timer() - Periodic work: unsolicited router advertisements
 * @c:		Execution context
 * @now:	Current monotonic time
 *
 * Called after every batch of events, and at least once a second: cheap
 * unless an advertisement is due.
 */
void ndp_timer(struct ctx *c, const struct timespec *now)
{
	uint64_t now_ms = (uint64_t)now->tv_sec * 1000 +
			  (uint64_t)now->tv_nsec / 1000000;
	uint64_t interval;

	if (!c->ipv6_enabled || c->no_ndp || c->no_ra)
		return;

	if (c->fd_tap != ndp_ra.fd_tap) {
		/* The first guest may have sent frames before we first
		 * looked (pasta: in the first batch): count from zero then
		 */
		ndp_ra.frames_in = ndp_ra.fd_seen ? c->stats.frames_in : 0;
		ndp_ra.fd_tap = c->fd_tap;
		ndp_ra.active = false;
	}
	if (c->fd_tap < 0)
		return;
	ndp_ra.fd_seen = true;

	if (!ndp_ra.active) {
		/* The guest shows up by sending something (pasta: once the
		 * link is up): advertise from then on, the first ones quickly
		 * (RFC 4861 6.2.4)
		 */
		if (c->stats.frames_in == ndp_ra.frames_in)
			return;
		ndp_ra.active = true;
		ndp_ra.initial = NDP_RA_INITIAL_COUNT;
		ndp_ra.next_ms = now_ms + ndp_jitter(now, NDP_RA_INITIAL_MIN_MS,
						     NDP_RA_INITIAL_MAX_MS);
		return;
	}

	if (now_ms < ndp_ra.next_ms)
		return;

	ndp_ra_send(c, &ndp_all_nodes);

	if (ndp_ra.initial)
		ndp_ra.initial--;
	if (ndp_ra.initial)
		interval = ndp_jitter(now, NDP_RA_INITIAL_MIN_MS,
				      NDP_RA_INITIAL_MAX_MS);
	else
		interval = ndp_jitter(now, NDP_RA_INTERVAL_MIN_MS,
				      NDP_RA_INTERVAL_MAX_MS);
	ndp_ra.next_ms = now_ms + interval;
}
