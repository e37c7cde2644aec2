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
 * resolv.conf: the sandbox has no filesystem, and the file is seldom
 * rewritten in place: NetworkManager and systemd-resolved write a new one
 * aside and rename it over the old one, often at the end of a symbolic
 * link, and others remove it and create it again. Following that means
 * opening the path again, so, at start-up, we fork a reader process that
 * keeps the host's filesystem view, and nothing else (resolvwatch.c): same
 * user as the daemon, no capabilities, NO_NEW_PRIVS, a seccomp filter of
 * its own. It watches the way to the file with inotify (the directory of
 * /etc/resolv.conf, the directory of each symbolic link's target along the
 * chain, the file itself), and after each burst of changes reads the file
 * from its fixed path and sends the contents over a socket pair, whose end
 * is in our epoll set. It never takes a path from us: a daemon taken over
 * gains no way to open a file. The contents are parsed as at start-up
 * (conf_host_dns_refresh()), and new resolvers and search domains reach the
 * guest with the next DHCP or DHCPv6 answer, and at once by router
 * advertisement (RDNSS, DNSSL). A file removed and not (yet) re-created
 * leaves what we had. The reader exits at end of file on its socket, when
 * we do; if it goes away first, we say so once, and keep what we had. With
 * both -D and -S, there's nothing to follow, and no reader.
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
#include <sys/timerfd.h>
#include <unistd.h>

#include "conf.h"
#include "hostwatch.h"
#include "log.h"
#include "ndp.h"
#include "netlink.h"
#include "passt.h"
#include "pasta.h"
#include "resolvwatch.h"

/**
 * struct hostwatch_state - Descriptors and counters
 * @fd_nl:	Netlink socket for notifications, -1 if not watching
 * @fd_timer:	timerfd coalescing notifications, -1 if not watching
 * @fd_resolv:	Socket to the resolv.conf reader, -1 if none
 * @armed:	@fd_timer runs: a look at the host is due
 * @events:	Notifications read, for debugging
 * @looks:	Looks at the host, for debugging
 */
static struct hostwatch_state {
	int fd_nl;
	int fd_timer;
	int fd_resolv;
	bool armed;
	uint64_t events;
	uint64_t looks;
} hostwatch = { .fd_nl = -1, .fd_timer = -1, .fd_resolv = -1 };

/* Contents of resolv.conf as the reader sent them last */
static struct resolvwatch_msg hostwatch_resolv_msg;

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
 * hostwatch_resolv_init() - Start the resolv.conf reader, watch its socket
 * @c:		Execution context
 * @argc:	Argument count of main(), for resolvwatch_start()
 * @argv:	Arguments of main(), for resolvwatch_start()
 */
static void hostwatch_resolv_init(const struct ctx *c, int argc, char **argv)
{
	int fd;

	if (!conf_host_resolv_follow())
		return;

	fd = resolvwatch_start(c, argc, argv);
	if (fd < 0) {
		errno = -fd;
		warn_perror("Can't follow %s", RESOLV_CONF_PATH);
		return;
	}

	if (hostwatch_add(c, fd, EPOLL_TYPE_HOSTWATCH_DNS)) {
		warn_perror("Can't follow %s: epoll", RESOLV_CONF_PATH);
		close(fd);	/* the reader sees end of file, and exits */
		return;
	}
	hostwatch.fd_resolv = fd;
}

/**
 * hostwatch_resolv_stop() - The reader is gone: stop listening to it
 * @c:		Execution context
 *
 * #syscalls epoll_ctl close
 */
static void hostwatch_resolv_stop(const struct ctx *c)
{
	epoll_ctl(c->epollfd, EPOLL_CTL_DEL, hostwatch.fd_resolv, NULL);
	close(hostwatch.fd_resolv);
	hostwatch.fd_resolv = -1;
	info("%s reader exited: DNS settings are no longer followed",
	     RESOLV_CONF_PATH);
}

/**
 * hostwatch_dns_handler() - New contents of resolv.conf from the reader
 * @c:		Execution context
 * @events:	epoll events
 *
 * The reader coalesced changes already: the last message read here is
 * applied right away.
 */
void hostwatch_dns_handler(struct ctx *c, uint32_t events)
{
	struct resolvwatch_msg *m = &hostwatch_resolv_msg;
	bool got = false, gone = false;
	unsigned int reads;

	if (hostwatch.fd_resolv < 0)
		return;

	for (reads = 0; reads < HOSTWATCH_DRAIN_MAX; reads++) {
		int rc = resolvwatch_recv(hostwatch.fd_resolv, m);

		if (rc == -EAGAIN)
			break;
		if (rc == -EPIPE) {
			gone = true;
			break;
		}
		/* A malformed message overwrote any good one before it */
		got = rc >= 0;
		if (!got)
			debug("hostwatch: malformed message from the %s "
			      "reader", RESOLV_CONF_PATH);
	}
	if (reads == 0 && (events & (EPOLLHUP | EPOLLERR)))
		gone = true;

	if (got && conf_host_dns_refresh(c, m->data)) {
		info("Host resolvers or search domains changed");
		ndp_ra_now();
	}

	if (gone)
		hostwatch_resolv_stop(c);
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
	hostwatch_resolv_init(c, argc, argv);
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
