/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flow.h - the flow table: one entry per guest connection or exchange */
#ifndef FLOW_H
#define FLOW_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "inany.h"

/* At least 128k flows (DESIGN.md); indexes fit epoll_ref's 32-bit idx. A
 * test build (make passt.test-flows) sets a small power of two instead.
 */
#ifndef FLOW_MAX
#define FLOW_MAX		(128 * 1024)
#endif

/* Per-flow timers run this often (seconds) */
#define FLOW_TIMER_INTERVAL	1

/**
 * enum flow_type - What kind of flow an entry holds
 * @FLOW_TYPE_NONE:	Free entry
 * @FLOW_TCP:		TCP connection between the guest and a host socket
 * @FLOW_TCP_SPLICE:	pasta: TCP between two loopback sockets
 * @FLOW_UDP:		UDP exchange between the guest and a host socket
 * @FLOW_PING4:		ICMP echo through a ping socket
 * @FLOW_PING6:		ICMPv6 echo through a ping socket
 * @FLOW_NUM_TYPES:	Number of types
 */
enum flow_type {
	FLOW_TYPE_NONE = 0,
	FLOW_TCP,
	FLOW_TCP_SPLICE,
	FLOW_UDP,
	FLOW_PING4,
	FLOW_PING6,
	FLOW_NUM_TYPES,
};

/**
 * enum flow_state - Lifecycle of a table entry
 * @FLOW_STATE_FREE:	On the free list. Only the type (NONE) is valid.
 *			-> NEW by flow_alloc().
 * @FLOW_STATE_NEW:	Just allocated, being filled by its module; not in
 *			the hash table. Must become ACTIVE (flow_activate())
 *			or FREE (flow_alloc_cancel()) before the handler that
 *			allocated it returns.
 * @FLOW_STATE_ACTIVE:	In use: type, proto and tap side valid; in the hash
 *			table if flow_hash_insert() was called. Freed only by
 *			the deferred sweep, when the module's defer function
 *			says so, never in the middle of a handler.
 * @FLOW_NUM_STATES:	Number of states
 */
enum flow_state {
	FLOW_STATE_FREE,
	FLOW_STATE_NEW,
	FLOW_STATE_ACTIVE,
	FLOW_NUM_STATES,
};

/**
 * struct flowside - A flow as the guest sees it
 * @gaddr:	Guest's address
 * @daddr:	Address the guest talks to
 * @gport:	Guest's port (or ICMP echo identifier), host order
 * @dport:	Port the guest talks to (0 for ICMP), host order
 */
struct flowside {
	union inany_addr gaddr;
	union inany_addr daddr;
	in_port_t gport;
	in_port_t dport;
};

/**
 * struct flow_common - Fields every flow type starts with
 * @type:	enum flow_type
 * @state:	enum flow_state
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6
 * @hashed:	The entry is in the hash table
 * @tap:	The guest's side, the key of the hash table
 */
struct flow_common {
	uint8_t type;
	uint8_t state;
	uint8_t proto;
	bool hashed;
	struct flowside tap;
};

struct ctx;
union flow;

void flow_init(void);
union flow *flow_alloc(void);
void flow_alloc_cancel(union flow *flow);
void flow_activate(union flow *flow, enum flow_type type);
void flow_hash_insert(union flow *flow);
void flow_unhash(union flow *flow);
union flow *flow_lookup(uint8_t proto, const struct flowside *side);
union flow *flow_at(uint32_t idx);
uint32_t flow_idx(const union flow *flow);
unsigned flow_count(enum flow_type type);
uint32_t flow_age(const union flow *flow, const struct timespec *now);
void flow_defer_handler(struct ctx *c, const struct timespec *now);
void flow_request_sweep(void);
const char *flow_type_str(enum flow_type type);
const char *flow_state_str(enum flow_state state);

#define flow_dbg(flow, fmt, ...)					\
	debug("Flow %u (%s): " fmt, flow_idx(flow),			\
	      flow_type_str(((struct flow_common *)(flow))->type),	\
	      ##__VA_ARGS__)

#endif /* FLOW_H */
