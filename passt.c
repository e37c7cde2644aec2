// SPDX-License-Identifier: GPL-2.0-or-later
/* passt.c - start-up order, the epoll loop and dispatch
 *
 * DOC: Theory of Operation
 *
 * One binary, two faces: run as "pasta" (any name starting so) it serves a
 * network namespace through a tap device; under any other name it serves a
 * qemu guest through a UNIX stream socket (passt).
 *
 * Start-up: options, host configuration (conf.c), the guest's side (pasta:
 * namespaces and tap device; passt: the listening socket), daemonize unless
 * in foreground, PID file, then the loop. Everything that needs a path or a
 * privilege happens before the loop.
 *
 * The loop is a single epoll_wait(). Each registered descriptor carries a
 * union epoll_ref: its type selects exactly one handler.
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "control.h"
#include "flow.h"
#include "fwd.h"
#include "fwd_auto.h"
#include "hostwatch.h"
#include "icmp.h"
#include "isolation.h"
#include "log.h"
#include "ndp.h"
#include "netlink.h"
#include "nsbroker.h"
#include "passt.h"
#include "pasta.h"
#include "tap.h"
#include "tcp.h"
#include "tcp_splice.h"
#include "udp.h"
#include "udp_splice.h"
#include "util.h"

#define EPOLL_EVENTS		8
#define EPOLL_TIMEOUT_MS	1000

static struct ctx ctx;

/**
 * pid_file_open() - Open the PID file now, before anything is sandboxed
 * @path:	Path given with -P, or empty
 *
 * Return: file descriptor, or -1 if no PID file was asked for
 */
static int pid_file_open(const char *path)
{
	int fd;

	if (!*path)
		return -1;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die_perror("Couldn't open PID file `%s'", path);
	return fd;
}

/**
 * pid_file_write() - Write a PID to the PID file and close it
 * @fd:		File descriptor from pid_file_open(), -1 for none
 * @pid:	PID to write
 */
static void pid_file_write(int fd, pid_t pid)
{
	char buf[32];
	int n;

	if (fd < 0)
		return;

	n = snprintf(buf, sizeof(buf), "%i\n", pid);
	if (write(fd, buf, n) != n)
		die_perror("Couldn't write PID file");
	close(fd);
}

/**
 * daemonize() - Go to the background, PID file written before the parent
 *		 exits (libvirt reads it as soon as we return)
 * @pid_fd:	PID file descriptor, -1 for none
 * @devnull:	Descriptor of /dev/null for the standard streams
 */
static void daemonize(int pid_fd, int devnull)
{
	pid_t pid = fork();

	if (pid < 0)
		die_perror("Couldn't fork to go to the background");
	if (pid > 0) {
		pid_file_write(pid_fd, pid);
		_exit(EXIT_SUCCESS);
	}

	if (pid_fd >= 0)
		close(pid_fd);
	setsid();

	if (dup2(devnull, STDIN_FILENO) < 0 ||
	    dup2(devnull, STDOUT_FILENO) < 0 ||
	    dup2(devnull, STDERR_FILENO) < 0)
		die_perror("Couldn't redirect standard streams");
}

/**
 * dispatch() - Call the one handler for an epoll event
 * @c:		Execution context
 * @ref:	Reference registered with the descriptor
 * @events:	epoll events
 */
static void dispatch(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	trace("%s: event 0x%x on fd %i", epoll_type_str(ref.type), events,
	      ref.fd);

	switch ((enum epoll_type)ref.type) {
	case EPOLL_TYPE_TAP_LISTEN:
		tap_listen_handler(c, events);
		break;
	case EPOLL_TYPE_TAP_PASST:
		if ((int)ref.fd == c->fd_tap)
			tap_handler_passt(c, events);
		break;
	case EPOLL_TYPE_TAP_PASTA:
		tap_handler_pasta(c, events);
		break;
	case EPOLL_TYPE_PASTA_CHILD:
		pasta_child_handler(c, events);
		break;
	case EPOLL_TYPE_TCP:
		tcp_sock_handler(c, ref, events);
		break;
	case EPOLL_TYPE_TCP_LISTEN:
		tcp_listen_handler(c, ref, events);
		break;
	case EPOLL_TYPE_TCP_TIMER:
		tcp_timer_handler(c, ref, events);
		break;
	case EPOLL_TYPE_UDP:
		udp_sock_handler(c, ref, events);
		break;
	case EPOLL_TYPE_UDP_LISTEN:
		udp_listen_handler(c, ref, events);
		break;
	case EPOLL_TYPE_PING:
		icmp_sock_handler(c, ref, events);
		break;
	case EPOLL_TYPE_HOSTWATCH_NL:
		hostwatch_nl_handler(c, events);
		break;
	case EPOLL_TYPE_HOSTWATCH_TIMER:
		hostwatch_timer_handler(c, events);
		break;
	case EPOLL_TYPE_HOSTWATCH_DNS:
		hostwatch_dns_handler(c, events);
		break;
	case EPOLL_TYPE_TCP_SPLICE:
		tcp_splice_sock_handler(c, ref, events);
		break;
	case EPOLL_TYPE_NSBROKER:
		nsbroker_handler(c, events);
		break;
	case EPOLL_TYPE_UDP_SPLICE:
		udp_splice_handler(c, ref, events);
		break;
	case EPOLL_TYPE_CONTROL:
		control_listen_handler(c, ref, events);
		break;
	case EPOLL_TYPE_CONTROL_CONN:
		control_conn_handler(c, ref, events);
		break;
	case EPOLL_TYPE_NSQUIT:
		pasta_netns_quit_handler(c, ref, events);
		break;
	case EPOLL_TYPE_NONE:
	case EPOLL_NUM_TYPES:
	default:
		ASSERT(!"unknown epoll reference type");
	}
}

/**
 * post_batch() - Deferred work and timers, once per batch of events
 * @c:		Execution context
 * @now:	Current monotonic time, read once after epoll_wait()
 */
static void post_batch(struct ctx *c, const struct timespec *now)
{
	if (!c->no_tcp)
		tcp_post_batch(c, now);
	if (!c->no_udp)
		udp_post_batch(c, now);
	flow_defer_handler(c, now);
	if (c->ipv6_enabled && !c->no_ndp)
		ndp_timer(c, now);
	if (c->mode == MODE_PASTA) {
		fwd_auto_timer(c, now);
		udp_splice_timer(c, now);
	}
}

/**
 * ctx_init() - Set the context's fields that aren't zero by default
 * @c:		Execution context
 * @argv0:	Name we were called by
 */
static void ctx_init(struct ctx *c, const char *argv0)
{
	static const uint8_t our_mac[ETH_ADDR_LEN] = MAC_OUR_DEFAULT;
	char name[PATH_MAX];

	snprintf(name, sizeof(name), "%s", argv0);
	c->mode = strncmp(basename(name), "pasta", strlen("pasta")) ?
		  MODE_PASST : MODE_PASTA;

	c->fd_tap = c->fd_tap_listen = c->fd_given = -1;
	c->pasta_netns_fd = c->pasta_userns_fd = c->fd_pasta_child = -1;
	c->runas_uid = c->runas_gid = -1;
	c->epollfd = -1;
	c->mtu = MTU_DEFAULT;
	memcpy(c->our_mac, our_mac, sizeof(our_mac));
}

/**
 * main() - Start up, then run the loop
 * @argc:	Argument count
 * @argv:	Options, see conf.c and the man page
 *
 * Return: does not return; exits with 0, the spawned command's status
 *	   (pasta), or 1 on errors
 *
 * #syscalls epoll_wait clock_gettime exit_group
 */
int main(int argc, char **argv)
{
	struct epoll_event events[EPOLL_EVENTS];
	struct ctx *c = &ctx;
	struct timespec now;
	int pid_fd, devnull, rc;

	isolate_initial();

	ctx_init(c, argv[0]);
	log_set_ident(c->mode == MODE_PASTA ? "pasta" : "passt");

	/* A guest vanishing mid-write must not kill us */
	signal(SIGPIPE, SIG_IGN);

	rc = nl_sock_init(NL_HOST);
	if (rc) {
		errno = -rc;
		die_perror("Couldn't open netlink socket");
	}

	conf(c, argc, argv);

	if (c->debug)
		log_set_level(LOG_DEBUG);
	else if (c->quiet)
		log_set_level(LOG_WARNING);
	if (*c->log_file)
		log_open_file(c->log_file, c->log_size);

	if (!c->quiet)
		conf_print(c);

	isolate_user(c);

	c->epollfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epollfd < 0)
		die_perror("Couldn't create epoll instance");

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		die_perror("Couldn't open /dev/null");
	pid_fd = pid_file_open(c->pid_file);
	control_init(c);

	if (c->mode == MODE_PASTA) {
		if (*c->netns_path)
			pasta_open_ns(c);
		else
			pasta_start_ns(c);
		pasta_ns_conf(c);
		nsbroker_init(c, argc, argv);
	}
	tap_sock_init(c);

	flow_init();
	fwd_init(c);
	if (!c->no_tcp)
		tcp_init(c);
	if (!c->no_udp) {
		udp_init(c);
		udp_splice_listen_init(c);
	}
	fwd_auto_init(c);

	if (c->mode == MODE_PASTA) {
		pasta_child_watch(c);
		pasta_netns_quit_init(c);
		nsbroker_seal(c);
	}

	hostwatch_init(c, argc, argv);

	isolate_prefork(c);

	if (!c->foreground) {
		daemonize(pid_fd, devnull);
		log_set_dest(LOG_DEST_SYSLOG);
	} else {
		pid_file_write(pid_fd, getpid());
	}
	close(devnull);

	isolate_postfork(c);

	if (c->mode == MODE_PASTA)
		pasta_child_go();

	for (;;) {
		int n, i;

		n = epoll_wait(c->epollfd, events, EPOLL_EVENTS,
			       EPOLL_TIMEOUT_MS);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die_perror("epoll_wait");
		}

		clock_gettime(CLOCK_MONOTONIC, &now);
		c->now = now;

		for (i = 0; i < n; i++) {
			union epoll_ref ref = { .u64 = events[i].data.u64 };

			dispatch(c, ref, events[i].events);
		}

		post_batch(c, &now);
	}
}
