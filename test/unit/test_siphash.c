// SPDX-License-Identifier: GPL-2.0-or-later
/* test_siphash.c - SipHash-2-4 against the reference test vectors */

#include "unit.h"
#include "../../siphash.h"

UNIT_TEST(siphash_reference_vectors)
{
	/* From the SipHash paper, appendix A: key 00..0f, input 00..0e,
	 * and the reference implementation's vectors for lengths 0 and 8
	 */
	struct siphash_key key;
	uint8_t in[64], kb[16];
	int i;

	for (i = 0; i < 16; i++)
		kb[i] = (uint8_t)i;
	memcpy(&key.k[0], kb, 8);	/* little-endian machine assumed */
	memcpy(&key.k[1], kb + 8, 8);
	for (i = 0; i < 64; i++)
		in[i] = (uint8_t)i;

	CHECK(siphash(in, 15, &key) == 0xa129ca6149be45e5ULL);
	CHECK(siphash(in, 0, &key) == 0x726fdb47dd0e0e31ULL);
	CHECK(siphash(in, 8, &key) == 0x93f5f5799a932462ULL);
}
