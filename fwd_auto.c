// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd_auto.c - pasta: "auto" port forwarding, following bound ports
 *
 * DOC: Theory of Operation
 *
 * With -t auto (-u auto), pasta forwards from the host each port that
 * something in the namespace listens on (has bound); with -T auto (-U
 * auto), from the namespace each port that something on the host listens
 * on (has bound). The
 * kernel lists bound sockets in /proc/net/tcp, tcp6, udp and udp6, for
 * the network namespace of whoever opened the file: at start-up, before
 * the sandbox, the namespace's files are opened from inside it
 * (pasta_ns_open()), the host's from here, and the descriptors are kept.
 * Once a second (FWD_AUTO_INTERVAL_S, from the loop's post-batch work),
 * each file is read again from offset 0 with pread(): listening TCP
 * sockets (state 0A), UDP sockets bound to a port (state 07).
 *
 * The table of the direction then follows: a port seen for the first time
 * is marked forwarded (to the same port) and its listening socket opened
 * on the other side (tcp_listen_open(), udp_listen_open()); a port that
 * isn't bound any more is closed and cleared. A port that can't be opened
 * (someone has it already, or a port below 1024 the sandboxed side may not
 * bind) is left out until it goes away and comes back.
 *
 * Our own sockets must not be forwarded back to where they came from:
 * ports forwarded in the opposite direction are never taken (-t auto
 * opens host ports, which -T auto would see on the host, and the other
 * way around). UDP ports of the ephemeral range (32768 and up) are left
 * out: they are clients' sockets, which the kernel picked for them.
 *
 * Limits: a listener that comes and goes within a second may be missed.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwd.h"
#include "fwd_auto.h"
#include "log.h"
#include "passt.h"
#include "pasta.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

#define FWD_AUTO_TCP_LISTEN	0x0a	/* TCP_LISTEN, in /proc/net/tcp */
#define FWD_AUTO_UDP_BOUND	0x07	/* TCP_CLOSE: how UDP shows there */
#define FWD_AUTO_UDP_MAX	32767	/* ephemeral ports above */

/* Files to scan: [dir][UDP?][IPv6?], -1 if none */
static int fwd_auto_fd[FWD_NUM_DIRS][2][2] = {
	{ { -1, -1 }, { -1, -1 } }, { { -1, -1 }, { -1, -1 } },
};
static time_t fwd_auto_last;
static bool fwd_auto_any;

/* Ports seen bound by one scan */
static uint8_t fwd_auto_seen[65536 / 8];

/* Ports that couldn't be opened, not tried again until they go away:
 * [UDP?][dir]
 */
static uint8_t fwd_auto_failed[2][FWD_NUM_DIRS][65536 / 8];

/* Read buffer: whole lines are parsed, a partial one carried over */
static char fwd_auto_buf[64 * 1024];

/**
 * fwd_auto_line() - Parse one line of /proc/net/{tcp,udp}{,6}
 * @line:	Line, NUL-terminated
 * @state:	State that counts (FWD_AUTO_TCP_LISTEN, FWD_AUTO_UDP_BOUND)
 *
 * Return: the local port if the socket is in @state, 0 otherwise
 */
in_port_t fwd_auto_line(const char *line, unsigned state)
{
	unsigned long port, st;
	const char *p;
	char *end;

	/* "  sl  local_address rem_address   st ...": ADDR:PORT in hex */
	p = strchr(line, ':');
	if (!p)
		return 0;
	p = strchr(p + 1, ':');		/* end of the local address */
	if (!p)
		return 0;
	port = strtoul(p + 1, &end, 16);
	if (end == p + 1 || *end != ' ' || port > 65535)
		return 0;
	p = strchr(end + 1, ' ');	/* after the remote address */
	if (!p)
		return 0;
	st = strtoul(p + 1, &end, 16);
	if (end == p + 1 || st != state)
		return 0;
	return (in_port_t)port;
}

/**
 * fwd_auto_scan() - Read one file, mark the ports bound in @fwd_auto_seen
 * @fd:		File, read from offset 0
 * @state:	State that counts
 *
 * #syscalls:pasta pread64
 */
static void fwd_auto_scan(int fd, unsigned state)
{
	size_t have = 0;
	off_t off = 0;

	for (;;) {
		ssize_t n = pread(fd, fwd_auto_buf + have,
				  sizeof(fwd_auto_buf) - have - 1, off);
		char *line, *nl;

		if (n <= 0)
			return;
		off += n;
		have += (size_t)n;
		fwd_auto_buf[have] = '\0';

		for (line = fwd_auto_buf; (nl = strchr(line, '\n'));
		     line = nl + 1) {
			in_port_t port;

			*nl = '\0';
			port = fwd_auto_line(line, state);
			if (port)
				fwd_auto_seen[port / 8] |=
					(uint8_t)(1U << (port % 8));
		}

		have = (size_t)(fwd_auto_buf + have - line);
		if (have == sizeof(fwd_auto_buf) - 1)
			have = 0;	/* no line is that long: drop it */
		memmove(fwd_auto_buf, line, have);
	}
}

/**
 * fwd_auto_update() - Scan one table's files, open and close its ports
 * @c:		Execution context
 * @udp:	UDP rather than TCP
 * @dir:	Direction of the table
 */
static void fwd_auto_update(struct ctx *c, bool udp, enum fwd_dir dir)
{
	int proto = udp ? IPPROTO_UDP : IPPROTO_TCP;
	struct fwd_ports *fp = fwd_ports_mut(proto, dir);
	uint8_t *failed = fwd_auto_failed[udp][dir];
	const struct fwd_ports *other;
	unsigned port;
	int v6;

	if (fp->mode != FWD_MODE_AUTO)
		return;
	other = fwd_ports(proto, dir == FWD_IN ? FWD_OUT : FWD_IN);

	memset(fwd_auto_seen, 0, sizeof(fwd_auto_seen));
	for (v6 = 0; v6 < 2; v6++) {
		if (fwd_auto_fd[dir][udp][v6] >= 0)
			fwd_auto_scan(fwd_auto_fd[dir][udp][v6], udp ?
				      FWD_AUTO_UDP_BOUND :
				      FWD_AUTO_TCP_LISTEN);
	}

	for (port = 1; port <= 65535; port++) {
		bool seen = fwd_auto_seen[port / 8] & (1U << (port % 8));
		in_port_t p = (in_port_t)port;
		bool want, have;
		int rc;

		have = fwd_port_forwarded(fp, p);
		if (!seen) {
			failed[port / 8] &= (uint8_t)~(1U << (port % 8));
			if (!have)
				continue;
		}
		want = seen && !fwd_port_forwarded(other, p) &&
		       (!udp || port <= FWD_AUTO_UDP_MAX);

		if (want && !have) {
			if (failed[port / 8] & (1U << (port % 8)))
				continue;
			fwd_port_set(fp, p, p);
			rc = udp ? udp_listen_open(c, dir, p) :
				   tcp_listen_open(c, dir, p);
			if (rc) {
				fwd_port_clear(fp, p);
				failed[port / 8] |= (uint8_t)(1U << (port % 8));
				debug("%s port %u: can't forward it: %s",
				      udp ? "UDP" : "TCP", port, strerror(-rc));
				continue;
			}
			debug("%s port %u: now forwarded %s", udp ? "UDP" :
			      "TCP", port, dir == FWD_IN ?
			      "from the host" : "from the namespace");
		} else if (!want && have) {
			if (udp)
				udp_listen_close(c, dir, p);
			else
				tcp_listen_close(c, dir, p);
			fwd_port_clear(fp, p);
			debug("%s port %u: not forwarded any more",
			      udp ? "UDP" : "TCP", port);
		}
	}
}

/**
 * fwd_auto_open() - Open one /proc file, on the side a table follows
 * @c:		Execution context
 * @dir:	FWD_IN: the namespace's; FWD_OUT: the host's
 * @path:	Path
 *
 * Return: descriptor, or -1 (logged)
 */
static int fwd_auto_open(struct ctx *c, enum fwd_dir dir, const char *path)
{
	int fd;

	if (dir == FWD_IN)
		fd = pasta_ns_open(c, path);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = fd < -1 ? -fd : errno;
		warn_perror("Can't open %s %s for automatic forwarding", path,
			    dir == FWD_IN ? "in the namespace" : "on the host");
		return -1;
	}
	return fd;
}

/**
 * fwd_auto_init() - Open the files "auto" tables follow, first scan
 * @c:		Execution context
 *
 * Start-up only, pasta only, after the listening sockets of other tables
 * are open.
 */
void fwd_auto_init(struct ctx *c)
{
	static const char *files[2][2] = {
		{ "/proc/net/tcp", "/proc/net/tcp6" },
		{ "/proc/net/udp", "/proc/net/udp6" },
	};
	enum fwd_dir dir;
	int udp, v6;

	if (c->mode != MODE_PASTA)
		return;

	for (dir = FWD_IN; dir < FWD_NUM_DIRS; dir++) {
		for (udp = 0; udp < 2; udp++) {
			int proto = udp ? IPPROTO_UDP : IPPROTO_TCP;

			if (fwd_ports(proto, dir)->mode != FWD_MODE_AUTO)
				continue;
			if (udp ? c->no_udp : c->no_tcp)
				continue;
			for (v6 = 0; v6 < 2; v6++) {
				if (!(v6 ? c->ipv6_enabled : c->ipv4_enabled))
					continue;
				fwd_auto_fd[dir][udp][v6] =
					fwd_auto_open(c, dir, files[udp][v6]);
				fwd_auto_any |= fwd_auto_fd[dir][udp][v6] >= 0;
			}
		}
	}

	if (fwd_auto_any)
		fwd_auto_timer(c, &c->now);
}

/**
 * fwd_auto_timer() - Scan again, about once a second
 * @c:		Execution context
 * @now:	Current monotonic time
 */
void fwd_auto_timer(struct ctx *c, const struct timespec *now)
{
	enum fwd_dir dir;

	if (!fwd_auto_any || (fwd_auto_last &&
			      now->tv_sec - fwd_auto_last <
			      FWD_AUTO_INTERVAL_S))
		return;
	fwd_auto_last = now->tv_sec ? now->tv_sec : 1;

	for (dir = FWD_IN; dir < FWD_NUM_DIRS; dir++) {
		fwd_auto_update(c, false, dir);
		fwd_auto_update(c, true, dir);
	}
}
