/* SPDX-License-Identifier: GPL-2.0-or-later */
/* isolation.h - the sandbox, applied in stages */
#ifndef ISOLATION_H
#define ISOLATION_H

struct ctx;

void isolate_initial(void);
void isolate_user(struct ctx *c);
void isolate_prefork(const struct ctx *c);
void isolate_postfork(const struct ctx *c);

#endif /* ISOLATION_H */
