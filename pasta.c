// SPDX-License-Identifier: GPL-2.0-or-later
/* pasta.c - network namespaces: spawn a command or join, tap device setup
 *
 * DOC: Theory of Operation
 *
 * pasta gives a network namespace an Ethernet link whose other end is this
 * process. The namespace is either created here, for a command we spawn,
 * or an existing one, joined by PID or by path.
 *
 * Spawning: a child unshares user and network namespaces, maps our user and
 * group IDs to root inside, and tells us (pipe) that its namespaces exist.
 * It then waits on a second pipe until the tap device is configured, so the
 * command never sees a half-configured network, and execs the command.
 *
 * The daemon itself stays in the namespace it started in: it needs that
 * namespace to open the sockets that carry the guest's flows. It enters the
 * target namespace only in a short-lived clone sharing its memory and file
 * table (pasta_ns_call()), just long enough to open the tap device and a
 * netlink socket there. Sockets and tap devices stay bound to the namespace
 * they were created in, so from then on both work from outside. The same
 * clone opens /proc/net/tcp and friends there for "auto" (pasta_ns_open());
 * sockets needed in the namespace once sandboxed come from a broker
 * process (nsbroker.c), and pasta_nsquit.c watches the namespace's owner.
 *
 * Unprivileged, entering a network namespace needs CAP_SYS_ADMIN in the
 * user namespace that owns it: we join that user namespace first, where we
 * have full capabilities as its owner. As root, we don't need to, and don't,
 * so that dropping to nobody later still works.
 *
 * When the spawned command exits, we exit with its status (a pidfd in the
 * epoll set tells us).
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cap-ng.h>
#include <seccomp.h>

#include "conf.h"
#include "isolation.h"
#include "log.h"
#include "netlink.h"
#include "passt.h"
#include "pasta.h"
#include "seccomp_allow.h"
#include "util.h"

#define PASTA_NS_STACK_SIZE	(64 * 1024)

/* Stack for pasta_ns_call(): the caller is suspended meanwhile (vfork) */
static char pasta_ns_stack[PASTA_NS_STACK_SIZE] __attribute__((aligned(16)));

/* Child side of the spawn hand-shake: it waits on this for the go */
static int pasta_go_fd = -1;

/**
 * struct pasta_ns_arg - What pasta_ns_call() runs in the namespace
 * @c:		Execution context
 * @fn:		Function to run there
 * @rc:		Its return value (0 or -errno)
 */
struct pasta_ns_arg {
	struct ctx *c;
	int (*fn)(struct ctx *c);
	int rc;
};

/**
 * pasta_ns_call_fn() - Clone body: enter the target network namespace, run
 * @arg:	struct pasta_ns_arg
 *
 * Return: 0 on success, 1 on failure (details in the shared @arg->rc)
 */
static int pasta_ns_call_fn(void *arg)
{
	struct pasta_ns_arg *a = arg;

	if (setns(a->c->pasta_netns_fd, CLONE_NEWNET)) {
		a->rc = -errno;
		return 1;
	}
	a->rc = a->fn(a->c);
	return a->rc ? 1 : 0;
}

/**
 * pasta_ns_call() - Run a function inside the target network namespace
 * @c:		Execution context
 * @fn:		Function, returning 0 or -errno
 *
 * Return: what @fn returned, or -errno if the namespace couldn't be entered
 */
static int pasta_ns_call(struct ctx *c, int (*fn)(struct ctx *c))
{
	struct pasta_ns_arg a = { .c = c, .fn = fn, .rc = -ECHILD };
	int status;
	pid_t pid;

	pid = clone(pasta_ns_call_fn, pasta_ns_stack + sizeof(pasta_ns_stack),
		    CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &a);
	if (pid < 0)
		return -errno;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return a.rc;
}

/* pasta_ns_open(): what to open in the namespace, and what came of it */
static const char *pasta_ns_open_path;
static int pasta_ns_open_fd = -1;

/**
 * pasta_ns_open_fn() - In the namespace: open the file asked for
 * @c:		Execution context, unused
 *
 * Return: 0 on success, -errno on failure
 */
static int pasta_ns_open_fn(struct ctx *c)
{
	(void)c;

	pasta_ns_open_fd = open(pasta_ns_open_path, O_RDONLY | O_CLOEXEC);
	return pasta_ns_open_fd < 0 ? -errno : 0;
}

/**
 * pasta_ns_open() - Open a file from inside the target network namespace
 * @c:		Execution context
 * @path:	Path, such as /proc/net/tcp (which then lists the
 *		namespace's sockets)
 *
 * Start-up only: the descriptor table is shared with pasta_ns_call()'s
 * clone, so the file stays open here.
 *
 * Return: read-only descriptor, or -errno
 */
int pasta_ns_open(struct ctx *c, const char *path)
{
	int rc;

	pasta_ns_open_path = path;
	pasta_ns_open_fd = -1;
	rc = pasta_ns_call(c, pasta_ns_open_fn);
	return rc ? rc : pasta_ns_open_fd;
}

/**
 * pasta_write_file() - Write a short string to a /proc file
 * @path:	Path
 * @s:		Content
 *
 * Return: 0 on success, -errno on failure
 */
static int pasta_write_file(const char *path, const char *s)
{
	ssize_t len = strlen(s), n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	close(fd);
	if (n != len)
		return n < 0 ? -errno : -EIO;
	return 0;
}

/**
 * pasta_child() - Spawned side: new namespaces, wait for the go, exec
 * @c:		Execution context
 * @ready_fd:	Pipe to tell the parent the namespaces exist
 * @go_fd:	Pipe the parent writes to once the network is ready
 *
 * Never returns.
 */
static void pasta_child(const struct ctx *c, int ready_fd, int go_fd)
{
	char map[64], go;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char *sh_argv[] = { NULL, NULL };
	char *const *argv = c->pasta_argv;
	int rc;

	prctl(PR_SET_PDEATHSIG, SIGKILL);

	/* isolate_initial() made us non-dumpable: /proc/self/uid_map would
	 * then belong to root, and we couldn't write it. We exec right after.
	 */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		err_perror("Couldn't create user and network namespaces");
		_exit(EXIT_FAILURE);
	}

	if ((rc = pasta_write_file("/proc/self/setgroups", "deny")) &&
	    rc != -ENOENT) {
		errno = -rc;
		err_perror("Couldn't write /proc/self/setgroups");
		_exit(EXIT_FAILURE);
	}
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if ((rc = pasta_write_file("/proc/self/uid_map", map))) {
		errno = -rc;
		err_perror("Couldn't write UID map `%s'", map);
		_exit(EXIT_FAILURE);
	}
	snprintf(map, sizeof(map), "0 %u 1", gid);
	if ((rc = pasta_write_file("/proc/self/gid_map", map))) {
		errno = -rc;
		err_perror("Couldn't write GID map `%s'", map);
		_exit(EXIT_FAILURE);
	}

	if (write(ready_fd, "r", 1) != 1)
		_exit(EXIT_FAILURE);
	close(ready_fd);

	if (read(go_fd, &go, 1) != 1)
		_exit(EXIT_FAILURE);	/* parent failed: it said why */
	close(go_fd);

	if (!argv) {
		const char *sh = getenv("SHELL");

		sh_argv[0] = (char *)(uintptr_t)(sh && *sh ? sh : "/bin/sh");
		argv = sh_argv;
	}

	execvp(argv[0], argv);
	err_perror("Couldn't run `%s'", argv[0]);
	_exit(127);
}

/**
 * pasta_start_ns() - Spawn the command in new user and network namespaces
 * @c:		Execution context
 *
 * On return the namespaces exist and c->pasta_netns_fd (and _userns_fd)
 * refer to them; the command waits for pasta_child_go().
 */
void pasta_start_ns(struct ctx *c)
{
	int ready[2], go[2];
	char r;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		die_perror("Couldn't create pipes for the spawned command");

	pid = fork();
	if (pid < 0)
		die_perror("Couldn't fork to spawn the command");
	if (!pid) {
		close(ready[0]);
		close(go[1]);
		pasta_child(c, ready[1], go[0]);
	}

	close(ready[1]);
	close(go[0]);
	pasta_go_fd = go[1];
	c->pasta_child_pid = pid;

	if (read(ready[0], &r, 1) != 1)
		die("The spawned command couldn't set up its namespaces");
	close(ready[0]);

	snprintf(c->netns_path, sizeof(c->netns_path), "/proc/%i/ns/net", pid);
	snprintf(c->userns_path, sizeof(c->userns_path),
		 "/proc/%i/ns/user", pid);

	pasta_open_ns(c);
}

/**
 * pasta_same_ns() - Tell if a namespace file is the namespace we're in
 * @fd:		Namespace file descriptor
 * @self:	Our own one, such as "/proc/self/ns/user"
 *
 * Return: true if it is the same namespace
 */
static bool pasta_same_ns(int fd, const char *self)
{
	struct stat a, b;

	if (fstat(fd, &a) || stat(self, &b))
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/**
 * pasta_open_ns() - Open the target namespaces, join its user namespace
 * @c:		Execution context, with netns_path (and userns_path) set
 *
 * Without an explicit user namespace, the owner of the network namespace
 * is used.
 */
void pasta_open_ns(struct ctx *c)
{
	int userns = -1;

	c->pasta_netns_fd = open(c->netns_path, O_RDONLY | O_CLOEXEC);
	if (c->pasta_netns_fd < 0)
		die_perror("Couldn't open network namespace `%s'",
			   c->netns_path);

	if (c->netns_only)
		return;

	if (*c->userns_path) {
		userns = open(c->userns_path, O_RDONLY | O_CLOEXEC);
		if (userns < 0)
			die_perror("Couldn't open user namespace `%s'",
				   c->userns_path);
	} else {
		userns = ioctl(c->pasta_netns_fd, NS_GET_USERNS);
		if (userns < 0)
			return;	/* kernel too old, or not allowed: try as is */
	}

	if (pasta_same_ns(userns, "/proc/self/ns/user") || !geteuid()) {
		close(userns);
		return;
	}

	if (setns(userns, CLONE_NEWUSER))
		die_perror("Couldn't join user namespace `%s'",
			   *c->userns_path ? c->userns_path : "of the netns");
	c->pasta_userns_fd = userns;
}

/**
 * pasta_tap_open() - In the namespace: create the tap device, netlink socket
 * @c:		Execution context
 *
 * Return: 0 on success, -errno on failure
 */
static int pasta_tap_open(struct ctx *c)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd, rc;

	rc = nl_sock_init(NL_NS);
	if (rc)
		return rc;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->pasta_ifname);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		rc = -errno;
		close(fd);
		return rc;
	}

	c->fd_tap = fd;
	return 0;
}

/**
 * pasta_ns_conf() - Create the tap device in the namespace and configure it
 * @c:		Execution context
 *
 * Loopback always comes up. With --config-net, the tap device gets the
 * addresses, default routes and MTU, and comes up; without, it only exists.
 */
void pasta_ns_conf(struct ctx *c)
{
	int lo, rc;

	rc = pasta_ns_call(c, pasta_tap_open);
	if (rc) {
		errno = -rc;
		die_perror("Couldn't create tap device `%s' in the namespace",
			   c->pasta_ifname);
	}

	rc = nl_link_ifindex(NL_NS, c->pasta_ifname);
	if (rc <= 0)
		die("Couldn't find tap device `%s' in the namespace",
		    c->pasta_ifname);
	c->pasta_ifi = rc;

	lo = nl_link_ifindex(NL_NS, "lo");
	if (lo > 0 && (rc = nl_link_up(NL_NS, lo)))
		warn("Couldn't bring up loopback in the namespace: %s",
		     strerror(-rc));

	if (c->pasta_mac_set) {
		rc = nl_link_set_mac(NL_NS, c->pasta_ifi, c->guest_mac);
		if (rc)
			die("Couldn't set MAC address " MAC_FMT " on `%s': %s",
			    MAC_ARGS(c->guest_mac), c->pasta_ifname,
			    strerror(-rc));
	} else if (!nl_link_get_mac(NL_NS, c->pasta_ifi, c->guest_mac)) {
		c->guest_mac_set = true;
	}

	if (!c->pasta_conf_ns)
		return;

	rc = nl_link_set_mtu(NL_NS, c->pasta_ifi, c->mtu);
	if (rc)
		die("Couldn't set MTU %i on `%s': %s", c->mtu,
		    c->pasta_ifname, strerror(-rc));

	if (c->ipv4_enabled && c->ip4.addr.s_addr) {
		rc = nl_addr_add(NL_NS, c->pasta_ifi, AF_INET, &c->ip4.addr,
				 c->ip4.prefix_len);
		if (rc && rc != -EEXIST)
			die("Couldn't add IPv4 address to `%s': %s",
			    c->pasta_ifname, strerror(-rc));
	}
	if (c->ipv6_enabled && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr)) {
		rc = nl_addr_add(NL_NS, c->pasta_ifi, AF_INET6, &c->ip6.addr,
				 c->ip6.prefix_len);
		if (rc && rc != -EEXIST)
			die("Couldn't add IPv6 address to `%s': %s",
			    c->pasta_ifname, strerror(-rc));
	}

	rc = nl_link_up(NL_NS, c->pasta_ifi);
	if (rc)
		die("Couldn't bring up `%s': %s", c->pasta_ifname,
		    strerror(-rc));

	if (c->ipv4_enabled && c->ip4.gw.s_addr) {
		rc = nl_route_add_default(NL_NS, c->pasta_ifi, AF_INET,
					  &c->ip4.gw);
		if (rc && rc != -EEXIST)
			die("Couldn't add IPv4 default route in the "
			    "namespace: %s", strerror(-rc));
	}
	if (c->ipv6_enabled && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw)) {
		rc = nl_route_add_default(NL_NS, c->pasta_ifi, AF_INET6,
					  &c->ip6.gw);
		if (rc && rc != -EEXIST)
			die("Couldn't add IPv6 default route in the "
			    "namespace: %s", strerror(-rc));
	}
}

/**
 * pasta_child_watch() - Watch for the spawned command's exit, via epoll
 * @c:		Execution context
 *
 * Called before the sandbox: the pidfd is opened by PID.
 */
void pasta_child_watch(struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_PASTA_CHILD };
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	if (!c->pasta_child_pid)
		return;

	fd = (int)syscall(SYS_pidfd_open, c->pasta_child_pid, 0);
	if (fd < 0)
		die_perror("Couldn't watch the spawned command (pidfd_open)");
	c->fd_pasta_child = fd;
	ref.fd = fd;
	ev.data.u64 = ref.u64;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, fd, &ev))
		die_perror("Couldn't add the spawned command to epoll");
}

/**
 * pasta_child_go() - Let the spawned command run: the network is ready
 *
 * #syscalls:pasta write close
 */
void pasta_child_go(void)
{
	if (pasta_go_fd < 0)
		return;

	if (write(pasta_go_fd, "g", 1) != 1)
		die_perror("Couldn't start the spawned command");
	close(pasta_go_fd);
	pasta_go_fd = -1;
}

/**
 * pasta_child_handler() - The spawned command exited: exit with its status
 * @c:		Execution context
 * @events:	epoll events
 *
 * #syscalls:pasta waitid
 */
void pasta_child_handler(struct ctx *c, uint32_t events)
{
	siginfo_t si = { 0 };

	(void)events;

	if (waitid(P_PID, c->pasta_child_pid, &si, WEXITED | WNOHANG))
		return;
	if (!si.si_pid)
		return;		/* not yet, spurious wake-up */

	if (si.si_code == CLD_EXITED) {
		debug("Spawned command exited with status %i", si.si_status);
		log_exit(si.si_status);
	}
	debug("Spawned command killed by signal %i", si.si_status);
	log_exit(128 + si.si_status);
}

/* Descriptor of the namespace helper's socket, -1 if there's no helper */
static int pasta_helper_fd = -1;

/**
 * struct pasta_ns_msg - What the namespace helper is asked to change
 * @changed:	CONF_HOST_CHANGED_* flags: which families below to apply
 * @old4:	IPv4 address to replace
 * @new4:	IPv4 address to set
 * @gw4:	IPv4 default gateway to set
 * @old_plen4:	Prefix length of @old4
 * @new_plen4:	Prefix length of @new4
 * @old6:	IPv6 address to replace
 * @new6:	IPv6 address to set
 * @gw6:	IPv6 default gateway to set
 * @old_plen6:	Prefix length of @old6
 * @new_plen6:	Prefix length of @new6
 */
struct pasta_ns_msg {
	uint32_t changed;
	struct in_addr old4;
	struct in_addr new4;
	struct in_addr gw4;
	int32_t old_plen4;
	int32_t new_plen4;
	struct in6_addr old6;
	struct in6_addr new6;
	struct in6_addr gw6;
	int32_t old_plen6;
	int32_t new_plen6;
};

/**
 * pasta_ns_apply() - Move the tap device to a new address and gateway
 * @ifi:	Tap device's index in the namespace
 * @af:		AF_INET or AF_INET6
 * @old:	Address to replace
 * @old_plen:	Its prefix length
 * @new:	Address to set
 * @new_plen:	Its prefix length
 * @gw:		Default gateway to set
 *
 * The new address first (the gateway may be reachable through it only),
 * then the route, then the old address goes, and the route once more if
 * it failed before. Errors are logged: the namespace is the guest's.
 */
static void pasta_ns_apply(unsigned int ifi, sa_family_t af, const void *old,
			   int old_plen, const void *new, int new_plen,
			   const void *gw)
{
	size_t len = af == AF_INET ? sizeof(struct in_addr) :
				     sizeof(struct in6_addr);
	bool moved = memcmp(old, new, len) || old_plen != new_plen;
	int max = (int)len * 8, rc, route;

	if (new_plen < 1 || new_plen > max || old_plen < 0 || old_plen > max)
		return;

	if (moved) {
		rc = nl_addr_add(NL_NS, ifi, af, new, new_plen);
		if (rc && rc != -EEXIST)
			warn("Namespace: can't add new address: %s",
			     strerror(-rc));
	}

	route = nl_route_replace_default(NL_NS, ifi, af, gw);

	if (moved) {
		rc = nl_addr_del(NL_NS, ifi, af, old, old_plen);
		if (rc && rc != -EADDRNOTAVAIL)
			warn("Namespace: can't remove old address: %s",
			     strerror(-rc));
	}

	if (route)
		route = nl_route_replace_default(NL_NS, ifi, af, gw);
	if (route)
		warn("Namespace: can't set default route: %s",
		     strerror(-route));
}

/* What the namespace helper may call: messages, netlink, logging */
static const int pasta_helper_allow[] = {
	SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(write),
	SCMP_SYS(ftruncate), SCMP_SYS(clock_gettime), SCMP_SYS(close),
	SCMP_SYS(exit_group), SCMP_SYS(exit), SCMP_SYS(restart_syscall),
	SCMP_SYS(rt_sigreturn),
	/* seccomp_release(), right after seccomp_load(), frees memory */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(madvise),
	SECCOMP_ALLOW_EXTRA	/* make asan: the runtime's calls, or nothing */
};

/**
 * pasta_ns_helper_filter() - Namespace helper: its own seccomp filter
 *
 * Return: 0 on success, negative errno on failure
 */
static int pasta_ns_helper_filter(void)
{
	void *sc = isolate_helper_filter(pasta_helper_allow,
					 ARRAY_SIZE(pasta_helper_allow));

	return sc ? isolate_helper_load(sc) : -ENOMEM;
}

/**
 * pasta_ns_helper() - Namespace helper: apply changes the daemon sends
 * @c:		Execution context, as at start-up
 * @fd:		Our end of the socket pair
 *
 * The sandboxed daemon can't configure the namespace any longer (it has no
 * capability left, and its user namespace isn't the namespace's owner's).
 * This process, forked before the sandbox, keeps CAP_NET_ADMIN (as root,
 * it drops to the --runas user, nobody by default, and keeps only that
 * capability), the netlink socket of the namespace, the log, and no other
 * descriptor, and installs its own seccomp filter: messages, netlink
 * requests, logging.
 * It reads fixed-size messages, checks them, and changes nothing but the
 * tap device's addresses and default routes. It exits when the daemon
 * does (end of file on the socket).
 */
static void pasta_ns_helper(const struct ctx *c, int fd)
{
	int keep[] = { fd, nl_sock_fd(NL_NS), log_file_fd() };
	unsigned int i, j, lo = 3;
	struct pasta_ns_msg m;
	ssize_t n;

	/* Close everything else: sort the (three) descriptors kept */
	for (i = 0; i < ARRAY_SIZE(keep); i++) {
		for (j = i + 1; j < ARRAY_SIZE(keep); j++) {
			if (keep[j] < keep[i]) {
				int t = keep[i];

				keep[i] = keep[j];
				keep[j] = t;
			}
		}
	}
	for (i = 0; i < ARRAY_SIZE(keep); i++) {
		if (keep[i] < (int)lo)
			continue;
		if ((unsigned int)keep[i] > lo)
			syscall(SYS_close_range, lo, keep[i] - 1, 0);
		lo = keep[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0U, 0);

	if (!c->foreground) {
		/* Don't hold our caller's pipes open once the daemon is gone */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			close(null);
		}
		log_syslog_open();
		log_set_dest(LOG_DEST_SYSLOG);
	}
	/* CAP_NET_ADMIN is all it needs: as root, over the namespace of
	 * init; unprivileged, we own the namespace's user namespace anyway
	 */
	capng_clear(CAPNG_SELECT_BOTH);
	if (!geteuid()) {
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			     CAP_NET_ADMIN);
		if (c->runas_uid >= 0 &&
		    capng_change_id((uid_t)c->runas_uid, (gid_t)c->runas_gid,
				    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING))
			_exit(EXIT_FAILURE);
	}
	if (capng_apply(CAPNG_SELECT_BOTH) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || pasta_ns_helper_filter())
		_exit(EXIT_FAILURE);

	for (;;) {
		n = recv(fd, &m, sizeof(m), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(EXIT_SUCCESS);
		if ((size_t)n != sizeof(m))
			continue;

		if (m.changed & CONF_HOST_CHANGED_IP4)
			pasta_ns_apply(c->pasta_ifi, AF_INET, &m.old4,
				       m.old_plen4, &m.new4, m.new_plen4,
				       &m.gw4);
		if (m.changed & CONF_HOST_CHANGED_IP6)
			pasta_ns_apply(c->pasta_ifi, AF_INET6, &m.old6,
				       m.old_plen6, &m.new6, m.new_plen6,
				       &m.gw6);
	}
}

/**
 * pasta_ns_helper_start() - Fork the namespace helper, before the sandbox
 * @c:		Execution context
 * @argc:	Argument count of main()
 * @argv:	Arguments of main(), contiguous in memory: the helper blanks
 *		all but argv[0]: callers find the daemon by its command line
 *
 * Only with --config-net: otherwise, the namespace's configuration isn't
 * ours. Failing is not fatal: the namespace then keeps its configuration.
 */
void pasta_ns_helper_start(const struct ctx *c, int argc, char **argv)
{
	int sv[2];
	pid_t pid;

	if (c->mode != MODE_PASTA || !c->pasta_conf_ns ||
	    nl_sock_fd(NL_NS) < 0)
		return;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		warn_perror("Can't start the namespace helper: socketpair");
		return;
	}

	pid = fork();
	if (pid < 0) {
		warn_perror("Can't start the namespace helper: fork");
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (!pid) {
		close(sv[0]);
		isolate_helper_title(argc, argv);
		pasta_ns_helper(c, sv[1]);
	}

	close(sv[1]);
	pasta_helper_fd = sv[0];
	debug("Namespace helper started, PID %i", pid);
}

/**
 * pasta_ns_update() - The guest's configuration changed: update the
 *		       namespace (--config-net)
 * @c:		Execution context, with the new configuration
 * @old4:	IPv4 configuration before the change
 * @old6:	IPv6 configuration before the change
 * @changed:	CONF_HOST_CHANGED_* flags
 *
 * #syscalls:pasta sendto
 */
void pasta_ns_update(const struct ctx *c, const struct ip4_ctx *old4,
		     const struct ip6_ctx *old6, unsigned int changed)
{
	struct pasta_ns_msg m = {
		.changed	= changed,
		.old4		= old4->addr,
		.new4		= c->ip4.addr,
		.gw4		= c->ip4.gw,
		.old_plen4	= old4->prefix_len,
		.new_plen4	= c->ip4.prefix_len,
		.old6		= old6->addr,
		.new6		= c->ip6.addr,
		.gw6		= c->ip6.gw,
		.old_plen6	= old6->prefix_len,
		.new_plen6	= c->ip6.prefix_len,
	};

	if (pasta_helper_fd < 0)
		return;

	if (send(pasta_helper_fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(m))
		warn_perror("Can't update the namespace's configuration");
}
