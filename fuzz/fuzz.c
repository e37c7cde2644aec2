// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz.c - libFuzzer targets for everything the guest can send us
 *
 * DOC: Theory of Operation
 *
 * One source, one binary per target, chosen with -DFUZZ_TARGET_<NAME>:
 *
 * - TAP:	the input is one Ethernet frame, as read from the tap device
 * - STREAM:	the input is qemu stream data: length-prefixed frames
 * - DHCP:	the input is the payload of a UDP datagram to port 67
 * - DHCPV6:	the input is the payload of a UDP datagram to port 547
 * - NDP:	the input is an ICMPv6 message (checksum fixed up)
 * - TCP:	the input is a TCP header and payload over IPv4
 * - UDP:	the input is a UDP payload to an arbitrary port over IPv6
 * - CONTROL:	the input is one request line of the control socket (not
 *		the guest's, but a parser of input from outside all the same);
 *		TCP and UDP are off, so that add-forward stops short of
 *		opening sockets
 *
 * Each target wraps its input in valid lower-layer headers, so that the
 * fuzzer spends its time in the parser under test, and calls the real
 * entry point, tap_frame_input() or tap_stream_input(). Replies go to one
 * end of a datagram socket pair, drained after each input.
 *
 * TCP and UDP handlers open real sockets towards whatever the guest asks
 * for: run these targets in a network namespace of their own, with no
 * route anywhere (make fuzz does, with unshare -rn).
 */

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../checksum.h"
#include "../control.h"
#include "../flow.h"
#include "../fwd.h"
#include "../passt.h"
#include "../tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ctx ctx;
static int peer = -1;
static uint8_t frame[TAP_FRAME_MAX + 4];

static const uint8_t guest_mac[ETH_ADDR_LEN] = { 2, 0, 0, 0, 0, 1 };

/**
 * fuzz_init() - A context like pasta's after start-up, both families on
 */
static void fuzz_init(void)
{
	static const uint8_t our_mac[ETH_ADDR_LEN] = MAC_OUR_DEFAULT;
	struct ctx *c = &ctx;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv))
		abort();
	peer = sv[1];

	c->mode = MODE_PASTA;
	c->fd_tap = sv[0];
	c->fd_tap_listen = c->fd_given = -1;
	c->epollfd = epoll_create1(EPOLL_CLOEXEC);
	c->mtu = MTU_DEFAULT;
	c->ipv4_enabled = c->ipv6_enabled = true;
	memcpy(c->our_mac, our_mac, sizeof(our_mac));
	inet_pton(AF_INET, "192.0.2.2", &c->ip4.addr);
	inet_pton(AF_INET, "192.0.2.1", &c->ip4.gw);
	inet_pton(AF_INET, "192.0.2.53", &c->ip4.dns[0]);
	c->ip4.prefix_len = 24;
	inet_pton(AF_INET6, "2001:db8::2", &c->ip6.addr);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.gw);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.our_ll);
	inet_pton(AF_INET6, "2001:db8::53", &c->ip6.dns[0]);
	c->ip6.prefix_len = 64;
	snprintf(c->search[0], sizeof(c->search[0]), "example.test");

	flow_init();
	fwd_init(c);
}

/**
 * fuzz_drain() - Discard what we sent to the "guest"
 */
static void fuzz_drain(void)
{
	uint8_t buf[TAP_FRAME_MAX + 1];
	int i;

	for (i = 0; i < 1024; i++)
		if (recv(peer, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			break;
}

/**
 * fuzz_eth() - Write an Ethernet header from the guest
 * @buf:	Frame buffer
 * @type:	Ethertype
 *
 * Return: length written
 */
static size_t fuzz_eth(uint8_t *buf, uint16_t type)
{
	struct ether_header eh;

	memset(eh.ether_dhost, 0xff, ETH_ALEN);
	memcpy(eh.ether_shost, guest_mac, ETH_ALEN);
	eh.ether_type = htons(type);
	memcpy(buf, &eh, sizeof(eh));
	return sizeof(eh);
}

/**
 * fuzz_ip4() - Ethernet and IPv4 headers around an L4 payload
 * @proto:	Protocol
 * @dst:	Destination address
 * @l4:		L4 header and payload
 * @len:	Length of @l4
 *
 * Return: frame length
 */
static size_t fuzz_ip4(uint8_t proto, const char *dst, const uint8_t *l4,
		       size_t len)
{
	size_t off = fuzz_eth(frame, ETHERTYPE_IP);
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64 };

	len = MIN(len, sizeof(frame) - off - sizeof(ip));
	ip.tot_len = htons((uint16_t)(sizeof(ip) + len));
	ip.protocol = proto;
	inet_pton(AF_INET, "192.0.2.2", &ip.saddr);
	inet_pton(AF_INET, dst, &ip.daddr);
	ip.check = csum(&ip, sizeof(ip), 0);
	memcpy(frame + off, &ip, sizeof(ip));
	memcpy(frame + off + sizeof(ip), l4, len);
	return off + sizeof(ip) + len;
}

/**
 * fuzz_ip6() - Ethernet and IPv6 headers around an L4 payload
 * @proto:	Next header
 * @src:	Source address
 * @dst:	Destination address
 * @l4:		L4 header and payload
 * @len:	Length of @l4
 *
 * Return: frame length
 */
static size_t fuzz_ip6(uint8_t proto, const char *src, const char *dst,
		       const uint8_t *l4, size_t len)
{
	size_t off = fuzz_eth(frame, ETHERTYPE_IPV6);
	struct ip6_hdr ip6;

	memset(&ip6, 0, sizeof(ip6));
	len = MIN(len, sizeof(frame) - off - sizeof(ip6));
	ip6.ip6_flow = htonl(6 << 28);
	ip6.ip6_plen = htons((uint16_t)len);
	ip6.ip6_nxt = proto;
	ip6.ip6_hlim = 255;
	inet_pton(AF_INET6, src, &ip6.ip6_src);
	inet_pton(AF_INET6, dst, &ip6.ip6_dst);
	memcpy(frame + off, &ip6, sizeof(ip6));
	memcpy(frame + off + sizeof(ip6), l4, len);
	return off + sizeof(ip6) + len;
}

/**
 * fuzz_udp() - A UDP header in front of a payload, in a scratch buffer
 * @buf:	Buffer, at least @len + 8 bytes
 * @sport:	Source port
 * @dport:	Destination port
 * @data:	Payload
 * @len:	Payload length
 *
 * Return: UDP length
 */
static size_t fuzz_udp(uint8_t *buf, uint16_t sport, uint16_t dport,
		       const uint8_t *data, size_t len)
{
	struct udphdr uh;

	uh.source = htons(sport);
	uh.dest = htons(dport);
	uh.len = htons((uint16_t)(sizeof(uh) + len));
	uh.check = 0;
	memcpy(buf, &uh, sizeof(uh));
	memcpy(buf + sizeof(uh), data, len);
	return sizeof(uh) + len;
}

/**
 * LLVMFuzzerTestOneInput() - Feed one input to the target's entry point
 * @data:	Input
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t l4[TAP_FRAME_MAX];
	static bool init;
	size_t len;

	if (!init) {
		fuzz_init();
		init = true;
	}
	if (size > TAP_FRAME_MAX - 128)
		return 0;

#if defined(FUZZ_TARGET_TAP)
	tap_frame_input(&ctx, data, size);
#elif defined(FUZZ_TARGET_STREAM)
	{
		bool bad;

		tap_stream_input(&ctx, data, size, &bad);
	}
#elif defined(FUZZ_TARGET_DHCP)
	len = fuzz_udp(l4, 68, 67, data, size);
	tap_frame_input(&ctx, frame, fuzz_ip4(IPPROTO_UDP, "255.255.255.255",
					      l4, len));
#elif defined(FUZZ_TARGET_DHCPV6)
	len = fuzz_udp(l4, 546, 547, data, size);
	tap_frame_input(&ctx, frame, fuzz_ip6(IPPROTO_UDP, "fe80::2",
					      "ff02::1:2", l4, len));
#elif defined(FUZZ_TARGET_NDP)
	{
		struct in6_addr s, d;
		uint16_t sum;

		memcpy(l4, data, size);
		len = size;
		if (len >= 4) {
			inet_pton(AF_INET6, "fe80::2", &s);
			inet_pton(AF_INET6, "ff02::2", &d);
			l4[2] = l4[3] = 0;
			sum = csum(l4, len, csum_pseudo6((uint32_t)len,
							 IPPROTO_ICMPV6,
							 &s, &d));
			memcpy(l4 + 2, &sum, sizeof(sum));
		}
		tap_frame_input(&ctx, frame, fuzz_ip6(IPPROTO_ICMPV6,
						      "fe80::2", "ff02::2",
						      l4, len));
	}
#elif defined(FUZZ_TARGET_TCP)
	tap_frame_input(&ctx, frame, fuzz_ip4(IPPROTO_TCP, "192.0.2.1",
					      data, size));
#elif defined(FUZZ_TARGET_UDP)
	len = fuzz_udp(l4, 40000, size ? data[0] + 1000 : 1000, data, size);
	tap_frame_input(&ctx, frame, fuzz_ip6(IPPROTO_UDP, "2001:db8::2",
					      "2001:db8::1", l4, len));
#elif defined(FUZZ_TARGET_CONTROL)
	{
		static char reply[CONTROL_OUT_MAX];

		ctx.no_tcp = ctx.no_udp = true;
		control_request(&ctx, (const char *)data,
				MIN(size, (size_t)CONTROL_LINE_MAX), reply,
				sizeof(reply));
	}
#else
#error "Define one FUZZ_TARGET_*"
#endif
	(void)l4;
	(void)len;

	fuzz_drain();
	return 0;
}
