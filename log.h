/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - logging to stderr, syslog or a file, with levels and rate limits */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>
#include <time.h>

/* Levels are syslog's: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG; trace is
 * LOG_DEBUG with log_trace set.
 */

void logmsg(int pri, bool with_errno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define err(...)		logmsg(LOG_ERR, false, __VA_ARGS__)
#define warn(...)		logmsg(LOG_WARNING, false, __VA_ARGS__)
#define info(...)		logmsg(LOG_INFO, false, __VA_ARGS__)
#define debug(...)		logmsg(LOG_DEBUG, false, __VA_ARGS__)
#define err_perror(...)		logmsg(LOG_ERR, true, __VA_ARGS__)
#define warn_perror(...)	logmsg(LOG_WARNING, true, __VA_ARGS__)
#define info_perror(...)	logmsg(LOG_INFO, true, __VA_ARGS__)
#define debug_perror(...)	logmsg(LOG_DEBUG, true, __VA_ARGS__)

#define trace(...)							\
	do {								\
		if (log_trace)						\
			logmsg(LOG_DEBUG, false, __VA_ARGS__);		\
	} while (0)

#define die(...)							\
	do {								\
		logmsg(LOG_ERR, false, __VA_ARGS__);			\
		log_exit(EXIT_FAILURE);					\
	} while (0)

#define die_perror(...)							\
	do {								\
		logmsg(LOG_ERR, true, __VA_ARGS__);			\
		log_exit(EXIT_FAILURE);					\
	} while (0)

/**
 * LOG_RATELIMIT_INTERVAL - Seconds in which at most LOG_RATELIMIT_BURST
 * messages from one call site are printed
 */
#define LOG_RATELIMIT_INTERVAL	1
#define LOG_RATELIMIT_BURST	5

/**
 * struct log_ratelimit - State of one rate-limited call site
 * @start:	Start of the current interval (CLOCK_MONOTONIC seconds)
 * @count:	Messages in the current interval
 * @missed:	Messages suppressed since the last one printed
 */
struct log_ratelimit {
	time_t start;
	unsigned count;
	unsigned missed;
};

bool log_ratelimit_ok(struct log_ratelimit *rl, unsigned burst);

/* Per-packet messages: at most LOG_RATELIMIT_BURST a second per call site */
#define debug_ratelimit(...)						\
	do {								\
		static struct log_ratelimit rl_;			\
		if (log_level_enabled(LOG_DEBUG) &&			\
		    log_ratelimit_ok(&rl_, LOG_RATELIMIT_BURST))	\
			logmsg(LOG_DEBUG, false, __VA_ARGS__);		\
	} while (0)

#define warn_ratelimit(...)						\
	do {								\
		static struct log_ratelimit rl_;			\
		if (log_ratelimit_ok(&rl_, LOG_RATELIMIT_BURST))	\
			logmsg(LOG_WARNING, false, __VA_ARGS__);	\
	} while (0)

/* A condition that lasts (a full table): once per LOG_RATELIMIT_INTERVAL */
#define warn_interval(...)						\
	do {								\
		static struct log_ratelimit rl_;			\
		if (log_ratelimit_ok(&rl_, 1))				\
			logmsg(LOG_WARNING, false, __VA_ARGS__);	\
	} while (0)

extern bool log_trace;

/**
 * enum log_dest - Where messages go
 * @LOG_DEST_STDERR:	Standard error (foreground)
 * @LOG_DEST_SYSLOG:	System logger, /dev/log (daemonized, no --log-file)
 * @LOG_DEST_FILE:	The file given with --log-file
 */
enum log_dest {
	LOG_DEST_STDERR,
	LOG_DEST_SYSLOG,
	LOG_DEST_FILE,
};

void log_set_level(int level);
bool log_level_enabled(int level);
void log_set_ident(const char *ident);
void log_open_file(const char *path, size_t max_size);
void log_set_dest(enum log_dest dest);
void log_syslog_open(void);
void log_exit(int status) __attribute__((noreturn));
int log_file_fd(void);

#endif /* LOG_H */
