// SPDX-License-Identifier: GPL-2.0-or-later
/* isolation.c - the sandbox, applied in stages
 *
 * DOC: Theory of Operation
 *
 * Placeholder stages, called from main() at the points where the sandbox
 * will be applied: see isolation.h.
 */

#include "isolation.h"
#include "passt.h"

/**
 * isolate_initial() - First stage, before anything else runs
 */
void isolate_initial(void)
{
}

/**
 * isolate_user() - Choose the user to run as, once options are known
 * @c:		Execution context
 */
void isolate_user(struct ctx *c)
{
	(void)c;
}

/**
 * isolate_prefork() - Before daemonizing: namespaces, root, capabilities
 * @c:		Execution context
 */
void isolate_prefork(const struct ctx *c)
{
	(void)c;
}

/**
 * isolate_postfork() - After daemonizing: seccomp and NO_NEW_PRIVS
 * @c:		Execution context
 */
void isolate_postfork(const struct ctx *c)
{
	(void)c;
}
