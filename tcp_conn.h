/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_conn.h - TCP flow entries: the guest-facing side of a connection */
#ifndef TCP_CONN_H
#define TCP_CONN_H

#include <assert.h>
#include <stdint.h>

#include "flow.h"

/**
 * enum tcp_conn_state - Lifecycle of a TCP flow
 * @TCP_CONN_CONNECTING:
 *	Outbound: the guest's SYN was seen, connect() on @sock is in
 *	progress. Valid: @sock, @seq_from_tap (the guest's ISN + 1),
 *	@ws_from_tap, @ws_to_tap, @mss, @wnd_from_tap; our ISN in
 *	@seq_ack_from_tap. Nothing was sent to the guest. Hashed. Timer: the
 *	SYN timeout.
 *	-> SYN_ACK_SENT when connect() completes;
 *	-> CLOSED, RST to the guest, if it fails or times out;
 *	-> CLOSED on the guest's RST.
 * @TCP_CONN_SYN_ACK_SENT:
 *	Outbound: the host side is connected, our SYN-ACK (ISN
 *	@seq_ack_from_tap) was sent: @seq_to_tap and @seq_max_to_tap are
 *	ISN + 1. Timer: SYN-ACK retransmission, then RST both ways.
 *	-> ESTABLISHED on the guest's ACK of ISN + 1;
 *	-> CLOSED on its RST, or when retries run out.
 * @TCP_CONN_SYN_SENT:
 *	Inbound: accepted on a forwarded port; our SYN (ISN
 *	@seq_ack_from_tap) was sent to the guest. @sock is polled but read
 *	only once established (@sock_data and @sock_eof note what arrives
 *	meanwhile). Timer: SYN retransmission, then close with RST.
 *	-> ESTABLISHED on the guest's SYN-ACK;
 *	-> CLOSED on its RST, or when retries run out.
 * @TCP_CONN_ESTABLISHED:
 *	Both handshakes done: data flows both ways. The two half-closes
 *	are independent flags: @fin_from_tap (the guest's FIN was accepted
 *	after all its data, and @sock was shut down for writing) and
 *	@fin_to_tap (EOF was read from @sock after all its data, and our FIN
 *	has sequence @seq_max_to_tap - 1); @fin_acked: the guest acknowledged
 *	ours. Timer: retransmission while anything is unacknowledged,
 *	zero-window probe while the guest's window is closed with data
 *	waiting.
 *	-> CLOSED once @fin_from_tap, @fin_to_tap and @fin_acked all hold
 *	(no TIME_WAIT here: the host kernel keeps it for the host side); on
 *	RST either way, socket errors, retransmission or idle timeout.
 * @TCP_CONN_CLOSED:
 *	@sock closed and -1, unhashed (a new SYN with the same addresses and
 *	ports makes a new flow), no timer, no payload held. Terminal: the
 *	deferred sweep frees the entry.
 * @TCP_CONN_NUM_STATES:	Number of states, for the name table
 */
enum tcp_conn_state {
	TCP_CONN_CONNECTING,
	TCP_CONN_SYN_ACK_SENT,
	TCP_CONN_SYN_SENT,
	TCP_CONN_ESTABLISHED,
	TCP_CONN_CLOSED,
	TCP_CONN_NUM_STATES,
};

/**
 * struct tcp_tap_conn - A TCP connection between the guest and a socket
 * @f:			Common flow fields, first
 * @sock:		Host socket, -1 once closed
 * @state:		enum tcp_conn_state
 * @ws_from_tap:	Window scale the guest applies to its windows
 * @ws_to_tap:		Window scale we apply to the windows we advertise
 * @retries:		Retransmissions (or probes) since the last progress
 * @dup_acks:		Duplicate ACKs from the guest in a row
 * @in_recovery:	Fast recovery (RFC 6582): partial ACKs retransmit
 * @pending:		On the list of flows with work at the end of batch
 * @fin_from_tap:	The guest's FIN was accepted, @sock shut for writing
 * @fin_to_tap:		EOF from @sock, our FIN was sent to the guest
 * @fin_acked:		The guest acknowledged our FIN
 * @sock_data:		@sock may hold bytes not yet sent to the guest
 * @sock_eof:		The host peer's FIN arrived on @sock
 * @epollout:		EPOLLOUT is armed: window update once @sock drains
 * @ack_due:		Send an ACK at the end of the batch
 * @wnd_due:		At the end of batch, send an ACK if the window moved
 * @retx_due:		Retransmit the first unacknowledged segment
 * @peek_reset:		Set SO_PEEK_OFF again before the next peek
 * @tap_wait:		Frames were lost to a full guest socket: on the list of
 *			flows to resume once it takes frames again
 * @wbatch:		Guest payload held for one sendmsg(), see tcp_tap.c
 * @rtt_timing:		An RTT sample is being taken, see @rtt_seq
 * @rtt_valid:		@srtt and @rttvar hold at least one sample
 * @mss:		Largest payload we send the guest in one segment
 * @wnd_from_tap:	Window the guest advertised, unscaled
 * @wnd_to_tap:		Window we advertise, unscaled, as last computed
 * @wnd_sent:		Window field of the last ACK we sent
 * @seq_to_tap:		Next sequence number we send to the guest
 * @seq_max_to_tap:	Highest @seq_to_tap so far (beyond a rewind)
 * @seq_ack_from_tap:	Oldest sequence the guest didn't acknowledge (UNA)
 * @seq_sock_head:	Sequence of the first byte still in @sock's queue
 * @seq_recover:	@seq_to_tap at the last retransmission (recovery)
 * @seq_from_tap:	Next sequence number expected from the guest
 * @rtt_seq:		RTT sample: taken when the guest acknowledges this
 * @deadline:		Timer expiry, tcp_now_ms() units, 0 if none
 * @rtt_start:		RTT sample: tcp_now_ms() at @rtt_seq, low 16 bits
 * @srtt:		Smoothed round-trip time (RFC 6298), milliseconds
 * @rttvar:		Round-trip time variation (RFC 6298), milliseconds
 * @retx_at:		In recovery: tcp_now_ms() at the last retransmit,
 *			low 16 bits
 * @last_active:	Monotonic seconds of the last segment from the guest
 */
struct tcp_tap_conn {
	struct flow_common f;
	int sock;

	uint8_t state;
	uint8_t ws_from_tap:4,
		ws_to_tap:4;
	uint8_t retries:4,
		dup_acks:2,
		in_recovery:1,
		pending:1;
	uint8_t fin_from_tap:1,
		fin_to_tap:1,
		fin_acked:1,
		sock_data:1,
		sock_eof:1,
		epollout:1,
		ack_due:1,
		retx_due:1;
	uint8_t peek_reset:1,
		wbatch:1,
		rtt_timing:1,
		rtt_valid:1,
		wnd_due:1,
		tap_wait:1;

	uint16_t mss;
	uint16_t wnd_from_tap;
	uint16_t wnd_to_tap;
	uint16_t wnd_sent;

	uint32_t seq_to_tap;
	uint32_t seq_max_to_tap;
	uint32_t seq_ack_from_tap;
	uint32_t seq_sock_head;
	uint32_t seq_recover;
	uint32_t seq_from_tap;
	uint32_t rtt_seq;

	uint32_t deadline;
	uint32_t last_active;
	uint16_t rtt_start;
	uint16_t srtt;
	uint16_t rttvar;
	uint16_t retx_at;
};

/* One of these per flow table entry (128k of them): keep it small */
static_assert(sizeof(struct tcp_tap_conn) <= 104,
	      "struct tcp_tap_conn grew: the flow table is a union of it");

#endif /* TCP_CONN_H */
