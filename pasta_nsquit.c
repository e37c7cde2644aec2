// SPDX-License-Identifier: GPL-2.0-or-later
/* pasta_nsquit.c - pasta: exit when the joined namespace goes away
 *
 * DOC: Theory of Operation
 *
 * pasta serving a namespace it joined (by PID, or --netns) has no reason
 * to run on once the namespace's owner is done with it: podman removes the
 * namespace file of a container that stopped, and expects pasta to go. The
 * namespace itself stays alive as long as we hold descriptors in it (the
 * tap device, sockets), so "gone" means what its owner did:
 * - joined by PID (or a /proc/PID/ns/net path): the process exited. A
 *   pidfd, opened at start-up, becomes readable then;
 * - joined by path: the file was removed or renamed away (ip netns del,
 *   podman). An inotify watch on its directory, set up at start-up, and
 *   read from the loop: no path is opened after the sandbox.
 * Either way, pasta exits with status 0. --no-netns-quit keeps it running,
 * and a spawned command ends pasta its own way (pasta.c).
 */

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "passt.h"
#include "pasta.h"
#include "util.h"

/* epoll reference index: what the descriptor is */
#define PASTA_NSQUIT_PIDFD	0
#define PASTA_NSQUIT_INOTIFY	1

/* Name of the namespace file in its directory, for inotify events */
static char pasta_nsquit_name[NAME_MAX + 1];

/**
 * pasta_nsquit_pid() - PID in a /proc/PID/ns/net path
 * @path:	Path of the network namespace
 *
 * Return: the PID, or 0 if the path isn't of that form
 */
static pid_t pasta_nsquit_pid(const char *path)
{
	unsigned long pid;
	int n = 0;

	if (sscanf(path, "/proc/%lu/ns/net%n", &pid, &n) != 1 ||
	    path[n] || !pid || pid > INT_MAX)
		return 0;
	return (pid_t)pid;
}

/**
 * pasta_netns_quit_init() - Watch the joined namespace's owner, via epoll
 * @c:		Execution context
 *
 * Start-up only. Nothing to watch when pasta spawned the command, or with
 * --no-netns-quit.
 */
void pasta_netns_quit_init(struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_NSQUIT };
	struct epoll_event ev = { .events = EPOLLIN };
	char dir[PATH_MAX], base[PATH_MAX];
	pid_t pid;
	int fd;

	if (c->no_netns_quit || c->pasta_child_pid || !*c->netns_path)
		return;

	pid = pasta_nsquit_pid(c->netns_path);
	if (pid) {
		fd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (fd < 0) {
			warn_perror("Can't watch process %i: won't exit with "
				    "its namespace", pid);
			return;
		}
		ref.idx = PASTA_NSQUIT_PIDFD;
	} else {
		snprintf(dir, sizeof(dir), "%s", c->netns_path);
		snprintf(base, sizeof(base), "%s", c->netns_path);
		snprintf(pasta_nsquit_name, sizeof(pasta_nsquit_name), "%s",
			 basename(base));

		fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (fd < 0 ||
		    inotify_add_watch(fd, dirname(dir), IN_DELETE |
				      IN_MOVED_FROM | IN_DELETE_SELF |
				      IN_MOVE_SELF) < 0) {
			warn_perror("Can't watch `%s': won't exit with the "
				    "namespace", c->netns_path);
			if (fd >= 0)
				close(fd);
			return;
		}
		ref.idx = PASTA_NSQUIT_INOTIFY;
	}

	ref.fd = fd;
	ev.data.u64 = ref.u64;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, fd, &ev))
		die_perror("Couldn't add the namespace watch to epoll");
}

/**
 * pasta_netns_quit_handler() - The namespace's owner may be gone
 * @c:		Execution context
 * @ref:	epoll reference: pidfd or inotify descriptor
 * @events:	epoll events
 *
 * #syscalls:pasta read exit_group
 */
void pasta_netns_quit_handler(struct ctx *c, union epoll_ref ref,
			      uint32_t events)
{
	char buf[sizeof(struct inotify_event) + NAME_MAX + 1]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	(void)events;

	if (ref.idx == PASTA_NSQUIT_PIDFD) {
		info("Namespace's process exited: exiting too");
		log_exit(EXIT_SUCCESS);
	}

	while ((n = read(ref.fd, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off + (ssize_t)sizeof(struct inotify_event) <= n) {
			const struct inotify_event *e;

			e = (const struct inotify_event *)(buf + off);
			if (off + (ssize_t)sizeof(*e) + e->len > n)
				break;
			if ((e->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
					IN_IGNORED)) ||
			    (e->len && !strcmp(e->name, pasta_nsquit_name))) {
				info("Namespace file `%s' is gone: exiting",
				     c->netns_path);
				log_exit(EXIT_SUCCESS);
			}
			off += (ssize_t)sizeof(*e) + e->len;
		}
	}
}
