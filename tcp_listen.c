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
#include "nsbroker.h"
#include "passt.h"
#include "tcp.h"
#include "tcp_internal.h"
#include "tcp_splice.h"
#include "util.h"

#define TCP_LISTEN_BACKLOG	128
#define TCP_LISTEN_WARN_MAX	8	/* ports we say we couldn't bind */
#define TCP_LISTEN_PORTS	65536

/* epoll reference index of a listening socket: port, direction above it */
#define TCP_LISTEN_REF(dir, port)	\
	((uint32_t)(port) | ((uint32_t)(dir) << 16))
#define TCP_LISTEN_REF_PORT(idx)	((in_port_t)((idx) & 0xffff))
#define TCP_LISTEN_REF_DIR(idx)		((enum fwd_dir)((idx) >> 16))

/* Listening sockets, [dir][port]: descriptor + 1, 0 for none (so that the
 * table needs no initialisation)
 */
static int tcp_listen_fds[FWD_NUM_DIRS][TCP_LISTEN_PORTS];

/* pasta, FWD_OUT: the ::1 socket of a port, descriptor + 1 (the 127.0.0.1
 * one is in tcp_listen_fds)
 */
static int tcp_listen_ns6[TCP_LISTEN_PORTS];

/* Listening sockets whose accept() ran out of descriptors (EMFILE, ENFILE):
 * with edge-triggered epoll, the connections left in their queue get no new
 * event, so tcp_listen_retry() tries them again, once a second (without
 * it, found by test_faults.py, a connection waited for the next one to
 * arrive, however long that took)
 */
#define TCP_LISTEN_STARVED_MAX	8
static union epoll_ref tcp_listen_starved[TCP_LISTEN_STARVED_MAX];
static unsigned int tcp_listen_starved_n;
static time_t tcp_listen_starved_at;

/**
 * tcp_listen_ns_sock() - pasta: one listening socket on the namespace's
 *			  loopback, made by the broker
 * @c:		Execution context
 * @af:		AF_INET (127.0.0.1) or AF_INET6 (::1)
 * @port:	Port
 *
 * Return: socket on success, -errno on failure
 *
 * #syscalls:pasta epoll_ctl close
 */
static int tcp_listen_ns_sock(struct ctx *c, int af, in_port_t port)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_LISTEN,
				.idx = TCP_LISTEN_REF(FWD_OUT, port) };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int s, rc;

	s = nsbroker_listen(c, af, IPPROTO_TCP, port);
	if (s < 0)
		return s;

	ref.fd = s;
	ev.data.u64 = ref.u64;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, s, &ev)) {
		rc = -errno;
		close(s);
		return rc;
	}
	return s;
}

/**
 * tcp_listen_open_ns() - pasta, -T: listen on the namespace's loopback
 * @c:		Execution context
 * @port:	Port, as forwarded in the FWD_OUT table
 *
 * One socket per enabled family, on 127.0.0.1 and ::1: connections to
 * them are spliced to the host's loopback (tcp_splice.c).
 *
 * Return: 0 if at least one socket is listening, -EEXIST if the port is
 *	   already open, -errno on other failures
 */
static int tcp_listen_open_ns(struct ctx *c, in_port_t port)
{
	int s4 = -EAFNOSUPPORT, s6 = -EAFNOSUPPORT;

	if (tcp_listen_fds[FWD_OUT][port] || tcp_listen_ns6[port])
		return -EEXIST;

	if (c->ipv4_enabled)
		s4 = tcp_listen_ns_sock(c, AF_INET, port);
	if (c->ipv6_enabled)
		s6 = tcp_listen_ns_sock(c, AF_INET6, port);
	if (s4 < 0 && s6 < 0)
		return s4 == -EAFNOSUPPORT ? s6 : s4;

	if (s4 >= 0)
		tcp_listen_fds[FWD_OUT][port] = s4 + 1;
	if (s6 >= 0)
		tcp_listen_ns6[port] = s6 + 1;
	return 0;
}

/**
 * tcp_listen_sock() - Open one listening socket for a forwarded port
 * @c:		Execution context
 * @fp:		Forwarding table: bind address and interface
 * @dir:	Direction of the table, for the epoll reference
 * @port:	Port
 * @af:		AF_INET or AF_INET6
 * @v6only:	IPV6_V6ONLY value for AF_INET6
 *
 * Return: socket on success, -errno on failure
 *
 * #syscalls socket setsockopt bind listen epoll_ctl close
 */
static int tcp_listen_sock(const struct ctx *c, const struct fwd_ports *fp,
			   enum fwd_dir dir, in_port_t port, int af,
			   int v6only)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_LISTEN,
				.idx = TCP_LISTEN_REF(dir, port) };
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
	return s;

fail:
	rc = -errno;
	close(s);
	return rc;
}

/**
 * tcp_listen_open() - Open the listening socket of one forwarded port
 * @c:		Execution context
 * @dir:	FWD_IN (host side, -t), or FWD_OUT (pasta, -T: in the
 *		namespace, see tcp_listen_open_ns())
 * @port:	Port, as forwarded in the table of @dir
 *
 * Bound to the table's address and interface, if any. Without an address,
 * one dual-stack socket if both families are enabled (or an IPv4 one, where
 * the host has no IPv6); with one, a socket of its family. Registered with
 * epoll, and remembered for tcp_listen_close().
 *
 * Return: 0 on success, -EEXIST if the port is already open, -errno on
 *	   other failures
 */
int tcp_listen_open(struct ctx *c, enum fwd_dir dir, in_port_t port)
{
	const struct fwd_ports *fp;
	const struct in_addr *a4;
	int s;

	if (dir == FWD_OUT && c->mode == MODE_PASTA)
		return tcp_listen_open_ns(c, port);
	if (dir != FWD_IN)
		return -EOPNOTSUPP;
	if (tcp_listen_fds[dir][port])
		return -EEXIST;

	fp = fwd_ports(IPPROTO_TCP, dir);
	a4 = inany_v4(&fp->addr);
	if (a4) {
		s = c->ipv4_enabled ?
		    tcp_listen_sock(c, fp, dir, port, AF_INET, 0) :
		    -EAFNOSUPPORT;
	} else if (!IN6_IS_ADDR_UNSPECIFIED(&fp->addr.a6)) {
		s = c->ipv6_enabled ?
		    tcp_listen_sock(c, fp, dir, port, AF_INET6, 1) :
		    -EAFNOSUPPORT;
	} else {
		s = -EAFNOSUPPORT;
		if (c->ipv6_enabled)
			s = tcp_listen_sock(c, fp, dir, port, AF_INET6,
					    !c->ipv4_enabled);
		if (s < 0 && c->ipv4_enabled &&
		    (s == -EAFNOSUPPORT || s == -EADDRNOTAVAIL))
			s = tcp_listen_sock(c, fp, dir, port, AF_INET, 0);
	}
	if (s < 0)
		return s;

	tcp_listen_fds[dir][port] = s + 1;
	return 0;
}

/**
 * tcp_listen_close() - Close the listening socket of one forwarded port
 * @c:		Execution context
 * @dir:	Direction
 * @port:	Port
 *
 * Connections already accepted go on; new ones are refused by the host's
 * kernel. Nothing happens if the port has no socket.
 *
 * #syscalls close
 */
void tcp_listen_close(struct ctx *c, enum fwd_dir dir, in_port_t port)
{
	(void)c;

	if (dir == FWD_OUT && tcp_listen_ns6[port]) {
		close(tcp_listen_ns6[port] - 1);
		tcp_listen_ns6[port] = 0;
	}
	if ((unsigned)dir >= FWD_NUM_DIRS || !tcp_listen_fds[dir][port])
		return;
	close(tcp_listen_fds[dir][port] - 1);	/* also leaves epoll */
	tcp_listen_fds[dir][port] = 0;
}

/**
 * tcp_listen_init_dir() - Listening sockets for the ports of one table
 * @c:		Execution context
 * @dir:	FWD_IN (-t) or FWD_OUT (pasta, -T)
 */
static void tcp_listen_init_dir(struct ctx *c, enum fwd_dir dir)
{
	const struct fwd_ports *fp = fwd_ports(IPPROTO_TCP, dir);
	unsigned port, n = 0, failed = 0;

	if (fp->mode != FWD_MODE_SPEC)
		return;		/* "auto" is handled elsewhere, later */

	for (port = 1; port <= UINT16_MAX; port++) {
		int rc;

		if (!fwd_port_forwarded(fp, (in_port_t)port))
			continue;
		rc = tcp_listen_open(c, dir, (in_port_t)port);
		if (rc) {
			if (failed++ < TCP_LISTEN_WARN_MAX)
				warn("Couldn't listen on TCP port %u%s: %s",
				     port, dir == FWD_OUT ?
				     " in the namespace" : "", strerror(-rc));
			continue;
		}
		n++;
	}
	if (failed > TCP_LISTEN_WARN_MAX)
		warn("... and on %u more TCP ports",
		     failed - TCP_LISTEN_WARN_MAX);
	debug("TCP: listening on %u forwarded ports%s", n,
	      dir == FWD_OUT ? " in the namespace" : "");
}

/**
 * tcp_listen_init() - Listening sockets for the ports forwarded with -t,
 *		       and in pasta's namespace with -T
 * @c:		Execution context
 */
void tcp_listen_init(struct ctx *c)
{
	tcp_listen_init_dir(c, FWD_IN);
	if (c->mode == MODE_PASTA)
		tcp_listen_init_dir(c, FWD_OUT);
}

/**
 * tcp_listen_peer() - Address and port of an accepted connection's peer
 * @sa:		Socket address from accept()
 * @peer:	Filled with the address
 * @port:	Filled with the port, host order, if not NULL
 */
static void tcp_listen_peer(const struct sockaddr_storage *sa,
			    union inany_addr *peer, in_port_t *port)
{
	in_port_t p;

	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inany_from_v4(peer, s4->sin_addr);
		p = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 =
			(const struct sockaddr_in6 *)sa;

		peer->a6 = s6->sin6_addr;
		p = ntohs(s6->sin6_port);
	}
	if (port)
		*port = p;
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
	tcp_listen_peer(sa, &peer, &side.dport);
	v6 = !inany_v4(&peer);

	/* pasta: from the host's loopback to the namespace's, no frames */
	if (c->mode == MODE_PASTA && tcp_addr_loopback(&peer) &&
	    tcp_splice_conn_new(c, FWD_IN, port, s, &peer))
		return;

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
 * tcp_listen_starve() - Remember a listening socket out of descriptors
 * @c:		Execution context
 * @ref:	Its epoll reference
 *
 * Beyond TCP_LISTEN_STARVED_MAX sockets at once, the others wait for
 * their next connection.
 */
static void tcp_listen_starve(const struct ctx *c, union epoll_ref ref)
{
	unsigned int i;

	for (i = 0; i < tcp_listen_starved_n; i++) {
		if (tcp_listen_starved[i].u64 == ref.u64)
			return;
	}
	if (tcp_listen_starved_n == TCP_LISTEN_STARVED_MAX)
		return;
	if (!tcp_listen_starved_n)
		tcp_listen_starved_at = c->now.tv_sec;
	tcp_listen_starved[tcp_listen_starved_n++] = ref;
}

/**
 * tcp_listen_retry() - Accept again on sockets that ran out of descriptors
 * @c:		Execution context
 * @now:	Current monotonic time
 *
 * Once a second while there are any: a socket still out of descriptors is
 * remembered again by tcp_listen_handler().
 */
void tcp_listen_retry(struct ctx *c, const struct timespec *now)
{
	union epoll_ref refs[TCP_LISTEN_STARVED_MAX];
	unsigned int i, n = tcp_listen_starved_n;

	if (!n || now->tv_sec - tcp_listen_starved_at < 1)
		return;

	memcpy(refs, tcp_listen_starved, n * sizeof(refs[0]));
	tcp_listen_starved_n = 0;
	for (i = 0; i < n; i++)
		tcp_listen_handler(c, refs[i], EPOLLIN);
}

/**
 * tcp_listen_handler() - Connections to a forwarded port
 * @c:		Execution context
 * @ref:	epoll reference: port and direction in @idx
 * @events:	epoll events
 *
 * Edge-triggered: accept until the queue is empty. Out of descriptors
 * (EMFILE), what is left waits in the queue, rather than having the loop
 * spin on a socket that stays readable: tcp_listen_retry() tries again a
 * second later, or the next connection does. An event
 * for a socket closed earlier in the same batch (the port was removed at
 * run time, and its descriptor number may be reused) is ignored.
 *
 * #syscalls accept4
 */
void tcp_listen_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	in_port_t port = TCP_LISTEN_REF_PORT(ref.idx);
	enum fwd_dir dir = TCP_LISTEN_REF_DIR(ref.idx);

	(void)events;

	if ((unsigned)dir >= FWD_NUM_DIRS ||
	    (tcp_listen_fds[dir][port] != (int)ref.fd + 1 &&
	     !(dir == FWD_OUT && tcp_listen_ns6[port] == (int)ref.fd + 1)))
		return;

	for (;;) {
		struct sockaddr_storage sa = { 0 };
		socklen_t sl = sizeof(sa);
		int s;

		s = accept4(ref.fd, (struct sockaddr *)&sa, &sl,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE)
				tcp_listen_starve(c, ref);
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				warn_ratelimit("TCP: accept on port %u: %s",
					       port, strerror(errno));
			return;
		}
		if (dir == FWD_OUT) {
			union inany_addr peer;

			tcp_listen_peer(&sa, &peer, NULL);
			tcp_splice_conn_new(c, FWD_OUT, port, s, &peer);
			continue;
		}
		tcp_conn_from_sock(c, port, s, &sa);
	}
}
