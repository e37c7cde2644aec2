// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - logging to stderr, syslog or a file
 *
 * DOC: Theory of Operation
 *
 * Before daemonizing, messages go to standard error. A daemon logs to
 * syslog, or to the file given with --log-file, which is opened once at
 * start-up (before the sandbox) and kept open: when it grows past
 * --log-size it is truncated back to its header, never reopened.
 *
 * syslog: the /dev/log socket is connected before the sandbox takes the
 * path away (log_syslog_open()), and messages are sent on it as they are,
 * "<PRI>ident: text". Not through syslog(3): on a send error libc reconnects,
 * which needs socket() and a path, both gone once sandboxed. Without [PID]:
 * inside our PID namespace we'd say 1; the logger takes the real one from
 * the socket's credentials.
 *
 * Messages about single packets go through the *_ratelimit() macros so that
 * a guest sending garbage cannot flood the log: each call site prints at
 * most LOG_RATELIMIT_BURST messages per LOG_RATELIMIT_INTERVAL seconds and
 * then says how many it suppressed.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define LOG_SYSLOG_PATH		"/dev/log"

bool log_trace;

static int log_level = LOG_INFO;
static enum log_dest log_dest = LOG_DEST_STDERR;
static const char *log_ident = "passt";
static int log_fd = -1;
static size_t log_max_size;
static size_t log_written;
static int log_syslog_fd = -1;

/**
 * log_set_level() - Set the most verbose level printed
 * @level:	LOG_ERR, LOG_WARNING, LOG_INFO or LOG_DEBUG
 */
void log_set_level(int level)
{
	log_level = level;
}

/**
 * log_level_enabled() - Tell if messages of a level are printed
 * @level:	syslog level
 *
 * Return: true if they are
 */
bool log_level_enabled(int level)
{
	return level <= log_level;
}

/**
 * log_set_ident() - Set the program name prefixed to messages
 * @ident:	"passt" or "pasta", must stay valid
 */
void log_set_ident(const char *ident)
{
	log_ident = ident;
}

/**
 * log_open_file() - Open the log file given with --log-file
 * @path:	Path of the file
 * @max_size:	Truncate it when it grows past this many bytes, 0 for never
 *
 */
void log_open_file(const char *path, size_t max_size)
{
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log_fd < 0)
		die_perror("Couldn't open log file `%s'", path);
	log_max_size = max_size;
	log_written = 0;
	if (ftruncate(log_fd, 0))
		die_perror("Couldn't truncate log file `%s'", path);
	log_dest = LOG_DEST_FILE;
}

/**
 * log_file_fd() - File descriptor of the log file, to keep across the sandbox
 *
 * Return: the descriptor, or -1 if none
 */
int log_file_fd(void)
{
	return log_fd;
}

/**
 * log_set_dest() - Choose where messages go from now on
 * @dest:	Destination; LOG_DEST_FILE only once a file is open
 */
void log_set_dest(enum log_dest dest)
{
	if (log_dest == LOG_DEST_FILE)
		return;		/* --log-file wins over everything */
	log_dest = dest;
}

/**
 * log_syslog_open() - Connect to the system logger, before the sandbox
 *
 * Without a logger (no /dev/log), syslog messages are dropped.
 */
void log_syslog_open(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX,
				    .sun_path = LOG_SYSLOG_PATH };

	if (log_syslog_fd >= 0 || log_dest == LOG_DEST_FILE)
		return;

	log_syslog_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (log_syslog_fd < 0)
		return;
	if (connect(log_syslog_fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(log_syslog_fd);
		log_syslog_fd = -1;
	}
}

/**
 * log_syslog_send() - Send one message to the system logger
 * @pri:	syslog level
 * @msg:	Message, not terminated
 * @len:	Length of @msg
 *
 * #syscalls sendto
 */
static void log_syslog_send(int pri, const char *msg, size_t len)
{
	char buf[BUFSIZ];
	int n;

	if (log_syslog_fd < 0)
		return;

	n = snprintf(buf, sizeof(buf), "<%i>%s: %.*s", LOG_DAEMON | pri,
		     log_ident, (int)len, msg);
	if (n <= 0)
		return;
	/* nowhere left to report a failure to send */
	(void)!send(log_syslog_fd, buf, MIN((size_t)n, sizeof(buf) - 1),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
}

/**
 * log_ratelimit_ok() - Account one message of a rate-limited call site
 * @rl:		State of the call site
 * @burst:	Messages allowed per LOG_RATELIMIT_INTERVAL
 *
 * Return: true if the message may be printed
 */
bool log_ratelimit_ok(struct log_ratelimit *rl, unsigned burst)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - rl->start >= LOG_RATELIMIT_INTERVAL) {
		if (rl->missed)
			logmsg(LOG_DEBUG, false,
			       "(%u similar messages suppressed)", rl->missed);
		rl->start = now.tv_sec;
		rl->count = 0;
		rl->missed = 0;
	}
	if (rl->count >= burst) {
		rl->missed++;
		return false;
	}
	rl->count++;
	return true;
}

/**
 * log_file_write() - Write one formatted line to the log file
 * @line:	Text, newline-terminated
 * @len:	Length of @line
 *
 * #syscalls write ftruncate
 */
static void log_file_write(const char *line, size_t len)
{
	if (log_max_size && log_written + len > log_max_size) {
		if (!ftruncate(log_fd, 0))
			log_written = 0;
	}
	if (write(log_fd, line, len) > 0)
		log_written += len;
}

/**
 * logmsg() - Print a message at a level, to the current destination
 * @pri:	syslog level
 * @with_errno:	Append ": " and strerror(errno)
 * @fmt:	Format string
 *
 * #syscalls write clock_gettime
 */
void logmsg(int pri, bool with_errno, const char *fmt, ...)
{
	int errno_saved = errno;
	char line[BUFSIZ];
	struct timespec ts;
	va_list ap;
	size_t n = 0;
	int rc;

	if (!log_level_enabled(pri))
		return;

	if (log_dest != LOG_DEST_SYSLOG && log_level >= LOG_DEBUG) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		rc = snprintf(line, sizeof(line), "%lld.%04ld: ",
			      (long long)ts.tv_sec, ts.tv_nsec / 100000);
		n = rc > 0 ? (size_t)rc : 0;
	}
	if (log_dest == LOG_DEST_FILE) {
		rc = snprintf(line + n, sizeof(line) - n, "%s: ", log_ident);
		n += rc > 0 ? (size_t)rc : 0;
	}

	va_start(ap, fmt);
	rc = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	n = MIN(n + (rc > 0 ? (size_t)rc : 0), sizeof(line) - 1);

	if (with_errno && n < sizeof(line) - 1) {
		rc = snprintf(line + n, sizeof(line) - n, ": %s",
			      strerror(errno_saved));
		n = MIN(n + (rc > 0 ? (size_t)rc : 0), sizeof(line) - 1);
	}

	switch (log_dest) {
	case LOG_DEST_SYSLOG:
		log_syslog_send(pri, line, n);
		break;
	case LOG_DEST_FILE:
		if (n >= sizeof(line) - 1)
			n = sizeof(line) - 2;
		line[n++] = '\n';
		log_file_write(line, n);
		break;
	case LOG_DEST_STDERR:
	default:
		if (n >= sizeof(line) - 1)
			n = sizeof(line) - 2;
		line[n++] = '\n';
		/* nowhere left to report a failure to write */
		(void)!write(STDERR_FILENO, line, n);
		break;
	}
	errno = errno_saved;
}

/**
 * log_exit() - Exit after a fatal message, flushing what needs flushing
 * @status:	Exit status
 */
void log_exit(int status)
{
	_exit(status);
}
