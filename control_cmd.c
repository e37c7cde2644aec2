// SPDX-License-Identifier: GPL-2.0-or-later
/* control_cmd.c - control socket: the commands
 *
 * DOC: Theory of Operation
 *
 * One handler per command, in a table keyed by the "cmd" member, with the
 * members each accepts (any other is an error). Handlers write the
 * members of the reply after "ok": true, or fail it with control_error().
 *
 * add-forward and remove-forward change the forwarding tables through
 * fwd_ports_mut() and open or close the listening sockets with the same
 * functions start-up uses, tcp_listen_open() and udp_listen_open() (and
 * their _close() counterparts): a runtime forward is the same as one from
 * the command line. Every port is checked before anything changes, and a
 * port that fails to open closes those opened before it: all or nothing.
 *
 * list-forwards and flows stop at the last entry that fits a reply
 * (CONTROL_REPLY_RESERVE bytes are kept for the end of the object): the
 * first says "truncated", the second where to go on from ("next").
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/tcp.h>		/* tcp_info with tcpi_bytes_received */
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "control.h"
#include "control_internal.h"
#include "flow.h"
#include "flow_table.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "passt.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

#define CONTROL_RANGE_MAX	1024	/* ports in one add or remove */
#define CONTROL_REPLY_RESERVE	64	/* left for the end of a list reply */

/* Commands */

/**
 * ctl_proto_dir() - Protocol and direction of a forwarding request
 * @req:	Request
 * @o:		Reply, failed if they are missing or wrong
 * @proto:	Filled with IPPROTO_TCP or IPPROTO_UDP
 * @dir:	Filled with the direction, FWD_IN if not given
 *
 * Return: true on success
 */
static bool ctl_proto_dir(const struct control_req *req, struct control_out *o,
			  int *proto, enum fwd_dir *dir)
{
	const struct control_member *m = control_json_get(req, "proto");

	if (!m || m->type != CONTROL_T_STR ||
	    (strcmp(m->str, "tcp") && strcmp(m->str, "udp"))) {
		control_error(o, "\"proto\" must be \"tcp\" or \"udp\"");
		return false;
	}
	*proto = strcmp(m->str, "tcp") ? IPPROTO_UDP : IPPROTO_TCP;

	*dir = FWD_IN;
	m = control_json_get(req, "dir");
	if (m && (m->type != CONTROL_T_STR ||
		  (strcmp(m->str, "in") && strcmp(m->str, "out")))) {
		control_error(o, "\"dir\" must be \"in\" or \"out\"");
		return false;
	}
	if (m && !strcmp(m->str, "out"))
		*dir = FWD_OUT;
	return true;
}

/**
 * ctl_port_num() - Parse a port number from a string
 * @s:		String, digits only
 * @end:	End of the number in @s
 * @port:	Filled with the port
 *
 * Return: true for a port from 1 to 65535
 */
static bool ctl_port_num(const char *s, const char *end, unsigned *port)
{
	unsigned v = 0;

	if (s == end || end - s > 5)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (!v || v > 65535)
		return false;
	*port = v;
	return true;
}

/**
 * ctl_range() - A port or range from a request member
 * @req:	Request
 * @key:	Key of the member
 * @o:		Reply, failed if the value is wrong
 * @first:	Filled with the first port
 * @last:	Filled with the last port
 *
 * Return: true on success
 */
static bool ctl_range(const struct control_req *req, const char *key,
		      struct control_out *o, unsigned *first, unsigned *last)
{
	const struct control_member *m = control_json_get(req, key);

	if (m && m->type == CONTROL_T_NUM && m->num >= 1 && m->num <= 65535) {
		*first = *last = (unsigned)m->num;
		return true;
	}
	if (m && m->type == CONTROL_T_STR) {
		const char *dash = strchr(m->str, '-');
		const char *end = m->str + strlen(m->str);

		if (!dash && ctl_port_num(m->str, end, first)) {
			*last = *first;
			return true;
		}
		if (dash && ctl_port_num(m->str, dash, first) &&
		    ctl_port_num(dash + 1, end, last) && *last >= *first)
			return true;
	}

	control_error(o, "\"%s\" must be a port (1 to 65535) or a range "
		      "\"FIRST-LAST\"", key);
	return false;
}

/**
 * ctl_table_empty() - Tell if no port is forwarded in a table
 * @fp:		Table
 *
 * Return: true if none is
 */
static bool ctl_table_empty(const struct fwd_ports *fp)
{
	size_t i;

	for (i = 0; i < sizeof(fp->map); i++) {
		if (fp->map[i])
			return false;
	}
	return true;
}

/**
 * ctl_listen() - Open or close the sockets of a forwarded port
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @dir:	Direction
 * @port:	Port
 * @open:	Open rather than close
 *
 * Return: 0, or -errno from opening
 */
static int ctl_listen(struct ctx *c, int proto, enum fwd_dir dir,
		      in_port_t port, bool open)
{
	if (!open) {
		if (proto == IPPROTO_TCP)
			tcp_listen_close(c, dir, port);
		else
			udp_listen_close(c, dir, port);
		return 0;
	}
	return proto == IPPROTO_TCP ? tcp_listen_open(c, dir, port) :
				      udp_listen_open(c, dir, port);
}

/**
 * ctl_table_mut() - Forwarding table to change, unless it follows "auto"
 * @o:		Reply, for the error
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @dir:	Direction of the table
 *
 * Return: the table, NULL (with an error in @o) if it is in "auto" mode
 */
static struct fwd_ports *ctl_table_mut(struct control_out *o, int proto,
				       enum fwd_dir dir)
{
	struct fwd_ports *fp = fwd_ports_mut(proto, dir);

	if (fp->mode == FWD_MODE_AUTO) {
		control_error(o, "this table is in \"auto\" mode: its ports "
			      "follow what is bound on the other side");
		return NULL;
	}
	return fp;
}

/**
 * ctl_add_forward() - add-forward: forward ports, as -t/-u/-T/-U would
 * @c:		Execution context
 * @req:	Request: proto, port, optional to, addr, dir
 * @o:		Reply
 */
static void ctl_add_forward(struct ctx *c, const struct control_req *req,
			    struct control_out *o)
{
	unsigned first, last, to_first, to_last, p;
	const struct control_member *m;
	union inany_addr addr, old_addr;
	struct fwd_ports *fp;
	bool set_addr = false;
	enum fwd_dir dir;
	int proto, rc;

	if (!ctl_proto_dir(req, o, &proto, &dir) ||
	    !ctl_range(req, "port", o, &first, &last))
		return;
	if ((proto == IPPROTO_TCP && c->no_tcp) ||
	    (proto == IPPROTO_UDP && c->no_udp)) {
		control_error(o, "%s is disabled", proto == IPPROTO_TCP ?
			      "TCP" : "UDP");
		return;
	}
	if (last - first >= CONTROL_RANGE_MAX) {
		control_error(o, "at most %u ports at a time",
			      CONTROL_RANGE_MAX);
		return;
	}

	to_first = first;
	to_last = last;
	if (control_json_get(req, "to")) {
		if (!ctl_range(req, "to", o, &to_first, &to_last))
			return;
		if (to_last != to_first && to_last - to_first != last - first) {
			control_error(o, "\"to\" range differs in size from "
				      "\"port\"");
			return;
		}
		if (to_first + (last - first) > 65535) {
			control_error(o, "\"to\" range goes past port 65535");
			return;
		}
	}

	fp = ctl_table_mut(o, proto, dir);
	if (!fp)
		return;

	m = control_json_get(req, "addr");
	if (m) {
		struct in6_addr a6;
		struct in_addr a4;
		char buf[INANY_ADDRSTRLEN];

		if (m->type != CONTROL_T_STR) {
			control_error(o, "\"addr\" must be a string");
			return;
		}
		if (inet_pton(AF_INET, m->str, &a4) == 1) {
			inany_from_v4(&addr, a4);
		} else if (inet_pton(AF_INET6, m->str, &a6) == 1) {
			addr.a6 = a6;
		} else {
			control_error(o, "invalid address");
			return;
		}
		if (!ctl_table_empty(fp) && !inany_equals(&addr, &fp->addr)) {
			control_error(o, "the ports of this table are bound "
				      "to %s: a new one can't have another "
				      "address",
				      inany_ntop(&fp->addr, buf));
			return;
		}
		set_addr = true;
	}

	for (p = first; p <= last; p++) {
		if (fwd_port_forwarded(fp, (in_port_t)p)) {
			control_error(o, "port %u is already forwarded", p);
			return;
		}
	}

	old_addr = fp->addr;
	if (set_addr)
		fp->addr = addr;

	for (p = first; p <= last; p++) {
		rc = ctl_listen(c, proto, dir, (in_port_t)p, true);
		if (rc) {
			unsigned q;

			for (q = first; q < p; q++)
				ctl_listen(c, proto, dir, (in_port_t)q, false);
			fp->addr = old_addr;
			control_error(o, "port %u: %s", p, strerror(-rc));
			return;
		}
	}

	for (p = first; p <= last; p++) {
		/* A single target port starts a range as long as ours */
		fwd_port_set(fp, (in_port_t)p, (in_port_t)(to_first +
							   (p - first)));
	}
	if (fp->mode == FWD_MODE_NONE)
		fp->mode = FWD_MODE_SPEC;

	info("Control: forwarding %s port%s %u-%u to %u", proto == IPPROTO_TCP ?
	     "TCP" : "UDP", first == last ? "" : "s", first, last, to_first);
	control_printf(o, ",\"ports\":%u", last - first + 1);
}

/**
 * ctl_remove_forward() - remove-forward: stop forwarding ports
 * @c:		Execution context
 * @req:	Request: proto, port, optional dir
 * @o:		Reply
 */
static void ctl_remove_forward(struct ctx *c, const struct control_req *req,
			       struct control_out *o)
{
	unsigned first, last, p;
	struct fwd_ports *fp;
	enum fwd_dir dir;
	int proto;

	if (!ctl_proto_dir(req, o, &proto, &dir) ||
	    !ctl_range(req, "port", o, &first, &last))
		return;

	fp = ctl_table_mut(o, proto, dir);
	if (!fp)
		return;
	for (p = first; p <= last; p++) {
		if (!fwd_port_forwarded(fp, (in_port_t)p)) {
			control_error(o, "port %u is not forwarded", p);
			return;
		}
	}

	for (p = first; p <= last; p++) {
		ctl_listen(c, proto, dir, (in_port_t)p, false);
		fwd_port_clear(fp, (in_port_t)p);
	}

	info("Control: stopped forwarding %s port%s %u-%u",
	     proto == IPPROTO_TCP ? "TCP" : "UDP", first == last ? "" : "s",
	     first, last);
	control_printf(o, ",\"ports\":%u", last - first + 1);
}

/**
 * ctl_port_str() - Append a port or range as a JSON string
 * @o:		Reply
 * @first:	First port
 * @last:	Last port
 */
static void ctl_port_str(struct control_out *o, unsigned first, unsigned last)
{
	if (first == last)
		control_printf(o, "\"%u\"", first);
	else
		control_printf(o, "\"%u-%u\"", first, last);
}

/**
 * ctl_list_table() - Append the ranges of one forwarding table
 * @o:		Reply
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @dir:	Direction
 * @n:		Entries so far, updated
 *
 * Return: false if the reply is full
 */
static bool ctl_list_table(struct control_out *o, int proto, enum fwd_dir dir,
			   unsigned *n)
{
	const struct fwd_ports *fp = fwd_ports(proto, dir);
	const char *pname = proto == IPPROTO_TCP ? "tcp" : "udp";
	const char *dname = dir == FWD_IN ? "in" : "out";
	bool any = !IN6_IS_ADDR_UNSPECIFIED(&fp->addr.a6);
	char buf[INANY_ADDRSTRLEN];
	unsigned p = 1;

	if (fp->mode == FWD_MODE_AUTO) {
		control_printf(o, "%s{\"proto\":\"%s\",\"dir\":\"%s\","
			       "\"auto\":true}", (*n)++ ? "," : "", pname,
			       dname);
		return !o->full;
	}

	while (p <= 65535) {
		unsigned start = p, to;
		size_t mark = o->len;

		if (!fwd_port_forwarded(fp, (in_port_t)p)) {
			p++;
			continue;
		}
		to = fwd_port_target(fp, (in_port_t)p);
		while (p < 65535 &&
		       fwd_port_forwarded(fp, (in_port_t)(p + 1)) &&
		       fwd_port_target(fp, (in_port_t)(p + 1)) ==
		       (in_port_t)(to + (p + 1 - start)))
			p++;

		control_printf(o, "%s{\"proto\":\"%s\",\"dir\":\"%s\","
			       "\"port\":", *n ? "," : "", pname, dname);
		ctl_port_str(o, start, p);
		control_printf(o, ",\"to\":");
		ctl_port_str(o, to, to + (p - start));
		if (any) {
			control_printf(o, ",\"addr\":");
			control_str(o, inany_ntop(&fp->addr, buf));
		}
		if (*fp->ifname) {
			control_printf(o, ",\"ifname\":");
			control_str(o, fp->ifname);
		}
		control_printf(o, "}");
		if (o->full) {
			o->len = mark;
			o->buf[mark] = '\0';
			return false;
		}
		(*n)++;
		p++;
	}
	return true;
}

/**
 * ctl_list_forwards() - list-forwards: forwarded ports and ranges
 * @c:		Execution context
 * @req:	Request, no members
 * @o:		Reply
 */
static void ctl_list_forwards(struct ctx *c, const struct control_req *req,
			      struct control_out *o)
{
	static const int protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	bool complete = true;
	unsigned n = 0, i;
	size_t size = o->size;
	int dir;

	(void)c;
	(void)req;

	o->size -= CONTROL_REPLY_RESERVE;
	control_printf(o, ",\"forwards\":[");
	for (i = 0; i < ARRAY_SIZE(protos) && complete; i++) {
		for (dir = 0; dir < FWD_NUM_DIRS && complete; dir++)
			complete = ctl_list_table(o, protos[i],
						  (enum fwd_dir)dir, &n);
	}
	o->full = false;
	o->size = size;
	control_printf(o, "],\"truncated\":%s", complete ? "false" : "true");
}

/**
 * ctl_proto_stats() - Append the frame counters of one protocol
 * @o:		Reply
 * @name:	Protocol name
 * @ps:		Counters
 * @first:	First protocol of the list
 */
static void ctl_proto_stats(struct control_out *o, const char *name,
			    const struct tap_proto_stats *ps, bool first)
{
	control_printf(o, "%s\"%s\":{\"frames_in\":%llu,\"bytes_in\":%llu,"
		       "\"frames_out\":%llu,\"bytes_out\":%llu}",
		       first ? "" : ",", name,
		       (unsigned long long)ps->frames_in,
		       (unsigned long long)ps->bytes_in,
		       (unsigned long long)ps->frames_out,
		       (unsigned long long)ps->bytes_out);
}

/**
 * ctl_flow_type_name() - Short name of a flow type, for replies
 * @type:	Flow type
 *
 * Return: constant string
 */
static const char *ctl_flow_type_name(enum flow_type type)
{
	switch (type) {
	case FLOW_TCP:
		return "tcp";
	case FLOW_TCP_SPLICE:
		return "tcp_splice";
	case FLOW_UDP:
		return "udp";
	case FLOW_PING4:
		return "ping4";
	case FLOW_PING6:
		return "ping6";
	case FLOW_TYPE_NONE:
	case FLOW_NUM_TYPES:
	default:
		return "none";
	}
}

/**
 * ctl_stats() - stats: frame, drop, flow and error counters
 * @c:		Execution context
 * @req:	Request, no members
 * @o:		Reply
 */
static void ctl_stats(struct ctx *c, const struct control_req *req,
		      struct control_out *o)
{
	static const char *pnames[TAP_STATS_PROTOS] = {
		[TAP_STATS_TCP] = "tcp", [TAP_STATS_UDP] = "udp",
		[TAP_STATS_ICMP] = "icmp", [TAP_STATS_OTHER] = "other",
	};
	const struct tap_stats *s = &c->stats;
	struct tap_proto_stats total = {
		.frames_in = s->frames_in, .bytes_in = s->bytes_in,
		.frames_out = s->frames_out, .bytes_out = s->bytes_out,
	};
	int i, t;

	(void)req;

	control_printf(o, ",");
	ctl_proto_stats(o, "tap", &total, true);
	control_printf(o, ",\"proto\":{");
	for (i = 0; i < TAP_STATS_PROTOS; i++)
		ctl_proto_stats(o, pnames[i], &s->proto[i], !i);
	control_printf(o, "},\"drops\":{\"short\":%llu,\"ethertype\":%llu,"
		       "\"proto\":%llu,\"malformed\":%llu,\"out\":%llu,"
		       "\"bad_len\":%llu}",
		       (unsigned long long)s->drop_short,
		       (unsigned long long)s->drop_ethertype,
		       (unsigned long long)s->drop_proto,
		       (unsigned long long)s->drop_malformed,
		       (unsigned long long)s->drop_out,
		       (unsigned long long)s->bad_len);
	control_printf(o, ",\"flows\":{");
	for (t = FLOW_TYPE_NONE + 1; t < FLOW_NUM_TYPES; t++)
		control_printf(o, "%s\"%s\":%u",
			       t == FLOW_TYPE_NONE + 1 ? "" : ",",
			       ctl_flow_type_name((enum flow_type)t),
			       flow_count((enum flow_type)t));
	control_printf(o, "},\"errors\":{\"control_clients_dropped\":%llu}",
		       (unsigned long long)control_clients_dropped());
}

/**
 * ctl_tcp_bytes() - Bytes a TCP socket sent (acknowledged) and received
 * @s:		Socket
 * @sent:	Filled with the bytes the peer acknowledged
 * @received:	Filled with the bytes received from the peer
 *
 * Return: true if the kernel told (Linux 4.2 and later)
 *
 * #syscalls getsockopt
 */
static bool ctl_tcp_bytes(int s, uint64_t *sent, uint64_t *received)
{
	struct tcp_info ti;
	socklen_t sl = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &sl) ||
	    sl < offsetof(struct tcp_info, tcpi_bytes_received) +
		 sizeof(ti.tcpi_bytes_received))
		return false;
	*sent = ti.tcpi_bytes_acked;
	*received = ti.tcpi_bytes_received;
	return true;
}

/**
 * ctl_flow() - Append one flow to a flow list
 * @c:		Execution context
 * @o:		Reply
 * @flow:	Active flow
 * @first:	First entry of the list
 */
static void ctl_flow(const struct ctx *c, struct control_out *o,
		     const union flow *flow, bool first)
{
	char g[INANY_ADDRSTRLEN], d[INANY_ADDRSTRLEN];
	const struct flowside *t = &flow->f.tap;
	uint32_t now = (uint32_t)c->now.tv_sec, last = now;
	const char *state = "active", *proto;
	bool bytes = false, splice = false;
	uint64_t bin = 0, bout = 0;

	switch (flow->f.proto) {
	case IPPROTO_TCP:
		proto = "tcp";
		break;
	case IPPROTO_UDP:
		proto = "udp";
		break;
	case IPPROTO_ICMP:
		proto = "icmp";
		break;
	case IPPROTO_ICMPV6:
		proto = "icmpv6";
		break;
	default:
		proto = "?";
		break;
	}

	switch ((enum flow_type)flow->f.type) {
	case FLOW_TCP:
		state = tcp_state_str(flow->tcp.state);
		last = flow->tcp.last_active;
		if (flow->tcp.sock >= 0)
			bytes = ctl_tcp_bytes(flow->tcp.sock, &bin, &bout);
		break;
	case FLOW_UDP:
		state = flow->udp.closing ? "closing" :
			flow->udp.inbound ? "inbound" : "outbound";
		last = flow->udp.ts;
		bin = flow->udp.bytes_in;
		bout = flow->udp.bytes_out;
		bytes = true;
		break;
	case FLOW_TCP_SPLICE:
		state = flow->tcp_splice.closed ? "closed" :
			flow->tcp_splice.connected ? "connected" :
						     "connecting";
		splice = true;
		break;
	case FLOW_PING4:
	case FLOW_PING6:
		state = flow->ping.closing ? "closing" : "active";
		last = flow->ping.ts;
		break;
	case FLOW_TYPE_NONE:
	case FLOW_NUM_TYPES:
	default:
		break;
	}

	control_printf(o, "%s{\"idx\":%u,\"type\":\"%s\",\"proto\":\"%s\","
		       "\"guest\":\"%s\",\"gport\":%u,\"peer\":\"%s\","
		       "\"dport\":%u,\"state\":", first ? "" : ",",
		       flow_idx(flow),
		       ctl_flow_type_name((enum flow_type)flow->f.type),
		       proto, inany_ntop(&t->gaddr, g), t->gport,
		       inany_ntop(&t->daddr, d), t->dport);
	control_str(o, state);
	if (bytes)
		control_printf(o, ",\"bytes_in\":%llu,\"bytes_out\":%llu",
			       (unsigned long long)bin,
			       (unsigned long long)bout);
	if (splice)	/* no guest side: the client connected to our port */
		control_printf(o, ",\"bytes_from_client\":%llu,"
			       "\"bytes_to_client\":%llu",
			       (unsigned long long)flow->tcp_splice.bytes[0],
			       (unsigned long long)flow->tcp_splice.bytes[1]);
	control_printf(o, ",\"age\":%u,\"idle\":%u}",
		       flow_age(flow, &c->now), now - last);
}

/**
 * ctl_flows() - flows: active flows, as many as fit, from "start" on
 * @c:		Execution context
 * @req:	Request: optional start
 * @o:		Reply
 */
static void ctl_flows(struct ctx *c, const struct control_req *req,
		      struct control_out *o)
{
	const struct control_member *m = control_json_get(req, "start");
	size_t size = o->size;
	uint32_t i, start = 0;
	bool first = true;

	if (m) {
		if (m->type != CONTROL_T_NUM || m->num < 0) {
			control_error(o, "\"start\" must be a flow index");
			return;
		}
		start = m->num >= FLOW_MAX ? FLOW_MAX : (uint32_t)m->num;
	}

	o->size -= CONTROL_REPLY_RESERVE;
	control_printf(o, ",\"flows\":[");
	for (i = start; i < FLOW_MAX; i++) {
		const union flow *flow = flow_at(i);
		size_t mark = o->len;

		if (flow->f.state != FLOW_STATE_ACTIVE)
			continue;
		ctl_flow(c, o, flow, first);
		if (o->full) {
			o->len = mark;
			o->buf[mark] = '\0';
			break;
		}
		first = false;
	}
	o->full = false;
	o->size = size;
	if (i < FLOW_MAX)
		control_printf(o, "],\"next\":%u", i);
	else
		control_printf(o, "],\"next\":null");
}

/**
 * struct ctl_cmd - A command, its handler and the members it accepts
 * @name:	Value of "cmd"
 * @members:	Members accepted besides "cmd", each followed by a space
 * @handler:	Writes the reply's members, or fails it with control_error()
 */
struct ctl_cmd {
	const char *name;
	const char *members;
	void (*handler)(struct ctx *c, const struct control_req *req,
			struct control_out *o);
};

static const struct ctl_cmd ctl_cmds[] = {
	{ "add-forward",	"proto dir addr port to ", ctl_add_forward },
	{ "remove-forward",	"proto dir port ", ctl_remove_forward },
	{ "list-forwards",	"", ctl_list_forwards },
	{ "stats",		"", ctl_stats },
	{ "flows",		"start ", ctl_flows },
};

/**
 * ctl_member_known() - Tell if a command accepts a member
 * @cmd:	Command
 * @key:	Member's key
 *
 * Return: true if it does
 */
static bool ctl_member_known(const struct ctl_cmd *cmd, const char *key)
{
	size_t len = strlen(key);
	const char *p;

	if (!strcmp(key, "cmd"))
		return true;
	for (p = cmd->members; *p; p = strchr(p, ' ') + 1) {
		if (!strncmp(p, key, len) && p[len] == ' ')
			return true;
	}
	return false;
}

/**
 * ctl_request() - Handle one request line, write its reply
 * @c:		Execution context
 * @line:	Request, without its newline, not NUL-terminated
 * @len:	Length of @line
 * @o:		Reply, empty: filled with one line, newline included
 */
static void ctl_request(struct ctx *c, const char *line, size_t len,
			struct control_out *o)
{
	const struct ctl_cmd *cmd = NULL;
	const struct control_member *m;
	struct control_req req;
	unsigned i;

	if (!control_json_parse(line, len, &req, o->err, sizeof(o->err))) {
		o->failed = true;
		goto reply;
	}

	m = control_json_get(&req, "cmd");
	if (!m || m->type != CONTROL_T_STR) {
		control_error(o, "missing \"cmd\" string");
		goto reply;
	}
	for (i = 0; i < ARRAY_SIZE(ctl_cmds); i++) {
		if (!strcmp(ctl_cmds[i].name, m->str))
			cmd = &ctl_cmds[i];
	}
	if (!cmd) {
		control_error(o, "unknown command `%s'", m->str);
		goto reply;
	}
	for (i = 0; i < req.n; i++) {
		if (!ctl_member_known(cmd, req.m[i].key)) {
			control_error(o, "%s: unknown member `%s'", cmd->name,
				      req.m[i].key);
			goto reply;
		}
	}

	control_printf(o, "{\"ok\":true");
	cmd->handler(c, &req, o);
	control_printf(o, "}\n");
	if (o->full && !o->failed)
		control_error(o, "reply too long");

reply:
	if (o->failed) {
		o->len = 0;
		o->full = false;
		control_printf(o, "{\"ok\":false,\"error\":");
		control_str(o, o->err);
		control_printf(o, "}\n");
	}
}

/**
 * control_request() - Handle one request line, write its reply line
 * @c:		Execution context
 * @line:	Request, without its newline, not NUL-terminated
 * @len:	Length of @line
 * @reply:	Buffer for the reply
 * @size:	Size of @reply, at least CONTROL_REPLY_MIN bytes
 *
 * Return: length of the reply, newline included (no NUL counted)
 */
size_t control_request(struct ctx *c, const char *line, size_t len,
		       char *reply, size_t size)
{
	struct control_out o = { .buf = reply, .size = size };

	ASSERT(size >= CONTROL_REPLY_MIN);
	reply[0] = '\0';
	ctl_request(c, line, len, &o);
	return o.len;
}
