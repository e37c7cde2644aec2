/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_internal.h - TCP files only: what tcp.c and tcp_buf.c share */
#ifndef TCP_INTERNAL_H
#define TCP_INTERNAL_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "flow.h"
#include "ip.h"
#include "packet.h"
#include "siphash.h"
#include "tcp_conn.h"

struct ctx;

/* Sequence number comparisons, modulo 2^32 (RFC 9293, 3.4) */
#define SEQ_LT(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LE(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)	SEQ_LT((b), (a))
#define SEQ_GE(a, b)	SEQ_LE((b), (a))

/* Control bits (RFC 9293, 3.1), as in the 14th byte of the header */
#define TCP_F_FIN		0x01
#define TCP_F_SYN		0x02
#define TCP_F_RST		0x04
#define TCP_F_PSH		0x08
#define TCP_F_ACK		0x10
#define TCP_F_URG		0x20

/* Option kinds (RFC 9293, 3.2; RFC 7323; RFC 2018) */
#define TCP_OPT_EOL		0
#define TCP_OPT_NOP		1
#define TCP_OPT_MSS		2
#define TCP_OPT_WS		3
#define TCP_OPT_SACK_PERM	4
#define TCP_OPT_SACK		5
#define TCP_OPT_TS		8

#define TCP_OPT_MSS_LEN		4
#define TCP_OPT_WS_LEN		3
#define TCP_OPTS_MAX		40	/* 15 words of header, minus 5 */

#define TCP_HDR_LEN		20	/* without options */

/* RFC 7323, 2.3: shifts above 14 are taken as 14 */
#define TCP_WS_MAX		14
/* Our shift: windows up to 16 MiB, the send buffer's size tops out at
 * net.ipv4.tcp_wmem[2] (4 MiB by default)
 */
#define TCP_WS_TO_TAP		8

/* RFC 9293, 3.7.1 and RFC 8200, 8.3: MSS assumed without the option */
#define TCP_MSS4_DEFAULT	536
#define TCP_MSS6_DEFAULT	1220
/* Smallest MSS we accept from the guest, as Linux does: an MSS of zero
 * (or one) would make us loop on empty segments
 */
#define TCP_MSS_MIN		88

/**
 * struct tcp_seg_hdr - TCP header as on the wire, no bit-fields
 * @sport:	Source port, network order
 * @dport:	Destination port, network order
 * @seq:	Sequence number, network order
 * @ack:	Acknowledgement number, network order
 * @doff:	Data offset in 32-bit words, in the high nibble
 * @flags:	Control bits, TCP_F_*
 * @wnd:	Window, network order
 * @csum:	Checksum
 * @urp:	Urgent pointer (never set, ignored)
 */
struct tcp_seg_hdr {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t doff;
	uint8_t flags;
	uint16_t wnd;
	uint16_t csum;
	uint16_t urp;
};

static_assert(sizeof(struct tcp_seg_hdr) == TCP_HDR_LEN,
	      "TCP header must be 20 bytes");

/**
 * struct tcp_opts - What the options of a segment said
 * @mss:	Maximum segment size, if @mss_set
 * @ws:		Window shift (clamped to TCP_WS_MAX), if @ws_set
 * @mss_set:	An MSS option was present
 * @ws_set:	A window scale option was present
 */
struct tcp_opts {
	uint16_t mss;
	uint8_t ws;
	bool mss_set;
	bool ws_set;
};

#define TCP_SYN_RTO_MS		1000	/* first SYN(-ACK) resend */
#define TCP_SYN_TIMEOUT_MS	10000	/* host connect() */

/**
 * conn_dbg() - Debug message about a connection, with its flow and state
 * @conn:	Connection (struct tcp_tap_conn *)
 * @fmt:	Format, then its arguments
 */
#define conn_dbg(conn, fmt, ...)					\
	flow_dbg((union flow *)(conn), "%s: " fmt,			\
		 tcp_state_str((conn)->state), ##__VA_ARGS__)

/* Pure helpers (unit tested): tcp.c, tcp_tap.c, tcp_buf.c */
bool tcp_opt_parse(struct pkt_view *v, struct tcp_opts *o);
size_t tcp_opt_build_syn(uint8_t *buf, uint16_t mss, int ws);
uint32_t tcp_isn(const struct siphash_key *key, const struct flowside *side,
		 const struct timespec *now);
uint32_t tcp_wnd_scaled(uint16_t raw, unsigned ws);
uint16_t tcp_wnd_raw(uint32_t bytes, unsigned ws);
uint16_t tcp_mss_clamp(const struct tcp_opts *o, bool v6, uint16_t ours);
uint16_t tcp_mss_ours(const struct ctx *c, bool v6);
uint32_t tcp_now_ms(const struct timespec *now);
uint32_t tcp_rto_ms(bool valid, uint16_t srtt, uint16_t rttvar,
		    unsigned retries);
void tcp_rtt_sample(struct tcp_tap_conn *conn, uint32_t rtt);
uint32_t tcp_rtt_max_ms(const struct tcp_tap_conn *conn);
void tcp_rtt_start(const struct ctx *c, struct tcp_tap_conn *conn,
		   uint32_t seq);

/* tcp.c: connections, timers, sockets */
extern bool tcp_peek_off_ok;

const char *tcp_state_str(unsigned state);
uint32_t tcp_conn_isn(const struct ctx *c, const struct flowside *side);
void tcp_timer_set(const struct ctx *c, struct tcp_tap_conn *conn,
		   uint32_t ms);
int tcp_epoll_ctl(const struct ctx *c, struct tcp_tap_conn *conn, int op);
void tcp_sock_rst_close(int s);
void tcp_conn_close(struct tcp_tap_conn *conn, bool rst);
void tcp_rst(struct ctx *c, struct tcp_tap_conn *conn, const char *why);
void tcp_wnd_update(const struct ctx *c, struct tcp_tap_conn *conn);
void tcp_pending_add(struct ctx *c, struct tcp_tap_conn *conn);
void tcp_tap_wait(struct tcp_tap_conn *conn);
void tcp_sock_opts(int s);
bool tcp_addr_loopback(const union inany_addr *a);
void tcp_connected(struct ctx *c, struct tcp_tap_conn *conn);

/* tcp_tap.c: segments from the guest */
void tcp_tap_drop_held(struct tcp_tap_conn *conn);

/* tcp_listen.c: forwarded ports */
void tcp_listen_init(struct ctx *c);
void tcp_listen_retry(struct ctx *c, const struct timespec *now);

/**
 * enum tcp_sock_verdict - What reading a host socket came to
 * @TCP_SOCK_AGAIN:	Nothing more to send for now (drained, or window)
 * @TCP_SOCK_EOF:	The host peer's FIN was reached and our FIN is out
 * @TCP_SOCK_ERROR:	The socket failed: reset the connection
 */
enum tcp_sock_verdict {
	TCP_SOCK_AGAIN,
	TCP_SOCK_EOF,
	TCP_SOCK_ERROR,
};

socklen_t tcp_sockaddr(const struct ctx *c, const union inany_addr *a,
		       in_port_t port, struct sockaddr_storage *sa);

/* tcp_buf.c: frames to the guest */
void tcp_buf_ctl(struct ctx *c, struct tcp_tap_conn *conn, uint8_t flags,
		 uint32_t seq);
void tcp_buf_rst_reply(struct ctx *c, const struct flowside *seg_side,
		       const struct tcp_seg_hdr *th, size_t plen);
enum tcp_sock_verdict tcp_buf_data_from_sock(struct ctx *c,
					     struct tcp_tap_conn *conn);
enum tcp_sock_verdict tcp_buf_retransmit_first(struct ctx *c,
					       struct tcp_tap_conn *conn);
int tcp_buf_discard(struct tcp_tap_conn *conn);
int tcp_buf_peek_off_set(struct tcp_tap_conn *conn);
void tcp_buf_flush(struct ctx *c);
size_t tcp_buf_queued(void);

#endif /* TCP_INTERNAL_H */
