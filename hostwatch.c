// SPDX-License-Identifier: GPL-2.0-or-later
/* hostwatch.c - follow the host's network configuration as it changes
 *
 * DOC: Theory of Operation
 *
 * A laptop joins a VPN, changes Wi-Fi, loses its uplink: the guest's
 * addresses and gateway, copied from the host at start-up (conf_host.c),
 * must follow, without a restart.
 *
 * At start-up, before the sandbox, we open a netlink socket subscribed to
 * the kernel's link, IPv4 and IPv6 address and route notifications of the
 * host's namespace (nl_monitor_open()), and a timerfd. Notifications are
 * not parsed: each one only means "something changed". The handler reads
 * out at most HOSTWATCH_DRAIN_MAX of them per wake-up (epoll is level
 * triggered: more wake-ups follow if needed) and arms the timer, once, for
 * HOSTWATCH_DELAY_MS. When it expires, conf_host_refresh() dumps the host's
 * routes and addresses again and updates the context. A storm of changes
 * thus costs reading the notifications plus at most 1000 /
 * HOSTWATCH_DELAY_MS looks a second. A lost notification (ENOBUFS, the
 * socket buffer overran) counts as one.
 *
 * What follows a change:
 * - new flows: fwd.c, tcp.c, udp.c read the guest's addresses and gateway
 *   from the context, which is updated in place; the host's kernel picks
 *   routes and source addresses for our sockets anyway;
 * - existing flows keep their sockets, and run on while the host lets them;
 * - IPv6: an unsolicited router advertisement right away, then a few more
 *   quickly (ndp_ra_now());
 * - DHCP: from then on, leases are short (dhcp.c), so that guests renew and
 *   learn the new address; a lease handed out earlier is infinite, and its
 *   guest only learns at its next DHCP exchange (a link flap, a reboot);
 * - pasta with --config-net: the namespace's addresses and default routes
 *   are updated too (pasta_ns_update()).
 *
 * resolv.conf: the sandbox has no filesystem, so conf_host.c keeps the
 * descriptor it read the file through at start-up, and an inotify watch on
 * that very file (through its /proc/self/fd link) says when it was written
 * to. A file rewritten in place is then read again through the descriptor,
 * and new resolvers and search domains reach the guest with the next DHCP
 * or DHCPv6 answer, and at once by router advertisement (RDNSS, DNSSL). A
 * file replaced by another (written aside, then renamed over it, as
 * NetworkManager and systemd-resolved do) or removed can't be followed: we
 * say so once, and keep what we had.
 *
 * Not followed: the MTU, and a family that was off at start-up (no default
 * route for it while the other family had one) stays off.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "conf.h"
#include "hostwatch.h"
#include "log.h"
#include "ndp.h"
#include "netlink.h"
#include "passt.h"
#include "pasta.h"

/**
 * struct hostwatch_state - Descriptors and counters
 * @fd_nl:	Netlink socket for notifications, -1 if not watching
 * @fd_timer:	timerfd coalescing notifications, -1 if not watching
 * @fd_inotify:	inotify instance watching resolv.conf, -1 if none
 * @armed:	@fd_timer runs: a look at the host is due
 * @dns_dirty:	resolv.conf changed since the last look
 * @dns_gone:	resolv.conf was replaced or removed: no longer followed
 * @events:	Notifications read, for debugging
 * @looks:	Looks at the host, for debugging
 */
static struct hostwatch_state {
	int fd_nl;
	int fd_timer;
	int fd_inotify;
	bool armed;
	bool dns_dirty;
	bool dns_gone;
	uint64_t events;
	uint64_t looks;
} hostwatch = { .fd_nl = -1, .fd_timer = -1, .fd_inotify = -1 };

/* Events of resolv.conf we look at: written, or gone (replaced, removed) */
#define HOSTWATCH_IN_CHANGED	(IN_MODIFY | IN_CLOSE_WRITE)
#define HOSTWATCH_IN_GONE	(IN_MOVE_SELF | IN_DELETE_SELF | IN_IGNORED)

/**
 * hostwatch_add() - Add a descriptor to the epoll set
 * @c:		Execution context
 * @fd:		Descriptor
 * @type:	Its epoll reference type
 *
 * Return: 0 on success, -1 on failure
 */
static int hostwatch_add(const struct ctx *c, int fd, enum epoll_type type)
{
	union epoll_ref ref = { .type = type, .fd = fd };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ref.u64 };

	return epoll_ctl(c->epollfd, EPOLL_CTL_ADD, fd, &ev);
}

/**
 * hostwatch_arm() - Schedule a look at the host, unless one is scheduled
 *
 * #syscalls timerfd_settime
 */
static void hostwatch_arm(void)
{
	struct itimerspec it = {
		.it_value.tv_sec = HOSTWATCH_DELAY_MS / 1000,
		.it_value.tv_nsec = (HOSTWATCH_DELAY_MS % 1000) * 1000000L,
	};

	if (hostwatch.armed || hostwatch.fd_timer < 0)
		return;

	if (timerfd_settime(hostwatch.fd_timer, 0, &it, NULL)) {
		warn_perror("hostwatch: can't arm timer");
		return;
	}
	hostwatch.armed = true;
}

/**
 * hostwatch_resolv_init() - Watch resolv.conf, through the descriptor kept
 * @c:		Execution context
 *
 * The watch is set on the file we read (its descriptor's /proc link), not
 * on the path: that's the file a re-read would see.
 */
static void hostwatch_resolv_init(const struct ctx *c)
{
	int fd = conf_host_resolv_fd();
	char path[64];

	if (fd < 0)
		return;

	hostwatch.fd_inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (hostwatch.fd_inotify < 0) {
		debug_perror("Can't watch resolv.conf: inotify");
		return;
	}

	snprintf(path, sizeof(path), "/proc/self/fd/%i", fd);
	if (inotify_add_watch(hostwatch.fd_inotify, path,
			      HOSTWATCH_IN_CHANGED | HOSTWATCH_IN_GONE) < 0 ||
	    hostwatch_add(c, hostwatch.fd_inotify, EPOLL_TYPE_HOSTWATCH_DNS)) {
		debug_perror("Can't watch resolv.conf");
		close(hostwatch.fd_inotify);
		hostwatch.fd_inotify = -1;
	}
}

/**
 * hostwatch_dns_handler() - resolv.conf changed: a look is due
 * @c:		Execution context
 * @events:	epoll events
 *
 * #syscalls read
 */
void hostwatch_dns_handler(struct ctx *c, uint32_t events)
{
	char buf[sizeof(struct inotify_event) * 16]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	unsigned int reads;
	uint32_t mask = 0;
	size_t evlen = sizeof(struct inotify_event);
	ssize_t n, off;

	(void)c;
	(void)events;

	for (reads = 0; reads < HOSTWATCH_DRAIN_MAX; reads++) {
		n = read(hostwatch.fd_inotify, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (off = 0; off + (ssize_t)evlen <= n;) {
			struct inotify_event ev;

			memcpy(&ev, buf + off, sizeof(ev));
			mask |= ev.mask;
			off += (ssize_t)(sizeof(ev) + ev.len);
		}
	}

	if ((mask & HOSTWATCH_IN_GONE) && !hostwatch.dns_gone) {
		hostwatch.dns_gone = true;
		info("resolv.conf was replaced or removed: DNS settings are "
		     "no longer followed");
	}
	if (mask & HOSTWATCH_IN_CHANGED) {
		hostwatch.dns_dirty = true;
		hostwatch_arm();
	}
}

/**
 * hostwatch_init() - Watch the host's network, at start-up
 * @c:		Execution context, with the epoll instance
 * @argc:	Argument count of main(), for pasta_ns_helper_start()
 * @argv:	Arguments of main(), for pasta_ns_helper_start()
 *
 * Failing to watch is not fatal: the configuration then stays as it is.
 * A look at the host is scheduled right away, for changes that happened
 * between conf() and now.
 */
void hostwatch_init(struct ctx *c, int argc, char **argv)
{
	int fd;

	fd = nl_monitor_open();
	if (fd < 0) {
		errno = -fd;
		warn_perror("Can't watch the host's network for changes");
		return;
	}

	hostwatch.fd_timer = timerfd_create(CLOCK_MONOTONIC,
					    TFD_NONBLOCK | TFD_CLOEXEC);
	if (hostwatch.fd_timer < 0) {
		warn_perror("Can't watch the host's network: timerfd");
		goto out_close_nl;
	}

	if (hostwatch_add(c, fd, EPOLL_TYPE_HOSTWATCH_NL) ||
	    hostwatch_add(c, hostwatch.fd_timer, EPOLL_TYPE_HOSTWATCH_TIMER)) {
		warn_perror("Can't watch the host's network: epoll");
		goto out_close_timer;
	}

	hostwatch.fd_nl = fd;
	hostwatch_arm();
	hostwatch_resolv_init(c);
	pasta_ns_helper_start(c, argc, argv);
	return;

out_close_timer:
	close(hostwatch.fd_timer);
	hostwatch.fd_timer = -1;
out_close_nl:
	close(fd);
}

/**
 * hostwatch_nl_handler() - Notifications from the kernel: a look is due
 * @c:		Execution context
 * @events:	epoll events
 */
void hostwatch_nl_handler(struct ctx *c, uint32_t events)
{
	unsigned int n;

	(void)c;
	(void)events;

	n = nl_monitor_drain(hostwatch.fd_nl, HOSTWATCH_DRAIN_MAX);
	hostwatch.events += n;
	if (n)
		hostwatch_arm();
}

/**
 * hostwatch_log() - Say what the guest is given now
 * @c:		Execution context
 * @changed:	CONF_HOST_CHANGED_* flags
 */
static void hostwatch_log(const struct ctx *c, unsigned int changed)
{
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];

	if (changed & CONF_HOST_CHANGED_IP4)
		info("Host network changed: IPv4 %s/%i via %s",
		     inet_ntop(AF_INET, &c->ip4.addr, a, sizeof(a)),
		     c->ip4.prefix_len,
		     inet_ntop(AF_INET, &c->ip4.gw, g, sizeof(g)));
	if (changed & CONF_HOST_CHANGED_IP6)
		info("Host network changed: IPv6 %s/%i via %s",
		     inet_ntop(AF_INET6, &c->ip6.addr, a, sizeof(a)),
		     c->ip6.prefix_len,
		     inet_ntop(AF_INET6, &c->ip6.gw, g, sizeof(g)));
}

/**
 * hostwatch_timer_handler() - Look at the host's network, follow changes
 * @c:		Execution context
 * @events:	epoll events
 *
 * #syscalls read
 */
void hostwatch_timer_handler(struct ctx *c, uint32_t events)
{
	struct ip4_ctx old4 = c->ip4;
	struct ip6_ctx old6 = c->ip6;
	unsigned int changed;
	uint64_t expired;

	(void)events;

	if (read(hostwatch.fd_timer, &expired, sizeof(expired)) < 0 &&
	    errno == EAGAIN)
		return;		/* spurious: not expired */
	hostwatch.armed = false;
	hostwatch.looks++;

	if (hostwatch.dns_dirty) {
		hostwatch.dns_dirty = false;
		if (conf_host_dns_refresh(c)) {
			info("Host resolvers or search domains changed");
			ndp_ra_now();
		}
	}

	changed = conf_host_refresh(c);
	debug("hostwatch: look %llu after %llu notifications, changes 0x%x",
	      (unsigned long long)hostwatch.looks,
	      (unsigned long long)hostwatch.events, changed);
	if (!changed)
		return;

	hostwatch_log(c, changed);

	if (changed & CONF_HOST_CHANGED_IP6)
		ndp_ra_now();

	if (c->mode == MODE_PASTA && c->pasta_conf_ns)
		pasta_ns_update(c, &old4, &old6, changed);
}
