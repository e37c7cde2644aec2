// SPDX-License-Identifier: GPL-2.0-or-later
/* passt-ctl.c - command-line client of the passt/pasta control socket
 *
 * DOC: Theory of Operation
 *
 * A separate, tiny program: it has nothing of the daemon in it, needs no
 * privilege, and only ever talks to the socket given with --control. It
 * sends one request line per command (see control.c for the protocol),
 * prints each reply line on standard output, and exits with 0 if every
 * reply said "ok": true, 1 otherwise, 2 on usage errors. Friendly
 * subcommands are turned into JSON here; a request given as JSON (an
 * argument starting with '{') is sent as it is.
 */

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_REQ_MAX		1024
#define CTL_REPLY_MAX		(128 * 1024)
#define CTL_TIMEOUT_MS		10000
#define CTL_PAGES_MAX		4096	/* "flows" replies followed */

static char ctl_reply[CTL_REPLY_MAX];

/**
 * usage() - Print usage and exit
 * @name:	Program name
 * @status:	Exit status
 */
static void __attribute__((noreturn)) usage(const char *name, int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
		"Usage: %s [-s] PATH COMMAND\n"
		"Commands:\n"
		"  add tcp|udp [in|out] [ADDR/]PORT[-LAST][:TO[-TOLAST]]\n"
		"  remove tcp|udp [in|out] PORT[-LAST]\n"
		"  list\n"
		"  stats\n"
		"  flows\n"
		"  '{\"cmd\":...}'     a JSON request, sent as it is\n"
		"PATH is the socket given to passt or pasta with --control.\n",
		name);
	exit(status);
}

/**
 * json_str() - Append a JSON string, escaped, to a request
 * @buf:	Request
 * @size:	Size of @buf
 * @s:		String
 *
 * Return: 0, or -1 if it doesn't fit
 */
static int json_str(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	if (len + 2 >= size)
		return -1;
	buf[len++] = '"';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int n;

		if (ch == '"' || ch == '\\')
			n = snprintf(buf + len, size - len, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			n = snprintf(buf + len, size - len, "\\u%04x", ch);
		else
			n = snprintf(buf + len, size - len, "%c", ch);
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	if (len + 2 > size)
		return -1;
	buf[len++] = '"';
	buf[len] = '\0';
	return 0;
}

/**
 * append() - Append text to a request
 * @buf:	Request
 * @size:	Size of @buf
 * @s:		Text
 *
 * Return: 0, or -1 if it doesn't fit
 */
static int append(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	if (len + strlen(s) >= size)
		return -1;
	strcpy(buf + len, s);
	return 0;
}

/**
 * build_forward() - JSON request for add and remove
 * @buf:	Filled with the request
 * @size:	Size of @buf
 * @add:	add-forward rather than remove-forward
 * @argc:	Arguments left: proto, optional direction, port spec
 * @argv:	Those arguments
 *
 * Return: 0, or -1 on a usage error
 */
static int build_forward(char *buf, size_t size, bool add, int argc,
			 char **argv)
{
	char spec[256], *port, *to = NULL, *addr = NULL, *slash;
	const char *dir = NULL;

	if (argc < 2)
		return -1;
	if (strcmp(argv[0], "tcp") && strcmp(argv[0], "udp"))
		return -1;
	if (argc == 3) {
		if (strcmp(argv[1], "in") && strcmp(argv[1], "out"))
			return -1;
		dir = argv[1];
	} else if (argc != 2) {
		return -1;
	}
	if (strlen(argv[argc - 1]) >= sizeof(spec))
		return -1;
	strcpy(spec, argv[argc - 1]);

	port = spec;
	slash = strrchr(spec, '/');
	if (slash) {
		if (!add)
			return -1;
		*slash = '\0';
		addr = spec;
		port = slash + 1;
		if (*addr == '[' && addr[strlen(addr) - 1] == ']') {
			addr[strlen(addr) - 1] = '\0';
			addr++;
		}
	}
	to = strchr(port, ':');
	if (to) {
		if (!add)
			return -1;
		*to++ = '\0';
	}

	buf[0] = '\0';
	if (append(buf, size, add ? "{\"cmd\":\"add-forward\",\"proto\":" :
				    "{\"cmd\":\"remove-forward\",\"proto\":") ||
	    json_str(buf, size, argv[0]))
		return -1;
	if (dir && (append(buf, size, ",\"dir\":") ||
		    json_str(buf, size, dir)))
		return -1;
	if (append(buf, size, ",\"port\":") || json_str(buf, size, port))
		return -1;
	if (to && (append(buf, size, ",\"to\":") || json_str(buf, size, to)))
		return -1;
	if (addr && (append(buf, size, ",\"addr\":") ||
		     json_str(buf, size, addr)))
		return -1;
	return append(buf, size, "}");
}

/**
 * transact() - Send one request line, read one reply line
 * @s:		Connected socket
 * @req:	Request, without newline
 *
 * Return: length of the reply in ctl_reply (newline included), -1 on error
 */
static ssize_t transact(int s, const char *req)
{
	size_t len = strlen(req), sent = 0, got = 0;

	while (sent < len + 1) {
		const char *p = sent < len ? req + sent : "\n";
		size_t n = sent < len ? len - sent : 1;
		ssize_t w = send(s, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("send");
			return -1;
		}
		sent += (size_t)w;
	}

	for (;;) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		ssize_t r;
		int rc;

		rc = poll(&pfd, 1, CTL_TIMEOUT_MS);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			fprintf(stderr, "No reply from the control socket\n");
			return -1;
		}
		r = recv(s, ctl_reply + got, sizeof(ctl_reply) - 1 - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("recv");
			return -1;
		}
		if (!r) {
			fprintf(stderr, "Connection closed by the daemon\n");
			return -1;
		}
		got += (size_t)r;
		ctl_reply[got] = '\0';
		if (memchr(ctl_reply, '\n', got))
			return (ssize_t)got;
		if (got == sizeof(ctl_reply) - 1) {
			fprintf(stderr, "Reply too long\n");
			return -1;
		}
	}
}

/**
 * reply_ok() - Tell if a reply says "ok": true
 * @reply:	Reply line
 *
 * Return: true if it does
 */
static bool reply_ok(const char *reply)
{
	return !strncmp(reply, "{\"ok\":true", strlen("{\"ok\":true"));
}

/**
 * main() - Connect, send the request(s), print the replies
 * @argc:	Argument count
 * @argv:	[-s] PATH COMMAND...
 *
 * Return: 0 if every reply was ok, 1 if not, 2 on usage errors
 */
int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[CTL_REQ_MAX];
	const char *path, *cmd;
	bool flows = false;
	int s, i = 1, page;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		usage(argv[0], 0);
	if (argc > 1 && (!strcmp(argv[1], "-s") ||
			 !strcmp(argv[1], "--socket")))
		i++;
	if (argc < i + 2)
		usage(argv[0], 2);
	path = argv[i++];
	cmd = argv[i++];

	if (cmd[0] == '{') {
		if (i != argc || strlen(cmd) >= sizeof(req) ||
		    strchr(cmd, '\n'))
			usage(argv[0], 2);
		strcpy(req, cmd);
	} else if (!strcmp(cmd, "add") || !strcmp(cmd, "remove")) {
		if (build_forward(req, sizeof(req), !strcmp(cmd, "add"),
				  argc - i, argv + i))
			usage(argv[0], 2);
	} else if (!strcmp(cmd, "list") && i == argc) {
		strcpy(req, "{\"cmd\":\"list-forwards\"}");
	} else if (!strcmp(cmd, "stats") && i == argc) {
		strcpy(req, "{\"cmd\":\"stats\"}");
	} else if (!strcmp(cmd, "flows") && i == argc) {
		strcpy(req, "{\"cmd\":\"flows\"}");
		flows = true;
	} else {
		usage(argv[0], 2);
	}

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "Socket path too long: %s\n", path);
		return 2;
	}
	memcpy(sa.sun_path, path, strlen(path));

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		perror("socket");
		return 1;
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "Can't connect to %s: %s\n", path,
			strerror(errno));
		return 1;
	}

	for (page = 0; page < CTL_PAGES_MAX; page++) {
		const char *next;
		ssize_t n = transact(s, req);
		unsigned long start;
		char *end;

		if (n < 0)
			return 1;
		fwrite(ctl_reply, 1, (size_t)n, stdout);
		if (!reply_ok(ctl_reply))
			return 1;
		if (!flows)
			break;

		/* Follow "next" of the flow list until it's null */
		next = strstr(ctl_reply, "\"next\":");
		if (!next)
			break;
		start = strtoul(next + strlen("\"next\":"), &end, 10);
		if (end == next + strlen("\"next\":"))
			break;
		snprintf(req, sizeof(req), "{\"cmd\":\"flows\",\"start\":%lu}",
			 start);
	}

	close(s);
	return 0;
}
