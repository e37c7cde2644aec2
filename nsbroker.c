// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbroker.c - pasta: sockets made inside the namespace, after the sandbox
 *
 * DOC: Theory of Operation
 *
 * A socket belongs to the network namespace it was created in, for good:
 * connect(), accept() and data work on it from anywhere. The daemon stays
 * in the host's network namespace, and once sandboxed it has no capability
 * left, so it can no longer enter the target namespace (setns()) to create
 * sockets there. Yet it needs new ones at run time: one per connection
 * from the host's loopback spliced to the namespace's loopback, and
 * listening sockets for ports that appear there later ("auto").
 *
 * So, before the sandbox, pasta forks this broker: a tiny process that
 * enters the target network namespace (while pasta still may) and creates
 * sockets on request, passing them back over a SOCK_SEQPACKET socket pair
 * with SCM_RIGHTS. It closes every other descriptor it inherited (the tap
 * device, netlink, epoll), points its standard streams to /dev/null, and
 * serves the daemon's start-up requests (listening sockets for -T and -U,
 * which may need low ports) with the privileges pasta has then. When the
 * daemon seals it, just before sandboxing itself, the broker drops to the
 * same user as the daemon (started as root: nobody or --runas), drops every
 * capability, sets NO_NEW_PRIVS and loads its own seccomp filter: receive a
 * request, create an IPv4 or IPv6 socket, set options, bind, listen, send
 * it, close. Nothing else, not even open().
 *
 * Requests and replies are fixed-size messages, answered in order: a reply
 * carries the request's operation and family, an error number, and the
 * socket unless there was an error. The daemon keeps a small pool of plain
 * TCP sockets per family, refilled without waiting (replies come through
 * epoll), so that a new spliced connection doesn't wait for the broker;
 * only an empty pool, or a listening socket, waits for the answer (a
 * bounded poll()).
 *
 * The broker exits when the daemon does: then its end of the socket pair
 * reads EOF (a parent-death signal wouldn't do: the daemon forks once more
 * to go to the background). If the broker goes away, connections that
 * would be spliced into the namespace take the tap path instead.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cap-ng.h>
#include <seccomp.h>

#include "isolation.h"
#include "log.h"
#include "nsbroker.h"
#include "passt.h"
#include "seccomp_allow.h"
#include "util.h"

#define NSB_POOL_SIZE		16	/* plain TCP sockets kept per family */
#define NSB_WAIT_MS		1000	/* longest wait for a reply */
#define NSB_LISTEN_BACKLOG	128

/**
 * enum nsb_op - What the daemon asks the broker for
 * @NSB_OP_SOCKET:	A non-blocking socket, nothing else done to it (TCP
 *			ones fill the pool, UDP ones are waited for)
 * @NSB_OP_LISTEN:	A socket bound to the loopback address of @port:
 *			TCP listening, UDP bound
 * @NSB_OP_SEAL:	Drop privileges and load the filter; no socket back
 */
enum nsb_op {
	NSB_OP_SOCKET = 1,
	NSB_OP_LISTEN,
	NSB_OP_SEAL,
};

/**
 * struct nsb_msg - A request, or its reply
 * @op:		enum nsb_op
 * @af:		AF_INET or AF_INET6
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @pad:	Zero
 * @port:	Port to bind, host order (NSB_OP_LISTEN)
 * @err:	Reply: 0 with a socket attached, or a positive errno
 */
struct nsb_msg {
	uint8_t op;
	uint8_t af;
	uint8_t proto;
	uint8_t pad;
	uint16_t port;
	int32_t err;
};

/**
 * struct nsb_pool - Sockets made in the namespace, ready for use
 * @fd:		Sockets
 * @n:		How many are in @fd
 * @asked:	Requests sent whose replies didn't come yet
 */
struct nsb_pool {
	int fd[NSB_POOL_SIZE];
	int n;
	int asked;
};

static int nsb_fd = -1;			/* daemon's end of the pair */
static bool nsb_sealed;
static struct nsb_pool nsb_pool[2];	/* [AF_INET6?] */

/* Broker side: the system calls it may make once sealed; and socket(), for
 * AF_INET and AF_INET6 only: see nsb_seal()
 */
static const int nsb_allow[] = {
	SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
	SCMP_SYS(setsockopt), SCMP_SYS(bind), SCMP_SYS(listen),
	SCMP_SYS(close), SCMP_SYS(exit_group), SCMP_SYS(exit),
	SCMP_SYS(restart_syscall), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(madvise),
	SECCOMP_ALLOW_EXTRA	/* make asan: the runtime's calls, or nothing */
};

/**
 * nsb_make() - Broker: create the socket a request asks for
 * @req:	Request
 *
 * Return: socket, or -errno
 */
static int nsb_make(const struct nsb_msg *req)
{
	int type = req->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	struct sockaddr_storage sa;
	int s, one = 1, rc;
	socklen_t sl;

	if ((req->af != AF_INET && req->af != AF_INET6) ||
	    (req->proto != IPPROTO_TCP && req->proto != IPPROTO_UDP))
		return -EINVAL;

	s = socket(req->af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, req->proto);
	if (s < 0)
		return -errno;
	if (req->op == NSB_OP_SOCKET)
		return s;

	if (req->af == AF_INET6 &&
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (type == SOCK_STREAM)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));

	sl = sockaddr_loopback(req->af, req->port, &sa);
	if (bind(s, (struct sockaddr *)&sa, sl))
		goto fail;
	if (type == SOCK_STREAM && listen(s, NSB_LISTEN_BACKLOG))
		goto fail;
	return s;

fail:
	rc = -errno;
	close(s);
	return rc;
}

/**
 * nsb_send() - Send a message, with a descriptor if @fd >= 0
 * @sock:	Socket pair end
 * @m:		Message
 * @fd:		Descriptor to pass, or -1
 *
 * Return: 0 on success, -errno on failure
 */
static int nsb_send(int sock, const struct nsb_msg *m, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)m,
			     .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}

	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(*m))
		return errno ? -errno : -EIO;
	return 0;
}

/**
 * nsb_recv() - Receive a message and the descriptor it may carry
 * @sock:	Socket pair end
 * @m:		Message, filled in
 * @fd:		Descriptor passed, -1 if none
 * @wait:	Block until a message comes
 *
 * Return: 0 on success, -EAGAIN if nothing is there, -EPIPE at EOF,
 *	   -errno on other failures
 */
static int nsb_recv(int sock, struct nsb_msg *m, int *fd, bool wait)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (!n)
		return -EPIPE;

	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	}
	if (n != (ssize_t)sizeof(*m) || (mh.msg_flags & MSG_CTRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -EPROTO;
	}
	return 0;
}

/**
 * nsb_seal() - Broker: same user as the daemon, no capabilities, filter
 * @c:		Execution context (runas IDs)
 *
 * Return: 0 on success, -errno on failure
 */
static int nsb_seal(const struct ctx *c)
{
	scmp_filter_ctx sc;
	int rc;

	if (!geteuid() && c->runas_uid >= 0) {
		if (setgroups(0, NULL) || setgid((gid_t)c->runas_gid) ||
		    setuid((uid_t)c->runas_uid))
			return -errno;
	}

	capng_clear(CAPNG_SELECT_ALL);
	if (capng_apply(CAPNG_SELECT_ALL))
		return -EPERM;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;

	/* socket(): AF_INET and AF_INET6 only */
	sc = isolate_helper_filter(nsb_allow, ARRAY_SIZE(nsb_allow));
	if (!sc)
		return -ENOMEM;
	rc = seccomp_rule_add(sc, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
			      SCMP_A0(SCMP_CMP_EQ, AF_INET, 0));
	if (!rc)
		rc = seccomp_rule_add(sc, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_INET6, 0));
	if (rc) {
		seccomp_release(sc);
		return rc;
	}
	return isolate_helper_load(sc);
}

/**
 * nsb_serve() - Broker: answer requests until the daemon goes away
 * @c:		Execution context
 * @sock:	Our end of the socket pair
 *
 * Never returns.
 */
static void nsb_serve(const struct ctx *c, int sock)
{
	for (;;) {
		struct nsb_msg req, rep;
		int rc, fd, s = -1;

		rc = nsb_recv(sock, &req, &fd, true);
		if (rc == -EINTR || rc == -EAGAIN)
			continue;
		if (rc)
			_exit(rc == -EPIPE ? EXIT_SUCCESS : EXIT_FAILURE);
		if (fd >= 0)
			close(fd);	/* never sent to us: ignore */

		rep = req;
		rep.err = 0;
		if (req.op == NSB_OP_SEAL) {
			rc = nsb_seal(c);
			rep.err = -rc;
			if (nsb_send(sock, &rep, -1) || rc)
				_exit(EXIT_FAILURE);
			continue;
		}

		s = nsb_make(&req);
		rep.err = s < 0 ? -s : 0;
		if (nsb_send(sock, &rep, s))
			_exit(EXIT_FAILURE);
		if (s >= 0)
			close(s);
	}
}

/**
 * nsb_child() - Broker: enter the namespace, shed what we inherited, serve
 * @c:		Execution context
 * @sock:	Our end of the socket pair
 * @argc:	Argument count of main()
 * @argv:	Arguments of main()
 *
 * Never returns.
 */
static void nsb_child(const struct ctx *c, int sock, int argc, char **argv)
{
	int devnull, flags;

	isolate_helper_title(argc, argv);

	if (setns(c->pasta_netns_fd, CLONE_NEWNET))
		_exit(EXIT_FAILURE);

	devnull = open("/dev/null", O_RDWR);
	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
	    dup2(devnull, STDOUT_FILENO) < 0 ||
	    dup2(devnull, STDERR_FILENO) < 0)
		_exit(EXIT_FAILURE);

	/* Our socket on descriptor 3, then nothing above it */
	if (sock != 3 && dup2(sock, 3) < 0)
		_exit(EXIT_FAILURE);
	if (syscall(SYS_close_range, 4U, ~0U, 0U)) {
		int fd;

		for (fd = 4; fd < 65536; fd++)
			close(fd);
	}
	/* Blocking: the broker only ever waits for the next request */
	flags = fcntl(3, F_GETFL);
	if (flags < 0 || fcntl(3, F_SETFL, flags & ~O_NONBLOCK))
		_exit(EXIT_FAILURE);

	signal(SIGPIPE, SIG_IGN);
	nsb_serve(c, 3);
}

/**
 * nsbroker_init() - Fork the broker, in the target network namespace
 * @c:		Execution context: pasta, namespace open and joinable
 * @argc:	Argument count of main()
 * @argv:	Arguments of main(), blanked in the broker
 *
 * Start-up only, before the sandbox. On failure, splicing into the
 * namespace and its listening sockets are simply not available.
 */
void nsbroker_init(struct ctx *c, int argc, char **argv)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		warn_perror("Couldn't create the namespace broker's socket");
		return;
	}

	pid = fork();
	if (pid < 0) {
		warn_perror("Couldn't fork the namespace broker");
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (!pid) {
		nsb_child(c, sv[1], argc, argv);
		_exit(EXIT_FAILURE);
	}

	close(sv[1]);
	nsb_fd = sv[0];
	debug("Namespace socket broker: PID %i", pid);
}

/**
 * nsb_pool_of() - Pool of a family
 * @af:		AF_INET or AF_INET6
 *
 * Return: the pool
 */
static struct nsb_pool *nsb_pool_of(int af)
{
	return &nsb_pool[af == AF_INET6];
}

/**
 * nsb_broken() - The broker is gone or misbehaved: stop using it
 * @c:		Execution context
 * @why:	What happened, for the log
 *
 * #syscalls:pasta close
 */
static void nsb_broken(struct ctx *c, const char *why)
{
	int i, j;

	(void)c;
	if (nsb_fd < 0)
		return;
	warn("Namespace socket broker: %s: connections from the host's "
	     "loopback now take the tap device", why);
	close(nsb_fd);		/* also leaves epoll */
	nsb_fd = -1;
	for (i = 0; i < 2; i++) {
		for (j = 0; j < nsb_pool[i].n; j++)
			close(nsb_pool[i].fd[j]);
		nsb_pool[i].n = nsb_pool[i].asked = 0;
	}
}

/**
 * nsb_reply() - Take one reply: pool sockets go to their pool
 * @c:		Execution context
 * @m:		Reply, filled in
 * @fd:		Socket it carried, -1 if none (a pool reply: always -1)
 * @wait:	Wait for it, at most NSB_WAIT_MS
 *
 * Return: 0 on success, -EAGAIN if none came, -errno if the broker broke
 *
 * #syscalls:pasta recvmsg poll close
 */
static int nsb_reply(struct ctx *c, struct nsb_msg *m, int *fd, bool wait)
{
	int rc;

	for (;;) {
		struct pollfd pfd = { .fd = nsb_fd, .events = POLLIN };

		rc = nsb_recv(nsb_fd, m, fd, false);
		if (rc == -EINTR)
			continue;
		if (rc == -EAGAIN && wait) {
			rc = poll(&pfd, 1, NSB_WAIT_MS);
			if (rc < 0 && errno == EINTR)
				continue;
			if (rc <= 0) {
				nsb_broken(c, "no answer");
				return -ETIMEDOUT;
			}
			continue;
		}
		if (rc == -EAGAIN)
			return rc;
		if (rc) {
			nsb_broken(c, rc == -EPIPE ? "exited" :
				   "bad message");
			return rc;
		}
		break;
	}

	if (m->op == NSB_OP_SOCKET && m->proto == IPPROTO_TCP) {
		struct nsb_pool *p = nsb_pool_of(m->af);

		if (p->asked)
			p->asked--;
		if (*fd >= 0 && p->n < NSB_POOL_SIZE)
			p->fd[p->n++] = *fd;
		else if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	return 0;
}

/**
 * nsb_request() - Send a request
 * @c:		Execution context
 * @op:		enum nsb_op
 * @af:		Family
 * @proto:	Protocol
 * @port:	Port
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls:pasta sendmsg
 */
static int nsb_request(struct ctx *c, enum nsb_op op, int af, int proto,
		       in_port_t port)
{
	struct nsb_msg m = { .op = (uint8_t)op, .af = (uint8_t)af,
			     .proto = (uint8_t)proto, .port = port };
	int rc;

	if (nsb_fd < 0)
		return -ENOTCONN;
	rc = nsb_send(nsb_fd, &m, -1);
	if (rc && rc != -EAGAIN)
		nsb_broken(c, "gone");
	return rc;
}

/**
 * nsb_call() - Send a request and wait for its own reply
 * @c:		Execution context
 * @op:		NSB_OP_LISTEN, NSB_OP_SEAL, or NSB_OP_SOCKET for UDP
 * @af:		Family
 * @proto:	Protocol
 * @port:	Port
 *
 * Return: socket (or 0 for NSB_OP_SEAL), or -errno
 */
static int nsb_call(struct ctx *c, enum nsb_op op, int af, int proto,
		    in_port_t port)
{
	struct nsb_msg m;
	int rc, fd;

	rc = nsb_request(c, op, af, proto, port);
	if (rc)
		return rc;

	for (;;) {
		rc = nsb_reply(c, &m, &fd, true);
		if (rc)
			return rc;
		if (m.op == NSB_OP_SOCKET && m.proto == IPPROTO_TCP)
			continue;	/* an earlier pool request */
		if (m.op != op) {
			if (fd >= 0)
				close(fd);
			nsb_broken(c, "reply out of order");
			return -EPROTO;
		}
		if (m.err) {
			if (fd >= 0)
				close(fd);
			return -m.err;
		}
		if (op == NSB_OP_SEAL)
			return 0;
		return fd >= 0 ? fd : -EPROTO;
	}
}

/**
 * nsbroker_listen() - A socket bound to the namespace's loopback
 * @c:		Execution context
 * @af:		AF_INET (127.0.0.1) or AF_INET6 (::1, IPv6 only)
 * @proto:	IPPROTO_TCP (listening) or IPPROTO_UDP (bound)
 * @port:	Port, host order
 *
 * Waits for the broker, at most NSB_WAIT_MS.
 *
 * Return: non-blocking socket, or -errno
 */
int nsbroker_listen(struct ctx *c, int af, int proto, in_port_t port)
{
	return nsb_call(c, NSB_OP_LISTEN, af, proto, port);
}

/**
 * nsbroker_udp_socket() - A non-blocking UDP socket in the namespace
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 *
 * Waits for the broker, at most NSB_WAIT_MS.
 *
 * Return: socket, or -errno
 */
int nsbroker_udp_socket(struct ctx *c, int af)
{
	if (!nsbroker_ready())
		return -ENOTCONN;
	return nsb_call(c, NSB_OP_SOCKET, af, IPPROTO_UDP, 0);
}

/**
 * nsb_refill() - Ask for enough sockets to fill a pool again
 * @c:		Execution context
 * @af:		Family
 */
static void nsb_refill(struct ctx *c, int af)
{
	struct nsb_pool *p = nsb_pool_of(af);

	while (nsb_fd >= 0 && p->n + p->asked < NSB_POOL_SIZE) {
		if (nsb_request(c, NSB_OP_SOCKET, af, IPPROTO_TCP, 0))
			return;
		p->asked++;
	}
}

/**
 * nsbroker_seal() - Have the broker sandbox itself, then fill the pools
 * @c:		Execution context
 *
 * Called just before the daemon's own sandbox. From then on, the daemon's
 * end of the socket pair is non-blocking and in the epoll set. The pools
 * are full on return.
 */
void nsbroker_seal(struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_NSBROKER };
	struct epoll_event ev = { .events = EPOLLIN };
	int rc;

	if (nsb_fd < 0)
		return;

	rc = nsb_call(c, NSB_OP_SEAL, AF_INET, IPPROTO_TCP, 0);
	if (rc) {
		errno = -rc;
		die_perror("Couldn't sandbox the namespace socket broker");
	}
	nsb_sealed = true;

	ref.fd = nsb_fd;
	ev.data.u64 = ref.u64;
	if (fcntl(nsb_fd, F_SETFL, O_NONBLOCK) ||
	    epoll_ctl(c->epollfd, EPOLL_CTL_ADD, nsb_fd, &ev)) {
		nsb_broken(c, "can't watch it");
		return;
	}

	if (c->ipv4_enabled)
		nsb_refill(c, AF_INET);
	if (c->ipv6_enabled)
		nsb_refill(c, AF_INET6);

	/* Full pools before the loop: the descriptors we hold don't change
	 * once start-up is over, until connections come
	 */
	while (nsb_fd >= 0 && (nsb_pool[0].asked || nsb_pool[1].asked)) {
		struct nsb_msg m;
		int fd;

		if (nsb_reply(c, &m, &fd, true))
			break;
		if (fd >= 0)
			close(fd);
	}
}

/**
 * nsbroker_ready() - Tell if the broker is there to make sockets
 *
 * Return: true if it is, and sealed
 */
bool nsbroker_ready(void)
{
	return nsb_fd >= 0 && nsb_sealed;
}

/**
 * nsbroker_socket() - A non-blocking TCP socket in the namespace
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 *
 * From the pool if it has one (and the pool is refilled in the
 * background), else waits for the broker, at most NSB_WAIT_MS.
 *
 * Return: socket, or -errno
 */
int nsbroker_socket(struct ctx *c, int af)
{
	struct nsb_pool *p = nsb_pool_of(af);
	int fd, rc;

	if (!nsbroker_ready())
		return -ENOTCONN;

	while (!p->n) {
		struct nsb_msg m;

		if (!p->asked) {
			nsb_refill(c, af);
			if (!p->asked)
				return -ENOTCONN;
		}
		rc = nsb_reply(c, &m, &fd, true);
		if (rc)
			return rc;
		if (m.op != NSB_OP_SOCKET) {
			if (fd >= 0)
				close(fd);
			nsb_broken(c, "unexpected reply");
			return -EPROTO;
		}
	}

	fd = p->fd[--p->n];
	nsb_refill(c, af);
	return fd;
}

/**
 * nsbroker_handler() - Replies from the broker: pool sockets arrived
 * @c:		Execution context
 * @events:	epoll events
 */
void nsbroker_handler(struct ctx *c, uint32_t events)
{
	struct nsb_msg m;
	int fd;

	(void)events;

	while (nsb_fd >= 0 && !nsb_reply(c, &m, &fd, false)) {
		if (fd >= 0)
			close(fd);	/* nothing unsolicited is expected */
	}
}
