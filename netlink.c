// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink.c - rtnetlink queries of the host, configuration of the namespace */

/**
 * DOC: Theory of Operation
 *
 * Two NETLINK_ROUTE sockets, one per enum nl_target: NL_HOST talks to the
 * network namespace the daemon runs in, NL_NS (pasta only) to the guest's
 * namespace. A netlink socket stays bound to the namespace it was created
 * in, so nl_sock_init() must be called from a thread that is inside the
 * namespace at that moment; the descriptor is then usable from anywhere.
 *
 * Every exchange is synchronous and goes through nl_do(): the request is
 * built in one static buffer (nl_req_start(), nl_attr_put()), sent with the
 * next sequence number, and replies are read into another static buffer
 * until the end of the exchange for that sequence number:
 *
 * - dumps (NLM_F_DUMP) end with NLMSG_DONE, which may carry an error, or
 *   with an NLMSG_ERROR;
 * - everything else is sent with NLM_F_ACK and ends with NLMSG_ERROR, whose
 *   error field is 0 for an acknowledgement or a negative errno.
 *
 * Messages carrying another sequence number (left over from an exchange that
 * was abandoned), and datagrams not sent by the kernel, are skipped. Data
 * messages of the exchange are handed to a parser for the request, which
 * records what it looks for in a selection structure on the caller's stack.
 * Errors the kernel reports are returned as they are, so callers can tell
 * -EEXIST or -ENODEV from a failure.
 *
 * Nothing is allocated: both buffers are static, sized for the largest
 * request we build and for the largest datagram the kernel sends on a
 * netlink socket (it caps dump datagrams at 32 KiB; a larger one is reported
 * as -EMSGSIZE rather than parsed truncated). Every length the kernel claims
 * (message, family header, attribute, nexthop) is checked against the bytes
 * actually received before it is used, and family headers and attribute
 * payloads are copied into typed locals. The number of datagrams read per
 * exchange is bounded (NL_RECV_MAX), and SO_RCVTIMEO turns a reply that
 * never comes into -ETIMEDOUT instead of a hang.
 *
 * Sockets are opened at start-up, before the sandbox. Queries and changes
 * (nl_do()) also run from the loop when hostwatch.c follows the host's
 * network: nl_send() and nl_recv() carry #syscalls notes for that. A third
 * socket, from nl_monitor_open(), only listens to the kernel's multicast
 * notifications of address, route and link changes; nl_monitor_drain()
 * reads them out without parsing them: they only say "look again".
 *
 * Limits:
 * - an exchange abandoned on a local error (-EMSGSIZE, -EPROTO, -ETIMEDOUT:
 *   none of them expected from a working kernel) is not drained: its late
 *   replies are skipped by sequence number, but the kernel refuses a new
 *   dump on that socket (-EBUSY) until an old one has been read out;
 * - dumps interrupted by a concurrent change (NLM_F_DUMP_INTR) are used as
 *   they are: the change that interrupted them also sends a notification,
 *   and hostwatch.c then looks again;
 * - routes that only refer to a nexthop object (RTA_NH_ID, with the kernel's
 *   nexthop_compat_mode disabled) carry no interface or gateway and are not
 *   seen by nl_get_ext_if() and nl_route_get_gw();
 * - IPv4 routes with an IPv6 gateway (RTA_VIA) have no usable gateway for
 *   nl_route_get_gw().
 */

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "netlink.h"
#include "util.h"

/* Request buffer: large enough for any request built in this file */
#define NL_REQ_SIZE		512

/* Receive buffer: the kernel sends at most 32 KiB per dump datagram */
#define NL_RCV_SIZE		65536

/* Receive buffer size asked for each socket (the kernel doubles it) */
#define NL_SOCK_RCVBUF		(256 * 1024)

/* Seconds a single recvfrom() may wait for the kernel */
#define NL_RCV_TIMEOUT		5

/* Datagrams read per exchange, at most: 64 Ki datagrams of up to 32 KiB */
#define NL_RECV_MAX		65536

/* sendto() or recvfrom() calls in a row, at most, interrupted by signals */
#define NL_EINTR_TRIES		3

/* Highest errno the kernel reports (MAX_ERRNO in the kernel's err.h) */
#define NL_ERRNO_MAX		4095

/* Largest address we handle (IPv6), in bytes */
#define NL_ADDR_MAX		sizeof(struct in6_addr)

/* File descriptor of the socket for each enum nl_target, -1 if not open */
static int nl_sock[] = { [NL_HOST] = -1, [NL_NS] = -1 };

/* Sequence number of the last request sent, on either socket */
static uint32_t nl_seq;

static char nl_req[NL_REQ_SIZE]
	__attribute__((aligned(__alignof__(struct nlmsghdr))));
static char nl_rcv[NL_RCV_SIZE]
	__attribute__((aligned(__alignof__(struct nlmsghdr))));

/**
 * struct nl_route_sel - What the route parser looks for, and what it found
 * @af:		Address family, AF_INET or AF_INET6
 * @ifi:	Only paths through this interface index, 0 for any
 * @want_gw:	Only paths that have a gateway (RTA_GATEWAY)
 * @found:	A matching default route was seen, fields below are valid
 * @metric:	Priority (RTA_PRIORITY) of the route found, lowest wins
 * @oif:	Output interface of the path found
 * @gw:		Gateway of the path found, if @want_gw: struct in_addr or
 *		struct in6_addr
 */
struct nl_route_sel {
	sa_family_t af;
	unsigned int ifi;
	bool want_gw;

	bool found;
	uint32_t metric;
	unsigned int oif;
	uint8_t gw[NL_ADDR_MAX];
};

/**
 * enum nl_addr_rank - How well a global address suits the guest
 * @NL_ADDR_NONE:	No global address seen yet
 * @NL_ADDR_FALLBACK:	Deprecated, temporary or failed duplicate detection
 * @NL_ADDR_PREFERRED:	Anything else: stops the search
 */
enum nl_addr_rank {
	NL_ADDR_NONE = 0,
	NL_ADDR_FALLBACK,
	NL_ADDR_PREFERRED,
};

/**
 * struct nl_addr_sel - What the address parser looks for, and what it found
 * @af:		Address family, AF_INET or AF_INET6
 * @ifi:	Interface index
 * @want_ll:	Also look for an IPv6 link-local address
 * @rank:	Rank of the global address in @addr, NL_ADDR_NONE if none
 * @addr:	Global address: struct in_addr or struct in6_addr
 * @prefix_len:	Prefix length of @addr
 * @ll_found:	@ll is valid
 * @ll:		First IPv6 link-local address
 */
struct nl_addr_sel {
	sa_family_t af;
	unsigned int ifi;
	bool want_ll;

	enum nl_addr_rank rank;
	uint8_t addr[NL_ADDR_MAX];
	int prefix_len;
	bool ll_found;
	struct in6_addr ll;
};

/**
 * struct nl_link_info - What the link parser found
 * @found:	A link message was seen, @ifindex is valid
 * @ifindex:	Interface index from the message
 * @has_mac:	@mac is valid (IFLA_ADDRESS of Ethernet length)
 * @mac:	Hardware address
 * @has_mtu:	@mtu is valid
 * @mtu:	MTU (IFLA_MTU)
 */
struct nl_link_info {
	bool found;
	int ifindex;
	bool has_mac;
	uint8_t mac[ETH_ADDR_LEN];
	bool has_mtu;
	uint32_t mtu;
};

/**
 * nl_addr_len() - Size of an address of the given family
 * @af:		Address family
 *
 * Return: 4 for AF_INET, 16 for AF_INET6, 0 for anything else
 */
static size_t nl_addr_len(sa_family_t af)
{
	if (af == AF_INET)
		return sizeof(struct in_addr);
	if (af == AF_INET6)
		return sizeof(struct in6_addr);
	return 0;
}

/**
 * nl_fd() - Socket for a target
 * @t:		Target namespace
 *
 * Return: file descriptor, or -EBADF if that socket is not open
 */
static int nl_fd(enum nl_target t)
{
	if ((unsigned int)t >= ARRAY_SIZE(nl_sock) || nl_sock[t] < 0)
		return -EBADF;
	return nl_sock[t];
}

/**
 * nl_sock_fd() - Socket of a target, for a process that keeps only that one
 * @t:		Target namespace
 *
 * Return: file descriptor, or -EBADF if that socket is not open
 */
int nl_sock_fd(enum nl_target t)
{
	return nl_fd(t);
}

/**
 * nl_ifi_ok() - Check that an interface index fits the kernel's signed field
 * @ifi:	Interface index
 *
 * Return: true if @ifi is non-zero and at most INT_MAX
 */
static bool nl_ifi_ok(unsigned int ifi)
{
	return ifi && ifi <= INT_MAX;
}

/**
 * nl_ifa_len() - Check the arguments of an address request
 * @ifi:	Interface index
 * @af:		Address family
 * @prefix_len:	Prefix length
 *
 * Return: length of an address of @af, 0 if any argument is out of range
 */
static size_t nl_ifa_len(unsigned int ifi, sa_family_t af, int prefix_len)
{
	size_t alen = nl_addr_len(af);

	if (!alen || !nl_ifi_ok(ifi) ||
	    prefix_len < 0 || (size_t)prefix_len > alen * 8)
		return 0;
	return alen;
}

/**
 * nl_req_start() - Start a request in the request buffer
 * @type:	Message type, RTM_*
 * @flags:	Flags besides NLM_F_REQUEST: NLM_F_DUMP, or NLM_F_ACK and others
 * @hdr:	Family header (struct rtmsg, ifinfomsg, ifaddrmsg)
 * @hdrlen:	Size of @hdr
 *
 * Return: the message header, in the request buffer
 */
static struct nlmsghdr *nl_req_start(uint16_t type, uint16_t flags,
				     const void *hdr, size_t hdrlen)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)nl_req;

	ASSERT(NLMSG_SPACE(hdrlen) <= sizeof(nl_req));

	memset(nl_req, 0, sizeof(nl_req));
	nh->nlmsg_len = NLMSG_SPACE(hdrlen);
	nh->nlmsg_type = type;
	nh->nlmsg_flags = NLM_F_REQUEST | flags;
	memcpy(nl_req + NLMSG_HDRLEN, hdr, hdrlen);

	return nh;
}

/**
 * nl_attr_put() - Append an attribute to the request being built
 * @nh:		Message header, from nl_req_start()
 * @type:	Attribute type
 * @data:	Payload
 * @len:	Length of @data
 *
 * The requests in this file have a fixed, small set of attributes, so running
 * out of room is a bug, not a run-time condition.
 */
static void nl_attr_put(struct nlmsghdr *nh, unsigned short type,
			const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(nh->nlmsg_len);
	struct rtattr rta;

	ASSERT(len <= USHRT_MAX - RTA_LENGTH(0));
	ASSERT(off <= sizeof(nl_req) && RTA_SPACE(len) <= sizeof(nl_req) - off);

	rta.rta_len = RTA_LENGTH(len);
	rta.rta_type = type;
	memcpy(nl_req + off, &rta, sizeof(rta));
	memcpy(nl_req + off + RTA_LENGTH(0), data, len);

	nh->nlmsg_len = off + RTA_SPACE(len);
}

/**
 * nl_attr_put_u32() - Append a 32-bit attribute to the request being built
 * @nh:		Message header, from nl_req_start()
 * @type:	Attribute type
 * @val:	Value, host order
 */
static void nl_attr_put_u32(struct nlmsghdr *nh, unsigned short type,
			    uint32_t val)
{
	nl_attr_put(nh, type, &val, sizeof(val));
}

/**
 * nl_attr_walk() - Index a run of attributes by type
 * @p:		First attribute
 * @len:	Bytes from @p that hold attributes
 * @tb:		Table to fill, @max + 1 entries, set to NULL where absent
 * @max:	Highest attribute type recorded, others are skipped
 *
 * Stops at the first attribute whose claimed length is below the attribute
 * header or beyond @len. If a type repeats, the first one is kept.
 */
static void nl_attr_walk(const char *p, size_t len, const struct rtattr **tb,
			 unsigned int max)
{
	memset(tb, 0, (max + 1) * sizeof(*tb));

	while (len >= sizeof(struct rtattr)) {
		const struct rtattr *rta = (const struct rtattr *)p;
		unsigned int type = rta->rta_type & NLA_TYPE_MASK;
		size_t step;

		if (rta->rta_len < sizeof(*rta) || rta->rta_len > len)
			return;

		if (type <= max && !tb[type])
			tb[type] = rta;

		step = RTA_ALIGN(rta->rta_len);
		if (step >= len)
			return;
		p += step;
		len -= step;
	}
}

/**
 * nl_attr_get() - Copy an attribute's payload of an exact size
 * @rta:	Attribute, may be NULL
 * @dst:	Destination
 * @len:	Size of @dst, and the payload length required
 *
 * Return: true if @rta is present and its payload is @len bytes, copied
 */
static bool nl_attr_get(const struct rtattr *rta, void *dst, size_t len)
{
	if (!rta || rta->rta_len != RTA_LENGTH(len))
		return false;

	memcpy(dst, (const char *)rta + RTA_LENGTH(0), len);
	return true;
}

/**
 * nl_msg_parse() - Check a message's length, copy its family header, index
 *		    its attributes
 * @nh:		Message, whose nlmsg_len was checked against the datagram
 * @hdr:	Family header, filled
 * @hdrlen:	Size of @hdr
 * @tb:		Attribute table to fill, @max + 1 entries
 * @max:	Highest attribute type recorded
 *
 * Return: true if the message holds the whole family header
 */
static bool nl_msg_parse(const struct nlmsghdr *nh, void *hdr, size_t hdrlen,
			 const struct rtattr **tb, unsigned int max)
{
	size_t off = NLMSG_SPACE(hdrlen);

	if (nh->nlmsg_len < NLMSG_LENGTH(hdrlen))
		return false;

	memcpy(hdr, (const char *)nh + NLMSG_HDRLEN, hdrlen);
	if (nh->nlmsg_len > off)
		nl_attr_walk((const char *)nh + off, nh->nlmsg_len - off,
			     tb, max);
	else
		nl_attr_walk(NULL, 0, tb, max);

	return true;
}

/**
 * nl_msg_error() - Error carried by an NLMSG_ERROR or NLMSG_DONE message
 * @nh:		Message, whose nlmsg_len was checked against the datagram
 *
 * Return: 0 (acknowledgement, or end of dump), or a negative errno; -EPROTO
 *	   if an NLMSG_ERROR is too short or its error is not 0 or -errno
 */
static int nl_msg_error(const struct nlmsghdr *nh)
{
	int error;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(error)))
		return nh->nlmsg_type == NLMSG_DONE ? 0 : -EPROTO;

	memcpy(&error, (const char *)nh + NLMSG_HDRLEN, sizeof(error));
	if (error > 0 || error < -NL_ERRNO_MAX)
		return -EPROTO;

	return error;
}

/**
 * nl_send() - Send the request in the request buffer with a new sequence
 * @fd:		Netlink socket
 * @nh:		Request, from nl_req_start(): nlmsg_seq is set here
 *
 * Return: 0 on success, negative errno on failure
 *
 * #syscalls sendto
 */
static int nl_send(int fd, struct nlmsghdr *nh)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	unsigned int tries = 0;
	ssize_t n;

	if (!++nl_seq)
		nl_seq++;
	nh->nlmsg_seq = nl_seq;
	nh->nlmsg_pid = 0;

	do {
		n = sendto(fd, nh, nh->nlmsg_len, 0,
			   (struct sockaddr *)&kernel, sizeof(kernel));
	} while (n < 0 && errno == EINTR && ++tries < NL_EINTR_TRIES);

	if (n < 0)
		return -errno;
	if ((size_t)n != nh->nlmsg_len)
		return -EIO;

	return 0;
}

/**
 * nl_recv() - Read one datagram from the kernel into the receive buffer
 * @fd:		Netlink socket
 *
 * Datagrams whose sender is not the kernel are read and reported as empty.
 *
 * Return: bytes read (0 for a datagram to skip), -EMSGSIZE if it did not fit
 *	   the buffer, -ETIMEDOUT if the kernel did not answer, negative errno
 *	   on other failures
 *
 * #syscalls recvfrom
 */
static ssize_t nl_recv(int fd)
{
	unsigned int tries = 0;
	struct sockaddr_nl sa;
	socklen_t sl;
	ssize_t n;

	do {
		sl = sizeof(sa);
		memset(&sa, 0, sizeof(sa));
		n = recvfrom(fd, nl_rcv, sizeof(nl_rcv), MSG_TRUNC,
			     (struct sockaddr *)&sa, &sl);
	} while (n < 0 && errno == EINTR && ++tries < NL_EINTR_TRIES);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -ETIMEDOUT;
		return -errno;
	}

	if ((size_t)n > sizeof(nl_rcv)) {
		debug("netlink: reply of %zi bytes truncated", n);
		return -EMSGSIZE;
	}

	if (sl < sizeof(sa) || sa.nl_family != AF_NETLINK || sa.nl_pid)
		return 0;

	return n;
}

/**
 * nl_do() - Send the request in the request buffer, read and parse replies
 * @t:		Target namespace
 * @nh:		Request, from nl_req_start() and nl_attr_put()
 * @parse:	Called for each data message of the reply, may be NULL
 * @arg:	Passed to @parse
 *
 * Return: 0 on success, negative errno from the kernel or from the socket,
 *	   -EBADF if the socket for @t is not open, -EPROTO on a message
 *	   whose claimed length does not fit the datagram, -ENOBUFS if the
 *	   exchange did not end within NL_RECV_MAX datagrams
 */
static int nl_do(enum nl_target t, struct nlmsghdr *nh,
		 void (*parse)(const struct nlmsghdr *m, void *arg), void *arg)
{
	bool dump = (nh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	int fd = nl_fd(t), rc;
	unsigned int reads;
	uint32_t seq;

	if (fd < 0)
		return fd;

	if ((rc = nl_send(fd, nh)))
		return rc;
	seq = nh->nlmsg_seq;

	for (reads = 0; reads < NL_RECV_MAX; reads++) {
		ssize_t n = nl_recv(fd);
		size_t off, step;

		if (n < 0)
			return (int)n;

		for (off = 0; off < (size_t)n; off += step) {
			const struct nlmsghdr *m;
			size_t left = (size_t)n - off;

			m = (const struct nlmsghdr *)(nl_rcv + off);
			if (left < sizeof(*m) || m->nlmsg_len < sizeof(*m) ||
			    m->nlmsg_len > left) {
				debug("netlink: malformed reply, %zu bytes "
				      "left at offset %zu", left, off);
				return -EPROTO;
			}
			step = NLMSG_ALIGN(m->nlmsg_len);

			if (m->nlmsg_seq != seq)
				continue;

			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				debug("netlink: dump interrupted by a change");

			if (m->nlmsg_type == NLMSG_ERROR)
				return nl_msg_error(m);

			if (m->nlmsg_type == NLMSG_DONE)
				return dump ? nl_msg_error(m) : 0;

			if (m->nlmsg_type < NLMSG_MIN_TYPE)
				continue;	/* NLMSG_NOOP, NLMSG_OVERRUN */

			if (parse)
				parse(m, arg);
		}
	}

	debug("netlink: no end of reply after %u datagrams", reads);
	return -ENOBUFS;
}

/**
 * nl_sock_init() - Open the netlink socket for a target in the current
 *		    network namespace
 * @t:		Target the socket serves: the caller is in that namespace
 *
 * A socket already open for @t is closed and replaced.
 *
 * Return: 0 on success, negative errno on failure
 */
int nl_sock_init(enum nl_target t)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = NL_RCV_TIMEOUT };
	int fd, rc, one = 1, rcvbuf = NL_SOCK_RCVBUF;

	if ((unsigned int)t >= ARRAY_SIZE(nl_sock))
		return -EINVAL;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;

	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = -errno;
		goto out_close_fd;
	}

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		rc = -errno;
		goto out_close_fd;
	}

	/* A smaller buffer still works: dumps wait for room */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		debug_perror("netlink: can't set SO_RCVBUF");

	/* Kernels before 4.20: dumps are not filtered, parsers check anyway */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK,
		       &one, sizeof(one)))
		debug_perror("netlink: no strict checking");

	if (nl_sock[t] >= 0)
		close(nl_sock[t]);
	nl_sock[t] = fd;

	return 0;

out_close_fd:
	close(fd);
	return rc;
}

/**
 * nl_route_path() - Consider one path of a default route
 * @sel:	Selection to update
 * @ifindex:	Output interface of the path
 * @gw:		Gateway attribute of the path, may be NULL
 * @metric:	Priority of the route
 *
 * Return: true if the path matches @sel, whether or not it was kept
 */
static bool nl_route_path(struct nl_route_sel *sel, unsigned int ifindex,
			  const struct rtattr *gw, uint32_t metric)
{
	uint8_t addr[NL_ADDR_MAX];
	bool has_gw;

	if (!ifindex || (sel->ifi && ifindex != sel->ifi))
		return false;

	has_gw = nl_attr_get(gw, addr, nl_addr_len(sel->af));
	if (sel->want_gw && !has_gw)
		return false;

	if (sel->found && metric >= sel->metric)
		return true;

	sel->found = true;
	sel->metric = metric;
	sel->oif = ifindex;
	if (has_gw)
		memcpy(sel->gw, addr, nl_addr_len(sel->af));

	return true;
}

/**
 * nl_route_multipath() - Consider the paths of a multipath default route
 * @sel:	Selection to update
 * @mp:		RTA_MULTIPATH attribute: struct rtnexthop array
 * @metric:	Priority of the route
 *
 * Only the first path matching @sel is considered: with no interface given,
 * that is the first path of the route.
 */
static void nl_route_multipath(struct nl_route_sel *sel,
			       const struct rtattr *mp, uint32_t metric)
{
	const char *p = (const char *)mp + RTA_LENGTH(0);
	size_t len = mp->rta_len - RTA_LENGTH(0);

	while (len >= sizeof(struct rtnexthop)) {
		const struct rtattr *tb[RTA_MAX + 1];
		struct rtnexthop rtnh;
		size_t step;

		memcpy(&rtnh, p, sizeof(rtnh));
		if (rtnh.rtnh_len < sizeof(rtnh) || rtnh.rtnh_len > len)
			return;

		nl_attr_walk(p + RTNH_LENGTH(0), rtnh.rtnh_len - RTNH_LENGTH(0),
			     tb, RTA_MAX);
		if (rtnh.rtnh_ifindex > 0 &&
		    nl_route_path(sel, rtnh.rtnh_ifindex, tb[RTA_GATEWAY],
				  metric))
			return;

		step = RTNH_ALIGN(rtnh.rtnh_len);
		if (step >= len)
			return;
		p += step;
		len -= step;
	}
}

/**
 * nl_route_parse() - Parse one message of a route dump
 * @nh:		Message
 * @arg:	struct nl_route_sel
 *
 * Only unicast default routes of the main table, for the selected family,
 * are considered.
 */
static void nl_route_parse(const struct nlmsghdr *nh, void *arg)
{
	struct nl_route_sel *sel = (struct nl_route_sel *)arg;
	const struct rtattr *tb[RTA_MAX + 1];
	uint32_t table, metric = 0, oif;
	struct rtmsg rtm;

	if (nh->nlmsg_type != RTM_NEWROUTE ||
	    !nl_msg_parse(nh, &rtm, sizeof(rtm), tb, RTA_MAX))
		return;

	if (rtm.rtm_family != sel->af || rtm.rtm_dst_len ||
	    rtm.rtm_type != RTN_UNICAST || (rtm.rtm_flags & RTM_F_CLONED))
		return;

	if (!nl_attr_get(tb[RTA_TABLE], &table, sizeof(table)))
		table = rtm.rtm_table;
	if (table != RT_TABLE_MAIN)
		return;

	nl_attr_get(tb[RTA_PRIORITY], &metric, sizeof(metric));

	if (nl_attr_get(tb[RTA_OIF], &oif, sizeof(oif)))
		nl_route_path(sel, oif, tb[RTA_GATEWAY], metric);
	else if (tb[RTA_MULTIPATH])
		nl_route_multipath(sel, tb[RTA_MULTIPATH], metric);
}

/**
 * nl_route_dump() - Find the default route of lowest metric for a selection
 * @t:		Target namespace
 * @sel:	Selection, with @af, @ifi, @want_gw set, results filled
 *
 * Return: 0 on success (whether or not a route was found), negative errno
 */
static int nl_route_dump(enum nl_target t, struct nl_route_sel *sel)
{
	struct rtmsg rtm = {
		.rtm_family	= sel->af,
		.rtm_table	= RT_TABLE_MAIN,	/* strict check filter */
	};
	struct nlmsghdr *nh;
	int rc;

	nh = nl_req_start(RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm));
	rc = nl_do(t, nh, nl_route_parse, sel);

	/* With strict checking, IPv4 reports a main table that was never
	 * created (no route was ever added) as -ENOENT: that's no route
	 */
	return rc == -ENOENT ? 0 : rc;
}

/**
 * nl_get_ext_if() - Interface of the host's default route for a family
 * @af:		AF_INET or AF_INET6
 *
 * Among unicast default routes of the main table, the one with the lowest
 * metric wins; for a multipath route, its first path.
 *
 * Return: interface index, 0 if there is no default route or on failure
 */
unsigned int nl_get_ext_if(sa_family_t af)
{
	struct nl_route_sel sel = { .af = af };
	int rc;

	if (!nl_addr_len(af))
		return 0;

	if ((rc = nl_route_dump(NL_HOST, &sel))) {
		debug("netlink: can't dump routes: %s", strerror(-rc));
		return 0;
	}

	return sel.found ? sel.oif : 0;
}

/**
 * nl_route_get_gw() - Gateway of the default route through an interface
 * @t:		Target namespace
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @gw:		Gateway, set on success: struct in_addr or struct in6_addr
 *
 * If several default routes through @ifi have a gateway, the one with the
 * lowest metric wins.
 *
 * Return: 0 on success, -ENOENT if there is no such route, -EINVAL on bad
 *	   arguments, negative errno on failure
 */
int nl_route_get_gw(enum nl_target t, unsigned int ifi, sa_family_t af,
		    void *gw)
{
	struct nl_route_sel sel = { .af = af, .ifi = ifi, .want_gw = true };
	int rc;

	if (!nl_addr_len(af) || !nl_ifi_ok(ifi))
		return -EINVAL;

	if ((rc = nl_route_dump(t, &sel)))
		return rc;

	if (!sel.found)
		return -ENOENT;

	memcpy(gw, sel.gw, nl_addr_len(af));
	return 0;
}

/**
 * nl_addr_parse() - Parse one message of an address dump
 * @nh:		Message
 * @arg:	struct nl_addr_sel
 */
static void nl_addr_parse(const struct nlmsghdr *nh, void *arg)
{
	struct nl_addr_sel *sel = (struct nl_addr_sel *)arg;
	const struct rtattr *tb[IFA_MAX + 1], *a;
	size_t alen = nl_addr_len(sel->af);
	struct ifaddrmsg ifa;
	struct in6_addr addr;
	enum nl_addr_rank r;
	uint32_t flags;

	if (nh->nlmsg_type != RTM_NEWADDR ||
	    !nl_msg_parse(nh, &ifa, sizeof(ifa), tb, IFA_MAX))
		return;

	if (ifa.ifa_family != sel->af || ifa.ifa_index != sel->ifi)
		return;

	/* IFA_ADDRESS is the peer on point-to-point links, if IFA_LOCAL is
	 * there, it's ours (both families). For IPv4, @addr holds a struct
	 * in_addr in its first bytes.
	 */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!nl_attr_get(a, &addr, alen))
		return;

	if (!nl_attr_get(tb[IFA_FLAGS], &flags, sizeof(flags)))
		flags = ifa.ifa_flags;

	if (sel->af == AF_INET6 && sel->want_ll && !sel->ll_found &&
	    IN6_IS_ADDR_LINKLOCAL(&addr)) {
		sel->ll = addr;
		sel->ll_found = true;
		return;
	}

	if (ifa.ifa_scope != RT_SCOPE_UNIVERSE)
		return;

	/* For IPv4, the same bit as IFA_F_TEMPORARY marks secondary addresses:
	 * the primary one comes first in dumps anyway
	 */
	if (flags & (IFA_F_DEPRECATED | IFA_F_TEMPORARY | IFA_F_DADFAILED))
		r = NL_ADDR_FALLBACK;
	else
		r = NL_ADDR_PREFERRED;

	if (r <= sel->rank)
		return;

	sel->rank = r;
	memcpy(sel->addr, &addr, alen);
	sel->prefix_len = ifa.ifa_prefixlen;
}

/**
 * nl_addr_get() - Global address, and IPv6 link-local one, of an interface
 * @t:		Target namespace
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @addr:	Global address, set (zero if none): struct in_addr or in6_addr
 * @prefix_len:	Prefix length of @addr, set (0 if none), may be NULL
 * @addr_ll:	AF_INET6: first link-local address, set (zero if none); may
 *		be NULL, ignored for AF_INET
 *
 * The global address is the first one of universe scope that is not
 * deprecated, temporary or failed duplicate detection; failing that, the
 * first one of universe scope.
 *
 * Return: 0 if a global or a requested link-local address was found,
 *	   -ENOENT if neither, -EINVAL on bad arguments, negative errno on
 *	   failure
 */
int nl_addr_get(enum nl_target t, unsigned int ifi, sa_family_t af,
		void *addr, int *prefix_len, struct in6_addr *addr_ll)
{
	struct nl_addr_sel sel = {
		.af		= af,
		.ifi		= ifi,
		.want_ll	= af == AF_INET6 && addr_ll,
	};
	struct ifaddrmsg ifa = {
		.ifa_family	= af,
		.ifa_index	= ifi,		/* strict check filter */
	};
	struct nlmsghdr *nh;
	int rc;

	if (!nl_addr_len(af) || !nl_ifi_ok(ifi))
		return -EINVAL;

	nh = nl_req_start(RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	if ((rc = nl_do(t, nh, nl_addr_parse, &sel)))
		return rc;

	memcpy(addr, sel.addr, nl_addr_len(af));
	if (prefix_len)
		*prefix_len = sel.prefix_len;
	if (sel.want_ll)
		*addr_ll = sel.ll;

	if (sel.rank == NL_ADDR_NONE && !sel.ll_found)
		return -ENOENT;

	return 0;
}

/**
 * nl_link_parse() - Parse a link message
 * @nh:		Message
 * @arg:	struct nl_link_info
 */
static void nl_link_parse(const struct nlmsghdr *nh, void *arg)
{
	struct nl_link_info *info = (struct nl_link_info *)arg;
	const struct rtattr *tb[IFLA_MAX + 1];
	struct ifinfomsg ifm;

	if (nh->nlmsg_type != RTM_NEWLINK || info->found ||
	    !nl_msg_parse(nh, &ifm, sizeof(ifm), tb, IFLA_MAX))
		return;

	info->found = true;
	info->ifindex = ifm.ifi_index;
	info->has_mac = nl_attr_get(tb[IFLA_ADDRESS], info->mac,
				    sizeof(info->mac));
	info->has_mtu = nl_attr_get(tb[IFLA_MTU], &info->mtu,
				    sizeof(info->mtu));
}

/**
 * nl_link_get() - Query one link, by index or by name
 * @t:		Target namespace
 * @ifi:	Interface index, 0 to look up @name
 * @name:	Interface name if @ifi is 0, NULL otherwise
 * @info:	What was found, filled
 *
 * Return: 0 on success, negative errno on failure (-ENODEV: no such link)
 */
static int nl_link_get(enum nl_target t, unsigned int ifi, const char *name,
		       struct nl_link_info *info)
{
	struct ifinfomsg ifm = {
		.ifi_family	= AF_UNSPEC,
		.ifi_index	= (int)ifi,
	};
	struct nlmsghdr *nh;
	int rc;

	memset(info, 0, sizeof(*info));

	nh = nl_req_start(RTM_GETLINK, NLM_F_ACK, &ifm, sizeof(ifm));
	if (name)
		nl_attr_put(nh, IFLA_IFNAME, name, strlen(name) + 1);

	if ((rc = nl_do(t, nh, nl_link_parse, info)))
		return rc;

	return info->found ? 0 : -ENODEV;
}

/**
 * nl_link_get_mac() - Hardware address of a link
 * @t:		Target namespace
 * @ifi:	Interface index
 * @mac:	Hardware address, set on success
 *
 * Return: 0 on success, -ENOENT if the link has no Ethernet address,
 *	   -EINVAL on bad arguments, negative errno on failure
 */
int nl_link_get_mac(enum nl_target t, unsigned int ifi,
		    uint8_t mac[ETH_ADDR_LEN])
{
	struct nl_link_info info;
	int rc;

	if (!nl_ifi_ok(ifi))
		return -EINVAL;

	if ((rc = nl_link_get(t, ifi, NULL, &info)))
		return rc;

	if (!info.has_mac)
		return -ENOENT;

	memcpy(mac, info.mac, ETH_ADDR_LEN);
	return 0;
}

/**
 * nl_link_get_mtu() - MTU of a link
 * @t:		Target namespace
 * @ifi:	Interface index
 *
 * Return: MTU on success, -ENOENT if the kernel didn't report it, -EINVAL on
 *	   bad arguments, negative errno on failure
 */
int nl_link_get_mtu(enum nl_target t, unsigned int ifi)
{
	struct nl_link_info info;
	int rc;

	if (!nl_ifi_ok(ifi))
		return -EINVAL;

	if ((rc = nl_link_get(t, ifi, NULL, &info)))
		return rc;

	if (!info.has_mtu || info.mtu > INT_MAX)
		return -ENOENT;

	return (int)info.mtu;
}

/**
 * nl_link_set() - Change a link with RTM_NEWLINK
 * @t:		Target namespace
 * @ifi:	Interface index
 * @flags:	Interface flags to set (ifi_flags)
 * @change:	Interface flags to change (ifi_change)
 * @type:	Attribute to set, if @data is given
 * @data:	Attribute payload, NULL for none
 * @len:	Length of @data
 *
 * Return: 0 on success, -EINVAL on bad arguments, negative errno on failure
 */
static int nl_link_set(enum nl_target t, unsigned int ifi,
		       unsigned int flags, unsigned int change,
		       unsigned short type, const void *data, size_t len)
{
	struct ifinfomsg ifm = {
		.ifi_family	= AF_UNSPEC,
		.ifi_index	= (int)ifi,
		.ifi_flags	= flags,
		.ifi_change	= change,
	};
	struct nlmsghdr *nh;

	if (!nl_ifi_ok(ifi))
		return -EINVAL;

	nh = nl_req_start(RTM_NEWLINK, NLM_F_ACK, &ifm, sizeof(ifm));
	if (data)
		nl_attr_put(nh, type, data, len);

	return nl_do(t, nh, NULL, NULL);
}

/**
 * nl_link_set_mac() - Set the hardware address of a link
 * @t:		Target namespace
 * @ifi:	Interface index
 * @mac:	Hardware address
 *
 * Return: 0 on success, -EINVAL on bad arguments, negative errno on failure
 */
int nl_link_set_mac(enum nl_target t, unsigned int ifi,
		    const uint8_t mac[ETH_ADDR_LEN])
{
	return nl_link_set(t, ifi, 0, 0, IFLA_ADDRESS, mac, ETH_ADDR_LEN);
}

/**
 * nl_link_set_mtu() - Set the MTU of a link
 * @t:		Target namespace
 * @ifi:	Interface index
 * @mtu:	MTU
 *
 * Return: 0 on success, -EINVAL on bad arguments, negative errno on failure
 */
int nl_link_set_mtu(enum nl_target t, unsigned int ifi, int mtu)
{
	uint32_t val = (uint32_t)mtu;

	if (mtu <= 0)
		return -EINVAL;

	return nl_link_set(t, ifi, 0, 0, IFLA_MTU, &val, sizeof(val));
}

/**
 * nl_link_up() - Bring a link up
 * @t:		Target namespace
 * @ifi:	Interface index
 *
 * Return: 0 on success, -EINVAL on bad arguments, negative errno on failure
 */
int nl_link_up(enum nl_target t, unsigned int ifi)
{
	return nl_link_set(t, ifi, IFF_UP, IFF_UP, IFLA_UNSPEC, NULL, 0);
}

/**
 * nl_addr_add() - Add an address to a link
 * @t:		Target namespace
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @addr:	Address: struct in_addr or struct in6_addr
 * @prefix_len:	Prefix length
 *
 * IPv4 addresses get a broadcast address unless the prefix is longer than
 * 30 bits. IPv6 addresses skip duplicate address detection, so that they
 * are usable at once.
 *
 * Return: 0 on success, -EEXIST if the address is already there, -EINVAL on
 *	   bad arguments, negative errno on failure
 */
int nl_addr_add(enum nl_target t, unsigned int ifi, sa_family_t af,
		const void *addr, int prefix_len)
{
	struct ifaddrmsg ifa = {
		.ifa_family	= af,
		.ifa_scope	= RT_SCOPE_UNIVERSE,
		.ifa_index	= ifi,
	};
	size_t alen = nl_ifa_len(ifi, af, prefix_len);
	struct nlmsghdr *nh;

	if (!alen)
		return -EINVAL;
	ifa.ifa_prefixlen = prefix_len;

	if (af == AF_INET6)
		ifa.ifa_flags = IFA_F_NODAD;

	nh = nl_req_start(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
			  &ifa, sizeof(ifa));

	if (af == AF_INET) {
		struct in_addr a, bcast;

		memcpy(&a, addr, sizeof(a));
		nl_attr_put(nh, IFA_LOCAL, &a, sizeof(a));
		nl_attr_put(nh, IFA_ADDRESS, &a, sizeof(a));

		if (prefix_len < 31) {
			uint32_t host = prefix_len ?
					(1U << (32 - prefix_len)) - 1 : ~0U;

			bcast.s_addr = a.s_addr | htonl(host);
			nl_attr_put(nh, IFA_BROADCAST, &bcast, sizeof(bcast));
		}
	} else {
		nl_attr_put(nh, IFA_ADDRESS, addr, alen);
		nl_attr_put_u32(nh, IFA_FLAGS, IFA_F_NODAD);
	}

	return nl_do(t, nh, NULL, NULL);
}

/**
 * nl_route_default() - Add or replace a default route through a gateway
 * @t:		Target namespace
 * @ifi:	Output interface index
 * @af:		AF_INET or AF_INET6
 * @gw:		Gateway: struct in_addr or struct in6_addr
 * @flags:	NLM_F_EXCL to fail if one is there, NLM_F_REPLACE to replace it
 *
 * Return: 0 on success, -EINVAL on bad arguments, negative errno on failure
 */
static int nl_route_default(enum nl_target t, unsigned int ifi,
			    sa_family_t af, const void *gw, uint16_t flags)
{
	struct rtmsg rtm = {
		.rtm_family	= af,
		.rtm_dst_len	= 0,
		.rtm_table	= RT_TABLE_MAIN,
		.rtm_protocol	= RTPROT_BOOT,
		.rtm_scope	= RT_SCOPE_UNIVERSE,
		.rtm_type	= RTN_UNICAST,
	};
	size_t alen = nl_addr_len(af);
	struct nlmsghdr *nh;

	if (!alen || !nl_ifi_ok(ifi))
		return -EINVAL;

	nh = nl_req_start(RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | flags,
			  &rtm, sizeof(rtm));
	nl_attr_put(nh, RTA_GATEWAY, gw, alen);
	nl_attr_put_u32(nh, RTA_OIF, ifi);

	return nl_do(t, nh, NULL, NULL);
}

/**
 * nl_route_add_default() - Add a default route through a gateway
 * @t:		Target namespace
 * @ifi:	Output interface index
 * @af:		AF_INET or AF_INET6
 * @gw:		Gateway: struct in_addr or struct in6_addr
 *
 * The route goes to the main table, with protocol "boot", as a route
 * configured at start-up would.
 *
 * Return: 0 on success, -EEXIST if a default route is already there, -EINVAL
 *	   on bad arguments, negative errno on failure (-ENETUNREACH: no route
 *	   to @gw through @ifi)
 */
int nl_route_add_default(enum nl_target t, unsigned int ifi, sa_family_t af,
			 const void *gw)
{
	return nl_route_default(t, ifi, af, gw, NLM_F_EXCL);
}

/**
 * nl_link_ifindex() - Interface index of a link, by name
 * @t:		Target namespace
 * @name:	Interface name
 *
 * Return: interface index on success, -EINVAL if @name is empty or too long,
 *	   -ENODEV if there is no such link, negative errno on failure
 */
int nl_link_ifindex(enum nl_target t, const char *name)
{
	size_t len = strnlen(name, IFNAMSIZ);
	struct nl_link_info info;
	int rc;

	if (!len || len >= IFNAMSIZ)
		return -EINVAL;

	if ((rc = nl_link_get(t, 0, name, &info)))
		return rc;

	if (info.ifindex <= 0)
		return -ENODEV;

	return info.ifindex;
}

/**
 * nl_addr_del() - Remove an address from a link
 * @t:		Target namespace
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @addr:	Address: struct in_addr or struct in6_addr
 * @prefix_len:	Prefix length
 *
 * Return: 0 on success, -EADDRNOTAVAIL if there's no such address, -EINVAL
 *	   on bad arguments, negative errno on failure
 */
int nl_addr_del(enum nl_target t, unsigned int ifi, sa_family_t af,
		const void *addr, int prefix_len)
{
	struct ifaddrmsg ifa = {
		.ifa_family	= af,
		.ifa_index	= ifi,
	};
	size_t alen = nl_ifa_len(ifi, af, prefix_len);
	struct nlmsghdr *nh;

	if (!alen)
		return -EINVAL;
	ifa.ifa_prefixlen = prefix_len;

	nh = nl_req_start(RTM_DELADDR, NLM_F_ACK, &ifa, sizeof(ifa));
	nl_attr_put(nh, af == AF_INET ? IFA_LOCAL : IFA_ADDRESS, addr, alen);

	return nl_do(t, nh, NULL, NULL);
}

/**
 * nl_route_replace_default() - Set the default route through a gateway,
 *				replacing one that is there
 * @t:		Target namespace
 * @ifi:	Output interface index
 * @af:		AF_INET or AF_INET6
 * @gw:		Gateway: struct in_addr or struct in6_addr
 *
 * Return: 0 on success, -EINVAL on bad arguments, negative errno on failure
 */
int nl_route_replace_default(enum nl_target t, unsigned int ifi,
			     sa_family_t af, const void *gw)
{
	return nl_route_default(t, ifi, af, gw, NLM_F_REPLACE);
}

/**
 * nl_monitor_open() - Open a socket listening to the host's network changes
 *
 * Called at start-up, in the host's namespace: links, IPv4 and IPv6
 * addresses and routes. Non-blocking, for the epoll loop.
 *
 * Return: file descriptor, or negative errno on failure
 */
int nl_monitor_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family	= AF_NETLINK,
		.nl_groups	= RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
				  RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE |
				  RTMGRP_IPV6_ROUTE,
	};
	int fd, rcvbuf = NL_SOCK_RCVBUF;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_ROUTE);
	if (fd < 0)
		return -errno;

	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int rc = -errno;

		close(fd);
		return rc;
	}

	/* Overruns are fine (ENOBUFS: "look again"), but rarer is better */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		debug_perror("netlink: can't set SO_RCVBUF on monitor");

	return fd;
}

/**
 * nl_monitor_drain() - Read out pending notifications, without parsing them
 * @fd:		Socket from nl_monitor_open()
 * @max:	Datagrams to read at most (bounded work per call)
 *
 * Return: datagrams read, counting an overrun (ENOBUFS: some were lost) as
 *	   one: the caller only needs to know that something changed
 *
 * #syscalls recvfrom
 */
unsigned int nl_monitor_drain(int fd, unsigned int max)
{
	unsigned int n = 0;

	while (n < max) {
		ssize_t rc = recv(fd, nl_rcv, sizeof(nl_rcv), MSG_DONTWAIT);

		if (rc < 0 && errno == ENOBUFS) {
			n++;
			continue;
		}
		if (rc < 0)
			break;
		n++;
	}

	return n;
}
