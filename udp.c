// SPDX-License-Identifier: GPL-2.0-or-later
/* udp.c - UDP translation: flows both ways, forwarded ports, ICMP errors
 *
 * DOC: Theory of Operation
 *
 * A UDP flow is one exchange as the guest sees it: its own address and
 * port, and the address and port of the other end. Flows live in the flow
 * table, keyed by that view, and end once no datagram went either way for
 * UDP_TIMEOUT_DEFAULT seconds (or --udp-timeout): the next sweep closes
 * what they own and frees them.
 *
 * Outbound (the guest speaks first): the destination goes through
 * fwd_nat_outbound(), which may translate it (the gateway stands for the
 * host's loopback, the --dns-forward address on port 53 for the host's
 * resolver). The flow gets a socket of its own, bound to the guest's source
 * port if the host has it free (some protocols care about the port; any
 * port otherwise, and always for the host's loopback), and connected to the
 * translated destination. Being
 * connected, the socket only hears from that peer, and what it hears goes
 * to the guest as coming from the address and port the guest wrote to: the
 * translation is undone without a look-up.
 *
 * Inbound (-u): udp_init() binds a socket to each forwarded port, for each
 * IP version the guest has, or on the address the option names. A datagram
 * from a peer finds or makes the flow (guest's address, target port, the
 * peer as fwd_nat_inbound() shows it to the guest, the peer's port); the
 * guest's replies go back through that same socket, addressed to the
 * peer, so that they leave from the port the peer wrote to. Inbound flows have no socket
 * of their own: the forwarded port's socket is bound at start-up, when
 * ports below 1024 can still be bound, and one read serves any number of
 * peers.
 *
 * Batching: one recvmmsg() reads up to UDP_BATCH datagrams straight into
 * frame buffers, behind room for the Ethernet, IP and UDP headers, which
 * are then written in place, and tap_send_frames() sends the batch to the
 * guest in one go. Datagrams from the guest arrive one frame at a time from
 * tap.c: each is queued (a pointer to its payload in tap.c's buffer, and
 * the socket and destination to send it with), and udp_tap_flush(), which
 * tap.c calls once it is through a batch of frames (before it reuses their
 * memory), sends the queue with one sendmmsg() per run of datagrams for the
 * same socket. Nothing is copied.
 *
 * Sizes: datagrams that fit the guest's MTU go both ways (with the default
 * 65520 bytes, 65492 bytes of payload over IPv4). Larger ones from the host
 * would need fragments, which we don't build: they are dropped and counted.
 * What the guest sends, the host's kernel fragments if its path needs it.
 * The guest's UDP checksums are not checked: its frames never crossed a
 * wire, and the host's stack checksums what it sends anyway.
 *
 * ICMP errors: our sockets have IP_RECVERR (IPV6_RECVERR), so an ICMP error
 * caused by a datagram of the guest is queued on the socket's error queue,
 * with the start of the datagram's payload. A destination unreachable error
 * (typically port unreachable) becomes the same error to the guest, from
 * the address it wrote to, quoting the IP and UDP headers of its datagram as
 * it sent them (RFC 792) and as much of the payload as RFC 1812 4.3.2.3
 * (576 bytes for the whole ICMP datagram) and RFC 4443 2.4 (c) (the IPv6
 * minimum MTU) allow: the guest's stack matches the quote to its socket,
 * and the application there sees ECONNREFUSED. Other errors (time exceeded,
 * fragmentation needed) concern the host's path, not the guest's: they are
 * read and dropped.
 *
 * DNS needs nothing here: the --dns-forward address is translated by
 * fwd_nat_outbound() like any other, and conf_host.c sets it up when the
 * host's resolver is on its loopback.
 *
 * Limits: a peer answering from another port than the one the guest wrote
 * to (TFTP, some STUN) is not heard, as outbound sockets are connected.
 * Inbound replies leave from the address the host's routing picks, which
 * is the one the peer wrote to unless the host has several on that path.
 * pasta's -U (namespace to host) and "auto" forwarding aren't implemented
 * for UDP yet. Multicast and broadcast from the guest are dropped.
 */

#include <errno.h>
#include <time.h>	/* before linux/errqueue.h, which needs timespec */
#include <linux/errqueue.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checksum.h"
#include "flow.h"
#include "flow_table.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "passt.h"
#include "tap.h"
#include "udp.h"
#include "udp_internal.h"
#include "udp_splice.h"
#include "util.h"

#define UDP_PORTS		65536

/**
 * union udp_sockaddr - Socket address of either family
 * @sa:		Generic
 * @sa4:	IPv4
 * @sa6:	IPv6
 */
union udp_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in sa4;
	struct sockaddr_in6 sa6;
};

/**
 * struct udp_buf - A frame buffer: payload received behind header room
 * @room:	Headers, written in place once the payload is in; the frame
 *		starts where udp_frame_hdrs() says
 * @data:	Payload, as recvmmsg() wrote it
 */
struct udp_buf {
	uint8_t room[UDP_HDR_ROOM];
	uint8_t data[UDP_PAYLOAD_MAX];
};

static struct udp_buf udp_bufs[UDP_BATCH];
static struct iovec udp_iov[UDP_BATCH];
static struct mmsghdr udp_mmh[UDP_BATCH];
static union udp_sockaddr udp_names[UDP_BATCH];
static struct iovec udp_frames[UDP_BATCH];

/* Sockets of forwarded ports, [IPv6?][port]: descriptor + 1, 0 for none (so
 * that the table needs no initialisation, and stays untouched memory)
 */
static int udp_port_sock[2][UDP_PORTS];

/* Datagrams from the guest waiting for udp_tap_flush(): the socket, the
 * flow (for log messages), and the message, with the destination for
 * unconnected (inbound) sockets
 */
static int udp_out_fd[UDP_BATCH];
static unsigned int udp_out_flow[UDP_BATCH];
static struct iovec udp_out_iov[UDP_BATCH];
static union udp_sockaddr udp_out_names[UDP_BATCH];
static struct mmsghdr udp_out_mmh[UDP_BATCH];
static unsigned int udp_out_n;

static unsigned int udp_timeout = UDP_TIMEOUT_DEFAULT;
static unsigned long udp_dropped_big;

/**
 * udp_set_timeout() - Set the idle timeout of flows (--udp-timeout)
 * @seconds:	Timeout, 1 to UDP_TIMEOUT_MAX (checked by the caller)
 */
void udp_set_timeout(unsigned int seconds)
{
	udp_timeout = seconds;
}

/**
 * udp_payload_max() - Largest payload that fits the guest's MTU unfragmented
 * @v6:		IPv6 rather than IPv4
 * @mtu:	Guest's MTU
 *
 * Return: bytes of UDP payload
 */
size_t udp_payload_max(bool v6, int mtu)
{
	size_t hdrs = (v6 ? sizeof(struct ip6_hdr) : sizeof(struct iphdr)) +
		      sizeof(struct udphdr);
	size_t l3 = MIN((size_t)mtu, (size_t)65535);

	if (v6)	/* the IPv6 payload length doesn't count its header */
		l3 = MIN((size_t)mtu, 65535 + sizeof(struct ip6_hdr));
	if (l3 <= hdrs)
		return 0;
	return MIN(l3 - hdrs, (size_t)UDP_PAYLOAD_MAX);
}

/**
 * udp_sa_set() - Fill a socket address from an address and a port
 * @sa:		Socket address to fill
 * @a:		Address, IPv4 as v4-mapped
 * @port:	Port, host order
 *
 * Return: length of the socket address
 */
static socklen_t udp_sa_set(union udp_sockaddr *sa, const union inany_addr *a,
			    in_port_t port)
{
	const struct in_addr *a4 = inany_v4(a);

	memset(sa, 0, sizeof(*sa));
	if (a4) {
		sa->sa4.sin_family = AF_INET;
		sa->sa4.sin_addr = *a4;
		sa->sa4.sin_port = htons(port);
		return sizeof(sa->sa4);
	}
	sa->sa6.sin6_family = AF_INET6;
	sa->sa6.sin6_addr = a->a6;
	sa->sa6.sin6_port = htons(port);
	return sizeof(sa->sa6);
}

/**
 * udp_sa_get() - Address and port of a socket address
 * @sa:		Socket address, as the kernel filled it
 * @len:	Its length, as the kernel said
 * @a:		Address, IPv4 as v4-mapped
 * @port:	Port, host order
 *
 * Return: true if the family and length make sense
 */
static bool udp_sa_get(const union udp_sockaddr *sa, socklen_t len,
		       union inany_addr *a, in_port_t *port)
{
	if (len >= sizeof(sa->sa4) && sa->sa.sa_family == AF_INET) {
		inany_from_v4(a, sa->sa4.sin_addr);
		*port = ntohs(sa->sa4.sin_port);
		return true;
	}
	if (len >= sizeof(sa->sa6) && sa->sa.sa_family == AF_INET6) {
		a->a6 = sa->sa6.sin6_addr;
		*port = ntohs(sa->sa6.sin6_port);
		return true;
	}
	return false;
}

/**
 * udp_is_loopback() - Tell if an address is on the host's loopback
 * @a:		Address
 *
 * Return: true for 127.0.0.0/8 and ::1
 */
static bool udp_is_loopback(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return (ntohl(a4->s_addr) >> 24) == IN_LOOPBACKNET;
	return IN6_IS_ADDR_LOOPBACK(&a->a6);
}

/**
 * udp_frame_hdrs() - Write the headers of a frame to the guest in place
 * @room:	Room in front of the payload, UDP_HDR_ROOM bytes
 * @payload:	Payload, right after @room
 * @plen:	Payload length, at most UDP_PAYLOAD_MAX
 * @tap:	Guest's view of the flow: the frame goes from @tap->daddr,
 *		@tap->dport to @tap->gaddr, @tap->gport
 * @src_mac:	Our MAC address
 * @dst_mac:	The guest's MAC address (or broadcast, not learnt yet)
 *
 * Return: offset of the frame's first byte in @room (IPv4 headers are
 *	   shorter): the frame is UDP_HDR_ROOM - offset + @plen bytes long
 */
size_t udp_frame_hdrs(uint8_t room[UDP_HDR_ROOM], const uint8_t *payload,
		      size_t plen, const struct flowside *tap,
		      const uint8_t *src_mac, const uint8_t *dst_mac)
{
	const struct in_addr *src4 = inany_v4(&tap->daddr);
	const struct in_addr *dst4 = inany_v4(&tap->gaddr);
	size_t ulen = sizeof(struct udphdr) + plen, off;
	struct ether_header eh;
	struct udphdr uh;
	uint32_t sum;

	memcpy(eh.ether_dhost, dst_mac, ETH_ALEN);
	memcpy(eh.ether_shost, src_mac, ETH_ALEN);

	uh.source = htons(tap->dport);
	uh.dest = htons(tap->gport);
	uh.len = htons((uint16_t)ulen);
	uh.check = 0;

	if (src4 && dst4) {
		struct iphdr ip;

		ip4_hdr_build(&ip, IPPROTO_UDP, ulen, *src4, *dst4, UDP_TTL,
			      true);

		sum = csum_pseudo4((uint16_t)ulen, IPPROTO_UDP, *src4, *dst4);
		eh.ether_type = htons(ETHERTYPE_IP);
		off = sizeof(struct ip6_hdr) - sizeof(ip);
		memcpy(room + off + ETH_HLEN, &ip, sizeof(ip));
	} else {
		struct ip6_hdr ip6;

		memset(&ip6, 0, sizeof(ip6));
		ip6.ip6_flow = htonl(6U << 28);
		ip6.ip6_plen = htons((uint16_t)ulen);
		ip6.ip6_nxt = IPPROTO_UDP;
		ip6.ip6_hlim = UDP_TTL;
		ip6.ip6_src = tap->daddr.a6;
		ip6.ip6_dst = tap->gaddr.a6;

		sum = csum_pseudo6((uint32_t)ulen, IPPROTO_UDP, &ip6.ip6_src,
				   &ip6.ip6_dst);
		eh.ether_type = htons(ETHERTYPE_IPV6);
		off = 0;
		memcpy(room + ETH_HLEN, &ip6, sizeof(ip6));
	}

	/* RFC 768: the sum covers the pseudo-header, header and payload */
	sum = csum_unfolded(&uh, sizeof(uh), sum);
	uh.check = csum(payload, plen, sum);
	if (!uh.check)
		uh.check = 0xffff;	/* zero would mean "no checksum" */

	memcpy(room + off, &eh, sizeof(eh));
	memcpy(room + UDP_HDR_ROOM - sizeof(uh), &uh, sizeof(uh));
	return off;
}

/**
 * udp_err_map() - The ICMP error to give the guest for one the host got
 * @v6:		The flow is IPv6
 * @origin:	ee_origin of the queued error
 * @type:	ICMP or ICMPv6 type the host received
 * @code:	Its code
 * @otype:	Type to send to the guest
 * @ocode:	Code to send to the guest
 *
 * Destination unreachable errors are passed on with their code, but for
 * IPv4's "fragmentation needed": the host fragments for its own path, and
 * the guest's MTU is ours, so that one is the host's business.
 *
 * Return: true if the guest gets an error, false if it's dropped
 */
bool udp_err_map(bool v6, uint8_t origin, uint8_t type, uint8_t code,
		 uint8_t *otype, uint8_t *ocode)
{
	if (!v6) {
		if (origin != SO_EE_ORIGIN_ICMP || type != ICMP_DEST_UNREACH ||
		    code == ICMP_FRAG_NEEDED || code > NR_ICMP_UNREACH)
			return false;
		*otype = ICMP_DEST_UNREACH;
		*ocode = code;
		return true;
	}

	if (origin != SO_EE_ORIGIN_ICMP6 || type != ICMP6_DST_UNREACH)
		return false;
	*otype = ICMP6_DST_UNREACH;
	*ocode = code;
	return true;
}

/**
 * udp_icmp4_err_build() - Build an ICMP error quoting a guest's datagram
 * @buf:	Buffer for the ICMP message
 * @size:	Size of @buf
 * @type:	ICMP type
 * @code:	ICMP code
 * @tap:	Guest's view of the flow: the quoted datagram went from
 *		@tap->gaddr, @tap->gport to @tap->daddr, @tap->dport
 * @ulen:	UDP length of the quoted datagram
 * @payload:	Start of its payload, as the host's error queue gave it
 * @plen:	Bytes at @payload
 *
 * The message is the ICMP header (checksum left to tap_icmp4_send()), then
 * the datagram's IPv4 header and UDP header as the guest sent them, then as
 * much of the payload as keeps the ICMP datagram within 576 bytes (RFC 792,
 * RFC 1812 4.3.2.3). The quoted UDP checksum is zero, "none" (RFC 768): the
 * guest never checks a quote's.
 *
 * Return: length of the message, 0 if @buf is too small or @tap not IPv4
 */
size_t udp_icmp4_err_build(uint8_t *buf, size_t size, uint8_t type,
			   uint8_t code, const struct flowside *tap,
			   size_t ulen, const uint8_t *payload, size_t plen)
{
	const struct in_addr *g4 = inany_v4(&tap->gaddr);
	const struct in_addr *d4 = inany_v4(&tap->daddr);
	struct icmphdr ih;
	struct udphdr uh;
	struct iphdr ip;
	size_t len;

	plen = MIN(plen, (size_t)UDP_ICMP4_QUOTE_MAX);
	ulen = MIN(MAX(ulen, sizeof(uh) + plen), 65535 - sizeof(ip));
	len = sizeof(ih) + sizeof(ip) + sizeof(uh) + plen;
	if (!g4 || !d4 || size < len)
		return 0;

	memset(&ih, 0, sizeof(ih));
	ih.type = type;
	ih.code = code;

	ip4_hdr_build(&ip, IPPROTO_UDP, ulen, *g4, *d4, UDP_TTL, true);

	uh.source = htons(tap->gport);
	uh.dest = htons(tap->dport);
	uh.len = htons((uint16_t)ulen);
	uh.check = 0;

	memcpy(buf, &ih, sizeof(ih));
	memcpy(buf + sizeof(ih), &ip, sizeof(ip));
	memcpy(buf + sizeof(ih) + sizeof(ip), &uh, sizeof(uh));
	memcpy(buf + sizeof(ih) + sizeof(ip) + sizeof(uh), payload, plen);
	return len;
}

/**
 * udp_icmp6_err_build() - Build an ICMPv6 error quoting a guest's datagram
 * @buf:	Buffer for the ICMPv6 message
 * @size:	Size of @buf
 * @type:	ICMPv6 type
 * @code:	ICMPv6 code
 * @tap:	Guest's view of the flow: the quoted datagram went from
 *		@tap->gaddr, @tap->gport to @tap->daddr, @tap->dport
 * @ulen:	UDP length of the quoted datagram
 * @payload:	Start of its payload, as the host's error queue gave it
 * @plen:	Bytes at @payload
 *
 * As udp_icmp4_err_build(), within the IPv6 minimum MTU (RFC 4443 2.4 (c)).
 * The checksum is left to tap_icmp6_send().
 *
 * Return: length of the message, 0 if @buf is too small or @tap is IPv4
 */
size_t udp_icmp6_err_build(uint8_t *buf, size_t size, uint8_t type,
			   uint8_t code, const struct flowside *tap,
			   size_t ulen, const uint8_t *payload, size_t plen)
{
	struct icmp6_hdr ih;
	struct ip6_hdr ip6;
	struct udphdr uh;
	size_t len;

	plen = MIN(plen, (size_t)UDP_ICMP6_QUOTE_MAX);
	ulen = MIN(MAX(ulen, sizeof(uh) + plen), (size_t)65535);
	len = sizeof(ih) + sizeof(ip6) + sizeof(uh) + plen;
	if (inany_v4(&tap->gaddr) || inany_v4(&tap->daddr) || size < len)
		return 0;

	memset(&ih, 0, sizeof(ih));
	ih.icmp6_type = type;
	ih.icmp6_code = code;

	memset(&ip6, 0, sizeof(ip6));
	ip6.ip6_flow = htonl(6U << 28);
	ip6.ip6_plen = htons((uint16_t)ulen);
	ip6.ip6_nxt = IPPROTO_UDP;
	ip6.ip6_hlim = UDP_TTL;
	ip6.ip6_src = tap->gaddr.a6;
	ip6.ip6_dst = tap->daddr.a6;

	uh.source = htons(tap->gport);
	uh.dest = htons(tap->dport);
	uh.len = htons((uint16_t)ulen);
	uh.check = 0;

	memcpy(buf, &ih, sizeof(ih));
	memcpy(buf + sizeof(ih), &ip6, sizeof(ip6));
	memcpy(buf + sizeof(ih) + sizeof(ip6), &uh, sizeof(uh));
	memcpy(buf + sizeof(ih) + sizeof(ip6) + sizeof(uh), payload, plen);
	return len;
}

/**
 * udp_epoll_add() - Register a socket with epoll
 * @c:		Execution context
 * @type:	EPOLL_TYPE_UDP or EPOLL_TYPE_UDP_LISTEN
 * @fd:		Socket
 * @idx:	Flow index, or port and family of a forwarded port
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls epoll_ctl
 */
static int udp_epoll_add(const struct ctx *c, enum epoll_type type, int fd,
			 uint32_t idx)
{
	union epoll_ref ref = { .type = type, .fd = fd, .idx = idx };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ref.u64 };

	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

/**
 * udp_sock_new() - A non-blocking UDP socket with IP_RECVERR set
 * @v6:		IPv6 (IPV6_V6ONLY, IPV6_RECVERR) rather than IPv4
 *
 * Return: socket, or -errno
 *
 * #syscalls socket setsockopt close
 */
static int udp_sock_new(bool v6)
{
	int fd, one = 1, rc;

	fd = socket(v6 ? AF_INET6 : AF_INET,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;

	if (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       v6 ? IPV6_RECVERR : IP_RECVERR, &one, sizeof(one)))
		goto fail;
	return fd;

fail:
	rc = -errno;
	close(fd);
	return rc;
}

/**
 * udp_sock_out() - Socket of an outbound flow, bound and connected
 * @c:		Execution context
 * @side:	Guest's view of the flow
 * @hdst:	Translated destination
 *
 * The socket binds to the --outbound address and interface, but not for
 * the host's loopback, and to the guest's own source port if the host has
 * it free, to any port otherwise. Not to the guest's port for the host's
 * loopback, or for a destination port equal to it: if the destination is
 * the host itself, the socket would be bound and connected to itself, and
 * echo the guest's datagrams.
 *
 * Return: socket, or -errno
 *
 * #syscalls socket setsockopt bind connect close
 */
static int udp_sock_out(const struct ctx *c, const struct flowside *side,
			const union inany_addr *hdst)
{
	bool v6 = !inany_v4(hdst), lo = udp_is_loopback(hdst);
	const char *ifname = v6 ? c->ip6.ifname_out : c->ip4.ifname_out;
	union udp_sockaddr sa;
	union inany_addr src;
	socklen_t sl;
	int fd, rc;

	fd = udp_sock_new(v6);
	if (fd < 0)
		return fd;

	if (v6)
		src.a6 = lo ? in6addr_any : c->ip6.addr_out;
	else if (lo)
		inany_from_v4(&src, (struct in_addr){ htonl(INADDR_ANY) });
	else
		inany_from_v4(&src, c->ip4.addr_out);

	if (!lo && *ifname &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       strlen(ifname) + 1))
		goto fail;

	sl = udp_sa_set(&sa, &src, lo || side->gport == side->dport ?
					  0 : side->gport);
	if (bind(fd, &sa.sa, sl)) {
		sl = udp_sa_set(&sa, &src, 0);
		if (bind(fd, &sa.sa, sl))
			goto fail;
	}

	sl = udp_sa_set(&sa, hdst, side->dport);
	if (connect(fd, &sa.sa, sl))
		goto fail;

	return fd;

fail:
	rc = -errno;
	close(fd);
	return rc;
}

/**
 * udp_flow_log() - Log a new flow, at debug level
 * @flow:	Flow, filled in
 * @what:	"outbound" or "inbound"
 */
static void udp_flow_log(union flow *flow, const char *what)
{
	char g[INANY_ADDRSTRLEN], d[INANY_ADDRSTRLEN], p[INANY_ADDRSTRLEN];
	const struct flowside *t = &flow->f.tap;

	if (!log_level_enabled(LOG_DEBUG))
		return;
	flow_dbg(flow, "%s, guest %s:%u, to %s:%u, host side %s:%u", what,
		 inany_ntop(&t->gaddr, g), t->gport,
		 inany_ntop(&t->daddr, d), t->dport,
		 inany_ntop(&flow->udp.peer, p), flow->udp.peer_port);
}

/**
 * udp_flow_new_out() - New flow for a datagram from the guest
 * @c:		Execution context
 * @side:	Guest's view of the flow
 *
 * Return: the flow, active and hashed, or NULL if the destination isn't
 *	   allowed or there's no room or socket for it (logged)
 *
 * #syscalls close
 */
static union flow *udp_flow_new_out(struct ctx *c, const struct flowside *side)
{
	union inany_addr hdst;
	union flow *flow;
	int fd, rc;

	if (!fwd_nat_outbound(c, IPPROTO_UDP, &side->daddr, side->dport,
			      &hdst) ||
	    !inany_v4(&hdst) != !inany_v4(&side->daddr)) {
		debug_ratelimit("UDP: destination not allowed, dropped");
		return NULL;
	}

	flow = flow_alloc();
	if (!flow)
		return NULL;

	fd = udp_sock_out(c, side, &hdst);
	if (fd < 0) {
		errno = -fd;
		debug_perror("UDP: can't open a socket for a new flow");
		flow_alloc_cancel(flow);
		return NULL;
	}

	flow->f.proto = IPPROTO_UDP;
	flow->f.tap = *side;
	flow->udp.sock = fd;
	flow->udp.ts = (uint32_t)c->now.tv_sec;
	flow->udp.peer = hdst;
	flow->udp.peer_port = side->dport;

	rc = udp_epoll_add(c, EPOLL_TYPE_UDP, fd, flow_idx(flow));
	if (rc) {
		errno = -rc;
		debug_perror("UDP: can't watch the socket of a new flow");
		close(fd);
		flow_alloc_cancel(flow);
		return NULL;
	}

	flow_activate(flow, FLOW_UDP);
	flow_hash_insert(flow);
	udp_flow_log(flow, "outbound");
	return flow;
}

/**
 * udp_flow_new_in() - New flow for a datagram to a forwarded port
 * @c:		Execution context
 * @side:	Guest's view of the flow
 * @peer:	Peer's address on the host side
 * @peer_port:	Peer's port
 * @lport:	Forwarded port the peer sent to
 *
 * Return: the flow, active and hashed, or NULL if the table is full
 */
static union flow *udp_flow_new_in(const struct ctx *c,
				   const struct flowside *side,
				   const union inany_addr *peer,
				   in_port_t peer_port, in_port_t lport)
{
	union flow *flow = flow_alloc();

	if (!flow)
		return NULL;

	flow->f.proto = IPPROTO_UDP;
	flow->f.tap = *side;
	flow->udp.sock = -1;
	flow->udp.ts = (uint32_t)c->now.tv_sec;
	flow->udp.peer = *peer;
	flow->udp.peer_port = peer_port;
	flow->udp.lport = lport;
	flow->udp.inbound = true;

	flow_activate(flow, FLOW_UDP);
	flow_hash_insert(flow);
	udp_flow_log(flow, "inbound");
	return flow;
}

/**
 * udp_port_fd() - Socket of a forwarded port
 * @v6:		IPv6 rather than IPv4
 * @port:	Port
 *
 * Return: socket, -1 if none
 */
static int udp_port_fd(bool v6, in_port_t port)
{
	return udp_port_sock[v6][port] - 1;
}

/**
 * udp_listen_fd() - Socket of a port forwarded with -u, for udp_splice.c
 * @v6:		IPv6 socket rather than IPv4
 * @port:	Port
 *
 * Return: the socket, -1 if there's none
 */
int udp_listen_fd(bool v6, in_port_t port)
{
	return udp_port_fd(v6, port);
}

/**
 * udp_send_err_retry() - Tell if a failed send() only reported an error
 * @err:	errno of the send() call
 *
 * A socket with an ICMP error pending fails the next send() with that
 * error, and doesn't send the datagram: the error itself is also on the
 * error queue, where we read it. The datagram deserves a second try.
 *
 * Return: true if the datagram should be sent again, once
 */
static bool udp_send_err_retry(int err)
{
	return err == ECONNREFUSED || err == EHOSTUNREACH ||
	       err == ENETUNREACH || err == EHOSTDOWN || err == ENONET ||
	       err == EPROTO || err == EACCES;
}

/**
 * udp_send_run() - Send queued datagrams that share a socket
 * @first:	Index of the first one in the queue
 * @n:		How many
 *
 * An error that a connected socket reports for an earlier datagram (an ICMP
 * error it received) fails the next send once: that datagram is tried once
 * more. A datagram that still fails is dropped; a full socket buffer drops
 * the rest of the run (as a full link would).
 *
 * #syscalls sendmmsg
 */
static void udp_send_run(unsigned int first, unsigned int n)
{
	int fd = udp_out_fd[first];
	unsigned int done = 0;
	bool retried = false;

	while (done < n) {
		int r = sendmmsg(fd, &udp_out_mmh[first + done], n - done,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (r > 0) {
			done += r;
			retried = false;
			continue;
		}
		if (r < 0 && !retried && udp_send_err_retry(errno)) {
			retried = true;
			continue;
		}
		debug_ratelimit("Flow %u (UDP): send failed: %s",
				udp_out_flow[first + done],
				r < 0 ? strerror(errno) : "nothing sent");
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		done++;
		retried = false;
	}
}

/**
 * udp_tap_flush() - Send the guest's queued datagrams
 * @c:		Execution context
 *
 * tap.c calls this once it is through a batch of frames, before it reuses
 * their memory: the queue points into them.
 */
void udp_tap_flush(const struct ctx *c)
{
	unsigned int i = 0;

	(void)c;
	while (i < udp_out_n) {
		unsigned int j = i + 1;

		while (j < udp_out_n && udp_out_fd[j] == udp_out_fd[i])
			j++;
		udp_send_run(i, j - i);
		i = j;
	}
	udp_out_n = 0;
}

/**
 * udp_flow_send() - Queue a guest's datagram for the host side of its flow
 * @c:		Execution context
 * @flow:	Flow
 * @data:	Payload, in a frame tap.c keeps until udp_tap_flush()
 * @len:	Payload length
 */
static void udp_flow_send(const struct ctx *c, union flow *flow,
			  const void *data, size_t len)
{
	struct udp_flow *uf = &flow->udp;
	struct msghdr *mh;
	socklen_t sl = 0;
	int fd = uf->sock;
	unsigned int i;

	if (udp_out_n == UDP_BATCH)
		udp_tap_flush(c);
	i = udp_out_n;

	if (uf->inbound) {
		fd = udp_port_fd(!inany_v4(&uf->peer), uf->lport);
		sl = udp_sa_set(&udp_out_names[i], &uf->peer, uf->peer_port);
	}
	if (fd < 0)
		return;

	udp_out_fd[i] = fd;
	udp_out_flow[i] = flow_idx(flow);
	udp_out_iov[i].iov_base = (void *)(uintptr_t)data;
	udp_out_iov[i].iov_len = len;
	mh = &udp_out_mmh[i].msg_hdr;
	memset(mh, 0, sizeof(*mh));
	mh->msg_iov = &udp_out_iov[i];
	mh->msg_iovlen = 1;
	if (sl) {
		mh->msg_name = &udp_out_names[i].sa;
		mh->msg_namelen = sl;
	}
	udp_out_n++;

	uf->bytes_in += len;
	uf->ts = (uint32_t)c->now.tv_sec;
	uf->last_len = (uint16_t)(sizeof(struct udphdr) + len);
}

/**
 * udp_side_from_ii() - Guest's view of a flow, from a datagram it sent
 * @ii:		L3 header information
 * @sport:	Source port, host order
 * @dport:	Destination port, host order
 * @side:	Filled in
 */
static void udp_side_from_ii(const struct ip_info *ii, in_port_t sport,
			     in_port_t dport, struct flowside *side)
{
	memset(side, 0, sizeof(*side));
	if (ii->af == AF_INET) {
		inany_from_v4(&side->gaddr, ii->s4);
		inany_from_v4(&side->daddr, ii->d4);
	} else {
		side->gaddr.a6 = ii->s6;
		side->daddr.a6 = ii->d6;
	}
	side->gport = sport;
	side->dport = dport;
}

/**
 * udp_tap_handler() - A UDP datagram from the guest
 * @c:		Execution context
 * @ii:		L3 header information
 * @v:		View at the UDP header, narrowed to the packet
 *
 * Return: PKT_DROP for a malformed header, PKT_CONSUMED otherwise (sent,
 *	   or deliberately not: multicast, refused destinations, no room)
 */
enum pkt_verdict udp_tap_handler(struct ctx *c, const struct ip_info *ii,
				 struct pkt_view *v)
{
	struct flowside side;
	const uint8_t *data;
	union flow *flow;
	struct udphdr uh;
	size_t ulen;

	if (!pkt_pull_copy(v, &uh, sizeof(uh)))
		return PKT_DROP;

	/* RFC 768: the length covers header and data; bytes past it are
	 * padding, a length past the packet is a lie
	 */
	ulen = ntohs(uh.len);
	if (ulen < sizeof(uh) || ulen - sizeof(uh) > pkt_left(v))
		return PKT_DROP;
	data = pkt_pull(v, ulen - sizeof(uh));
	if (!data)
		return PKT_DROP;

	udp_side_from_ii(ii, ntohs(uh.source), ntohs(uh.dest), &side);
	if (!side.gport || !side.dport)
		return PKT_DROP;

	flow = flow_lookup(IPPROTO_UDP, &side);
	if (!flow) {
		const struct in_addr *g4 = inany_v4(&side.gaddr);

		/* Nothing to answer to: keep the table for real peers */
		if (g4 ? !g4->s_addr || IN_MULTICAST(ntohl(g4->s_addr)) :
			 IN6_IS_ADDR_UNSPECIFIED(&side.gaddr.a6) ||
			 IN6_IS_ADDR_MULTICAST(&side.gaddr.a6))
			return PKT_DROP;

		flow = udp_flow_new_out(c, &side);
		if (!flow)
			return PKT_CONSUMED;
	}

	udp_flow_send(c, flow, data, ulen - sizeof(uh));
	return PKT_CONSUMED;
}

/**
 * udp_recv_batch() - Read a batch of datagrams into the frame buffers
 * @fd:		Socket
 * @names:	Also read the peers' addresses (unconnected sockets)
 *
 * Return: number of datagrams, 0 if none (or an ICMP error was pending: the
 *	   error queue has it), -errno on other failures
 *
 * #syscalls recvmmsg
 */
static int udp_recv_batch(int fd, bool names)
{
	int i, n;

	for (i = 0; i < UDP_BATCH; i++) {
		udp_iov[i].iov_base = udp_bufs[i].data;
		udp_iov[i].iov_len = sizeof(udp_bufs[i].data);
		memset(&udp_mmh[i], 0, sizeof(udp_mmh[i]));
		udp_mmh[i].msg_hdr.msg_iov = &udp_iov[i];
		udp_mmh[i].msg_hdr.msg_iovlen = 1;
		if (names) {
			udp_mmh[i].msg_hdr.msg_name = &udp_names[i];
			udp_mmh[i].msg_hdr.msg_namelen = sizeof(udp_names[i]);
		}
	}

	n = recvmmsg(fd, udp_mmh, UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    udp_send_err_retry(errno))
			return 0;
		return -errno;
	}
	return n;
}

/**
 * udp_frame_prepare() - Turn a received datagram into a frame to the guest
 * @c:		Execution context
 * @flow:	Flow the datagram belongs to
 * @i:		Index of the datagram in the batch
 * @frame:	Set to the frame, on success
 *
 * Return: true if the frame is ready, false if the datagram is dropped
 */
static bool udp_frame_prepare(const struct ctx *c, union flow *flow, int i,
			      struct iovec *frame)
{
	bool v6 = !inany_v4(&flow->f.tap.gaddr);
	size_t len = udp_mmh[i].msg_len, off;
	struct udp_buf *b = &udp_bufs[i];
	static const uint8_t bcast[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};

	if ((udp_mmh[i].msg_hdr.msg_flags & MSG_TRUNC) ||
	    len > udp_payload_max(v6, c->mtu)) {
		udp_dropped_big++;
		debug_ratelimit("UDP: %zu-byte datagram doesn't fit the MTU "
				"(%d), dropped (%lu so far)", len, c->mtu,
				udp_dropped_big);
		return false;
	}

	off = udp_frame_hdrs(b->room, b->data, len, &flow->f.tap, c->our_mac,
			     c->guest_mac_set ? c->guest_mac : bcast);
	frame->iov_base = b->room + off;
	frame->iov_len = UDP_HDR_ROOM - off + len;
	flow->udp.bytes_out += len;
	flow->udp.ts = (uint32_t)c->now.tv_sec;
	return true;
}

/**
 * udp_flow_for_peer() - Flow of a forwarded port's peer, as the guest sees it
 * @c:		Execution context
 * @v6:		The port's socket is IPv6
 * @port:	Forwarded port
 * @peer:	Peer's address
 * @peer_port:	Peer's port
 * @create:	Make the flow if there's none
 *
 * Return: the flow, NULL if there's none (or no room for it)
 */
static union flow *udp_flow_for_peer(struct ctx *c, bool v6, in_port_t port,
				     const union inany_addr *peer,
				     in_port_t peer_port, bool create)
{
	const struct fwd_ports *fp = fwd_ports(IPPROTO_UDP, FWD_IN);
	struct flowside side;
	union flow *flow;

	memset(&side, 0, sizeof(side));
	fwd_guest_addr(c, v6, &side.gaddr);
	side.gport = fwd_port_target(fp, port);
	fwd_nat_inbound(c, peer, &side.daddr);
	side.dport = peer_port;

	if (!inany_v4(&side.daddr) != v6)
		return NULL;

	flow = flow_lookup(IPPROTO_UDP, &side);
	if (!flow && create)
		flow = udp_flow_new_in(c, &side, peer, peer_port, port);
	return flow;
}

/**
 * udp_err_read() - Read an error queue, pass destination unreachable on
 * @c:		Execution context
 * @fd:		Socket
 * @flow:	Flow of a connected socket, NULL for a forwarded port's
 * @v6:		The socket is IPv6
 * @port:	Forwarded port, for @flow NULL
 *
 * An error reported with nothing queued (none of ours should be, but a
 * pending error would keep the socket signalled for ever) is cleared with
 * SO_ERROR.
 *
 * #syscalls recvmsg getsockopt
 */
static void udp_err_read(struct ctx *c, int fd, union flow *flow, bool v6,
			 in_port_t port)
{
	static uint8_t quote[UDP_ICMP6_QUOTE_MAX], msg[UDP_ICMP6_DGRAM_MAX];
	int i;

	for (i = 0; i < UDP_ERRS_MAX; i++) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
					    sizeof(struct sockaddr_in6))];
		} ctl;
		struct iovec iov = { quote, sizeof(quote) };
		struct sock_extended_err ee;
		union udp_sockaddr orig;
		struct msghdr mh = {
			.msg_name = &orig, .msg_namelen = sizeof(orig),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = &ctl, .msg_controllen = sizeof(ctl),
		};
		union flow *f = flow;
		bool found = false;
		struct cmsghdr *cm;
		uint8_t type, code;
		size_t len, ulen;
		ssize_t n;

		n = recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0) {
			int e;
			socklen_t sl = sizeof(e);

			if (!i)
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl);
			break;
		}

		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (!((cm->cmsg_level == IPPROTO_IP &&
			       cm->cmsg_type == IP_RECVERR) ||
			      (cm->cmsg_level == IPPROTO_IPV6 &&
			       cm->cmsg_type == IPV6_RECVERR)) ||
			    cm->cmsg_len < CMSG_LEN(sizeof(ee)))
				continue;
			memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
			found = true;
			break;
		}
		if (!found)
			continue;

		if (!f) {
			union inany_addr a;
			in_port_t p;

			if (!udp_sa_get(&orig, mh.msg_namelen, &a, &p))
				continue;
			f = udp_flow_for_peer(c, v6, port, &a, p, false);
			if (!f)
				continue;
		}

		if (!udp_err_map(v6, ee.ee_origin, ee.ee_type, ee.ee_code,
				 &type, &code)) {
			flow_dbg(f, "ICMP error type %u code %u, not passed on",
				 ee.ee_type, ee.ee_code);
			continue;
		}

		ulen = MAX((size_t)f->udp.last_len,
			   sizeof(struct udphdr) + (size_t)n);
		if (v6) {
			len = udp_icmp6_err_build(msg, sizeof(msg), type, code,
						  &f->f.tap, ulen, quote,
						  (size_t)n);
			if (len)
				tap_icmp6_send(c, &f->f.tap.daddr.a6,
					       &f->f.tap.gaddr.a6, msg, len);
		} else {
			len = udp_icmp4_err_build(msg, sizeof(msg), type, code,
						  &f->f.tap, ulen, quote,
						  (size_t)n);
			if (len)
				tap_icmp4_send(c, *inany_v4(&f->f.tap.daddr),
					       *inany_v4(&f->f.tap.gaddr),
					       msg, len);
		}
		flow_dbg(f, "destination unreachable (code %u) to the guest",
			 code);
	}
}

/**
 * udp_listen_handler() - Datagrams (or errors) on a forwarded port's socket
 * @c:		Execution context
 * @ref:	epoll reference: the port in the low 16 bits of idx, bit 16
 *		set for IPv6
 * @events:	epoll events
 */
void udp_listen_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	in_port_t port = (in_port_t)(ref.idx & 0xffff);
	bool v6 = ref.idx >> 16;
	int r;

	/* Closed earlier in this batch (port removed at run time) */
	if (udp_port_fd(v6, port) != (int)ref.fd)
		return;

	if (events & EPOLLERR)
		udp_err_read(c, ref.fd, NULL, v6, port);
	if (!(events & EPOLLIN))
		return;

	for (r = 0; r < UDP_READS_MAX; r++) {
		int n = udp_recv_batch(ref.fd, true), i;
		size_t nf = 0;

		if (n < 0) {
			errno = -n;
			debug_perror("UDP: receive on forwarded port %u", port);
			break;
		}

		for (i = 0; i < n; i++) {
			union inany_addr peer;
			in_port_t peer_port;
			union flow *flow;

			if (!udp_sa_get(&udp_names[i],
					udp_mmh[i].msg_hdr.msg_namelen, &peer,
					&peer_port) || !peer_port)
				continue;

			/* pasta: host's loopback to the namespace's */
			if (c->mode == MODE_PASTA &&
			    udp_splice_from_host(c, v6, port, &peer, peer_port,
						 udp_bufs[i].data,
						 udp_mmh[i].msg_len))
				continue;

			flow = udp_flow_for_peer(c, v6, port, &peer, peer_port,
						 true);
			if (flow && udp_frame_prepare(c, flow, i,
						      &udp_frames[nf]))
				nf++;
		}

		if (nf)
			tap_send_frames(c, udp_frames, nf);
		if (n < UDP_BATCH)
			break;
	}
}

/**
 * udp_sock_handler() - Datagrams (or errors) on a flow's connected socket
 * @c:		Execution context
 * @ref:	epoll reference: the flow's index in idx
 * @events:	epoll events
 */
void udp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	union flow *flow = flow_at(ref.idx);
	int r;

	if (flow->f.type != FLOW_UDP || flow->udp.sock != (int)ref.fd ||
	    flow->udp.closing)
		return;

	if (events & EPOLLERR)
		udp_err_read(c, ref.fd, flow, !inany_v4(&flow->f.tap.daddr), 0);
	if (!(events & EPOLLIN))
		return;

	for (r = 0; r < UDP_READS_MAX; r++) {
		int n = udp_recv_batch(ref.fd, false), i;
		size_t nf = 0;

		if (n < 0) {
			flow_dbg(flow, "receive failed: %s", strerror(-n));
			flow->udp.closing = true;
			flow_request_sweep();
			break;
		}

		for (i = 0; i < n; i++) {
			if (udp_frame_prepare(c, flow, i, &udp_frames[nf]))
				nf++;
		}

		if (nf)
			tap_send_frames(c, udp_frames, nf);
		if (n < UDP_BATCH)
			break;
	}
}

/**
 * udp_flow_defer() - Close an idle or failed flow, at a sweep
 * @c:		Execution context
 * @flow:	Flow
 * @now:	Current monotonic time
 * @timer:	A timer interval has passed
 *
 * Return: true if the flow is closed and may be freed
 *
 * #syscalls close
 */
bool udp_flow_defer(struct ctx *c, union flow *flow,
		    const struct timespec *now, bool timer)
{
	struct udp_flow *uf = &flow->udp;

	(void)c;

	if (!uf->closing &&
	    !(timer && (uint32_t)now->tv_sec - uf->ts >= udp_timeout))
		return false;

	flow_dbg(flow, "%s", uf->closing ? "socket failed, closed" :
					   "idle, closed");
	if (uf->sock >= 0) {
		close(uf->sock);	/* also leaves the epoll set */
		uf->sock = -1;
	}
	return true;
}

/**
 * udp_port_bind() - Bind the socket of a forwarded port, for one IP version
 * @c:		Execution context
 * @fp:		Forwarding table, for the address and interface
 * @v6:		IPv6 rather than IPv4
 * @port:	Port
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls setsockopt bind close
 */
static int udp_port_bind(const struct ctx *c, const struct fwd_ports *fp,
			 bool v6, in_port_t port)
{
	union udp_sockaddr sa;
	union inany_addr a;
	int fd, rc, one = 1;
	socklen_t sl;

	if (v6)
		a.a6 = inany_v4(&fp->addr) ? in6addr_any : fp->addr.a6;
	else if (inany_v4(&fp->addr))
		a = fp->addr;
	else
		inany_from_v4(&a, (struct in_addr){ INADDR_ANY });

	fd = udp_sock_new(v6);
	if (fd < 0)
		return fd;

	if (*fp->ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE,
				      fp->ifname, strlen(fp->ifname) + 1))
		goto fail;
	if (c->freebind &&
	    setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       v6 ? IPV6_FREEBIND : IP_FREEBIND, &one, sizeof(one)))
		goto fail;

	sl = udp_sa_set(&sa, &a, port);
	if (bind(fd, &sa.sa, sl))
		goto fail;

	rc = udp_epoll_add(c, EPOLL_TYPE_UDP_LISTEN, fd,
			   port | ((uint32_t)v6 << 16));
	if (rc) {
		close(fd);
		return rc;
	}

	udp_port_sock[v6][port] = fd + 1;
	return 0;

fail:
	rc = -errno;
	close(fd);
	return rc;
}

/**
 * udp_listen_open() - Bind the sockets of one forwarded port
 * @c:		Execution context
 * @dir:	FWD_IN (host side, -u); FWD_OUT (pasta, -U): udp_splice.c
 * @port:	Port, as forwarded in the table of @dir
 *
 * One socket for each IP version the guest has, or one of the family of
 * the table's address, bound to it and to the table's interface, if any.
 * A family that can't be bound while the other one can is logged, and
 * left out.
 *
 * Return: 0 if at least one socket is bound, -EEXIST if the port is
 *	   already open, -errno (of the first failure) otherwise
 */
int udp_listen_open(struct ctx *c, enum fwd_dir dir, in_port_t port)
{
	const struct fwd_ports *fp;
	bool only4, only6;
	int v6, err = 0;
	unsigned n = 0;

	if (dir == FWD_OUT && c->mode == MODE_PASTA)
		return udp_splice_open(c, port);	/* -U */
	if (dir != FWD_IN)
		return -EOPNOTSUPP;
	if (udp_port_sock[0][port] || udp_port_sock[1][port])
		return -EEXIST;

	fp = fwd_ports(IPPROTO_UDP, dir);
	only4 = inany_v4(&fp->addr);
	only6 = !only4 && !IN6_IS_ADDR_UNSPECIFIED(&fp->addr.a6);

	for (v6 = 0; v6 < 2; v6++) {
		int rc;

		if (v6 ? !c->ipv6_enabled || only4 :
			 !c->ipv4_enabled || only6)
			continue;

		rc = udp_port_bind(c, fp, v6, port);
		if (!rc) {
			n++;
			continue;
		}
		if (!err)
			err = rc;
		errno = -rc;
		debug_perror("UDP: can't bind %s port %u to forward it",
			     v6 ? "IPv6" : "IPv4", port);
	}

	if (n)
		return 0;
	return err ? err : -EAFNOSUPPORT;
}

/**
 * udp_listen_close() - Close the sockets of one forwarded port
 * @c:		Execution context
 * @dir:	Direction
 * @port:	Port
 *
 * Inbound flows of the port stay until they time out; what the guest sends
 * on them is dropped, as there's no socket left to send it from.
 *
 * #syscalls close
 */
void udp_listen_close(struct ctx *c, enum fwd_dir dir, in_port_t port)
{
	int v6;

	if (dir == FWD_OUT && c->mode == MODE_PASTA)
		udp_splice_close(c, port);	/* -U */
	if (dir != FWD_IN)
		return;
	for (v6 = 0; v6 < 2; v6++) {
		if (!udp_port_sock[v6][port])
			continue;
		close(udp_port_sock[v6][port] - 1);	/* leaves epoll too */
		udp_port_sock[v6][port] = 0;
	}
}

/**
 * udp_init() - Bind sockets to the forwarded ports (-u), at start-up
 * @c:		Execution context
 *
 * A port that can't be bound is reported (the first one with its reason,
 * then a count) and left out: the others still work.
 */
void udp_init(struct ctx *c)
{
	const struct fwd_ports *fp = fwd_ports(IPPROTO_UDP, FWD_IN);
	unsigned int port, bound = 0, failed = 0;

	if (fp->mode != FWD_MODE_SPEC)
		return;		/* "auto": fwd_auto.c */

	for (port = 0; port < UDP_PORTS; port++) {
		int rc;

		if (!fwd_port_forwarded(fp, (in_port_t)port))
			continue;

		rc = udp_listen_open(c, FWD_IN, (in_port_t)port);
		if (!rc) {
			bound++;
		} else if (!failed++) {
			errno = -rc;
			warn_perror("UDP: can't bind port %u to forward it",
				    port);
		}
	}

	if (failed > 1)
		warn("UDP: %u forwarded ports couldn't be bound", failed);
	debug("UDP: %u forwarded ports bound", bound);
}

/**
 * udp_post_batch() - Report the number of flows when it changed
 * @c:		Execution context
 * @now:	Current monotonic time
 *
 * At most once per UDP_LOG_INTERVAL: a steady count is reported once, and
 * the last change is reported even if it came fast after another.
 */
void udp_post_batch(struct ctx *c, const struct timespec *now)
{
	static unsigned int reported;
	static time_t reported_at;
	unsigned int n = flow_count(FLOW_UDP);

	(void)c;

	if (n == reported || now->tv_sec - reported_at < UDP_LOG_INTERVAL)
		return;
	debug("UDP flows: %u", n);
	reported = n;
	reported_at = now->tv_sec;
}
