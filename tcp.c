// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp.c - TCP translation: guest-facing sequence space, host sockets
 *
 * DOC: Theory of Operation
 *
 * No second TCP stack: for each connection of the guest, the host kernel
 * runs the real TCP on an ordinary socket, and we keep only what the guest
 * must see, the guest-facing sequence space: our ISN, the next sequence
 * number we send, what the guest acknowledged, what we expect from it, the
 * windows and their scales, the MSS. No payload is ever held here.
 *
 * Connections
 *   Outbound: a SYN from the guest to any address (translated by
 *   fwd_nat_outbound(): the gateway reaches the host's loopback unless
 *   --no-map-gw) opens a non-blocking socket of the same family and
 *   connects it. When connect() completes we answer with a SYN-ACK carrying
 *   our MSS (the guest's MTU less headers) and window scale; a refused or
 *   failed connect answers the guest with RST at once, one that doesn't
 *   complete in TCP_SYN_TIMEOUT_MS too.
 *   Inbound: each port forwarded with -t has a listening socket (dual-stack
 *   where the bind address allows), registered with the port in the epoll
 *   reference. An accepted connection becomes a SYN to the guest's address
 *   and target port, from the peer's address as fwd_nat_inbound() shows it.
 *   ISNs are RFC 6528's: a keyed SipHash of the addresses and ports plus a
 *   clock ticking every 4 us.
 *   The lifecycle is enum tcp_conn_state (tcp_conn.h), with its invariants.
 *
 * Host to guest
 *   Data is peeked from the socket into frame buffers behind headers built
 *   in place (tcp_buf.c), as far as the guest's window goes, in bursts of
 *   at most a frame buffer or 1 MiB per flow and batch: the guest's ACKs
 *   bring the next burst, and meanwhile we get to read what the guest sends
 *   before the tap device's queue overflows. SO_PEEK_OFF makes each peek
 *   continue after what was sent. What the guest acknowledges is dropped
 *   from the socket with MSG_TRUNC, once per batch. EOF from the socket,
 *   after all data, becomes our FIN.
 *
 * Losses (of frames to the guest, or of its ACKs)
 *   The tap doesn't reorder frames, and that makes recovery without SACK
 *   simpler than RFC 6582 has it. Three duplicate ACKs retransmit the first
 *   unacknowledged segment (fast retransmit, RFC 5681); an ACK that moves
 *   but stays short of what was sent before that retransmission means the
 *   next hole, retransmitted at once (NewReno's partial ACK); duplicate
 *   ACKs still coming a round trip after a retransmission mean it was lost
 *   too; and so does no ACK for two round trips (at least 10 ms, doubling,
 *   three times). Failing all that, the retransmission timeout (RFC 6298:
 *   smoothed RTT from samples on new data only, Karn's algorithm; 1 s
 *   until the first sample, then at least 200 ms like Linux, doubling up to
 *   60 s, TCP_RETRANS_MAX tries) goes back to the first unacknowledged byte
 *   and sends everything again. A zero window with data waiting is probed
 *   on the same timer, without a limit.
 *
 * Guest to host, and back-pressure
 *   In-order payload is written to the socket, the payload of a flow's
 *   segments in one batch of frames with one sendmsg() (tcp_tap.c), and
 *   acknowledged only as far as the kernel took it. The window we advertise
 *   is what the socket's send buffer can still take: its free memory
 *   (SO_MEMINFO: the kernel's own sndbuf and queued memory) times the ratio
 *   of payload (SIOCOUTQ) to memory in its queue. A guest that respects the
 *   window never sends what the socket can't take: when the peer stops
 *   reading, the window closes, and nothing is dropped. Once the buffer is
 *   short of space (the kernel's own "writable" threshold), EPOLLOUT is
 *   armed and a window update follows when it drains; arming it also lets
 *   the kernel grow the buffer (send buffer autotuning waits for a writer
 *   that ran out of space). Should the socket take less anyway, the rest is
 *   dropped unacknowledged and the guest sends it again. Out-of-order
 *   segments are dropped with an immediate duplicate ACK: the guest's fast
 *   retransmit fills the hole. No reorder buffer: on a virtual link
 *   reordering is rare, and memory stays flat. The guest's FIN is accepted
 *   once all data before it was written: shutdown(SHUT_WR).
 *
 * Batching
 *   Frames for the guest go to a static array, sent with tap_send_frames()
 *   at the end of each batch of events (or when it fills). Flows that got
 *   segments or socket events are put on a pending list; at the end of the
 *   batch each gets one pass: drop acknowledged bytes, retransmit, read
 *   new data, and one ACK with a fresh window if no data frame carried it.
 *   Only out-of-order segments get their duplicate ACK at once, so that
 *   the guest can count them.
 *
 * Timers
 *   One deadline per flow (milliseconds) and one timerfd for the module,
 *   armed at the earliest deadline it was told about: its expiry asks
 *   flow.c for a sweep, which calls tcp_flow_defer() for every TCP flow,
 *   where due deadlines fire. Arming is a store, plus a syscall only when a
 *   deadline is earlier than the armed one; the sweep of every second is
 *   a backstop. The idle timeout (TCP_IDLE_TIMEOUT_S without a segment from
 *   the guest, whose keepalive probes are answered and count as activity)
 *   is checked there too.
 *
 * Closing
 *   Once both FINs are through and ours is acknowledged, the socket is
 *   closed and the flow unhashed (so a new SYN with the same ports starts a
 *   new flow); the sweep frees it. No TIME_WAIT here: the host kernel keeps
 *   it for the host side, and the guest for its own. A RST from the guest
 *   closes the socket with SO_LINGER 0, so the peer sees a reset; a socket
 *   error (ECONNRESET...) sends RST to the guest.
 *
 * Hostile guests
 *   Every header is copied out through packet.h; the data offset, each
 *   option's length, the MSS (at least TCP_MSS_MIN) and the window scale
 *   (at most 14) are checked or clamped. TCP checksums of guest segments
 *   are not verified: the frames never crossed a wire, the host's stack
 *   makes its own segments from the payload, and a guest can only hurt its
 *   own connections with bad ones. The table is bounded: with no free flow,
 *   a SYN gets a RST and an accepted connection is reset.
 *
 * Not implemented: SACK, timestamps, urgent data (the urgent pointer is
 * ignored: the bytes go through inline), TCP Fast Open (data on a SYN is
 * ignored, the guest sends it again), simultaneous open.
 *
 * Files: tcp.c (this: connections, timers, socket events, the end of a
 * batch), tcp_tap.c (segments from the guest), tcp_buf.c (frames to the
 * guest), tcp_listen.c (forwarded ports, connections from the host side).
 */

#include <errno.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "flow_table.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "passt.h"
#include "siphash.h"
#include "tap.h"
#include "tcp.h"
#include "tcp_internal.h"
#include "util.h"

#ifndef SO_PEEK_OFF
#define SO_PEEK_OFF		42
#endif
#ifndef SO_MEMINFO
#define SO_MEMINFO		55
#endif
#ifndef SIOCOUTQ
#define SIOCOUTQ		TIOCOUTQ
#endif

/* SO_MEMINFO fields (linux/sock_diag.h) */
#define TCP_MEMINFO_SNDBUF	3
#define TCP_MEMINFO_WMEM_QUEUED	5
#define TCP_MEMINFO_VARS	9

#define TCP_RTO_INIT_MS		1000	/* RFC 6298 2.1: no sample */
#define TCP_RTO_MIN_MS		200	/* as Linux, > delayed ACKs */
#define TCP_RTO_MAX_MS		60000
#define TCP_PROBE_MIN_MS	10	/* recovery: resend the hole */
#define TCP_PROBE_TRIES		3	/* then go back N on the RTO */
#define TCP_RETRANS_MAX		8	/* then reset: ~3 minutes */
#define TCP_IDLE_TIMEOUT_S	7200	/* silent guest: reset */

#define TCP_PENDING_MAX		256	/* flows with work a batch */
#define TCP_STATS_INTERVAL_S	1	/* "TCP flows: N", at most */

/* SYN and SYN-ACK: retransmitted after 1, 3 and 7 s, given up at 10 s */
static const uint32_t tcp_syn_backoff_ms[] = {
	TCP_SYN_RTO_MS, 2000, 4000, 3000
};
static_assert(ARRAY_SIZE(tcp_syn_backoff_ms) <= 15, "retries is 4 bits");

bool tcp_peek_off_ok;

static struct siphash_key tcp_isn_key;
static int tcp_timer_fd = -1;
static bool tcp_timer_armed;
static uint32_t tcp_timer_at;

static uint32_t tcp_pending[TCP_PENDING_MAX];

/* Flows whose frames a full guest socket refused, see tcp_tap_wait() */
static uint32_t tcp_waiting[TCP_PENDING_MAX];
static unsigned tcp_waiting_n;
static unsigned tcp_pending_n;

static unsigned tcp_flows_reported;
static time_t tcp_flows_reported_at;

static const char *tcp_state_names[] = {
	[TCP_CONN_CONNECTING]	= "CONNECTING",
	[TCP_CONN_SYN_ACK_SENT]	= "SYN_ACK_SENT",
	[TCP_CONN_SYN_SENT]		= "SYN_SENT",
	[TCP_CONN_ESTABLISHED]	= "ESTABLISHED",
	[TCP_CONN_CLOSED]		= "CLOSED",
};
static_assert(ARRAY_SIZE(tcp_state_names) == TCP_CONN_NUM_STATES,
	      "tcp_state_names must name every enum tcp_conn_state");

/**
 * tcp_state_str() - Name of a connection state, for logs
 * @state:	enum tcp_conn_state
 *
 * Return: constant string
 */
const char *tcp_state_str(unsigned state)
{
	if (state >= TCP_CONN_NUM_STATES)
		return "?";
	return tcp_state_names[state];
}

/* Pure helpers: windows, ISNs (test/unit/test_tcp.c) */

/**
 * tcp_isn() - Initial sequence number for a connection (RFC 6528)
 * @key:	Secret key, drawn at start-up
 * @side:	The connection's addresses and ports, as the guest sees them
 * @now:	Current monotonic time
 *
 * Return: ISN = M + F(addresses, ports, key), M a clock of 4.096 us ticks
 */
uint32_t tcp_isn(const struct siphash_key *key, const struct flowside *side,
		 const struct timespec *now)
{
	uint64_t ns = (uint64_t)now->tv_sec * 1000000000ULL +
		      (uint64_t)now->tv_nsec;

	return (uint32_t)siphash(side, sizeof(*side), key) +
	       (uint32_t)(ns >> 12);
}

/**
 * tcp_conn_isn() - Our ISN for a new connection, with the module's key
 * @c:		Execution context
 * @side:	The connection's addresses and ports, as the guest sees them
 *
 * Return: initial sequence number
 */
uint32_t tcp_conn_isn(const struct ctx *c, const struct flowside *side)
{
	return tcp_isn(&tcp_isn_key, side, &c->now);
}

/**
 * tcp_wnd_scaled() - Window in bytes from a header's window field
 * @raw:	Window field
 * @ws:		Shift agreed on (0 in SYNs, RFC 7323, 2.2)
 *
 * Return: window in bytes
 */
uint32_t tcp_wnd_scaled(uint16_t raw, unsigned ws)
{
	return (uint32_t)raw << MIN(ws, (unsigned)TCP_WS_MAX);
}

/**
 * tcp_wnd_raw() - Window field for a window in bytes, rounded down
 * @bytes:	Window in bytes
 * @ws:		Our shift (0 in SYNs)
 *
 * Return: value of the window field
 */
uint16_t tcp_wnd_raw(uint32_t bytes, unsigned ws)
{
	return (uint16_t)MIN(bytes >> MIN(ws, (unsigned)TCP_WS_MAX),
			     (uint32_t)UINT16_MAX);
}

/**
 * tcp_mss_clamp() - MSS to use towards the guest
 * @o:		Options of the guest's SYN or SYN-ACK
 * @v6:		IPv6 connection
 * @ours:	Largest segment our frames can carry
 *
 * Return: the guest's MSS (or the default without the option), at least
 *	   TCP_MSS_MIN, at most @ours
 */
uint16_t tcp_mss_clamp(const struct tcp_opts *o, bool v6, uint16_t ours)
{
	uint16_t mss = v6 ? TCP_MSS6_DEFAULT : TCP_MSS4_DEFAULT;

	if (o->mss_set)
		mss = o->mss;
	mss = MAX(mss, TCP_MSS_MIN);
	return MIN(mss, ours);
}

/**
 * tcp_mss_ours() - Largest TCP payload for the guest's MTU and our frames
 * @c:		Execution context
 * @v6:		IPv6 connection
 *
 * Return: MSS, at least 1
 */
uint16_t tcp_mss_ours(const struct ctx *c, bool v6)
{
	int l3 = v6 ? 40 : 20;
	int mss = MIN(c->mtu, TAP_FRAME_MAX - ETH_HLEN) - l3 - TCP_HDR_LEN;

	return (uint16_t)MAX(MIN(mss, UINT16_MAX), 1);
}

/**
 * tcp_now_ms() - Milliseconds of a monotonic time, modulo 2^32
 * @now:	Monotonic time
 *
 * Return: milliseconds, compare with SEQ_LT() and friends
 */
uint32_t tcp_now_ms(const struct timespec *now)
{
	return (uint32_t)((uint64_t)now->tv_sec * 1000 +
			  (uint64_t)now->tv_nsec / 1000000);
}

/* Timers */

/**
 * tcp_timer_arm() - Make sure the module's timerfd expires by a deadline
 * @c:		Execution context
 * @deadline:	Deadline, tcp_now_ms() units
 *
 * #syscalls timerfd_settime
 */
static void tcp_timer_arm(const struct ctx *c, uint32_t deadline)
{
	int32_t delay = (int32_t)(deadline - tcp_now_ms(&c->now));
	struct itimerspec it = { { 0, 0 }, { 0, 0 } };

	if (tcp_timer_armed && !SEQ_LT(deadline, tcp_timer_at))
		return;

	delay = MAX(delay, 1);
	it.it_value.tv_sec = delay / 1000;
	it.it_value.tv_nsec = (long)(delay % 1000) * 1000000;
	if (timerfd_settime(tcp_timer_fd, 0, &it, NULL)) {
		debug_perror("TCP: timerfd_settime");
		return;		/* the sweep every second still runs */
	}
	tcp_timer_armed = true;
	tcp_timer_at = deadline;
}

/**
 * tcp_timer_set() - Set a flow's deadline
 * @c:		Execution context
 * @conn:	Connection
 * @ms:		Delay from now, milliseconds
 */
void tcp_timer_set(const struct ctx *c, struct tcp_tap_conn *conn,
		   uint32_t ms)
{
	conn->deadline = (tcp_now_ms(&c->now) + ms) | 1;	/* 0: none */
	tcp_timer_arm(c, conn->deadline);
}

/**
 * tcp_rto_ms() - Retransmission timeout (RFC 6298, 2)
 * @valid:	@srtt and @rttvar hold a measurement
 * @srtt:	Smoothed round-trip time, milliseconds
 * @rttvar:	Round-trip time variation, milliseconds
 * @retries:	Retransmissions so far: the timeout doubles each time (5.5)
 *
 * Return: milliseconds, between TCP_RTO_MIN_MS (Linux's floor, rather
 *	   than RFC 6298's 1 s: local links, and delayed ACKs are shorter)
 *	   and TCP_RTO_MAX_MS
 */
uint32_t tcp_rto_ms(bool valid, uint16_t srtt, uint16_t rttvar,
		    unsigned retries)
{
	uint32_t rto = TCP_RTO_INIT_MS;

	if (valid)
		rto = srtt + MAX(1U, 4U * rttvar);	/* G: 1 ms */
	rto = MAX(rto, (uint32_t)TCP_RTO_MIN_MS);

	for (; retries && rto < TCP_RTO_MAX_MS; retries--)
		rto *= 2;
	return MIN(rto, (uint32_t)TCP_RTO_MAX_MS);
}

/**
 * tcp_rtt_sample() - Fold a round-trip time measurement into the estimate
 * @conn:	Connection
 * @rtt:	Measurement, milliseconds
 *
 * RFC 6298, 2.2 and 2.3, with alpha = 1/8 and beta = 1/4.
 */
void tcp_rtt_sample(struct tcp_tap_conn *conn, uint32_t rtt)
{
	uint32_t delta;

	rtt = MIN(rtt, (uint32_t)UINT16_MAX);
	if (!conn->rtt_valid) {
		conn->srtt = (uint16_t)rtt;
		conn->rttvar = (uint16_t)(rtt / 2);
		conn->rtt_valid = 1;
		return;
	}

	delta = conn->srtt > rtt ? conn->srtt - rtt : rtt - conn->srtt;
	conn->rttvar = (uint16_t)((3U * conn->rttvar + delta) / 4);
	conn->srtt = (uint16_t)((7U * conn->srtt + rtt) / 8);
}

/**
 * tcp_rtt_start() - Start a round-trip time measurement
 * @c:		Execution context
 * @conn:	Connection
 * @seq:	Sequence number whose acknowledgement ends it
 *
 * Only for what is sent the first time (Karn's algorithm): whoever
 * retransmits clears @rtt_timing.
 */
void tcp_rtt_start(const struct ctx *c, struct tcp_tap_conn *conn,
		   uint32_t seq)
{
	conn->rtt_seq = seq;
	conn->rtt_start = (uint16_t)tcp_now_ms(&c->now);
	conn->rtt_timing = 1;
}

/**
 * tcp_rtt_max_ms() - A round-trip time the connection rarely exceeds
 * @conn:	Connection
 *
 * Return: smoothed RTT plus four times its variation (RFC 6298's RTO
 *	   without its floor), at least 2 ms; TCP_RTO_MIN_MS with no sample
 */
uint32_t tcp_rtt_max_ms(const struct tcp_tap_conn *conn)
{
	if (!conn->rtt_valid)
		return TCP_RTO_MIN_MS;
	return MAX(2U, conn->srtt + 4U * conn->rttvar);
}

/**
 * tcp_rto() - Retransmission timeout of a connection, now
 * @conn:	Connection
 *
 * Return: milliseconds
 */
static uint32_t tcp_rto(const struct tcp_tap_conn *conn)
{
	return tcp_rto_ms(conn->rtt_valid, conn->srtt, conn->rttvar,
			  conn->retries);
}

/**
 * tcp_probe_ms() - In recovery: when the retransmitted hole counts as lost
 * @conn:	Connection in recovery
 *
 * The guest acknowledges a hole being filled at once (no delayed ACK), so
 * two round trips (at least TCP_PROBE_MIN_MS) without its ACK mean the
 * retransmission was lost, and no later segment made the guest say so.
 *
 * Return: milliseconds, never above the retransmission timeout
 */
static uint32_t tcp_probe_ms(const struct tcp_tap_conn *conn)
{
	uint32_t ms = MAX(2 * tcp_rtt_max_ms(conn), (uint32_t)TCP_PROBE_MIN_MS);

	return MIN(ms << conn->retries, tcp_rto(conn));
}

/* Sockets and closing */

/**
 * tcp_epoll_ctl() - Register or update a flow's socket with epoll
 * @c:		Execution context
 * @conn:	Connection
 * @op:		EPOLL_CTL_ADD or EPOLL_CTL_MOD
 *
 * Edge-triggered: a readable socket is noted in @sock_data and read when
 * the guest's window allows, without being reported again meanwhile.
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls epoll_ctl
 */
int tcp_epoll_ctl(const struct ctx *c, struct tcp_tap_conn *conn, int op)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP, .fd = conn->sock,
				.idx = flow_idx((union flow *)conn) };
	struct epoll_event ev = { .data.u64 = ref.u64 };

	if (conn->state == TCP_CONN_CONNECTING)
		ev.events = EPOLLOUT | EPOLLET;
	else
		ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET |
			    (conn->epollout ? EPOLLOUT : 0);

	if (epoll_ctl(c->epollfd, op, conn->sock, &ev))
		return -errno;
	return 0;
}

/**
 * tcp_sock_rst_close() - Close a socket so that its peer sees a reset
 * @s:		Socket
 *
 * #syscalls setsockopt close
 */
void tcp_sock_rst_close(int s)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(s);
}

/**
 * tcp_conn_close() - Close a connection's socket, leave the rest to the
 *		      sweep
 * @conn:	Connection, not closed yet
 * @rst:	Make the host peer see a reset rather than a close
 *
 * #syscalls close
 */
void tcp_conn_close(struct tcp_tap_conn *conn, bool rst)
{
	ASSERT(conn->state != TCP_CONN_CLOSED);

	tcp_tap_drop_held(conn);
	if (conn->sock >= 0) {
		if (rst)
			tcp_sock_rst_close(conn->sock);
		else
			close(conn->sock);	/* also leaves epoll */
		conn->sock = -1;
	}
	if (conn->f.hashed)
		flow_unhash((union flow *)conn);

	conn_dbg(conn, "closed%s", rst ? " with reset" : "");
	conn->state = TCP_CONN_CLOSED;
	conn->deadline = 0;
	flow_request_sweep();
}

/**
 * tcp_rst() - Reset a connection both ways: RST to the guest, and the
 *	       socket closed so that its peer sees one too
 * @c:		Execution context
 * @conn:	Connection, not closed yet
 * @why:	Reason, for the debug log
 */
void tcp_rst(struct ctx *c, struct tcp_tap_conn *conn, const char *why)
{
	conn_dbg(conn, "reset: %s", why);
	tcp_buf_ctl(c, conn, TCP_F_RST | TCP_F_ACK,
		    conn->state == TCP_CONN_CONNECTING ? 0 : conn->seq_to_tap);
	tcp_conn_close(conn, true);
}

/**
 * tcp_wnd_update() - Window for the guest from the socket's free send space
 * @c:		Execution context
 * @conn:	Connection
 *
 * SO_MEMINFO gives the kernel's own send buffer size and the memory its
 * queue takes, SIOCOUTQ the payload in that queue: the free memory,
 * scaled by the current ratio of payload to memory, is what the socket
 * will take (the kernel accepts a write while there is any space left, so
 * the estimate may err on the low side only). While short of space (less
 * free than half of what is queued: the kernel's "writable" threshold),
 * EPOLLOUT is armed to send a window update once the buffer drains.
 *
 * #syscalls getsockopt ioctl epoll_ctl
 */
void tcp_wnd_update(const struct ctx *c, struct tcp_tap_conn *conn)
{
	uint32_t mi[TCP_MEMINFO_VARS] = { 0 }, sndbuf, queued, space;
	bool est = conn->state == TCP_CONN_ESTABLISHED;
	socklen_t sl = sizeof(mi);
	uint64_t payload;
	int outq = 0;

	if (!getsockopt(conn->sock, SOL_SOCKET, SO_MEMINFO, mi, &sl) &&
	    sl > TCP_MEMINFO_WMEM_QUEUED * sizeof(mi[0])) {
		sndbuf = mi[TCP_MEMINFO_SNDBUF];
		queued = mi[TCP_MEMINFO_WMEM_QUEUED];
	} else {
		int v = 0;

		/* No SO_MEMINFO (before Linux 4.6): half the buffer */
		sl = sizeof(v);
		getsockopt(conn->sock, SOL_SOCKET, SO_SNDBUF, &v, &sl);
		sndbuf = (uint32_t)MAX(v, 0);
		queued = sndbuf / 2;
	}
	space = sndbuf > queued ? sndbuf - queued : 0;

	/* Payload per byte of memory: measured on what is queued if that's
	 * enough to tell, else a guess of 1/8 for headers and bookkeeping.
	 * Then 1/8 less: what the guest sends may take more memory than
	 * what is queued did, and a partial write is costly (the guest has
	 * to send it all again, and what follows it too)
	 */
	if (space && queued && !ioctl(conn->sock, SIOCOUTQ, &outq) &&
	    (uint32_t)outq >= queued / 4 && (uint32_t)outq <= queued)
		payload = (uint64_t)space * (uint32_t)outq / queued;
	else
		payload = space - space / 8;
	payload -= payload / 8;

	conn->wnd_to_tap = tcp_wnd_raw((uint32_t)payload,
				       est ? conn->ws_to_tap : 0);

	if (est && !conn->epollout && !conn->fin_from_tap &&
	    space < queued / 2) {
		conn->epollout = 1;
		if (tcp_epoll_ctl(c, conn, EPOLL_CTL_MOD))
			conn->epollout = 0;
	}
}

/* Host sockets */

/**
 * tcp_addr_loopback() - Tell if an address is a loopback one
 * @a:		Address
 *
 * Return: true for 127.0.0.0/8 and ::1
 */
bool tcp_addr_loopback(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return (ntohl(a4->s_addr) >> IN_CLASSA_NSHIFT) ==
		       IN_LOOPBACKNET;
	return IN6_IS_ADDR_LOOPBACK(&a->a6);
}

/**
 * tcp_sockaddr() - Socket address for an inany address and port
 * @c:		Execution context
 * @a:		Address
 * @port:	Port, host order
 * @sa:		Filled in
 *
 * Return: length of the socket address
 */
socklen_t tcp_sockaddr(const struct ctx *c, const union inany_addr *a,
		       in_port_t port, struct sockaddr_storage *sa)
{
	const struct in_addr *a4 = inany_v4(a);

	memset(sa, 0, sizeof(*sa));
	if (a4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		s4->sin_family = AF_INET;
		s4->sin_addr = *a4;
		s4->sin_port = htons(port);
		return sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = a->a6;
		s6->sin6_port = htons(port);
		if (IN6_IS_ADDR_LINKLOCAL(&a->a6))
			s6->sin6_scope_id = c->ifi6;
		return sizeof(*s6);
	}
}

/**
 * tcp_sock_opts() - Options every host socket of a flow gets
 * @s:		Socket
 *
 * TCP_NODELAY: the guest runs Nagle's algorithm already, a second one
 * would only add latency. SO_PEEK_OFF: see tcp_buf.c.
 *
 * #syscalls setsockopt
 */
void tcp_sock_opts(int s)
{
	int one = 1, zero = 0;

	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (tcp_peek_off_ok)
		setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero));
}

/**
 * tcp_connected() - The host side is connected: answer the guest's SYN
 * @c:		Execution context
 * @conn:	Connection in TCP_CONN_CONNECTING
 */
void tcp_connected(struct ctx *c, struct tcp_tap_conn *conn)
{
	conn->state = TCP_CONN_SYN_ACK_SENT;
	if (tcp_epoll_ctl(c, conn, EPOLL_CTL_MOD)) {
		tcp_rst(c, conn, "epoll");
		return;
	}

	conn_dbg(conn, "host side connected");
	tcp_wnd_update(c, conn);
	tcp_buf_ctl(c, conn, TCP_F_SYN | TCP_F_ACK, conn->seq_ack_from_tap);
	conn->seq_to_tap = conn->seq_max_to_tap = conn->seq_ack_from_tap + 1;
	conn->retries = 0;
	tcp_timer_set(c, conn, tcp_syn_backoff_ms[0]);
	tcp_rtt_start(c, conn, conn->seq_to_tap);	/* first sample */
}

/* Work at the end of a batch */

/**
 * tcp_conn_work() - One pass over a flow that got segments or events
 * @c:		Execution context
 * @conn:	Connection
 *
 * Drop what the guest acknowledged, retransmit what a duplicate or
 * partial ACK asked for, send new data as the window allows, then one ACK
 * (with a fresh window) if no data frame carried it; close once both FINs
 * are through.
 */
static void tcp_conn_work(struct ctx *c, struct tcp_tap_conn *conn)
{
	conn->pending = 0;
	if (conn->state != TCP_CONN_ESTABLISHED)
		return;

	if (tcp_buf_discard(conn)) {
		tcp_rst(c, conn, "discarding acknowledged data");
		return;
	}
	if (conn->retx_due) {
		conn->retx_due = 0;
		if (tcp_buf_retransmit_first(c, conn) == TCP_SOCK_ERROR) {
			tcp_rst(c, conn, strerror(errno));
			return;
		}
		tcp_timer_set(c, conn, tcp_probe_ms(conn));
	}

	/* Every frame carries it: one look at the send buffer per batch */
	tcp_wnd_update(c, conn);

	if (conn->sock_data || conn->sock_eof) {
		if (tcp_buf_data_from_sock(c, conn) == TCP_SOCK_ERROR) {
			tcp_rst(c, conn, strerror(errno));
			return;
		}
	}

	/* A window update that changes nothing would count as a duplicate
	 * ACK: the guest takes too many of those for reordering
	 */
	if (conn->ack_due ||
	    (conn->wnd_due && conn->wnd_to_tap != conn->wnd_sent))
		tcp_buf_ctl(c, conn, TCP_F_ACK, conn->seq_to_tap);
	conn->wnd_due = 0;

	if (conn->fin_from_tap && conn->fin_to_tap && conn->fin_acked) {
		tcp_buf_discard(conn);
		tcp_conn_close(conn, false);
		return;
	}

	/* Retransmission timer, RFC 6298 5.1 and 5.3; zero-window probes */
	if (conn->seq_ack_from_tap != conn->seq_max_to_tap) {
		if (!conn->deadline)
			tcp_timer_set(c, conn, tcp_rto(conn));
	} else if (!conn->wnd_from_tap &&
		   (conn->sock_data || (conn->sock_eof && !conn->fin_to_tap))) {
		if (!conn->deadline)
			tcp_timer_set(c, conn, tcp_rto(conn));
	} else {
		conn->deadline = 0;
		conn->retries = 0;
	}
}

/**
 * tcp_pending_add() - Put a flow on the list of work at the end of batch
 * @c:		Execution context
 * @conn:	Connection
 *
 * With the list full, the work is done at once.
 */
void tcp_pending_add(struct ctx *c, struct tcp_tap_conn *conn)
{
	if (conn->pending || conn->state == TCP_CONN_CLOSED)
		return;
	if (tcp_pending_n == TCP_PENDING_MAX) {
		tcp_conn_work(c, conn);
		return;
	}
	conn->pending = 1;
	tcp_pending[tcp_pending_n++] = flow_idx((union flow *)conn);
}

/**
 * tcp_tap_wait() - Frames of a flow were lost to a full guest socket
 * @conn:	Connection, rewound to the first byte the guest didn't get
 *
 * The flow goes on a list that tcp_tap_writable() works through once the
 * guest takes frames again. With the list full, the retransmission timer
 * brings the flow back instead, later.
 */
void tcp_tap_wait(struct tcp_tap_conn *conn)
{
	if (conn->tap_wait || tcp_waiting_n == TCP_PENDING_MAX)
		return;
	conn->tap_wait = 1;
	tcp_waiting[tcp_waiting_n++] = flow_idx((union flow *)conn);
}

/**
 * tcp_tap_writable() - The guest's socket takes frames again: resume flows
 * @c:		Execution context
 *
 * The flows that waited get their turn at the end of this batch.
 */
void tcp_tap_writable(struct ctx *c)
{
	unsigned i;

	for (i = 0; i < tcp_waiting_n; i++) {
		union flow *flow = flow_at(tcp_waiting[i]);

		/* Closed and reused meanwhile: not ours any more */
		if (flow->f.type != FLOW_TCP || !flow->tcp.tap_wait)
			continue;
		flow->tcp.tap_wait = 0;
		tcp_pending_add(c, &flow->tcp);
	}
	tcp_waiting_n = 0;
}

/**
 * tcp_post_batch() - Work deferred to the end of a batch of events
 * @c:		Execution context
 * @now:	Current monotonic time
 */
void tcp_post_batch(struct ctx *c, const struct timespec *now)
{
	unsigned i, n;

	tcp_tap_flush(c);	/* tap.c did already: this is a backstop */
	for (i = 0; i < tcp_pending_n; i++)
		tcp_conn_work(c, &flow_at(tcp_pending[i])->tcp);
	tcp_pending_n = 0;
	tcp_buf_flush(c);
	tcp_listen_retry(c, now);

	n = flow_count(FLOW_TCP) + flow_count(FLOW_TCP_SPLICE);
	if (n != tcp_flows_reported &&
	    now->tv_sec - tcp_flows_reported_at >= TCP_STATS_INTERVAL_S) {
		debug("TCP flows: %u", n);
		tcp_flows_reported = n;
		tcp_flows_reported_at = now->tv_sec;
	}
}

/* Socket events */

/**
 * tcp_sock_handler() - Event on a flow's host socket
 * @c:		Execution context
 * @ref:	epoll reference: the flow's index
 * @events:	epoll events
 *
 * #syscalls getsockopt epoll_ctl
 */
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	union flow *flow = flow_at(ref.idx);
	struct tcp_tap_conn *conn = &flow->tcp;
	socklen_t sl = sizeof(int);
	int err = 0;

	if (flow->f.type != FLOW_TCP || conn->state == TCP_CONN_CLOSED ||
	    conn->sock != (int)ref.fd)
		return;		/* closed earlier in this batch */

	if (conn->state == TCP_CONN_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err, &sl);
		if (err)
			tcp_rst(c, conn, strerror(err));
		else
			tcp_connected(c, conn);
		return;
	}

	if (events & EPOLLERR) {
		getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err, &sl);
		if (err) {
			tcp_rst(c, conn, strerror(err));
			return;
		}
	}

	if (events & EPOLLIN)
		conn->sock_data = 1;
	if (events & (EPOLLRDHUP | EPOLLHUP))
		conn->sock_eof = 1;
	if ((events & EPOLLOUT) && conn->epollout) {
		conn->epollout = 0;
		conn->wnd_due = 1;		/* window update */
		tcp_epoll_ctl(c, conn, EPOLL_CTL_MOD);
	}

	if (conn->state == TCP_CONN_ESTABLISHED)
		tcp_pending_add(c, conn);
}

/* Timers and the sweep */

/**
 * tcp_timer_handler() - The module's timerfd expired: ask for a sweep
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 *
 * #syscalls read
 */
void tcp_timer_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	uint64_t expirations;

	(void)c;
	(void)events;

	if (read(ref.fd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		debug_perror("TCP: reading timerfd");
	tcp_timer_armed = false;
	flow_request_sweep();
}

/**
 * tcp_timer_expired() - A flow's deadline passed
 * @c:		Execution context
 * @conn:	Connection, not closed
 */
static void tcp_timer_expired(struct ctx *c, struct tcp_tap_conn *conn)
{
	conn->deadline = 0;

	switch ((enum tcp_conn_state)conn->state) {
	case TCP_CONN_CONNECTING:
		tcp_rst(c, conn, "connect() timed out");
		return;
	case TCP_CONN_SYN_ACK_SENT:
	case TCP_CONN_SYN_SENT:
		conn->rtt_timing = 0;		/* Karn's algorithm */
		if (conn->retries + 1U >= ARRAY_SIZE(tcp_syn_backoff_ms)) {
			tcp_rst(c, conn, "no answer from guest");
			return;
		}
		conn->retries++;
		tcp_buf_ctl(c, conn,
			    conn->state == TCP_CONN_SYN_SENT ?
			    TCP_F_SYN : TCP_F_SYN | TCP_F_ACK,
			    conn->seq_ack_from_tap);
		tcp_timer_set(c, conn, tcp_syn_backoff_ms[conn->retries]);
		return;
	case TCP_CONN_ESTABLISHED:
		break;
	case TCP_CONN_CLOSED:
	case TCP_CONN_NUM_STATES:
	default:
		return;
	}

	if (conn->in_recovery && conn->retries < TCP_PROBE_TRIES &&
	    conn->seq_ack_from_tap != conn->seq_max_to_tap) {
		conn->retries++;
		debug_ratelimit("TCP: flow %u: recovery probe, try %u",
				flow_idx((union flow *)conn), conn->retries);
		if (tcp_buf_discard(conn) ||
		    tcp_buf_retransmit_first(c, conn) == TCP_SOCK_ERROR) {
			tcp_rst(c, conn, "retransmitting");
			return;
		}
		tcp_timer_set(c, conn, tcp_probe_ms(conn));
	} else if (conn->seq_ack_from_tap != conn->seq_max_to_tap) {
		uint32_t wnd;

		if (conn->retries >= TCP_RETRANS_MAX) {
			tcp_rst(c, conn, "retransmission timeout");
			return;
		}
		conn->retries++;
		debug_ratelimit("TCP: flow %u: retransmission timeout, try "
				"%u, RTT %u ms, var %u ms, window %u",
				flow_idx((union flow *)conn), conn->retries,
				conn->srtt, conn->rttvar,
				tcp_wnd_scaled(conn->wnd_from_tap,
					       conn->ws_from_tap));
		if (tcp_buf_discard(conn)) {
			tcp_rst(c, conn, "discarding acknowledged data");
			return;
		}

		/* Go back to the first unacknowledged byte, RFC 5681 3.1 */
		conn->rtt_timing = 0;		/* Karn's algorithm */
		conn->seq_to_tap = conn->seq_ack_from_tap;
		conn->seq_recover = conn->seq_max_to_tap;
		conn->in_recovery = 0;
		conn->dup_acks = 0;
		conn->peek_reset = 1;
		conn->sock_data = 1;

		wnd = tcp_wnd_scaled(conn->wnd_from_tap, conn->ws_from_tap);
		if (!wnd) {
			tcp_buf_ctl(c, conn, TCP_F_ACK, conn->seq_to_tap - 1);
		} else if (tcp_buf_data_from_sock(c, conn) == TCP_SOCK_ERROR) {
			tcp_rst(c, conn, strerror(errno));
			return;
		}
		tcp_timer_set(c, conn, tcp_rto(conn));
	} else if (!conn->wnd_from_tap &&
		   (conn->sock_data || (conn->sock_eof && !conn->fin_to_tap))) {
		/* Zero-window probe: an old sequence number gets an ACK */
		tcp_buf_ctl(c, conn, TCP_F_ACK, conn->seq_to_tap - 1);
		if (conn->retries < 15)
			conn->retries++;
		tcp_timer_set(c, conn, tcp_rto(conn));
	}
}

/**
 * tcp_flow_defer() - Deferred work, timers and idle timeout of a TCP flow
 * @c:		Execution context
 * @flow:	Flow
 * @now:	Current monotonic time
 * @timer:	A timer interval (FLOW_TIMER_INTERVAL) has passed
 *
 * Return: true if the entry may be freed: the socket is closed
 */
bool tcp_flow_defer(struct ctx *c, union flow *flow,
		    const struct timespec *now, bool timer)
{
	struct tcp_tap_conn *conn = &flow->tcp;
	uint32_t now_ms = tcp_now_ms(now);

	if (flow->f.type != FLOW_TCP)
		return true;		/* no spliced flows (yet) */
	if (conn->state == TCP_CONN_CLOSED)
		return true;

	/* passt's guest went away (tap_passt_close() asks for a sweep): the
	 * next one knows nothing of these connections, and nobody would ever
	 * acknowledge them. Reset them now, rather than retransmit into the
	 * void until TCP_RETRANS_MAX gives up minutes later, with the peers
	 * left waiting and the sockets held (found by test_faults.py).
	 */
	if (c->mode == MODE_PASST && c->fd_tap < 0) {
		conn_dbg(conn, "guest gone");
		tcp_conn_close(conn, true);
		return true;
	}

	if (conn->deadline) {
		if ((int32_t)(conn->deadline - now_ms) <= 1)
			tcp_timer_expired(c, conn);
		else
			tcp_timer_arm(c, conn->deadline);
	}

	if (timer && conn->state != TCP_CONN_CLOSED &&
	    (uint32_t)now->tv_sec - conn->last_active > TCP_IDLE_TIMEOUT_S)
		tcp_rst(c, conn, "idle timeout");

	if (tcp_buf_queued())
		tcp_buf_flush(c);

	return conn->state == TCP_CONN_CLOSED;
}

/* Start-up */

/**
 * tcp_init() - Keys, probes, timer and listening sockets, at start-up
 * @c:		Execution context
 */
void tcp_init(struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_TIMER };
	struct epoll_event ev = { .events = EPOLLIN };
	int s, zero = 0;

	if (getrandom(&tcp_isn_key, sizeof(tcp_isn_key), 0) !=
	    sizeof(tcp_isn_key))
		die_perror("Couldn't get random bytes for TCP ISNs");

	/* SO_PEEK_OFF on TCP sockets: Linux 6.9 and later */
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s >= 0) {
		tcp_peek_off_ok = !setsockopt(s, SOL_SOCKET, SO_PEEK_OFF,
					      &zero, sizeof(zero));
		close(s);
	}
	debug("TCP: SO_PEEK_OFF %ssupported", tcp_peek_off_ok ? "" : "not ");

	tcp_timer_fd = timerfd_create(CLOCK_MONOTONIC,
				      TFD_NONBLOCK | TFD_CLOEXEC);
	if (tcp_timer_fd < 0)
		die_perror("Couldn't create the TCP timer");
	ref.fd = tcp_timer_fd;
	ev.data.u64 = ref.u64;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, tcp_timer_fd, &ev))
		die_perror("Couldn't add the TCP timer to epoll");

	tcp_listen_init(c);
}
