// SPDX-License-Identifier: GPL-2.0-or-later
/* conf.c - the command line of passt and pasta
 *
 * DOC: Theory of Operation
 *
 * conf() runs once, before anything else opens a socket, and reads the
 * command line in three steps:
 *
 * 1. A first getopt_long() pass looks for --version and --help only, so
 *    that both work whatever else is on the line (rootlesskit probes
 *    "pasta --host-lo-to-ns-lo --version").
 * 2. The second pass applies each option to the context, validating it on
 *    the spot: a bad value ends the program with a message that names the
 *    option and quotes the value. Options of the other mode are refused by
 *    name. Port forwarding specifications are checked here, but kept
 *    verbatim in c->fwd[]: fwd.c gives them meaning. What follows the
 *    options is, for pasta, a PID or a command; for passt, an error.
 * 3. conf_defaults() (conf_host.c) derives what wasn't given from the host.
 *
 * Values are parsed by the pure functions of conf_parse.c; this file turns
 * their failures into messages, and knows which option means what in which
 * mode. Options are stored as given, in order: a later one overrides an
 * earlier one, except for the repeatable -a, -g, -o (one per family), -D,
 * -S, -t, -u, -T and -U, which accumulate.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "passt.h"
#include "log.h"
#include "conf.h"
#include "conf_internal.h"
#include "udp.h"

#define NETNS_RUN_DIR		"/run/netns"
#define LOG_SIZE_DEFAULT	(1UL << 20)
#define LOG_SIZE_MIN		4096UL


/* Codes of the options without a short form: getopt_long() returns these */
enum conf_opt {
	OPT_TRACE = 256,
	OPT_LOG_SIZE,
	OPT_RUNAS,
	OPT_VERSION,
	OPT_OUTBOUND_IF4,
	OPT_OUTBOUND_IF6,
	OPT_DNS_FORWARD,
	OPT_DNS_HOST,
	OPT_NO_DHCP_DNS,
	OPT_DHCP_DNS,
	OPT_NO_DHCP_SEARCH,
	OPT_DHCP_SEARCH,
	OPT_NO_TCP,
	OPT_NO_UDP,
	OPT_NO_ICMP,
	OPT_NO_DHCP,
	OPT_NO_NDP,
	OPT_NO_DHCPV6,
	OPT_NO_RA,
	OPT_FREEBIND,
	OPT_MAP_HOST_LOOPBACK,
	OPT_NO_MAP_GW,
	OPT_MAP_GW,
	OPT_MAP_GUEST_ADDR,
	OPT_FQDN,
	OPT_VHOST_USER,
	OPT_PRINT_CAPS,
	OPT_HOST_LO_TO_NS_LO,
	OPT_USERNS,
	OPT_NETNS,
	OPT_NETNS_TYPE,
	OPT_NETNS_ONLY,
	OPT_NO_NETNS_QUIT,
	OPT_CONFIG_NET,
	OPT_NO_COPY_ROUTES,
	OPT_NO_COPY_ADDRS,
	OPT_NS_MAC_ADDR,
	OPT_NO_SPLICE,
	OPT_UDP_TIMEOUT,
	OPT_CONTROL,
};

/* '+': stop at the first non-option, the start of pasta's command */
static const char conf_shortopts[] =
	"+dqfel:hp:P:m:a:n:M:g:i:o:D:S:s:F:1t:u:T:U:I:46";

/* The first entry for a code gives the name used in error messages */
static const struct option conf_longopts[] = {
	{ "debug", no_argument, NULL, 'd' },
	{ "trace", no_argument, NULL, OPT_TRACE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "stderr", no_argument, NULL, 'e' },
	{ "log-file", required_argument, NULL, 'l' },
	{ "log-size", required_argument, NULL, OPT_LOG_SIZE },
	{ "runas", required_argument, NULL, OPT_RUNAS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "pcap", required_argument, NULL, 'p' },
	{ "pid", required_argument, NULL, 'P' },
	{ "mtu", required_argument, NULL, 'm' },
	{ "address", required_argument, NULL, 'a' },
	{ "netmask", required_argument, NULL, 'n' },
	{ "mac-addr", required_argument, NULL, 'M' },
	{ "gateway", required_argument, NULL, 'g' },
	{ "interface", required_argument, NULL, 'i' },
	{ "outbound", required_argument, NULL, 'o' },
	{ "outbound-if4", required_argument, NULL, OPT_OUTBOUND_IF4 },
	{ "outbound-if6", required_argument, NULL, OPT_OUTBOUND_IF6 },
	{ "dns", required_argument, NULL, 'D' },
	{ "dns-forward", required_argument, NULL, OPT_DNS_FORWARD },
	{ "dns-host", required_argument, NULL, OPT_DNS_HOST },
	{ "search", required_argument, NULL, 'S' },
	{ "no-dhcp-dns", no_argument, NULL, OPT_NO_DHCP_DNS },
	{ "dhcp-dns", no_argument, NULL, OPT_DHCP_DNS },
	{ "no-dhcp-search", no_argument, NULL, OPT_NO_DHCP_SEARCH },
	{ "dhcp-search", no_argument, NULL, OPT_DHCP_SEARCH },
	{ "no-tcp", no_argument, NULL, OPT_NO_TCP },
	{ "no-udp", no_argument, NULL, OPT_NO_UDP },
	{ "no-icmp", no_argument, NULL, OPT_NO_ICMP },
	{ "no-dhcp", no_argument, NULL, OPT_NO_DHCP },
	{ "no-ndp", no_argument, NULL, OPT_NO_NDP },
	{ "no-dhcpv6", no_argument, NULL, OPT_NO_DHCPV6 },
	{ "no-ra", no_argument, NULL, OPT_NO_RA },
	{ "freebind", no_argument, NULL, OPT_FREEBIND },
	{ "udp-timeout", required_argument, NULL, OPT_UDP_TIMEOUT },
	{ "map-host-loopback", required_argument, NULL, OPT_MAP_HOST_LOOPBACK },
	{ "no-map-gw", no_argument, NULL, OPT_NO_MAP_GW },
	{ "map-gw", no_argument, NULL, OPT_MAP_GW },
	{ "map-guest-addr", required_argument, NULL, OPT_MAP_GUEST_ADDR },
	{ "ipv4-only", no_argument, NULL, '4' },
	{ "ipv6-only", no_argument, NULL, '6' },
	{ "fqdn", required_argument, NULL, OPT_FQDN },
	{ "control", required_argument, NULL, OPT_CONTROL },
	/* passt only */
	{ "socket", required_argument, NULL, 's' },
	{ "socket-path", required_argument, NULL, 's' },
	{ "fd", required_argument, NULL, 'F' },
	{ "one-off", no_argument, NULL, '1' },
	{ "vhost-user", no_argument, NULL, OPT_VHOST_USER },
	{ "print-capabilities", no_argument, NULL, OPT_PRINT_CAPS },
	/* both, with a meaning of their own in each mode */
	{ "tcp-ports", required_argument, NULL, 't' },
	{ "udp-ports", required_argument, NULL, 'u' },
	/* pasta only */
	{ "tcp-ns", required_argument, NULL, 'T' },
	{ "udp-ns", required_argument, NULL, 'U' },
	{ "ns-ifname", required_argument, NULL, 'I' },
	{ "host-lo-to-ns-lo", no_argument, NULL, OPT_HOST_LO_TO_NS_LO },
	{ "userns", required_argument, NULL, OPT_USERNS },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "netns-type", required_argument, NULL, OPT_NETNS_TYPE },
	{ "netns-only", no_argument, NULL, OPT_NETNS_ONLY },
	{ "no-netns-quit", no_argument, NULL, OPT_NO_NETNS_QUIT },
	{ "config-net", no_argument, NULL, OPT_CONFIG_NET },
	{ "no-copy-routes", no_argument, NULL, OPT_NO_COPY_ROUTES },
	{ "no-copy-addrs", no_argument, NULL, OPT_NO_COPY_ADDRS },
	{ "ns-mac-addr", required_argument, NULL, OPT_NS_MAC_ADDR },
	{ "no-splice", no_argument, NULL, OPT_NO_SPLICE },
	{ NULL, 0, NULL, 0 },
};

/**
 * conf_opt_name() - Name of an option as users know it, for messages
 * @code:	Option code, as returned by getopt_long()
 *
 * Return: "-x/--long" or "--long", in a static buffer
 */
static const char *conf_opt_name(int code)
{
	const struct option *o;
	static char name[64];

	for (o = conf_longopts; o->name; o++) {
		if (o->val != code)
			continue;
		if (code < 256)
			snprintf(name, sizeof(name), "-%c/--%s", code, o->name);
		else
			snprintf(name, sizeof(name), "--%s", o->name);
		return name;
	}

	snprintf(name, sizeof(name), "option %i", code);
	return name;
}

/**
 * conf_name() - Name the program shows in usage and version output
 * @c:		Execution context
 *
 * Return: "pasta" or "passt"
 */
static const char *conf_name(const struct ctx *c)
{
	return c->mode == MODE_PASTA ? "pasta" : "passt";
}

/**
 * conf_usage() - Print a short usage summary to standard output, and exit
 * @c:		Execution context
 */
static void __attribute__((noreturn)) conf_usage(const struct ctx *c)
{
	bool pasta = c->mode == MODE_PASTA;
	const char *n = conf_name(c);

	if (pasta)
		printf("Usage: %s [OPTION]... [COMMAND [ARG]...]\n"
		       "       %s [OPTION]... PID\n"
		       "       %s [OPTION]... --netns PATH|NAME\n"
		       "Connect a new namespace running COMMAND (default: a "
		       "shell), the one of\nprocess PID, or a given one, to "
		       "the host's network.\n", n, n, n);
	else
		printf("Usage: %s [OPTION]...\n"
		       "Connect a qemu guest to the host's network over a "
		       "UNIX domain socket.\n", n);

	printf("\nGeneral:\n"
	       "  -d, --debug              Verbose messages\n"
	       "      --trace              Every packet, too (implies -d)\n"
	       "  -q, --quiet              Warnings and errors only\n"
	       "  -f, --foreground         Don't run in background\n"
	       "  -e, --stderr             No effect, for compatibility\n"
	       "  -l, --log-file PATH      Log to PATH only\n"
	       "      --log-size SIZE      Log file size limit, k/M/G (1M)\n"
	       "      --runas UID[:GID]    Run as this user, IDs or names\n"
	       "  -p, --pcap FILE          Capture guest traffic to FILE\n"
	       "  -P, --pid FILE           Write our PID to FILE\n"
	       "      --control PATH       Runtime control socket (passt-ctl)\n"
	       "  -h, --help               Show this summary\n"
	       "      --version            Show the version\n"
	       "\nGuest configuration (default: copied from the host):\n"
	       "  -m, --mtu MTU            MTU, 68 to 65520 (65520)\n"
	       "  -a, --address ADDR[/LEN] IPv4 or IPv6 address\n"
	       "  -n, --netmask MASK|LEN   IPv4 netmask\n"
	       "  -M, --mac-addr MAC       Our MAC (9a:55:9a:55:9a:55)\n"
	       "  -g, --gateway ADDR       IPv4 or IPv6 gateway\n"
	       "  -i, --interface NAME     Host interface to copy from\n"
	       "  -o, --outbound ADDR      Source address of our sockets\n"
	       "      --outbound-if4 NAME  Bind our IPv4 sockets to NAME\n"
	       "      --outbound-if6 NAME  Bind our IPv6 sockets to NAME\n"
	       "  -4, --ipv4-only          IPv4 only\n"
	       "  -6, --ipv6-only          IPv6 only\n"
	       "      --map-host-loopback ADDR|none\n"
	       "                           ADDR is the host's loopback "
	       "(gateway)\n"
	       "      --no-map-gw          Don't map the gateway there\n"
	       "      --map-guest-addr ADDR|none\n"
	       "                           ADDR on the host is the guest\n"
	       "      --fqdn NAME          Host name for DHCP clients\n"
	       "\nDNS:\n"
	       "  -D, --dns ADDR|none      Resolver (/etc/resolv.conf's)\n"
	       "      --dns-forward ADDR   Forward queries to ADDR...\n"
	       "      --dns-host ADDR      ...to this host resolver\n"
	       "  -S, --search LIST|none   Search domains\n"
	       "      --[no-]dhcp-dns      Send resolvers via DHCP, NDP\n"
	       "      --[no-]dhcp-search   Send search list via DHCP, NDP\n"
	       "                           (default: passt does, pasta "
	       "doesn't)\n"
	       "\nProtocols:\n"
	       "      --no-tcp, --no-udp, --no-icmp\n"
	       "      --no-dhcp, --no-dhcpv6, --no-ndp, --no-ra\n"
	       "                           Don't handle that protocol\n"
	       "      --freebind           Allow binding to any address\n"
	       "      --udp-timeout SECONDS\n"
	       "                           Close idle UDP flows after that "
	       "(180)\n"
	       "\nPort forwarding, SPEC: none, %s, or a list of\n"
	       "  [~]PORT[-LAST][:TO[-TOLAST]], optionally after ADDR/, "
	       "%%IFACE/ or ADDR%%IFACE/\n"
	       "  '~' excludes; exclusions alone mean all other ports\n"
	       "  -t, --tcp-ports SPEC     TCP, host to %s (%s)\n"
	       "  -u, --udp-ports SPEC     UDP, host to %s (%s)\n",
	       pasta ? "auto" : "all",
	       pasta ? "namespace" : "guest", pasta ? "auto" : "none",
	       pasta ? "namespace" : "guest", pasta ? "auto" : "none");

	if (pasta)
		printf("  -T, --tcp-ns SPEC        TCP, namespace to host "
		       "(auto)\n"
		       "  -U, --udp-ns SPEC        UDP, namespace to host "
		       "(auto)\n"
		       "\nNamespace:\n"
		       "  -I, --ns-ifname NAME     Tap interface name (the "
		       "host's)\n"
		       "      --ns-mac-addr MAC    Its MAC address\n"
		       "      --config-net         Configure it, bring it up\n"
		       "      --netns PATH|NAME    Join this namespace "
		       "(/run/netns/NAME)\n"
		       "      --userns PATH        Join this user namespace\n"
		       "      --netns-only         Don't use a user namespace\n"
		       "      --no-netns-quit      Outlive the namespace\n"
		       "      --no-splice          Don't splice loopback "
		       "traffic\n"
		       "      --host-lo-to-ns-lo, --no-copy-routes, "
		       "--no-copy-addrs, --netns-type\n"
		       "                           No effect, for "
		       "compatibility\n");
	else
		printf("\nGuest connection:\n"
		       "  -s, --socket PATH        Socket to listen on "
		       "(/tmp/passt_N.socket)\n"
		       "  -F, --fd FD              Use this connected socket, "
		       "implies -1\n"
		       "  -1, --one-off            Exit when the guest "
		       "disconnects\n"
		       "      --vhost-user         Not supported\n"
		       "      --print-capabilities vhost-user capabilities "
		       "(none)\n");

	exit(EXIT_SUCCESS);
}

/**
 * conf_version() - Print the program name and version, and exit
 * @c:		Execution context
 */
static void __attribute__((noreturn)) conf_version(const struct ctx *c)
{
	printf("%s %s\n", conf_name(c), PASST_VERSION);
	exit(EXIT_SUCCESS);
}

/**
 * conf_mode_check() - Refuse an option that belongs to the other mode
 * @c:		Execution context
 * @code:	Option code
 */
static void conf_mode_check(const struct ctx *c, int code)
{
	switch (code) {
	case 's':
	case 'F':
	case '1':
	case OPT_VHOST_USER:
	case OPT_PRINT_CAPS:
		if (c->mode != MODE_PASST)
			die("%s is for passt mode only", conf_opt_name(code));
		break;
	case 'T':
	case 'U':
	case 'I':
	case OPT_HOST_LO_TO_NS_LO:
	case OPT_USERNS:
	case OPT_NETNS:
	case OPT_NETNS_TYPE:
	case OPT_NETNS_ONLY:
	case OPT_NO_NETNS_QUIT:
	case OPT_CONFIG_NET:
	case OPT_NO_COPY_ROUTES:
	case OPT_NO_COPY_ADDRS:
	case OPT_NS_MAC_ADDR:
	case OPT_NO_SPLICE:
		if (c->mode != MODE_PASTA)
			die("%s is for pasta mode only", conf_opt_name(code));
		break;
	default:
		break;
	}
}

/**
 * conf_path() - Copy a path given as option argument, checking its length
 * @dst:	Destination
 * @size:	Size of @dst
 * @code:	Option code, for messages
 * @arg:	Path given
 */
static void conf_path(char *dst, size_t size, int code, const char *arg)
{
	if (!*arg)
		die("%s: empty path", conf_opt_name(code));
	if (strlen(arg) >= size)
		die("%s `%s': path too long (at most %zu bytes)",
		    conf_opt_name(code), arg, size - 1);

	strcpy(dst, arg);
}

/**
 * conf_ifname() - Copy an interface name given as option argument
 * @dst:	Destination, IFNAMSIZ bytes
 * @code:	Option code, for messages
 * @arg:	Name given
 */
static void conf_ifname(char *dst, int code, const char *arg)
{
	if (!conf_ifname_valid(arg))
		die("%s `%s': invalid interface name", conf_opt_name(code),
		    arg);

	strcpy(dst, arg);
}

/**
 * conf_addr_arg() - Parse an option's address argument (no prefix length)
 * @code:	Option code, for messages
 * @arg:	Address given
 * @a:		Parsed address
 */
static void conf_addr_arg(int code, const char *arg, struct conf_addr *a)
{
	const char *bad;

	if (conf_addr_parse(arg, a) || a->prefix_len != -1)
		die("%s `%s': invalid address", conf_opt_name(code), arg);

	bad = conf_addr_unusable(a, false);
	if (bad)
		die("%s `%s': %s address not allowed", conf_opt_name(code),
		    arg, bad);
}

/**
 * conf_addr_pair() - Set the IPv4 or IPv6 member of an address option
 * @code:	Option code, for messages
 * @arg:	Address given, or "none" to clear both
 * @a4:		IPv4 address to set
 * @a6:		IPv6 address to set
 *
 * Return: AF_INET or AF_INET6, whichever was set, AF_UNSPEC for "none"
 */
static sa_family_t conf_addr_pair(int code, const char *arg,
				  struct in_addr *a4, struct in6_addr *a6)
{
	struct conf_addr a;

	if (!strcmp(arg, "none")) {
		a4->s_addr = htonl(INADDR_ANY);
		*a6 = in6addr_any;
		return AF_UNSPEC;
	}

	conf_addr_arg(code, arg, &a);
	if (a.af == AF_INET)
		*a4 = a.a4;
	else
		*a6 = a.a6;

	return a.af;
}

/**
 * conf_dns_clear() - Empty the guest's resolver lists
 * @c:		Execution context
 */
static void conf_dns_clear(struct ctx *c)
{
	memset(c->ip4.dns, 0, sizeof(c->ip4.dns));
	memset(c->ip6.dns, 0, sizeof(c->ip6.dns));
}

/**
 * conf_opt_dns() - Handle -D: a resolver address, or "none"
 * @c:		Execution context
 * @o:		Options seen so far
 * @arg:	Option argument
 */
static void conf_opt_dns(struct ctx *c, struct conf_opts *o, const char *arg)
{
	struct conf_addr a;

	o->dns = true;
	if (!strcmp(arg, "none")) {
		conf_dns_clear(c);
		return;
	}

	conf_addr_arg('D', arg, &a);
	if (conf_dns_add(c, &a))
		die("-D/--dns `%s': too many %s resolvers (at most %d)", arg,
		    a.af == AF_INET ? "IPv4" : "IPv6", DNS_MAX);
}

/**
 * conf_opt_search() - Handle -S: search domains, space or comma separated,
 *		       or "none"
 * @c:		Execution context
 * @o:		Options seen so far
 * @arg:	Option argument
 */
static void conf_opt_search(struct ctx *c, struct conf_opts *o,
			    const char *arg)
{
	char buf[SEARCH_MAX * SEARCH_LEN], *tok, *save;

	o->search = true;
	if (!strcmp(arg, "none")) {
		memset(c->search, 0, sizeof(c->search));
		return;
	}

	if (strlen(arg) >= sizeof(buf))
		die("-S/--search: list too long");
	strcpy(buf, arg);

	tok = strtok_r(buf, " ,\t", &save);
	if (!tok)
		die("-S/--search `%s': no domain given", arg);

	for (; tok; tok = strtok_r(NULL, " ,\t", &save)) {
		if (!conf_domain_valid(tok))
			die("-S/--search: invalid domain `%s'", tok);
		if (conf_search_add(c, tok))
			die("-S/--search `%s': too many domains (at most %d)",
			    tok, SEARCH_MAX);
	}
}

/**
 * conf_opt_address() - Handle -a: guest address, IPv4 or IPv6, with
 *			optional prefix length
 * @c:		Execution context
 * @o:		Options seen so far
 * @arg:	Option argument
 */
static void conf_opt_address(struct ctx *c, struct conf_opts *o,
			     const char *arg)
{
	struct conf_addr a;
	const char *bad;

	if (conf_addr_parse(arg, &a))
		die("-a/--address `%s': invalid address", arg);
	bad = conf_addr_unusable(&a, true);
	if (bad)
		die("-a/--address `%s': %s address can't be assigned", arg,
		    bad);

	if (a.af == AF_INET) {
		c->ip4.addr = a.a4;
		o->addr4 = true;
		if (a.prefix_len != -1)
			o->prefix4 = a.prefix_len;
	} else {
		c->ip6.addr = a.a6;
		o->addr6 = true;
		if (a.prefix_len != -1)
			o->prefix6 = a.prefix_len;
	}
}

/**
 * conf_opt_mac() - Handle an option giving a MAC address
 * @code:	Option code, for messages
 * @arg:	Option argument
 * @mac:	MAC address to set
 */
static void conf_opt_mac(int code, const char *arg, uint8_t mac[ETH_ADDR_LEN])
{
	static const uint8_t zero[ETH_ADDR_LEN] = { 0 };
	uint8_t m[ETH_ADDR_LEN];

	if (mac_parse(arg, m))
		die("%s `%s': invalid MAC address", conf_opt_name(code), arg);
	if (m[0] & 1)
		die("%s `%s': multicast MAC address not allowed",
		    conf_opt_name(code), arg);
	if (!memcmp(m, zero, sizeof(m)))
		die("%s `%s': all-zero MAC address not allowed",
		    conf_opt_name(code), arg);

	memcpy(mac, m, ETH_ADDR_LEN);
}

/**
 * conf_opt_fwd() - Handle -t, -u, -T, -U: validate and store the spec
 * @c:		Execution context
 * @code:	Option code: 't', 'u', 'T' or 'U'
 * @arg:	Port forwarding specification
 *
 * "none", "all" and "auto" can't be mixed with other specifications of the
 * same protocol and direction. Meaning is left to fwd.c.
 */
static void conf_opt_fwd(struct ctx *c, int code, const char *arg)
{
	int proto = (code == 't' || code == 'T') ? IPPROTO_TCP : IPPROTO_UDP;
	bool inbound = code == 't' || code == 'u';
	const char *name = conf_opt_name(code);
	struct port_spec ps, old;
	char why[CONF_ERR_LEN];
	struct fwd_spec *f;
	int i;

	if (conf_port_spec_parse(arg, &ps, why, sizeof(why)))
		die("%s `%s': %s", name, arg, why);
	if (ps.type == PORT_SPEC_ALL && c->mode != MODE_PASST)
		die("%s all: for passt mode only, pasta has `auto'", name);
	if (ps.type == PORT_SPEC_AUTO && c->mode != MODE_PASTA)
		die("%s auto: for pasta mode only, passt has `all'", name);
	if (strlen(arg) >= sizeof(c->fwd[0].spec))
		die("%s `%s': too long (at most %zu bytes)", name, arg,
		    sizeof(c->fwd[0].spec) - 1);

	for (i = 0; i < c->fwd_count; i++) {
		f = &c->fwd[i];
		if (f->proto != proto || f->inbound != inbound)
			continue;

		/* Stored specs were validated on the way in */
		conf_port_spec_parse(f->spec, &old, NULL, 0);
		if (ps.type == PORT_SPEC_LIST && old.type == PORT_SPEC_LIST)
			continue;
		if (ps.type == old.type)
			return;		/* Same keyword twice: harmless */

		die("%s `%s' can't be combined with `%s'", name, arg,
		    f->spec);
	}

	if (c->fwd_count >= FWD_SPEC_MAX)
		die("%s `%s': too many port forwarding options (at most %d)",
		    name, arg, FWD_SPEC_MAX);

	f = &c->fwd[c->fwd_count++];
	f->proto = proto;
	f->inbound = inbound;
	strcpy(f->spec, arg);
}

/**
 * conf_opt_fd() - Handle -F: an already connected socket to use
 * @c:		Execution context
 * @arg:	File descriptor number
 */
static void conf_opt_fd(struct ctx *c, const char *arg)
{
	unsigned long fd;
	struct stat st;

	if (conf_uint_parse(arg, INT_MAX, &fd))
		die("-F/--fd `%s': invalid file descriptor", arg);
	if (fcntl((int)fd, F_GETFD) < 0)
		die("-F/--fd `%s': not an open file descriptor", arg);
	if (fstat((int)fd, &st) || !S_ISSOCK(st.st_mode))
		die("-F/--fd `%s': not a socket", arg);

	c->fd_given = (int)fd;
	c->one_off = true;
}

/**
 * conf_opt_netns() - Handle --netns: a path, or a name under /run/netns
 * @c:		Execution context
 * @arg:	Option argument
 */
static void conf_opt_netns(struct ctx *c, const char *arg)
{
	int n;

	if (strchr(arg, '/')) {
		conf_path(c->netns_path, sizeof(c->netns_path), OPT_NETNS,
			  arg);
		return;
	}

	if (!*arg || !strcmp(arg, ".") || !strcmp(arg, ".."))
		die("--netns `%s': invalid namespace name", arg);

	n = snprintf(c->netns_path, sizeof(c->netns_path), "%s/%s",
		     NETNS_RUN_DIR, arg);
	if (n < 0 || (size_t)n >= sizeof(c->netns_path))
		die("--netns `%s': name too long", arg);
}

/**
 * conf_opt() - Handle one option of the main getopt_long() pass
 * @c:		Execution context
 * @o:		Options seen so far
 * @code:	Option code
 * @arg:	Option argument, NULL for flags
 */
static void conf_opt(struct ctx *c, struct conf_opts *o, int code,
		     const char *arg)
{
	char why[CONF_ERR_LEN];
	unsigned long v;

	conf_mode_check(c, code);

	switch (code) {
	case 'd':
		c->debug = true;
		break;
	case OPT_TRACE:
		log_trace = true;
		c->debug = true;
		break;
	case 'q':
		c->quiet = true;
		break;
	case 'f':
		o->foreground = true;
		break;
	case 'e':
		break;
	case 'l':
		conf_path(c->log_file, sizeof(c->log_file), code, arg);
		break;
	case OPT_LOG_SIZE:
		if (conf_size_parse(arg, &c->log_size))
			die("--log-size `%s': invalid size", arg);
		if (c->log_size < LOG_SIZE_MIN)
			die("--log-size `%s': at least %lu bytes needed", arg,
			    LOG_SIZE_MIN);
		break;
	case OPT_RUNAS:
		if (conf_runas_parse(arg, &c->runas_uid, &c->runas_gid,
				     why, sizeof(why)))
			die("--runas `%s': %s", arg, why);
		break;
	case 'p':
		conf_path(c->pcap, sizeof(c->pcap), code, arg);
		break;
	case 'P':
		conf_path(c->pid_file, sizeof(c->pid_file), code, arg);
		break;
	case 'm':
		if (conf_uint_parse(arg, MTU_MAX, &v) || v < MTU_MIN_IPV4)
			die("-m/--mtu `%s': invalid MTU, must be %d to %d",
			    arg, MTU_MIN_IPV4, MTU_MAX);
		c->mtu = (int)v;
		break;
	case 'a':
		conf_opt_address(c, o, arg);
		break;
	case 'n':
		if (conf_netmask_parse(arg, &o->prefix4))
			die("-n/--netmask `%s': invalid netmask", arg);
		break;
	case 'M':
		conf_opt_mac(code, arg, c->our_mac);
		break;
	case 'g':
		switch (conf_addr_pair(code, arg, &c->ip4.gw, &c->ip6.gw)) {
		case AF_INET:
			o->gw4 = true;
			break;
		case AF_INET6:
			o->gw6 = true;
			break;
		default:
			die("-g/--gateway `none': an address is needed");
		}
		break;
	case 'i':
		conf_ifname(c->ifname, code, arg);
		break;
	case 'o':
		if (conf_addr_pair(code, arg, &c->ip4.addr_out,
				   &c->ip6.addr_out) == AF_UNSPEC)
			die("-o/--outbound `none': an address is needed");
		break;
	case OPT_OUTBOUND_IF4:
		conf_ifname(c->ip4.ifname_out, code, arg);
		break;
	case OPT_OUTBOUND_IF6:
		conf_ifname(c->ip6.ifname_out, code, arg);
		break;
	case 'D':
		conf_opt_dns(c, o, arg);
		break;
	case OPT_DNS_FORWARD:
		if (conf_addr_pair(code, arg, &c->dns_forward4,
				   &c->dns_forward6) == AF_UNSPEC)
			die("--dns-forward `none': an address is needed");
		break;
	case OPT_DNS_HOST:
		if (conf_addr_pair(code, arg, &c->dns_host4,
				   &c->dns_host6) == AF_UNSPEC)
			die("--dns-host `none': an address is needed");
		break;
	case 'S':
		conf_opt_search(c, o, arg);
		break;
	case OPT_NO_DHCP_DNS:
		c->no_dhcp_dns = true;
		break;
	case OPT_DHCP_DNS:
		c->no_dhcp_dns = false;
		break;
	case OPT_NO_DHCP_SEARCH:
		c->no_dhcp_search = true;
		break;
	case OPT_DHCP_SEARCH:
		c->no_dhcp_search = false;
		break;
	case OPT_NO_TCP:
		c->no_tcp = true;
		break;
	case OPT_NO_UDP:
		c->no_udp = true;
		break;
	case OPT_NO_ICMP:
		c->no_icmp = true;
		break;
	case OPT_NO_DHCP:
		c->no_dhcp = true;
		break;
	case OPT_NO_NDP:
		c->no_ndp = true;
		break;
	case OPT_NO_DHCPV6:
		c->no_dhcpv6 = true;
		break;
	case OPT_NO_RA:
		c->no_ra = true;
		break;
	case OPT_FREEBIND:
		c->freebind = true;
		break;
	case OPT_UDP_TIMEOUT:
		if (conf_uint_parse(arg, UDP_TIMEOUT_MAX, &v) || !v)
			die("--udp-timeout `%s': invalid timeout, must be 1 to "
			    "%d seconds", arg, UDP_TIMEOUT_MAX);
		udp_set_timeout((unsigned int)v);
		break;
	case OPT_MAP_HOST_LOOPBACK:
		if (conf_addr_pair(code, arg, &c->map_host_lo4,
				   &c->map_host_lo6) == AF_UNSPEC)
			c->no_map_gw = true;
		break;
	case OPT_NO_MAP_GW:
		c->no_map_gw = true;
		break;
	case OPT_MAP_GW:
		c->no_map_gw = false;
		break;
	case OPT_MAP_GUEST_ADDR:
		conf_addr_pair(code, arg, &c->map_guest_addr4,
			       &c->map_guest_addr6);
		break;
	case '4':
		o->v4_only = true;
		break;
	case '6':
		o->v6_only = true;
		break;
	case OPT_FQDN:
		if (strlen(arg) >= sizeof(c->fqdn) || !conf_domain_valid(arg))
			die("--fqdn `%s': invalid name", arg);
		strcpy(c->fqdn, arg);
		break;
	case 's':
		conf_path(c->sock_path, sizeof(c->sock_path), code, arg);
		o->sock = true;
		break;
	case OPT_CONTROL:
		conf_path(c->control_path, sizeof(c->control_path), code,
			  arg);
		break;
	case 'F':
		conf_opt_fd(c, arg);
		break;
	case '1':
		c->one_off = true;
		break;
	case OPT_VHOST_USER:
		o->vhost_user = true;
		break;
	case OPT_PRINT_CAPS:
		o->print_caps = true;
		break;
	case 't':
	case 'u':
	case 'T':
	case 'U':
		conf_opt_fwd(c, code, arg);
		break;
	case 'I':
		if (!strcmp(arg, "lo"))
			die("-I/--ns-ifname `lo': taken by loopback");
		conf_ifname(c->pasta_ifname, code, arg);
		break;
	case OPT_USERNS:
		conf_path(c->userns_path, sizeof(c->userns_path), code, arg);
		o->userns = true;
		break;
	case OPT_NETNS:
		conf_opt_netns(c, arg);
		o->netns = true;
		break;
	case OPT_NETNS_ONLY:
		c->netns_only = true;
		break;
	case OPT_NO_NETNS_QUIT:
		c->no_netns_quit = true;
		break;
	case OPT_CONFIG_NET:
		c->pasta_conf_ns = true;
		break;
	case OPT_NS_MAC_ADDR:
		conf_opt_mac(code, arg, c->guest_mac);
		c->guest_mac_set = true;
		c->pasta_mac_set = true;
		break;
	case OPT_NO_SPLICE:
		c->no_splice = true;
		break;
	case OPT_HOST_LO_TO_NS_LO:
	case OPT_NETNS_TYPE:
	case OPT_NO_COPY_ROUTES:
	case OPT_NO_COPY_ADDRS:
		debug("%s has no effect, ignored", conf_opt_name(code));
		break;
	case 'h':
	case OPT_VERSION:
		/* Not handled by conf_early_exit(): an error comes first */
		break;
	default:
		/* '?' or ':': getopt_long() already told what's wrong */
		fprintf(stderr, "Try `%s --help' for more information.\n",
			conf_name(c));
		exit(EXIT_FAILURE);
	}
}

/**
 * conf_bad_option() - Report an unknown option or a missing argument, exit
 * @c:		Execution context
 * @argv:	Arguments, argv[optind - 1] the offending one
 *
 * glibc's getopt_long() wording, also with C libraries that word it
 * otherwise (musl): podman looks for "unrecognized option '--X'".
 */
static void conf_bad_option(const struct ctx *c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	bool is_long = !strncmp(arg, "--", 2);

	if (optopt && is_long)
		fprintf(stderr, "%s: option '%s' requires an argument\n",
			argv[0], arg);
	else if (optopt && !strchr(conf_shortopts, optopt))
		fprintf(stderr, "%s: invalid option -- '%c'\n", argv[0],
			optopt);
	else if (optopt)
		fprintf(stderr, "%s: option requires an argument -- '%c'\n",
			argv[0], optopt);
	else
		fprintf(stderr, "%s: unrecognized option '%s'\n", argv[0],
			arg);

	fprintf(stderr, "Try `%s --help' for more information.\n",
		conf_name(c));
	exit(EXIT_FAILURE);
}

/**
 * conf_early_exit() - First pass: handle --version and --help, wherever
 * @c:		Execution context
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Only options recognised before them count: "OPTION --version" exiting 0
 * is how callers probe for OPTION. An unknown option, or one we don't
 * support, stops this pass, and the main pass reports it.
 */
static void conf_early_exit(const struct ctx *c, int argc, char **argv)
{
	int code;

	opterr = 0;
	while ((code = getopt_long(argc, argv, conf_shortopts,
				   conf_longopts, NULL)) != -1) {
		if (code == '?' || code == ':' || code == OPT_VHOST_USER)
			break;

		conf_mode_check(c, code);
		if (code == OPT_VERSION)
			conf_version(c);
		if (code == 'h')
			conf_usage(c);
	}

	opterr = 1;
	optind = 0;	/* Full reinitialisation of getopt_long() */
}

/**
 * conf_pid_arg() - Check whether a pasta argument is a PID
 * @s:		Argument
 *
 * Return: true if @s is made of digits only (it's then a PID or an error)
 */
static bool conf_pid_arg(const char *s)
{
	const char *p;

	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
	}

	return p != s;
}

/**
 * conf_pasta_args() - Handle what follows the options in pasta mode
 * @c:		Execution context
 * @o:		Options given
 * @argc:	Argument count
 * @argv:	Arguments, options end at optind
 *
 * A single all-digit argument, not after "--", is the PID of a process
 * whose namespaces we join; anything else is the command to spawn.
 */
static void conf_pasta_args(struct ctx *c, const struct conf_opts *o,
			    int argc, char **argv)
{
	bool dashdash = optind > 1 && !strcmp(argv[optind - 1], "--");
	const char *arg = argv[optind];
	unsigned long pid;

	if (o->userns && c->netns_only)
		die("--userns and --netns-only can't be combined");

	if (argc - optind == 1 && !dashdash && conf_pid_arg(arg)) {
		if (o->netns)
			die("PID `%s' and --netns can't be combined", arg);
		if (conf_uint_parse(arg, INT_MAX, &pid) || !pid)
			die("Invalid PID `%s'", arg);

		snprintf(c->netns_path, sizeof(c->netns_path),
			 "/proc/%lu/ns/net", pid);
		if (!o->userns && !c->netns_only)
			snprintf(c->userns_path, sizeof(c->userns_path),
				 "/proc/%lu/ns/user", pid);
		c->pasta_argv = NULL;
	} else if (optind < argc) {
		if (o->netns)
			die("--netns and a command `%s' can't be combined",
			    arg);
		c->pasta_argv = &argv[optind];
	} else {
		c->pasta_argv = NULL;
	}

	if (o->userns && !*c->netns_path)
		die("--userns needs --netns or a PID");

	/* A namespace given by path alone: join the network one only */
	if (o->netns && !o->userns)
		c->netns_only = true;

	/* Spawning: we live as long as the command, in the foreground */
	c->foreground = o->foreground || !*c->netns_path;
}

/**
 * conf_passt_checks() - Checks of options and arguments in passt mode
 * @c:		Execution context
 * @o:		Options given
 * @argc:	Argument count
 * @argv:	Arguments, options end at optind
 */
static void conf_passt_checks(struct ctx *c, const struct conf_opts *o,
			      int argc, char **argv)
{
	if (optind < argc)
		die("Unexpected argument `%s': passt takes options only",
		    argv[optind]);

	if (o->print_caps) {
		/* vhost-user backend capabilities: we have none */
		printf("{\n}\n");
		exit(EXIT_SUCCESS);
	}

	if (o->vhost_user)
		die("--vhost-user: vhost-user is not supported, use a stream "
		    "socket (qemu -netdev stream) instead");

	if (o->sock && c->fd_given >= 0)
		die("-s/--socket and -F/--fd can't be combined");

	c->foreground = o->foreground;
}

/**
 * conf() - Read the command line and derive defaults from the host
 * @c:		Execution context: mode set, file descriptors at -1, the
 *		rest zeroed
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Exits on invalid options, for --help, --version and
 * --print-capabilities, and if neither IPv4 nor IPv6 can be configured.
 * Sets the log level, but leaves opening the log file to the caller.
 */
void conf(struct ctx *c, int argc, char **argv)
{
	const uint8_t mac_default[ETH_ADDR_LEN] = MAC_OUR_DEFAULT;
	struct conf_opts o = { .prefix4 = -1, .prefix6 = -1 };
	int code;

	c->mtu = MTU_DEFAULT;
	memcpy(c->our_mac, mac_default, sizeof(c->our_mac));
	memset(c->guest_mac, 0xff, sizeof(c->guest_mac));
	c->log_size = LOG_SIZE_DEFAULT;
	c->runas_uid = c->runas_gid = -1;
	c->ipv4_enabled = c->ipv6_enabled = true;
	/* pasta: the namespace shares the host's resolv.conf, most likely */
	c->no_dhcp_dns = c->no_dhcp_search = c->mode == MODE_PASTA;

	conf_early_exit(c, argc, argv);

	opterr = 0;	/* conf_bad_option() says it, same words everywhere */
	while ((code = getopt_long(argc, argv, conf_shortopts,
				   conf_longopts, NULL)) != -1) {
		if (code == '?' || code == ':')
			conf_bad_option(c, argv);
		conf_opt(c, &o, code, optarg);
	}

	if (c->mode == MODE_PASTA)
		conf_pasta_args(c, &o, argc, argv);
	else
		conf_passt_checks(c, &o, argc, argv);

	/* --debug wins, so that debugging works with podman's --quiet */
	if (c->debug)
		c->quiet = false;
	log_set_level(c->debug ? LOG_DEBUG :
		      (c->quiet ? LOG_WARNING : LOG_INFO));

	if (o.v4_only && o.v6_only)
		die("-4/--ipv4-only and -6/--ipv6-only can't be combined");
	if (o.v4_only)
		c->ipv6_enabled = false;
	if (o.v6_only)
		c->ipv4_enabled = false;

	conf_defaults(c, &o);
}

/**
 * conf_print_dns() - Log the resolvers and search domains given to the guest
 * @c:		Execution context
 */
static void conf_print_dns(const struct ctx *c)
{
	char buf[INET6_ADDRSTRLEN];
	int i;

	for (i = 0; i < DNS_MAX; i++) {
		if (!c->ipv4_enabled || c->ip4.dns[i].s_addr == INADDR_ANY)
			break;
		info("DNS: %s",
		     inet_ntop(AF_INET, &c->ip4.dns[i], buf, sizeof(buf)));
	}

	for (i = 0; i < DNS_MAX; i++) {
		if (!c->ipv6_enabled || IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]))
			break;
		info("DNS: %s",
		     inet_ntop(AF_INET6, &c->ip6.dns[i], buf, sizeof(buf)));
	}

	if (c->ipv4_enabled && c->dns_forward4.s_addr &&
	    c->dns_host4.s_addr) {
		char h[INET6_ADDRSTRLEN];

		info("DNS: queries to %s forwarded to %s",
		     inet_ntop(AF_INET, &c->dns_forward4, buf, sizeof(buf)),
		     inet_ntop(AF_INET, &c->dns_host4, h, sizeof(h)));
	}
	if (c->ipv6_enabled && !IN6_IS_ADDR_UNSPECIFIED(&c->dns_forward6) &&
	    !IN6_IS_ADDR_UNSPECIFIED(&c->dns_host6)) {
		char h[INET6_ADDRSTRLEN];

		info("DNS: queries to %s forwarded to %s",
		     inet_ntop(AF_INET6, &c->dns_forward6, buf, sizeof(buf)),
		     inet_ntop(AF_INET6, &c->dns_host6, h, sizeof(h)));
	}

	for (i = 0; i < SEARCH_MAX && c->search[i][0]; i++)
		info("DNS search: %s", c->search[i]);
}

/**
 * conf_print() - Log the effective configuration, at info level
 * @c:		Execution context
 */
void conf_print(const struct ctx *c)
{
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	char if4[IFNAMSIZ], if6[IFNAMSIZ];

	info("Template interface: %s (IPv4), %s (IPv6)",
	     c->ifi4 ? conf_ifname_str(c->ifi4, if4) : "none",
	     c->ifi6 ? conf_ifname_str(c->ifi6, if6) : "none");
	if (c->mode == MODE_PASTA)
		info("Namespace interface: %s", c->pasta_ifname);
	info("MTU: %d", c->mtu);
	if (c->guest_mac_set)
		info("MAC: ours " MAC_FMT ", guest's " MAC_FMT,
		     MAC_ARGS(c->our_mac), MAC_ARGS(c->guest_mac));
	else
		info("MAC: ours " MAC_FMT ", guest's learnt from its frames",
		     MAC_ARGS(c->our_mac));

	if (c->ipv4_enabled) {
		info("IPv4: address %s/%d, gateway %s",
		     inet_ntop(AF_INET, &c->ip4.addr, a, sizeof(a)),
		     c->ip4.prefix_len,
		     inet_ntop(AF_INET, &c->ip4.gw, g, sizeof(g)));
	} else {
		info("IPv4: disabled");
	}

	if (c->ipv6_enabled) {
		info("IPv6: address %s/%d, gateway %s",
		     inet_ntop(AF_INET6, &c->ip6.addr, a, sizeof(a)),
		     c->ip6.prefix_len,
		     inet_ntop(AF_INET6, &c->ip6.gw, g, sizeof(g)));
		info("IPv6: our link-local address %s",
		     inet_ntop(AF_INET6, &c->ip6.our_ll, a, sizeof(a)));
	} else {
		info("IPv6: disabled");
	}

	conf_print_dns(c);
}
