// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_splice.c - pasta: UDP between the namespace's loopback and the host's
 *
 * DOC: Theory of Operation
 *
 * Each port forwarded with -U has a socket bound to the namespace's
 * 127.0.0.1 and one bound to its ::1 (made by the broker, nsbroker.c). A
 * datagram arriving there from a peer in the namespace (loopback address
 * and port) goes out of a socket of ours on the host, connected to the
 * same family's loopback at the target port; what comes back on that
 * socket is sent to the peer from the bound socket, so that the peer sees
 * the answer come from where it wrote to. No frame is ever built: both
 * ends are sockets.
 *
 * The other way, a datagram to a port forwarded with -u (udp.c's socket)
 * from the host's loopback goes out of a socket the broker made in the
 * namespace, connected to the namespace's loopback at the target port;
 * answers go back to the peer from the -u socket. --no-splice sends these
 * through the tap device instead, like datagrams from anywhere else.
 *
 * Peers are kept in a small table (UDP_SPLICE_MAX entries): direction,
 * family, forwarded port, the peer's port, our socket on the other side,
 * and the time of the last datagram either way. An entry idle for UDP_SPLICE_TIMEOUT_S
 * seconds is closed by udp_splice_timer(); a full table drops datagrams of
 * new peers (counted in the debug log, rate-limited).
 *
 * Limits: a new peer from the host's loopback waits for the broker (a
 * round trip to another process) before its first datagram goes out.
 */

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "nsbroker.h"
#include "passt.h"
#include "udp.h"
#include "udp_splice.h"
#include "util.h"

#define UDP_SPLICE_MAX		256	/* peers at a time */
#define UDP_SPLICE_TIMEOUT_S	180	/* idle peers go after this */
#define UDP_SPLICE_BATCH	64	/* datagrams per event, at most */

/* epoll reference index: a peer's host socket, or a bound socket */
#define UDP_SPLICE_REF_PEER	(1U << 31)
#define UDP_SPLICE_REF_BOUND(v6, port)	((uint32_t)(port) | ((v6) << 16))

/**
 * struct udp_splice_peer - A peer on one side, our socket on the other
 * @s:		Socket connected to the target, -1 if the entry is free
 * @in:		From the host's loopback (-u): @s is in the namespace
 * @v6:		IPv6 (::1) rather than IPv4 (127.0.0.1)
 * @port:	Forwarded port the peer writes to
 * @pport:	Peer's port
 * @last:	Monotonic seconds of the last datagram either way
 */
struct udp_splice_peer {
	int s;
	bool in;
	bool v6;
	in_port_t port;
	in_port_t pport;
	time_t last;
};

static struct udp_splice_peer udp_splice_peers[UDP_SPLICE_MAX];
static int udp_splice_bound[2][65536];	/* [v6][port]: fd + 1, 0 if none */
static bool udp_splice_inited;
static char udp_splice_buf[65536];

/**
 * udp_splice_init() - Start with no peers
 */
static void udp_splice_init(void)
{
	int i;

	if (udp_splice_inited)
		return;
	for (i = 0; i < UDP_SPLICE_MAX; i++)
		udp_splice_peers[i].s = -1;
	udp_splice_inited = true;
}

/**
 * udp_splice_open() - -U: bind a forwarded port on the namespace's loopback
 * @c:		Execution context
 * @port:	Port, as forwarded in the FWD_OUT table
 *
 * Return: 0 if at least one family is bound, -EEXIST if the port is open
 *	   already, -errno otherwise
 *
 * #syscalls:pasta epoll_ctl close
 */
int udp_splice_open(struct ctx *c, in_port_t port)
{
	int v6, rc = -EAFNOSUPPORT, n = 0;

	udp_splice_init();
	if (udp_splice_bound[0][port] || udp_splice_bound[1][port])
		return -EEXIST;

	for (v6 = 0; v6 < 2; v6++) {
		union epoll_ref ref = { .type = EPOLL_TYPE_UDP_SPLICE,
					.idx = UDP_SPLICE_REF_BOUND(v6, port) };
		struct epoll_event ev = { .events = EPOLLIN };
		int s;

		if (!(v6 ? c->ipv6_enabled : c->ipv4_enabled))
			continue;
		s = nsbroker_listen(c, v6 ? AF_INET6 : AF_INET, IPPROTO_UDP,
				    port);
		if (s < 0) {
			rc = s;
			continue;
		}
		ref.fd = s;
		ev.data.u64 = ref.u64;
		if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, s, &ev)) {
			rc = -errno;
			close(s);
			continue;
		}
		udp_splice_bound[v6][port] = s + 1;
		n++;
	}
	return n ? 0 : rc;
}

/**
 * udp_splice_peer_close() - Close a peer's host socket, free the entry
 * @p:		Entry in use
 *
 * #syscalls:pasta close
 */
static void udp_splice_peer_close(struct udp_splice_peer *p)
{
	close(p->s);	/* also leaves epoll */
	p->s = -1;
}

/**
 * udp_splice_close() - Close the bound sockets of a -U port, and its peers
 * @c:		Execution context
 * @port:	Port
 *
 * #syscalls:pasta close
 */
void udp_splice_close(struct ctx *c, in_port_t port)
{
	int v6, i;

	(void)c;
	for (v6 = 0; v6 < 2; v6++) {
		if (!udp_splice_bound[v6][port])
			continue;
		close(udp_splice_bound[v6][port] - 1);
		udp_splice_bound[v6][port] = 0;
	}
	for (i = 0; udp_splice_inited && i < UDP_SPLICE_MAX; i++) {
		if (udp_splice_peers[i].s >= 0 && !udp_splice_peers[i].in &&
		    udp_splice_peers[i].port == port)
			udp_splice_peer_close(&udp_splice_peers[i]);
	}
}

/**
 * udp_splice_peer_get() - Entry of a peer, made if new
 * @c:		Execution context
 * @in:		From the host (-u), rather than from the namespace (-U)
 * @v6:		Family
 * @port:	Forwarded port
 * @pport:	Peer's port
 *
 * Return: entry, or NULL if the table is full or no socket could be made
 *
 * #syscalls:pasta socket connect epoll_ctl close
 */
static struct udp_splice_peer *udp_splice_peer_get(struct ctx *c, bool in,
						   bool v6, in_port_t port,
						   in_port_t pport)
{
	const struct fwd_ports *fp = fwd_ports(IPPROTO_UDP,
					       in ? FWD_IN : FWD_OUT);
	union epoll_ref ref = { .type = EPOLL_TYPE_UDP_SPLICE };
	struct epoll_event ev = { .events = EPOLLIN };
	struct udp_splice_peer *p, *free_p = NULL;
	struct sockaddr_storage sa;
	socklen_t sl;
	int i, s;

	for (i = 0; i < UDP_SPLICE_MAX; i++) {
		p = &udp_splice_peers[i];
		if (p->s < 0) {
			if (!free_p)
				free_p = p;
			continue;
		}
		if (p->in == in && p->v6 == v6 && p->port == port &&
		    p->pport == pport)
			return p;
	}
	if (!free_p) {
		debug_ratelimit("UDP splice: peer table full, datagram "
				"dropped");
		return NULL;
	}

	if (in)
		s = nsbroker_udp_socket(c, v6 ? AF_INET6 : AF_INET);
	else
		s = socket(v6 ? AF_INET6 : AF_INET,
			   SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			   IPPROTO_UDP);
	if (s < 0)
		return NULL;
	sl = sockaddr_loopback(v6 ? AF_INET6 : AF_INET,
			       fwd_port_target(fp, port), &sa);
	ref.fd = s;
	ref.idx = UDP_SPLICE_REF_PEER | (uint32_t)(free_p - udp_splice_peers);
	ev.data.u64 = ref.u64;
	if (connect(s, (struct sockaddr *)&sa, sl) ||
	    epoll_ctl(c->epollfd, EPOLL_CTL_ADD, s, &ev)) {
		close(s);
		return NULL;
	}

	free_p->s = s;
	free_p->in = in;
	free_p->v6 = v6;
	free_p->port = port;
	free_p->pport = pport;
	debug("UDP splice: %s loopback port %u -> %u, peer port %u",
	      in ? "host" : "namespace", port, fwd_port_target(fp, port),
	      pport);
	return free_p;
}

/**
 * udp_splice_from_ns() - Datagrams on a bound socket: to the host
 * @c:		Execution context
 * @s:		Bound socket
 * @v6:		Its family
 * @port:	Its port
 *
 * #syscalls:pasta recvfrom send
 */
static void udp_splice_from_ns(struct ctx *c, int s, bool v6, in_port_t port)
{
	int i;

	for (i = 0; i < UDP_SPLICE_BATCH; i++) {
		struct sockaddr_storage sa = { 0 };
		socklen_t sl = sizeof(sa);
		struct udp_splice_peer *p;
		in_port_t pport;
		ssize_t n;

		n = recvfrom(s, udp_splice_buf, sizeof(udp_splice_buf),
			     MSG_DONTWAIT, (struct sockaddr *)&sa, &sl);
		if (n < 0)
			return;

		if (sa.ss_family == AF_INET)
			pport = ntohs(((struct sockaddr_in *)&sa)->sin_port);
		else if (sa.ss_family == AF_INET6)
			pport = ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
		else
			continue;
		if (!pport)
			continue;

		p = udp_splice_peer_get(c, false, v6, port, pport);
		if (!p)
			continue;
		p->last = c->now.tv_sec;
		send(p->s, udp_splice_buf, (size_t)n, MSG_DONTWAIT);
	}
}

/**
 * udp_splice_from_host() - A datagram on a -u port: splice it if it came
 *			    from the host's loopback
 * @c:		Execution context
 * @v6:		Family of the -u socket it came to
 * @port:	Its port
 * @peer:	Peer's address
 * @pport:	Peer's port
 * @buf:	Datagram
 * @len:	Its length
 *
 * Return: true if it was taken care of here (sent, or dropped), false if
 *	   it goes to the guest through the tap device
 *
 * #syscalls:pasta send
 */
bool udp_splice_from_host(struct ctx *c, bool v6, in_port_t port,
			  const union inany_addr *peer, in_port_t pport,
			  const void *buf, size_t len)
{
	const struct in_addr *a4 = inany_v4(peer);
	struct udp_splice_peer *p;

	if (c->no_splice || !nsbroker_ready() || !a4 == !v6)
		return false;
	if (a4 ? (ntohl(a4->s_addr) >> IN_CLASSA_NSHIFT) != IN_LOOPBACKNET :
		 !IN6_IS_ADDR_LOOPBACK(&peer->a6))
		return false;

	udp_splice_init();
	p = udp_splice_peer_get(c, true, v6, port, pport);
	if (!p)
		return true;
	p->last = c->now.tv_sec;
	send(p->s, buf, len, MSG_DONTWAIT);
	return true;
}

/**
 * udp_splice_to_peer() - Datagrams on our socket: back to the peer, from
 *			  the port it wrote to
 * @c:		Execution context
 * @p:		Entry
 *
 * #syscalls:pasta recvfrom sendto
 */
static void udp_splice_to_peer(const struct ctx *c,
			       struct udp_splice_peer *p)
{
	int i, b = p->in ? udp_listen_fd(p->v6, p->port) + 1 :
			   udp_splice_bound[p->v6][p->port];

	for (i = 0; i < UDP_SPLICE_BATCH; i++) {
		struct sockaddr_storage sa;
		socklen_t sl;
		ssize_t n;

		n = recv(p->s, udp_splice_buf, sizeof(udp_splice_buf),
			 MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			continue;	/* ICMP error from the host: nothing */
		}
		p->last = c->now.tv_sec;
		if (!b)
			continue;
		sl = sockaddr_loopback(p->v6 ? AF_INET6 : AF_INET, p->pport,
				       &sa);
		sendto(b - 1, udp_splice_buf, (size_t)n, MSG_DONTWAIT,
		       (struct sockaddr *)&sa, sl);
	}
}

/**
 * udp_splice_handler() - Event on a bound socket or a peer's socket
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 */
void udp_splice_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	(void)events;

	if (ref.idx & UDP_SPLICE_REF_PEER) {
		uint32_t i = ref.idx & ~UDP_SPLICE_REF_PEER;

		if (i < UDP_SPLICE_MAX && udp_splice_peers[i].s == (int)ref.fd)
			udp_splice_to_peer(c, &udp_splice_peers[i]);
		return;
	}

	if (udp_splice_bound[ref.idx >> 16 & 1][ref.idx & 0xffff] !=
	    (int)ref.fd + 1)
		return;		/* closed earlier in this batch */
	udp_splice_from_ns(c, ref.fd, ref.idx >> 16 & 1,
			   (in_port_t)(ref.idx & 0xffff));
}

/**
 * udp_splice_timer() - Close peers idle for UDP_SPLICE_TIMEOUT_S seconds
 * @c:		Execution context
 * @now:	Current monotonic time
 */
void udp_splice_timer(struct ctx *c, const struct timespec *now)
{
	static time_t last;
	int i;

	(void)c;
	if (!udp_splice_inited || now->tv_sec == last)
		return;
	last = now->tv_sec;

	for (i = 0; i < UDP_SPLICE_MAX; i++) {
		struct udp_splice_peer *p = &udp_splice_peers[i];

		if (p->s >= 0 && now->tv_sec - p->last > UDP_SPLICE_TIMEOUT_S)
			udp_splice_peer_close(p);
	}
}

/**
 * udp_splice_listen_init() - -U: bind the forwarded ports, at start-up
 * @c:		Execution context
 */
void udp_splice_listen_init(struct ctx *c)
{
	const struct fwd_ports *fp = fwd_ports(IPPROTO_UDP, FWD_OUT);
	unsigned port, n = 0;

	if (c->mode != MODE_PASTA || fp->mode != FWD_MODE_SPEC)
		return;

	for (port = 1; port <= 65535; port++) {
		int rc;

		if (!fwd_port_forwarded(fp, (in_port_t)port))
			continue;
		rc = udp_splice_open(c, (in_port_t)port);
		if (rc) {
			warn("Couldn't bind UDP port %u in the namespace: %s",
			     port, strerror(-rc));
			continue;
		}
		n++;
	}
	debug("UDP: %u forwarded ports bound in the namespace", n);
}
