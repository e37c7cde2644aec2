// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_tap.c - TCP: segments from the guest, guest to host data
 *
 * DOC: Theory of Operation
 *
 * Every segment from the guest comes here (tcp_tap_handler()), with a view
 * at its TCP header: the header is copied out, its data offset checked
 * against what arrived, the options parsed with every length checked.
 * The flow is looked up by addresses and ports; a SYN without a flow opens
 * a socket towards the translated destination (tcp_conn_from_tap()), any
 * other segment without a flow gets a RST (RFC 9293, 3.10.7.1).
 *
 * Established flows (RFC 9293, 3.10.7.4, without the parts that need a
 * reassembly queue):
 * - RST: exact sequence number resets (the socket is closed with SO_LINGER
 *   0, so the peer sees a reset too), in-window ones get a challenge ACK
 *   (RFC 5961); a SYN also gets a challenge ACK;
 * - ACK: advances what the guest acknowledged, takes its window; three
 *   duplicate ACKs start fast retransmit, partial ACKs in recovery ask for
 *   the next segment (RFC 5681, RFC 6582): the sending is tcp_buf.c's;
 * - payload: in order, it is held (pointers into the guest's frames) and
 *   written with the payload of the following segments of the same flow
 *   in one sendmsg(), once tap.c calls tcp_tap_flush() at the end of its
 *   batch of frames; what the kernel takes is acknowledged at the end of
 *   the batch of events, the rest dropped for the guest to send again.
 *   Old payload is acknowledged again (our ACK got lost); payload after a
 *   hole is dropped with an immediate duplicate ACK, so that the guest
 *   counts them and retransmits fast;
 * - FIN: once all payload before it is written, shutdown(SHUT_WR).
 *
 * Anything but plain payload (flags other than ACK and PSH) writes what is
 * held first, so that sequence checks see the real state.
 */

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "flow_table.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "passt.h"
#include "tcp.h"
#include "tcp_internal.h"
#include "util.h"

#define TCP_WBATCH_FLOWS	8	/* flows with guest payload held */
#define TCP_WBATCH_IOV		64	/* segments held per flow */

/**
 * struct tcp_wbatch - Guest payload of one flow, held for one sendmsg()
 * @idx:	Flow index
 * @seq_end:	Sequence number after the last byte held
 * @n:		Segments held
 * @bytes:	Bytes held
 * @iov:	Payloads, in frames tap.c keeps until tcp_tap_flush()
 */
struct tcp_wbatch {
	uint32_t idx;
	uint32_t seq_end;
	unsigned n;
	size_t bytes;
	struct iovec iov[TCP_WBATCH_IOV];
};

static struct tcp_wbatch tcp_wbatch[TCP_WBATCH_FLOWS];
static unsigned tcp_wbatch_n;

/**
 * tcp_opt_parse() - Read the options we use from a segment's options
 * @v:		View of the options (data offset less 20 bytes)
 * @o:		Filled with MSS and window scale, where present
 *
 * Each option's length is checked against what is left; the window shift
 * is clamped to 14 (RFC 7323, 2.3). Options after a malformed one are
 * ignored, those before it are kept.
 *
 * Return: false if an option was malformed, true otherwise
 */
bool tcp_opt_parse(struct pkt_view *v, struct tcp_opts *o)
{
	memset(o, 0, sizeof(*o));

	while (pkt_left(v)) {
		uint8_t kind, len;
		struct pkt_view body;
		const void *p;

		if (!pkt_pull_copy(v, &kind, sizeof(kind)))
			return false;
		if (kind == TCP_OPT_EOL)
			return true;
		if (kind == TCP_OPT_NOP)
			continue;

		if (!pkt_pull_copy(v, &len, sizeof(len)) || len < 2)
			return false;
		p = pkt_pull(v, len - 2U);
		if (!p)
			return false;
		pkt_init(&body, p, len - 2U);

		switch (kind) {
		case TCP_OPT_MSS: {
			uint16_t mss;

			if (len != TCP_OPT_MSS_LEN ||
			    !pkt_pull_copy(&body, &mss, sizeof(mss)))
				return false;
			o->mss = ntohs(mss);
			o->mss_set = true;
			break;
		}
		case TCP_OPT_WS: {
			uint8_t ws;

			if (len != TCP_OPT_WS_LEN ||
			    !pkt_pull_copy(&body, &ws, sizeof(ws)))
				return false;
			o->ws = MIN(ws, TCP_WS_MAX);
			o->ws_set = true;
			break;
		}
		default:	/* SACK, timestamps...: not used */
			break;
		}
	}

	return true;
}

/**
 * tcp_bind_outbound() - Bind an outbound socket as --outbound* ask
 * @c:		Execution context
 * @s:		Socket
 * @v6:		IPv6 socket
 *
 * Best effort: a failure leaves the choice to the kernel.
 *
 * #syscalls bind setsockopt
 */
static void tcp_bind_outbound(const struct ctx *c, int s, bool v6)
{
	const char *ifname = v6 ? c->ip6.ifname_out : c->ip4.ifname_out;

	if (!v6 && c->ip4.addr_out.s_addr) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_addr = c->ip4.addr_out };

		if (bind(s, (struct sockaddr *)&a, sizeof(a)))
			debug_perror("TCP: binding to the outbound address");
	} else if (v6 && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_out)) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6,
					  .sin6_addr = c->ip6.addr_out };

		if (bind(s, (struct sockaddr *)&a, sizeof(a)))
			debug_perror("TCP: binding to the outbound address");
	}

	if (*ifname &&
	    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname)))
		debug_perror("TCP: binding to the outbound interface");
}

/**
 * tcp_conn_from_tap() - A SYN from the guest: connect a socket on the host
 * @c:		Execution context
 * @side:	Addresses and ports, as the guest sent them
 * @th:		The SYN's header
 * @o:		Its options
 *
 * #syscalls socket connect
 */
static void tcp_conn_from_tap(struct ctx *c, const struct flowside *side,
			      const struct tcp_seg_hdr *th,
			      const struct tcp_opts *o)
{
	bool v6 = !inany_v4(&side->gaddr);
	struct tcp_tap_conn *conn;
	struct sockaddr_storage sa;
	union inany_addr host_dst;
	char b1[INANY_ADDRSTRLEN], b2[INANY_ADDRSTRLEN];
	char b3[INANY_ADDRSTRLEN];
	union flow *flow;
	socklen_t sl;
	int s;

	/* The host's loopback is reached through the mapped gateway only:
	 * a guest has no business sending to 127.0.0.1 or ::1 itself
	 */
	if (tcp_addr_loopback(&side->daddr) ||
	    !fwd_nat_outbound(c, IPPROTO_TCP, &side->daddr, side->dport,
			      &host_dst)) {
		tcp_buf_rst_reply(c, side, th, 0);
		return;
	}

	flow = flow_alloc();
	if (!flow) {
		tcp_buf_rst_reply(c, side, th, 0);
		return;
	}

	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0) {
		debug_perror("TCP: socket for a guest connection");
		flow_alloc_cancel(flow);
		tcp_buf_rst_reply(c, side, th, 0);
		return;
	}
	tcp_sock_opts(s);
	if (!tcp_addr_loopback(&host_dst))
		tcp_bind_outbound(c, s, v6);

	conn = &flow->tcp;
	conn->sock = s;
	conn->f.proto = IPPROTO_TCP;
	conn->f.tap = *side;
	conn->state = TCP_CONN_CONNECTING;
	conn->ws_from_tap = o->ws_set ? o->ws : 0;
	conn->ws_to_tap = o->ws_set ? TCP_WS_TO_TAP : 0;
	conn->mss = tcp_mss_clamp(o, v6, tcp_mss_ours(c, v6));
	conn->wnd_from_tap = (uint16_t)(ntohs(th->wnd) >> conn->ws_from_tap);
	conn->seq_from_tap = ntohl(th->seq) + 1;
	conn->seq_ack_from_tap = tcp_conn_isn(c, side);
	conn->seq_to_tap = conn->seq_max_to_tap = conn->seq_ack_from_tap;
	conn->seq_sock_head = conn->seq_ack_from_tap + 1;
	conn->seq_recover = conn->seq_ack_from_tap;	/* below any ACK */
	conn->last_active = (uint32_t)c->now.tv_sec;

	flow_activate(flow, FLOW_TCP);
	flow_hash_insert(flow);
	conn_dbg(conn, "guest %s:%u -> %s:%u (host %s)",
		 inany_ntop(&side->gaddr, b1), side->gport,
		 inany_ntop(&side->daddr, b2), side->dport,
		 inany_ntop(&host_dst, b3));

	sl = tcp_sockaddr(c, &host_dst, side->dport, &sa);
	if (!connect(s, (struct sockaddr *)&sa, sl)) {
		if (tcp_epoll_ctl(c, conn, EPOLL_CTL_ADD)) {
			tcp_rst(c, conn, "epoll");
			return;
		}
		tcp_connected(c, conn);
		return;
	}
	if (errno != EINPROGRESS) {
		tcp_rst(c, conn, strerror(errno));
		return;
	}
	if (tcp_epoll_ctl(c, conn, EPOLL_CTL_ADD)) {
		tcp_rst(c, conn, "epoll");
		return;
	}
	tcp_timer_set(c, conn, TCP_SYN_TIMEOUT_MS);
}

/**
 * tcp_wbatch_find() - The payload held for a flow
 * @conn:	Connection with @wbatch set
 *
 * Return: its entry
 */
static struct tcp_wbatch *tcp_wbatch_find(const struct tcp_tap_conn *conn)
{
	uint32_t idx = flow_idx((const union flow *)conn);
	unsigned i;

	for (i = 0; i < tcp_wbatch_n; i++) {
		if (tcp_wbatch[i].idx == idx)
			return &tcp_wbatch[i];
	}
	ASSERT(!"flow has held payload, but no entry");
	return NULL;
}

/**
 * tcp_tap_drop_held() - Forget the payload held for a flow, if any
 * @conn:	Connection
 */
void tcp_tap_drop_held(struct tcp_tap_conn *conn)
{
	struct tcp_wbatch *b;

	if (!conn->wbatch)
		return;
	b = tcp_wbatch_find(conn);
	*b = tcp_wbatch[--tcp_wbatch_n];
	conn->wbatch = 0;
}

/**
 * tcp_wbatch_write() - Write the payload held for a flow, one sendmsg()
 * @c:		Execution context
 * @conn:	Connection
 *
 * What the socket takes is acknowledged (at the end of the batch), the
 * rest is dropped: the guest sends it again, and the window we advertise
 * meanwhile is what the socket can take.
 *
 * #syscalls sendmsg
 */
static void tcp_wbatch_write(struct ctx *c, struct tcp_tap_conn *conn)
{
	struct msghdr mh = { 0 };
	struct tcp_wbatch *b;
	size_t bytes;
	ssize_t n;

	if (!conn->wbatch)
		return;
	b = tcp_wbatch_find(conn);
	bytes = b->bytes;
	mh.msg_iov = b->iov;
	mh.msg_iovlen = b->n;

	n = sendmsg(conn->sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	tcp_tap_drop_held(conn);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			tcp_rst(c, conn, strerror(errno));
			return;
		}
		n = 0;
	}

	conn->seq_from_tap += (uint32_t)n;
	if (n) {
		uint32_t wnd = tcp_wnd_scaled(conn->wnd_to_tap,
					      conn->ws_to_tap);

		/* Until it's computed again, frames carrying the new ACK keep
		 * the right edge where it was, not beyond what the socket took
		 */
		wnd = wnd > (uint32_t)n ? wnd - (uint32_t)n : 0;
		conn->wnd_to_tap = tcp_wnd_raw(wnd, conn->ws_to_tap);
		conn->ack_due = 1;
	}
	if ((size_t)n < bytes) {
		debug_ratelimit("TCP: flow %u: socket took %zi of %zu bytes",
				flow_idx((union flow *)conn), n, bytes);
		conn->wnd_due = 1;
	}
	tcp_pending_add(c, conn);
}

/**
 * tcp_tap_flush() - Write all guest payload held back, one call per flow
 * @c:		Execution context
 *
 * tap.c calls this once it handed a batch of frames to tcp_tap_handler(),
 * before it reuses their memory.
 */
void tcp_tap_flush(struct ctx *c)
{
	while (tcp_wbatch_n) {
		union flow *flow = flow_at(tcp_wbatch[0].idx);

		tcp_wbatch_write(c, &flow->tcp);
	}
}

/**
 * tcp_tap_ack() - Process the acknowledgement and window of a segment
 * @c:		Execution context
 * @conn:	Connection, established
 * @ack:	Acknowledgement number
 * @wnd:	Window field
 * @pure:	No payload, no SYN, no FIN: may count as a duplicate ACK
 *
 * Return: false if the segment must be dropped (it acknowledges what we
 *	   never sent: an ACK is due, RFC 9293, 3.10.7.4)
 */
static bool tcp_tap_ack(struct ctx *c, struct tcp_tap_conn *conn,
			uint32_t ack, uint16_t wnd, bool pure)
{
	uint32_t una = conn->seq_ack_from_tap;
	bool wnd_changed;

	if (SEQ_GT(ack, conn->seq_max_to_tap)) {
		conn->ack_due = 1;
		tcp_pending_add(c, conn);
		return false;
	}
	if (SEQ_LT(ack, una))
		return true;	/* old: neither ACK nor window news */

	wnd_changed = wnd != conn->wnd_from_tap;
	conn->wnd_from_tap = wnd;

	if (SEQ_GT(ack, una)) {
		uint16_t now = (uint16_t)tcp_now_ms(&c->now);

		if (conn->rtt_timing && SEQ_GE(ack, conn->rtt_seq)) {
			tcp_rtt_sample(conn, (uint16_t)(now - conn->rtt_start));
			conn->rtt_timing = 0;
		} else if (conn->in_recovery && !conn->retx_due) {
			/* The original was lost (duplicate ACKs said so, and
			 * the tap doesn't reorder): this ACKs the copy
			 */
			tcp_rtt_sample(conn, (uint16_t)(now - conn->retx_at));
		}
		conn->seq_ack_from_tap = ack;
		conn->retries = 0;
		conn->dup_acks = 0;
		conn->deadline = 0;	/* restarted if still needed */
		if (SEQ_GT(ack, conn->seq_to_tap)) {
			/* Acknowledges what was sent before a rewind */
			conn->seq_to_tap = ack;
			conn->peek_reset = 1;
		}
		if (conn->fin_to_tap && ack == conn->seq_max_to_tap &&
		    !conn->fin_acked) {
			conn->fin_acked = 1;
			conn_dbg(conn, "guest acknowledged our FIN");
		}
		if (conn->in_recovery) {
			if (SEQ_GE(ack, conn->seq_recover))
				conn->in_recovery = 0;
			else
				conn->retx_due = 1;	/* partial ACK */
		}
		tcp_pending_add(c, conn);
		return true;
	}

	/* Duplicate ACK (RFC 5681, 2). The tap doesn't reorder, so each one
	 * means the guest lacks the byte at @una: no need for RFC 6582's
	 * guard against duplicates of what it had, only for a round trip's
	 * patience before a retransmission counts as lost too.
	 */
	if (pure && !wnd_changed && wnd && una != conn->seq_max_to_tap) {
		uint16_t now = (uint16_t)tcp_now_ms(&c->now);

		if (conn->in_recovery) {
			if ((uint16_t)(now - conn->retx_at) >
			    tcp_rtt_max_ms(conn) && !conn->retx_due) {
				conn->retx_due = 1;
				tcp_pending_add(c, conn);
			}
			return true;
		}
		if (conn->dup_acks < 3)
			conn->dup_acks++;
		if (conn->dup_acks == 3) {
			conn->in_recovery = 1;
			conn->seq_recover = conn->seq_max_to_tap;
			conn->retx_due = 1;
			tcp_pending_add(c, conn);
		}
	}
	if (wnd_changed)
		tcp_pending_add(c, conn);
	return true;
}

/**
 * tcp_tap_data() - Take a segment's payload, to be written to the socket
 * @c:		Execution context
 * @conn:	Connection, established
 * @seq:	Sequence number of the segment
 * @v:		View of the payload
 *
 * In-order payload is held (pointers into the guest's frame) and written
 * with the payload of the following segments of the same flow in one
 * sendmsg(), at the latest by tcp_tap_flush().
 *
 * Return: true if the payload is all in (held, or written before)
 */
static bool tcp_tap_data(struct ctx *c, struct tcp_tap_conn *conn,
			 uint32_t seq, struct pkt_view *v)
{
	size_t plen = pkt_left(v), skip, len;
	uint32_t end = seq + (uint32_t)plen, expect = conn->seq_from_tap;
	struct tcp_wbatch *b = NULL;
	const void *data;

	if (conn->fin_from_tap) {		/* data after the FIN */
		conn->ack_due = 1;
		return false;
	}
	if (conn->wbatch) {
		b = tcp_wbatch_find(conn);
		expect = b->seq_end;
		if (!SEQ_LE(seq, expect)) {
			/* Out of order: is it, once the rest is written? */
			tcp_wbatch_write(c, conn);
			if (conn->state == TCP_CONN_CLOSED)
				return false;
			b = NULL;
			expect = conn->seq_from_tap;
		}
	}
	if (SEQ_LE(end, expect)) {		/* all seen: ACK lost? */
		conn->ack_due = 1;
		return true;
	}
	if (SEQ_GT(seq, expect)) {
		/* A hole before it: duplicate ACK at once, the guest counts */
		tcp_buf_ctl(c, conn, TCP_F_ACK, conn->seq_to_tap);
		return false;
	}

	skip = expect - seq;
	len = plen - skip;
	if (!pkt_pull(v, skip) || !(data = pkt_pull(v, len)))
		return false;

	if (b && b->n == TCP_WBATCH_IOV) {
		tcp_wbatch_write(c, conn);
		if (conn->state == TCP_CONN_CLOSED)
			return false;
		b = NULL;
		if (conn->seq_from_tap != expect)
			return false;	/* full: guest sends it again */
	}
	if (!b) {
		if (tcp_wbatch_n == TCP_WBATCH_FLOWS)
			tcp_tap_flush(c);
		if (conn->state == TCP_CONN_CLOSED)
			return false;
		b = &tcp_wbatch[tcp_wbatch_n++];
		b->idx = flow_idx((union flow *)conn);
		b->n = 0;
		b->bytes = 0;
		conn->wbatch = 1;
	}

	b->iov[b->n].iov_base = (void *)(uintptr_t)data;
	b->iov[b->n].iov_len = len;
	b->n++;
	b->bytes += len;
	b->seq_end = end;
	return true;
}

/**
 * tcp_tap_fin() - Accept the guest's FIN: shut the socket for writing
 * @c:		Execution context
 * @conn:	Connection, all data before the FIN written
 *
 * #syscalls shutdown
 */
static void tcp_tap_fin(struct ctx *c, struct tcp_tap_conn *conn)
{
	conn->seq_from_tap++;
	conn->fin_from_tap = 1;
	conn->ack_due = 1;
	conn_dbg(conn, "FIN from guest");

	if (shutdown(conn->sock, SHUT_WR) && errno != ENOTCONN)
		tcp_rst(c, conn, strerror(errno));
}

/**
 * tcp_tap_established() - A segment for an established connection
 * @c:		Execution context
 * @conn:	Connection, established
 * @th:		Header
 * @v:		View of the payload
 */
static void tcp_tap_established(struct ctx *c, struct tcp_tap_conn *conn,
				const struct tcp_seg_hdr *th,
				struct pkt_view *v)
{
	uint32_t seq = ntohl(th->seq), rcv_wnd;
	size_t plen = pkt_left(v);
	bool all_in = true;

	conn->last_active = (uint32_t)c->now.tv_sec;
	trace("TCP: flow %u: seq %u ack %u wnd %u len %zu flags 0x%02x, "
	      "expect %u, una %u next %u max %u",
	      flow_idx((union flow *)conn), seq, ntohl(th->ack),
	      ntohs(th->wnd), plen, th->flags, conn->seq_from_tap,
	      conn->seq_ack_from_tap, conn->seq_to_tap, conn->seq_max_to_tap);

	/* Anything but plain data needs the payload held so far written */
	if (th->flags & ~(TCP_F_ACK | TCP_F_PSH)) {
		tcp_wbatch_write(c, conn);
		if (conn->state == TCP_CONN_CLOSED)
			return;
	}

	if (th->flags & TCP_F_RST) {
		/* RFC 5961, 3.2: exact match resets, in window challenges */
		rcv_wnd = tcp_wnd_scaled(conn->wnd_to_tap, conn->ws_to_tap);
		if (seq == conn->seq_from_tap) {
			conn_dbg(conn, "RST from guest");
			tcp_conn_close(conn, true);
		} else if (SEQ_GT(seq, conn->seq_from_tap) &&
			   SEQ_LT(seq, conn->seq_from_tap + MAX(rcv_wnd, 1))) {
			tcp_buf_ctl(c, conn, TCP_F_ACK, conn->seq_to_tap);
		}
		return;
	}
	if (th->flags & TCP_F_SYN) {		/* RFC 5961, 4: challenge */
		tcp_buf_ctl(c, conn, TCP_F_ACK, conn->seq_to_tap);
		return;
	}
	if (!(th->flags & TCP_F_ACK))
		return;

	if (!tcp_tap_ack(c, conn, ntohl(th->ack), ntohs(th->wnd),
			 !plen && !(th->flags & TCP_F_FIN)))
		return;

	if (plen) {
		all_in = tcp_tap_data(c, conn, seq, v);
		if (conn->state == TCP_CONN_CLOSED)
			return;
		tcp_pending_add(c, conn);
	} else if (SEQ_LT(seq, conn->seq_from_tap)) {
		conn->ack_due = 1;		/* keepalive probe: answer */
		tcp_pending_add(c, conn);
	}

	if (!(th->flags & TCP_F_FIN) || !all_in)
		return;
	tcp_wbatch_write(c, conn);
	if (conn->state == TCP_CONN_CLOSED)
		return;
	if (!conn->fin_from_tap &&
	    seq + (uint32_t)plen == conn->seq_from_tap)
		tcp_tap_fin(c, conn);
	else
		conn->ack_due = 1;		/* retransmitted FIN */
	if (conn->state != TCP_CONN_CLOSED)
		tcp_pending_add(c, conn);
}

/**
 * tcp_rtt_handshake() - First round-trip time sample: our SYN(-ACK) answered
 * @c:		Execution context
 * @conn:	Connection, handshake completed by the current segment
 */
static void tcp_rtt_handshake(const struct ctx *c, struct tcp_tap_conn *conn)
{
	uint16_t now = (uint16_t)tcp_now_ms(&c->now);

	if (conn->rtt_timing)
		tcp_rtt_sample(conn, (uint16_t)(now - conn->rtt_start));
	conn->rtt_timing = 0;
}

/**
 * tcp_tap_syn_ack_sent() - A segment while our SYN-ACK waits for its ACK
 * @c:		Execution context
 * @conn:	Connection in TCP_CONN_SYN_ACK_SENT
 * @th:		Header
 * @v:		View of the payload
 */
static void tcp_tap_syn_ack_sent(struct ctx *c, struct tcp_tap_conn *conn,
				 const struct tcp_seg_hdr *th,
				 struct pkt_view *v)
{
	uint32_t isn = conn->seq_ack_from_tap;

	if (th->flags & TCP_F_RST) {
		if (ntohl(th->seq) == conn->seq_from_tap) {
			conn_dbg(conn, "RST from guest");
			tcp_conn_close(conn, true);
		}
		return;
	}
	if (th->flags & TCP_F_SYN) {
		if (!(th->flags & TCP_F_ACK) &&
		    ntohl(th->seq) + 1 == conn->seq_from_tap)
			tcp_buf_ctl(c, conn, TCP_F_SYN | TCP_F_ACK, isn);
		return;
	}
	if (!(th->flags & TCP_F_ACK))
		return;
	if (ntohl(th->ack) != isn + 1) {
		tcp_buf_rst_reply(c, &conn->f.tap, th, pkt_left(v));
		return;
	}

	tcp_rtt_handshake(c, conn);
	conn->state = TCP_CONN_ESTABLISHED;
	conn->seq_ack_from_tap = isn + 1;
	conn->wnd_from_tap = ntohs(th->wnd);
	conn->retries = 0;
	conn->deadline = 0;
	conn_dbg(conn, "handshake with guest done");
	tcp_wnd_update(c, conn);	/* scaled from now on */

	tcp_tap_established(c, conn, th, v);
	if (conn->state == TCP_CONN_ESTABLISHED)
		tcp_pending_add(c, conn);
}

/**
 * tcp_tap_syn_sent() - A segment while our SYN waits for the guest's answer
 * @c:		Execution context
 * @conn:	Connection in TCP_CONN_SYN_SENT
 * @th:		Header
 * @opts:	View of the options
 * @v:		View of the payload
 */
static void tcp_tap_syn_sent(struct ctx *c, struct tcp_tap_conn *conn,
			     const struct tcp_seg_hdr *th,
			     struct pkt_view *opts, struct pkt_view *v)
{
	uint32_t isn = conn->seq_ack_from_tap;
	bool v6 = !inany_v4(&conn->f.tap.gaddr);
	struct tcp_opts o;

	if (th->flags & TCP_F_RST) {
		if ((th->flags & TCP_F_ACK) && ntohl(th->ack) == isn + 1) {
			conn_dbg(conn, "refused by guest");
			tcp_conn_close(conn, true);
		}
		return;
	}
	if (!(th->flags & TCP_F_ACK))
		return;		/* simultaneous open: not supported */
	if (ntohl(th->ack) != isn + 1) {
		tcp_buf_rst_reply(c, &conn->f.tap, th, pkt_left(v));
		return;
	}
	if (!(th->flags & TCP_F_SYN))
		return;

	tcp_opt_parse(opts, &o);
	if (o.ws_set) {
		conn->ws_from_tap = o.ws;
	} else {
		conn->ws_from_tap = 0;
		conn->ws_to_tap = 0;
	}
	conn->mss = tcp_mss_clamp(&o, v6, tcp_mss_ours(c, v6));
	conn->wnd_from_tap = (uint16_t)(ntohs(th->wnd) >> conn->ws_from_tap);
	conn->seq_from_tap = ntohl(th->seq) + 1;
	conn->seq_ack_from_tap = isn + 1;
	tcp_rtt_handshake(c, conn);
	conn->state = TCP_CONN_ESTABLISHED;
	conn->retries = 0;
	conn->deadline = 0;
	conn->last_active = (uint32_t)c->now.tv_sec;
	conn_dbg(conn, "guest accepted, MSS %u", conn->mss);

	tcp_wnd_update(c, conn);
	tcp_buf_ctl(c, conn, TCP_F_ACK, conn->seq_to_tap);
	tcp_pending_add(c, conn);
}

/**
 * tcp_tap_handler() - A TCP segment from the guest
 * @c:		Execution context
 * @ii:		What its IP header said
 * @v:		View at the TCP header, narrowed to the segment
 *
 * Return: PKT_CONSUMED, or PKT_DROP if the header is malformed
 */
enum pkt_verdict tcp_tap_handler(struct ctx *c, const struct ip_info *ii,
				 struct pkt_view *v)
{
	struct pkt_view opts;
	struct tcp_seg_hdr th;
	struct flowside side;
	struct tcp_tap_conn *conn;
	union flow *flow;
	const void *p;
	size_t hlen;

	if (!pkt_pull_copy(v, &th, sizeof(th)))
		return PKT_DROP;
	hlen = (th.doff >> 4) * 4UL;
	if (hlen < sizeof(th))
		return PKT_DROP;
	p = pkt_pull(v, hlen - sizeof(th));
	if (!p)
		return PKT_DROP;
	pkt_init(&opts, p, hlen - sizeof(th));

	memset(&side, 0, sizeof(side));
	if (ii->af == AF_INET) {
		inany_from_v4(&side.gaddr, ii->s4);
		inany_from_v4(&side.daddr, ii->d4);
	} else {
		/* IPv4-mapped addresses in IPv6 headers: not from a real guest,
		 * and they would make an IPv4 flow of an IPv6 segment
		 */
		if (IN6_IS_ADDR_V4MAPPED(&ii->s6) ||
		    IN6_IS_ADDR_V4MAPPED(&ii->d6))
			return PKT_DROP;
		side.gaddr.a6 = ii->s6;
		side.daddr.a6 = ii->d6;
	}
	side.gport = ntohs(th.sport);
	side.dport = ntohs(th.dport);

	if (!side.gport || !side.dport)
		return PKT_DROP;

	flow = flow_lookup(IPPROTO_TCP, &side);
	if (!flow || flow->f.type != FLOW_TCP) {
		uint8_t f = th.flags & (TCP_F_SYN | TCP_F_ACK | TCP_F_RST |
					TCP_F_FIN);

		if (f == TCP_F_SYN) {
			struct tcp_opts o;

			tcp_opt_parse(&opts, &o);
			tcp_conn_from_tap(c, &side, &th, &o);
		} else if (!(th.flags & TCP_F_RST)) {
			tcp_buf_rst_reply(c, &side, &th, pkt_left(v));
		}
		return PKT_CONSUMED;
	}

	conn = &flow->tcp;
	switch ((enum tcp_conn_state)conn->state) {
	case TCP_CONN_CONNECTING:
		if (th.flags & TCP_F_RST) {
			conn_dbg(conn, "RST from guest");
			tcp_conn_close(conn, true);
		}
		break;
	case TCP_CONN_SYN_ACK_SENT:
		tcp_tap_syn_ack_sent(c, conn, &th, v);
		break;
	case TCP_CONN_SYN_SENT:
		tcp_tap_syn_sent(c, conn, &th, &opts, v);
		break;
	case TCP_CONN_ESTABLISHED:
		tcp_tap_established(c, conn, &th, v);
		break;
	case TCP_CONN_CLOSED:
	case TCP_CONN_NUM_STATES:
	default:
		ASSERT(!"closed TCP flow still hashed");
	}

	return PKT_CONSUMED;
}
