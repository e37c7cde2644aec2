// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_splice.c - pasta: TCP between loopbacks, moved with splice(2)
 *
 * DOC: Theory of Operation
 *
 * A connection between the host's loopback and the namespace's loopback
 * needs no frames and no translation: both ends are sockets of the same
 * kernel. pasta connects a socket on the other side and moves the bytes
 * between the two with splice(2), through a pipe for each direction, so
 * that they are never copied to user space.
 *
 * Which connections:
 * - -T (FWD_OUT): each forwarded port has listening sockets on the
 *   namespace's 127.0.0.1 and ::1 (made by the broker, nsbroker.c);
 *   accepted connections are connected to the same family's loopback on
 *   the host, at the target port;
 * - -t (FWD_IN): connections to a forwarded port that come from the
 *   host's loopback are connected to the namespace's loopback at the
 *   target port, with a socket the broker made in the namespace. Other
 *   peers take the tap path (tcp.c).
 * --no-splice sends the -t ones through the tap device, like any other;
 * -T has no other path, and is always spliced.
 *
 * Data: for each direction i, bytes are spliced from socket i into pipe i
 * as long as the pipe has room, and from pipe i into the other socket as
 * long as it takes them. Back-pressure is the kernel's: a full pipe stops
 * the reading, so the reading socket's receive window closes; a socket
 * that takes nothing more leaves the bytes in the pipe until EPOLLOUT.
 * Both sockets are in the epoll set, edge-triggered, for input and output,
 * and every event moves both directions as far as they go: no epoll_ctl()
 * per change of state.
 *
 * Closing: EOF read from one side, once its pipe is empty, becomes
 * shutdown(SHUT_WR) of the other side (half-close); when both directions
 * are shut, both sockets are closed. An error on either side (a reset, a
 * refused connect(), a failed write) resets the other side (SO_LINGER 0,
 * then close). A connect() that doesn't complete within
 * TCP_SPLICE_CONNECT_TICKS flow timer ticks resets the accepted side.
 *
 * Flows are FLOW_TCP_SPLICE entries, never hashed (no guest side to look
 * them up by); the deferred sweep frees them once closed.
 *
 * Limits: no idle timeout (both kernels' sockets have their own
 * keepalive); -T listens on the loopback addresses only, whatever address
 * the option gave.
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow.h"
#include "flow_table.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "nsbroker.h"
#include "passt.h"
#include "tcp_internal.h"
#include "tcp_splice.h"
#include "util.h"

/* Capacity asked for each pipe: more than the default 64 KiB moves more
 * per system call; unprivileged users may go up to /proc's pipe-max-size
 * (1 MiB by default)
 */
#define TCP_SPLICE_PIPE_SIZE		(512 * 1024)
#define TCP_SPLICE_CONNECT_TICKS	10	/* flow timer ticks, seconds */

/* epoll reference index: flow index and side */
#define TCP_SPLICE_REF(idx, side)	((uint32_t)(idx) * 2 + (side))

/**
 * conn_of() - Splice connection of a flow entry
 * @flow:	Entry
 *
 * Return: the connection
 */
static struct tcp_splice_conn *conn_of(union flow *flow)
{
	return (struct tcp_splice_conn *)flow;
}

/**
 * tcp_splice_close() - Close sockets and pipes, leave the entry to the sweep
 * @conn:	Connection, not closed yet
 * @rst:	Make both peers see a reset rather than a close
 * @why:	Reason, for the debug log
 *
 * #syscalls:pasta close setsockopt
 */
static void tcp_splice_close(struct tcp_splice_conn *conn, bool rst,
			     const char *why)
{
	int i;

	ASSERT(!conn->closed);
	for (i = 0; i < 2; i++) {
		if (conn->s[i] >= 0) {
			if (rst)
				tcp_sock_rst_close(conn->s[i]);
			else
				close(conn->s[i]);	/* also leaves epoll */
			conn->s[i] = -1;
		}
		if (conn->pipe_r[i] >= 0)
			close(conn->pipe_r[i]);
		if (conn->pipe_w[i] >= 0)
			close(conn->pipe_w[i]);
		conn->pipe_r[i] = conn->pipe_w[i] = -1;
	}
	conn->closed = 1;
	flow_dbg((union flow *)conn, "spliced %llu bytes in, %llu bytes out, "
		 "closed%s: %s", (unsigned long long)conn->bytes[0],
		 (unsigned long long)conn->bytes[1],
		 rst ? " with reset" : "", why);
	flow_request_sweep();
}

/**
 * tcp_splice_dir() - Move what can be moved in one direction
 * @conn:	Connection, connected
 * @d:		Direction: from @s[d] to @s[!d]
 *
 * Return: 0, or -errno on a fatal error of either socket
 *
 * #syscalls:pasta splice shutdown
 */
static int tcp_splice_dir(struct tcp_splice_conn *conn, int d)
{
	const unsigned flags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;
	int from = conn->s[d], to = conn->s[!d];

	for (;;) {
		bool progress = false;
		ssize_t n;

		if (!(conn->in_eof & (1U << d)) &&
		    conn->pending[d] < conn->pipe_size) {
			n = splice(from, NULL, conn->pipe_w[d], NULL,
				   conn->pipe_size - conn->pending[d], flags);
			if (n > 0) {
				conn->pending[d] += (uint32_t)n;
				progress = true;
			} else if (!n) {
				conn->in_eof |= (uint8_t)(1U << d);
				progress = true;
			} else if (errno != EAGAIN && errno != EINTR) {
				return -errno;
			}
		}

		if (conn->pending[d]) {
			n = splice(conn->pipe_r[d], NULL, to, NULL,
				   conn->pending[d], flags);
			if (n > 0) {
				conn->pending[d] -= (uint32_t)n;
				conn->bytes[d] += (uint64_t)n;
				progress = true;
			} else if (n < 0 && errno != EAGAIN &&
				   errno != EINTR) {
				return -errno;
			}
		}

		if ((conn->in_eof & (1U << d)) && !conn->pending[d] &&
		    !(conn->out_shut & (1U << d))) {
			if (shutdown(to, SHUT_WR) && errno != ENOTCONN)
				return -errno;
			conn->out_shut |= (uint8_t)(1U << d);
		}

		if (!progress)
			return 0;
	}
}

/**
 * tcp_splice_move() - Move both directions, close when both are done
 * @conn:	Connection, connected, not closed
 */
static void tcp_splice_move(struct tcp_splice_conn *conn)
{
	int d, rc;

	for (d = 0; d < 2; d++) {
		rc = tcp_splice_dir(conn, d);
		if (rc) {
			tcp_splice_close(conn, true, strerror(-rc));
			return;
		}
	}
	if (conn->out_shut == 3)
		tcp_splice_close(conn, false, "both sides done");
}

/**
 * tcp_splice_sock_handler() - Event on one of the two sockets
 * @c:		Execution context
 * @ref:	epoll reference: flow index and side
 * @events:	epoll events
 *
 * #syscalls:pasta getsockopt
 */
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events)
{
	union flow *flow = flow_at(ref.idx / 2);
	struct tcp_splice_conn *conn = conn_of(flow);
	unsigned side = ref.idx % 2;

	(void)c;

	if (flow->f.type != FLOW_TCP_SPLICE || conn->closed ||
	    conn->s[side] != (int)ref.fd)
		return;		/* closed earlier in this batch */

	if (events & EPOLLERR) {
		int err = 0;
		socklen_t sl = sizeof(err);

		getsockopt(conn->s[side], SOL_SOCKET, SO_ERROR, &err, &sl);
		tcp_splice_close(conn, true, err ? strerror(err) :
				 "socket error");
		return;
	}

	if (!conn->connected) {
		if (side != 1 || !(events & (EPOLLOUT | EPOLLHUP)))
			return;	/* data before connect(): read it later */
		conn->connected = 1;
		flow_dbg(flow, "connected");
	}

	tcp_splice_move(conn);
}

/**
 * tcp_splice_pipe() - Make one pipe, as large as allowed
 * @conn:	Connection
 * @i:		Which one
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls:pasta pipe2 fcntl
 */
static int tcp_splice_pipe(struct tcp_splice_conn *conn, int i)
{
	int p[2], size;

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
		return -errno;
	conn->pipe_r[i] = p[0];
	conn->pipe_w[i] = p[1];

	size = fcntl(p[1], F_SETPIPE_SZ, TCP_SPLICE_PIPE_SIZE);
	if (size < 0)
		size = fcntl(p[1], F_GETPIPE_SZ);
	if (size <= 0)
		return -EINVAL;
	if (!conn->pipe_size || (uint32_t)size < conn->pipe_size)
		conn->pipe_size = (uint32_t)size;
	return 0;
}

/**
 * tcp_splice_epoll_add() - Watch one socket, edge-triggered, both ways
 * @c:		Execution context
 * @conn:	Connection
 * @side:	Which socket
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls:pasta epoll_ctl
 */
static int tcp_splice_epoll_add(const struct ctx *c,
				struct tcp_splice_conn *conn, unsigned side)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_SPLICE,
				.fd = conn->s[side] };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP |
					    EPOLLET };

	ref.idx = TCP_SPLICE_REF(flow_idx((union flow *)conn), side);
	ev.data.u64 = ref.u64;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, conn->s[side], &ev))
		return -errno;
	return 0;
}

/**
 * tcp_splice_conn_new() - Splice an accepted connection to the other side
 * @c:		Execution context
 * @dir:	FWD_IN: accepted on the host, connect in the namespace;
 *		FWD_OUT: accepted in the namespace, connect on the host
 * @port:	Forwarded port it came to
 * @s:		Accepted socket
 * @peer:	Its peer's address, a loopback one
 *
 * Return: true if @s was taken (spliced, or reset on failure), false if
 *	   splicing isn't available (FWD_IN only): @s is left to the caller
 *
 * #syscalls:pasta socket connect setsockopt close
 */
bool tcp_splice_conn_new(struct ctx *c, enum fwd_dir dir, in_port_t port,
			 int s, const union inany_addr *peer)
{
	const struct fwd_ports *fp = fwd_ports(IPPROTO_TCP, dir);
	struct tcp_splice_conn *conn;
	struct sockaddr_storage sa;
	in_port_t to = fwd_port_target(fp, port);
	int af = inany_v4(peer) ? AF_INET : AF_INET6, one = 1, t, i;
	union inany_addr lo;
	union flow *flow;
	socklen_t sl;
	const char *why;

	if (dir == FWD_IN && (c->no_splice || !nsbroker_ready()))
		return false;

	flow = flow_alloc();
	if (!flow) {
		why = "flow table full";
		goto refuse;
	}
	conn = conn_of(flow);
	memset((char *)conn + sizeof(conn->f), 0,
	       sizeof(*conn) - sizeof(conn->f));
	conn->f.proto = IPPROTO_TCP;
	conn->s[0] = s;
	conn->s[1] = conn->pipe_r[0] = conn->pipe_r[1] = -1;
	conn->pipe_w[0] = conn->pipe_w[1] = -1;
	flow_activate(flow, FLOW_TCP_SPLICE);

	if (dir == FWD_IN)
		t = nsbroker_socket(c, af);
	else
		t = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			   IPPROTO_TCP);
	if (t < 0) {
		if (dir == FWD_IN && t == -ENOTCONN) {
			/* The broker went away: the tap path, after all */
			conn->s[0] = -1;
			tcp_splice_close(conn, false, "no broker");
			return false;
		}
		tcp_splice_close(conn, true, "no socket for the other side");
		return true;
	}
	conn->s[1] = t;

	for (i = 0; i < 2; i++) {
		setsockopt(conn->s[i], IPPROTO_TCP, TCP_NODELAY, &one,
			   sizeof(one));
		if (tcp_splice_pipe(conn, i) || tcp_splice_epoll_add(c, conn,
								      i)) {
			tcp_splice_close(conn, true, "out of resources");
			return true;
		}
	}

	if (af == AF_INET)
		inany_from_v4(&lo, (struct in_addr){ htonl(INADDR_LOOPBACK) });
	else
		lo.a6 = in6addr_loopback;
	sl = tcp_sockaddr(c, &lo, to, &sa);

	flow_dbg(flow, "%s loopback, port %u -> %u", dir == FWD_IN ?
		 "host to namespace" : "namespace to host", port, to);

	if (connect(t, (struct sockaddr *)&sa, sl)) {
		if (errno != EINPROGRESS) {
			tcp_splice_close(conn, true, strerror(errno));
			return true;
		}
		return true;	/* EPOLLOUT on @s[1] when done */
	}
	conn->connected = 1;
	tcp_splice_move(conn);
	return true;

refuse:
	debug_ratelimit("TCP: splice to port %u refused: %s", port, why);
	tcp_sock_rst_close(s);
	return true;
}

/**
 * tcp_splice_flow_defer() - Timer and freeing of a spliced flow
 * @c:		Execution context
 * @flow:	Flow
 * @now:	Current monotonic time
 * @timer:	A timer interval (FLOW_TIMER_INTERVAL) has passed
 *
 * Return: true if the entry may be freed: everything is closed
 */
bool tcp_splice_flow_defer(struct ctx *c, union flow *flow,
			   const struct timespec *now, bool timer)
{
	struct tcp_splice_conn *conn = conn_of(flow);

	(void)c;
	(void)now;

	if (conn->closed)
		return true;
	if (timer && !conn->connected &&
	    ++conn->ticks > TCP_SPLICE_CONNECT_TICKS)
		tcp_splice_close(conn, true, "connect() timed out");
	return conn->closed;
}
