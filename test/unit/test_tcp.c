// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tcp.c - TCP: options, sequence arithmetic, windows, MSS, ISNs */

#include <arpa/inet.h>

#include "unit.h"
#include "../../passt.h"
#include "../../tcp.h"
#include "../../tcp_internal.h"

/**
 * opts() - Parse options from a byte array
 * @buf:	Options
 * @len:	Length of @buf
 * @o:		Result
 *
 * Return: what tcp_opt_parse() returned
 */
static bool opts(const uint8_t *buf, size_t len, struct tcp_opts *o)
{
	struct pkt_view v;

	pkt_init(&v, buf, len);
	return tcp_opt_parse(&v, o);
}

UNIT_TEST(tcp_seq_compare_wraps)
{
	CHECK(SEQ_LT(1, 2));
	CHECK(!SEQ_LT(2, 2));
	CHECK(SEQ_LE(2, 2));
	CHECK(SEQ_GT(2, 1));
	CHECK(SEQ_GE(2, 2));

	/* Across the wrap: 0xfffffff0 comes before 0x10 */
	CHECK(SEQ_LT(0xfffffff0U, 0x10U));
	CHECK(SEQ_GT(0x10U, 0xfffffff0U));
	CHECK(SEQ_LE(0xffffffffU, 0U));
	CHECK(!SEQ_GT(0xffffffffU, 0U));

	/* Half the space apart: the sign decides */
	CHECK(SEQ_LT(0U, 0x7fffffffU));
	CHECK(SEQ_GT(0U, 0x80000001U));
}

UNIT_TEST(tcp_opt_parse_syn)
{
	/* What Linux sends: MSS, SACK permitted, timestamps, NOP, WS 7 */
	static const uint8_t o1[] = {
		TCP_OPT_MSS, 4, 0xff, 0xd7,
		TCP_OPT_SACK_PERM, 2,
		TCP_OPT_TS, 10, 1, 2, 3, 4, 0, 0, 0, 0,
		TCP_OPT_NOP,
		TCP_OPT_WS, 3, 7,
	};
	struct tcp_opts o;

	CHECK(opts(o1, sizeof(o1), &o));
	CHECK(o.mss_set && o.mss == 65495);
	CHECK(o.ws_set && o.ws == 7);

	/* Nothing at all */
	CHECK(opts(o1, 0, &o));
	CHECK(!o.mss_set && !o.ws_set);
}

UNIT_TEST(tcp_opt_parse_eol_and_nop)
{
	static const uint8_t o1[] = {
		TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_MSS, 4, 0x05, 0xb4,
		TCP_OPT_EOL, TCP_OPT_WS, 3, 2,	/* after EOL: ignored */
	};
	struct tcp_opts o;

	CHECK(opts(o1, sizeof(o1), &o));
	CHECK(o.mss_set && o.mss == 1460);
	CHECK(!o.ws_set);
}

UNIT_TEST(tcp_opt_parse_clamps_ws)
{
	static const uint8_t o1[] = { TCP_OPT_WS, 3, 200, TCP_OPT_NOP };
	struct tcp_opts o;

	CHECK(opts(o1, sizeof(o1), &o));
	CHECK(o.ws_set && o.ws == TCP_WS_MAX);
}

UNIT_TEST(tcp_opt_parse_malformed)
{
	static const uint8_t zero_len[] = { TCP_OPT_SACK_PERM, 0, 0, 0 };
	static const uint8_t one_len[] = { TCP_OPT_TS, 1, 0, 0 };
	static const uint8_t too_long[] = { TCP_OPT_TS, 10, 1, 2 };
	static const uint8_t no_len[] = { TCP_OPT_NOP, TCP_OPT_MSS };
	static const uint8_t bad_mss[] = { TCP_OPT_MSS, 3, 5, TCP_OPT_NOP };
	static const uint8_t bad_ws[] = { TCP_OPT_WS, 4, 1, 1 };
	static const uint8_t kept[] = {
		TCP_OPT_MSS, 4, 0x02, 0x00, TCP_OPT_TS, 40, 0, 0,
	};
	struct tcp_opts o;

	CHECK(!opts(zero_len, sizeof(zero_len), &o));
	CHECK(!opts(one_len, sizeof(one_len), &o));
	CHECK(!opts(too_long, sizeof(too_long), &o));
	CHECK(!opts(no_len, sizeof(no_len), &o));
	CHECK(!opts(bad_mss, sizeof(bad_mss), &o));
	CHECK(!o.mss_set);
	CHECK(!opts(bad_ws, sizeof(bad_ws), &o));
	CHECK(!o.ws_set);

	/* What came before the malformed option is kept */
	CHECK(!opts(kept, sizeof(kept), &o));
	CHECK(o.mss_set && o.mss == 512);
}

UNIT_TEST(tcp_opt_build_then_parse)
{
	uint8_t buf[8];
	struct tcp_opts o;
	size_t len;

	len = tcp_opt_build_syn(buf, 65480, 8);
	CHECK_EQ_INT(len, 8);
	CHECK(opts(buf, len, &o));
	CHECK(o.mss_set && o.mss == 65480);
	CHECK(o.ws_set && o.ws == 8);

	len = tcp_opt_build_syn(buf, 1460, -1);
	CHECK_EQ_INT(len, 4);
	CHECK(opts(buf, len, &o));
	CHECK(o.mss_set && o.mss == 1460);
	CHECK(!o.ws_set);
}

UNIT_TEST(tcp_window_scaling)
{
	CHECK_EQ_INT(tcp_wnd_scaled(65535, 0), 65535);
	CHECK_EQ_INT(tcp_wnd_scaled(1, 14), 16384);
	CHECK_EQ_INT(tcp_wnd_scaled(65535, 14), 65535U << 14);
	CHECK_EQ_INT(tcp_wnd_scaled(1, 15), 16384);	/* clamped */

	/* Rounded down: never more than the space there is */
	CHECK_EQ_INT(tcp_wnd_raw(1000, 8), 3);
	CHECK_EQ_INT(tcp_wnd_raw(255, 8), 0);
	CHECK_EQ_INT(tcp_wnd_raw(256, 8), 1);
	CHECK_EQ_INT(tcp_wnd_raw(4 << 20, 8), 16384);
	CHECK(tcp_wnd_scaled(tcp_wnd_raw(123456, 7), 7) <= 123456);

	/* Capped by the field */
	CHECK_EQ_INT(tcp_wnd_raw(100000, 0), 65535);
	CHECK_EQ_INT(tcp_wnd_raw(UINT32_MAX, 8), 65535);
}

UNIT_TEST(tcp_mss_limits)
{
	struct tcp_opts o = { 0 };
	struct ctx c = { .mtu = 65520 };

	CHECK_EQ_INT(tcp_mss_ours(&c, false), 65480);
	CHECK_EQ_INT(tcp_mss_ours(&c, true), 65460);
	c.mtu = 1500;
	CHECK_EQ_INT(tcp_mss_ours(&c, false), 1460);
	CHECK_EQ_INT(tcp_mss_ours(&c, true), 1440);
	c.mtu = 68;
	CHECK(tcp_mss_ours(&c, true) >= 1);

	/* No option: RFC 9293 and RFC 8200 defaults */
	CHECK_EQ_INT(tcp_mss_clamp(&o, false, 1460), TCP_MSS4_DEFAULT);
	CHECK_EQ_INT(tcp_mss_clamp(&o, true, 1440), TCP_MSS6_DEFAULT);

	/* Zero (or tiny) from a hostile guest: not below TCP_MSS_MIN */
	o.mss_set = true;
	o.mss = 0;
	CHECK_EQ_INT(tcp_mss_clamp(&o, false, 1460), TCP_MSS_MIN);
	o.mss = 1;
	CHECK_EQ_INT(tcp_mss_clamp(&o, true, 1440), TCP_MSS_MIN);

	/* Larger than our frames: ours */
	o.mss = 65535;
	CHECK_EQ_INT(tcp_mss_clamp(&o, false, 1460), 1460);
	o.mss = 1000;
	CHECK_EQ_INT(tcp_mss_clamp(&o, false, 1460), 1000);
}

/**
 * side4() - A guest-side key for an IPv4 connection
 * @s:		Filled in
 * @gport:	Guest's port
 */
static void side4(struct flowside *s, in_port_t gport)
{
	memset(s, 0, sizeof(*s));
	inany_from_v4(&s->gaddr, (struct in_addr){ htonl(0xc0000202) });
	inany_from_v4(&s->daddr, (struct in_addr){ htonl(0xc6336401) });
	s->gport = gport;
	s->dport = 80;
}

UNIT_TEST(tcp_isn_rfc6528)
{
	struct siphash_key k1 = { { 1, 2 } }, k2 = { { 3, 4 } };
	struct timespec t0 = { 100, 0 }, t1 = { 100, 4096 * 1000 };
	struct flowside a, b;
	uint32_t i0, i1;

	side4(&a, 40000);
	side4(&b, 40001);

	/* Same connection, same time: same ISN; the clock moves it on */
	i0 = tcp_isn(&k1, &a, &t0);
	CHECK_EQ_INT(tcp_isn(&k1, &a, &t0), i0);
	i1 = tcp_isn(&k1, &a, &t1);
	CHECK_EQ_INT(i1 - i0, 1000);	/* 4.096 ms in 4.096 us ticks */

	/* Other ports or another key: unrelated */
	CHECK(tcp_isn(&k1, &b, &t0) != i0);
	CHECK(tcp_isn(&k2, &a, &t0) != i0);
}

UNIT_TEST(tcp_now_ms_wraps)
{
	struct timespec t = { 1000, 999999999 };
	uint32_t a, b;

	CHECK_EQ_INT(tcp_now_ms(&t), 1000999);

	/* Deadlines compare across the 2^32 ms wrap (49.7 days) */
	t.tv_sec = 4294967;
	t.tv_nsec = 200000000;
	a = tcp_now_ms(&t);
	t.tv_sec += 1;
	b = tcp_now_ms(&t);
	CHECK(b < a);
	CHECK(SEQ_GT(b, a));
	CHECK_EQ_INT(b - a, 1000);
}

UNIT_TEST(tcp_tap_drops_v4mapped_in_ipv6)
{
	/* A SYN in an IPv6 packet to ::ffff:192.0.2.1 (found by fuzzing:
	 * it made a flow whose two addresses had different families)
	 */
	struct tcp_seg_hdr th = {
		.sport = htons(40000), .dport = htons(80),
		.seq = htonl(1), .doff = 5 << 4, .flags = TCP_F_SYN,
		.wnd = htons(65535),
	};
	struct ip_info ii = { .af = AF_INET6, .proto = IPPROTO_TCP };
	struct ctx c = { .mtu = 65520 };
	struct pkt_view v;

	inet_pton(AF_INET6, "2001:db8::2", &ii.s6);
	inet_pton(AF_INET6, "::ffff:192.0.2.1", &ii.d6);
	pkt_init(&v, &th, sizeof(th));
	CHECK_EQ_INT(tcp_tap_handler(&c, &ii, &v), PKT_DROP);

	ii.s6 = ii.d6;
	inet_pton(AF_INET6, "2001:db8::1", &ii.d6);
	pkt_init(&v, &th, sizeof(th));
	CHECK_EQ_INT(tcp_tap_handler(&c, &ii, &v), PKT_DROP);

	/* Data offset below 5 words, or beyond what arrived */
	ii.af = AF_INET;
	th.doff = 4 << 4;
	pkt_init(&v, &th, sizeof(th));
	CHECK_EQ_INT(tcp_tap_handler(&c, &ii, &v), PKT_DROP);
	th.doff = 6 << 4;
	pkt_init(&v, &th, sizeof(th));
	CHECK_EQ_INT(tcp_tap_handler(&c, &ii, &v), PKT_DROP);
}

UNIT_TEST(tcp_rto_rfc6298)
{
	struct tcp_tap_conn conn = { 0 };

	/* No sample: 1 s, doubling, capped */
	CHECK_EQ_INT(tcp_rto_ms(false, 0, 0, 0), 1000);
	CHECK_EQ_INT(tcp_rto_ms(false, 0, 0, 3), 8000);
	CHECK_EQ_INT(tcp_rto_ms(false, 0, 0, 15), 60000);

	/* Sub-millisecond round trips: the 200 ms floor */
	CHECK_EQ_INT(tcp_rto_ms(true, 0, 0, 0), 200);
	CHECK_EQ_INT(tcp_rto_ms(true, 0, 0, 1), 400);

	/* SRTT + 4 RTTVAR above the floor */
	CHECK_EQ_INT(tcp_rto_ms(true, 100, 50, 0), 300);
	CHECK_EQ_INT(tcp_rto_ms(true, 100, 50, 2), 1200);
	CHECK_EQ_INT(tcp_rto_ms(true, 65535, 65535, 0), 60000);

	/* First sample: SRTT = R, RTTVAR = R / 2 (2.2) */
	tcp_rtt_sample(&conn, 80);
	CHECK(conn.rtt_valid);
	CHECK_EQ_INT(conn.srtt, 80);
	CHECK_EQ_INT(conn.rttvar, 40);

	/* Then alpha 1/8, beta 1/4 (2.3): RTTVAR first, with the old SRTT */
	tcp_rtt_sample(&conn, 160);
	CHECK_EQ_INT(conn.rttvar, (3 * 40 + 80) / 4);
	CHECK_EQ_INT(conn.srtt, (7 * 80 + 160) / 8);

	/* Huge samples don't overflow the 16-bit fields */
	tcp_rtt_sample(&conn, 1000000);
	CHECK(conn.srtt > 90 && conn.rttvar > 50);
	CHECK(tcp_rto_ms(true, conn.srtt, conn.rttvar, 0) <= 60000);
}
