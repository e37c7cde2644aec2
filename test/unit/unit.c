// SPDX-License-Identifier: GPL-2.0-or-later
/* unit.c - runner for the tests registered with UNIT_TEST() */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define UNIT_MAX	512

static struct {
	const char *name;
	unit_fn fn;
} tests[UNIT_MAX];
static int n_tests;
static int cur_failures;

/**
 * unit_register() - Add a test to the list, called from constructors
 * @name:	Test name
 * @fn:		Test function
 */
void unit_register(const char *name, unit_fn fn)
{
	if (n_tests >= UNIT_MAX) {
		fprintf(stderr, "too many unit tests, raise UNIT_MAX\n");
		exit(2);
	}
	tests[n_tests].name = name;
	tests[n_tests].fn = fn;
	n_tests++;
}

/**
 * unit_fail() - Record a failed check of the current test
 * @file:	Source file of the check
 * @line:	Line of the check
 * @fmt:	Message format
 */
void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cur_failures++;
}

/**
 * main() - Run all tests, or those whose names contain argv[1]
 * @argc:	Argument count
 * @argv:	Optional filter
 *
 * Return: 0 if every test passed, 1 otherwise
 */
int main(int argc, char **argv)
{
	int passed = 0, failed = 0, i;

	for (i = 0; i < n_tests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		cur_failures = 0;
		tests[i].fn();
		if (cur_failures) {
			printf("FAIL %s\n", tests[i].name);
			failed++;
		} else {
			printf("ok   %s\n", tests[i].name);
			passed++;
		}
	}

	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
