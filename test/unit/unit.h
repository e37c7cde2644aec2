/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unit.h - a minimal unit-test runner for the pure functions of the daemon
 *
 * UNIT_TEST(name) defines a test and registers it from a constructor, so a
 * test file needs no list to keep in sync.  CHECK*() record a failure with
 * its file and line and let the test go on; unit.c runs every registered
 * test and prints "N passed, N failed".
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef void (*unit_fn)(void);

void unit_register(const char *name, unit_fn fn);
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define UNIT_TEST(name)							\
	static void test_##name(void);					\
	__attribute__((constructor)) static void reg_##name(void)	\
	{								\
		unit_register(#name, test_##name);			\
	}								\
	static void test_##name(void)

#define CHECK(expr)							\
	do {								\
		if (!(expr))						\
			unit_fail(__FILE__, __LINE__, "%s", #expr);	\
	} while (0)

#define CHECK_EQ_INT(a, b)						\
	do {								\
		long long a_ = (long long)(a), b_ = (long long)(b);	\
		if (a_ != b_)						\
			unit_fail(__FILE__, __LINE__,			\
				  "%s == %s: %lld != %lld",		\
				  #a, #b, a_, b_);			\
	} while (0)

#define CHECK_STREQ(a, b)						\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		if (!a_ || !b_ || strcmp(a_, b_))			\
			unit_fail(__FILE__, __LINE__,			\
				  "%s == %s: \"%s\" != \"%s\"",		\
				  #a, #b, a_ ? a_ : "(null)",		\
				  b_ ? b_ : "(null)");			\
	} while (0)

#define CHECK_MEMEQ(a, b, len)						\
	do {								\
		if (memcmp((a), (b), (len)))				\
			unit_fail(__FILE__, __LINE__,			\
				  "%s == %s (%zu bytes)", #a, #b,	\
				  (size_t)(len));			\
	} while (0)

#endif /* UNIT_H */
