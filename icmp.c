// SPDX-License-Identifier: GPL-2.0-or-later
/* icmp.c - ICMP and ICMPv6 echo through unprivileged ping sockets
 *
 * DOC: Theory of Operation
 *
 * Echo requests from the guest (RFC 792 type 8, RFC 4443 type 128) go out
 * through ping sockets, socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) and its
 * IPv6 twin, which any user may open if the group range of the sysctl
 * net.ipv4.ping_group_range (both IP versions) includes one of their
 * groups: no raw socket, no capability. When the range excludes us, we say
 * so once, at warning level, naming the sysctl, and drop echo requests.
 *
 * A flow is one (guest's address, echo identifier, destination), with a
 * ping socket of its own connected to the destination (as fwd_nat_outbound()
 * translates it: the gateway is the host's loopback). The kernel owns the
 * identifier of a ping socket, the way it owns a UDP port: it writes it in
 * every request we send, and delivers to the socket only the replies that
 * carry it. We ask for the guest's own identifier when binding, and take
 * whatever the kernel gives if that one is in use. Replies get the guest's
 * identifier back, with the sequence number and data untouched, and go to
 * the guest from the address it pinged: so concurrent pings from the guest,
 * each with its identifier, never see each other's replies, whatever
 * identifiers the host's other ping users hold.
 *
 * Flows end ICMP_TIMEOUT seconds after the last request or reply.
 *
 * Limits: only echo. Other ICMP messages from the guest are not forwarded,
 * nor are errors about its echo requests (unreachable destinations just
 * don't answer). Broadcast and multicast destinations are refused.
 */

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "flow.h"
#include "flow_table.h"
#include "fwd.h"
#include "icmp.h"
#include "inany.h"
#include "log.h"
#include "passt.h"
#include "tap.h"
#include "util.h"

/* Flows without a request or reply for this long are closed (seconds) */
#define ICMP_TIMEOUT		60

/* Replies read per wake-up, then we yield */
#define ICMP_READS_MAX		32

/**
 * struct icmp_echo_hdr - Echo header: the same layout for ICMP and ICMPv6
 *			  (RFC 792 "Echo or Echo Reply Message", RFC 4443 4.1)
 * @type:	ICMP_ECHO, ICMP_ECHOREPLY, ICMP6_ECHO_REQUEST or _REPLY
 * @code:	0
 * @cksum:	Checksum
 * @id:		Identifier, network order
 * @seq:	Sequence number, network order
 */
struct icmp_echo_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t cksum;
	uint16_t id;
	uint16_t seq;
};
static_assert(sizeof(struct icmp_echo_hdr) == 8, "echo header is 8 bytes");

/* A reply: header and data, up to the largest ICMP message */
static uint8_t icmp_buf[65536];

/**
 * icmp_forbidden_warn() - Say once that ping sockets aren't allowed
 *
 * #syscalls getegid
 */
static void icmp_forbidden_warn(void)
{
	static bool warned;

	if (warned)
		return;
	warned = true;
	warn("ICMP: ping sockets not allowed for group %u by sysctl "
	     "net.ipv4.ping_group_range: echo requests from the guest are "
	     "dropped (allow with: sysctl -w net.ipv4.ping_group_range=\"0 "
	     "2147483647\")", (unsigned int)getegid());
}

/**
 * icmp_is_loopback() - Tell if an address is on the host's loopback
 * @a:		Address
 *
 * Return: true for 127.0.0.0/8 and ::1
 */
static bool icmp_is_loopback(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return (ntohl(a4->s_addr) >> 24) == IN_LOOPBACKNET;
	return IN6_IS_ADDR_LOOPBACK(&a->a6);
}

/**
 * icmp_sock_open() - Ping socket for a flow: bound, connected
 * @c:		Execution context
 * @side:	Guest's view of the flow
 * @hdst:	Translated destination
 * @sock_id:	Set to the identifier the kernel gave the socket
 *
 * Return: socket, or -errno
 *
 * #syscalls socket setsockopt bind getsockname connect close
 */
static int icmp_sock_open(const struct ctx *c, const struct flowside *side,
			  const union inany_addr *hdst, uint16_t *sock_id)
{
	bool v6 = !inany_v4(hdst), lo = icmp_is_loopback(hdst);
	const char *ifname = v6 ? c->ip6.ifname_out : c->ip4.ifname_out;
	struct sockaddr_storage ss;
	int fd, rc, i;
	socklen_t sl;

	fd = socket(v6 ? AF_INET6 : AF_INET,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (fd < 0)
		return -errno;

	if (!lo && *ifname &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       strlen(ifname) + 1))
		goto fail;

	/* The guest's identifier if we can have it, any other if not */
	for (i = 0; i < 2; i++) {
		in_port_t id = i ? 0 : side->gport;

		memset(&ss, 0, sizeof(ss));
		if (v6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			s6->sin6_addr = lo ? in6addr_any : c->ip6.addr_out;
			s6->sin6_port = htons(id);
			sl = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			s4->sin_addr = c->ip4.addr_out;
			if (lo)
				s4->sin_addr.s_addr = htonl(INADDR_ANY);
			s4->sin_port = htons(id);
			sl = sizeof(*s4);
		}
		if (!bind(fd, (struct sockaddr *)&ss, sl))
			break;
		if (i)
			goto fail;
	}

	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		goto fail;
	*sock_id = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
			      ((struct sockaddr_in *)&ss)->sin_port);

	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = hdst->a6;
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr = *inany_v4(hdst);
		sl = sizeof(*s4);
	}
	if (connect(fd, (struct sockaddr *)&ss, sl))
		goto fail;

	return fd;

fail:
	rc = -errno;
	close(fd);
	return rc;
}

/**
 * icmp_flow_new() - New flow for an echo request from the guest
 * @c:		Execution context
 * @side:	Guest's view: addresses, its identifier as @side->gport
 * @v6:		ICMPv6 rather than ICMP
 *
 * Return: the flow, active and hashed, or NULL if refused (logged)
 *
 * #syscalls epoll_ctl close
 */
static union flow *icmp_flow_new(struct ctx *c, const struct flowside *side,
				 bool v6)
{
	char g[INANY_ADDRSTRLEN], d[INANY_ADDRSTRLEN], h[INANY_ADDRSTRLEN];
	struct epoll_event ev = { .events = EPOLLIN };
	union epoll_ref ref = { .type = EPOLL_TYPE_PING };
	union inany_addr hdst;
	uint16_t sock_id = 0;
	union flow *flow;
	int fd;

	/* fwd_nat_outbound() takes UDP for ICMP, with port 0: no DNS rule */
	if (!fwd_nat_outbound(c, IPPROTO_UDP, &side->daddr, 0, &hdst) ||
	    !inany_v4(&hdst) != v6) {
		debug_ratelimit("ICMP: echo destination not allowed, dropped");
		return NULL;
	}

	flow = flow_alloc();
	if (!flow)
		return NULL;

	fd = icmp_sock_open(c, side, &hdst, &sock_id);
	if (fd < 0) {
		if (fd == -EACCES || fd == -EPERM)
			icmp_forbidden_warn();
		else
			debug_ratelimit("ICMP: can't open a ping socket: %s",
					strerror(-fd));
		flow_alloc_cancel(flow);
		return NULL;
	}

	ref.fd = fd;
	ref.idx = flow_idx(flow);
	ev.data.u64 = ref.u64;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, fd, &ev)) {
		debug_perror("ICMP: can't watch a ping socket");
		close(fd);
		flow_alloc_cancel(flow);
		return NULL;
	}

	flow->f.proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	flow->f.tap = *side;
	flow->ping.sock = fd;
	flow->ping.sock_id = sock_id;
	flow->ping.ts = (uint32_t)c->now.tv_sec;
	flow_activate(flow, v6 ? FLOW_PING6 : FLOW_PING4);
	flow_hash_insert(flow);

	if (log_level_enabled(LOG_DEBUG))
		flow_dbg(flow, "guest %s id %u, to %s (host side %s), "
			 "socket id %u", inany_ntop(&side->gaddr, g),
			 side->gport, inany_ntop(&side->daddr, d),
			 inany_ntop(&hdst, h), sock_id);
	return flow;
}

/**
 * icmp_tap_handler() - An ICMP or ICMPv6 message from the guest
 * @c:		Execution context
 * @ii:		L3 header information
 * @v:		View at the ICMP header, narrowed to the packet
 *
 * Return: PKT_NOT_MINE for anything but an echo request, PKT_DROP if
 *	   malformed, PKT_CONSUMED otherwise (sent, or refused and logged)
 *
 * #syscalls sendmsg
 */
enum pkt_verdict icmp_tap_handler(struct ctx *c, const struct ip_info *ii,
				  struct pkt_view *v)
{
	bool v6 = ii->af == AF_INET6;
	struct icmp_echo_hdr eh;
	struct flowside side;
	const uint8_t *data;
	struct iovec iov[2];
	struct msghdr mh;
	union flow *flow;
	size_t len;

	if (!pkt_pull_copy(v, &eh, sizeof(eh)))
		return PKT_DROP;
	if (eh.type != (v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO))
		return PKT_NOT_MINE;

	len = pkt_left(v);
	data = pkt_pull(v, len);
	if (!data)
		return PKT_DROP;

	memset(&side, 0, sizeof(side));
	if (v6) {
		side.gaddr.a6 = ii->s6;
		side.daddr.a6 = ii->d6;
		if (IN6_IS_ADDR_UNSPECIFIED(&ii->s6) ||
		    IN6_IS_ADDR_MULTICAST(&ii->s6))
			return PKT_DROP;
	} else {
		inany_from_v4(&side.gaddr, ii->s4);
		inany_from_v4(&side.daddr, ii->d4);
		if (!ii->s4.s_addr || IN_MULTICAST(ntohl(ii->s4.s_addr)))
			return PKT_DROP;
	}
	side.gport = ntohs(eh.id);

	flow = flow_lookup(v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, &side);
	if (!flow) {
		flow = icmp_flow_new(c, &side, v6);
		if (!flow)
			return PKT_CONSUMED;
	}
	if (flow->ping.closing)
		return PKT_CONSUMED;

	/* The kernel fills in its identifier and the checksum */
	eh.code = 0;
	eh.cksum = 0;
	eh.id = 0;
	iov[0].iov_base = &eh;
	iov[0].iov_len = sizeof(eh);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;

	if (sendmsg(flow->ping.sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		debug_ratelimit("Flow %u (ICMP): echo request seq %u not "
				"sent: %s", flow_idx(flow), ntohs(eh.seq),
				strerror(errno));
	else
		trace("ICMP: flow %u, echo request seq %u", flow_idx(flow),
		      ntohs(eh.seq));

	flow->ping.ts = (uint32_t)c->now.tv_sec;
	return PKT_CONSUMED;
}

/**
 * icmp_sock_handler() - Echo replies on a ping socket, to the guest
 * @c:		Execution context
 * @ref:	epoll reference: the flow's index in idx
 * @events:	epoll events
 *
 * #syscalls recvfrom
 */
void icmp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	union flow *flow = flow_at(ref.idx);
	struct icmp_ping_flow *pf = &flow->ping;
	bool v6 = flow->f.type == FLOW_PING6;
	int i;

	(void)events;

	if ((flow->f.type != FLOW_PING4 && flow->f.type != FLOW_PING6) ||
	    pf->sock != (int)ref.fd || pf->closing)
		return;

	for (i = 0; i < ICMP_READS_MAX; i++) {
		struct icmp_echo_hdr eh;
		ssize_t n;

		n = recv(pf->sock, icmp_buf, sizeof(icmp_buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			/* An ICMP error about a request: reading it cleared
			 * it. Anything else means the socket is broken.
			 */
			if (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
			    errno == ENETUNREACH || errno == EHOSTDOWN ||
			    errno == ENONET || errno == EPROTO ||
			    errno == EMSGSIZE)
				continue;
			flow_dbg(flow, "receive failed: %s", strerror(errno));
			pf->closing = true;
			flow_request_sweep();
			break;
		}
		if ((size_t)n < sizeof(eh))
			continue;

		memcpy(&eh, icmp_buf, sizeof(eh));
		if (eh.type != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY))
			continue;

		/* Back to the guest's identifier; the checksum is redone */
		eh.id = htons(flow->f.tap.gport);
		eh.cksum = 0;
		memcpy(icmp_buf, &eh, sizeof(eh));

		if (v6)
			tap_icmp6_send(c, &flow->f.tap.daddr.a6,
				       &flow->f.tap.gaddr.a6, icmp_buf, n);
		else
			tap_icmp4_send(c, *inany_v4(&flow->f.tap.daddr),
				       *inany_v4(&flow->f.tap.gaddr),
				       icmp_buf, n);
		trace("ICMP: flow %u, echo reply seq %u", flow_idx(flow),
		      ntohs(eh.seq));
		pf->ts = (uint32_t)c->now.tv_sec;
	}
}

/**
 * icmp_flow_defer() - Close an idle or failed echo flow, at a sweep
 * @c:		Execution context
 * @flow:	Flow
 * @now:	Current monotonic time
 * @timer:	A timer interval has passed
 *
 * Return: true if the flow is closed and may be freed
 *
 * #syscalls close
 */
bool icmp_flow_defer(struct ctx *c, union flow *flow,
		     const struct timespec *now, bool timer)
{
	struct icmp_ping_flow *pf = &flow->ping;

	(void)c;

	if (!pf->closing &&
	    !(timer && (uint32_t)now->tv_sec - pf->ts >= ICMP_TIMEOUT))
		return false;

	flow_dbg(flow, "%s", pf->closing ? "socket failed, closed" :
					   "idle, closed");
	if (pf->sock >= 0) {
		close(pf->sock);	/* also leaves the epoll set */
		pf->sock = -1;
	}
	return true;
}
