// SPDX-License-Identifier: GPL-2.0-or-later
/* test_control.c - control socket requests: the JSON parser, the replies */

#include "unit.h"
#include "../../control.h"
#include "../../flow.h"
#include "../../passt.h"

static struct ctx ctl_ctx;
static char reply[CONTROL_OUT_MAX];

/**
 * req() - Run one request, return its reply
 * @line:	Request line, NUL-terminated, without newline
 *
 * Return: the reply, NUL-terminated, newline included
 */
static const char *req(const char *line)
{
	size_t n = control_request(&ctl_ctx, line, strlen(line), reply,
				   sizeof(reply));

	reply[n] = '\0';
	return reply;
}

/**
 * ok() - Tell if a reply is a success, one line
 * @r:		Reply
 *
 * Return: true if it starts with "ok": true and ends with its only newline
 */
static bool ok(const char *r)
{
	return !strncmp(r, "{\"ok\":true", 10) && strchr(r, '\n') &&
	       !strchr(r, '\n')[1];
}

/**
 * failed() - Tell if a reply is an error, one line, with a message
 * @r:		Reply
 * @what:	Text the message must contain
 *
 * Return: true if it is
 */
static bool failed(const char *r, const char *what)
{
	return !strncmp(r, "{\"ok\":false,\"error\":\"", 21) &&
	       strstr(r, what) && strchr(r, '\n') && !strchr(r, '\n')[1];
}

UNIT_TEST(control_valid_requests)
{
	flow_init();
	CHECK(ok(req("{\"cmd\":\"stats\"}")));
	CHECK(ok(req("  { \"cmd\" : \"stats\" }\t ")));
	CHECK(ok(req("{\"cmd\":\"st\\u0061ts\"}")));
	CHECK(ok(req("{\"cmd\":\"flows\",\"start\":0}")));
	CHECK(strstr(req("{\"cmd\":\"flows\"}"), "\"next\":null"));
	CHECK_STREQ(req("{\"cmd\":\"list-forwards\"}"),
		    "{\"ok\":true,\"forwards\":[],\"truncated\":false}\n");
	CHECK(strstr(req("{\"cmd\":\"stats\"}"),
		     "\"errors\":{\"control_clients_dropped\":0}}\n"));
}

UNIT_TEST(control_malformed)
{
	static const struct {
		const char *line;
		const char *why;
	} bad[] = {
		{ "", "expected an object" },
		{ "x", "expected an object" },
		{ "[]", "expected an object" },
		{ "{", "expected a string" },
		{ "{\"cmd\"", "expected ':'" },
		{ "{\"cmd\":", "expected a value" },
		{ "{\"cmd\":\"stats\"", "expected ',' or '}'" },
		{ "{\"cmd\":\"stats\",}", "expected a string" },
		{ "{\"cmd\":\"stats\"}}", "data after the object" },
		{ "{\"cmd\":\"stats\",\"cmd\":\"stats\"}", "duplicate key" },
		{ "{\"a\":{}}", "nested" },
		{ "{\"a\":[1]}", "nested" },
		{ "{\"a\":1.5}", "only integers" },
		{ "{\"a\":1e3}", "only integers" },
		{ "{\"a\":01}", "leading zero" },
		{ "{\"a\":-}", "expected a digit" },
		{ "{\"a\":1234567890123456}", "number too long" },
		{ "{\"a\":tru}", "unexpected character" },
		{ "{\"a\":\"\\n\"}", "unsupported escape" },
		{ "{\"a\":\"\\u0000\"}", "printable ASCII" },
		{ "{\"a\":\"\\u00zz\"}", "bad \\\\u escape" },
		{ "{\"a\":\"\\u00", "short \\\\u escape" },
		{ "{\"a\":\"\xc3\xa9\"}", "non-ASCII" },
		{ "{\"a\":\"\t\"}", "control" },
		{ "{\"a\":\"abc", "unterminated" },
		{ "{\"cmd\":1}", "missing \\\"cmd\\\"" },
		{ "{}", "missing \\\"cmd\\\"" },
		{ "{\"cmd\":\"halt\"}", "unknown command `halt'" },
		{ "{\"cmd\":\"stats\",\"x\":1}", "unknown member `x'" },
		{ "{\"cmd\":\"flows\",\"start\":-1}", "\\\"start\\\" must be" },
		{ "{\"cmd\":\"add-forward\",\"proto\":\"sctp\",\"port\":1}",
		  "\\\"proto\\\" must be" },
		{ "{\"cmd\":\"add-forward\",\"proto\":\"tcp\",\"port\":0}",
		  "\\\"port\\\" must be" },
		{ "{\"cmd\":\"add-forward\",\"proto\":\"tcp\","
		  "\"port\":\"9-8\"}",
		  "\\\"port\\\" must be" },
		{ "{\"cmd\":\"add-forward\",\"proto\":\"tcp\",\"port\":65536}",
		  "\\\"port\\\" must be" },
		{ "{\"cmd\":\"add-forward\",\"proto\":\"udp\","
		  "\"port\":\"1-2000\"}",
		  "at most 1024" },
		{ "{\"cmd\":\"add-forward\",\"proto\":\"udp\",\"port\":\"1-2\","
		  "\"to\":\"5-9\"}", "differs in size" },
		{ "{\"cmd\":\"add-forward\",\"proto\":\"udp\",\"port\":\"1-2\","
		  "\"to\":65535}", "past port 65535" },
		{ "{\"cmd\":\"add-forward\",\"proto\":\"tcp\",\"port\":1,"
		  "\"addr\":\"no\"}", "invalid address" },
		{ "{\"cmd\":\"add-forward\",\"proto\":\"tcp\",\"port\":1,"
		  "\"dir\":\"up\"}", "\\\"dir\\\" must be" },
		{ "{\"cmd\":\"remove-forward\",\"proto\":\"tcp\",\"port\":1}",
		  "not forwarded" },
	};
	char big[200];
	unsigned i;
	size_t n;

	flow_init();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!failed(req(bad[i].line), bad[i].why))
			unit_fail(__FILE__, __LINE__, "`%s': %s", bad[i].line,
				  reply);
	}

	/* A NUL byte inside the line */
	n = control_request(&ctl_ctx, "{\"a\":\"x\0\"}", 10, reply,
			    sizeof(reply));
	reply[n] = '\0';
	CHECK(failed(reply, "control"));

	/* Too many members, keys and strings too long */
	snprintf(big, sizeof(big), "{%s\"cmd\":\"stats\"}",
		 "\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,"
		 "\"h\":1,\"i\":1,\"j\":1,\"k\":1,\"l\":1,");
	CHECK(failed(req(big), "too many members"));
	memset(big, 'a', sizeof(big));
	memcpy(big, "{\"cmd\":\"", 8);
	memcpy(big + sizeof(big) - 3, "\"}", 3);
	CHECK(failed(req(big), "string too long"));
	memset(big, 'k', sizeof(big));
	memcpy(big, "{\"", 2);
	memcpy(big + 40, "\":1}", 5);
	CHECK(failed(req(big), "string too long"));
}
