/* SPDX-License-Identifier: GPL-2.0-or-later */
/* resolvwatch.h - follow resolv.conf from a reader process, outside the
 * sandbox
 */
#ifndef RESOLVWATCH_H
#define RESOLVWATCH_H

#include <stdint.h>

struct ctx;

#define RESOLV_CONF_PATH	"/etc/resolv.conf"

/* resolv.conf: bytes read at most, at start-up and by the reader */
#define RESOLV_CONF_MAX		(64 * 1024)

/* Milliseconds of quiet after the last change of a burst before the reader
 * reads the file, and at most from its first change: one read per burst
 */
#define RESOLVWATCH_QUIET_MS	100
#define RESOLVWATCH_BURST_MS	1000

/* A directory on the way to the file is missing: look again this often */
#define RESOLVWATCH_RETRY_MS	2000

/* Symbolic links followed from RESOLV_CONF_PATH to the file, at most */
#define RESOLVWATCH_HOPS	8

/**
 * struct resolvwatch_msg - The reader's message: what the file holds
 * @len:	Bytes in @data, at most RESOLV_CONF_MAX
 * @data:	Contents, one byte more for the receiver's terminator
 *
 * One message per SOCK_SEQPACKET record; an empty file still has @len.
 */
struct resolvwatch_msg {
	uint32_t len;
	char data[RESOLV_CONF_MAX + 1];
};

int resolvwatch_start(const struct ctx *c, int argc, char **argv);
int resolvwatch_recv(int fd, struct resolvwatch_msg *m);

#endif /* RESOLVWATCH_H */
