/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet.h - bounds-checked views of frames received from the guest */
#ifndef PACKET_H
#define PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct pkt_view - A window on guest bytes, consumed from the front
 * @data:	First byte of the frame
 * @len:	Bytes that may be read from @data (never more than arrived)
 * @off:	Bytes already consumed
 */
struct pkt_view {
	const uint8_t *data;
	size_t len;
	size_t off;
};

/**
 * enum pkt_verdict - What a protocol handler did with a frame
 * @PKT_NOT_MINE:	Not for this handler, try the next one
 * @PKT_CONSUMED:	Handled (answered, forwarded, or deliberately ignored)
 * @PKT_DROP:		Malformed or not acceptable: dropped, caller counts it
 */
enum pkt_verdict {
	PKT_NOT_MINE,
	PKT_CONSUMED,
	PKT_DROP,
};

void pkt_init(struct pkt_view *v, const void *data, size_t len);
const void *pkt_pull_(struct pkt_view *v, size_t len, const char *func,
		      int line);
bool pkt_pull_copy_(struct pkt_view *v, void *dst, size_t len,
		    const char *func, int line);
bool pkt_limit(struct pkt_view *v, size_t len);

/**
 * pkt_pull() - Consume @len bytes from the front of a view
 * @v:		View
 * @len:	Bytes wanted
 *
 * Return: pointer to the bytes, or NULL (traced) if fewer remain
 */
#define pkt_pull(v, len)	pkt_pull_((v), (len), __func__, __LINE__)

/**
 * pkt_pull_copy() - Consume @len bytes from the front of a view into @dst
 * @v:		View
 * @dst:	Destination, at least @len bytes
 * @len:	Bytes wanted
 *
 * Return: true on success, false (traced, @dst untouched) if fewer remain
 */
#define pkt_pull_copy(v, dst, len)					\
	pkt_pull_copy_((v), (dst), (len), __func__, __LINE__)

/**
 * pkt_left() - Bytes not yet consumed
 * @v:		View
 *
 * Return: count of bytes
 */
static inline size_t pkt_left(const struct pkt_view *v)
{
	return v->len - v->off;
}

/**
 * pkt_rest() - Pointer to the bytes not yet consumed
 * @v:		View
 *
 * Only valid together with pkt_left(): callers read at most that many.
 *
 * Return: pointer to the first unconsumed byte
 */
static inline const uint8_t *pkt_rest(const struct pkt_view *v)
{
	return v->data + v->off;
}

#endif /* PACKET_H */
