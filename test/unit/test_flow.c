// SPDX-License-Identifier: GPL-2.0-or-later
/* test_flow.c - flow table: allocation, hashed lookup, removal */

#include "unit.h"
#include "../../flow.h"
#include "../../flow_table.h"
#include "../../udp.h"

/**
 * key() - A guest-side key, distinct for each @i
 * @side:	Key to fill
 * @i:		Seed
 */
static void key(struct flowside *side, uint32_t i)
{
	struct in_addr g = { htonl(0xc0000202) }, d = { htonl(0xcb007100 + i) };

	memset(side, 0, sizeof(*side));
	inany_from_v4(&side->gaddr, g);
	inany_from_v4(&side->daddr, d);
	side->gport = (in_port_t)(1024 + i % 50000);
	side->dport = (in_port_t)(80 + i / 50000);
}

UNIT_TEST(flow_insert_lookup_remove)
{
	enum { N = 20000 };
	static union flow *flows[N];
	struct flowside side;
	uint32_t i;

	flow_init();
	for (i = 0; i < N; i++) {
		flows[i] = flow_alloc();
		CHECK(flows[i] != NULL);
		key(&flows[i]->f.tap, i);
		flows[i]->f.proto = IPPROTO_TCP;
		flow_activate(flows[i], FLOW_TCP);
		flow_hash_insert(flows[i]);
	}
	CHECK_EQ_INT(flow_count(FLOW_TCP), N);

	for (i = 0; i < N; i++) {
		key(&side, i);
		CHECK(flow_lookup(IPPROTO_TCP, &side) == flows[i]);
		CHECK(flow_lookup(IPPROTO_UDP, &side) == NULL);
	}

	/* Remove every third: the others stay findable (backward shift) */
	for (i = 0; i < N; i += 3)
		flow_unhash(flows[i]);
	for (i = 0; i < N; i++) {
		key(&side, i);
		if (i % 3)
			CHECK(flow_lookup(IPPROTO_TCP, &side) == flows[i]);
		else
			CHECK(flow_lookup(IPPROTO_TCP, &side) == NULL);
	}
	key(&side, N + 1);
	CHECK(flow_lookup(IPPROTO_TCP, &side) == NULL);
}

UNIT_TEST(flow_sweep_frees_and_reuses)
{
	struct timespec now = { .tv_sec = 100 + UDP_TIMEOUT_DEFAULT };
	union flow *a, *b;

	flow_init();
	a = flow_alloc();
	a->udp.sock = -1;		/* an inbound flow: no socket */
	a->f.proto = IPPROTO_UDP;
	key(&a->f.tap, 7);
	flow_activate(a, FLOW_UDP);
	flow_hash_insert(a);
	CHECK_EQ_INT(flow_count(FLOW_TYPE_NONE) >= 1, 1);

	b = flow_alloc();
	flow_alloc_cancel(b);
	CHECK(flow_alloc() == b);	/* cancelled entry is reused first */
	flow_alloc_cancel(b);

	/* Idle since time 0, past the UDP timeout: the sweep frees it */
	flow_defer_handler(NULL, &now);
	CHECK_EQ_INT(flow_count(FLOW_UDP), 0);
	key(&b->f.tap, 7);
	CHECK(flow_lookup(IPPROTO_UDP, &b->f.tap) == NULL);
}

UNIT_TEST(flow_table_full)
{
	uint32_t i;

	flow_init();
	for (i = 0; i < FLOW_MAX; i++) {
		union flow *f = flow_alloc();

		if (!f)
			break;
		flow_activate(f, FLOW_PING4);
	}
	CHECK_EQ_INT(i, FLOW_MAX);
	CHECK(flow_alloc() == NULL);
}
