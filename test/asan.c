// SPDX-License-Identifier: GPL-2.0-or-later

/* PASST - Plug A Simple Socket Transport
 *  for qemu/UNIX domain socket mode
 *
 * PASTA - Pack A Subtle Tap Abstraction
 *  for network namespace/tap device mode
 *
 * test/asan.c - Sanitizer settings of the test build (make asan)
 *
 * DOC: Theory of Operation
 *
 * Linked into passt.asan only. The test harness can't count on the
 * environment reaching the daemon (setpriv --reset-env for unprivileged
 * runs), nor on its standard error (closed to /dev/null when it goes to the
 * background), nor on a file system once the sandbox is up (the root is an
 * empty directory, and the seccomp filter refuses open()). So:
 *
 * - the runtime's options are compiled in: stop at the first report, no
 *   leak checker (it stops the world with ptrace), no symbolizer (it would
 *   run a program), a distinctive exit status;
 * - a constructor, before main() and the sandbox, opens the report file
 *   for appending, if it exists and we may write it: $PASST_ASAN_LOG, or
 *   the path compiled in as PASST_ASAN_LOG. Reports are written there from
 *   then on, through the descriptor, whatever happens to the file system
 *   later. The file is shared by every daemon of a test run: make
 *   check-asan creates it empty, and fails if it isn't empty at the end.
 *   Without the file, reports go to standard error as usual.
 *
 * Descriptors the daemon is given (-F) are inherited ones, below ours; the
 * report descriptor is close-on-exec, so pasta's command doesn't see it.
 */

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>

#ifndef PASST_ASAN_LOG
#define PASST_ASAN_LOG	""
#endif

/* Sanitizer interfaces we use (sanitizer/common_interface_defs.h) */
void __sanitizer_set_report_fd(void *fd);
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

/* Exit status of the daemon after a report: the tests look for it too */
#define ASAN_EXITCODE	"exitcode=99"

/**
 * __asan_default_options() - Options for AddressSanitizer
 *
 * Return: option string, overridden by $ASAN_OPTIONS where it's set
 */
const char *__asan_default_options(void)
{
	return "detect_leaks=0:symbolize=0:halt_on_error=1:abort_on_error=0:"
	       "handle_segv=1:allow_user_segv_handler=1:"
	       "detect_stack_use_after_return=0:" ASAN_EXITCODE;
}

/**
 * __ubsan_default_options() - Options for UndefinedBehaviorSanitizer
 *
 * Return: option string, overridden by $UBSAN_OPTIONS where it's set
 */
const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1:symbolize=0:halt_on_error=1:"
	       "report_error_type=1:" ASAN_EXITCODE;
}

/**
 * asan_report_fd() - Send sanitizer reports to the shared report file
 */
__attribute__((constructor))
static void asan_report_fd(void)
{
	const char *path = getenv("PASST_ASAN_LOG");
	int fd;

	if (!path || !*path)
		path = PASST_ASAN_LOG;
	if (!*path)
		return;

	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return;		/* no file, or not ours: standard error */

	__sanitizer_set_report_fd((void *)(intptr_t)fd);
}
