/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_splice.h - pasta: TCP between loopbacks, moved with splice(2) */
#ifndef TCP_SPLICE_H
#define TCP_SPLICE_H

#include <assert.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "flow.h"
#include "fwd.h"
#include "passt.h"
#include "tcp_conn.h"

/**
 * struct tcp_splice_conn - Two connected sockets, and a pipe each way
 * @f:		Common flow fields, first (not hashed: no guest side)
 * @s:		Sockets: [0] accepted from the listening socket, [1] the one
 *		we connected to the target; -1 once closed
 * @pipe_r:	Read ends of the pipes: [i] carries data from @s[i] to
 *		@s[!i]
 * @pipe_w:	Write ends of the same pipes
 * @pending:	Bytes in each pipe, not yet written to the other socket
 * @pipe_size:	Capacity of each pipe, bytes
 * @connected:	connect() on @s[1] completed
 * @closed:	Both sockets and pipes closed: the sweep frees the entry
 * @in_eof:	Bit i: EOF was read from @s[i]
 * @out_shut:	Bit i: @s[!i] was shut down for writing, after all of
 *		pipe i was written to it
 * @ticks:	Flow timer ticks spent connecting
 * @bytes:	Bytes moved from @s[i] to @s[!i], for the debug log
 */
struct tcp_splice_conn {
	struct flow_common f;
	int s[2];
	int pipe_r[2];
	int pipe_w[2];
	uint32_t pending[2];
	uint32_t pipe_size;
	uint8_t connected:1,
		closed:1,
		in_eof:2,
		out_shut:2;
	uint8_t ticks;
	uint64_t bytes[2];
};

static_assert(sizeof(struct tcp_splice_conn) <= sizeof(struct tcp_tap_conn),
	      "struct tcp_splice_conn must not grow the flow table");

union flow;

bool tcp_splice_conn_new(struct ctx *c, enum fwd_dir dir, in_port_t port,
			 int s, const union inany_addr *peer);
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events);
bool tcp_splice_flow_defer(struct ctx *c, union flow *flow,
			   const struct timespec *now, bool timer);

#endif /* TCP_SPLICE_H */
