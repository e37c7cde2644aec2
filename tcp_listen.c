// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_listen.c - TCP: forwarded ports, connections from the host side
 *
 * DOC: Theory of Operation
 *
 * Each port forwarded with -t (the FWD_IN table, FWD_MODE_SPEC; "auto" is
 * not handled here) gets a listening socket at start-up, bound to the
 * table's address and interface if one was given: one dual-stack socket
 * (IPV6_V6ONLY off) when both families are enabled and no address was
 * given, otherwise one of the address's family. SO_REUSEADDR, so that a
 * restart doesn't wait for old connections in TIME_WAIT. A port that
 * can't be bound is reported and skipped.
 *
 * The epoll reference of a listening socket carries its port. Accepted
 * connections become flows in TCP_CONN_SYN_SENT: a SYN goes to the guest's
 * address (as last seen, or configured) on the target port, from the
 * peer's address as fwd_nat_inbound() translates it (the host's loopback
 * and the host's own address appear as the gateway). A peer the guest
 * could not answer (a loopback or unspecified source left as it is), a
 * family the guest doesn't have, addresses and ports already in use by
 * another flow, or a full flow table: the connection is reset at once.
 */

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow_table.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "passt.h"
#include "tcp.h"
#include "tcp_internal.h"
#include "util.h"

#define TCP_LISTEN_BACKLOG	128
#define TCP_LISTEN_WARN_MAX	8	/* ports we say we couldn't bind */

/**
 * tcp_listen_sock() - Open one listening socket for a forwarded port
 * @c:		Execution context
 * @fp:		Forwarding table: bind address and interface
 * @port:	Port
 * @af:		AF_INET or AF_INET6
 * @v6only:	IPV6_V6ONLY value for AF_INET6
 *
 * Return: 0 on success, -errno on failure
 */
static int tcp_listen_sock(const struct ctx *c, const struct fwd_ports *fp,
			   in_port_t port, int af, int v6only)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_LISTEN, .idx = port };
	const struct in_addr *a4 = inany_v4(&fp->addr);
	struct sockaddr_storage sa;
	struct epoll_event ev;
	int s, one = 1, rc;
	socklen_t sl;

	s = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   IPPROTO_TCP);
	if (s < 0)
		return -errno;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (af == AF_INET6 &&
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)))
		goto fail;
	if (*fp->ifname &&
	    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, fp->ifname,
		       (socklen_t)strlen(fp->ifname)))
		goto fail;

	if (af == AF_INET) {
		union inany_addr any4;

		inany_from_v4(&any4, a4 ? *a4 :
			      (struct in_addr){ htonl(INADDR_ANY) });
		sl = tcp_sockaddr(c, &any4, port, &sa);
	} else {
		sl = tcp_sockaddr(c, &fp->addr, port, &sa);
	}

	if (bind(s, (struct sockaddr *)&sa, sl) ||
	    listen(s, TCP_LISTEN_BACKLOG))
		goto fail;

	ref.fd = s;
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = ref.u64;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, s, &ev))
		goto fail;
	return 0;

fail:
	rc = -errno;
	close(s);
	return rc;
}

/**
 * tcp_listen_port() - Listening sockets for a forwarded port
 * @c:		Execution context
 * @fp:		Forwarding table
 * @port:	Port
 *
 * Without a bind address, one dual-stack socket if both families are
 * enabled (or an IPv4 one, where the host has no IPv6); with one, a
 * socket of its family.
 *
 * Return: 0 on success, -errno on failure
 */
static int tcp_listen_port(const struct ctx *c, const struct fwd_ports *fp,
			   in_port_t port)
{
	const struct in_addr *a4 = inany_v4(&fp->addr);
	int rc;

	if (a4)
		return c->ipv4_enabled ?
		       tcp_listen_sock(c, fp, port, AF_INET, 0) : -EAFNOSUPPORT;
	if (!IN6_IS_ADDR_UNSPECIFIED(&fp->addr.a6))
		return c->ipv6_enabled ?
		       tcp_listen_sock(c, fp, port, AF_INET6, 1) :
		       -EAFNOSUPPORT;

	if (c->ipv6_enabled) {
		rc = tcp_listen_sock(c, fp, port, AF_INET6, !c->ipv4_enabled);
		if (!rc || !c->ipv4_enabled ||
		    (rc != -EAFNOSUPPORT && rc != -EADDRNOTAVAIL))
			return rc;
	}
	return tcp_listen_sock(c, fp, port, AF_INET, 0);
}

/**
 * tcp_listen_init() - Listening sockets for the ports forwarded with -t
 * @c:		Execution context
 */
void tcp_listen_init(const struct ctx *c)
{
	const struct fwd_ports *fp = fwd_ports(IPPROTO_TCP, FWD_IN);
	unsigned port, n = 0, failed = 0;

	if (fp->mode != FWD_MODE_SPEC)
		return;		/* "auto" is handled elsewhere, later */

	for (port = 1; port <= UINT16_MAX; port++) {
		int rc;

		if (!fwd_port_forwarded(fp, (in_port_t)port))
			continue;
		rc = tcp_listen_port(c, fp, (in_port_t)port);
		if (rc) {
			if (failed++ < TCP_LISTEN_WARN_MAX)
				warn("Couldn't listen on TCP port %u: %s",
				     port, strerror(-rc));
			continue;
		}
		n++;
	}
	if (failed > TCP_LISTEN_WARN_MAX)
		warn("... and on %u more TCP ports",
		     failed - TCP_LISTEN_WARN_MAX);
	debug("TCP: listening on %u forwarded ports", n);
}

/**
 * tcp_conn_from_sock() - A connection accepted on a forwarded port
 * @c:		Execution context
 * @port:	Host port it came to
 * @s:		Accepted socket
 * @sa:		Peer's address
 *
 * #syscalls epoll_ctl setsockopt close
 */
static void tcp_conn_from_sock(struct ctx *c, in_port_t port, int s,
			       const struct sockaddr_storage *sa)
{
	const struct fwd_ports *fp = fwd_ports(IPPROTO_TCP, FWD_IN);
	char b1[INANY_ADDRSTRLEN], b2[INANY_ADDRSTRLEN];
	struct tcp_tap_conn *conn;
	union inany_addr peer;
	struct flowside side;
	const struct in_addr *d4;
	union flow *flow;
	bool v6;

	memset(&side, 0, sizeof(side));
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inany_from_v4(&peer, s4->sin_addr);
		side.dport = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 =
			(const struct sockaddr_in6 *)sa;

		peer.a6 = s6->sin6_addr;
		side.dport = ntohs(s6->sin6_port);
	}
	v6 = !inany_v4(&peer);

	if (v6 ? !c->ipv6_enabled : !c->ipv4_enabled)
		goto refuse;

	side.gport = fwd_port_target(fp, port);
	fwd_guest_addr(c, v6, &side.gaddr);
	fwd_nat_inbound(c, &peer, &side.daddr);

	d4 = inany_v4(&side.daddr);
	if (tcp_addr_loopback(&side.daddr) ||
	    (d4 ? !d4->s_addr : IN6_IS_ADDR_UNSPECIFIED(&side.daddr.a6)))
		goto refuse;	/* no source the guest could answer */
	if (!inany_v4(&side.gaddr) != v6 || !side.gport || !side.dport ||
	    (v6 ? IN6_IS_ADDR_UNSPECIFIED(&side.gaddr.a6) :
		  !inany_v4(&side.gaddr)->s_addr))
		goto refuse;
	if (flow_lookup(IPPROTO_TCP, &side))
		goto refuse;	/* same addresses and ports in use */

	flow = flow_alloc();
	if (!flow)
		goto refuse;

	tcp_sock_opts(s);
	conn = &flow->tcp;
	conn->sock = s;
	conn->f.proto = IPPROTO_TCP;
	conn->f.tap = side;
	conn->state = TCP_CONN_SYN_SENT;
	conn->ws_to_tap = TCP_WS_TO_TAP;
	conn->mss = tcp_mss_ours(c, v6);
	conn->seq_ack_from_tap = tcp_conn_isn(c, &side);
	conn->seq_to_tap = conn->seq_max_to_tap = conn->seq_ack_from_tap + 1;
	conn->seq_sock_head = conn->seq_to_tap;
	conn->seq_recover = conn->seq_ack_from_tap;	/* below any ACK */
	conn->last_active = (uint32_t)c->now.tv_sec;

	flow_activate(flow, FLOW_TCP);
	flow_hash_insert(flow);
	conn_dbg(conn, "host %s:%u -> port %u, to guest %s:%u",
		 inany_ntop(&peer, b1), side.dport, port,
		 inany_ntop(&side.gaddr, b2), side.gport);

	if (tcp_epoll_ctl(c, conn, EPOLL_CTL_ADD)) {
		tcp_conn_close(conn, true);
		return;
	}
	tcp_wnd_update(c, conn);
	tcp_buf_ctl(c, conn, TCP_F_SYN, conn->seq_ack_from_tap);
	tcp_timer_set(c, conn, TCP_SYN_RTO_MS);
	tcp_rtt_start(c, conn, conn->seq_to_tap);	/* first sample */
	return;

refuse:
	debug_ratelimit("TCP: refused connection to port %u", port);
	tcp_sock_rst_close(s);
}

/**
 * tcp_listen_handler() - Connections to a forwarded port
 * @c:		Execution context
 * @ref:	epoll reference: the port in @idx
 * @events:	epoll events
 *
 * Edge-triggered: accept until the queue is empty. Out of descriptors
 * (EMFILE), what is left waits for the next connection to come, rather
 * than having the loop spin on a socket that stays readable.
 *
 * #syscalls accept4
 */
void tcp_listen_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	(void)events;

	for (;;) {
		struct sockaddr_storage sa = { 0 };
		socklen_t sl = sizeof(sa);
		int s;

		s = accept4(ref.fd, (struct sockaddr *)&sa, &sl,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				warn_ratelimit("TCP: accept on port %u: %s",
					       ref.idx, strerror(errno));
			return;
		}
		tcp_conn_from_sock(c, (in_port_t)ref.idx, s, &sa);
	}
}
