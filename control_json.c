// SPDX-License-Identifier: GPL-2.0-or-later
/* control_json.c - control socket: the JSON parser, the reply writer
 *
 * DOC: Theory of Operation
 *
 * Requests are single lines, each one flat JSON object (RFC 8259, a
 * strict subset): members whose values are strings, integers, true, false
 * or null. Nothing is allocated: a request fills a struct control_req of
 * fixed size, with at most CONTROL_MEMBERS_MAX members, keys shorter than
 * CONTROL_KEY_MAX and strings shorter than CONTROL_STR_MAX bytes, integers
 * of at most CONTROL_DIGITS_MAX digits. Strings are printable ASCII, with
 * the escapes \" \\ \/ and \uXXXX (of printable ASCII only). Refused:
 * nested objects and arrays, fractions and exponents, leading zeros,
 * duplicate keys, trailing commas, anything after the object. The parser
 * walks the line with a position and its end, never past it (the line
 * isn't NUL-terminated, and a NUL byte in it is an error like any other
 * control character); every error names what and the byte offset.
 *
 * Replies are written with control_printf() into a fixed buffer: what
 * doesn't fit is left out and noted, so that lists can stop cleanly at an
 * entry boundary, and strings go through control_str(), which escapes them.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "control_internal.h"
#include "util.h"

#define CONTROL_DIGITS_MAX	15	/* digits of an integer */

/**
 * struct control_parser - State of the JSON parser over one line
 * @start:	First byte of the line
 * @p:		Next byte to read
 * @end:	End of the line
 * @err:	Error message, filled on failure
 */
struct control_parser {
	const char *start;
	const char *p;
	const char *end;
	char err[CONTROL_ERR_LEN];
};

/* JSON requests */

/**
 * ctl_fail() - Record a parse error, with the offset it was found at
 * @ps:		Parser
 * @what:	What is wrong
 *
 * Return: false
 */
static bool ctl_fail(struct control_parser *ps, const char *what)
{
	snprintf(ps->err, sizeof(ps->err), "malformed request: %s at byte %zu",
		 what, (size_t)(ps->p - ps->start));
	return false;
}

/**
 * ctl_ws() - Skip white space
 * @ps:		Parser
 */
static void ctl_ws(struct control_parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r'))
		ps->p++;
}

/**
 * ctl_parse_str() - Parse a string: printable ASCII, escapes \" \\ \/ \uXXXX
 * @ps:		Parser, at the opening quote
 * @dst:	Filled with the value, NUL-terminated
 * @size:	Size of @dst
 *
 * Return: true on success, false with @ps->err set
 */
static bool ctl_parse_str(struct control_parser *ps, char *dst, size_t size)
{
	size_t n = 0;

	if (ps->p >= ps->end || *ps->p != '"')
		return ctl_fail(ps, "expected a string");
	ps->p++;

	for (;;) {
		unsigned char ch;

		if (ps->p >= ps->end)
			return ctl_fail(ps, "unterminated string");
		ch = (unsigned char)*ps->p;
		if (ch == '"') {
			ps->p++;
			break;
		}
		if (ch < 0x20 || ch >= 0x7f)
			return ctl_fail(ps, "control or non-ASCII character");
		ps->p++;

		if (ch == '\\') {
			if (ps->p >= ps->end)
				return ctl_fail(ps, "unterminated string");
			ch = (unsigned char)*ps->p;
			if (ch == 'u') {
				int i, v = 0;

				if (ps->end - ps->p < 5)
					return ctl_fail(ps, "short \\u escape");
				for (i = 1; i <= 4; i++) {
					int h = hex_digit(ps->p[i]);

					if (h < 0)
						return ctl_fail(ps,
							"bad \\u escape");
					v = v * 16 + h;
				}
				if (v < 0x20 || v >= 0x7f)
					return ctl_fail(ps,
						"escape of a character other "
						"than printable ASCII");
				ch = (unsigned char)v;
				ps->p += 5;
			} else if (ch == '"' || ch == '\\' || ch == '/') {
				ps->p++;
			} else {
				return ctl_fail(ps, "unsupported escape");
			}
		}

		if (n + 1 >= size)
			return ctl_fail(ps, "string too long");
		dst[n++] = (char)ch;
	}

	dst[n] = '\0';
	return true;
}

/**
 * ctl_parse_num() - Parse an integer (fractions and exponents refused)
 * @ps:		Parser, at the sign or first digit
 * @num:	Filled with the value
 *
 * Return: true on success, false with @ps->err set
 */
static bool ctl_parse_num(struct control_parser *ps, long long *num)
{
	bool neg = false;
	long long v = 0;
	int digits = 0;

	if (*ps->p == '-') {
		neg = true;
		ps->p++;
	}
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
		return ctl_fail(ps, "expected a digit");
	if (*ps->p == '0' && ps->end - ps->p > 1 &&
	    ps->p[1] >= '0' && ps->p[1] <= '9')
		return ctl_fail(ps, "leading zero");

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
		if (++digits > CONTROL_DIGITS_MAX)
			return ctl_fail(ps, "number too long");
		v = v * 10 + (*ps->p - '0');
		ps->p++;
	}
	if (ps->p < ps->end &&
	    (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E'))
		return ctl_fail(ps, "only integers are accepted");

	*num = neg ? -v : v;
	return true;
}

/**
 * ctl_parse_lit() - Parse a literal: true, false or null
 * @ps:		Parser
 * @lit:	The literal expected
 *
 * Return: true if it's there (and consumed), false with @ps->err set
 */
static bool ctl_parse_lit(struct control_parser *ps, const char *lit)
{
	size_t len = strlen(lit);

	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, lit, len))
		return ctl_fail(ps, "unexpected character");
	ps->p += len;
	return true;
}

/**
 * ctl_parse_value() - Parse a member's value
 * @ps:		Parser, at the value
 * @m:		Member to fill
 *
 * Return: true on success, false with @ps->err set
 */
static bool ctl_parse_value(struct control_parser *ps, struct control_member *m)
{
	if (ps->p >= ps->end)
		return ctl_fail(ps, "expected a value");

	switch (*ps->p) {
	case '"':
		m->type = CONTROL_T_STR;
		return ctl_parse_str(ps, m->str, sizeof(m->str));
	case 't':
	case 'f':
		m->type = CONTROL_T_BOOL;
		m->b = *ps->p == 't';
		return ctl_parse_lit(ps, m->b ? "true" : "false");
	case 'n':
		m->type = CONTROL_T_NULL;
		return ctl_parse_lit(ps, "null");
	case '{':
	case '[':
		return ctl_fail(ps, "nested objects and arrays are not "
				    "accepted");
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
			m->type = CONTROL_T_NUM;
			return ctl_parse_num(ps, &m->num);
		}
		return ctl_fail(ps, "unexpected character");
	}
}

/**
 * control_json_parse() - Parse a request line: one flat JSON object
 * @line:	Line, without its newline, not NUL-terminated
 * @len:	Length of @line
 * @req:	Filled with the members
 * @err:	Filled with the error message on failure
 * @err_size:	Size of @err
 *
 * Return: true on success
 */
bool control_json_parse(const char *line, size_t len,
			struct control_req *req, char *err, size_t err_size)
{
	struct control_parser ps = { .start = line, .p = line,
				     .end = line + len };
	bool ok = false;

	req->n = 0;
	ctl_ws(&ps);
	if (ps.p >= ps.end || *ps.p != '{') {
		ctl_fail(&ps, "expected an object");
		goto out;
	}
	ps.p++;
	ctl_ws(&ps);

	if (ps.p < ps.end && *ps.p == '}') {
		ps.p++;
	} else {
		for (;;) {
			struct control_member *m;
			unsigned i;

			if (req->n >= CONTROL_MEMBERS_MAX) {
				ctl_fail(&ps, "too many members");
				goto out;
			}
			m = &req->m[req->n];
			memset(m, 0, sizeof(*m));
			if (!ctl_parse_str(&ps, m->key, sizeof(m->key)))
				goto out;
			for (i = 0; i < req->n; i++) {
				if (!strcmp(req->m[i].key, m->key)) {
					ctl_fail(&ps, "duplicate key");
					goto out;
				}
			}
			ctl_ws(&ps);
			if (ps.p >= ps.end || *ps.p != ':') {
				ctl_fail(&ps, "expected ':'");
				goto out;
			}
			ps.p++;
			ctl_ws(&ps);
			if (!ctl_parse_value(&ps, m))
				goto out;
			req->n++;
			ctl_ws(&ps);

			if (ps.p < ps.end && *ps.p == ',') {
				ps.p++;
				ctl_ws(&ps);
				continue;
			}
			if (ps.p < ps.end && *ps.p == '}') {
				ps.p++;
				break;
			}
			ctl_fail(&ps, "expected ',' or '}'");
			goto out;
		}
	}

	ctl_ws(&ps);
	if (ps.p != ps.end) {
		ctl_fail(&ps, "data after the object");
		goto out;
	}
	ok = true;
out:
	if (!ok)
		snprintf(err, err_size, "%s", ps.err);
	return ok;
}

/**
 * control_json_get() - Member of a request by key
 * @req:	Request
 * @key:	Key
 *
 * Return: the member, NULL if not given
 */
const struct control_member *control_json_get(const struct control_req *req,
					      const char *key)
{
	unsigned i;

	for (i = 0; i < req->n; i++) {
		if (!strcmp(req->m[i].key, key))
			return &req->m[i];
	}
	return NULL;
}

/* Replies */

/**
 * control_printf() - Append formatted text to a reply
 * @o:		Reply
 * @fmt:	Format
 * @...:	Arguments
 */
void control_printf(struct control_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);

	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->full = true;
		o->buf[o->len] = '\0';
		return;
	}
	o->len += (size_t)n;
}

/**
 * control_str() - Append a JSON string, escaped
 * @o:		Reply
 * @s:		String
 */
void control_str(struct control_out *o, const char *s)
{
	control_printf(o, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			control_printf(o, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			control_printf(o, "\\u%04x", ch);
		else
			control_printf(o, "%c", ch);
	}
	control_printf(o, "\"");
}

/**
 * control_error() - Fail the command, with a message
 * @o:		Reply
 * @fmt:	Format of the message
 * @...:	Arguments
 */
void control_error(struct control_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->err, sizeof(o->err), fmt, ap);
	va_end(ap);
	o->failed = true;
}
