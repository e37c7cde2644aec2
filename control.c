// SPDX-License-Identifier: GPL-2.0-or-later
/* control.c - runtime control socket: the socket, its clients
 *
 * DOC: Theory of Operation
 *
 * With --control PATH, a UNIX stream socket is bound at PATH at start-up,
 * before anything is sandboxed and before the user is switched: the file
 * belongs to the invoking user, mode 0600 (the umask is narrowed around
 * bind()), so only that user (and root) can connect. The daemon keeps
 * accepting on the already listening socket once it runs as another user
 * and has no access to the file system any more. The file is not removed
 * at exit (the sandbox has no path to remove it by); a stale one is
 * replaced at the next start if nothing listens on it.
 *
 * Protocol: newline-delimited JSON. Each request is one line, a flat
 * object: string, integer, true, false and null members only, "cmd"
 * naming the command. Each request gets exactly one reply line, an object
 * with "ok": true and the command's members, or "ok": false and "error",
 * in the order requests came. Commands:
 *
 * - add-forward: "proto" ("tcp" or "udp"), "port" (a number, or a string
 *   "FIRST" or "FIRST-LAST"), optionally "to" (the guest port, or the
 *   first of a range of the same size), "addr" (host address to bind
 *   to), "dir" ("in", the default: host to guest, like -t and -u; "out":
 *   pasta's namespace to host, like -T and -U). The ports get listening
 *   sockets exactly as if given on the command line, through
 *   tcp_listen_open() and udp_listen_open(); all of them or none.
 * - remove-forward: "proto", "port", optionally "dir": the listening
 *   sockets are closed (connections already accepted go on), the port is
 *   refused from then on.
 * - list-forwards: ranges of forwarded ports with their targets.
 * - stats: frames and bytes in and out, in total and by protocol, drops
 *   by reason, flows by type, control clients dropped.
 * - flows: active flows, from index "start" (0 by default) on, as many as
 *   fit a reply; "next" says where to go on from, or is null at the end.
 *
 * A forwarding table (one per protocol and direction) has one bind
 * address and interface: a runtime forward may name an address only if
 * it's the one of the ports already in the table, or if the table is empty
 * (it then becomes the table's address). A table in "auto" mode is left to
 * pasta's port detection and refuses changes.
 *
 * Bounds, so that a client can never block or grow the daemon: at most
 * CONTROL_CLIENTS clients (a new one replaces the one idle the longest),
 * each with a fixed input buffer of CONTROL_LINE_MAX bytes and a fixed
 * output buffer of CONTROL_OUT_MAX bytes, all static. Sockets are
 * non-blocking. A request line longer than the input buffer gets an error
 * and the client is dropped; a client whose replies don't fit its output
 * buffer (it doesn't read them) is dropped; a few reads per event, so
 * that traffic is served in between. The JSON parser is our own: bounded
 * sizes for keys, strings, numbers and member counts, printable ASCII
 * only, strict (no trailing commas, no duplicate keys, nothing after the
 * object), and every error says what and at which byte.
 *
 * Files: control.c (this one) owns the socket and the clients;
 * control_json.c parses requests and writes replies; control_cmd.c runs
 * the commands. The client is ctl/passt-ctl.c, a separate program.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "control_internal.h"
#include "log.h"
#include "passt.h"
#include "util.h"

#define CONTROL_REPLY_MAX	(32 * 1024)	/* one reply line */
#define CONTROL_READS_MAX	4	/* reads per event and client */
#define CONTROL_LINES_MAX	8	/* requests per event and client */
#define CONTROL_ACCEPTS_MAX	(CONTROL_CLIENTS * 2)	/* per event */

/**
 * struct control_client - One connected client
 * @fd:		Socket, -1 for a free slot
 * @events:	epoll events currently asked for
 * @eof:	The client shut down its side: reply, then close
 * @pending:	@in holds requests not handled yet (over the budget of
 *		an event): EPOLLOUT brings us back to them
 * @last:	Value of control_seq at the last event, to find the idlest
 * @in_len:	Bytes in @in
 * @out_start:	Offset of the first byte in @out not yet sent
 * @out_len:	Bytes in @out not yet sent
 * @in:		Start of the next request line
 * @out:	Replies not yet sent
 */
struct control_client {
	int fd;
	uint32_t events;
	bool eof;
	bool pending;
	uint64_t last;
	size_t in_len;
	size_t out_start;
	size_t out_len;
	char in[CONTROL_LINE_MAX];
	char out[CONTROL_OUT_MAX];
};

static struct control_client control_clients[CONTROL_CLIENTS];
static int control_fd = -1;
static uint64_t control_seq;
static uint64_t control_dropped;
static char control_reply[CONTROL_REPLY_MAX];

/* Clients */

/**
 * control_clients_dropped() - Clients dropped so far, for stats
 *
 * Return: count of clients dropped for not reading, for a line too long,
 *	   or replaced by a new client
 */
uint64_t control_clients_dropped(void)
{
	return control_dropped;
}

/**
 * control_client_close() - Close a client and free its slot
 * @cl:		Client
 *
 * #syscalls close
 */
static void control_client_close(struct control_client *cl)
{
	if (cl->fd < 0)
		return;
	close(cl->fd);		/* also leaves the epoll set */
	cl->fd = -1;
}

/**
 * control_client_drop() - Drop a misbehaving (or replaced) client, count it
 * @cl:		Client
 * @why:	Reason, for the debug log
 */
static void control_client_drop(struct control_client *cl, const char *why)
{
	debug("Control: dropping client %li: %s",
	      (long)(cl - control_clients), why);
	control_dropped++;
	control_client_close(cl);
}

/**
 * control_flush() - Send what a client has waiting, ask epoll for the rest
 * @c:		Execution context
 * @cl:		Client
 *
 * A client that shut its side down is closed once it has its replies.
 * EPOLLOUT is asked for while replies wait, or requests do (it comes at
 * once for a client that reads, and brings us back to them).
 *
 * Return: false if the client was closed
 *
 * #syscalls sendto epoll_ctl
 */
static bool control_flush(const struct ctx *c, struct control_client *cl)
{
	struct epoll_event ev;
	uint32_t events;

	while (cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + cl->out_start, cl->out_len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			control_client_close(cl);
			return false;
		}
		cl->out_start += (size_t)n;
		cl->out_len -= (size_t)n;
	}
	if (!cl->out_len)
		cl->out_start = 0;

	if (cl->eof && !cl->out_len && !cl->pending) {
		control_client_close(cl);
		return false;
	}

	events = (cl->eof ? 0 : EPOLLIN) |
		 (cl->out_len || cl->pending ? EPOLLOUT : 0);
	if (events == cl->events)
		return true;

	ev.events = events;
	ev.data.u64 = ((union epoll_ref){ .type = EPOLL_TYPE_CONTROL_CONN,
					  .fd = cl->fd,
					  .idx = (uint32_t)(cl -
							    control_clients)
					}).u64;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_MOD, cl->fd, &ev)) {
		control_client_close(cl);
		return false;
	}
	cl->events = events;
	return true;
}

/**
 * control_queue() - Queue a reply to a client
 * @cl:		Client
 * @data:	Reply
 * @len:	Length of @data
 *
 * Return: false if it didn't fit, and the client was dropped
 */
static bool control_queue(struct control_client *cl, const char *data,
			  size_t len)
{
	if (len > sizeof(cl->out) - cl->out_start - cl->out_len) {
		memmove(cl->out, cl->out + cl->out_start, cl->out_len);
		cl->out_start = 0;
	}
	if (len > sizeof(cl->out) - cl->out_len) {
		control_client_drop(cl, "not reading its replies");
		return false;
	}
	memcpy(cl->out + cl->out_start + cl->out_len, data, len);
	cl->out_len += len;
	return true;
}

/**
 * control_line() - Handle one request line of a client
 * @c:		Execution context
 * @cl:		Client
 * @line:	Line, without its newline
 * @len:	Length of @line
 *
 * Return: false if the client was dropped
 */
static bool control_line(struct ctx *c, struct control_client *cl,
			 const char *line, size_t len)
{
	size_t n;

	if (len && line[len - 1] == '\r')
		len--;
	if (!len)
		return true;

	n = control_request(c, line, len, control_reply,
			    sizeof(control_reply));
	return control_queue(cl, control_reply, n);
}

/**
 * control_lines() - Handle the request lines a client sent, within a budget
 * @c:		Execution context
 * @cl:		Client
 * @budget:	Requests left for this event, updated
 *
 * Complete lines only; after the client shut its side down, what is left
 * without a newline is the last request. Lines over the budget wait, with
 * @cl->pending set: a client sending small requests fast can't keep the
 * loop from serving traffic.
 *
 * Return: false if the client was dropped
 */
static bool control_lines(struct ctx *c, struct control_client *cl,
			  unsigned *budget)
{
	size_t done = 0;
	const char *nl;

	while (*budget &&
	       (nl = memchr(cl->in + done, '\n', cl->in_len - done))) {
		size_t len = (size_t)(nl - (cl->in + done));

		(*budget)--;
		if (!control_line(c, cl, cl->in + done, len))
			return false;
		done += len + 1;
	}

	if (cl->eof && *budget && done < cl->in_len &&
	    !memchr(cl->in + done, '\n', cl->in_len - done)) {
		(*budget)--;
		if (!control_line(c, cl, cl->in + done, cl->in_len - done))
			return false;
		done = cl->in_len;
	}

	memmove(cl->in, cl->in + done, cl->in_len - done);
	cl->in_len -= done;
	cl->pending = cl->in_len &&
		      (cl->eof || memchr(cl->in, '\n', cl->in_len));
	return true;
}

/**
 * control_too_long() - Refuse a request line over the limit, drop the client
 * @c:		Execution context
 * @cl:		Client
 */
static void control_too_long(const struct ctx *c, struct control_client *cl)
{
	char msg[128];
	int n;

	n = snprintf(msg, sizeof(msg), "{\"ok\":false,\"error\":\"request "
		     "longer than %i bytes\"}\n", CONTROL_LINE_MAX - 1);
	if (control_queue(cl, msg, (size_t)n) && control_flush(c, cl))
		control_client_drop(cl, "request too long");
}

/**
 * control_conn_handler() - Requests from a client, or room for replies
 * @c:		Execution context
 * @ref:	epoll reference: the client's slot in idx
 * @events:	epoll events
 *
 * #syscalls recvfrom
 */
void control_conn_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	unsigned budget = CONTROL_LINES_MAX;
	struct control_client *cl;
	int r;

	if (ref.idx >= CONTROL_CLIENTS)
		return;
	cl = &control_clients[ref.idx];
	if (cl->fd < 0 || cl->fd != (int)ref.fd)
		return;		/* closed earlier in this batch */
	cl->last = ++control_seq;

	if (events & EPOLLERR) {
		control_client_close(cl);
		return;
	}

	/* Requests left from the last event first, then more */
	if (cl->pending && !control_lines(c, cl, &budget))
		return;

	for (r = 0; r < CONTROL_READS_MAX && !cl->eof && !cl->pending &&
		    (events & (EPOLLIN | EPOLLHUP)); r++) {
		ssize_t n = recv(cl->fd, cl->in + cl->in_len,
				 sizeof(cl->in) - cl->in_len, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			control_client_close(cl);
			return;
		}
		if (!n) {
			/* A last request without its newline counts too */
			cl->eof = true;
			if (!control_lines(c, cl, &budget))
				return;
			break;
		}

		cl->in_len += (size_t)n;
		if (!control_lines(c, cl, &budget))
			return;
		if (cl->in_len == sizeof(cl->in) && !cl->pending) {
			control_too_long(c, cl);
			return;
		}
	}

	control_flush(c, cl);
}

/**
 * control_listen_handler() - New clients on the control socket
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 *
 * With every slot taken, the client idle the longest is dropped for the
 * new one: a client that connects and does nothing can't lock others out.
 *
 * #syscalls accept4 epoll_ctl close
 */
void control_listen_handler(struct ctx *c, union epoll_ref ref,
			    uint32_t events)
{
	int i;

	(void)ref;
	(void)events;

	for (i = 0; i < CONTROL_ACCEPTS_MAX; i++) {
		struct control_client *cl = NULL;
		struct epoll_event ev;
		union epoll_ref cref;
		int s, j;

		s = accept4(control_fd, NULL, NULL,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				warn_ratelimit("Control: accept: %s",
					       strerror(errno));
			return;
		}

		for (j = 0; j < CONTROL_CLIENTS; j++) {
			struct control_client *x = &control_clients[j];

			if (x->fd < 0) {
				cl = x;
				break;
			}
			if (!cl || x->last < cl->last)
				cl = x;
		}
		if (cl->fd >= 0)
			control_client_drop(cl, "replaced by a new client");

		cref.u64 = 0;
		cref.type = EPOLL_TYPE_CONTROL_CONN;
		cref.fd = (uint32_t)s;
		cref.idx = (uint32_t)(cl - control_clients);
		ev.events = EPOLLIN;
		ev.data.u64 = cref.u64;
		if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, s, &ev)) {
			close(s);
			continue;
		}

		cl->fd = s;
		cl->events = EPOLLIN;
		cl->eof = cl->pending = false;
		cl->last = ++control_seq;
		cl->in_len = cl->out_start = cl->out_len = 0;
		debug("Control: client %i connected", (int)cref.idx);
	}
}

/**
 * control_path_check() - Make room for the socket, refuse a live one
 * @path:	Path of the control socket
 *
 * A socket file nobody listens on (left by an earlier run) is removed;
 * anything else at @path is an error.
 */
static void control_path_check(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int s;

	if (lstat(path, &st)) {
		if (errno != ENOENT)
			die_perror("--control `%s'", path);
		return;
	}
	if (!S_ISSOCK(st.st_mode))
		die("--control `%s': exists, and is not a socket", path);

	/* Non-blocking: a live socket with a full backlog says EAGAIN */
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		die_perror("Couldn't open a UNIX socket");
	memcpy(sa.sun_path, path, strlen(path));
	if (!connect(s, (struct sockaddr *)&sa, sizeof(sa)) || errno == EAGAIN)
		die("--control `%s': in use by another process", path);
	if (errno != ECONNREFUSED)
		die_perror("--control `%s'", path);
	close(s);
	if (unlink(path))
		die_perror("--control `%s': can't remove stale socket", path);
}

/**
 * control_init() - Bind and listen on the control socket, at start-up
 * @c:		Execution context: control_path, epollfd
 *
 * Called before the sandbox and before switching user: the socket file
 * belongs to the invoking user, mode 0600.
 */
void control_init(struct ctx *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union epoll_ref ref = { .type = EPOLL_TYPE_CONTROL };
	struct epoll_event ev;
	mode_t umask_old;
	int i, fd, rc;

	if (!*c->control_path)
		return;

	for (i = 0; i < CONTROL_CLIENTS; i++)
		control_clients[i].fd = -1;

	control_path_check(c->control_path);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_perror("Couldn't open the control socket");
	memcpy(sa.sun_path, c->control_path, strlen(c->control_path));

	umask_old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(umask_old);
	if (rc)
		die_perror("--control `%s': can't bind", c->control_path);
	if (listen(fd, CONTROL_CLIENTS))
		die_perror("--control `%s': can't listen", c->control_path);

	ref.fd = (uint32_t)fd;
	ev.events = EPOLLIN;
	ev.data.u64 = ref.u64;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, fd, &ev))
		die_perror("Couldn't add the control socket to epoll");

	control_fd = fd;
	debug("Control socket at %s", c->control_path);
}
