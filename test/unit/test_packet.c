// SPDX-License-Identifier: GPL-2.0-or-later
/* test_packet.c - bounds-checked frame views, stream framing, MAC parsing */

#include <arpa/inet.h>
#include <errno.h>

#include "unit.h"
#include "../../packet.h"
#include "../../passt.h"
#include "../../tap.h"
#include "../../util.h"

UNIT_TEST(pkt_pull_in_bounds)
{
	const uint8_t buf[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct pkt_view v;
	const uint8_t *p;
	uint8_t two[2];

	pkt_init(&v, buf, sizeof(buf));
	p = pkt_pull(&v, 4);
	CHECK(p == buf);
	CHECK_EQ_INT(pkt_left(&v), 6);
	CHECK(pkt_pull_copy(&v, two, 2));
	CHECK_EQ_INT(two[0], 5);
	CHECK_EQ_INT(two[1], 6);
	CHECK(pkt_pull(&v, 4) == buf + 6);
	CHECK_EQ_INT(pkt_left(&v), 0);
	CHECK(pkt_pull(&v, 0) != NULL);
}

UNIT_TEST(pkt_pull_past_end)
{
	const uint8_t buf[8] = { 0 };
	uint8_t dst[16] = { 0xaa };
	struct pkt_view v;

	pkt_init(&v, buf, sizeof(buf));
	CHECK(pkt_pull(&v, 9) == NULL);
	CHECK_EQ_INT(pkt_left(&v), 8);		/* failed pull consumes nothing */
	CHECK(!pkt_pull_copy(&v, dst, 16));
	CHECK_EQ_INT(dst[0], 0xaa);		/* destination untouched */
	CHECK(pkt_pull(&v, 5) != NULL);
	CHECK(pkt_pull(&v, 4) == NULL);
	CHECK(pkt_pull(&v, SIZE_MAX) == NULL);	/* no overflow on huge claims */
}

UNIT_TEST(pkt_limit_never_widens)
{
	const uint8_t buf[60] = { 0 };
	struct pkt_view v;

	pkt_init(&v, buf, sizeof(buf));
	pkt_pull(&v, 14);
	CHECK(!pkt_limit(&v, 47));		/* claims more than arrived */
	CHECK_EQ_INT(pkt_left(&v), 46);
	CHECK(pkt_limit(&v, 28));		/* trailing padding cut off */
	CHECK_EQ_INT(pkt_left(&v), 28);
	CHECK(!pkt_limit(&v, 29));
	CHECK(pkt_pull(&v, 29) == NULL);
}

UNIT_TEST(mac_parse_valid_and_invalid)
{
	uint8_t mac[ETH_ADDR_LEN] = { 0 };
	const uint8_t want[ETH_ADDR_LEN] = { 0x9a, 0x55, 0x9a, 0x55, 0x0a, 0xff };

	CHECK_EQ_INT(mac_parse("9a:55:9A:55:a:ff", mac), 0);
	CHECK_MEMEQ(mac, want, sizeof(want));
	CHECK_EQ_INT(mac_parse("9a:55:9a:55:9a", mac), -EINVAL);
	CHECK_EQ_INT(mac_parse("9a:55:9a:55:9a:55:", mac), -EINVAL);
	CHECK_EQ_INT(mac_parse("9a:55:9a:55:9a:555", mac), -EINVAL);
	CHECK_EQ_INT(mac_parse("9a-55-9a-55-9a-55", mac), -EINVAL);
	CHECK_EQ_INT(mac_parse("", mac), -EINVAL);
	CHECK_EQ_INT(mac_parse("g0:00:00:00:00:00", mac), -EINVAL);
	CHECK_MEMEQ(mac, want, sizeof(want));	/* untouched on failure */
}

/**
 * stream_put() - Append one qemu-framed frame of a given ethertype
 * @buf:	Stream buffer
 * @off:	Write offset, advanced
 * @len:	Frame length (at least 14)
 * @ethertype:	Ethertype of the frame
 */
static void stream_put(uint8_t *buf, size_t *off, uint32_t len,
		       uint16_t ethertype)
{
	uint32_t be = htonl(len);
	uint16_t et = htons(ethertype);

	memcpy(buf + *off, &be, 4);
	memset(buf + *off + 4, 0x11, len);
	memcpy(buf + *off + 4 + 12, &et, 2);
	*off += 4 + len;
}

UNIT_TEST(stream_frames_and_partial_tail)
{
	static struct ctx c;
	uint8_t buf[512];
	size_t len = 0, used;
	bool bad;

	c.fd_tap = -1;
	stream_put(buf, &len, 60, 0x88cc);
	stream_put(buf, &len, 14, 0x88cc);
	stream_put(buf, &len, 100, 0x88cc);

	/* Everything but the last byte: two frames, third one pending */
	used = tap_stream_input(&c, buf, len - 1, &bad);
	CHECK(!bad);
	CHECK_EQ_INT(used, 4 + 60 + 4 + 14);
	CHECK_EQ_INT(c.stats.frames_in, 2);
	CHECK_EQ_INT(c.stats.drop_ethertype, 2);

	/* A split length prefix waits too */
	used = tap_stream_input(&c, buf + used, 3, &bad);
	CHECK(!bad);
	CHECK_EQ_INT(used, 0);

	used = tap_stream_input(&c, buf + 4 + 60 + 4 + 14, 4 + 100, &bad);
	CHECK_EQ_INT(used, 104);
	CHECK_EQ_INT(c.stats.frames_in, 3);
}

UNIT_TEST(stream_bad_lengths)
{
	const uint32_t bad_lens[] = { 0, 13, 65536, 1U << 31, UINT32_MAX };
	static struct ctx c;
	unsigned i;

	c.fd_tap = -1;
	for (i = 0; i < ARRAY_SIZE(bad_lens); i++) {
		uint8_t buf[128] = { 0 };
		uint32_t be = htonl(bad_lens[i]);
		size_t len = 0, used;
		bool bad;

		stream_put(buf, &len, 20, 0x0806);
		memcpy(buf + len, &be, 4);
		used = tap_stream_input(&c, buf, sizeof(buf), &bad);
		CHECK(bad);
		CHECK_EQ_INT(used, 24);	/* the good frame before it counts */
	}
	CHECK_EQ_INT(c.stats.bad_len, ARRAY_SIZE(bad_lens));
}

UNIT_TEST(frame_runt_dropped)
{
	static struct ctx c;
	const uint8_t runt[13] = { 0 };

	c.fd_tap = -1;
	tap_frame_input(&c, runt, sizeof(runt));
	CHECK_EQ_INT(c.stats.drop_short, 1);
	tap_frame_input(&c, runt, 0);
	CHECK_EQ_INT(c.stats.drop_short, 2);
}
