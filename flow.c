// SPDX-License-Identifier: GPL-2.0-or-later
/* flow.c - the flow table: one entry per guest connection or exchange
 *
 * DOC: Theory of Operation
 *
 * Every TCP connection, UDP exchange and ICMP echo sequence of the guest is
 * one entry of a static array of union flow (FLOW_MAX entries): no
 * allocation, and memory use flat with the number of flows. epoll
 * references carry the index of their flow, never a pointer.
 *
 * Free entries are kept on a stack of indexes, so allocating and freeing
 * are O(1). Entries are looked up by the guest's view of the flow (protocol,
 * addresses and ports) in an open-addressing hash table with linear
 * probing, twice as large as the flow array so probe sequences stay short.
 * The hash is SipHash with a key drawn at start-up: the guest chooses
 * addresses and ports, and must not be able to choose collisions.
 *
 * This file is the only writer of the common fields (type, state, hashed)
 * and of the table structure. Modules fill their own part of an entry.
 *
 * Lifecycle (see enum flow_state): a module allocates an entry, fills it,
 * and activates it (or cancels it) within the same handler. An active entry
 * is freed only from flow_defer_handler(), once a second or when a module
 * asked for a sweep, after its module's defer function says that it has
 * closed everything the flow owned: so no handler ever sees an entry
 * disappear under it.
 */

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "flow.h"
#include "flow_table.h"
#include "log.h"
#include "passt.h"
#include "siphash.h"
#include "util.h"

#define FLOW_HASH_SIZE		(2 * FLOW_MAX)	/* power of two */
#define FLOW_HASH_MASK		(FLOW_HASH_SIZE - 1)

static_assert((FLOW_HASH_SIZE & FLOW_HASH_MASK) == 0,
	      "hash table size must be a power of two");

static union flow flowtab[FLOW_MAX];
static uint32_t flow_hashtab[FLOW_HASH_SIZE];	/* index + 1, 0: empty */
static uint32_t flow_free_stack[FLOW_MAX];
static uint32_t flow_free_top;
static uint32_t flow_hwm;			/* entries above are free */
static unsigned flow_type_count[FLOW_NUM_TYPES];
static struct siphash_key flow_key;
static bool flow_sweep_requested;
static time_t flow_last_timer;
static uint32_t flow_born[FLOW_MAX];		/* monotonic s at activation */

static const char *flow_type_names[] = {
	[FLOW_TYPE_NONE]	= "free",
	[FLOW_TCP]		= "TCP",
	[FLOW_TCP_SPLICE]	= "TCP splice",
	[FLOW_UDP]		= "UDP",
	[FLOW_PING4]		= "ICMP echo",
	[FLOW_PING6]		= "ICMPv6 echo",
};
static_assert(ARRAY_SIZE(flow_type_names) == FLOW_NUM_TYPES,
	      "flow_type_names must name every enum flow_type");

static const char *flow_state_names[] = {
	[FLOW_STATE_FREE]	= "FREE",
	[FLOW_STATE_NEW]	= "NEW",
	[FLOW_STATE_ACTIVE]	= "ACTIVE",
};
static_assert(ARRAY_SIZE(flow_state_names) == FLOW_NUM_STATES,
	      "flow_state_names must name every enum flow_state");

/**
 * struct flow_key_bytes - What the hash is computed over
 * @side:	Guest's view of the flow
 * @proto:	Protocol number
 */
struct flow_key_bytes {
	struct flowside side;
	uint8_t proto;
} __attribute__((packed));

/**
 * flow_type_str() - Name of a flow type, for logs
 * @type:	Type
 *
 * Return: constant string
 */
const char *flow_type_str(enum flow_type type)
{
	if ((unsigned)type >= FLOW_NUM_TYPES)
		return "?";
	return flow_type_names[type];
}

/**
 * flow_state_str() - Name of a flow state, for logs
 * @state:	State
 *
 * Return: constant string
 */
const char *flow_state_str(enum flow_state state)
{
	if ((unsigned)state >= FLOW_NUM_STATES)
		return "?";
	return flow_state_names[state];
}

/**
 * flow_init() - Draw the hash key and fill the free list, at start-up
 *
 * #syscalls getrandom
 */
void flow_init(void)
{
	uint32_t i;

	if (getrandom(&flow_key, sizeof(flow_key), 0) != sizeof(flow_key))
		die_perror("Couldn't get random bytes for the flow table");

	/* Only when called again (unit tests): at start-up the table is
	 * untouched BSS, and writing it would make all of it resident
	 */
	if (flow_hwm) {
		memset(flowtab, 0, sizeof(flowtab[0]) * flow_hwm);
		memset(flow_hashtab, 0, sizeof(flow_hashtab));
		memset(flow_type_count, 0, sizeof(flow_type_count));
	}

	/* Lowest indexes on top: the table grows from the bottom */
	for (i = 0; i < FLOW_MAX; i++)
		flow_free_stack[i] = FLOW_MAX - 1 - i;
	flow_free_top = FLOW_MAX;
	flow_hwm = 0;
}

/**
 * flow_at() - Entry at an index (from an epoll reference)
 * @idx:	Index
 *
 * Return: the entry
 */
union flow *flow_at(uint32_t idx)
{
	ASSERT(idx < FLOW_MAX);
	return &flowtab[idx];
}

/**
 * flow_idx() - Index of an entry
 * @flow:	Entry
 *
 * Return: its index
 */
uint32_t flow_idx(const union flow *flow)
{
	return (uint32_t)(flow - flowtab);
}

/**
 * flow_count() - Number of active flows of a type
 * @type:	Type, or FLOW_TYPE_NONE for all types
 *
 * Return: count
 */
unsigned flow_count(enum flow_type type)
{
	unsigned n = 0, t;

	if (type != FLOW_TYPE_NONE)
		return flow_type_count[type];
	for (t = FLOW_TYPE_NONE + 1; t < FLOW_NUM_TYPES; t++)
		n += flow_type_count[t];
	return n;
}

/**
 * flow_alloc() - Take a free entry
 *
 * Return: entry in FLOW_STATE_NEW, zeroed but for its state, or NULL if
 *	   the table is full (logged at most once per interval)
 */
union flow *flow_alloc(void)
{
	union flow *flow;
	uint32_t idx;

	if (!flow_free_top) {
		warn_interval("Flow table full (%u flows): refusing new ones",
			      FLOW_MAX);
		return NULL;
	}

	idx = flow_free_stack[--flow_free_top];
	flow = &flowtab[idx];
	ASSERT(flow->f.state == FLOW_STATE_FREE);
	memset(flow, 0, sizeof(*flow));
	flow->f.state = FLOW_STATE_NEW;
	if (idx >= flow_hwm)
		flow_hwm = idx + 1;
	return flow;
}

/**
 * flow_free() - Return an entry to the free list
 * @flow:	Entry, not hashed
 */
static void flow_free(union flow *flow)
{
	ASSERT(!flow->f.hashed);
	if (flow->f.state == FLOW_STATE_ACTIVE) {
		ASSERT(flow_type_count[flow->f.type]);
		flow_type_count[flow->f.type]--;
	}
	flow->f.type = FLOW_TYPE_NONE;
	flow->f.state = FLOW_STATE_FREE;
	flow_free_stack[flow_free_top++] = flow_idx(flow);

	while (flow_hwm && flowtab[flow_hwm - 1].f.state == FLOW_STATE_FREE)
		flow_hwm--;
}

/**
 * flow_alloc_cancel() - Give back an entry that never became active
 * @flow:	Entry in FLOW_STATE_NEW
 */
void flow_alloc_cancel(union flow *flow)
{
	ASSERT(flow->f.state == FLOW_STATE_NEW);
	flow_free(flow);
}

/**
 * flow_activate() - Make a new entry active, with its type
 * @flow:	Entry in FLOW_STATE_NEW, its module's fields filled
 * @type:	Type of flow
 *
 * #syscalls clock_gettime
 */
void flow_activate(union flow *flow, enum flow_type type)
{
	struct timespec now;

	ASSERT(flow->f.state == FLOW_STATE_NEW);
	ASSERT(type > FLOW_TYPE_NONE && type < FLOW_NUM_TYPES);
	flow->f.type = type;
	flow->f.state = FLOW_STATE_ACTIVE;
	flow_type_count[type]++;
	clock_gettime(CLOCK_MONOTONIC, &now);
	flow_born[flow_idx(flow)] = (uint32_t)now.tv_sec;
}

/**
 * flow_age() - Seconds since an entry became active
 * @flow:	Active entry
 * @now:	Current monotonic time
 *
 * Return: age in seconds
 */
uint32_t flow_age(const union flow *flow, const struct timespec *now)
{
	return (uint32_t)now->tv_sec - flow_born[flow_idx(flow)];
}

/**
 * flow_hash() - Home slot of a guest-side key
 * @proto:	Protocol number
 * @side:	Guest's view of the flow
 *
 * Return: slot index in the hash table
 */
static uint32_t flow_hash(uint8_t proto, const struct flowside *side)
{
	struct flow_key_bytes k;

	memset(&k, 0, sizeof(k));
	k.side = *side;
	k.proto = proto;
	return (uint32_t)siphash(&k, sizeof(k), &flow_key) & FLOW_HASH_MASK;
}

/**
 * flow_matches() - Tell if an entry is the flow with a given key
 * @flow:	Entry
 * @proto:	Protocol number
 * @side:	Guest's view of the flow
 *
 * Return: true on a match
 */
static bool flow_matches(const union flow *flow, uint8_t proto,
			 const struct flowside *side)
{
	const struct flowside *t = &flow->f.tap;

	return flow->f.proto == proto && t->gport == side->gport &&
	       t->dport == side->dport && inany_equals(&t->gaddr, &side->gaddr) &&
	       inany_equals(&t->daddr, &side->daddr);
}

/**
 * flow_hash_insert() - Make an entry findable by flow_lookup()
 * @flow:	Entry, with proto and tap side set, not hashed yet
 */
void flow_hash_insert(union flow *flow)
{
	uint32_t b = flow_hash(flow->f.proto, &flow->f.tap), n;

	ASSERT(!flow->f.hashed);
	for (n = 0; n < FLOW_HASH_SIZE; n++, b = (b + 1) & FLOW_HASH_MASK) {
		if (!flow_hashtab[b]) {
			flow_hashtab[b] = flow_idx(flow) + 1;
			flow->f.hashed = true;
			return;
		}
	}
	ASSERT(!"flow hash table full: it's twice the flow table");
}

/**
 * flow_hash_slot() - Slot holding an entry
 * @flow:	Entry, hashed
 *
 * Return: slot index
 */
static uint32_t flow_hash_slot(const union flow *flow)
{
	uint32_t b = flow_hash(flow->f.proto, &flow->f.tap), n;

	for (n = 0; n < FLOW_HASH_SIZE; n++, b = (b + 1) & FLOW_HASH_MASK) {
		if (flow_hashtab[b] == flow_idx(flow) + 1)
			return b;
		ASSERT(flow_hashtab[b]);
	}
	ASSERT(!"hashed flow not in the hash table");
	return 0;
}

/**
 * flow_unhash() - Remove an entry from the hash table
 * @flow:	Entry, hashed
 *
 * A module unhashes a flow it is closing when the guest may reuse its key
 * before the sweep frees it (a new SYN on the same ports after a reset).
 *
 * Linear probing needs no tombstones: later entries of the same probe run
 * that could sit in the freed slot move back into it (Knuth, 6.4 R).
 */
void flow_unhash(union flow *flow)
{
	uint32_t hole = flow_hash_slot(flow), j = hole, n;

	for (n = 0; n < FLOW_HASH_SIZE; n++) {
		union flow *other;
		uint32_t home;

		j = (j + 1) & FLOW_HASH_MASK;
		if (!flow_hashtab[j])
			break;

		other = &flowtab[flow_hashtab[j] - 1];
		home = flow_hash(other->f.proto, &other->f.tap);

		/* Can @other move to @hole? Only if its home slot is not in
		 * the cyclic interval (hole, j]
		 */
		if (((j - home) & FLOW_HASH_MASK) >=
		    ((j - hole) & FLOW_HASH_MASK)) {
			flow_hashtab[hole] = flow_hashtab[j];
			hole = j;
		}
	}
	flow_hashtab[hole] = 0;
	flow->f.hashed = false;
}

/**
 * flow_lookup() - Find the flow the guest sees with a given key
 * @proto:	Protocol number
 * @side:	Guest's view: its address and port, the other end's
 *
 * Return: entry, or NULL if none
 */
union flow *flow_lookup(uint8_t proto, const struct flowside *side)
{
	uint32_t b = flow_hash(proto, side), n;

	for (n = 0; n < FLOW_HASH_SIZE; n++, b = (b + 1) & FLOW_HASH_MASK) {
		union flow *flow;

		if (!flow_hashtab[b])
			return NULL;
		flow = &flowtab[flow_hashtab[b] - 1];
		if (flow_matches(flow, proto, side))
			return flow;
	}
	return NULL;
}

/**
 * flow_request_sweep() - Ask for a deferred sweep after the current batch
 */
void flow_request_sweep(void)
{
	flow_sweep_requested = true;
}

/**
 * flow_defer_handler() - Deferred work, timers, and freeing of flows
 * @c:		Execution context
 * @now:	Current monotonic time
 *
 * Runs after every batch of events but only walks the table when a module
 * asked for it or a timer interval has passed.
 */
void flow_defer_handler(struct ctx *c, const struct timespec *now)
{
	bool timer = now->tv_sec - flow_last_timer >= FLOW_TIMER_INTERVAL;
	uint32_t i;

	if (!timer && !flow_sweep_requested)
		return;
	flow_sweep_requested = false;
	if (timer)
		flow_last_timer = now->tv_sec;

	for (i = 0; i < flow_hwm; i++) {
		union flow *flow = &flowtab[i];
		bool done;

		if (flow->f.state == FLOW_STATE_FREE)
			continue;
		ASSERT(flow->f.state == FLOW_STATE_ACTIVE);

		switch ((enum flow_type)flow->f.type) {
		case FLOW_TCP:
			done = tcp_flow_defer(c, flow, now, timer);
			break;
		case FLOW_TCP_SPLICE:
			done = tcp_splice_flow_defer(c, flow, now, timer);
			break;
		case FLOW_UDP:
			done = udp_flow_defer(c, flow, now, timer);
			break;
		case FLOW_PING4:
		case FLOW_PING6:
			done = icmp_flow_defer(c, flow, now, timer);
			break;
		case FLOW_TYPE_NONE:
		case FLOW_NUM_TYPES:
		default:
			ASSERT(!"active flow of no known type");
			done = false;
		}

		if (done) {
			flow_dbg(flow, "freed");
			if (flow->f.hashed)
				flow_unhash(flow);
			flow_free(flow);
		}
	}
}
