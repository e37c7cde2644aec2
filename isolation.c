// SPDX-License-Identifier: GPL-2.0-or-later
/* isolation.c - the sandbox, applied in stages
 *
 * DOC: Theory of Operation
 *
 * Everything that needs a privilege, a path or a new socket to set up
 * happens at start-up; the loop then only moves data between descriptors it
 * already holds (and, in later modules, host sockets it opens in the network
 * namespace it started in). Once start-up is done, we take away everything
 * else, in stages named for when main() calls them:
 *
 * isolate_initial(), first thing: no core dumps, no ptrace or /proc/PID/mem
 * by processes running as the same user (PR_SET_DUMPABLE 0). pasta's
 * spawned child sets itself dumpable again, as it must to write its own
 * /proc/self/uid_map; it execs the command right after, which resets the
 * flag anyway.
 *
 * isolate_user(), once options are known: choose the user to run as.
 * Started as root without --runas, that's "nobody" (looked up now, 65534 if
 * the system has no such user); --runas UID[:GID] (resolved by conf.c) wins.
 * Unprivileged without --runas, we stay who we are. Nothing changes yet: as
 * root, pasta still has namespaces to set up.
 *
 * isolate_prefork(), once the guest's side is set up:
 *   - syslog's socket is connected now, as /dev/log is about to go away
 *   - rlimits: no core files, as many open files as the hard limit allows
 *     (flows need descriptors), capped at 2^24 for union epoll_ref
 *   - root: supplementary groups dropped, then the group and user IDs set
 *   - unshare() into new user, mount, IPC, UTS and PID namespaces. The
 *     network namespace stays: host sockets are opened in it. The new user
 *     namespace is nested in whichever one we are in (pasta joined the one
 *     owning its target namespace, for set-up), with no ID mapped: nothing
 *     we do from now on needs one. In it, we have the capabilities needed
 *     for the next step, and none over anything outside it
 *   - the root directory becomes an empty, read-only tmpfs: mounted over
 *     /tmp in our new mount namespace, then pivot_root(), and the old root
 *     detached. No path leads anywhere from then on
 *   - all capabilities dropped, bounding and ambient sets included. None is
 *     kept: in a user namespace of our own, CAP_NET_BIND_SERVICE would not
 *     apply to the host's network namespace anyway, and ports below 1024
 *     are bound at start-up, before this
 *
 * isolate_postfork(), after daemonizing: if we forked into the new PID
 * namespace (no -f), we are its init, which ignores signals without a
 * handler, even SIGTERM from outside: handlers for the usual termination
 * signals exit instead. Then PR_SET_NO_NEW_PRIVS, and a seccomp filter that
 * allows the system calls the loop makes and kills the process on any other
 * (SCMP_ACT_KILL_PROCESS), on any foreign system call ABI too.
 *
 * The allowed calls are listed beside the code that makes them, in the
 * kernel-doc comments, as notes like "#syscalls recvfrom" (both modes) or
 * "#syscalls:pasta waitid" (one mode). seccomp.sh collects them at build
 * time into seccomp_allow.h. A note names what runs after the sandbox is up:
 * calls made only at start-up have none. seccomp.sh describes the format.
 * Builds that add calls of their own (sanitizers, valgrind) name them with
 * make EXTRA_SYSCALLS="...".
 *
 * With --debug, the resulting sandbox is described once it is in place.
 *
 * Test builds (make passt.test-sigsys, never the installed binary) then try
 * to open a path, which the filter must punish with SIGSYS.
 *
 * Limits:
 * - where unprivileged users can't create user namespaces, the sandbox
 *   can't be set up, and we exit: even started as root, as we create ours
 *   after switching to nobody
 * - no capability is left, in any user namespace: code that would enter
 *   pasta's target namespace from the loop (setns()) can't, and must open
 *   what it needs there at start-up. Sockets pasta needs in the namespace
 *   later come from the broker (nsbroker.c): a process forked before
 *   isolate_prefork(), which enters the namespace and makes sockets there
 *   on request, passed back with SCM_RIGHTS. It seals itself, when main()
 *   calls nsbroker_seal() just before isolate_prefork(): same user as the
 *   daemon, no capabilities, NO_NEW_PRIVS, a seccomp filter of its own
 *   (socket, setsockopt, bind, listen, sendmsg, recvmsg, close, exit), so
 *   the daemon gains nothing it couldn't do itself but for the namespace
 * - with -f, no fork follows the unshare(): the PID namespace only holds
 *   the children we'd create, and we have none
 * - libc's syslog() isn't used once sandboxed (see log.c): on errors it
 *   reconnects, which needs socket() and a path
 * - the static build (musl) is not position-independent: Debian's musl-gcc
 *   can't link a static PIE
 *
 * Notes for calls that don't show in the code:
 * - the kernel resumes a poll() with a timeout, interrupted by SIGSTOP and
 *   SIGCONT, through restart_syscall
 * - musl (make static) implements epoll_wait() with epoll_pwait
 *
 * #syscalls restart_syscall epoll_pwait
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/seccomp.h>

#include <cap-ng.h>
#include <seccomp.h>

#include "isolation.h"
#include "log.h"
#include "passt.h"
#include "seccomp_allow.h"
#include "util.h"

/* User and group when started as root and there's no "nobody" user */
#define ISOLATE_NOBODY_ID	65534

/* Open files, at most: union epoll_ref has 24 bits for the descriptor */
#define ISOLATE_NOFILE_MAX	(1UL << 24)

/* Where the empty root is mounted before pivot_root(): any existing
 * directory does, the mount is only seen in our own mount namespace
 */
#define ISOLATE_ROOT_MNT	"/tmp"

/* Namespaces we detach into; never CLONE_NEWNET */
#define ISOLATE_NS_FLAGS	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | \
				 CLONE_NEWUTS | CLONE_NEWPID)

static const int isolate_allow_passt[] = { SECCOMP_ALLOW_PASST };
static const int isolate_allow_pasta[] = { SECCOMP_ALLOW_PASTA };

/**
 * struct isolate_state - What the sandbox ended up being, for --debug
 * @uid:	User ID we run as, seen from outside our user namespace
 * @gid:	Group ID, the same way
 * @nofile:	Limit on open files
 * @caps_none:	No capability left, in any set (checked, not assumed)
 * @root_ro:	Root is a read-only tmpfs (checked)
 * @nnp:	PR_SET_NO_NEW_PRIVS is set (checked)
 * @nr_allowed:	Number of system calls the filter allows
 * @pid1:	We are the init of our new PID namespace
 */
struct isolate_state {
	uid_t uid;
	gid_t gid;
	unsigned long nofile;
	bool caps_none;
	bool root_ro;
	bool nnp;
	size_t nr_allowed;
	bool pid1;
};

static struct isolate_state isolate_state;

/**
 * isolate_initial() - First stage, before anything else runs
 *
 * Not dumpable: no core dumps, and processes of the same user can't ptrace
 * us or read our memory, which will hold secrets (hash keys).
 */
void isolate_initial(void)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		die_perror("Couldn't make the process non-dumpable");
}

/**
 * isolate_user() - Choose the user to run as, once options are known
 * @c:		Execution context: runas_uid and runas_gid set here, as root
 *
 * Only chooses: the switch happens in isolate_prefork(), once pasta is done
 * with the namespace set-up that needs root.
 */
void isolate_user(struct ctx *c)
{
	const struct passwd *pw;

	if (c->runas_uid >= 0 || geteuid())
		return;		/* --runas given, or unprivileged: as is */

	pw = getpwnam("nobody");
	if (pw) {
		c->runas_uid = pw->pw_uid;
		c->runas_gid = pw->pw_gid;
	} else {
		c->runas_uid = c->runas_gid = ISOLATE_NOBODY_ID;
	}
	debug("Started as root: will run as UID %li, GID %li",
	      c->runas_uid, c->runas_gid);
}

/**
 * isolate_rlimits() - No core files, as many open files as we may have
 */
static void isolate_rlimits(void)
{
	struct rlimit lim = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &lim))
		die_perror("Couldn't set the core file size limit to zero");

	if (getrlimit(RLIMIT_NOFILE, &lim))
		die_perror("Couldn't get the open files limit");
	if (lim.rlim_max == RLIM_INFINITY || lim.rlim_max > ISOLATE_NOFILE_MAX)
		lim.rlim_max = ISOLATE_NOFILE_MAX;
	lim.rlim_cur = lim.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &lim))
		die_perror("Couldn't raise the open files limit to %lu",
			   (unsigned long)lim.rlim_max);
	isolate_state.nofile = lim.rlim_cur;
}

/**
 * isolate_drop_user() - Become the user chosen by isolate_user()
 * @c:		Execution context
 */
static void isolate_drop_user(const struct ctx *c)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();

	isolate_state.uid = uid;
	isolate_state.gid = gid;

	if (c->runas_uid < 0)
		return;
	if (uid && (uid_t)c->runas_uid == uid && (gid_t)c->runas_gid == gid)
		return;

	if (!uid && setgroups(0, NULL))
		die_perror("Couldn't drop supplementary groups");
	if (setgid((gid_t)c->runas_gid))
		die_perror("Couldn't change to group %li", c->runas_gid);
	if (setuid((uid_t)c->runas_uid))
		die_perror("Couldn't change to user %li", c->runas_uid);

	isolate_state.uid = geteuid();
	isolate_state.gid = getegid();
}

/**
 * isolate_root() - Make the root directory an empty, read-only tmpfs
 *
 * Needs CAP_SYS_ADMIN in the user namespace owning our mount namespace: we
 * have it, having just created both.
 */
static void isolate_root(void)
{
	/* Nothing of what follows may reach the mount namespace we left */
	if (mount("", "/", "", MS_REC | MS_PRIVATE, NULL))
		die_perror("Couldn't make mounts private");

	if (mount("", ISOLATE_ROOT_MNT, "tmpfs",
		  MS_RDONLY | MS_NODEV | MS_NOEXEC | MS_NOSUID, "mode=0555"))
		die_perror("Couldn't mount an empty filesystem on %s",
			   ISOLATE_ROOT_MNT);

	/* The new root on ".", the old one stacked on it: detach that one */
	if (chdir(ISOLATE_ROOT_MNT))
		die_perror("Couldn't change directory to %s", ISOLATE_ROOT_MNT);
	if (syscall(SYS_pivot_root, ".", "."))
		die_perror("Couldn't change the root directory (pivot_root)");
	if (umount2(".", MNT_DETACH))
		die_perror("Couldn't detach the old root directory");
	if (chdir("/"))
		die_perror("Couldn't change directory to the new root");
}

/**
 * isolate_drop_caps() - Drop every capability, from every set
 */
static void isolate_drop_caps(void)
{
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_apply(CAPNG_SELECT_ALL))
		die("Couldn't drop capabilities");
}

/**
 * isolate_prefork() - Before daemonizing: user, namespaces, root, caps
 * @c:		Execution context
 */
void isolate_prefork(const struct ctx *c)
{
	if (!c->foreground)
		log_syslog_open();

	isolate_rlimits();
	isolate_drop_user(c);

	if (unshare(ISOLATE_NS_FLAGS))
		die_perror("Couldn't detach into new user, mount, IPC, UTS and "
			   "PID namespaces");

	isolate_root();
	isolate_drop_caps();
}

/**
 * isolate_exit_handler() - Termination signal for the init of a namespace
 * @sig:	Signal number, unused
 *
 * #syscalls exit_group
 */
static void isolate_exit_handler(int sig)
{
	(void)sig;
	_exit(EXIT_SUCCESS);
}

/**
 * isolate_pid1_signals() - Make us stoppable as init of a PID namespace
 *
 * The init process of a PID namespace ignores signals it has no handler
 * for, even when sent from outside (except SIGKILL and SIGSTOP).
 */
static void isolate_pid1_signals(void)
{
	struct sigaction sa = { .sa_handler = isolate_exit_handler };
	static const int sigs[] = { SIGTERM, SIGINT, SIGQUIT, SIGHUP };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		if (sigaction(sigs[i], &sa, NULL))
			die_perror("Couldn't set a handler for signal %i",
				   sigs[i]);
	}
}

/**
 * isolate_check() - Record what the sandbox looks like, before the filter
 *
 * Checks what can be checked from inside: capabilities (no /proc any more:
 * libcap-ng falls back to prctl()), the root filesystem, NO_NEW_PRIVS.
 */
static void isolate_check(void)
{
	struct statfs st;

	isolate_state.caps_none =
		!capng_get_caps_process() &&
		capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE &&
		capng_have_capabilities(CAPNG_SELECT_BOUNDS) == CAPNG_NONE &&
		capng_have_capabilities(CAPNG_SELECT_AMBIENT) == CAPNG_NONE;

	isolate_state.root_ro = !statfs("/", &st) &&
				st.f_type == TMPFS_MAGIC &&
				(st.f_flags & ST_RDONLY);

	isolate_state.nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
}

/**
 * isolate_seccomp() - Load the filter: allow the mode's list, kill otherwise
 * @c:		Execution context
 *
 * libseccomp builds the BPF program, which we read back through a pipe and
 * load ourselves: seccomp_load() frees memory once the filter is active,
 * and free() may give it back to the kernel (munmap with musl), which the
 * filter forbids. This way, no library code runs under the filter.
 */
static void isolate_seccomp(const struct ctx *c)
{
	size_t i, n = ARRAY_SIZE(isolate_allow_passt);
	static struct sock_filter prog[BPF_MAXINSNS];
	struct sock_fprog fprog = { .filter = prog };
	const int *allow = isolate_allow_passt;
	size_t have = 0;
	scmp_filter_ctx sc;
	int rc, p[2];

	if (c->mode == MODE_PASTA) {
		allow = isolate_allow_pasta;
		n = ARRAY_SIZE(isolate_allow_pasta);
	}

	sc = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!sc)
		die("Couldn't initialise the seccomp filter");

	rc = seccomp_attr_set(sc, SCMP_FLTATR_ACT_BADARCH,
			      SCMP_ACT_KILL_PROCESS);
	for (i = 0; !rc && i < n; i++) {
		if (allow[i] != SCMP_SYS(socket)) {
			rc = seccomp_rule_add(sc, SCMP_ACT_ALLOW, allow[i], 0);
			continue;
		}

		/* New sockets at run time are for flows: IPv4 and IPv6 only,
		 * never UNIX, netlink or packet sockets
		 */
		rc = seccomp_rule_add(sc, SCMP_ACT_ALLOW, allow[i], 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_INET, 0));
		if (rc)
			break;
		rc = seccomp_rule_add(sc, SCMP_ACT_ALLOW, allow[i], 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_INET6, 0));
	}
	if (rc) {
		errno = -rc;
		die_perror("Couldn't build the seccomp filter");
	}

	/* At most 32 KiB: fits in a pipe, no need to read while it's written */
	if (pipe2(p, O_CLOEXEC))
		die_perror("Couldn't create a pipe for the seccomp filter");
	rc = seccomp_export_bpf(sc, p[1]);
	close(p[1]);
	seccomp_release(sc);
	if (rc) {
		errno = -rc;
		die_perror("Couldn't generate the seccomp filter");
	}
	for (;;) {
		ssize_t r = read(p[0], (char *)prog + have, sizeof(prog) - have);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_perror("Couldn't read back the seccomp filter");
		if (!r)
			break;
		have += r;
		if (have == sizeof(prog))
			die("seccomp filter too large");
	}
	close(p[0]);
	if (!have || have % sizeof(prog[0]))
		die("Invalid seccomp filter, %zu bytes", have);
	fprog.len = have / sizeof(prog[0]);

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0))
		die_perror("Couldn't load the seccomp filter");
	isolate_state.nr_allowed = n;
}

/**
 * isolate_print() - Describe the sandbox, with --debug
 * @c:		Execution context
 */
static void isolate_print(const struct ctx *c)
{
	const struct isolate_state *s = &isolate_state;

	debug("Sandbox: UID %u, GID %u, as seen from outside our user "
	      "namespace", (unsigned)s->uid, (unsigned)s->gid);
	debug("Sandbox: capabilities: %s", s->caps_none ?
	      "none (effective, permitted, inheritable, bounding, ambient)" :
	      "SOME LEFT");
	debug("Sandbox: seccomp: filter mode, %zu system calls allowed for %s, "
	      "others kill the process; no new privileges: %s", s->nr_allowed,
	      c->mode == MODE_PASTA ? "pasta" : "passt", s->nnp ? "yes" : "NO");
	debug("Sandbox: root directory: %s, old root detached", s->root_ro ?
	      "empty read-only tmpfs" : "NOT a read-only tmpfs");
	debug("Sandbox: namespaces: new user (no IDs mapped), mount, IPC, UTS, "
	      "PID (%s); network namespace kept", s->pid1 ?
	      "we are its init" : "for children only: not forked since");
	debug("Sandbox: limits: no core files, %lu open files", s->nofile);
}

/**
 * isolate_postfork() - After daemonizing: seccomp and NO_NEW_PRIVS
 * @c:		Execution context
 */
void isolate_postfork(const struct ctx *c)
{
	isolate_state.pid1 = getpid() == 1;
	if (isolate_state.pid1)
		isolate_pid1_signals();

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die_perror("Couldn't set PR_SET_NO_NEW_PRIVS");

	isolate_check();
	isolate_seccomp(c);
	isolate_print(c);

#ifdef ISOLATION_TEST_SIGSYS
	/* Test build only: a call nothing may make once sandboxed */
	debug("Test build: opening a path, which must end with SIGSYS");
	if (open("/", O_RDONLY | O_CLOEXEC) >= 0)
		die("Test build: opening a path was allowed");
#endif
}

/* Helper processes, forked before the sandbox (nsbroker.c, resolvwatch.c,
 * the namespace helper of pasta.c): what they share
 */

/**
 * isolate_helper_title() - Blank a helper's arguments in /proc/PID/cmdline
 * @argc:	Argument count of main()
 * @argv:	Arguments of main(), contiguous in memory
 *
 * Callers find the daemon by its command line (podman: the --netns path):
 * only the daemon should match, so a helper keeps argv[0] alone.
 */
void isolate_helper_title(int argc, char **argv)
{
	char *start = NULL, *end = NULL;
	int i;

	/* getopt() may have permuted the pointers, not the strings */
	for (i = 1; i < argc; i++) {
		char *e = argv[i] + strlen(argv[i]);

		if (!start || argv[i] < start)
			start = argv[i];
		if (!end || e > end)
			end = e;
	}
	if (start && start > argv[0])
		memset(start, 0, (size_t)(end - start));
}

/**
 * isolate_helper_filter() - Start a helper's own seccomp filter
 * @allow:	System calls allowed whatever their arguments
 * @n:		Entries in @allow
 *
 * As the daemon's: anything else, or another architecture, kills the
 * process. The caller may add rules with conditions on the arguments, then
 * loads it with isolate_helper_load().
 *
 * Return: filter context, NULL on failure
 */
void *isolate_helper_filter(const int *allow, size_t n)
{
	scmp_filter_ctx sc = seccomp_init(SCMP_ACT_KILL_PROCESS);
	size_t i;
	int rc;

	if (!sc)
		return NULL;
	rc = seccomp_attr_set(sc, SCMP_FLTATR_ACT_BADARCH,
			      SCMP_ACT_KILL_PROCESS);
	for (i = 0; !rc && i < n; i++)
		rc = seccomp_rule_add(sc, SCMP_ACT_ALLOW, allow[i], 0);
	if (rc) {
		seccomp_release(sc);
		return NULL;
	}
	return sc;
}

/**
 * isolate_helper_load() - Load a helper's filter, and free its context
 * @sc:		Filter context from isolate_helper_filter()
 *
 * Return: 0 on success, negative errno on failure
 */
int isolate_helper_load(void *sc)
{
	int rc = seccomp_load(sc);

	seccomp_release(sc);	/* frees memory: brk, munmap, madvise */
	return rc;
}
