/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control_internal.h - control socket files only: requests and replies */
#ifndef CONTROL_INTERNAL_H
#define CONTROL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTROL_MEMBERS_MAX	12	/* members of a request object */
#define CONTROL_KEY_MAX		24	/* key length, NUL included */
#define CONTROL_STR_MAX		96	/* string value length, NUL included */
#define CONTROL_ERR_LEN		160	/* error messages, NUL included */

/**
 * enum control_type - Type of a request member's value
 * @CONTROL_T_STR:	String
 * @CONTROL_T_NUM:	Integer
 * @CONTROL_T_BOOL:	true or false
 * @CONTROL_T_NULL:	null
 */
enum control_type {
	CONTROL_T_STR,
	CONTROL_T_NUM,
	CONTROL_T_BOOL,
	CONTROL_T_NULL,
};

/**
 * struct control_member - One member of a request object
 * @key:	Key
 * @type:	Type of the value
 * @str:	CONTROL_T_STR: value
 * @num:	CONTROL_T_NUM: value
 * @b:		CONTROL_T_BOOL: value
 */
struct control_member {
	char key[CONTROL_KEY_MAX];
	enum control_type type;
	char str[CONTROL_STR_MAX];
	long long num;
	bool b;
};

/**
 * struct control_req - A parsed request
 * @n:		Number of members
 * @m:		Members, in the order given
 */
struct control_req {
	unsigned n;
	struct control_member m[CONTROL_MEMBERS_MAX];
};


/**
 * struct control_out - A reply being written
 * @buf:	Buffer
 * @size:	Bytes usable in @buf
 * @len:	Bytes written, without the terminating NUL
 * @full:	Something didn't fit, and was left out
 * @failed:	The command failed: @err says why, the rest is dropped
 * @err:	Error message
 */
struct control_out {
	char *buf;
	size_t size;
	size_t len;
	bool full;
	bool failed;
	char err[CONTROL_ERR_LEN];
};

/* control_json.c */
bool control_json_parse(const char *line, size_t len,
			struct control_req *req, char *err, size_t err_size);
const struct control_member *control_json_get(const struct control_req *req,
					      const char *key);
void control_printf(struct control_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void control_str(struct control_out *o, const char *s);
void control_error(struct control_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* control.c */
uint64_t control_clients_dropped(void);

#endif /* CONTROL_INTERNAL_H */
