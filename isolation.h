/* SPDX-License-Identifier: GPL-2.0-or-later */
/* isolation.h - the sandbox, applied in stages */
#ifndef ISOLATION_H
#define ISOLATION_H

#include <stddef.h>

struct ctx;

void isolate_initial(void);
void isolate_user(struct ctx *c);
void isolate_prefork(const struct ctx *c);
void isolate_postfork(const struct ctx *c);

void isolate_helper_title(int argc, char **argv);
void *isolate_helper_filter(const int *allow, size_t n);
int isolate_helper_load(void *sc);

#endif /* ISOLATION_H */
