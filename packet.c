// SPDX-License-Identifier: GPL-2.0-or-later
/* packet.c - bounds-checked views of frames received from the guest
 *
 * DOC: Theory of Operation
 *
 * Every byte that comes from the guest is read through a struct pkt_view:
 * a pointer, the number of bytes that really arrived, and how many were
 * consumed. Handlers pull headers from the front with pkt_pull(), which
 * returns NULL instead of a pointer past the end, and narrow the view to a
 * length a header claims with pkt_limit(), which refuses to widen it. No
 * other file does arithmetic on pointers into guest frames.
 *
 * A failed pull is traced with the caller's function and line, so a
 * dropped frame can be explained from a --trace log.
 */

#include <string.h>

#include "packet.h"
#include "log.h"

/**
 * pkt_init() - Make a view of a received frame
 * @v:		View to initialise
 * @data:	First byte
 * @len:	Bytes received
 */
void pkt_init(struct pkt_view *v, const void *data, size_t len)
{
	v->data = data;
	v->len = len;
	v->off = 0;
}

/**
 * pkt_pull_() - Consume bytes from the front of a view, see pkt_pull()
 * @v:		View
 * @len:	Bytes wanted
 * @func:	Caller's function, for the trace message
 * @line:	Caller's line, for the trace message
 *
 * Return: pointer to the bytes, or NULL if fewer than @len remain
 */
const void *pkt_pull_(struct pkt_view *v, size_t len, const char *func,
		      int line)
{
	const void *p;

	if (len > pkt_left(v)) {
		trace("packet: %s:%d wants %zu bytes, %zu left", func, line,
		      len, pkt_left(v));
		return NULL;
	}

	p = v->data + v->off;
	v->off += len;
	return p;
}

/**
 * pkt_pull_copy_() - Consume bytes into a buffer, see pkt_pull_copy()
 * @v:		View
 * @dst:	Destination
 * @len:	Bytes wanted
 * @func:	Caller's function, for the trace message
 * @line:	Caller's line, for the trace message
 *
 * Return: true on success, false if fewer than @len remain
 */
bool pkt_pull_copy_(struct pkt_view *v, void *dst, size_t len,
		    const char *func, int line)
{
	const void *p = pkt_pull_(v, len, func, line);

	if (!p)
		return false;
	memcpy(dst, p, len);
	return true;
}

/**
 * pkt_limit() - Narrow the unconsumed part of a view to a claimed length
 * @v:		View
 * @len:	Length claimed by a header for what follows it
 *
 * Trailing bytes beyond @len (Ethernet padding) become invisible. A claim
 * longer than what arrived is refused and the view is left unchanged.
 *
 * Return: true if the view now holds exactly @len unconsumed bytes
 */
bool pkt_limit(struct pkt_view *v, size_t len)
{
	if (len > pkt_left(v))
		return false;
	v->len = v->off + len;
	return true;
}
