/* SPDX-License-Identifier: GPL-2.0-or-later */
/* passt.h - the execution context and the epoll reference shared by all modules */
#ifndef PASST_H
#define PASST_H

#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>
#include <time.h>

#include "util.h"

#ifdef PASST_BUILD_VERSION
#define PASST_VERSION		PASST_BUILD_VERSION
#else
#define PASST_VERSION		"0.1"
#endif

/* 9a:55:9a:55:9a:55, the MAC address passt has always used for itself */
#define MAC_OUR_DEFAULT		{ 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 }

#define MTU_DEFAULT		65520
#define MTU_MAX			65520
#define MTU_MIN_IPV4		68
#define MTU_MIN_IPV6		1280

#define DNS_MAX			3	/* resolv.conf(5): MAXNS */
#define SEARCH_MAX		6
#define SEARCH_LEN		256

/**
 * enum passt_mode - Which face the binary shows, chosen by argv[0]
 * @MODE_PASST:	Frames from a qemu (or compatible) UNIX stream socket
 * @MODE_PASTA:	Frames from a tap device in a network namespace
 */
enum passt_mode {
	MODE_PASST,
	MODE_PASTA,
};

/**
 * enum epoll_type - Kind of file descriptor registered with epoll
 * @EPOLL_TYPE_NONE:		Never registered: catches a zeroed reference
 * @EPOLL_TYPE_TAP_LISTEN:	passt: listening UNIX socket for the guest
 * @EPOLL_TYPE_TAP_PASST:	passt: connected guest (qemu stream framing)
 * @EPOLL_TYPE_TAP_PASTA:	pasta: tap device in the namespace
 * @EPOLL_TYPE_PASTA_CHILD:	pasta: pidfd of the spawned command
 * @EPOLL_TYPE_NSQUIT:		pasta: watch for the namespace going away
 * @EPOLL_TYPE_TCP:		Host socket of a TCP flow (idx: flow)
 * @EPOLL_TYPE_TCP_LISTEN:	Listening socket of a forwarded TCP port
 * @EPOLL_TYPE_TCP_TIMER:	timerfd of a TCP flow (idx: flow)
 * @EPOLL_TYPE_UDP:		Host socket of a UDP flow (idx: flow)
 * @EPOLL_TYPE_UDP_LISTEN:	Socket bound to a forwarded UDP port
 * @EPOLL_TYPE_PING:		Ping socket of an ICMP echo flow (idx: flow)
 * @EPOLL_TYPE_TCP_SPLICE:	pasta: spliced TCP socket (idx: flow * 2 + side)
 * @EPOLL_TYPE_NSBROKER:	pasta: replies of the namespace socket broker
 * @EPOLL_TYPE_UDP_SPLICE:	pasta: -U socket, bound or towards the host
 * @EPOLL_TYPE_HOSTWATCH_NL:	Netlink notifications of host network changes
 * @EPOLL_TYPE_HOSTWATCH_TIMER:	timerfd coalescing those notifications
 * @EPOLL_TYPE_HOSTWATCH_DNS:	Socket of the resolv.conf reader
 * @EPOLL_TYPE_CONTROL:		Listening control socket (--control)
 * @EPOLL_TYPE_CONTROL_CONN:	Control client (idx: client slot)
 * @EPOLL_NUM_TYPES:		Number of types, for the name table
 */
enum epoll_type {
	EPOLL_TYPE_NONE = 0,
	EPOLL_TYPE_TAP_LISTEN,
	EPOLL_TYPE_TAP_PASST,
	EPOLL_TYPE_TAP_PASTA,
	EPOLL_TYPE_PASTA_CHILD,
	EPOLL_TYPE_NSQUIT,
	EPOLL_TYPE_TCP,
	EPOLL_TYPE_TCP_LISTEN,
	EPOLL_TYPE_TCP_TIMER,
	EPOLL_TYPE_UDP,
	EPOLL_TYPE_UDP_LISTEN,
	EPOLL_TYPE_PING,
	EPOLL_TYPE_TCP_SPLICE,
	EPOLL_TYPE_NSBROKER,
	EPOLL_TYPE_UDP_SPLICE,
	EPOLL_TYPE_HOSTWATCH_NL,
	EPOLL_TYPE_HOSTWATCH_TIMER,
	EPOLL_TYPE_HOSTWATCH_DNS,
	EPOLL_TYPE_CONTROL,
	EPOLL_TYPE_CONTROL_CONN,
	EPOLL_NUM_TYPES,
};

/**
 * union epoll_ref - The 64-bit tag stored in epoll_data for each fd
 * @type:	One of enum epoll_type
 * @fd:		File descriptor number (fds are below 2^24, see rlimits)
 * @idx:	Index into the flow or socket table, module-defined
 * @u64:	The whole tag, as passed to and from epoll
 */
union epoll_ref {
	struct {
		uint32_t type:8,
			 fd:24;
		uint32_t idx;
	};
	uint64_t u64;
};
static_assert(sizeof(union epoll_ref) == sizeof(uint64_t),
	      "epoll_ref must fit epoll_data");

const char *epoll_type_str(enum epoll_type type);

/**
 * struct ip4_ctx - IPv4 configuration
 * @addr:		Address given to the guest (host's address by default)
 * @addr_seen:		Last source address seen from the guest
 * @prefix_len:		Prefix length of the guest's network
 * @gw:			Default gateway the guest uses (host's gateway)
 * @dns:		DNS servers given to the guest, INADDR_ANY terminated
 * @ifname_out:		--outbound-if4 interface, empty if not given
 * @addr_out:		--outbound source address, INADDR_ANY if not given
 */
struct ip4_ctx {
	struct in_addr addr;
	struct in_addr addr_seen;
	int prefix_len;
	struct in_addr gw;
	struct in_addr dns[DNS_MAX + 1];
	char ifname_out[IFNAMSIZ];
	struct in_addr addr_out;
};

/**
 * struct ip6_ctx - IPv6 configuration
 * @addr:		Global address given to the guest (host's by default)
 * @addr_seen:		Last global source address seen from the guest
 * @addr_ll_seen:	Last link-local source address seen from the guest
 * @our_ll:		Our link-local address, source of NDP and DHCPv6
 * @prefix_len:		Prefix length of the guest's network
 * @gw:			Default gateway the guest uses (host's gateway)
 * @dns:		DNS servers given to the guest, :: terminated
 * @ifname_out:		--outbound-if6 interface, empty if not given
 * @addr_out:		--outbound source address, :: if not given
 */
struct ip6_ctx {
	struct in6_addr addr;
	struct in6_addr addr_seen;
	struct in6_addr addr_ll_seen;
	struct in6_addr our_ll;
	int prefix_len;
	struct in6_addr gw;
	struct in6_addr dns[DNS_MAX + 1];
	char ifname_out[IFNAMSIZ];
	struct in6_addr addr_out;
};

/**
 * struct fwd_spec - One port forwarding option as given, kept for later use
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @inbound:	true for -t/-u, false for -T/-U (pasta: namespace to host)
 * @spec:	The option's argument, verbatim (validated by conf.c)
 */
struct fwd_spec {
	int proto;
	bool inbound;
	char spec[256];
};

#define FWD_SPEC_MAX		64

/**
 * enum tap_stats_proto - Protocols the frame counters are kept for
 * @TAP_STATS_TCP:	TCP over IPv4 or IPv6
 * @TAP_STATS_UDP:	UDP over IPv4 or IPv6 (DHCP included)
 * @TAP_STATS_ICMP:	ICMP and ICMPv6 (NDP included)
 * @TAP_STATS_OTHER:	Anything else (ARP, runts, other ethertypes)
 * @TAP_STATS_PROTOS:	Number of protocols
 */
enum tap_stats_proto {
	TAP_STATS_TCP,
	TAP_STATS_UDP,
	TAP_STATS_ICMP,
	TAP_STATS_OTHER,
	TAP_STATS_PROTOS,
};

/**
 * struct tap_proto_stats - Frame counters of one protocol
 * @frames_in:		Frames received from the guest
 * @bytes_in:		Bytes of those frames
 * @frames_out:		Frames sent to the guest
 * @bytes_out:		Bytes of those frames
 */
struct tap_proto_stats {
	uint64_t frames_in;
	uint64_t bytes_in;
	uint64_t frames_out;
	uint64_t bytes_out;
};

/**
 * struct tap_stats - Counters of the frame path, for logs and tests
 * @frames_in:		Frames received from the guest
 * @bytes_in:		Bytes of those frames
 * @frames_out:		Frames sent to the guest
 * @bytes_out:		Bytes of those frames
 * @drop_short:		Frames dropped: shorter than the headers they claim
 * @drop_ethertype:	Frames dropped: unknown or unhandled ethertype
 * @drop_proto:		Frames dropped: L3/L4 protocol not handled (yet)
 * @drop_malformed:	Frames dropped: inconsistent header fields
 * @drop_out:		Frames to the guest dropped: the guest was not reading
 * @bad_len:		passt: length prefixes out of range (connection reset)
 * @proto:		The frames and bytes above, by protocol (enum
 *			tap_stats_proto), Ethernet header included
 */
struct tap_stats {
	uint64_t frames_in;
	uint64_t bytes_in;
	uint64_t frames_out;
	uint64_t bytes_out;
	uint64_t drop_short;
	uint64_t drop_ethertype;
	uint64_t drop_proto;
	uint64_t drop_malformed;
	uint64_t drop_out;
	uint64_t bad_len;
	struct tap_proto_stats proto[TAP_STATS_PROTOS];
};

/**
 * struct ctx - Execution context, filled by conf.c and start-up, then used
 *		by the loop
 * @mode:		passt or pasta
 * @debug:		-d given
 * @quiet:		-q given
 * @foreground:		Stay in foreground (-f, or pasta spawning a command)
 * @one_off:		passt: exit when the guest disconnects
 * @pid_file:		-P: path of the PID file, empty if none
 * @log_file:		-l: path of the log file, empty if none
 * @log_size:		--log-size, bytes
 * @pcap:		-p: path of the capture file, empty if none
 * @runas_uid:		--runas user, or -1
 * @runas_gid:		--runas group, or -1
 * @epollfd:		The one epoll instance
 * @sock_path:		passt: path of the UNIX socket
 * @fd_tap_listen:	passt: listening UNIX socket, -1 if none
 * @fd_tap:		Connected guest socket (passt) or tap device (pasta)
 * @fd_given:		passt: -F, an already connected socket, -1 if none
 * @control_path:	--control: path of the control socket, empty if none
 * @mtu:		MTU given to the guest
 * @our_mac:		Our MAC address: -M, source of frames to the guest
 * @guest_mac:		Guest's MAC: --ns-mac-addr, or learnt
 * @guest_mac_set:	@guest_mac was given or learnt
 * @ifi4:		Host interface index for IPv4 (template), 0 if none
 * @ifi6:		Host interface index for IPv6 (template), 0 if none
 * @ifname:		-i: template interface given, empty if none
 * @ip4:		IPv4 configuration
 * @ip6:		IPv6 configuration
 * @ipv4_enabled:	IPv4 is served
 * @ipv6_enabled:	IPv6 is served
 * @host_local:		Started in local mode: the host had no default route
 * @addr_may_change:	The guest's addresses may change (local mode, or the
 *			host's changed once): short DHCP leases
 * @no_tcp:		--no-tcp
 * @no_udp:		--no-udp
 * @no_icmp:		--no-icmp
 * @no_dhcp:		--no-dhcp
 * @no_dhcpv6:		--no-dhcpv6
 * @no_ndp:		--no-ndp
 * @no_ra:		--no-ra
 * @no_dhcp_dns:	--no-dhcp-dns
 * @no_dhcp_search:	--no-dhcp-search
 * @no_map_gw:		--no-map-gw
 * @freebind:		--freebind
 * @dns_forward4:	--dns-forward IPv4 address, INADDR_ANY if none
 * @dns_forward6:	--dns-forward IPv6 address, :: if none
 * @dns_host4:		--dns-host IPv4 address, INADDR_ANY if none
 * @dns_host6:		--dns-host IPv6 address, :: if none
 * @map_host_lo4:	--map-host-loopback IPv4, INADDR_ANY if none
 * @map_host_lo6:	--map-host-loopback IPv6, :: if none
 * @map_guest_addr4:	--map-guest-addr IPv4, INADDR_ANY if none
 * @map_guest_addr6:	--map-guest-addr IPv6, :: if none
 * @search:		Domain search list, empty strings terminate
 * @fqdn:		--fqdn, empty if none
 * @fwd:		Port forwarding options as given
 * @fwd_count:		Number of entries in @fwd
 * @pasta_ifname:	pasta: name of the tap device in the namespace
 * @pasta_ifi:		pasta: its interface index
 * @pasta_conf_ns:	pasta: --config-net
 * @netns_path:		pasta: --netns or /proc/PID/ns/net, empty to spawn
 * @userns_path:	pasta: --userns or /proc/PID/ns/user, empty if none
 * @netns_only:		pasta: --netns-only, don't join a user namespace
 * @no_netns_quit:	pasta: --no-netns-quit
 * @no_splice:		pasta: --no-splice
 * @pasta_mac_set:	pasta: --ns-mac-addr given (in @guest_mac)
 * @pasta_netns_fd:	pasta: fd of the target network namespace
 * @pasta_userns_fd:	pasta: fd of the target user namespace, or -1
 * @pasta_child_pid:	pasta: PID of the spawned command, 0 if none
 * @pasta_argv:		pasta: command to spawn, NULL for the default shell
 * @fd_pasta_child:	pasta: pidfd of the spawned command, -1 if none
 * @stats:		Frame path counters
 * @now:		Monotonic time read right after the last epoll_wait():
 *			for handlers called from tap.c's frame dispatch
 */
struct ctx {
	enum passt_mode mode;
	bool debug;
	bool quiet;
	bool foreground;
	bool one_off;
	char pid_file[PATH_MAX];
	char log_file[PATH_MAX];
	size_t log_size;
	char pcap[PATH_MAX];
	long runas_uid;
	long runas_gid;

	int epollfd;

	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd_tap_listen;
	int fd_tap;
	int fd_given;
	char control_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

	int mtu;
	uint8_t our_mac[ETH_ADDR_LEN];
	uint8_t guest_mac[ETH_ADDR_LEN];
	bool guest_mac_set;

	unsigned int ifi4;
	unsigned int ifi6;
	char ifname[IFNAMSIZ];
	struct ip4_ctx ip4;
	struct ip6_ctx ip6;
	bool ipv4_enabled;
	bool ipv6_enabled;
	bool host_local;
	bool addr_may_change;

	bool no_tcp;
	bool no_udp;
	bool no_icmp;
	bool no_dhcp;
	bool no_dhcpv6;
	bool no_ndp;
	bool no_ra;
	bool no_dhcp_dns;
	bool no_dhcp_search;
	bool no_map_gw;
	bool freebind;

	struct in_addr dns_forward4;
	struct in6_addr dns_forward6;
	struct in_addr dns_host4;
	struct in6_addr dns_host6;
	struct in_addr map_host_lo4;
	struct in6_addr map_host_lo6;
	struct in_addr map_guest_addr4;
	struct in6_addr map_guest_addr6;

	char search[SEARCH_MAX][SEARCH_LEN];
	char fqdn[256];

	struct fwd_spec fwd[FWD_SPEC_MAX];
	int fwd_count;

	char pasta_ifname[IFNAMSIZ];
	unsigned int pasta_ifi;
	bool pasta_conf_ns;
	char netns_path[PATH_MAX];
	char userns_path[PATH_MAX];
	bool netns_only;
	bool no_netns_quit;
	bool no_splice;
	bool pasta_mac_set;
	int pasta_netns_fd;
	int pasta_userns_fd;
	pid_t pasta_child_pid;
	char **pasta_argv;
	int fd_pasta_child;

	struct tap_stats stats;
	struct timespec now;
};

#endif /* PASST_H */
