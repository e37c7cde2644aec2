// SPDX-License-Identifier: GPL-2.0-or-later
/* conf_host.c - configuration defaults derived from the host
 *
 * DOC: Theory of Operation
 *
 * Once the command line is read, conf_defaults() fills in what it didn't
 * say, from the host's own configuration:
 *
 * - the template interface of each family: -i, else --outbound-if4 or
 *   --outbound-if6, else the interface of the default route (netlink);
 * - the guest's address and prefix length: the template's (-a, -n win),
 *   and without a prefix length from anywhere, /24 or /64;
 * - the gateway: the template's default gateway (-g wins). A default route
 *   without a gateway (point-to-point links, VPNs) gets a made-up one: for
 *   IPv4 the first other address of the subnet, for IPv6 our link-local
 *   address. Anything the guest routes through is us anyway;
 * - resolvers and search domains: /etc/resolv.conf (-D, -S win). A
 *   resolver on the host's loopback is out of the guest's reach: the guest
 *   is told the --dns-forward address instead, by default the gateway, and
 *   fwd.c sends what arrives there on port 53 to the --dns-host resolver,
 *   by default that loopback one (see conf_dns_reachable()).
 *
 * A family with no template interface and no -a, or no address to copy, is
 * disabled with an informational message. With neither family left and no
 * -a at all (no default route, or no interface but loopback: a laptop
 * offline), we start in local mode instead (conf_local()): the guest gets
 * CONF_LOCAL_ADDR4/16 with gateway CONF_LOCAL_GW4, and CONF_LOCAL_ADDR6/64
 * with our link-local address as gateway; the gateway still reaches the
 * host's loopback. -g still wins.
 *
 * conf_host_refresh() looks at the host again, for hostwatch.c, once the
 * daemon runs: for each family still served, the same choices as above,
 * except that a family that finds no template interface or no address
 * keeps what it has (the guest can't do better, and won't churn), and that
 * what the command line gave (-a, -n, -g, -i, --outbound-if4/6) never
 * changes. It runs in the sandbox: only netlink, no if_nametoindex().
 *
 * conf_host_dns_refresh() parses resolv.conf again, as at start-up, from
 * the contents the reader process of resolvwatch.c sends (hostwatch.c): the
 * sandbox can't open the file. What -D and -S gave never changes.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "passt.h"
#include "log.h"
#include "netlink.h"
#include "conf.h"
#include "conf_internal.h"
#include "resolvwatch.h"

/* Local mode: RFC 3927 link-local, away from 169.254.1.x (podman's) */
#define CONF_LOCAL_ADDR4	"169.254.2.1"
#define CONF_LOCAL_GW4		"169.254.2.2"
#define CONF_LOCAL_PREFIX4	16
/* Local mode: a unique local address (RFC 4193), fixed for an isolated link */
#define CONF_LOCAL_ADDR6	"fd00:9a55::1"
#define CONF_LOCAL_PREFIX6	64

/* What the command line said, kept for conf_host_refresh() */
static struct conf_opts conf_host_opts;

/* The --dns-forward address of each family was derived from the gateway */
static bool conf_dns_fwd_auto4, conf_dns_fwd_auto6;

/* The --dns-host address of each family wasn't given */
static bool conf_dns_host_auto4, conf_dns_host_auto6;

/* resolv.conf: longest line, and the file as read at start-up */
#define RESOLV_LINE_MAX		1023
static char conf_resolv_buf[RESOLV_CONF_MAX + 1];

/* Search list before conf_host_dns_refresh(), too large for the stack */
static char conf_search_old[SEARCH_MAX][SEARCH_LEN];

/**
 * conf_dns_add() - Add a resolver to the guest's list, skipping duplicates
 * @c:		Execution context
 * @a:		Resolver address
 *
 * Return: 0 on success or duplicate, -ENOSPC if the family's list is full
 */
int conf_dns_add(struct ctx *c, const struct conf_addr *a)
{
	int i;

	for (i = 0; i < DNS_MAX; i++) {
		if (a->af == AF_INET) {
			struct in_addr *d = &c->ip4.dns[i];

			if (d->s_addr == a->a4.s_addr)
				return 0;
			if (d->s_addr == htonl(INADDR_ANY)) {
				*d = a->a4;
				return 0;
			}
		} else {
			struct in6_addr *d = &c->ip6.dns[i];

			if (IN6_ARE_ADDR_EQUAL(d, &a->a6))
				return 0;
			if (IN6_IS_ADDR_UNSPECIFIED(d)) {
				*d = a->a6;
				return 0;
			}
		}
	}

	return -ENOSPC;
}

/**
 * conf_search_add() - Append a domain to the search list, skipping duplicates
 * @c:		Execution context
 * @name:	Domain, already validated
 *
 * Return: 0 on success or duplicate, -ENOSPC if the list is full
 */
int conf_search_add(struct ctx *c, const char *name)
{
	int i;

	for (i = 0; i < SEARCH_MAX; i++) {
		if (!strcmp(c->search[i], name))
			return 0;
		if (!c->search[i][0]) {
			strcpy(c->search[i], name);
			return 0;
		}
	}

	return -ENOSPC;
}

/**
 * conf_ifi() - Look up the index of a host interface named in an option
 * @opt:	Option that named it, for messages
 * @name:	Interface name
 *
 * Return: interface index, never 0: exits if there's no such interface
 */
static unsigned int conf_ifi(const char *opt, const char *name)
{
	unsigned int ifi = if_nametoindex(name);

	if (!ifi)
		die("%s `%s': no such interface", opt, name);

	return ifi;
}

/**
 * conf_resolv_ns() - Add a "nameserver" entry of resolv.conf to the list
 * @c:		Execution context
 * @tok:	Address, possibly with a %zone that is dropped
 */
static void conf_resolv_ns(struct ctx *c, char *tok)
{
	struct conf_addr a;
	char *zone;

	zone = strchr(tok, '%');
	if (zone)
		*zone = '\0';

	if (conf_addr_parse(tok, &a) || a.prefix_len != -1 ||
	    conf_addr_unusable(&a, false)) {
		debug("%s: skipping nameserver `%s'", RESOLV_CONF_PATH, tok);
		return;
	}

	if (conf_dns_add(c, &a))
		debug("%s: skipping nameserver `%s', list full",
		      RESOLV_CONF_PATH, tok);
}

/**
 * conf_resolv_search() - Replace the search list with a resolv.conf line's
 * @c:		Execution context
 * @save:	strtok_r() state, pointing at the domains of the line
 */
static void conf_resolv_search(struct ctx *c, char **save)
{
	char *tok;

	/* resolv.conf(5): the last "search" or "domain" line wins */
	memset(c->search, 0, sizeof(c->search));

	while ((tok = strtok_r(NULL, " \t\r\n", save))) {
		if (!conf_domain_valid(tok) || strlen(tok) >= SEARCH_LEN) {
			debug("%s: skipping search domain `%s'",
			      RESOLV_CONF_PATH, tok);
			continue;
		}
		if (conf_search_add(c, tok)) {
			debug("%s: search list full at `%s'",
			      RESOLV_CONF_PATH, tok);
			break;
		}
	}
}

/**
 * conf_resolv_read() - Read resolv.conf into conf_resolv_buf, at start-up
 *
 * Once sandboxed, the daemon can't open the file again: the reader process
 * of resolvwatch.c does, and sends what it reads (hostwatch.c).
 *
 * Return: bytes read, -1 if there's no file to read
 */
static ssize_t conf_resolv_read(void)
{
	size_t len;
	ssize_t n;
	int fd;

	fd = open(RESOLV_CONF_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		debug_perror("Can't open %s, no DNS information",
			     RESOLV_CONF_PATH);
		return -1;
	}

	n = read_upto(fd, conf_resolv_buf, RESOLV_CONF_MAX);
	if (n < 0)
		debug_perror("Can't read %s, no DNS information",
			     RESOLV_CONF_PATH);
	close(fd);
	len = n < 0 ? 0 : (size_t)n;
	conf_resolv_buf[len] = '\0';

	return (ssize_t)len;
}

/**
 * conf_resolv_parse() - Take resolvers and search domains from resolv.conf
 * @c:		Execution context
 * @buf:	Contents of the file, NUL-terminated, overwritten while parsed
 * @dns:	Read "nameserver" lines
 * @search:	Read "search" and "domain" lines
 */
static void conf_resolv_parse(struct ctx *c, char *buf, bool dns, bool search)
{
	char *line, *next, *kw, *tok, *save;

	if (!dns && !search)
		return;

	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);

		/* As resolv.conf(5) readers with a line buffer do */
		if (strlen(line) >= RESOLV_LINE_MAX) {
			debug("%s: skipping a line too long",
			      RESOLV_CONF_PATH);
			continue;
		}

		kw = strtok_r(line, " \t\r", &save);
		if (!kw || *kw == '#' || *kw == ';')
			continue;

		if (dns && !strcmp(kw, "nameserver")) {
			tok = strtok_r(NULL, " \t\r", &save);
			if (tok)
				conf_resolv_ns(c, tok);
		} else if (search && (!strcmp(kw, "search") ||
				      !strcmp(kw, "domain"))) {
			conf_resolv_search(c, &save);
		}
	}
}

/**
 * conf_dns_reachable() - Resolvers the guest can reach, with forwarding set up
 * @c:		Execution context, resolvers read or given, gateways set
 *
 * Each resolver on the host's loopback (127.0.0.53 of systemd-resolved,
 * say) is replaced in what the guest is told by the --dns-forward address
 * of its IP version, which defaults to the gateway for this purpose;
 * --dns-host then defaults to the first such resolver, and fwd.c sends the
 * guest's queries to that address, port 53, UDP and TCP, there. A default
 * mapping of the gateway to 127.0.0.1 alone wouldn't do: the resolver may
 * listen on another loopback address. With --no-map-gw and no --dns-forward
 * the gateway is just another address: loopback resolvers are left out.
 *
 * --dns-forward with no loopback resolver, and no --dns-host, forwards to
 * the first resolver in the list.
 */
static void conf_dns_reachable(struct ctx *c)
{
	struct in6_addr dns6[DNS_MAX + 1];
	struct in_addr dns4[DNS_MAX + 1];
	char buf[INET6_ADDRSTRLEN];
	int i;

	memcpy(dns4, c->ip4.dns, sizeof(dns4));
	memcpy(dns6, c->ip6.dns, sizeof(dns6));
	memset(c->ip4.dns, 0, sizeof(c->ip4.dns));
	memset(c->ip6.dns, 0, sizeof(c->ip6.dns));

	for (i = 0; i < DNS_MAX && dns4[i].s_addr != htonl(INADDR_ANY); i++) {
		struct conf_addr a = { .af = AF_INET, .a4 = dns4[i],
				       .prefix_len = -1 };

		if ((ntohl(dns4[i].s_addr) >> 24) == IN_LOOPBACKNET) {
			if (!c->dns_forward4.s_addr && !c->no_map_gw) {
				c->dns_forward4 = c->ip4.gw;
				conf_dns_fwd_auto4 = true;
			}
			if (!c->dns_forward4.s_addr) {
				if (!c->ipv4_enabled)
					continue;
				info("DNS: resolver %s is on the host's "
				     "loopback, out of the guest's reach: see "
				     "--dns-forward", inet_ntop(AF_INET,
				     &dns4[i], buf, sizeof(buf)));
				continue;
			}
			if (!c->dns_host4.s_addr)
				c->dns_host4 = dns4[i];
			a.a4 = c->dns_forward4;
		}
		conf_dns_add(c, &a);
	}
	if (c->dns_forward4.s_addr && !c->dns_host4.s_addr)
		c->dns_host4 = dns4[0];

	for (i = 0; i < DNS_MAX && !IN6_IS_ADDR_UNSPECIFIED(&dns6[i]); i++) {
		struct conf_addr a = { .af = AF_INET6, .a6 = dns6[i],
				       .prefix_len = -1 };

		if (IN6_IS_ADDR_LOOPBACK(&dns6[i])) {
			if (IN6_IS_ADDR_UNSPECIFIED(&c->dns_forward6) &&
			    !c->no_map_gw) {
				c->dns_forward6 = c->ip6.gw;
				conf_dns_fwd_auto6 = true;
			}
			if (IN6_IS_ADDR_UNSPECIFIED(&c->dns_forward6)) {
				if (!c->ipv6_enabled)
					continue;
				info("DNS: resolver %s is on the host's "
				     "loopback, out of the guest's reach: see "
				     "--dns-forward", inet_ntop(AF_INET6,
				     &dns6[i], buf, sizeof(buf)));
				continue;
			}
			if (IN6_IS_ADDR_UNSPECIFIED(&c->dns_host6))
				c->dns_host6 = dns6[i];
			a.a6 = c->dns_forward6;
		}
		conf_dns_add(c, &a);
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&c->dns_forward6) &&
	    IN6_IS_ADDR_UNSPECIFIED(&c->dns_host6))
		c->dns_host6 = dns6[0];
}

/**
 * conf_ifname_str() - Name of a host interface, for messages
 * @ifi:	Interface index
 * @buf:	Buffer of IFNAMSIZ bytes
 *
 * Return: the name, or "?" if the interface is gone
 */
const char *conf_ifname_str(unsigned int ifi, char buf[IFNAMSIZ])
{
	if (!ifi || !if_indextoname(ifi, buf))
		return "?";
	return buf;
}

/**
 * conf_templates() - Pick the template interface of each family
 * @c:		Execution context
 *
 * -i wins, then --outbound-if4/--outbound-if6, then the interface of the
 * host's default route. Outbound interfaces are checked even if -i wins.
 */
static void conf_templates(struct ctx *c)
{
	unsigned int out4 = 0, out6 = 0;

	if (*c->ip4.ifname_out)
		out4 = conf_ifi("--outbound-if4", c->ip4.ifname_out);
	if (*c->ip6.ifname_out)
		out6 = conf_ifi("--outbound-if6", c->ip6.ifname_out);

	if (*c->ifname) {
		c->ifi4 = c->ifi6 = conf_ifi("-i/--interface", c->ifname);
	} else {
		if (c->ipv4_enabled)
			c->ifi4 = out4 ? out4 : nl_get_ext_if(AF_INET);
		if (c->ipv6_enabled)
			c->ifi6 = out6 ? out6 : nl_get_ext_if(AF_INET6);
	}

	if (!c->ipv4_enabled)
		c->ifi4 = 0;
	if (!c->ipv6_enabled)
		c->ifi6 = 0;
}

/**
 * conf_ip4_gw_guess() - Pick a gateway for a subnet without one on the host
 * @c:		Execution context, with guest address and prefix length set
 *
 * With a default route but no gateway (point-to-point links, some VPNs),
 * the guest still needs a router to send to: anything in its subnet that
 * isn't itself is us anyway. Take the first address of the subnet.
 *
 * Return: true if a gateway was set, false if the subnet is too small
 */
static bool conf_ip4_gw_guess(struct ctx *c)
{
	uint32_t addr = ntohl(c->ip4.addr.s_addr), net, mask;

	if (c->ip4.prefix_len > 30)
		return false;

	mask = ~0U << (32 - c->ip4.prefix_len);
	net = addr & mask;
	c->ip4.gw.s_addr = htonl(net + 1 == addr ? net + 2 : net + 1);
	return true;
}

/**
 * conf_ip4() - Complete the IPv4 configuration from the host, or disable it
 * @c:		Execution context
 * @o:		Options given
 */
static void conf_ip4(struct ctx *c, const struct conf_opts *o)
{
	char ifn[IFNAMSIZ], buf[INET_ADDRSTRLEN];
	struct in_addr host = { 0 }, gw = { 0 };
	uint32_t mask;
	int plen = -1;

	if (!c->ipv4_enabled)
		return;

	if (!c->ifi4 && !o->addr4) {
		info("IPv4: no interface with a default route, disabled");
		goto disable;
	}

	if (c->ifi4 &&
	    (nl_addr_get(NL_HOST, c->ifi4, AF_INET, &host, &plen, NULL) < 0 ||
	     plen < 1 || plen > 32))
		host.s_addr = htonl(INADDR_ANY);

	if (!o->addr4) {
		if (host.s_addr == htonl(INADDR_ANY)) {
			info("IPv4: no address on %s, disabled",
			     conf_ifname_str(c->ifi4, ifn));
			goto disable;
		}
		c->ip4.addr = host;
	}

	if (o->prefix4 != -1)
		c->ip4.prefix_len = o->prefix4;
	else if (host.s_addr != htonl(INADDR_ANY))
		c->ip4.prefix_len = plen;
	else
		c->ip4.prefix_len = 24;

	if (!o->gw4) {
		if (c->ifi4 &&
		    nl_route_get_gw(NL_HOST, c->ifi4, AF_INET, &gw) >= 0 &&
		    gw.s_addr != htonl(INADDR_ANY)) {
			c->ip4.gw = gw;
		} else if (conf_ip4_gw_guess(c)) {
			info("IPv4: no gateway on the host, using %s",
			     inet_ntop(AF_INET, &c->ip4.gw, buf, sizeof(buf)));
		} else {
			info("IPv4: no gateway found, disabled (use -g)");
			goto disable;
		}
	}

	if (c->ip4.gw.s_addr == c->ip4.addr.s_addr)
		die("IPv4 gateway and guest address are both %s: use -a or -g",
		    inet_ntop(AF_INET, &c->ip4.addr, buf, sizeof(buf)));

	mask = htonl(~0U << (32 - c->ip4.prefix_len));
	if ((c->ip4.gw.s_addr ^ c->ip4.addr.s_addr) & mask)
		warn("IPv4 gateway %s is outside the guest's subnet: use -g",
		     inet_ntop(AF_INET, &c->ip4.gw, buf, sizeof(buf)));

	c->ip4.addr_seen = c->ip4.addr;
	return;

disable:
	c->ipv4_enabled = false;
	c->ifi4 = 0;
}

/**
 * conf_ip6_ll_from_mac() - Build a link-local address from a MAC (EUI-64)
 * @mac:	MAC address
 * @ll:		Link-local address (RFC 4291, Appendix A)
 */
static void conf_ip6_ll_from_mac(const uint8_t mac[ETH_ADDR_LEN],
				 struct in6_addr *ll)
{
	memset(ll, 0, sizeof(*ll));
	ll->s6_addr[0] = 0xfe;
	ll->s6_addr[1] = 0x80;
	ll->s6_addr[8] = mac[0] ^ 0x02;
	ll->s6_addr[9] = mac[1];
	ll->s6_addr[10] = mac[2];
	ll->s6_addr[11] = 0xff;
	ll->s6_addr[12] = 0xfe;
	ll->s6_addr[13] = mac[3];
	ll->s6_addr[14] = mac[4];
	ll->s6_addr[15] = mac[5];
}

/**
 * conf_ip6_same_prefix() - Check whether two addresses share a prefix
 * @a:		First address
 * @b:		Second address
 * @plen:	Prefix length, 0 to 128
 *
 * Return: true if the first @plen bits of @a and @b are equal
 */
static bool conf_ip6_same_prefix(const struct in6_addr *a,
				 const struct in6_addr *b, int plen)
{
	int bytes = plen / 8, bits = plen % 8;
	uint8_t m;

	if (memcmp(a->s6_addr, b->s6_addr, (size_t)bytes))
		return false;
	if (!bits)
		return true;

	m = (uint8_t)(0xff << (8 - bits));
	return !((a->s6_addr[bytes] ^ b->s6_addr[bytes]) & m);
}

/**
 * conf_ip6() - Complete the IPv6 configuration from the host, or disable it
 * @c:		Execution context
 * @o:		Options given
 *
 * Our link-local address, the source of router advertisements, is the
 * gateway if that is link-local, as it usually is: the guest's default
 * route then points to it. Otherwise it is derived from our MAC address.
 */
static void conf_ip6(struct ctx *c, const struct conf_opts *o)
{
	struct in6_addr host = IN6ADDR_ANY_INIT, gw = IN6ADDR_ANY_INIT;
	char ifn[IFNAMSIZ], buf[INET6_ADDRSTRLEN];
	int plen = -1;

	if (!c->ipv6_enabled)
		return;

	if (c->mtu < MTU_MIN_IPV6) {
		if (o->v6_only)
			die("-m/--mtu %d: IPv6 needs at least %d", c->mtu,
			    MTU_MIN_IPV6);
		info("IPv6: MTU %d below %d, disabled", c->mtu, MTU_MIN_IPV6);
		goto disable;
	}

	if (!c->ifi6 && !o->addr6) {
		info("IPv6: no interface with a default route, disabled");
		goto disable;
	}

	if (c->ifi6 &&
	    (nl_addr_get(NL_HOST, c->ifi6, AF_INET6, &host, &plen, NULL) < 0 ||
	     plen < 1 || plen > 128))
		host = in6addr_any;

	if (!o->addr6) {
		if (IN6_IS_ADDR_UNSPECIFIED(&host)) {
			info("IPv6: no address on %s, disabled",
			     conf_ifname_str(c->ifi6, ifn));
			goto disable;
		}
		c->ip6.addr = host;
	}

	if (o->prefix6 != -1)
		c->ip6.prefix_len = o->prefix6;
	else if (!IN6_IS_ADDR_UNSPECIFIED(&host))
		c->ip6.prefix_len = plen;
	else
		c->ip6.prefix_len = 64;

	if (!o->gw6 && c->ifi6 &&
	    nl_route_get_gw(NL_HOST, c->ifi6, AF_INET6, &gw) >= 0)
		c->ip6.gw = gw;

	if (IN6_IS_ADDR_LINKLOCAL(&c->ip6.gw))
		c->ip6.our_ll = c->ip6.gw;
	else
		conf_ip6_ll_from_mac(c->our_mac, &c->ip6.our_ll);

	if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw)) {
		c->ip6.gw = c->ip6.our_ll;
		info("IPv6: no gateway on the host, using %s",
		     inet_ntop(AF_INET6, &c->ip6.gw, buf, sizeof(buf)));
	}

	if (IN6_ARE_ADDR_EQUAL(&c->ip6.gw, &c->ip6.addr))
		die("IPv6 gateway and guest address are both %s: use -a or -g",
		    inet_ntop(AF_INET6, &c->ip6.addr, buf, sizeof(buf)));

	if (!IN6_IS_ADDR_LINKLOCAL(&c->ip6.gw) &&
	    !conf_ip6_same_prefix(&c->ip6.gw, &c->ip6.addr,
				  c->ip6.prefix_len))
		warn("IPv6 gateway %s is outside the guest's prefix: use -g",
		     inet_ntop(AF_INET6, &c->ip6.gw, buf, sizeof(buf)));

	c->ip6.addr_seen = c->ip6.addr;
	return;

disable:
	c->ipv6_enabled = false;
	c->ifi6 = 0;
}

/**
 * conf_local() - Local mode: the host has no usable uplink yet
 * @c:		Execution context
 * @o:		Options given (no -a)
 * @want4:	IPv4 wasn't excluded (-6)
 * @want6:	IPv6 wasn't excluded (-4)
 */
static void conf_local(struct ctx *c, const struct conf_opts *o, bool want4,
		       bool want6)
{
	char a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];

	if (want4) {
		inet_pton(AF_INET, CONF_LOCAL_ADDR4, &c->ip4.addr);
		c->ip4.prefix_len = o->prefix4 != -1 ? o->prefix4 :
						       CONF_LOCAL_PREFIX4;
		if (!o->gw4)
			inet_pton(AF_INET, CONF_LOCAL_GW4, &c->ip4.gw);
		c->ip4.addr_seen = c->ip4.addr;
		c->ifi4 = 0;
		c->ipv4_enabled = true;
	}

	if (want6 && c->mtu >= MTU_MIN_IPV6) {
		inet_pton(AF_INET6, CONF_LOCAL_ADDR6, &c->ip6.addr);
		c->ip6.prefix_len = o->prefix6 != -1 ? o->prefix6 :
						       CONF_LOCAL_PREFIX6;
		conf_ip6_ll_from_mac(c->our_mac, &c->ip6.our_ll);
		if (!o->gw6)
			c->ip6.gw = c->ip6.our_ll;
		c->ip6.addr_seen = c->ip6.addr;
		c->ifi6 = 0;
		c->ipv6_enabled = true;
	}

	if (!c->ipv4_enabled && !c->ipv6_enabled)
		return;

	c->host_local = true;
	c->addr_may_change = true;
	info("No default route on the host: local mode (IPv4 %s, IPv6 %s) "
	     "until there is one",
	     c->ipv4_enabled ? inet_ntop(AF_INET, &c->ip4.addr, a4,
					 sizeof(a4)) : "off",
	     c->ipv6_enabled ? inet_ntop(AF_INET6, &c->ip6.addr, a6,
					 sizeof(a6)) : "off");
}

/**
 * conf_host_ifi() - Template interface of a family, looked up again
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 *
 * Return: interface index, 0 if there's none (or it's gone)
 */
static unsigned int conf_host_ifi(const struct ctx *c, sa_family_t af)
{
	const char *out = af == AF_INET ? c->ip4.ifname_out :
					  c->ip6.ifname_out;
	int rc;

	if (*c->ifname)
		out = c->ifname;
	if (*out) {
		rc = nl_link_ifindex(NL_HOST, out);
		return rc > 0 ? (unsigned int)rc : 0;
	}

	return nl_get_ext_if(af);
}

/**
 * conf_host_refresh4() - Look at the host's IPv4 configuration again
 * @c:		Execution context, updated
 * @o:		Options given
 *
 * Return: true if the guest's address, prefix length or gateway changed
 */
static bool conf_host_refresh4(struct ctx *c, const struct conf_opts *o)
{
	struct in_addr host = { 0 }, gw = { 0 }, old_gw = c->ip4.gw;
	struct ip4_ctx n = c->ip4;
	unsigned int ifi;
	int plen = -1, i;

	if (!c->ipv4_enabled)
		return false;

	ifi = conf_host_ifi(c, AF_INET);
	if (!ifi || nl_addr_get(NL_HOST, ifi, AF_INET, &host, &plen, NULL) ||
	    host.s_addr == htonl(INADDR_ANY) || plen < 1 || plen > 32)
		return false;	/* no uplink: keep what we have */

	c->ifi4 = ifi;
	if (!o->addr4) {
		n.addr = host;
		n.prefix_len = o->prefix4 != -1 ? o->prefix4 : plen;
	}
	if (!o->gw4) {
		if (!nl_route_get_gw(NL_HOST, ifi, AF_INET, &gw) &&
		    gw.s_addr != htonl(INADDR_ANY)) {
			n.gw = gw;
		} else {
			struct ip4_ctx save = c->ip4;

			c->ip4 = n;
			if (conf_ip4_gw_guess(c))
				n.gw = c->ip4.gw;
			c->ip4 = save;
		}
	}

	if (n.gw.s_addr == n.addr.s_addr)
		return false;
	if (n.addr.s_addr == c->ip4.addr.s_addr &&
	    n.prefix_len == c->ip4.prefix_len && n.gw.s_addr == old_gw.s_addr)
		return false;

	c->ip4.addr = c->ip4.addr_seen = n.addr;
	c->ip4.prefix_len = n.prefix_len;
	c->ip4.gw = n.gw;

	if (conf_dns_fwd_auto4 && c->dns_forward4.s_addr == old_gw.s_addr) {
		c->dns_forward4 = n.gw;
		for (i = 0; i < DNS_MAX; i++)
			if (c->ip4.dns[i].s_addr == old_gw.s_addr)
				c->ip4.dns[i] = n.gw;
	}
	return true;
}

/**
 * conf_host_refresh6() - Look at the host's IPv6 configuration again
 * @c:		Execution context, updated
 * @o:		Options given
 *
 * Return: true if the guest's address, prefix length or gateway changed
 */
static bool conf_host_refresh6(struct ctx *c, const struct conf_opts *o)
{
	struct in6_addr host = IN6ADDR_ANY_INIT, gw = IN6ADDR_ANY_INIT;
	struct in6_addr old_gw = c->ip6.gw;
	struct ip6_ctx n = c->ip6;
	unsigned int ifi;
	int plen = -1, i;

	if (!c->ipv6_enabled)
		return false;

	ifi = conf_host_ifi(c, AF_INET6);
	if (!ifi || nl_addr_get(NL_HOST, ifi, AF_INET6, &host, &plen, NULL) ||
	    IN6_IS_ADDR_UNSPECIFIED(&host) || plen < 1 || plen > 128)
		return false;	/* no uplink: keep what we have */

	c->ifi6 = ifi;
	if (!o->addr6) {
		n.addr = host;
		n.prefix_len = o->prefix6 != -1 ? o->prefix6 : plen;
	}
	if (!o->gw6) {
		if (nl_route_get_gw(NL_HOST, ifi, AF_INET6, &gw))
			gw = in6addr_any;
		if (IN6_IS_ADDR_LINKLOCAL(&gw))
			n.our_ll = gw;
		else
			conf_ip6_ll_from_mac(c->our_mac, &n.our_ll);
		n.gw = IN6_IS_ADDR_UNSPECIFIED(&gw) ? n.our_ll : gw;
	}

	if (IN6_ARE_ADDR_EQUAL(&n.gw, &n.addr))
		return false;
	if (IN6_ARE_ADDR_EQUAL(&n.addr, &c->ip6.addr) &&
	    n.prefix_len == c->ip6.prefix_len &&
	    IN6_ARE_ADDR_EQUAL(&n.gw, &old_gw))
		return false;

	c->ip6.addr = c->ip6.addr_seen = n.addr;
	c->ip6.prefix_len = n.prefix_len;
	c->ip6.gw = n.gw;
	c->ip6.our_ll = n.our_ll;

	if (conf_dns_fwd_auto6 &&
	    IN6_ARE_ADDR_EQUAL(&c->dns_forward6, &old_gw)) {
		c->dns_forward6 = n.gw;
		for (i = 0; i < DNS_MAX; i++)
			if (IN6_ARE_ADDR_EQUAL(&c->ip6.dns[i], &old_gw))
				c->ip6.dns[i] = n.gw;
	}
	return true;
}

/**
 * conf_host_refresh() - Look at the host's network again, update the guest's
 * @c:		Execution context, updated
 *
 * Return: CONF_HOST_CHANGED_IP4 and CONF_HOST_CHANGED_IP6, for the
 *	   families whose address, prefix length or gateway changed
 */
unsigned int conf_host_refresh(struct ctx *c)
{
	unsigned int changed = 0;

	if (conf_host_refresh4(c, &conf_host_opts))
		changed |= CONF_HOST_CHANGED_IP4;
	if (conf_host_refresh6(c, &conf_host_opts))
		changed |= CONF_HOST_CHANGED_IP6;

	if (changed) {
		c->addr_may_change = true;
		c->host_local = false;
	}
	return changed;
}

/**
 * conf_host_resolv_follow() - Is there anything to follow in resolv.conf?
 *
 * Return: false if -D and -S were both given, true otherwise
 */
bool conf_host_resolv_follow(void)
{
	return !(conf_host_opts.dns && conf_host_opts.search);
}

/**
 * conf_host_dns_refresh() - Take resolv.conf anew, update the guest's DNS
 * @c:		Execution context, updated
 * @buf:	Contents of the file, NUL-terminated, overwritten while parsed
 *
 * What -D, -S, --dns-forward and --dns-host gave doesn't change.
 *
 * Return: true if the resolvers or search domains given to the guest changed
 */
bool conf_host_dns_refresh(struct ctx *c, char *buf)
{
	const struct conf_opts *o = &conf_host_opts;
	struct in6_addr dns6[DNS_MAX + 1];
	struct in_addr dns4[DNS_MAX + 1];
	bool changed;

	if (o->dns && o->search)
		return false;

	memcpy(dns4, c->ip4.dns, sizeof(dns4));
	memcpy(dns6, c->ip6.dns, sizeof(dns6));
	memcpy(conf_search_old, c->search, sizeof(conf_search_old));

	if (!o->dns) {
		memset(c->ip4.dns, 0, sizeof(c->ip4.dns));
		memset(c->ip6.dns, 0, sizeof(c->ip6.dns));
		if (conf_dns_host_auto4)
			c->dns_host4.s_addr = htonl(INADDR_ANY);
		if (conf_dns_host_auto6)
			c->dns_host6 = in6addr_any;
	}
	if (!o->search)
		memset(c->search, 0, sizeof(c->search));

	conf_resolv_parse(c, buf, !o->dns, !o->search);
	if (!o->dns)
		conf_dns_reachable(c);

	changed = memcmp(dns4, c->ip4.dns, sizeof(dns4)) ||
		  memcmp(dns6, c->ip6.dns, sizeof(dns6)) ||
		  memcmp(conf_search_old, c->search, sizeof(conf_search_old));
	if (changed)
		c->addr_may_change = true;
	return changed;
}

/**
 * conf_pasta_ifname() - Default name of the tap interface in the namespace
 * @c:		Execution context
 *
 * That's the name of the IPv4 template interface, else of the IPv6 one,
 * else "tap0". Never "lo" (-i lo): the namespace has one already.
 */
static void conf_pasta_ifname(struct ctx *c)
{
	char name[IFNAMSIZ];

	if (*c->pasta_ifname)
		return;

	if (((c->ifi4 && if_indextoname(c->ifi4, name)) ||
	     (c->ifi6 && if_indextoname(c->ifi6, name))) &&
	    strcmp(name, "lo"))
		strcpy(c->pasta_ifname, name);
	else
		strcpy(c->pasta_ifname, "tap0");
}

/**
 * conf_defaults() - Fill in what the command line left out, from the host
 * @c:		Execution context, with the options applied
 * @o:		What the command line said beyond the context
 *
 * Exits if neither IPv4 nor IPv6 can be configured.
 */
void conf_defaults(struct ctx *c, const struct conf_opts *o)
{
	bool want4 = c->ipv4_enabled, want6 = c->ipv6_enabled;

	conf_host_opts = *o;

	conf_templates(c);
	conf_ip4(c, o);
	conf_ip6(c, o);

	if (!c->ipv4_enabled && !c->ipv6_enabled && !o->addr4 && !o->addr6)
		conf_local(c, o, want4, want6);

	if (!c->ipv4_enabled && !c->ipv6_enabled) {
		const char *fam = o->v4_only ? "IPv4" :
				  (o->v6_only ? "IPv6" : "IPv4 or IPv6");

		if (*c->ifname)
			die("No %s address on -i/--interface %s: use "
			    "-a/--address and -g/--gateway", fam, c->ifname);
		die("No default route or interface found for %s: use "
		    "-i/--interface NAME, or -a/--address and -g/--gateway",
		    fam);
	}

	conf_dns_host_auto4 = !c->dns_host4.s_addr;
	conf_dns_host_auto6 = IN6_IS_ADDR_UNSPECIFIED(&c->dns_host6);
	if ((!o->dns || !o->search) && conf_resolv_read() >= 0)
		conf_resolv_parse(c, conf_resolv_buf, !o->dns, !o->search);
	conf_dns_reachable(c);

	if (c->mode == MODE_PASTA)
		conf_pasta_ifname(c);
}
