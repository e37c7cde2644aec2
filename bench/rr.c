// SPDX-License-Identifier: GPL-2.0-or-later
/* rr.c - TCP request/response and connection rate tool for bench/run
 *
 * DOC: Theory of Operation
 *
 * netperf is not in Debian and sockperf does not do 1-byte messages, so the
 * benchmark suite carries this small tool. One binary, four modes:
 *
 *   rr server ADDR PORT             echo server: every byte read is written
 *                                   back, any number of connections (epoll),
 *                                   until killed
 *   rr rr ADDR PORT SECONDS         one connection, 1-byte request, 1-byte
 *                                   response, again, for SECONDS
 *   rr crr ADDR PORT SECONDS COUNT  connect, 1-byte request and response,
 *                                   close, again, for SECONDS or COUNT
 *                                   connections, whichever comes first
 *   rr hold ADDR PORT COUNT SECONDS open COUNT connections, one exchange on
 *                                   each, report, keep them open SECONDS,
 *                                   close them
 *
 * Clients print one line of JSON on standard output, and exit 0 only if
 * everything they tried worked (crr: if at least one connection did). Both
 * ends set TCP_NODELAY: a 1-byte message must leave at once. Every loop is
 * bounded by a count or by the monotonic clock.
 */

#define _GNU_SOURCE		/* accept4() */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RR_MAX_EVENTS	64
#define RR_HOLD_MAX	10000

/**
 * rr_now() - Monotonic time in seconds
 *
 * Return: seconds since an arbitrary point, as a double
 */
static double rr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/**
 * rr_addr() - Parse an IPv4 or IPv6 address and a port
 * @addr:	Address, text
 * @port:	Port, text
 * @sa:		Filled with the socket address
 * @len:	Filled with its length
 *
 * Return: 0 on success, -1 (with a message) on a bad address or port
 */
static int rr_addr(const char *addr, const char *port,
		   struct sockaddr_storage *sa, socklen_t *len)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;
	struct sockaddr_in *a4 = (struct sockaddr_in *)sa;
	char *end;
	long p;

	p = strtol(port, &end, 10);
	if (*end || p < 1 || p > 65535) {
		fprintf(stderr, "rr: invalid port `%s'\n", port);
		return -1;
	}
	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((unsigned short)p);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)p);
		*len = sizeof(*a6);
		return 0;
	}
	fprintf(stderr, "rr: invalid address `%s'\n", addr);
	return -1;
}

/**
 * rr_nodelay() - Set TCP_NODELAY on a socket
 * @s:		Socket
 */
static void rr_nodelay(int s)
{
	int one = 1;

	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/**
 * rr_connect() - Open a TCP connection
 * @sa:		Peer
 * @len:	Length of @sa
 *
 * Return: connected socket, -1 on failure
 */
static int rr_connect(const struct sockaddr_storage *sa, socklen_t len)
{
	int s = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	rr_nodelay(s);
	if (connect(s, (const struct sockaddr *)sa, len)) {
		close(s);
		return -1;
	}
	return s;
}

/**
 * rr_exchange() - Send one byte and wait for one back
 * @s:		Connected socket
 *
 * Return: 0 on success, -1 on error or end of stream
 */
static int rr_exchange(int s)
{
	char b = 'x';

	if (send(s, &b, 1, MSG_NOSIGNAL) != 1)
		return -1;
	if (recv(s, &b, 1, 0) != 1)
		return -1;
	return 0;
}

/**
 * rr_server() - Echo server, until killed
 * @sa:		Address to listen on
 * @len:	Length of @sa
 *
 * Return: 1 on a set-up failure (never returns otherwise)
 */
static int rr_server(const struct sockaddr_storage *sa, socklen_t len)
{
	struct epoll_event ev, events[RR_MAX_EVENTS];
	int one = 1, ls, ep, i, n;
	char buf[4096];

	ls = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (ls < 0) {
		perror("rr: socket");
		return 1;
	}
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (const struct sockaddr *)sa, len) || listen(ls, 4096)) {
		perror("rr: bind/listen");
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		perror("rr: epoll_create1");
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.fd = ls;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev)) {
		perror("rr: epoll_ctl");
		return 1;
	}
	/* "ready" tells bench/run the port is bound: no polling needed */
	printf("ready\n");
	fflush(stdout);

	for (;;) {
		n = epoll_wait(ep, events, RR_MAX_EVENTS, -1);
		for (i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			ssize_t r;

			if (fd == ls) {
				int c = accept4(ls, NULL, NULL,
						SOCK_NONBLOCK | SOCK_CLOEXEC);

				if (c < 0)
					continue;
				rr_nodelay(c);
				ev.events = EPOLLIN;
				ev.data.fd = c;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev))
					close(c);
				continue;
			}
			r = recv(fd, buf, sizeof(buf), 0);
			if (r > 0 && send(fd, buf, (size_t)r, MSG_NOSIGNAL) == r)
				continue;
			if (r < 0 && errno == EAGAIN)
				continue;
			close(fd);	/* end of stream, error, short send */
		}
	}
}

/**
 * rr_rr() - Request/response over one connection, for a time
 * @sa:		Server
 * @len:	Length of @sa
 * @secs:	Duration
 *
 * Return: 0 if every exchange worked, 1 otherwise
 */
static int rr_rr(const struct sockaddr_storage *sa, socklen_t len,
		 double secs)
{
	double start, end, t;
	unsigned long n = 0;
	int s, err = 0;

	s = rr_connect(sa, len);
	if (s < 0) {
		printf("{\"ok\": false, \"error\": \"connect: %s\"}\n",
		       strerror(errno));
		return 1;
	}
	start = rr_now();
	end = start + secs;
	do {
		int k;

		/* Read the clock every 64 exchanges only */
		for (k = 0; k < 64; k++) {
			if (rr_exchange(s)) {
				err = 1;
				break;
			}
			n++;
		}
		t = rr_now();
	} while (!err && t < end);
	close(s);
	t -= start;
	printf("{\"ok\": %s, \"transactions\": %lu, \"seconds\": %.6f, "
	       "\"rate\": %.1f, \"mean_us\": %.2f}\n", err ? "false" : "true",
	       n, t, (double)n / t, n ? t * 1e6 / (double)n : 0.0);
	return err;
}

/**
 * rr_crr() - Connect, request, response, close: in a loop
 * @sa:		Server
 * @len:	Length of @sa
 * @secs:	Time bound
 * @count:	Count bound
 *
 * Return: 0 if at least one connection worked, 1 otherwise
 */
static int rr_crr(const struct sockaddr_storage *sa, socklen_t len,
		  double secs, unsigned long count)
{
	unsigned long n = 0, errors = 0;
	double start, t;

	start = t = rr_now();
	while (n + errors < count && t < start + secs) {
		int s = rr_connect(sa, len);

		if (s < 0 || rr_exchange(s))
			errors++;
		else
			n++;
		if (s >= 0)
			close(s);
		t = rr_now();
	}
	t -= start;
	printf("{\"ok\": %s, \"connections\": %lu, \"errors\": %lu, "
	       "\"seconds\": %.6f, \"rate\": %.1f}\n", n ? "true" : "false",
	       n, errors, t, (double)n / t);
	return !n;
}

/**
 * rr_hold() - Open many connections, keep them open for a while
 * @sa:		Server
 * @len:	Length of @sa
 * @count:	Number of connections
 * @secs:	How long to keep them open
 *
 * Return: 0 if all connections opened and exchanged a byte, 1 otherwise
 */
static int rr_hold(const struct sockaddr_storage *sa, socklen_t len,
		   unsigned long count, double secs)
{
	static int fds[RR_HOLD_MAX];
	unsigned long i, n = 0;
	struct timespec ts;

	if (count > RR_HOLD_MAX)
		count = RR_HOLD_MAX;
	for (i = 0; i < count; i++) {
		int s = rr_connect(sa, len);

		if (s < 0)
			break;
		fds[n++] = s;
		if (rr_exchange(s))
			break;
	}
	printf("{\"ok\": %s, \"open\": %lu}\n", n == count ? "true" : "false",
	       n);
	fflush(stdout);
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	for (i = 0; i < n; i++)
		close(fds[i]);
	return n != count;
}

/**
 * usage() - Print how to call this tool
 *
 * Return: 2, the exit status for bad usage
 */
static int usage(void)
{
	fprintf(stderr,
		"usage: rr server ADDR PORT\n"
		"       rr rr ADDR PORT SECONDS\n"
		"       rr crr ADDR PORT SECONDS COUNT\n"
		"       rr hold ADDR PORT COUNT SECONDS\n");
	return 2;
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	Mode, address, port, mode's arguments
 *
 * Return: 0 on success, 1 on a failed measurement, 2 on bad usage
 */
int main(int argc, char **argv)
{
	struct sockaddr_storage sa;
	socklen_t len;

	if (argc < 4 || rr_addr(argv[2], argv[3], &sa, &len))
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(argv[1], "server") && argc == 4)
		return rr_server(&sa, len);
	if (!strcmp(argv[1], "rr") && argc == 5)
		return rr_rr(&sa, len, atof(argv[4]));
	if (!strcmp(argv[1], "crr") && argc == 6)
		return rr_crr(&sa, len, atof(argv[4]),
			      strtoul(argv[5], NULL, 10));
	if (!strcmp(argv[1], "hold") && argc == 6)
		return rr_hold(&sa, len, strtoul(argv[4], NULL, 10),
			       atof(argv[5]));
	return usage();
}
