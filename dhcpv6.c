// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcpv6.c - DHCPv6 server
 *
 * DOC: Theory of Operation
 *
 * A DHCPv6 server (RFC 8415) for exactly one client with exactly one
 * address: the guest gets the configured address (the host's, by default),
 * with infinite lifetimes, whatever it asks. There is no binding table: the
 * answer to every message follows from the message and the configuration,
 * so nothing is kept between messages.
 *
 * Messages from clients are taken if they are sent to All_DHCP_Relay_Agents
 * _and_Servers (ff02::1:2), All_DHCP_Servers (ff05::1:3) or our link-local
 * address; anything else to port 547 isn't for us. RFC 8415 18.4 has
 * servers refuse messages sent to their unicast address by clients they
 * didn't invite to (with a Server Unicast option): we are the only server
 * of the link, so we answer those too. Answers go from our link-local
 * address, port 547, to the client's source address, port 546:
 *
 * - Solicit: Advertise, with preference 255 so that the client doesn't wait
 *   for other servers (18.2.1), or Reply if the client asked for Rapid
 *   Commit (18.3.1);
 * - Request, Renew, Rebind: Reply with the address. Addresses the client
 *   names that aren't ours are returned with lifetimes 0 (18.3.4, 18.3.5);
 * - Confirm: Reply with Success if all the addresses named are in the
 *   on-link prefix our router advertisements give (ndp.c: the /64 of the
 *   guest's address), NotOnLink otherwise, nothing if none is named
 *   (18.3.3);
 * - Release, Decline: Reply with Success (18.3.7, 18.3.8): there's nothing
 *   to release, and no other address to offer;
 * - Information-request: Reply with resolvers and search list only.
 *
 * Only the first IA_NA of a message gets the address; further IA_NAs, and
 * IA_TAs, get NoAddrsAvail, and IA_PDs NoPrefixAvail. Resolvers (option 23)
 * and the search list (option 24, RFC 3646) follow the rules of ndp.c
 * (ndp_dns_get(), ndp_search_encode()), and are sent whether or not the
 * client's Option Request option names them.
 *
 * The server identifier is a DUID-LL made of our MAC address (RFC 8415
 * 11.4). Messages are validated as section 16 asks: a client identifier
 * where one is required (everywhere but Information-request), a server
 * identifier where one is required, and then ours, none where none is
 * allowed. Every option length is checked against what arrived, in the
 * message, in IAs and in IA addresses; options we don't use are skipped.
 * Server and relay messages, and unknown types, are dropped.
 *
 * The UDP checksum is not verified: the frame never crossed a wire (as
 * ip.c says of IPv4 headers), and a guest with checksum offloads may not
 * have filled it in.
 */

#include <arpa/inet.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <string.h>

#include "dhcpv6.h"
#include "log.h"
#include "ndp.h"
#include "passt.h"
#include "tap.h"

/* Message types, RFC 8415 7.3 */
#define DHCPV6_SOLICIT			1
#define DHCPV6_ADVERTISE		2
#define DHCPV6_REQUEST			3
#define DHCPV6_CONFIRM			4
#define DHCPV6_RENEW			5
#define DHCPV6_REBIND			6
#define DHCPV6_REPLY			7
#define DHCPV6_RELEASE			8
#define DHCPV6_DECLINE			9
#define DHCPV6_INFORMATION_REQUEST	11

/* Options, RFC 8415 21 and RFC 3646 */
#define DHCPV6_OPT_CLIENTID		1
#define DHCPV6_OPT_SERVERID		2
#define DHCPV6_OPT_IA_NA		3
#define DHCPV6_OPT_IA_TA		4
#define DHCPV6_OPT_IAADDR		5
#define DHCPV6_OPT_PREFERENCE		7
#define DHCPV6_OPT_STATUS_CODE		13
#define DHCPV6_OPT_RAPID_COMMIT		14
#define DHCPV6_OPT_DNS_SERVERS		23
#define DHCPV6_OPT_DOMAIN_LIST		24
#define DHCPV6_OPT_IA_PD		25

/* Status codes, RFC 8415 21.13 */
#define DHCPV6_STATUS_SUCCESS		0
#define DHCPV6_STATUS_NOADDRSAVAIL	2
#define DHCPV6_STATUS_NOTONLINK		4
#define DHCPV6_STATUS_NOPREFIXAVAIL	6

/* DUID types, RFC 8415 11.1, and hardware type, RFC 826 */
#define DHCPV6_DUID_LL			3
#define DHCPV6_HWTYPE_ETHERNET		1
/* RFC 8415 11.1: a type code and at least a byte, at most 130 bytes */
#define DHCPV6_DUID_MIN			3
#define DHCPV6_DUID_MAX			130

/* RFC 8415 18.2.1: with the highest preference, the client doesn't wait */
#define DHCPV6_PREFERENCE_MAX		255
#define DHCPV6_INFINITY			0xffffffffU	/* 7.7 */

/* Lengths of options and of their fixed parts */
#define DHCPV6_OPT_HDR_LEN		4	/* code, length */
#define DHCPV6_IA_LEN			12	/* IAID, T1, T2 */
#define DHCPV6_IA_TA_LEN		4	/* IAID */
#define DHCPV6_IAADDR_LEN		24	/* address, lifetimes */

/* IAs answered in one message, and addresses noted in one IA */
#define DHCPV6_IA_MAX			4
#define DHCPV6_IA_ADDR_MAX		4
#define DHCPV6_OUT_SIZE			4096

/* The longest reply: header, identifiers, a status (its text is ours, and
 * short), preference or rapid commit, IAs (our address, the client's, a
 * status), resolvers and search list
 */
#define DHCPV6_STATUS_MAX	(DHCPV6_OPT_HDR_LEN + 2 + 64)
#define DHCPV6_IA_REPLY_MAX	(DHCPV6_OPT_HDR_LEN + DHCPV6_IA_LEN +	\
				 (DHCPV6_IA_ADDR_MAX + 1) *		\
				 (DHCPV6_OPT_HDR_LEN + DHCPV6_IAADDR_LEN) + \
				 DHCPV6_STATUS_MAX)
static_assert(DHCPV6_OUT_SIZE >= 4 + 2 * (DHCPV6_OPT_HDR_LEN +
					  DHCPV6_DUID_MAX) +
	      DHCPV6_STATUS_MAX + DHCPV6_OPT_HDR_LEN + 1 +
	      DHCPV6_IA_MAX * DHCPV6_IA_REPLY_MAX +
	      DHCPV6_OPT_HDR_LEN + DNS_MAX * sizeof(struct in6_addr) +
	      DHCPV6_OPT_HDR_LEN + SEARCH_MAX * NDP_DN_MAX,
	      "room for the longest reply");

/* ff02::1:2 and ff05::1:3, RFC 8415 7.1 */
static const struct in6_addr dhcpv6_all_agents_servers = {
	.s6_addr = { 0xff, 0x02, [13] = 0x01, [15] = 0x02 }
};
static const struct in6_addr dhcpv6_all_servers = {
	.s6_addr = { 0xff, 0x05, [13] = 0x01, [15] = 0x03 }
};

/**
 * struct dhcpv6_hdr - DHCPv6 client/server message header (RFC 8415 8)
 * @type:	Message type
 * @xid:	Transaction ID
 */
struct dhcpv6_hdr {
	uint8_t type;
	uint8_t xid[3];
} __attribute__((packed));

/**
 * struct dhcpv6_opt_hdr - Option code and length (RFC 8415 21.1)
 * @code:	Option code, network order
 * @len:	Length of the option data, network order
 */
struct dhcpv6_opt_hdr {
	uint16_t code;
	uint16_t len;
} __attribute__((packed));

/**
 * struct dhcpv6_ia - One identity association of a client's message
 * @code:	DHCPV6_OPT_IA_NA, DHCPV6_OPT_IA_TA or DHCPV6_OPT_IA_PD
 * @iaid:	Its IAID, network order, echoed as it came
 * @addr:	Addresses in its IA Address options
 * @n_addr:	Number of entries in @addr
 */
struct dhcpv6_ia {
	uint16_t code;
	uint32_t iaid;
	struct in6_addr addr[DHCPV6_IA_ADDR_MAX];
	int n_addr;
};

/**
 * struct dhcpv6_msg - What a client's message said
 * @type:		Message type
 * @xid:		Transaction ID
 * @clientid:		Client identifier (DUID), valid if @clientid_len
 * @clientid_len:	Its length, 0 if the option wasn't there
 * @has_serverid:	A server identifier option was there
 * @serverid_ours:	...and it was ours
 * @rapid_commit:	A rapid commit option was there
 * @ia:			Identity associations, in the order they came
 * @n_ia:		Number of entries in @ia (more are left unanswered)
 * @addr_seen:		Addresses seen in all IAs, all counted
 */
struct dhcpv6_msg {
	uint8_t type;
	uint8_t xid[3];
	uint8_t clientid[DHCPV6_DUID_MAX];
	size_t clientid_len;
	bool has_serverid;
	bool serverid_ours;
	bool rapid_commit;
	struct dhcpv6_ia ia[DHCPV6_IA_MAX];
	int n_ia;
	int addr_seen;
};

/**
 * struct dhcpv6_out - A reply being built
 * @buf:	Message
 * @len:	Bytes used in @buf
 * @overflow:	Something didn't fit: don't send
 */
struct dhcpv6_out {
	uint8_t buf[DHCPV6_OUT_SIZE];
	size_t len;
	bool overflow;
};

/**
 * dhcpv6_duid() - Our server identifier: DUID-LL from our MAC address
 * @c:		Execution context
 * @duid:	Filled with the DUID, 10 bytes
 *
 * Return: length of the DUID
 */
static size_t dhcpv6_duid(const struct ctx *c, uint8_t *duid)
{
	duid[0] = 0;
	duid[1] = DHCPV6_DUID_LL;
	duid[2] = 0;
	duid[3] = DHCPV6_HWTYPE_ETHERNET;
	memcpy(duid + 4, c->our_mac, ETH_ADDR_LEN);
	return 4 + ETH_ADDR_LEN;
}

/**
 * dhcpv6_put() - Append bytes to a reply
 * @o:		Reply
 * @data:	Bytes, or NULL for zeroes
 * @len:	Length
 *
 * Return: offset of the bytes in the reply, or 0 (and @o->overflow set) if
 *	   they don't fit
 */
static size_t dhcpv6_put(struct dhcpv6_out *o, const void *data, size_t len)
{
	size_t off = o->len;

	if (o->overflow || len > sizeof(o->buf) - o->len) {
		o->overflow = true;
		return 0;
	}
	if (data)
		memcpy(o->buf + off, data, len);
	else
		memset(o->buf + off, 0, len);
	o->len += len;
	return off;
}

/**
 * dhcpv6_put_u32() - Append a 32-bit number in network order
 * @o:		Reply
 * @v:		Number, host order
 */
static void dhcpv6_put_u32(struct dhcpv6_out *o, uint32_t v)
{
	v = htonl(v);
	dhcpv6_put(o, &v, sizeof(v));
}

/**
 * dhcpv6_opt_begin() - Start an option whose length is known at its end
 * @o:		Reply
 * @code:	Option code
 *
 * Return: offset of the option, for dhcpv6_opt_end()
 */
static size_t dhcpv6_opt_begin(struct dhcpv6_out *o, uint16_t code)
{
	struct dhcpv6_opt_hdr h = { .code = htons(code), .len = 0 };

	return dhcpv6_put(o, &h, sizeof(h));
}

/**
 * dhcpv6_opt_end() - Write the length of an option started with _begin()
 * @o:		Reply
 * @start:	Offset returned by dhcpv6_opt_begin()
 */
static void dhcpv6_opt_end(struct dhcpv6_out *o, size_t start)
{
	uint16_t len;

	if (o->overflow)
		return;
	len = htons((uint16_t)(o->len - start - sizeof(struct dhcpv6_opt_hdr)));
	memcpy(o->buf + start + offsetof(struct dhcpv6_opt_hdr, len), &len,
	       sizeof(len));
}

/**
 * dhcpv6_opt() - Append a whole option
 * @o:		Reply
 * @code:	Option code
 * @data:	Option data
 * @len:	Its length
 */
static void dhcpv6_opt(struct dhcpv6_out *o, uint16_t code, const void *data,
		       size_t len)
{
	size_t start = dhcpv6_opt_begin(o, code);

	dhcpv6_put(o, data, len);
	dhcpv6_opt_end(o, start);
}

/**
 * dhcpv6_status() - Append a status code option
 * @o:		Reply
 * @status:	Status code
 * @text:	Message for the user (RFC 8415 21.13), ASCII
 */
static void dhcpv6_status(struct dhcpv6_out *o, uint16_t status,
			  const char *text)
{
	size_t start = dhcpv6_opt_begin(o, DHCPV6_OPT_STATUS_CODE);
	uint16_t s = htons(status);

	dhcpv6_put(o, &s, sizeof(s));
	dhcpv6_put(o, text, strlen(text));
	dhcpv6_opt_end(o, start);
}

/**
 * dhcpv6_iaaddr() - Append an IA Address option
 * @o:		Reply
 * @a:		Address
 * @lifetime:	Preferred and valid lifetime, seconds
 */
static void dhcpv6_iaaddr(struct dhcpv6_out *o, const struct in6_addr *a,
			  uint32_t lifetime)
{
	size_t start = dhcpv6_opt_begin(o, DHCPV6_OPT_IAADDR);

	dhcpv6_put(o, a, sizeof(*a));
	dhcpv6_put_u32(o, lifetime);
	dhcpv6_put_u32(o, lifetime);
	dhcpv6_opt_end(o, start);
}

/**
 * dhcpv6_ia_reply() - Append the answer for one identity association
 * @c:		Execution context
 * @o:		Reply
 * @ia:		The client's IA
 * @assign:	Give it our address (else: NoAddrsAvail or NoPrefixAvail)
 */
static void dhcpv6_ia_reply(const struct ctx *c, struct dhcpv6_out *o,
			    const struct dhcpv6_ia *ia, bool assign)
{
	size_t start = dhcpv6_opt_begin(o, ia->code);
	int i;

	dhcpv6_put(o, &ia->iaid, sizeof(ia->iaid));
	if (ia->code != DHCPV6_OPT_IA_TA) {
		/* T1, T2: never renew what never expires (RFC 8415 7.7) */
		dhcpv6_put_u32(o, assign ? DHCPV6_INFINITY : 0);
		dhcpv6_put_u32(o, assign ? DHCPV6_INFINITY : 0);
	}

	if (ia->code == DHCPV6_OPT_IA_PD) {
		dhcpv6_status(o, DHCPV6_STATUS_NOPREFIXAVAIL,
			      "no prefix delegation here");
	} else if (!assign) {
		dhcpv6_status(o, DHCPV6_STATUS_NOADDRSAVAIL,
			      "one address only, given to another IA");
	} else {
		dhcpv6_iaaddr(o, &c->ip6.addr, DHCPV6_INFINITY);
		/* RFC 8415 18.3.4, 18.3.5: what isn't ours, lifetimes 0 */
		for (i = 0; i < ia->n_addr; i++) {
			if (!IN6_ARE_ADDR_EQUAL(&ia->addr[i], &c->ip6.addr))
				dhcpv6_iaaddr(o, &ia->addr[i], 0);
		}
	}

	dhcpv6_opt_end(o, start);
}

/**
 * dhcpv6_ias_reply() - Append the answers for all the IAs of a message
 * @c:		Execution context
 * @o:		Reply
 * @m:		Client's message
 *
 * Return: true if an IA_NA got our address
 */
static bool dhcpv6_ias_reply(const struct ctx *c, struct dhcpv6_out *o,
			     const struct dhcpv6_msg *m)
{
	bool assigned = false;
	int i;

	for (i = 0; i < m->n_ia; i++) {
		bool assign = m->ia[i].code == DHCPV6_OPT_IA_NA && !assigned;

		dhcpv6_ia_reply(c, o, &m->ia[i], assign);
		assigned |= assign;
	}

	return assigned;
}

/**
 * dhcpv6_dns() - Append resolvers and search list, if there are any
 * @c:		Execution context
 * @o:		Reply
 */
static void dhcpv6_dns(const struct ctx *c, struct dhcpv6_out *o)
{
	uint8_t names[SEARCH_MAX * NDP_DN_MAX];
	struct in6_addr dns[DNS_MAX];
	size_t len;
	int n;

	n = ndp_dns_get(c, dns, DNS_MAX);
	if (n)
		dhcpv6_opt(o, DHCPV6_OPT_DNS_SERVERS, dns, n * sizeof(*dns));

	len = ndp_search_encode(c, names, sizeof(names));
	if (len)
		dhcpv6_opt(o, DHCPV6_OPT_DOMAIN_LIST, names, len);
}

/**
 * dhcpv6_has_ia_na() - Does a message carry an IA_NA?
 * @m:		Client's message
 *
 * Return: true if it does
 */
static bool dhcpv6_has_ia_na(const struct dhcpv6_msg *m)
{
	int i;

	for (i = 0; i < m->n_ia; i++) {
		if (m->ia[i].code == DHCPV6_OPT_IA_NA)
			return true;
	}
	return false;
}

/**
 * dhcpv6_solicit() - Answer a Solicit (RFC 8415 18.3.1)
 * @c:		Execution context
 * @m:		Client's message
 * @o:		Reply, header and identifiers written: fill the rest
 *
 * Return: true to send the reply
 */
static bool dhcpv6_solicit(const struct ctx *c, const struct dhcpv6_msg *m,
			   struct dhcpv6_out *o)
{
	uint8_t pref = DHCPV6_PREFERENCE_MAX;

	if (!dhcpv6_has_ia_na(m)) {
		/* Only a status, with the identifiers (18.3.1) */
		dhcpv6_status(o, DHCPV6_STATUS_NOADDRSAVAIL,
			      "addresses only: ask with an IA_NA");
		return true;
	}

	if (m->rapid_commit) {
		o->buf[0] = DHCPV6_REPLY;
		dhcpv6_opt(o, DHCPV6_OPT_RAPID_COMMIT, NULL, 0);
	} else {
		dhcpv6_opt(o, DHCPV6_OPT_PREFERENCE, &pref, sizeof(pref));
	}
	dhcpv6_ias_reply(c, o, m);
	dhcpv6_dns(c, o);
	return true;
}

/**
 * dhcpv6_request() - Answer a Request, Renew or Rebind (18.3.2, .4, .5)
 * @c:		Execution context
 * @m:		Client's message
 * @o:		Reply, header and identifiers written: fill the rest
 *
 * Return: true to send the reply
 */
static bool dhcpv6_request(const struct ctx *c, const struct dhcpv6_msg *m,
			   struct dhcpv6_out *o)
{
	if (!dhcpv6_ias_reply(c, o, m) && m->type == DHCPV6_REQUEST)
		dhcpv6_status(o, DHCPV6_STATUS_NOADDRSAVAIL,
			      "addresses only: ask with an IA_NA");
	dhcpv6_dns(c, o);
	return true;
}

/**
 * dhcpv6_on_link() - Is an address in the on-link prefix we advertise?
 * @c:		Execution context
 * @a:		Address
 *
 * Return: true if @a is in the /64 of the guest's address (see ndp.c)
 */
static bool dhcpv6_on_link(const struct ctx *c, const struct in6_addr *a)
{
	static_assert(NDP_PREFIX_LEN % 8 == 0, "whole bytes");

	return !memcmp(a, &c->ip6.addr, NDP_PREFIX_LEN / 8);
}

/**
 * dhcpv6_confirm() - Answer a Confirm (RFC 8415 18.3.3)
 * @c:		Execution context
 * @m:		Client's message
 * @o:		Reply, header and identifiers written: fill the rest
 *
 * Return: true to send the reply, false if there was no address to check
 */
static bool dhcpv6_confirm(const struct ctx *c, const struct dhcpv6_msg *m,
			   struct dhcpv6_out *o)
{
	int i, j;

	if (!m->addr_seen)
		return false;	/* "MUST NOT send a Reply" */

	for (i = 0; i < m->n_ia; i++) {
		for (j = 0; j < m->ia[i].n_addr; j++) {
			if (!dhcpv6_on_link(c, &m->ia[i].addr[j])) {
				dhcpv6_status(o, DHCPV6_STATUS_NOTONLINK,
					      "not on this link");
				return true;
			}
		}
	}

	dhcpv6_status(o, DHCPV6_STATUS_SUCCESS, "all on link");
	return true;
}

/**
 * dhcpv6_release() - Answer a Release or Decline (RFC 8415 18.3.7, 18.3.8)
 * @c:		Execution context
 * @m:		Client's message
 * @o:		Reply, header and identifiers written: fill the rest
 *
 * Return: true to send the reply
 */
static bool dhcpv6_release(const struct ctx *c, const struct dhcpv6_msg *m,
			   struct dhcpv6_out *o)
{
	(void)c;
	(void)m;
	dhcpv6_status(o, DHCPV6_STATUS_SUCCESS, "done");
	return true;
}

/**
 * dhcpv6_info() - Answer an Information-request (RFC 8415 18.3.6)
 * @c:		Execution context
 * @m:		Client's message
 * @o:		Reply, header and identifiers written: fill the rest
 *
 * Return: true to send the reply
 */
static bool dhcpv6_info(const struct ctx *c, const struct dhcpv6_msg *m,
			struct dhcpv6_out *o)
{
	(void)m;
	dhcpv6_dns(c, o);
	return true;
}

/**
 * enum dhcpv6_sid_rule - What a message type may say about server identifiers
 * @SID_FORBIDDEN:	Must have none (sent to all servers)
 * @SID_REQUIRED:	Must have one, and ours
 * @SID_OPTIONAL:	If there's one, it must be ours
 */
enum dhcpv6_sid_rule {
	SID_FORBIDDEN,
	SID_REQUIRED,
	SID_OPTIONAL,
};

/**
 * struct dhcpv6_msg_handler - How one client message type is answered
 * @type:	Message type
 * @reply:	Type of our answer (Solicit can turn it into a Reply)
 * @sid:	Server identifier rule (RFC 8415 16)
 * @cid:	A client identifier is required
 * @no_ia:	IA options make the message invalid
 * @answer:	Fills the reply after the identifiers, false not to send it
 */
static const struct dhcpv6_msg_handler {
	uint8_t type;
	uint8_t reply;
	enum dhcpv6_sid_rule sid;
	bool cid;
	bool no_ia;
	bool (*answer)(const struct ctx *c, const struct dhcpv6_msg *m,
		       struct dhcpv6_out *o);
} dhcpv6_msg_handlers[] = {
	{ DHCPV6_SOLICIT, DHCPV6_ADVERTISE, SID_FORBIDDEN, true, false,
	  dhcpv6_solicit },
	{ DHCPV6_REQUEST, DHCPV6_REPLY, SID_REQUIRED, true, false,
	  dhcpv6_request },
	{ DHCPV6_CONFIRM, DHCPV6_REPLY, SID_FORBIDDEN, true, false,
	  dhcpv6_confirm },
	{ DHCPV6_RENEW, DHCPV6_REPLY, SID_REQUIRED, true, false,
	  dhcpv6_request },
	{ DHCPV6_REBIND, DHCPV6_REPLY, SID_FORBIDDEN, true, false,
	  dhcpv6_request },
	{ DHCPV6_RELEASE, DHCPV6_REPLY, SID_REQUIRED, true, false,
	  dhcpv6_release },
	{ DHCPV6_DECLINE, DHCPV6_REPLY, SID_REQUIRED, true, false,
	  dhcpv6_release },
	{ DHCPV6_INFORMATION_REQUEST, DHCPV6_REPLY, SID_OPTIONAL, false, true,
	  dhcpv6_info },
};

/**
 * struct dhcpv6_opt_handler - Parser of one option in a client's message
 * @code:	Option code
 * @len_min:	Minimum length of the option data
 * @len_max:	Maximum length of the option data
 * @parse:	Records what it says in the message, or in the IA it is in;
 *		returns false if the message is malformed
 */
struct dhcpv6_opt_handler {
	uint16_t code;
	size_t len_min;
	size_t len_max;
	bool (*parse)(const struct ctx *c, struct dhcpv6_msg *m,
		      struct dhcpv6_ia *ia, struct pkt_view *body);
};

/**
 * dhcpv6_opts_parse() - Walk a list of options, parse those in a table
 * @c:		Execution context
 * @v:		View of the options, ending with them
 * @tbl:	Parsers of the options that matter here, NULL if none do
 * @n:		Entries in @tbl
 * @m:		Message being parsed
 * @ia:		IA the options are in, NULL if none
 *
 * Every option, known or not, must fit in what's left; known ones must
 * have a length their table entry allows.
 *
 * Return: true if well-formed
 */
static bool dhcpv6_opts_parse(const struct ctx *c, struct pkt_view *v,
			      const struct dhcpv6_opt_handler *tbl, size_t n,
			      struct dhcpv6_msg *m, struct dhcpv6_ia *ia)
{
	while (pkt_left(v)) {
		struct dhcpv6_opt_hdr h;
		struct pkt_view body;
		uint16_t code, len;
		size_t i;

		if (!pkt_pull_copy(v, &h, sizeof(h)))
			return false;
		code = ntohs(h.code);
		len = ntohs(h.len);

		body = *v;
		if (!pkt_pull(v, len) || !pkt_limit(&body, len))
			return false;

		for (i = 0; i < n; i++) {
			if (tbl[i].code != code)
				continue;
			if (len < tbl[i].len_min || len > tbl[i].len_max ||
			    !tbl[i].parse(c, m, ia, &body))
				return false;
		}
	}

	return true;
}

/**
 * dhcpv6_opt_clientid() - Record the client identifier
 * @c:		Execution context
 * @m:		Message being parsed
 * @ia:		Unused: not in an IA
 * @body:	Option data
 *
 * Return: true if copied (a second one is ignored)
 */
static bool dhcpv6_opt_clientid(const struct ctx *c, struct dhcpv6_msg *m,
				struct dhcpv6_ia *ia, struct pkt_view *body)
{
	size_t len = pkt_left(body);

	(void)c;
	(void)ia;
	if (m->clientid_len)
		return true;
	if (len > sizeof(m->clientid) ||
	    !pkt_pull_copy(body, m->clientid, len))
		return false;
	m->clientid_len = len;
	return true;
}

/**
 * dhcpv6_opt_serverid() - Note a server identifier, and whether it's ours
 * @c:		Execution context
 * @m:		Message being parsed
 * @ia:		Unused: not in an IA
 * @body:	Option data
 *
 * Return: true
 */
static bool dhcpv6_opt_serverid(const struct ctx *c, struct dhcpv6_msg *m,
				struct dhcpv6_ia *ia, struct pkt_view *body)
{
	uint8_t ours[DHCPV6_DUID_MAX];
	size_t len = dhcpv6_duid(c, ours);
	const void *duid;

	(void)ia;
	if (m->has_serverid && !m->serverid_ours)
		return true;	/* one not ours is enough */
	m->has_serverid = true;
	m->serverid_ours = pkt_left(body) == len &&
			   (duid = pkt_pull(body, len)) &&
			   !memcmp(duid, ours, len);
	return true;
}

/**
 * dhcpv6_opt_rapid_commit() - Note a rapid commit option
 * @c:		Execution context
 * @m:		Message being parsed
 * @ia:		Unused: not in an IA
 * @body:	Option data, empty
 *
 * Return: true
 */
static bool dhcpv6_opt_rapid_commit(const struct ctx *c, struct dhcpv6_msg *m,
				    struct dhcpv6_ia *ia,
				    struct pkt_view *body)
{
	(void)c;
	(void)ia;
	(void)body;
	m->rapid_commit = true;
	return true;
}

/**
 * dhcpv6_opt_iaaddr() - Note an address named in an IA
 * @c:		Execution context
 * @m:		Message being parsed
 * @ia:		IA the option is in
 * @body:	Option data: address, two lifetimes, options
 *
 * Return: true if the options of the address are well-formed
 */
static bool dhcpv6_opt_iaaddr(const struct ctx *c, struct dhcpv6_msg *m,
			      struct dhcpv6_ia *ia, struct pkt_view *body)
{
	struct in6_addr a;

	ASSERT(ia);
	if (!pkt_pull_copy(body, &a, sizeof(a)) ||
	    !pkt_pull(body, DHCPV6_IAADDR_LEN - sizeof(a)))
		return false;

	m->addr_seen++;
	if (ia->n_addr < DHCPV6_IA_ADDR_MAX)
		ia->addr[ia->n_addr++] = a;

	/* Its own options (a status code): checked, not used */
	return dhcpv6_opts_parse(c, body, NULL, 0, m, ia);
}

/* Options within an IA */
static const struct dhcpv6_opt_handler dhcpv6_ia_opts[] = {
	{ DHCPV6_OPT_IAADDR, DHCPV6_IAADDR_LEN, UINT16_MAX, dhcpv6_opt_iaaddr },
};

/**
 * dhcpv6_ia_parse() - Note an identity association, and what it contains
 * @c:		Execution context
 * @m:		Message being parsed
 * @code:	DHCPV6_OPT_IA_NA, DHCPV6_OPT_IA_TA or DHCPV6_OPT_IA_PD
 * @body:	Option data: IAID, T1 and T2 (but for IA_TA), options
 *
 * Return: true if its options are well-formed
 */
static bool dhcpv6_ia_parse(const struct ctx *c, struct dhcpv6_msg *m,
			    uint16_t code, struct pkt_view *body)
{
	struct dhcpv6_ia skip, *ia = &skip;
	uint32_t iaid;

	if (!pkt_pull_copy(body, &iaid, sizeof(iaid)))
		return false;
	if (code != DHCPV6_OPT_IA_TA &&
	    !pkt_pull(body, DHCPV6_IA_LEN - sizeof(iaid)))
		return false;

	/* Beyond DHCPV6_IA_MAX: checked, then left unanswered */
	if (m->n_ia < DHCPV6_IA_MAX)
		ia = &m->ia[m->n_ia++];
	memset(ia, 0, sizeof(*ia));
	ia->code = code;
	ia->iaid = iaid;

	return dhcpv6_opts_parse(c, body, dhcpv6_ia_opts,
				 ARRAY_SIZE(dhcpv6_ia_opts), m, ia);
}

/**
 * dhcpv6_opt_ia_na() - Note an IA_NA, see dhcpv6_ia_parse()
 * @c:		Execution context
 * @m:		Message being parsed
 * @ia:		Unused: IAs don't nest
 * @body:	Option data
 *
 * Return: true if well-formed
 */
static bool dhcpv6_opt_ia_na(const struct ctx *c, struct dhcpv6_msg *m,
			     struct dhcpv6_ia *ia, struct pkt_view *body)
{
	(void)ia;
	return dhcpv6_ia_parse(c, m, DHCPV6_OPT_IA_NA, body);
}

/**
 * dhcpv6_opt_ia_ta() - Note an IA_TA, see dhcpv6_ia_parse()
 * @c:		Execution context
 * @m:		Message being parsed
 * @ia:		Unused: IAs don't nest
 * @body:	Option data
 *
 * Return: true if well-formed
 */
static bool dhcpv6_opt_ia_ta(const struct ctx *c, struct dhcpv6_msg *m,
			     struct dhcpv6_ia *ia, struct pkt_view *body)
{
	(void)ia;
	return dhcpv6_ia_parse(c, m, DHCPV6_OPT_IA_TA, body);
}

/**
 * dhcpv6_opt_ia_pd() - Note an IA_PD, see dhcpv6_ia_parse()
 * @c:		Execution context
 * @m:		Message being parsed
 * @ia:		Unused: IAs don't nest
 * @body:	Option data
 *
 * Return: true if well-formed
 */
static bool dhcpv6_opt_ia_pd(const struct ctx *c, struct dhcpv6_msg *m,
			     struct dhcpv6_ia *ia, struct pkt_view *body)
{
	(void)ia;
	return dhcpv6_ia_parse(c, m, DHCPV6_OPT_IA_PD, body);
}

/* Options of the message itself */
static const struct dhcpv6_opt_handler dhcpv6_msg_opts[] = {
	{ DHCPV6_OPT_CLIENTID, DHCPV6_DUID_MIN, DHCPV6_DUID_MAX,
	  dhcpv6_opt_clientid },
	{ DHCPV6_OPT_SERVERID, DHCPV6_DUID_MIN, DHCPV6_DUID_MAX,
	  dhcpv6_opt_serverid },
	{ DHCPV6_OPT_IA_NA, DHCPV6_IA_LEN, UINT16_MAX, dhcpv6_opt_ia_na },
	{ DHCPV6_OPT_IA_TA, DHCPV6_IA_TA_LEN, UINT16_MAX, dhcpv6_opt_ia_ta },
	{ DHCPV6_OPT_IA_PD, DHCPV6_IA_LEN, UINT16_MAX, dhcpv6_opt_ia_pd },
	{ DHCPV6_OPT_RAPID_COMMIT, 0, 0, dhcpv6_opt_rapid_commit },
};

/**
 * dhcpv6_for_us() - Is a destination address one a DHCPv6 server listens to?
 * @c:		Execution context
 * @dst:	Destination address
 *
 * Return: true for ff02::1:2, ff05::1:3 and our link-local address
 */
static bool dhcpv6_for_us(const struct ctx *c, const struct in6_addr *dst)
{
	return IN6_ARE_ADDR_EQUAL(dst, &dhcpv6_all_agents_servers) ||
	       IN6_ARE_ADDR_EQUAL(dst, &dhcpv6_all_servers) ||
	       IN6_ARE_ADDR_EQUAL(dst, &c->ip6.our_ll);
}

/**
 * enum dhcpv6_check - Outcome of the checks of RFC 8415 16
 * @DHCPV6_VALID:	Valid, and for us
 * @DHCPV6_INVALID:	Invalid: drop it
 * @DHCPV6_OTHER_SERVER:	Valid, but for another server: ignore it
 */
enum dhcpv6_check {
	DHCPV6_VALID,
	DHCPV6_INVALID,
	DHCPV6_OTHER_SERVER,
};

/**
 * dhcpv6_valid() - Check a parsed message against RFC 8415 16
 * @h:		Handler of its type
 * @m:		Message
 *
 * Return: what the checks say
 */
static enum dhcpv6_check dhcpv6_valid(const struct dhcpv6_msg_handler *h,
				      const struct dhcpv6_msg *m)
{
	if (h->cid && !m->clientid_len)
		return DHCPV6_INVALID;
	if (h->no_ia && m->n_ia)
		return DHCPV6_INVALID;

	switch (h->sid) {
	case SID_FORBIDDEN:
		if (m->has_serverid)
			return DHCPV6_INVALID;
		break;
	case SID_REQUIRED:
		if (!m->has_serverid)
			return DHCPV6_INVALID;
		/* fall through */
	case SID_OPTIONAL:
		if (m->has_serverid && !m->serverid_ours)
			return DHCPV6_OTHER_SERVER;
		break;
	}

	return DHCPV6_VALID;
}

/**
 * dhcpv6_handler() - Answer a DHCPv6 message from the guest
 * @c:		Execution context
 * @ii:		L3 header information
 * @v:		View positioned at the UDP header, ending with the packet
 *
 * Return: PKT_NOT_MINE if not sent to a DHCPv6 server address of ours,
 *	   PKT_CONSUMED if answered or deliberately ignored, PKT_DROP if
 *	   malformed or invalid
 */
enum pkt_verdict dhcpv6_handler(struct ctx *c, const struct ip_info *ii,
				struct pkt_view *v)
{
	const struct dhcpv6_msg_handler *h = NULL;
	static struct dhcpv6_out o;	/* 4 KiB: off the stack */
	uint8_t duid[DHCPV6_DUID_MAX];
	struct pkt_view p = *v;
	enum dhcpv6_check check;
	struct dhcpv6_hdr hdr;
	struct dhcpv6_msg m;
	struct udphdr uh;
	size_t ulen, i;

	if (!dhcpv6_for_us(c, &ii->d6))
		return PKT_NOT_MINE;

	if (!pkt_pull_copy(&p, &uh, sizeof(uh)))
		return PKT_DROP;
	ulen = ntohs(uh.len);
	if (ulen < sizeof(uh) || !pkt_limit(&p, ulen - sizeof(uh)))
		return PKT_DROP;
	if (IN6_IS_ADDR_UNSPECIFIED(&ii->s6) || IN6_IS_ADDR_MULTICAST(&ii->s6))
		return PKT_DROP;

	if (!pkt_pull_copy(&p, &hdr, sizeof(hdr)))
		return PKT_DROP;
	for (i = 0; i < ARRAY_SIZE(dhcpv6_msg_handlers); i++) {
		if (dhcpv6_msg_handlers[i].type == hdr.type)
			h = &dhcpv6_msg_handlers[i];
	}
	if (!h) {
		debug_ratelimit("DHCPv6: dropped message type %u", hdr.type);
		return PKT_DROP;
	}

	memset(&m, 0, sizeof(m));
	m.type = hdr.type;
	memcpy(m.xid, hdr.xid, sizeof(m.xid));
	if (!dhcpv6_opts_parse(c, &p, dhcpv6_msg_opts,
			       ARRAY_SIZE(dhcpv6_msg_opts), &m, NULL)) {
		debug_ratelimit("DHCPv6: malformed options, type %u", m.type);
		return PKT_DROP;
	}

	check = dhcpv6_valid(h, &m);
	if (check == DHCPV6_INVALID) {
		debug_ratelimit("DHCPv6: invalid type %u, dropped", m.type);
		return PKT_DROP;
	}
	if (check == DHCPV6_OTHER_SERVER) {
		debug_ratelimit("DHCPv6: type %u for another server", m.type);
		return PKT_CONSUMED;
	}

	o.len = 0;
	o.overflow = false;
	hdr.type = h->reply;
	dhcpv6_put(&o, &hdr, sizeof(hdr));
	dhcpv6_opt(&o, DHCPV6_OPT_SERVERID, duid, dhcpv6_duid(c, duid));
	if (m.clientid_len)
		dhcpv6_opt(&o, DHCPV6_OPT_CLIENTID, m.clientid,
			   m.clientid_len);

	if (!h->answer(c, &m, &o))
		return PKT_CONSUMED;
	if (o.overflow) {
		debug_ratelimit("DHCPv6: reply to type %u too long", m.type);
		return PKT_CONSUMED;
	}

	debug_ratelimit("DHCPv6: message type %u, answered with type %u",
			m.type, o.buf[0]);
	tap_udp6_send(c, &c->ip6.our_ll, DHCPV6_SERVER_PORT, &ii->s6,
		      DHCPV6_CLIENT_PORT, o.buf, o.len);
	return PKT_CONSUMED;
}
