// SPDX-License-Identifier: GPL-2.0-or-later
/* resolvwatch.c - follow resolv.conf from a reader process, outside the
 * sandbox
 *
 * DOC: Theory of Operation
 *
 * NetworkManager, systemd-resolved, resolvconf and DHCP clients seldom
 * rewrite /etc/resolv.conf in place: they write a new file aside and rename
 * it over the old one, or remove it and create it again, and
 * /etc/resolv.conf is often a symbolic link to the file they manage
 * (/run/systemd/resolve/stub-resolv.conf, /run/NetworkManager/...). To
 * follow that, one must open the path again, and the sandboxed daemon has
 * no filesystem left and may not open anything (isolation.c).
 *
 * So, before the sandbox, hostwatch.c forks this reader. It keeps the
 * host's filesystem view and nothing else: it closes every descriptor it
 * inherited, points its standard streams to /dev/null, becomes the user
 * the daemon drops to (started as root: nobody or --runas), drops every
 * capability, sets NO_NEW_PRIVS and installs its own seccomp filter:
 * inotify, read-only opens, readlink, poll, read, send and receive on its
 * socket, close, giving memory back, exit. Its arguments are blanked in /proc/PID/cmdline, so
 * that whoever looks for the daemon by its command line finds the daemon
 * alone.
 *
 * The reader has one path, RESOLV_CONF_PATH, built in: it takes nothing
 * from the daemon, whose messages it discards. It watches, with inotify:
 * - the directory of RESOLV_CONF_PATH, for that name: written and closed,
 *   created, removed, renamed to or from;
 * - if that is a symbolic link, the directory of its target, for the
 *   target's name, and so on along the chain, RESOLVWATCH_HOPS links at
 *   most: the chain is resolved at start and again after each change, and
 *   watches of directories no longer on the way are removed;
 * - the file itself, whatever path leads there: a bind mount over
 *   /etc/resolv.conf (ip-netns-exec(8)) is rewritten through another path,
 *   whose directory we don't watch.
 * A directory on the way that goes away or is missing is retried every
 * RESOLVWATCH_RETRY_MS. Changes come in bursts (a temporary file created,
 * written, renamed): the reader waits for RESOLVWATCH_QUIET_MS without
 * one, RESOLVWATCH_BURST_MS at most from the first, then reads the file
 * again, RESOLV_CONF_MAX bytes at most, from its fixed path, and if the
 * contents differ from what it sent last, sends them in one SOCK_SEQPACKET
 * message (struct resolvwatch_msg). It does so once at start too, for
 * changes made while the daemon started.
 *
 * A file that can't be read (removed, not re-created yet) sends nothing:
 * the daemon keeps what it has, and an empty file sends an empty message.
 *
 * The reader's functions carry no #syscalls notes: those make the daemon's
 * filter. The reader's own list is rw_allow[], beside rw_filter().
 *
 * The reader exits when its socket reads end of file: the daemon exited,
 * or forked away to go to the background and its parent exited, and then
 * the daemon keeps the other end. A parent-death signal would fire at that
 * fork, so it's only set with -f (no fork follows).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cap-ng.h>
#include <seccomp.h>

#include "isolation.h"
#include "log.h"
#include "passt.h"
#include "resolvwatch.h"
#include "seccomp_allow.h"
#include "util.h"

/* Descriptors of the reader, once it has shed the others */
#define RW_SOCK_FD		3

/* Events looked at: on directories, for one name; on the file itself */
#define RW_IN_DIR	(IN_CLOSE_WRITE | IN_CREATE | IN_DELETE |	\
			 IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF |	\
			 IN_MOVE_SELF | IN_ONLYDIR)
#define RW_IN_FILE	(IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)

/* Notification reads per wake-up, at most */
#define RW_DRAIN_MAX		64

/* Flags of the one open() the reader makes, and what the filter checks.
 * No O_CLOEXEC: the reader never executes anything, and musl would follow
 * it with fcntl()
 */
#define RW_OPEN_FLAGS		(O_RDONLY | O_NOCTTY | O_NONBLOCK)
#define RW_OPEN_MASK		(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND)

/**
 * struct rw_watch - One inotify watch of the reader
 * @wd:		Watch descriptor
 * @name:	Name looked at in that directory, empty for the file itself
 */
struct rw_watch {
	int wd;
	char name[NAME_MAX + 1];
};

/* Reader's watches: one directory per link of the chain, and the file */
static struct rw_watch rw_watches[RESOLVWATCH_HOPS + 2];
static int rw_nwatches;

/* Reader: message being sent, and what was sent last (-1: nothing yet) */
static struct resolvwatch_msg rw_msg;
static char rw_last[RESOLV_CONF_MAX];
static ssize_t rw_last_len = -1;

/* What the reader may call, once sealed; open and openat: see rw_filter() */
static const int rw_allow[] = {
	SCMP_SYS(inotify_add_watch), SCMP_SYS(inotify_rm_watch),
	SCMP_SYS(readlink), SCMP_SYS(readlinkat),
	SCMP_SYS(read), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(recvfrom), SCMP_SYS(sendto),
	SCMP_SYS(clock_gettime), SCMP_SYS(close),
	SCMP_SYS(exit_group), SCMP_SYS(exit),
	SCMP_SYS(restart_syscall), SCMP_SYS(rt_sigreturn),
	/* seccomp_release(), right after seccomp_load(), frees memory */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(madvise),
	SECCOMP_ALLOW_EXTRA	/* make asan: the runtime's calls, or nothing */
};

/**
 * rw_now_ms() - Monotonic clock, in milliseconds
 *
 * Return: milliseconds since some fixed point
 */
static long long rw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * rw_watch_dir() - Watch the directory part of a path, for its last name
 * @ifd:	inotify instance
 * @path:	Absolute path, left as it was
 * @w:		Watch to fill in
 *
 * Return: 0 on success, -EINVAL if there's no last name, -ENAMETOOLONG if
 *	   it's too long, -errno of inotify_add_watch() otherwise (no such
 *	   directory, say)
 */
static int rw_watch_dir(int ifd, char *path, struct rw_watch *w)
{
	char *slash = strrchr(path, '/');
	size_t len;
	int wd;

	if (!slash || !slash[1])
		return -EINVAL;
	len = strlen(slash + 1);
	if (len > NAME_MAX)
		return -ENAMETOOLONG;

	if (slash == path) {
		wd = inotify_add_watch(ifd, "/", RW_IN_DIR);
	} else {
		*slash = '\0';
		wd = inotify_add_watch(ifd, path, RW_IN_DIR);
		*slash = '/';
	}
	if (wd < 0)
		return -errno;

	w->wd = wd;
	memcpy(w->name, slash + 1, len + 1);
	return 0;
}

/**
 * rw_resolve() - Watch the way to the file, as it is now
 * @ifd:	inotify instance
 *
 * From RESOLV_CONF_PATH, watch its directory, then if it is a symbolic
 * link, the directory of its target, and so on; then the file itself.
 * Watches no longer on the way are removed (a directory watched already
 * keeps its watch descriptor).
 *
 * Return: true if every directory on the way could be watched
 */
static bool rw_resolve(int ifd)
{
	static char path[PATH_MAX], link[PATH_MAX];
	struct rw_watch fresh[ARRAY_SIZE(rw_watches)];
	bool complete = true;
	int n = 0, hop, i, j;

	memcpy(path, RESOLV_CONF_PATH, sizeof(RESOLV_CONF_PATH));
	for (hop = 0; hop <= RESOLVWATCH_HOPS; hop++) {
		char *slash = strrchr(path, '/');
		ssize_t len;
		int rc;

		rc = rw_watch_dir(ifd, path, &fresh[n]);
		if (rc) {
			/* A bad name won't get better: don't retry */
			complete = rc == -EINVAL || rc == -ENAMETOOLONG;
			break;
		}
		n++;

		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			break;		/* the file, or nothing yet */
		link[len] = '\0';

		if (link[0] == '/') {
			memcpy(path, link, (size_t)len + 1);
		} else {
			size_t dir = (size_t)(slash + 1 - path);

			if (dir + (size_t)len + 1 > sizeof(path))
				break;
			memcpy(slash + 1, link, (size_t)len + 1);
		}
	}

	fresh[n].wd = inotify_add_watch(ifd, RESOLV_CONF_PATH, RW_IN_FILE);
	if (fresh[n].wd >= 0) {
		fresh[n].name[0] = '\0';
		n++;
	}

	for (i = 0; i < rw_nwatches; i++) {
		for (j = 0; j < n && fresh[j].wd != rw_watches[i].wd; j++)
			;
		if (j == n)
			inotify_rm_watch(ifd, rw_watches[i].wd);
	}
	memcpy(rw_watches, fresh, sizeof(fresh[0]) * (size_t)n);
	rw_nwatches = n;

	return complete;
}

/**
 * rw_relevant() - Does an inotify event concern the way to the file?
 * @ev:		Event, header
 * @name:	Name that follows the header, NUL-terminated, or ""
 *
 * Return: true if a read is due
 */
static bool rw_relevant(const struct inotify_event *ev, const char *name)
{
	int i;

	if (ev->wd < 0 || (ev->mask & IN_Q_OVERFLOW))
		return true;	/* events were lost */

	for (i = 0; i < rw_nwatches; i++) {
		const struct rw_watch *w = &rw_watches[i];

		if (w->wd != ev->wd)
			continue;
		if (!w->name[0])
			return true;	/* the file itself */
		if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
			return true;	/* the directory went away */
		if (ev->len && !strcmp(name, w->name))
			return true;
	}

	return false;
}

/**
 * rw_drain() - Read out notifications, bounded
 * @ifd:	inotify instance, non-blocking
 *
 * Return: true if one of them concerns the way to the file
 */
static bool rw_drain(int ifd)
{
	char buf[sizeof(struct inotify_event) * 16 + NAME_MAX + 1]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	const size_t hdr = sizeof(struct inotify_event);
	bool relevant = false;
	unsigned int reads;

	for (reads = 0; reads < RW_DRAIN_MAX; reads++) {
		ssize_t n = read(ifd, buf, sizeof(buf)), off;

		if (n <= 0)
			break;
		for (off = 0; off + (ssize_t)hdr <= n;) {
			char name[NAME_MAX + 1] = "";
			struct inotify_event ev;
			size_t len;

			memcpy(&ev, buf + off, hdr);
			if (ev.len > (size_t)(n - off) - hdr)
				break;
			len = strnlen(buf + off + hdr, ev.len);
			if (len <= NAME_MAX) {
				memcpy(name, buf + off + hdr, len);
				name[len] = '\0';
			}
			relevant |= rw_relevant(&ev, name);
			off += (ssize_t)(hdr + ev.len);
		}
	}

	return relevant;
}

/**
 * rw_send() - Read the file from its path, send it if it changed
 * @sock:	Socket to the daemon
 *
 * Return: 0 on success or nothing to send, -errno if the daemon is gone
 */
static int rw_send(int sock)
{
	size_t len, size;
	ssize_t n;
	int fd;

	fd = open(RESOLV_CONF_PATH, RW_OPEN_FLAGS);
	if (fd < 0)
		return 0;	/* gone for now: the daemon keeps what it has */

	n = read_upto(fd, rw_msg.data, RESOLV_CONF_MAX);
	close(fd);
	if (n < 0)
		return 0;	/* not a file we can read */
	len = (size_t)n;

	if ((ssize_t)len == rw_last_len && !memcmp(rw_last, rw_msg.data, len))
		return 0;

	rw_msg.len = (uint32_t)len;
	size = offsetof(struct resolvwatch_msg, data) + len;
	while (send(sock, &rw_msg, size, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return -errno;
	}

	memcpy(rw_last, rw_msg.data, len);
	rw_last_len = (ssize_t)len;
	return 0;
}

/**
 * rw_loop() - Reader: wait for changes and the daemon's end, send contents
 * @sock:	Socket to the daemon
 * @ifd:	inotify instance, non-blocking
 *
 * Never returns: exits at end of file on @sock.
 */
static void rw_loop(int sock, int ifd)
{
	long long first = 0, last = 0, retry, now, due;
	bool complete, dirty = false;

	complete = rw_resolve(ifd);
	if (rw_send(sock))
		_exit(EXIT_SUCCESS);
	due = retry = rw_now_ms() + RESOLVWATCH_RETRY_MS;

	for (;;) {
		struct pollfd pfd[2] = { { .fd = sock, .events = POLLIN },
					 { .fd = ifd, .events = POLLIN } };
		int timeout = -1, n;

		now = rw_now_ms();
		if (dirty || !complete)
			timeout = due > now ? (int)(due - now) : 0;

		n = poll(pfd, 2, timeout);
		if (n < 0 && errno != EINTR)
			_exit(EXIT_FAILURE);

		if (n > 0 && pfd[0].revents) {
			char b[64];
			ssize_t r = recv(sock, b, sizeof(b), MSG_DONTWAIT);

			if (!r || (r < 0 && errno != EAGAIN && errno != EINTR))
				_exit(EXIT_SUCCESS);	/* the daemon is gone */
		}

		now = rw_now_ms();
		if (n > 0 && (pfd[1].revents & POLLIN) && rw_drain(ifd)) {
			if (!dirty)
				first = now;
			last = now;
			dirty = true;
		}

		/* Quiet for a while after the last change, or a long burst */
		if (dirty) {
			due = last + RESOLVWATCH_QUIET_MS;
			if (due > first + RESOLVWATCH_BURST_MS)
				due = first + RESOLVWATCH_BURST_MS;
		} else if (!complete) {
			due = retry;
		}

		if ((dirty || !complete) && now >= due) {
			dirty = false;
			complete = rw_resolve(ifd);
			if (rw_send(sock))
				_exit(EXIT_SUCCESS);
			retry = now + RESOLVWATCH_RETRY_MS;
			due = retry;
		}
	}
}

/**
 * rw_filter() - Reader: load its own seccomp filter
 *
 * open() and openat() are allowed read-only: no creation, truncation or
 * writing, whatever the path.
 *
 * Return: 0 on success, negative errno on failure
 */
static int rw_filter(void)
{
	void *sc = isolate_helper_filter(rw_allow, ARRAY_SIZE(rw_allow));
	int rc;

	if (!sc)
		return -ENOMEM;
	rc = seccomp_rule_add(sc, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
			      SCMP_A2(SCMP_CMP_MASKED_EQ, RW_OPEN_MASK,
				      O_RDONLY));
	if (!rc)
		rc = seccomp_rule_add(sc, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ,
					      RW_OPEN_MASK, O_RDONLY));
	if (rc) {
		seccomp_release(sc);
		return rc;
	}
	return isolate_helper_load(sc);
}

/**
 * rw_child() - Reader: shed what we inherited, seal ourselves, watch
 * @c:		Execution context (user to run as, foreground)
 * @sock:	Our end of the socket pair
 * @argc:	Argument count of main()
 * @argv:	Arguments of main()
 *
 * Never returns.
 */
static void rw_child(const struct ctx *c, int sock, int argc, char **argv)
{
	pid_t parent = getppid();
	int devnull, ifd;

	isolate_helper_title(argc, argv);

	/* Out of the way of the standard streams, whatever its number */
	sock = fcntl(sock, F_DUPFD_CLOEXEC, RW_SOCK_FD + 1);
	if (sock < 0)
		_exit(EXIT_FAILURE);

	/* -f: no fork follows, the daemon is our parent for good */
	if (c->foreground &&
	    (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) || getppid() != parent))
		_exit(EXIT_FAILURE);

	devnull = open("/dev/null", O_RDWR);
	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
	    dup2(devnull, STDOUT_FILENO) < 0 ||
	    dup2(devnull, STDERR_FILENO) < 0)
		_exit(EXIT_FAILURE);

	/* Our socket on descriptor 3, then nothing above it */
	if (dup2(sock, RW_SOCK_FD) < 0)
		_exit(EXIT_FAILURE);
	if (syscall(SYS_close_range, RW_SOCK_FD + 1, ~0U, 0U)) {
		int fd;

		for (fd = RW_SOCK_FD + 1; fd < 65536; fd++)
			close(fd);
	}

	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0)
		_exit(EXIT_FAILURE);

	/* Same user as the daemon, no capabilities, no way to gain any */
	capng_clear(CAPNG_SELECT_BOTH);
	if (!geteuid() && c->runas_uid >= 0 &&
	    capng_change_id((uid_t)c->runas_uid, (gid_t)c->runas_gid,
			    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING))
		_exit(EXIT_FAILURE);
	if (capng_apply(CAPNG_SELECT_BOTH) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || rw_filter())
		_exit(EXIT_FAILURE);

	rw_loop(RW_SOCK_FD, ifd);
}

/**
 * resolvwatch_start() - Fork the resolv.conf reader, before the sandbox
 * @c:		Execution context
 * @argc:	Argument count of main()
 * @argv:	Arguments of main(), blanked in the reader
 *
 * Return: the daemon's end of the socket pair, where contents arrive (the
 *	   first message soon: the file as the reader found it), or -errno
 */
int resolvwatch_start(const struct ctx *c, int argc, char **argv)
{
	int sv[2], sndbuf = (int)sizeof(struct resolvwatch_msg) * 2, rc;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;

	/* One message is a record: room for a whole one, best effort */
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));

	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	if (!pid) {
		close(sv[0]);
		rw_child(c, sv[1], argc, argv);
		_exit(EXIT_FAILURE);
	}

	close(sv[1]);
	debug("resolv.conf reader: PID %i", pid);
	return sv[0];
}

/**
 * resolvwatch_recv() - Daemon: take a message from the reader
 * @fd:		Our end of the socket pair
 * @m:		Message, its contents NUL-terminated on success
 *
 * Return: bytes of contents, -EAGAIN if there's no message, -EBADMSG if it
 *	   is malformed, -EPIPE if the reader is gone
 *
 * #syscalls recvfrom
 */
int resolvwatch_recv(int fd, struct resolvwatch_msg *m)
{
	const size_t hdr = offsetof(struct resolvwatch_msg, data);
	ssize_t n;

	n = recv(fd, m, sizeof(*m), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return -EAGAIN;
	if (n <= 0)
		return -EPIPE;

	if ((size_t)n < hdr || m->len > RESOLV_CONF_MAX ||
	    (size_t)n != hdr + m->len)
		return -EBADMSG;

	m->data[m->len] = '\0';
	return (int)m->len;
}
