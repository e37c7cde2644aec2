/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap.h - frame I/O with the guest, both faces */
#ifndef TAP_H
#define TAP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct ctx;

/* qemu's stream framing: 32-bit big-endian length before each frame */
#define TAP_HDR_LEN		4
#define TAP_FRAME_MIN		14	/* an Ethernet header and nothing else */
#define TAP_FRAME_MAX		65535

void tap_sock_init(struct ctx *c);
void tap_listen_handler(struct ctx *c, uint32_t events);
void tap_handler_passt(struct ctx *c, uint32_t events);
void tap_handler_pasta(struct ctx *c, uint32_t events);
void tap_send(struct ctx *c, const void *frame, size_t len);
size_t tap_send_frames(struct ctx *c, const struct iovec *frames, size_t n);
bool tap_out_blocked(void);
void tap_frame_input(struct ctx *c, const uint8_t *frame, size_t len);
size_t tap_stream_input(struct ctx *c, const uint8_t *buf, size_t len,
			bool *bad);
void tap_udp4_send(struct ctx *c, struct in_addr src, in_port_t sport,
		   struct in_addr dst, in_port_t dport, const void *payload,
		   size_t len);
void tap_udp6_send(struct ctx *c, const struct in6_addr *src, in_port_t sport,
		   const struct in6_addr *dst, in_port_t dport,
		   const void *payload, size_t len);
void tap_icmp6_send(struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, const void *msg, size_t len);
void tap_icmp4_send(struct ctx *c, struct in_addr src, struct in_addr dst,
		    const void *msg, size_t len);

#endif /* TAP_H */
