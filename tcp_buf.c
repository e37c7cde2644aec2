// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_buf.c - TCP: frames to the guest, built in static buffers
 *
 * DOC: Theory of Operation
 *
 * Every frame for the guest is built in one of TCP_FRAMES static slots. A
 * slot has room for the largest set of headers we write (Ethernet, IPv6,
 * TCP with the options of a SYN) followed by the largest payload a frame
 * may carry: headers are written backwards from the start of the payload,
 * so the payload always sits at the same place whatever the headers.
 *
 * Data from a host socket is peeked (MSG_PEEK) straight into the payload
 * areas of consecutive slots with one recvmsg(): one iovec per slot, each
 * one MSS long, so that the bytes split into segments where they land.
 * With SO_PEEK_OFF, each peek continues after what was already sent; the
 * bytes stay queued in the kernel until the guest acknowledges them, then
 * tcp_buf_discard() drops them with MSG_TRUNC. Kernels without SO_PEEK_OFF
 * on TCP sockets (before 6.9) peek from the start of the queue, into a
 * discard buffer first for what was already sent: data in flight is then
 * limited to the size of that buffer.
 *
 * Control segments (SYN, FIN, RST, pure ACKs) use the same slots, so that
 * every frame of a flow leaves in the order it was made. Slots are sent to
 * the guest with tap_send_frames() when they run out and at the end of
 * every batch of events (tcp_post_batch()).
 *
 * With passt, a frame that qemu's socket does not take (it is full) isn't
 * left to the guest's duplicate ACKs and our retransmission timer, which
 * would cost a window of data each time: the flow is rewound to the first
 * byte of the first frame not taken (tcp_buf_unsent()), and stops sending
 * until tap.c says the socket has room again (tcp_tap_writable()).
 * The bytes are still in the host socket: nothing is lost, and nothing
 * more is buffered. pasta's tap device drops what it refuses, like a wire.
 *
 * Checksums are computed in full here: neither the tap device nor qemu's
 * stream back-end offload them.
 */

#include <errno.h>
#include <net/ethernet.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "checksum.h"
#include "flow_table.h"
#include "ip.h"
#include "log.h"
#include "passt.h"
#include "tap.h"
#include "tcp_internal.h"
#include "util.h"

#ifndef SO_PEEK_OFF
#define SO_PEEK_OFF		42
#endif

#define TCP_FRAMES		128	/* frames per batch to the guest */
#define TCP_BUF_BURST		(1024 * 1024)	/* per flow, batch */

/* Ethernet, IPv6 and TCP with options: what goes before the payload */
#define TCP_BUF_HDR_ROOM	96
#define TCP_BUF_OPTS_MAX	(TCP_BUF_HDR_ROOM - ETH_HLEN -		\
				 (int)sizeof(struct ip6_hdr) - TCP_HDR_LEN)

/* Largest payload in a frame: IPv4 headers are the shortest */
#define TCP_BUF_PAYLOAD_MAX	(TAP_FRAME_MAX - ETH_HLEN -		\
				 (int)sizeof(struct iphdr) - TCP_HDR_LEN)

/* Without SO_PEEK_OFF: what was sent is peeked again into this */
#define TCP_BUF_DISCARD_MAX	(2 * 1024 * 1024)

static_assert(TCP_BUF_OPTS_MAX >= 8, "no room for SYN options");

/**
 * struct tcp_buf_slot - One frame to the guest
 * @hdr:	Headers, written backwards from the end
 * @payload:	Payload, peeked here straight from the host socket
 */
struct tcp_buf_slot {
	uint8_t hdr[TCP_BUF_HDR_ROOM];
	uint8_t payload[TCP_BUF_PAYLOAD_MAX];
} __attribute__((aligned(64)));

static struct tcp_buf_slot tcp_slots[TCP_FRAMES];
static struct iovec tcp_frames[TCP_FRAMES];
static size_t tcp_nframes;

/* Per slot: flow of the frame (TCP_BUF_NO_FLOW for replies without one),
 * its sequence number, and whether it takes sequence space (data, FIN)
 */
#define TCP_BUF_NO_FLOW		UINT32_MAX
static uint32_t tcp_slot_flow[TCP_FRAMES];
static uint32_t tcp_slot_seq[TCP_FRAMES];
static bool tcp_slot_seqspace[TCP_FRAMES];

static uint8_t tcp_discard_buf[TCP_BUF_DISCARD_MAX];

/**
 * tcp_opt_build_syn() - Write the options of our SYN or SYN-ACK
 * @buf:	At least 8 bytes
 * @mss:	Our MSS
 * @ws:		Our window shift, or -1 for no window scale option
 *
 * Return: length of the options, a multiple of 4
 */
size_t tcp_opt_build_syn(uint8_t *buf, uint16_t mss, int ws)
{
	buf[0] = TCP_OPT_MSS;
	buf[1] = TCP_OPT_MSS_LEN;
	buf[2] = (uint8_t)(mss >> 8);
	buf[3] = (uint8_t)mss;
	if (ws < 0)
		return TCP_OPT_MSS_LEN;

	buf[4] = TCP_OPT_NOP;
	buf[5] = TCP_OPT_WS;
	buf[6] = TCP_OPT_WS_LEN;
	buf[7] = (uint8_t)MIN(ws, TCP_WS_MAX);
	return 8;
}

/**
 * tcp_buf_queued() - Number of frames waiting to be sent to the guest
 *
 * Return: count of frames
 */
size_t tcp_buf_queued(void)
{
	return tcp_nframes;
}

/**
 * tcp_buf_unsent() - A frame didn't reach the guest: rewind its flow
 * @slot:	Slot of the frame
 *
 * Data and FIN go again from the first sequence number not sent, once the
 * guest takes frames (tcp_tap_writable()); a lost ACK is sent again then.
 * SYNs have their own timer, and a RST closed the flow already.
 */
static void tcp_buf_unsent(size_t slot)
{
	uint32_t seq = tcp_slot_seq[slot];
	struct tcp_tap_conn *conn;
	union flow *flow;

	if (tcp_slot_flow[slot] == TCP_BUF_NO_FLOW)
		return;
	flow = flow_at(tcp_slot_flow[slot]);
	if (flow->f.type != FLOW_TCP)
		return;
	conn = &flow->tcp;
	if (conn->state != TCP_CONN_ESTABLISHED)
		return;

	if (!tcp_slot_seqspace[slot]) {
		conn->ack_due = 1;
	} else if (SEQ_LT(seq, conn->seq_to_tap)) {
		conn->seq_to_tap = seq;
		conn->peek_reset = 1;
		conn->sock_data = 1;
		if (conn->rtt_timing && SEQ_GT(conn->rtt_seq, seq))
			conn->rtt_timing = 0;	/* sample lost with it */
	}
	tcp_tap_wait(conn);
}

/**
 * tcp_buf_flush() - Send the frames built so far to the guest
 * @c:		Execution context
 *
 * #syscalls:passt sendmsg
 * #syscalls:pasta write
 */
void tcp_buf_flush(struct ctx *c)
{
	size_t i, sent;

	if (!tcp_nframes)
		return;
	sent = tap_send_frames(c, tcp_frames, tcp_nframes);
	/* pasta: a tap device that refuses a frame drops it like a wire */
	for (i = sent; c->mode == MODE_PASST && i < tcp_nframes; i++)
		tcp_buf_unsent(i);
	tcp_nframes = 0;
}

/**
 * tcp_buf_slot_get() - The next free slot, after a flush if none is left
 * @c:		Execution context
 *
 * Return: index of the slot, to be used as the next frame
 */
static size_t tcp_buf_slot_get(struct ctx *c)
{
	if (tcp_nframes == TCP_FRAMES)
		tcp_buf_flush(c);
	return tcp_nframes;
}

/**
 * tcp_buf_frame() - Write the headers of a frame in a slot, add the frame
 * @c:		Execution context
 * @slot:	Slot index, from tcp_buf_slot_get(); payload already in place
 * @side:	Flow as the guest sees it: the frame goes from @side->daddr,
 *		@side->dport to @side->gaddr, @side->gport
 * @seq:	Sequence number
 * @ack:	Acknowledgement number, used only with TCP_F_ACK
 * @flags:	Control bits
 * @wnd:	Window field (already scaled)
 * @opts:	Options, NULL if none
 * @optlen:	Length of @opts, a multiple of 4, at most TCP_BUF_OPTS_MAX
 * @plen:	Payload length
 */
static void tcp_buf_frame(struct ctx *c, size_t slot,
			  const struct flowside *side, uint32_t seq,
			  uint32_t ack, uint8_t flags, uint16_t wnd,
			  const uint8_t *opts, size_t optlen, size_t plen)
{
	const struct in_addr *s4 = inany_v4(&side->daddr);
	const struct in_addr *d4 = inany_v4(&side->gaddr);
	static const uint8_t bcast[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	struct tcp_buf_slot *s = &tcp_slots[slot];
	size_t thlen = TCP_HDR_LEN + optlen;
	size_t l4len = thlen + plen, l3len;
	uint8_t *tcp = s->hdr + TCP_BUF_HDR_ROOM - thlen, *l3;
	struct tcp_seg_hdr th;
	struct ether_header eh;
	uint32_t sum;

	ASSERT(optlen <= TCP_BUF_OPTS_MAX && !(optlen % 4));
	ASSERT(plen <= TCP_BUF_PAYLOAD_MAX);
	ASSERT(!s4 == !d4);
	ASSERT(slot == tcp_nframes && slot < TCP_FRAMES);

	th.sport = htons(side->dport);
	th.dport = htons(side->gport);
	th.seq = htonl(seq);
	th.ack = (flags & TCP_F_ACK) ? htonl(ack) : 0;
	th.doff = (uint8_t)((thlen / 4) << 4);
	th.flags = flags;
	th.wnd = htons(wnd);
	th.csum = 0;
	th.urp = 0;
	memcpy(tcp, &th, sizeof(th));
	if (optlen)
		memcpy(tcp + TCP_HDR_LEN, opts, optlen);

	if (s4) {
		struct iphdr ip;

		ip4_hdr_build(&ip, IPPROTO_TCP, l4len, *s4, *d4, 64, true);
		l3len = sizeof(ip);
		l3 = tcp - l3len;
		memcpy(l3, &ip, sizeof(ip));
		sum = csum_pseudo4((uint16_t)l4len, IPPROTO_TCP, *s4, *d4);
		eh.ether_type = htons(ETHERTYPE_IP);
	} else {
		struct ip6_hdr ip6;

		memset(&ip6, 0, sizeof(ip6));
		ip6.ip6_flow = htonl(6 << 28);
		ip6.ip6_plen = htons((uint16_t)l4len);
		ip6.ip6_nxt = IPPROTO_TCP;
		ip6.ip6_hlim = 64;
		ip6.ip6_src = side->daddr.a6;
		ip6.ip6_dst = side->gaddr.a6;

		l3len = sizeof(ip6);
		l3 = tcp - l3len;
		memcpy(l3, &ip6, sizeof(ip6));
		sum = csum_pseudo6((uint32_t)l4len, IPPROTO_TCP,
				   &side->daddr.a6, &side->gaddr.a6);
		eh.ether_type = htons(ETHERTYPE_IPV6);
	}

	th.csum = csum(tcp, l4len, sum);
	memcpy(tcp + offsetof(struct tcp_seg_hdr, csum), &th.csum,
	       sizeof(th.csum));

	memcpy(eh.ether_dhost, c->guest_mac_set ? c->guest_mac : bcast,
	       ETH_ALEN);
	memcpy(eh.ether_shost, c->our_mac, ETH_ALEN);
	memcpy(l3 - ETH_HLEN, &eh, ETH_HLEN);

	tcp_frames[slot].iov_base = l3 - ETH_HLEN;
	tcp_frames[slot].iov_len = ETH_HLEN + l3len + l4len;
	tcp_slot_flow[slot] = TCP_BUF_NO_FLOW;
	tcp_nframes++;
}

/**
 * tcp_buf_conn_frame() - Add a frame of a connection, with its ACK state
 * @c:		Execution context
 * @conn:	Connection
 * @slot:	Slot index, payload already in place
 * @seq:	Sequence number
 * @flags:	Control bits
 * @opts:	Options, NULL if none
 * @optlen:	Length of @opts
 * @plen:	Payload length
 *
 * A frame with TCP_F_ACK carries our current acknowledgement and window:
 * it stands for any ACK that was due.
 */
static void tcp_buf_conn_frame(struct ctx *c, struct tcp_tap_conn *conn,
			       size_t slot, uint32_t seq, uint8_t flags,
			       const uint8_t *opts, size_t optlen,
			       size_t plen)
{
	trace("TCP: flow %u: to guest seq %u len %zu ack %u wnd %u flags "
	      "0x%02x", flow_idx((union flow *)conn), seq, plen,
	      conn->seq_from_tap, conn->wnd_to_tap, flags);
	tcp_buf_frame(c, slot, &conn->f.tap, seq, conn->seq_from_tap, flags,
		      conn->wnd_to_tap, opts, optlen, plen);
	tcp_slot_flow[slot] = flow_idx((union flow *)conn);
	tcp_slot_seq[slot] = seq;
	tcp_slot_seqspace[slot] = (plen || (flags & TCP_F_FIN)) &&
				  !(flags & (TCP_F_SYN | TCP_F_RST));
	if (flags & TCP_F_ACK) {
		conn->ack_due = 0;
		conn->wnd_sent = conn->wnd_to_tap;
	}
}

/**
 * tcp_buf_ctl() - Queue a segment without payload for the guest
 * @c:		Execution context
 * @conn:	Connection
 * @flags:	Control bits; with TCP_F_SYN, MSS and window scale options
 * @seq:	Sequence number to send
 */
void tcp_buf_ctl(struct ctx *c, struct tcp_tap_conn *conn, uint8_t flags,
		 uint32_t seq)
{
	uint8_t opts[TCP_BUF_OPTS_MAX];
	size_t optlen = 0, slot;

	if (flags & TCP_F_SYN) {
		bool v6 = !inany_v4(&conn->f.tap.gaddr);

		optlen = tcp_opt_build_syn(opts, tcp_mss_ours(c, v6),
					   conn->ws_to_tap ?
					   conn->ws_to_tap : -1);
	}

	slot = tcp_buf_slot_get(c);
	tcp_buf_conn_frame(c, conn, slot, seq, flags, opts, optlen, 0);
}

/**
 * tcp_buf_rst_reply() - Queue a RST answering a segment without a flow
 * @c:		Execution context
 * @seg_side:	The segment's addresses and ports, as the guest sent it
 * @th:		The segment's header
 * @plen:	The segment's payload length
 *
 * RFC 9293, 3.10.7.1: with an ACK, <SEQ=SEG.ACK><CTL=RST>; without,
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
 */
void tcp_buf_rst_reply(struct ctx *c, const struct flowside *seg_side,
		       const struct tcp_seg_hdr *th, size_t plen)
{
	size_t slot = tcp_buf_slot_get(c);

	if (th->flags & TCP_F_ACK) {
		tcp_buf_frame(c, slot, seg_side, ntohl(th->ack), 0, TCP_F_RST,
			      0, NULL, 0, 0);
	} else {
		uint32_t ack = ntohl(th->seq) + (uint32_t)plen +
			       !!(th->flags & TCP_F_SYN) +
			       !!(th->flags & TCP_F_FIN);

		tcp_buf_frame(c, slot, seg_side, 0, ack, TCP_F_RST | TCP_F_ACK,
			      0, NULL, 0, 0);
	}
}

/**
 * tcp_buf_peek_off_set() - Point SO_PEEK_OFF at the next byte to send
 * @conn:	Connection
 *
 * Return: 0 on success (or without SO_PEEK_OFF), -errno on failure
 *
 * #syscalls setsockopt
 */
int tcp_buf_peek_off_set(struct tcp_tap_conn *conn)
{
	int off = (int)(conn->seq_to_tap - conn->seq_sock_head);

	conn->peek_reset = 0;
	if (!tcp_peek_off_ok)
		return 0;
	if (setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)))
		return -errno;
	return 0;
}

/**
 * tcp_buf_data_end() - Sequence number after the last data byte sent
 * @conn:	Connection
 *
 * Return: @seq_to_tap, less our FIN if that was sent and not rewound
 */
static uint32_t tcp_buf_data_end(const struct tcp_tap_conn *conn)
{
	if (conn->fin_to_tap && conn->seq_to_tap == conn->seq_max_to_tap)
		return conn->seq_to_tap - 1;
	return conn->seq_to_tap;
}

/**
 * tcp_buf_discard() - Drop the bytes the guest acknowledged from the socket
 * @conn:	Connection
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls recvfrom
 */
int tcp_buf_discard(struct tcp_tap_conn *conn)
{
	uint32_t una = conn->seq_ack_from_tap;
	ssize_t n;
	size_t len;

	/* Our FIN is not a byte in the socket */
	if (conn->fin_to_tap && una == conn->seq_max_to_tap)
		una--;
	if (!SEQ_GT(una, conn->seq_sock_head))
		return 0;

	len = una - conn->seq_sock_head;
	n = recv(conn->sock, NULL, len, MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0 && errno == EINVAL)	/* no MSG_TRUNC: copy to scratch */
		n = recv(conn->sock, tcp_discard_buf,
			 MIN(len, sizeof(tcp_discard_buf)), MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;

	conn->seq_sock_head += (uint32_t)n;
	return 0;
}

/**
 * tcp_buf_fin() - Send our FIN once the socket reached its end, or again
 * @c:		Execution context
 * @conn:	Connection, all data up to @seq_to_tap sent
 *
 * Return: TCP_SOCK_EOF
 */
static enum tcp_sock_verdict tcp_buf_fin(struct ctx *c,
					 struct tcp_tap_conn *conn)
{
	conn->sock_data = 0;
	conn->sock_eof = 1;

	if (!conn->fin_to_tap) {
		conn_dbg(conn, "EOF from socket, FIN to guest");
		conn->fin_to_tap = 1;
	} else if (conn->seq_to_tap == conn->seq_max_to_tap) {
		return TCP_SOCK_EOF;		/* sent, not rewound */
	}

	tcp_buf_ctl(c, conn, TCP_F_FIN | TCP_F_ACK, conn->seq_to_tap);
	conn->seq_to_tap++;
	if (SEQ_GT(conn->seq_to_tap, conn->seq_max_to_tap))
		conn->seq_max_to_tap = conn->seq_to_tap;
	return TCP_SOCK_EOF;
}

/**
 * tcp_buf_data_from_sock() - Send what the socket holds, as the window lets
 * @c:		Execution context
 * @conn:	Connection, established
 *
 * Peeks into free slots, as much as the guest's window allows from
 * @seq_to_tap on, until the socket has nothing more, the window is full,
 * or a burst (TCP_FRAMES frames, TCP_BUF_BURST bytes) went out: the
 * guest's ACKs for those bring us back here (@sock_data stays set), and
 * meanwhile the loop gets to read what the guest sends, before the tap
 * device's queue overflows. Once the socket is at its end and everything
 * before was sent, our FIN follows.
 *
 * Return: TCP_SOCK_AGAIN, TCP_SOCK_EOF, or TCP_SOCK_ERROR (with errno set)
 *
 * #syscalls recvmsg setsockopt
 */
enum tcp_sock_verdict tcp_buf_data_from_sock(struct ctx *c,
					     struct tcp_tap_conn *conn)
{
	uint32_t wnd = tcp_wnd_scaled(conn->wnd_from_tap, conn->ws_from_tap);
	uint32_t edge = conn->seq_ack_from_tap + wnd;
	struct iovec iov[TCP_FRAMES + 1];
	size_t budget = TCP_FRAMES, bytes = TCP_BUF_BURST;

	if (conn->fin_to_tap && conn->seq_to_tap == conn->seq_max_to_tap)
		return TCP_SOCK_EOF;

	for (;;) {
		/* First, as a flush may rewind this very flow */
		size_t first = tcp_buf_slot_get(c), nslots, i, off;
		struct msghdr mh = { .msg_iov = iov };
		size_t want = 0, sent;
		uint32_t room;
		ssize_t n;
		int skip = 0;

		if (tap_out_blocked()) {	/* it would be lost: wait */
			tcp_tap_wait(conn);
			return TCP_SOCK_AGAIN;
		}
		if (conn->peek_reset && tcp_buf_peek_off_set(conn))
			return TCP_SOCK_ERROR;

		room = SEQ_GT(edge, conn->seq_to_tap) ?
		       edge - conn->seq_to_tap : 0;
		sent = conn->seq_to_tap - conn->seq_sock_head;

		if (!tcp_peek_off_ok) {
			if (sent >= sizeof(tcp_discard_buf))
				return TCP_SOCK_AGAIN;
			room = MIN(room, sizeof(tcp_discard_buf) - sent);
			if (sent) {
				iov[0].iov_base = tcp_discard_buf;
				iov[0].iov_len = sent;
				skip = 1;
			}
		}
		if (!room)
			return TCP_SOCK_AGAIN;

		if (!budget || !bytes)
			return TCP_SOCK_AGAIN;	/* ACKs bring us back */
		room = MIN(room, bytes);
		nslots = MIN(TCP_FRAMES - first, DIV_ROUND_UP(room, conn->mss));
		nslots = MIN(nslots, budget);
		for (i = 0; i < nslots; i++) {
			size_t len = MIN(conn->mss, room - want);

			iov[skip + i].iov_base = tcp_slots[first + i].payload;
			iov[skip + i].iov_len = len;
			want += len;
		}
		mh.msg_iovlen = skip + nslots;

		n = recvmsg(conn->sock, &mh, MSG_PEEK | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				conn->sock_data = 0;
				return TCP_SOCK_AGAIN;
			}
			return TCP_SOCK_ERROR;
		}
		if (skip) {
			if ((size_t)n < sent)	/* shorter than sent? */
				return TCP_SOCK_AGAIN;
			n -= sent;
		}
		if (!n) {
			/* With a discard iovec, zero doesn't mean EOF */
			if (skip && !conn->sock_eof) {
				conn->sock_data = 0;
				return TCP_SOCK_AGAIN;
			}
			return tcp_buf_fin(c, conn);
		}

		budget -= DIV_ROUND_UP((size_t)n, conn->mss);
		bytes -= MIN(bytes, (size_t)n);

		/* RTT sample on new data only (Karn's algorithm) */
		if (!conn->rtt_timing &&
		    conn->seq_to_tap == conn->seq_max_to_tap)
			tcp_rtt_start(c, conn, conn->seq_to_tap + (uint32_t)n);
		for (off = 0, i = 0; off < (size_t)n; i++) {
			size_t plen = MIN(conn->mss, (size_t)n - off);
			uint8_t flags = TCP_F_ACK;

			if (off + plen == (size_t)n)
				flags |= TCP_F_PSH;
			tcp_buf_conn_frame(c, conn, first + i,
					   conn->seq_to_tap + (uint32_t)off,
					   flags, NULL, 0, plen);
			off += plen;
		}

		conn->seq_to_tap += (uint32_t)n;
		if (SEQ_GT(conn->seq_to_tap, conn->seq_max_to_tap))
			conn->seq_max_to_tap = conn->seq_to_tap;

		/* Less than asked: drained, unless the end is right there */
		if ((size_t)n < want && !conn->sock_eof) {
			conn->sock_data = 0;
			return TCP_SOCK_AGAIN;
		}
	}
}

/**
 * tcp_buf_retransmit_first() - Send the oldest unacknowledged segment again
 * @c:		Execution context
 * @conn:	Connection, acknowledged bytes discarded from the socket
 *
 * Return: TCP_SOCK_AGAIN, or TCP_SOCK_ERROR (with errno set)
 *
 * #syscalls recvmsg setsockopt
 */
enum tcp_sock_verdict tcp_buf_retransmit_first(struct ctx *c,
					       struct tcp_tap_conn *conn)
{
	uint32_t una = conn->seq_ack_from_tap;
	size_t len, slot;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int zero = 0;
	ssize_t n;

	if (!SEQ_GT(tcp_buf_data_end(conn), una)) {
		if (conn->fin_to_tap && !conn->fin_acked &&
		    conn->seq_max_to_tap - 1 == una)
			tcp_buf_ctl(c, conn, TCP_F_FIN | TCP_F_ACK, una);
		return TCP_SOCK_AGAIN;
	}
	if (conn->seq_sock_head != una)	/* not discarded yet: later */
		return TCP_SOCK_AGAIN;
	conn->rtt_timing = 0;		/* Karn's algorithm */
	trace("TCP: flow %u: retransmitting %u, RTT %u ms, var %u ms",
	      flow_idx((union flow *)conn), una, conn->srtt, conn->rttvar);

	len = MIN((size_t)conn->mss, tcp_buf_data_end(conn) - una);
	slot = tcp_buf_slot_get(c);
	iov.iov_base = tcp_slots[slot].payload;
	iov.iov_len = len;

	if (tcp_peek_off_ok &&
	    setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &zero,
		       sizeof(zero)))
		return TCP_SOCK_ERROR;
	n = recvmsg(conn->sock, &mh, MSG_PEEK | MSG_DONTWAIT);
	if (tcp_buf_peek_off_set(conn))
		return TCP_SOCK_ERROR;
	if (n < 0)
		return (errno == EAGAIN) ? TCP_SOCK_AGAIN : TCP_SOCK_ERROR;
	if (!n)
		return TCP_SOCK_AGAIN;

	tcp_buf_conn_frame(c, conn, slot, una, TCP_F_ACK | TCP_F_PSH, NULL, 0,
			   (size_t)n);
	/* All sent before this arrives first: an ACK short of what we had
	 * sent by now means another hole (a partial ACK, RFC 6582)
	 */
	conn->seq_recover = conn->seq_to_tap;
	conn->retx_at = (uint16_t)tcp_now_ms(&c->now);
	return TCP_SOCK_AGAIN;
}
