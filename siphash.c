// SPDX-License-Identifier: GPL-2.0-or-later
/* siphash.c - SipHash-2-4, a keyed hash for tables fed by the guest
 *
 * DOC: Theory of Operation
 *
 * SipHash (Aumasson and Bernstein, 2012) with two compression rounds and
 * four finalisation rounds. The flow table hashes guest-chosen addresses
 * and ports; with a secret key drawn at start-up, a guest can't aim its
 * flows at one bucket to make lookups linear. The same function gives
 * initial TCP sequence numbers their secret offset (RFC 6528).
 */

#include <string.h>

#include "siphash.h"

#define ROTL64(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

/**
 * sipround() - One SipRound on the four state words
 * @v:		State
 */
static inline void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL64(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL64(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL64(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL64(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL64(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL64(v[2], 32);
}

/**
 * le64() - Read a little-endian 64-bit word
 * @p:		Eight bytes
 *
 * Return: the word
 */
static inline uint64_t le64(const uint8_t *p)
{
	uint64_t w = 0;
	int i;

	for (i = 7; i >= 0; i--)
		w = (w << 8) | p[i];
	return w;
}

/**
 * siphash() - SipHash-2-4 of a buffer
 * @data:	Input
 * @len:	Length of @data
 * @key:	Secret key
 *
 * Return: 64-bit hash
 */
uint64_t siphash(const void *data, size_t len, const struct siphash_key *key)
{
	uint64_t v[4] = {
		key->k[0] ^ 0x736f6d6570736575ULL,
		key->k[1] ^ 0x646f72616e646f6dULL,
		key->k[0] ^ 0x6c7967656e657261ULL,
		key->k[1] ^ 0x7465646279746573ULL,
	};
	const uint8_t *p = data;
	uint8_t tail[8] = { 0 };
	size_t left = len;
	uint64_t m;

	for (; left >= 8; left -= 8, p += 8) {
		m = le64(p);
		v[3] ^= m;
		sipround(v);
		sipround(v);
		v[0] ^= m;
	}

	memcpy(tail, p, left);
	tail[7] = (uint8_t)len;
	m = le64(tail);
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;

	v[2] ^= 0xff;
	sipround(v);
	sipround(v);
	sipround(v);
	sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
