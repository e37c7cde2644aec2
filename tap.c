// SPDX-License-Identifier: GPL-2.0-or-later
/* tap.c - frame I/O with the guest, both faces
 *
 * DOC: Theory of Operation
 *
 * passt: qemu (-netdev stream, or the legacy -net socket) connects to a UNIX
 * stream socket and sends Ethernet frames, each preceded by its length as a
 * 32-bit big-endian number. We read as much as the socket holds into one
 * static buffer and split it into frames; a frame cut by the end of a read
 * stays at the start of the buffer until the rest arrives. A length below
 * an Ethernet header or above 65535 bytes means the stream is not framed
 * the way we expect (or is hostile): we reset the connection, as qemu does
 * for frames it cannot take, and wait for the next guest. One guest at a
 * time: a second connection is accepted and closed at once.
 *
 * pasta: the tap device in the namespace gives one frame per read().
 *
 * Received frames are counted, then dispatched by ethertype to the protocol
 * handlers. Frames nobody handles are dropped and counted by reason.
 *
 * Frames to the guest go out at once. For passt, a frame is never left
 * half-written: that would break the framing of everything that follows.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "arp.h"
#include "checksum.h"
#include "dhcp.h"
#include "dhcpv6.h"
#include "flow.h"
#include "ip.h"
#include "log.h"
#include "ndp.h"
#include "packet.h"
#include "passt.h"
#include "tap.h"
#include "tcp.h"
#include "udp.h"
#include "icmp.h"

/* Stream data from qemu: room for many frames per read, flat memory */
#define TAP_BUF_BYTES		(2UL * 1024 * 1024)
#define TAP_READS_MAX		64	/* reads per wake-up, then yield */
#define TAP_SOCK_PATH_TRIES	100
#define TAP_WRITE_TIMEOUT_MS	100	/* finish a half-written frame */
#define TAP_BATCH_MAX		128	/* frames per sendmsg() */

static uint8_t tap_buf[TAP_BUF_BYTES];
static size_t tap_buf_have;

/* Frames we build (L2 responders, DHCP, NDP): one at a time */
/* The Ethernet header is 14 bytes: start frames 2 bytes into an aligned
 * buffer so that the IP header after it is 4-byte aligned
 */
#define TAP_OUT_PAD		2
static uint8_t tap_out_buf[TAP_OUT_PAD + TAP_FRAME_MAX]
	__attribute__((aligned(8)));
static uint8_t *const tap_out = tap_out_buf + TAP_OUT_PAD;
#define TAP_OUT_SIZE		TAP_FRAME_MAX

/**
 * tap_epoll_add() - Register the guest's fd with epoll
 * @c:		Execution context
 * @type:	EPOLL_TYPE_TAP_LISTEN, EPOLL_TYPE_TAP_PASST or _PASTA
 * @fd:		File descriptor
 *
 * #syscalls epoll_ctl
 */
static void tap_epoll_add(const struct ctx *c, enum epoll_type type, int fd)
{
	union epoll_ref ref = { .type = type, .fd = fd };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP,
				  .data.u64 = ref.u64 };

	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, fd, &ev))
		die_perror("Couldn't add %s to epoll", epoll_type_str(type));
}

/**
 * tap_udp_dport() - Destination port of a UDP header at the start of a view
 * @v:		View positioned at the UDP header (not consumed)
 *
 * Return: port in host order, or 0 if the header didn't arrive
 */
static in_port_t tap_udp_dport(const struct pkt_view *v)
{
	struct pkt_view peek = *v;
	struct udphdr uh;

	if (!pkt_pull_copy(&peek, &uh, sizeof(uh)))
		return 0;
	return ntohs(uh.dest);
}

/**
 * tap_ip4_input() - Dispatch an IPv4 packet from the guest
 * @c:		Execution context
 * @v:		View positioned after the Ethernet header
 *
 * Return: verdict of the handler, PKT_NOT_MINE if none took it
 */
static enum pkt_verdict tap_ip4_input(struct ctx *c, struct pkt_view *v)
{
	struct ip_info ii;

	if (!c->ipv4_enabled)
		return PKT_NOT_MINE;
	if (ip4_pull(v, &ii) != PKT_CONSUMED)
		return PKT_DROP;

	if (ii.s4.s_addr != htonl(INADDR_ANY))
		c->ip4.addr_seen = ii.s4;

	switch (ii.proto) {
	case IPPROTO_TCP:
		if (!c->no_tcp)
			return tcp_tap_handler(c, &ii, v);
		break;
	case IPPROTO_UDP:
		if (tap_udp_dport(v) == DHCP_SERVER_PORT && !c->no_dhcp)
			return dhcp_handler(c, &ii, v);
		if (!c->no_udp)
			return udp_tap_handler(c, &ii, v);
		break;
	case IPPROTO_ICMP:
		if (!c->no_icmp)
			return icmp_tap_handler(c, &ii, v);
		break;
	default:
		break;
	}
	return PKT_NOT_MINE;
}

/**
 * tap_ip6_input() - Dispatch an IPv6 packet from the guest
 * @c:		Execution context
 * @v:		View positioned after the Ethernet header
 *
 * Return: verdict of the handler, PKT_NOT_MINE if none took it
 */
static enum pkt_verdict tap_ip6_input(struct ctx *c, struct pkt_view *v)
{
	struct ip_info ii;

	if (!c->ipv6_enabled)
		return PKT_NOT_MINE;
	if (ip6_pull(v, &ii) != PKT_CONSUMED)
		return PKT_DROP;

	if (IN6_IS_ADDR_LINKLOCAL(&ii.s6))
		c->ip6.addr_ll_seen = ii.s6;
	else if (!IN6_IS_ADDR_UNSPECIFIED(&ii.s6))
		c->ip6.addr_seen = ii.s6;

	switch (ii.proto) {
	case IPPROTO_TCP:
		if (!c->no_tcp)
			return tcp_tap_handler(c, &ii, v);
		break;
	case IPPROTO_ICMPV6: {
		enum pkt_verdict verdict = PKT_NOT_MINE;
		struct pkt_view ndp_v = *v;	/* NDP may consume, echo too */

		if (!c->no_ndp)
			verdict = ndp_handler(c, &ii, &ndp_v);
		if (verdict == PKT_NOT_MINE && !c->no_icmp)
			verdict = icmp_tap_handler(c, &ii, v);
		return verdict;
	}
	case IPPROTO_UDP:
		if (tap_udp_dport(v) == DHCPV6_SERVER_PORT && !c->no_dhcpv6)
			return dhcpv6_handler(c, &ii, v);
		if (!c->no_udp)
			return udp_tap_handler(c, &ii, v);
		break;
	default:
		break;
	}
	return PKT_NOT_MINE;
}

/**
 * tap_flush() - Send what TCP and UDP hold back from a batch of frames
 * @c:		Execution context
 *
 * Both keep pointers into the frames, to write the payload of many with one
 * call: call this before the frames' memory is reused.
 */
static void tap_flush(struct ctx *c)
{
	tcp_tap_flush(c);
	udp_tap_flush(c);
}

/**
 * tap_stats_proto() - Which protocol counters a frame goes to
 * @frame:	Frame, starting with the Ethernet header
 * @len:	Length of @frame
 *
 * Only the IPv6 header's own next header field is looked at: a TCP or UDP
 * packet behind extension headers is counted as other.
 *
 * Return: enum tap_stats_proto index
 */
static enum tap_stats_proto tap_stats_proto(const void *frame, size_t len)
{
	struct ether_header eh;
	struct pkt_view v;
	uint8_t proto;

	pkt_init(&v, frame, len);
	if (!pkt_pull_copy(&v, &eh, sizeof(eh)))
		return TAP_STATS_OTHER;

	if (ntohs(eh.ether_type) == ETHERTYPE_IP) {
		struct iphdr ih;

		if (!pkt_pull_copy(&v, &ih, sizeof(ih)))
			return TAP_STATS_OTHER;
		proto = ih.protocol;
	} else if (ntohs(eh.ether_type) == ETHERTYPE_IPV6) {
		struct ip6_hdr ih6;

		if (!pkt_pull_copy(&v, &ih6, sizeof(ih6)))
			return TAP_STATS_OTHER;
		proto = ih6.ip6_nxt;
	} else {
		return TAP_STATS_OTHER;
	}

	switch (proto) {
	case IPPROTO_TCP:
		return TAP_STATS_TCP;
	case IPPROTO_UDP:
		return TAP_STATS_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return TAP_STATS_ICMP;
	default:
		return TAP_STATS_OTHER;
	}
}

/**
 * tap_stats_out() - Count a frame sent to the guest
 * @c:		Execution context
 * @frame:	Frame, starting with the Ethernet header
 * @len:	Length of @frame
 */
static void tap_stats_out(struct ctx *c, const void *frame, size_t len)
{
	struct tap_proto_stats *ps = &c->stats.proto[tap_stats_proto(frame,
								      len)];

	c->stats.frames_out++;
	c->stats.bytes_out += len;
	ps->frames_out++;
	ps->bytes_out += len;
}

/**
 * tap_frame_dispatch() - Count and dispatch one frame from the guest
 * @c:		Execution context
 * @frame:	Frame, starting with the Ethernet header
 * @len:	Bytes received
 *
 * The frame's memory must stay as it is until tap_flush(): TCP and UDP hold
 * payload to write that of several segments with one call.
 */
static void tap_frame_dispatch(struct ctx *c, const uint8_t *frame,
			       size_t len)
{
	enum pkt_verdict verdict = PKT_NOT_MINE;
	struct ether_header eh;
	struct tap_proto_stats *ps;
	struct pkt_view v;

	c->stats.frames_in++;
	c->stats.bytes_in += len;
	ps = &c->stats.proto[tap_stats_proto(frame, len)];
	ps->frames_in++;
	ps->bytes_in += len;

	pkt_init(&v, frame, len);
	if (!pkt_pull_copy(&v, &eh, sizeof(eh))) {
		c->stats.drop_short++;
		debug_ratelimit("tap: dropped %zu-byte runt frame", len);
		return;
	}

	/* Learn the guest's MAC from its first unicast source address */
	if (!c->guest_mac_set && !(eh.ether_shost[0] & 1)) {
		memcpy(c->guest_mac, eh.ether_shost, ETH_ADDR_LEN);
		c->guest_mac_set = true;
		debug("tap: guest MAC address is " MAC_FMT,
		      MAC_ARGS(c->guest_mac));
	}

	switch (ntohs(eh.ether_type)) {
	case ETHERTYPE_ARP:
		if (c->ipv4_enabled) {
			pkt_init(&v, frame, len);
			verdict = arp_handler(c, &v);
		}
		break;
	case ETHERTYPE_IP:
		verdict = tap_ip4_input(c, &v);
		break;
	case ETHERTYPE_IPV6:
		verdict = tap_ip6_input(c, &v);
		break;
	default:
		c->stats.drop_ethertype++;
		debug_ratelimit("tap: dropped frame with ethertype 0x%04x",
				ntohs(eh.ether_type));
		return;
	}

	switch (verdict) {
	case PKT_CONSUMED:
		break;
	case PKT_DROP:
		c->stats.drop_malformed++;
		debug_ratelimit("tap: dropped malformed %zu-byte frame, "
				"ethertype 0x%04x", len, ntohs(eh.ether_type));
		break;
	case PKT_NOT_MINE:
	default:
		c->stats.drop_proto++;
		trace("tap: nothing handles this %zu-byte frame, ethertype "
		      "0x%04x", len, ntohs(eh.ether_type));
		break;
	}
}

/**
 * tap_frame_input() - Count and dispatch one frame from the guest
 * @c:		Execution context
 * @frame:	Frame, starting with the Ethernet header
 * @len:	Bytes received
 *
 * The frame's memory may be reused once this returns.
 */
void tap_frame_input(struct ctx *c, const uint8_t *frame, size_t len)
{
	tap_frame_dispatch(c, frame, len);
	tap_flush(c);
}

/**
 * tap_eth_hdr() - Write the Ethernet header of a frame to the guest
 * @c:		Execution context
 * @eh:		Header to fill
 * @type:	Ethertype, host order
 * @bcast:	Destination is a broadcast or multicast group: use @mcast_mac
 * @mcast_mac:	Destination MAC if @bcast, NULL for the broadcast address
 */
static void tap_eth_hdr(const struct ctx *c, struct ether_header *eh,
			uint16_t type, bool bcast, const uint8_t *mcast_mac)
{
	static const uint8_t bcast_mac[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};

	if (bcast)
		memcpy(eh->ether_dhost, mcast_mac ? mcast_mac : bcast_mac,
		       ETH_ALEN);
	else if (c->guest_mac_set)
		memcpy(eh->ether_dhost, c->guest_mac, ETH_ALEN);
	else
		memcpy(eh->ether_dhost, bcast_mac, ETH_ALEN);
	memcpy(eh->ether_shost, c->our_mac, ETH_ALEN);
	eh->ether_type = htons(type);
}

/**
 * tap_udp4_send() - Send a UDP datagram over IPv4 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address (broadcast goes to the broadcast MAC)
 * @dport:	Destination port, host order
 * @payload:	UDP payload
 * @len:	Length of @payload
 */
void tap_udp4_send(struct ctx *c, struct in_addr src, in_port_t sport,
		   struct in_addr dst, in_port_t dport, const void *payload,
		   size_t len)
{
	struct ether_header *eh = (struct ether_header *)tap_out;
	struct iphdr *ip = (struct iphdr *)(eh + 1);
	struct udphdr *uh = (struct udphdr *)(ip + 1);
	size_t l4len = sizeof(*uh) + len;

	if ((uint8_t *)(uh + 1) + len > tap_out + TAP_OUT_SIZE ||
	    sizeof(*ip) + l4len > UINT16_MAX) {
		c->stats.drop_out++;
		return;
	}

	tap_eth_hdr(c, eh, ETHERTYPE_IP, dst.s_addr == htonl(INADDR_BROADCAST),
		    NULL);

	ip4_hdr_build(ip, IPPROTO_UDP, l4len, src, dst, 255, true);

	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons((uint16_t)l4len);
	uh->check = 0;
	memcpy(uh + 1, payload, len);
	uh->check = csum(uh, l4len, csum_pseudo4((uint16_t)l4len, IPPROTO_UDP,
						 src, dst));
	if (!uh->check)
		uh->check = 0xffff;	/* RFC 768: zero means "none" */

	tap_send(c, tap_out, (uint8_t *)(uh + 1) + len - tap_out);
}

/**
 * tap_ip6_hdr() - Write an IPv6 header and the Ethernet header before it
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address (multicast goes to its 33:33 MAC)
 * @proto:	Next header
 * @plen:	Payload length
 *
 * Return: pointer to the payload, in tap_out
 */
static uint8_t *tap_ip6_hdr(const struct ctx *c, const struct in6_addr *src,
			    const struct in6_addr *dst, uint8_t proto,
			    size_t plen)
{
	struct ether_header *eh = (struct ether_header *)tap_out;
	struct ip6_hdr *ip6 = (struct ip6_hdr *)(eh + 1);
	uint8_t mcast[ETH_ALEN] = { 0x33, 0x33 };

	memcpy(mcast + 2, &dst->s6_addr[12], 4);
	tap_eth_hdr(c, eh, ETHERTYPE_IPV6, IN6_IS_ADDR_MULTICAST(dst), mcast);

	memset(ip6, 0, sizeof(*ip6));
	ip6->ip6_flow = htonl(6 << 28);
	ip6->ip6_plen = htons((uint16_t)plen);
	ip6->ip6_nxt = proto;
	ip6->ip6_hlim = 255;	/* RFC 4861: NDP messages must have 255 */
	ip6->ip6_src = *src;
	ip6->ip6_dst = *dst;
	return (uint8_t *)(ip6 + 1);
}

/**
 * tap_udp6_send() - Send a UDP datagram over IPv6 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @payload:	UDP payload
 * @len:	Length of @payload
 */
void tap_udp6_send(struct ctx *c, const struct in6_addr *src, in_port_t sport,
		   const struct in6_addr *dst, in_port_t dport,
		   const void *payload, size_t len)
{
	size_t hdrs = sizeof(struct ether_header) + sizeof(struct ip6_hdr);
	size_t l4len = sizeof(struct udphdr) + len;
	struct udphdr *uh;

	if (hdrs + l4len > TAP_OUT_SIZE || l4len > UINT16_MAX) {
		c->stats.drop_out++;
		return;
	}

	uh = (struct udphdr *)tap_ip6_hdr(c, src, dst, IPPROTO_UDP, l4len);
	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons((uint16_t)l4len);
	uh->check = 0;
	memcpy(uh + 1, payload, len);
	uh->check = csum(uh, l4len, csum_pseudo6(l4len, IPPROTO_UDP, src, dst));
	if (!uh->check)
		uh->check = 0xffff;

	tap_send(c, tap_out, hdrs + l4len);
}

/**
 * tap_icmp6_send() - Send an ICMPv6 message to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @msg:	ICMPv6 message, header included; its checksum is computed here
 * @len:	Length of @msg
 */
void tap_icmp6_send(struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, const void *msg, size_t len)
{
	size_t hdrs = sizeof(struct ether_header) + sizeof(struct ip6_hdr);
	struct icmp6_hdr *ih;

	if (hdrs + len > TAP_OUT_SIZE || len < sizeof(*ih) ||
	    len > UINT16_MAX) {
		c->stats.drop_out++;
		return;
	}

	ih = (struct icmp6_hdr *)tap_ip6_hdr(c, src, dst, IPPROTO_ICMPV6, len);
	memcpy(ih, msg, len);
	ih->icmp6_cksum = 0;
	ih->icmp6_cksum = csum(ih, len, csum_pseudo6(len, IPPROTO_ICMPV6,
						     src, dst));

	tap_send(c, tap_out, hdrs + len);
}

/**
 * tap_icmp4_send() - Send an ICMP message over IPv4 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @msg:	ICMP message, header included; its checksum is computed here
 * @len:	Length of @msg
 */
void tap_icmp4_send(struct ctx *c, struct in_addr src, struct in_addr dst,
		    const void *msg, size_t len)
{
	size_t hdrs = sizeof(struct ether_header) + sizeof(struct iphdr);
	struct ether_header *eh = (struct ether_header *)tap_out;
	struct iphdr *ip = (struct iphdr *)(eh + 1);
	struct icmphdr *ih = (struct icmphdr *)(ip + 1);

	if (hdrs + len > TAP_OUT_SIZE || len < sizeof(*ih) ||
	    sizeof(*ip) + len > UINT16_MAX) {
		c->stats.drop_out++;
		return;
	}

	tap_eth_hdr(c, eh, ETHERTYPE_IP, false, NULL);

	ip4_hdr_build(ip, IPPROTO_ICMP, len, src, dst, 255, false);

	memcpy(ih, msg, len);
	ih->checksum = 0;
	ih->checksum = csum(ih, len, 0);

	tap_send(c, tap_out, hdrs + len);
}

/**
 * tap_stream_input() - Split qemu stream data into frames and dispatch them
 * @c:		Execution context
 * @buf:	Stream data
 * @len:	Bytes in @buf
 * @bad:	Set if a length prefix is out of range: the stream is unusable
 *
 * Return: bytes consumed; the rest is the start of an incomplete frame
 */
size_t tap_stream_input(struct ctx *c, const uint8_t *buf, size_t len,
			bool *bad)
{
	struct pkt_view v;
	size_t done = 0;

	*bad = false;
	pkt_init(&v, buf, len);
	while (pkt_left(&v) >= TAP_HDR_LEN) {
		const uint8_t *frame;
		uint32_t flen;

		memcpy(&flen, pkt_rest(&v), sizeof(flen));
		flen = ntohl(flen);
		if (flen < TAP_FRAME_MIN || flen > TAP_FRAME_MAX) {
			c->stats.bad_len++;
			*bad = true;
			debug_ratelimit("tap: invalid frame length %u in "
					"stream, resetting", flen);
			break;
		}
		if (pkt_left(&v) < TAP_HDR_LEN + flen)
			break;

		pkt_pull(&v, TAP_HDR_LEN);
		frame = pkt_pull(&v, flen);
		tap_frame_dispatch(c, frame, flen);
		done = v.off;
	}

	tap_flush(c);	/* before the caller moves @buf */
	return done;
}

/* passt: the guest's socket refused frames, EPOLLOUT is armed */
static bool tap_blocked;

/* passt: the connected guest sent something (see tap_passt_close()) */
static bool tap_guest_spoke;

/**
 * tap_out_blocked() - Would frames for the guest be lost now?
 *
 * Return: true while qemu's socket is full (passt), until it takes frames
 */
bool tap_out_blocked(void)
{
	return tap_blocked;
}

/**
 * tap_out_block() - Note that the guest's socket is full, or has room again
 * @c:		Execution context
 * @block:	Full: wait for EPOLLOUT
 *
 * #syscalls:passt epoll_ctl
 */
static void tap_out_block(const struct ctx *c, bool block)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASST, .fd = c->fd_tap };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP,
				  .data.u64 = ref.u64 };

	if (tap_blocked == block || c->fd_tap < 0 || c->mode != MODE_PASST)
		return;
	if (block)
		ev.events |= EPOLLOUT;
	if (!epoll_ctl(c->epollfd, EPOLL_CTL_MOD, c->fd_tap, &ev))
		tap_blocked = block;
}

/**
 * tap_passt_close() - Forget the connected guest, wait for the next one
 * @c:		Execution context
 *
 * With --one-off (or -F), there is no next one: exit, once a guest that
 * sent something went away.
 *
 * #syscalls:passt epoll_ctl close
 */
static void tap_passt_close(struct ctx *c)
{
	bool spoke = tap_guest_spoke;

	epoll_ctl(c->epollfd, EPOLL_CTL_DEL, c->fd_tap, NULL);
	close(c->fd_tap);
	c->fd_tap = -1;
	tap_buf_have = 0;
	tap_blocked = false;
	tap_guest_spoke = false;
	flow_request_sweep();	/* the guest's TCP flows go: tcp_flow_defer() */

	/* Connected and gone without a byte: not a guest, but someone
	 * checking the socket (another passt probing whether this path is
	 * stale, see tap_sock_stale()). -F gave us the guest's own socket.
	 */
	if (!spoke && c->fd_given < 0) {
		debug("A connection closed before sending anything, still "
		      "waiting for a guest");
		return;
	}

	if (c->one_off) {
		info("Guest disconnected, exiting (--one-off)");
		log_exit(EXIT_SUCCESS);
	}
	info("Guest disconnected, waiting for the next one");
}

/**
 * tap_sock_stale() - Is a socket path left over by a process that's gone?
 * @a:		Address with the path
 *
 * Return: true if nobody listens there (connect() refused)
 */
static bool tap_sock_stale(const struct sockaddr_un *a)
{
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool stale;

	if (probe < 0)
		return false;
	stale = connect(probe, (const struct sockaddr *)a, sizeof(*a)) &&
		errno == ECONNREFUSED;
	close(probe);
	return stale;
}

/**
 * tap_sock_path_listen() - Listen on the given or a free UNIX socket path
 * @c:		Execution context, sock_path is filled if empty
 * @fd:		Socket to bind
 *
 * Without -s, try /tmp/passt_1.socket, /tmp/passt_2.socket, ...: a path
 * nobody listens on any more (connect() refused) is stale and reused.
 *
 * The socket is bound to a name of its own next to the final path, set
 * listening, and only then linked to the final path: whoever sees the path
 * can connect at once, and two daemons picking a free path at the same time
 * can't take it from each other (link() fails if the path exists, where a
 * path that is bound but not yet listening would look stale).
 *
 * Return: 0 on success, -errno on failure
 */
static int tap_sock_path_listen(struct ctx *c, int fd)
{
	struct sockaddr_un tmp = { .sun_family = AF_UNIX };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	bool given = *c->sock_path;
	int i, rc = -EADDRINUSE;

	for (i = 1; i <= (given ? 1 : TAP_SOCK_PATH_TRIES); i++) {
		int n;

		if (!given)
			snprintf(c->sock_path, sizeof(c->sock_path),
				 "/tmp/passt_%i.socket", i);
		memcpy(a.sun_path, c->sock_path, sizeof(a.sun_path));

		if (tmp.sun_path[0])
			goto link;

		n = snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%i",
			     c->sock_path, getpid());
		if (n < 0 || (size_t)n >= sizeof(tmp.sun_path))
			return -ENAMETOOLONG;
		unlink(tmp.sun_path);	/* from an earlier process, same PID */
		if (bind(fd, (struct sockaddr *)&tmp, sizeof(tmp)) ||
		    listen(fd, 0)) {
			rc = -errno;
			unlink(tmp.sun_path);
			return rc;
		}
link:
		if (!link(tmp.sun_path, a.sun_path)) {
			unlink(tmp.sun_path);
			return 0;
		}
		rc = -errno;
		if (errno == EEXIST && tap_sock_stale(&a)) {
			unlink(a.sun_path);
			if (!link(tmp.sun_path, a.sun_path)) {
				unlink(tmp.sun_path);
				return 0;
			}
			rc = -errno;
		}
		if (rc != -EEXIST)
			break;
		rc = -EADDRINUSE;
	}

	unlink(tmp.sun_path);
	return rc;
}

/**
 * tap_sock_init() - Set up the guest's side: socket (passt) or tap (pasta)
 * @c:		Execution context
 *
 * For pasta, c->fd_tap is already open (pasta.c creates it in the
 * namespace).
 */
void tap_sock_init(struct ctx *c)
{
	int fd, rc;

	if (c->mode == MODE_PASTA) {
		tap_epoll_add(c, EPOLL_TYPE_TAP_PASTA, c->fd_tap);
		return;
	}

	if (c->fd_given >= 0) {
		int fl = fcntl(c->fd_given, F_GETFL);

		if (fl < 0 || fcntl(c->fd_given, F_SETFL, fl | O_NONBLOCK))
			die_perror("Couldn't use file descriptor %i (-F)",
				   c->fd_given);
		c->fd_tap = c->fd_given;
		c->one_off = true;
		tap_epoll_add(c, EPOLL_TYPE_TAP_PASST, c->fd_tap);
		info("Using connected socket, file descriptor %i", c->fd_tap);
		return;
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_perror("Couldn't create UNIX domain socket");

	rc = tap_sock_path_listen(c, fd);
	if (rc < 0) {
		errno = -rc;
		die_perror("Couldn't listen on UNIX domain socket `%s'",
			   *c->sock_path ? c->sock_path : "/tmp/passt_*.socket");
	}

	c->fd_tap_listen = fd;
	tap_epoll_add(c, EPOLL_TYPE_TAP_LISTEN, fd);

	info("UNIX domain socket bound at %s", c->sock_path);
	if (!c->quiet) {
		info("Start qemu with, for example:");
		info("    qemu-system-x86_64 ... -device virtio-net-pci,netdev=s "
		     "-netdev stream,id=s,server=off,addr.type=unix,"
		     "addr.path=%s", c->sock_path);
	}
}

/**
 * tap_listen_handler() - Accept a guest, or refuse it if one is connected
 * @c:		Execution context
 * @events:	epoll events
 *
 * #syscalls:passt accept4 close recvfrom
 */
void tap_listen_handler(struct ctx *c, uint32_t events)
{
	int fd;

	(void)events;

	fd = accept4(c->fd_tap_listen, NULL, NULL,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		debug_perror("tap: accept on the guest socket");
		return;
	}

	if (c->fd_tap >= 0) {
		char b;

		/* Gone already, its end of file not read yet (a probe that
		 * connects and closes at once): make room for this one
		 */
		if (!recv(c->fd_tap, &b, 1, MSG_PEEK | MSG_DONTWAIT))
			tap_passt_close(c);
	}
	if (c->fd_tap >= 0) {
		info("Refusing a second guest: one is connected already");
		close(fd);
		return;
	}

	c->fd_tap = fd;
	tap_buf_have = 0;
	tap_epoll_add(c, EPOLL_TYPE_TAP_PASST, fd);
	info("Guest connected");
}

/**
 * tap_handler_passt() - Read stream data from qemu and handle its frames
 * @c:		Execution context
 * @events:	epoll events
 *
 * #syscalls:passt recvfrom
 */
void tap_handler_passt(struct ctx *c, uint32_t events)
{
	int i;

	if (events & EPOLLOUT) {	/* room again: flows that waited go on */
		tap_out_block(c, false);
		tcp_tap_writable(c);
		if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
			return;
	}

	for (i = 0; i < TAP_READS_MAX; i++) {
		ssize_t n;
		size_t used;
		bool bad;

		n = recv(c->fd_tap, tap_buf + tap_buf_have,
			 sizeof(tap_buf) - tap_buf_have, MSG_DONTWAIT);
		if (n == 0)
			goto close;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			debug_perror("tap: receive from guest");
			goto close;
		}

		tap_buf_have += n;
		tap_guest_spoke = true;
		used = tap_stream_input(c, tap_buf, tap_buf_have, &bad);
		if (c->fd_tap < 0)	/* reset while answering */
			return;
		if (bad) {
			warn_ratelimit("Invalid frame length from guest, "
				       "resetting its connection");
			goto close;
		}
		memmove(tap_buf, tap_buf + used, tap_buf_have - used);
		tap_buf_have -= used;
	}

	if (events & (EPOLLHUP | EPOLLRDHUP | EPOLLERR))
		goto close;
	return;

close:
	tap_passt_close(c);
}

/**
 * tap_handler_pasta() - Read frames from the tap device and handle them
 * @c:		Execution context
 * @events:	epoll events
 *
 * #syscalls:pasta read
 */
void tap_handler_pasta(struct ctx *c, uint32_t events)
{
	size_t off = 0;
	int i;

	if (events & (EPOLLERR | EPOLLHUP))
		die("Tap device in the namespace went away");

	/* Frames go one after the other in tap_buf, kept until flushed */
	for (i = 0; i < TAP_READS_MAX; i++) {
		ssize_t n;

		if (off + TAP_FRAME_MAX + 1 > sizeof(tap_buf)) {
			tap_flush(c);
			off = 0;
		}
		n = read(c->fd_tap, tap_buf + off, TAP_FRAME_MAX + 1);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (errno == EIO)	/* link down: no carrier */
				break;
			die_perror("Reading from the tap device");
		}
		if (n > TAP_FRAME_MAX) {
			c->stats.drop_malformed++;
			continue;
		}
		tap_frame_dispatch(c, tap_buf + off, n);
		off += (n + 7) & ~(size_t)7;
	}
	tap_flush(c);
}

/**
 * tap_passt_write_all() - Finish writing a half-written frame to qemu
 * @c:		Execution context
 * @iov:	What is left to write
 * @cnt:	Entries in @iov
 *
 * Return: 0 once written, -1 if the guest would not take it in time
 *
 * #syscalls:passt poll sendmsg
 */
static int tap_passt_write_all(struct ctx *c, struct iovec *iov, int cnt)
{
	int tries;

	for (tries = 0; tries < 10 && cnt; tries++) {
		struct pollfd pfd = { .fd = c->fd_tap, .events = POLLOUT };
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = cnt };
		ssize_t n;

		if (poll(&pfd, 1, TAP_WRITE_TIMEOUT_MS) <= 0)
			return -1;
		n = sendmsg(c->fd_tap, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		while (cnt && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}

	return cnt ? -1 : 0;
}

/**
 * tap_send_frames() - Send a batch of frames to the guest, one call if we can
 * @c:		Execution context
 * @frames:	One iovec per frame, each starting with the Ethernet header
 * @n:		Number of frames
 *
 * passt: one sendmsg() with a length prefix before each frame; a frame cut
 * by a short write is completed, frames not sent at all are dropped and
 * counted. pasta: one write() per frame (a tap device takes one at a time).
 *
 * Return: number of frames sent (the others were dropped and counted)
 *
 * #syscalls:passt sendmsg
 * #syscalls:pasta write
 */
size_t tap_send_frames(struct ctx *c, const struct iovec *frames, size_t n)
{
	static struct iovec iov[2 * TAP_BATCH_MAX];
	static uint32_t hdr[TAP_BATCH_MAX];
	size_t i, sent = 0;

	if (c->fd_tap < 0) {
		c->stats.drop_out += n;
		return 0;
	}

	if (c->mode == MODE_PASTA) {
		for (i = 0; i < n; i++) {
			if (write(c->fd_tap, frames[i].iov_base,
				  frames[i].iov_len) < 0)
				break;
			tap_stats_out(c, frames[i].iov_base,
				      frames[i].iov_len);
		}
		c->stats.drop_out += n - i;
		return i;
	}

	while (sent < n) {
		size_t batch = MIN(n - sent, (size_t)TAP_BATCH_MAX), done = 0;
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 * batch };
		ssize_t w;

		for (i = 0; i < batch; i++) {
			hdr[i] = htonl((uint32_t)frames[sent + i].iov_len);
			iov[2 * i].iov_base = &hdr[i];
			iov[2 * i].iov_len = sizeof(hdr[i]);
			iov[2 * i + 1] = frames[sent + i];
		}

		w = sendmsg(c->fd_tap, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0)
			break;

		/* Whole frames written, then maybe one cut short */
		for (i = 0; i < 2 * batch && (size_t)w >= iov[i].iov_len; i++)
			w -= iov[i].iov_len;
		done = i / 2;
		if (i % 2 || (i < 2 * batch && w)) {
			iov[i].iov_base = (uint8_t *)iov[i].iov_base + w;
			iov[i].iov_len -= w;
			if (tap_passt_write_all(c, &iov[i], 2 * (done + 1) - i)) {
				warn("Guest not reading, resetting it");
				tap_passt_close(c);
				c->stats.drop_out += n - sent - done;
				return sent + done;
			}
			done++;
		}
		for (i = 0; i < done; i++) {
			tap_stats_out(c, frames[sent + i].iov_base,
				      frames[sent + i].iov_len);
		}
		sent += done;
		if (done < batch)
			break;
	}
	if (sent < n)
		tap_out_block(c, true);

	c->stats.drop_out += n - sent;
	return sent;
}

/**
 * tap_send() - Send one frame to the guest
 * @c:		Execution context
 * @frame:	Frame, starting with the Ethernet header
 * @len:	Length of @frame
 *
 * If the guest isn't reading, the frame is dropped and counted: the
 * protocols above recover (TCP retransmits, ARP and DHCP clients retry).
 *
 * #syscalls:passt sendmsg
 * #syscalls:pasta write
 */
void tap_send(struct ctx *c, const void *frame, size_t len)
{
	if (c->fd_tap < 0 || len > TAP_FRAME_MAX) {
		c->stats.drop_out++;
		return;
	}

	if (c->mode == MODE_PASST) {
		uint32_t hdr = htonl((uint32_t)len);
		struct iovec iov[2] = {
			{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
			{ .iov_base = (void *)(uintptr_t)frame,
			  .iov_len = len },
		};
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
		ssize_t n = sendmsg(c->fd_tap, &mh,
				    MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			c->stats.drop_out++;
			return;
		}
		if ((size_t)n < sizeof(hdr) + len) {
			int i = 0;

			while ((size_t)n >= iov[i].iov_len) {
				n -= iov[i].iov_len;
				i++;
			}
			iov[i].iov_base = (uint8_t *)iov[i].iov_base + n;
			iov[i].iov_len -= n;
			if (tap_passt_write_all(c, &iov[i], 2 - i)) {
				warn("Guest not reading, resetting it");
				tap_passt_close(c);
				return;
			}
		}
	} else {
		if (write(c->fd_tap, frame, len) < 0) {
			c->stats.drop_out++;
			return;
		}
	}

	tap_stats_out(c, frame, len);
}
