// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcp.c - DHCPv4 server for the one guest
 *
 * DOC: Theory of Operation
 *
 * The guest's link has one client on it, and we know in advance everything
 * it should be told: its address (c->ip4.addr, the host's by default), the
 * prefix length, the gateway, resolvers, search domains and MTU. So this is
 * not a server with an address pool and a lease database: it is a responder
 * that hands out the same configuration to whoever asks (RFC 2131 section
 * 4.3), with an infinite lease, and never needs to remember anything.
 *
 * Messages and answers:
 * - DISCOVER: OFFER of the guest's address.
 * - REQUEST: ACK if the address the client asks for (requested address
 *   option, else ciaddr) is the guest's, NAK otherwise. In the SELECTING
 *   state the client names the server it chose: a REQUEST naming another
 *   server is ignored. INIT-REBOOT, RENEWING and REBINDING get the same
 *   check (section 4.3.2).
 * - INFORM: ACK with the configuration, but no address and no lease
 *   (section 4.3.5).
 * - RELEASE and DECLINE: logged, nothing to answer (the address is the
 *   guest's whatever it says; a DECLINE means something else uses it).
 *
 * Our server identifier is the gateway address, which is where the guest
 * sends everything anyway, and the source of our replies. Replies go to
 * ciaddr if the client has an address, else broadcast if the client asked
 * for it with the broadcast flag, else to yiaddr at the client's MAC
 * address (section 4.1); a NAK is always broadcast.
 *
 * Parsing: every length is checked against what arrived, through packet.h.
 * The UDP length narrows the view; the fixed BOOTP header and the magic
 * cookie must be there; each option area (the options field, then the
 * file and sname fields if the overload option says so, in that order:
 * RFC 3396 section 5) must end with an end option, and no option may run
 * past its area. Options we read are gathered in a table keyed by option
 * code; repeated instances are concatenated (RFC 3396), and each
 * gathered option has its own length bounds. Anything out of bounds
 * drops the whole message: a client that sends it is broken or hostile.
 *
 * What we have to say: subnet mask, router, resolvers (unless
 * --no-dhcp-dns, the default for pasta, whose namespace most likely
 * shares the host's resolv.conf; resolvers on the host's loopback, which
 * the guest can't reach by that address, are left out), domain search
 * list (unless --no-dhcp-search, same default), interface MTU, host name
 * (--fqdn), lease time (infinite: no renewal or rebinding times), server
 * identifier, and the client identifier echoed back (RFC 6842).
 *
 * Options sent: message type first, then what the parameter request list
 * asks for in its order, then everything else (RFC 2131 section 4.3.1
 * lets a server add options not requested: busybox udhcpc doesn't ask for
 * the MTU, for example). The reply is never larger than the maximum
 * message size the client gave (at least 576 bytes, the default, RFC 2132
 * section 9.10), counting IP and UDP headers, nor than the MTU we give:
 * options that don't fit are left out, except the ones the protocol
 * requires, for which room is kept. Values longer than 255 bytes (a long
 * domain search list) are split over several instances of the option
 * (RFC 3396). Replies are padded to 300 bytes for BOOTP relays and old
 * clients (RFC 1542 section 2.1).
 *
 * Limits: no relay agents (giaddr is copied, never used: nothing relays
 * on a point-to-point link), no BOOTP clients (no message type option),
 * no options in our own sname/file fields, no name compression in the
 * domain search option (RFC 3397 section 2 makes it optional).
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>

#include "dhcp.h"
#include "log.h"
#include "passt.h"
#include "tap.h"
#include "util.h"

#define DHCP_OP_BOOTREQUEST	1	/* RFC 2131 section 2, 'op' */
#define DHCP_OP_BOOTREPLY	2
#define DHCP_HTYPE_ETHER	1	/* RFC 1700, hardware type Ethernet */
#define DHCP_FLAG_BROADCAST	0x8000	/* RFC 2131 section 2 */
#define DHCP_MAGIC		0x63825363	/* RFC 2131 section 3 */

#define DHCP_MSG_SIZE_MIN	576	/* RFC 2132 section 9.10 */
#define DHCP_IP_UDP_LEN		28	/* IPv4, no options, and UDP */
#define DHCP_BOOTP_LEN_MIN	300	/* RFC 1542 section 2.1 */
#define DHCP_REPLY_MAX		4096	/* more than we ever have to say */
#define DHCP_OPT_VAL_MAX	2048	/* value before it's split */
#define DHCP_OPT_LEN_MAX	255	/* one instance of an option */
#define DHCP_DN_LABEL_MAX	63	/* RFC 1035 section 2.3.4 */
#define DHCP_DN_LEN_MAX		255

#define DHCP_LEASE_INFINITE	0xffffffffU	/* RFC 2131 section 3.3 */
/* Seconds, once the guest's address may change (see dhcp_lease_time()) */
#define DHCP_LEASE_SHORT	300

/**
 * enum dhcp_msg_type - Values of the DHCP message type option
 * @DHCPDISCOVER:	Client looks for servers
 * @DHCPOFFER:		Server offers an address
 * @DHCPREQUEST:	Client asks for (or confirms, renews) an address
 * @DHCPDECLINE:	Client found the address in use
 * @DHCPACK:		Server confirms
 * @DHCPNAK:		Server refuses the address the client asked for
 * @DHCPRELEASE:	Client gives the address up
 * @DHCPINFORM:		Client has an address, wants the rest
 * @DHCP_MSG_TYPE_MAX:	Highest value we know, for the name table
 */
enum dhcp_msg_type {
	DHCPDISCOVER = 1,
	DHCPOFFER = 2,
	DHCPREQUEST = 3,
	DHCPDECLINE = 4,
	DHCPACK = 5,
	DHCPNAK = 6,
	DHCPRELEASE = 7,
	DHCPINFORM = 8,
	DHCP_MSG_TYPE_MAX = DHCPINFORM,
};

static const char *const dhcp_msg_type_names[] = {
	[DHCPDISCOVER]	= "DISCOVER",
	[DHCPOFFER]	= "OFFER",
	[DHCPREQUEST]	= "REQUEST",
	[DHCPDECLINE]	= "DECLINE",
	[DHCPACK]	= "ACK",
	[DHCPNAK]	= "NAK",
	[DHCPRELEASE]	= "RELEASE",
	[DHCPINFORM]	= "INFORM",
};
static_assert(ARRAY_SIZE(dhcp_msg_type_names) == DHCP_MSG_TYPE_MAX + 1,
	      "a DHCP message type has no name");

/**
 * enum dhcp_opt_code - Option codes (RFC 2132 unless noted)
 * @DHCP_OPT_PAD:		Padding, no length byte
 * @DHCP_OPT_SUBNET_MASK:	Subnet mask
 * @DHCP_OPT_ROUTER:		Routers
 * @DHCP_OPT_DNS:		Domain name servers
 * @DHCP_OPT_HOSTNAME:		Host name
 * @DHCP_OPT_MTU:		Interface MTU
 * @DHCP_OPT_REQ_ADDR:		Requested IP address
 * @DHCP_OPT_LEASE_TIME:	IP address lease time
 * @DHCP_OPT_OVERLOAD:		Options in the file and/or sname fields
 * @DHCP_OPT_MSG_TYPE:		DHCP message type
 * @DHCP_OPT_SERVER_ID:		Server identifier
 * @DHCP_OPT_PRL:		Parameter request list
 * @DHCP_OPT_MESSAGE:		Error message (text)
 * @DHCP_OPT_MAX_SIZE:		Maximum DHCP message size
 * @DHCP_OPT_RENEWAL_TIME:	Renewal (T1) time
 * @DHCP_OPT_REBINDING_TIME:	Rebinding (T2) time
 * @DHCP_OPT_CLIENT_ID:		Client identifier
 * @DHCP_OPT_DOMAIN_SEARCH:	Domain search list (RFC 3397)
 * @DHCP_OPT_END:		End of an option area, no length byte
 */
enum dhcp_opt_code {
	DHCP_OPT_PAD = 0,
	DHCP_OPT_SUBNET_MASK = 1,
	DHCP_OPT_ROUTER = 3,
	DHCP_OPT_DNS = 6,
	DHCP_OPT_HOSTNAME = 12,
	DHCP_OPT_MTU = 26,
	DHCP_OPT_REQ_ADDR = 50,
	DHCP_OPT_LEASE_TIME = 51,
	DHCP_OPT_OVERLOAD = 52,
	DHCP_OPT_MSG_TYPE = 53,
	DHCP_OPT_SERVER_ID = 54,
	DHCP_OPT_PRL = 55,
	DHCP_OPT_MESSAGE = 56,
	DHCP_OPT_MAX_SIZE = 57,
	DHCP_OPT_RENEWAL_TIME = 58,
	DHCP_OPT_REBINDING_TIME = 59,
	DHCP_OPT_CLIENT_ID = 61,
	DHCP_OPT_DOMAIN_SEARCH = 119,
	DHCP_OPT_END = 255,
};

/* Values of the overload option (RFC 2132 section 9.3): a bit each */
#define DHCP_OVERLOAD_FILE	1
#define DHCP_OVERLOAD_SNAME	2

/**
 * struct dhcp_hdr - Fixed part of a DHCP message (RFC 2131 section 2)
 * @op:		DHCP_OP_BOOTREQUEST or DHCP_OP_BOOTREPLY
 * @htype:	Hardware address type
 * @hlen:	Hardware address length
 * @hops:	Relay hops
 * @xid:	Transaction ID, chosen by the client
 * @secs:	Seconds since the client began
 * @flags:	DHCP_FLAG_BROADCAST, or nothing
 * @ciaddr:	Client's address, if it has one
 * @yiaddr:	"Your" address: the one we give
 * @siaddr:	Next server for bootstrap (none)
 * @giaddr:	Relay agent address
 * @chaddr:	Client hardware address
 * @sname:	Server host name, or options if overloaded
 * @file:	Boot file name, or options if overloaded
 * @magic:	DHCP_MAGIC, network order: start of the options field
 */
struct dhcp_hdr {
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint8_t hops;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;
	struct in_addr ciaddr;
	struct in_addr yiaddr;
	struct in_addr siaddr;
	struct in_addr giaddr;
	uint8_t chaddr[16];
	uint8_t sname[64];
	uint8_t file[128];
	uint32_t magic;
} __attribute__((packed));
static_assert(sizeof(struct dhcp_hdr) == 240, "BOOTP header and cookie");

/**
 * enum dhcp_in_slot - Options we read from clients, one slot each
 * @DHCP_IN_MSG_TYPE:	Message type
 * @DHCP_IN_REQ_ADDR:	Requested address
 * @DHCP_IN_SERVER_ID:	Server the client chose
 * @DHCP_IN_PRL:	Parameter request list
 * @DHCP_IN_MAX_SIZE:	Maximum message size the client takes
 * @DHCP_IN_CLIENT_ID:	Client identifier, echoed (RFC 6842)
 * @DHCP_IN_OVERLOAD:	Options in file and/or sname
 * @DHCP_IN_HOSTNAME:	Client's host name, for logs
 * @DHCP_IN_NUM:	Number of slots
 */
enum dhcp_in_slot {
	DHCP_IN_MSG_TYPE,
	DHCP_IN_REQ_ADDR,
	DHCP_IN_SERVER_ID,
	DHCP_IN_PRL,
	DHCP_IN_MAX_SIZE,
	DHCP_IN_CLIENT_ID,
	DHCP_IN_OVERLOAD,
	DHCP_IN_HOSTNAME,
	DHCP_IN_NUM,
};

/**
 * struct dhcp_in_desc - What a client option we read may look like
 * @code:	Option code
 * @trunc:	Longer values are cut to @max (else the message is dropped)
 * @min:	Minimum length, all instances together
 * @max:	Maximum length we use, all instances together
 * @name:	Name for logs
 */
struct dhcp_in_desc {
	uint8_t code;
	bool trunc;
	uint16_t min;
	uint16_t max;
	const char *name;
};

static const struct dhcp_in_desc dhcp_in_opts[] = {
	[DHCP_IN_MSG_TYPE]  = { DHCP_OPT_MSG_TYPE, false, 1, 1,
				"message type" },
	[DHCP_IN_REQ_ADDR]  = { DHCP_OPT_REQ_ADDR, false, 4, 4,
				"requested address" },
	[DHCP_IN_SERVER_ID] = { DHCP_OPT_SERVER_ID, false, 4, 4,
				"server identifier" },
	/* A list longer than one instance is legal (RFC 3396), but there
	 * are only 254 options to ask for: the rest can only be repeats
	 */
	[DHCP_IN_PRL]	    = { DHCP_OPT_PRL, true, 0, DHCP_OPT_LEN_MAX,
				"parameter request list" },
	[DHCP_IN_MAX_SIZE]  = { DHCP_OPT_MAX_SIZE, false, 2, 2,
				"maximum message size" },
	/* RFC 2132 section 9.14: at least a type and one byte. We echo it in
	 * one instance, so no more than that
	 */
	[DHCP_IN_CLIENT_ID] = { DHCP_OPT_CLIENT_ID, false, 2, DHCP_OPT_LEN_MAX,
				"client identifier" },
	[DHCP_IN_OVERLOAD]  = { DHCP_OPT_OVERLOAD, false, 1, 1,
				"option overload" },
	/* Only logged: an empty one isn't worth dropping the message for */
	[DHCP_IN_HOSTNAME]  = { DHCP_OPT_HOSTNAME, true, 0, DHCP_OPT_LEN_MAX,
				"host name" },
};
static_assert(ARRAY_SIZE(dhcp_in_opts) == DHCP_IN_NUM,
	      "a client option slot has no description");

/**
 * struct dhcp_in_opt - One option as gathered from a client's message
 * @seen:	At least one instance was present
 * @len:	Length of all instances together (may exceed @data)
 * @data:	The value, as far as it fits
 */
struct dhcp_in_opt {
	bool seen;
	size_t len;
	uint8_t data[DHCP_OPT_LEN_MAX];
};

/**
 * struct dhcp_req - A client's message, checked and gathered
 * @h:		Fixed header, copied
 * @opt:	Options we read, by slot
 */
struct dhcp_req {
	struct dhcp_hdr h;
	struct dhcp_in_opt opt[DHCP_IN_NUM];
};

/**
 * struct dhcp_reply - What the options of a reply depend on
 * @type:	DHCPOFFER, DHCPACK or DHCPNAK
 * @inform:	ACK to an INFORM: no lease (RFC 2131 section 4.3.5)
 * @server:	Our server identifier
 * @client_id:	Client identifier to echo, NULL if none
 * @message:	Text for the message option of a NAK, NULL if none
 */
struct dhcp_reply {
	uint8_t type;
	bool inform;
	struct in_addr server;
	const struct dhcp_in_opt *client_id;
	const char *message;
};

/* Flags of options we send */
#define DHCP_OUT_REQUIRED	BIT(0)	/* always sent: room kept */
#define DHCP_OUT_IN_NAK		BIT(1)	/* sent in NAKs too */

/**
 * struct dhcp_out_desc - An option we can send, and how to write its value
 * @code:	Option code
 * @flags:	DHCP_OUT_REQUIRED, DHCP_OUT_IN_NAK
 * @name:	Name for logs
 * @put:	Writes the value to a buffer of the given size, returns its
 *		length, 0 if there's nothing to send this time
 */
struct dhcp_out_desc {
	uint8_t code;
	uint8_t flags;
	const char *name;
	size_t (*put)(const struct ctx *c, const struct dhcp_reply *r,
		      uint8_t *val, size_t size);
};

/**
 * struct dhcp_out - A reply being written
 * @buf:	Message buffer, header first
 * @len:	Bytes written so far
 * @limit:	Largest message the client takes, at most sizeof(buffer)
 */
struct dhcp_out {
	uint8_t *buf;
	size_t len;
	size_t limit;
};

static uint8_t dhcp_reply_buf[DHCP_REPLY_MAX] __attribute__((aligned(8)));

/**
 * dhcp_type_str() - Name of a DHCP message type, for logs
 * @type:	Message type
 *
 * Return: name, or "unknown"
 */
static const char *dhcp_type_str(unsigned int type)
{
	if (type < ARRAY_SIZE(dhcp_msg_type_names) &&
	    dhcp_msg_type_names[type])
		return dhcp_msg_type_names[type];
	return "unknown";
}

/**
 * dhcp_escape() - Make a string from the guest safe to log
 * @s:		Bytes from the guest, not terminated
 * @len:	Length of @s
 * @out:	Output buffer, always terminated
 * @size:	Size of @out, at least one byte
 *
 * Printable ASCII is kept, except backslash and quotes; everything else
 * becomes \xNN. Output that doesn't fit is cut at a whole escape.
 */
static void dhcp_escape(const uint8_t *s, size_t len, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		uint8_t ch = s[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'' &&
		    ch != '`' && ch != '"') {
			if (n + 1 >= size)
				break;
			out[n++] = (char)ch;
		} else {
			if (n + 4 >= size)
				break;
			snprintf(out + n, size - n, "\\x%02x", ch);
			n += 4;
		}
	}
	out[n] = '\0';
}

/**
 * dhcp_server_addr() - Our server identifier, and the source of replies
 * @c:		Execution context
 *
 * That's the gateway, where the guest sends everything. Without one (conf
 * always makes one up, so this is a fallback), the first address of the
 * guest's subnet that isn't the guest's.
 *
 * Return: address, network order
 */
static struct in_addr dhcp_server_addr(const struct ctx *c)
{
	uint32_t addr = ntohl(c->ip4.addr.s_addr), net, mask;
	struct in_addr a;

	if (c->ip4.gw.s_addr != htonl(INADDR_ANY))
		return c->ip4.gw;

	mask = c->ip4.prefix_len <= 0 ? 0 :
	       ~0U << (32 - MIN(c->ip4.prefix_len, 32));
	net = addr & mask;
	a.s_addr = htonl(net + 1 == addr ? net + 2 : net + 1);
	return a;
}

/**
 * dhcp_put_msg_type() - Message type option
 * @c:		Execution context (unused)
 * @r:		Reply being written
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Return: length of the value
 */
static size_t dhcp_put_msg_type(const struct ctx *c, const struct dhcp_reply *r,
				uint8_t *val, size_t size)
{
	(void)c;
	(void)size;
	val[0] = r->type;
	return 1;
}

/**
 * dhcp_put_server_id() - Server identifier option
 * @c:		Execution context (unused)
 * @r:		Reply being written
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Return: length of the value
 */
static size_t dhcp_put_server_id(const struct ctx *c,
				 const struct dhcp_reply *r, uint8_t *val,
				 size_t size)
{
	(void)c;
	(void)size;
	memcpy(val, &r->server, sizeof(r->server));
	return sizeof(r->server);
}

/**
 * dhcp_put_time() - Write a time in seconds as the option wants it
 * @val:	Value buffer
 * @secs:	Seconds
 *
 * Return: length of the value
 */
static size_t dhcp_put_time(uint8_t *val, uint32_t secs)
{
	uint32_t be = htonl(secs);

	memcpy(val, &be, sizeof(be));
	return sizeof(be);
}

/**
 * dhcp_lease_time() - Lease to hand out
 * @c:		Execution context
 *
 * Infinite, as always, while the guest's address can't change. In local
 * mode, or once the host's address changed (hostwatch.c), DHCP_LEASE_SHORT:
 * the guest then asks again soon, and learns the new address.
 *
 * Return: lease time, seconds
 */
static uint32_t dhcp_lease_time(const struct ctx *c)
{
	return c->addr_may_change ? DHCP_LEASE_SHORT : DHCP_LEASE_INFINITE;
}

/**
 * dhcp_put_lease_time() - Lease time option, not for INFORM (RFC 2131
 *			   section 4.3.5)
 * @c:		Execution context
 * @r:		Reply being written
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Return: length of the value, 0 for an ACK to INFORM
 */
static size_t dhcp_put_lease_time(const struct ctx *c,
				  const struct dhcp_reply *r, uint8_t *val,
				  size_t size)
{
	(void)size;
	if (r->inform)
		return 0;
	return dhcp_put_time(val, dhcp_lease_time(c));
}

/**
 * dhcp_put_renewal_time() - T1 option: half the lease (RFC 2131 section
 *			     4.4.5), none if it's infinite
 * @c:		Execution context
 * @r:		Reply being written
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Return: length of the value, 0 if there's no T1 to give
 */
static size_t dhcp_put_renewal_time(const struct ctx *c,
				    const struct dhcp_reply *r, uint8_t *val,
				    size_t size)
{
	(void)size;
	if (r->inform || dhcp_lease_time(c) == DHCP_LEASE_INFINITE)
		return 0;
	return dhcp_put_time(val, dhcp_lease_time(c) / 2);
}

/**
 * dhcp_put_rebinding_time() - T2 option: seven eighths of the lease (RFC
 *			       2131 section 4.4.5), none if it's infinite
 * @c:		Execution context
 * @r:		Reply being written
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Return: length of the value, 0 if there's no T2 to give
 */
static size_t dhcp_put_rebinding_time(const struct ctx *c,
				      const struct dhcp_reply *r, uint8_t *val,
				      size_t size)
{
	(void)size;
	if (r->inform || dhcp_lease_time(c) == DHCP_LEASE_INFINITE)
		return 0;
	return dhcp_put_time(val, (uint32_t)(dhcp_lease_time(c) / 8ULL * 7));
}

/**
 * dhcp_put_client_id() - Echo of the client identifier (RFC 6842)
 * @c:		Execution context (unused)
 * @r:		Reply being written
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Return: length of the value, 0 if the client sent none
 */
static size_t dhcp_put_client_id(const struct ctx *c,
				 const struct dhcp_reply *r, uint8_t *val,
				 size_t size)
{
	(void)c;
	if (!r->client_id || r->client_id->len > size)
		return 0;
	memcpy(val, r->client_id->data, r->client_id->len);
	return r->client_id->len;
}

/**
 * dhcp_put_message() - Message option: why we sent a NAK
 * @c:		Execution context (unused)
 * @r:		Reply being written
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Return: length of the value, 0 if there's nothing to say
 */
static size_t dhcp_put_message(const struct ctx *c, const struct dhcp_reply *r,
			       uint8_t *val, size_t size)
{
	size_t len;

	(void)c;
	if (!r->message)
		return 0;
	len = MIN(strlen(r->message), size);
	memcpy(val, r->message, len);
	return len;
}

/**
 * dhcp_put_subnet_mask() - Subnet mask option, from the prefix length
 * @c:		Execution context
 * @r:		Reply being written (unused)
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Return: length of the value
 */
static size_t dhcp_put_subnet_mask(const struct ctx *c,
				   const struct dhcp_reply *r, uint8_t *val,
				   size_t size)
{
	uint32_t mask = 0;

	(void)r;
	(void)size;
	if (c->ip4.prefix_len > 0)
		mask = htonl(~0U << (32 - MIN(c->ip4.prefix_len, 32)));
	memcpy(val, &mask, sizeof(mask));
	return sizeof(mask);
}

/**
 * dhcp_put_router() - Router option: the gateway
 * @c:		Execution context
 * @r:		Reply being written (unused)
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Return: length of the value, 0 without a gateway
 */
static size_t dhcp_put_router(const struct ctx *c, const struct dhcp_reply *r,
			      uint8_t *val, size_t size)
{
	(void)r;
	(void)size;
	if (c->ip4.gw.s_addr == htonl(INADDR_ANY))
		return 0;
	memcpy(val, &c->ip4.gw, sizeof(c->ip4.gw));
	return sizeof(c->ip4.gw);
}

/**
 * dhcp_put_dns() - Domain name server option, unless --no-dhcp-dns
 * @c:		Execution context
 * @r:		Reply being written (unused)
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Resolvers on the host's loopback are left out: the guest's loopback is
 * its own, such an address can't reach them. (conf.c already replaces
 * them with the --dns-forward address: this is a second line of defence.)
 *
 * Return: length of the value, 0 if there's no resolver to give
 */
static size_t dhcp_put_dns(const struct ctx *c, const struct dhcp_reply *r,
			   uint8_t *val, size_t size)
{
	size_t len = 0;
	int i;

	(void)r;
	if (c->no_dhcp_dns)
		return 0;

	for (i = 0; i < DNS_MAX; i++) {
		const struct in_addr *a = &c->ip4.dns[i];

		if (a->s_addr == htonl(INADDR_ANY))
			break;
		if ((ntohl(a->s_addr) >> IN_CLASSA_NSHIFT) == IN_LOOPBACKNET)
			continue;
		if (len + sizeof(*a) > size)
			break;
		memcpy(val + len, a, sizeof(*a));
		len += sizeof(*a);
	}
	return len;
}

/**
 * dhcp_dn_encode() - Write a domain name as DNS labels (RFC 1035 3.1)
 * @name:	Domain name, dotted, optionally with a final dot
 * @out:	Output buffer
 * @size:	Size of @out
 *
 * Return: encoded length, 0 if @name can't be encoded or doesn't fit
 */
static size_t dhcp_dn_encode(const char *name, uint8_t *out, size_t size)
{
	const char *p = name;
	size_t n = 0;

	while (*p) {
		const char *dot = strchrnul(p, '.');
		size_t l = (size_t)(dot - p);

		if (!l || l > DHCP_DN_LABEL_MAX || n + 1 + l + 1 > size)
			return 0;
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p = *dot ? dot + 1 : dot;
	}

	if (!n || n + 1 > size || n + 1 > DHCP_DN_LEN_MAX)
		return 0;
	out[n++] = 0;
	return n;
}

/**
 * dhcp_put_search() - Domain search option (RFC 3397), unless
 *		       --no-dhcp-search
 * @c:		Execution context
 * @r:		Reply being written (unused)
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Names are written whole, without compression pointers.
 *
 * Return: length of the value, 0 if there's no domain to give
 */
static size_t dhcp_put_search(const struct ctx *c, const struct dhcp_reply *r,
			      uint8_t *val, size_t size)
{
	size_t len = 0;
	int i;

	(void)r;
	if (c->no_dhcp_search)
		return 0;

	for (i = 0; i < SEARCH_MAX && c->search[i][0]; i++) {
		size_t n = dhcp_dn_encode(c->search[i], val + len, size - len);

		if (!n)
			debug("DHCP: can't encode search domain `%s'",
			      c->search[i]);
		len += n;
	}
	return len;
}

/**
 * dhcp_put_hostname() - Host name option, from --fqdn
 * @c:		Execution context
 * @r:		Reply being written (unused)
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Return: length of the value, 0 without --fqdn
 */
static size_t dhcp_put_hostname(const struct ctx *c,
				const struct dhcp_reply *r, uint8_t *val,
				size_t size)
{
	size_t len = strnlen(c->fqdn, sizeof(c->fqdn));

	(void)r;
	if (!len || len > DHCP_OPT_LEN_MAX || len > size)
		return 0;
	memcpy(val, c->fqdn, len);
	return len;
}

/**
 * dhcp_put_mtu() - Interface MTU option, if it's one the option can carry
 * @c:		Execution context
 * @r:		Reply being written (unused)
 * @val:	Value buffer
 * @size:	Size of @val
 *
 * Return: length of the value, 0 if the MTU is out of range
 */
static size_t dhcp_put_mtu(const struct ctx *c, const struct dhcp_reply *r,
			   uint8_t *val, size_t size)
{
	uint16_t mtu;

	(void)r;
	(void)size;
	/* RFC 2132 section 5.1: 68 at least, and it's a 16-bit field */
	if (c->mtu < MTU_MIN_IPV4 || c->mtu > UINT16_MAX)
		return 0;
	mtu = htons((uint16_t)c->mtu);
	memcpy(val, &mtu, sizeof(mtu));
	return sizeof(mtu);
}

/* Everything we can send, in the order used for what wasn't requested */
static const struct dhcp_out_desc dhcp_out_opts[] = {
	{ DHCP_OPT_MSG_TYPE,	   DHCP_OUT_REQUIRED | DHCP_OUT_IN_NAK,
	  "message type",	dhcp_put_msg_type },
	{ DHCP_OPT_SERVER_ID,	   DHCP_OUT_REQUIRED | DHCP_OUT_IN_NAK,
	  "server identifier",	dhcp_put_server_id },
	{ DHCP_OPT_LEASE_TIME,	   DHCP_OUT_REQUIRED,
	  "lease time",		dhcp_put_lease_time },
	{ DHCP_OPT_RENEWAL_TIME,   DHCP_OUT_REQUIRED,
	  "renewal time",	dhcp_put_renewal_time },
	{ DHCP_OPT_REBINDING_TIME, DHCP_OUT_REQUIRED,
	  "rebinding time",	dhcp_put_rebinding_time },
	{ DHCP_OPT_CLIENT_ID,	   DHCP_OUT_REQUIRED | DHCP_OUT_IN_NAK,
	  "client identifier",	dhcp_put_client_id },
	{ DHCP_OPT_MESSAGE,	   DHCP_OUT_IN_NAK,
	  "message",		dhcp_put_message },
	{ DHCP_OPT_SUBNET_MASK,	   0,
	  "subnet mask",	dhcp_put_subnet_mask },
	{ DHCP_OPT_ROUTER,	   0,
	  "router",		dhcp_put_router },
	{ DHCP_OPT_DNS,		   0,
	  "domain name server",	dhcp_put_dns },
	{ DHCP_OPT_DOMAIN_SEARCH,  0,
	  "domain search",	dhcp_put_search },
	{ DHCP_OPT_HOSTNAME,	   0,
	  "host name",		dhcp_put_hostname },
	{ DHCP_OPT_MTU,		   0,
	  "interface MTU",	dhcp_put_mtu },
};

/**
 * dhcp_out_find() - Look up an option we can send
 * @code:	Option code
 *
 * Return: its description, NULL if we have nothing for @code
 */
static const struct dhcp_out_desc *dhcp_out_find(uint8_t code)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dhcp_out_opts); i++) {
		if (dhcp_out_opts[i].code == code)
			return &dhcp_out_opts[i];
	}
	return NULL;
}

/**
 * dhcp_opt_wire_len() - Bytes an option value takes, split in instances
 * @len:	Length of the value, at least 1
 *
 * Return: code and length bytes of each instance, plus the value
 */
static size_t dhcp_opt_wire_len(size_t len)
{
	return len + 2 * DIV_ROUND_UP(len, DHCP_OPT_LEN_MAX);
}

/**
 * dhcp_opt_value() - Write the value of an option for this reply
 * @c:		Execution context
 * @r:		Reply being written
 * @d:		Option
 * @val:	Value buffer, DHCP_OPT_VAL_MAX bytes
 *
 * Return: length of the value, 0 if this reply doesn't carry it
 */
static size_t dhcp_opt_value(const struct ctx *c, const struct dhcp_reply *r,
			     const struct dhcp_out_desc *d, uint8_t *val)
{
	if (r->type == DHCPNAK && !(d->flags & DHCP_OUT_IN_NAK))
		return 0;
	return d->put(c, r, val, DHCP_OPT_VAL_MAX);
}

/**
 * dhcp_opt_emit() - Append an option to a reply, split in instances of at
 *		     most 255 bytes (RFC 3396 section 7)
 * @o:		Reply being written, with room checked by the caller
 * @code:	Option code
 * @val:	Value
 * @len:	Length of @val, at least 1
 */
static void dhcp_opt_emit(struct dhcp_out *o, uint8_t code, const uint8_t *val,
			  size_t len)
{
	size_t done = 0;

	ASSERT(o->len + dhcp_opt_wire_len(len) <= o->limit);
	while (done < len) {
		size_t n = MIN(len - done, DHCP_OPT_LEN_MAX);

		o->buf[o->len++] = code;
		o->buf[o->len++] = (uint8_t)n;
		memcpy(o->buf + o->len, val + done, n);
		o->len += n;
		done += n;
	}
}

/**
 * dhcp_opts_write() - Write the options of a reply, in order, as room allows
 * @c:		Execution context
 * @r:		Reply being written
 * @req:	Client's message (parameter request list)
 * @o:		Reply buffer, header written
 *
 * Order: message type, then the requested options in the client's order,
 * then the rest. Required options always fit: room for those that aren't
 * written yet is kept while optional ones are added. The end option
 * follows.
 */
static void dhcp_opts_write(const struct ctx *c, const struct dhcp_reply *r,
			    const struct dhcp_req *req, struct dhcp_out *o)
{
	const struct dhcp_out_desc *order[ARRAY_SIZE(dhcp_out_opts)];
	const struct dhcp_in_opt *prl = &req->opt[DHCP_IN_PRL];
	bool listed[ARRAY_SIZE(dhcp_out_opts)] = { false };
	static uint8_t val[DHCP_OPT_VAL_MAX];
	size_t i, n = 0, reserve = 0;

	order[n] = dhcp_out_find(DHCP_OPT_MSG_TYPE);
	listed[order[n++] - dhcp_out_opts] = true;
	for (i = 0; prl->seen && i < prl->len; i++) {
		const struct dhcp_out_desc *d = dhcp_out_find(prl->data[i]);

		if (d && !listed[d - dhcp_out_opts]) {
			listed[d - dhcp_out_opts] = true;
			order[n++] = d;
		}
	}
	for (i = 0; i < ARRAY_SIZE(dhcp_out_opts); i++) {
		if (!listed[i])
			order[n++] = &dhcp_out_opts[i];
	}

	for (i = 0; i < n; i++) {
		size_t len;

		if (!(order[i]->flags & DHCP_OUT_REQUIRED))
			continue;
		len = dhcp_opt_value(c, r, order[i], val);
		if (len)
			reserve += dhcp_opt_wire_len(len);
	}
	reserve += 1;	/* end option */

	for (i = 0; i < n; i++) {
		const struct dhcp_out_desc *d = order[i];
		size_t len = dhcp_opt_value(c, r, d, val), wire;

		if (!len)
			continue;
		wire = dhcp_opt_wire_len(len);

		if (d->flags & DHCP_OUT_REQUIRED) {
			reserve -= wire;
		} else if (o->len + wire + reserve > o->limit) {
			debug_ratelimit("DHCP: %s option (%zu bytes) doesn't "
					"fit in a %zu-byte reply, left out",
					d->name, wire, o->limit);
			continue;
		}
		dhcp_opt_emit(o, d->code, val, len);
	}

	ASSERT(o->len < o->limit);
	o->buf[o->len++] = DHCP_OPT_END;
}

/**
 * dhcp_reply_limit() - Largest reply the client takes
 * @c:		Execution context
 * @req:	Client's message
 *
 * The maximum message size option counts the IP and UDP headers, as the
 * 576-byte minimum (RFC 2132 section 9.10) shows: it's the smallest
 * datagram every IPv4 host must accept (RFC 791). We don't go beyond the
 * MTU we give either.
 *
 * Return: maximum size of the DHCP message, header and options
 */
static size_t dhcp_reply_limit(const struct ctx *c, const struct dhcp_req *req)
{
	const struct dhcp_in_opt *ms = &req->opt[DHCP_IN_MAX_SIZE];
	size_t max = DHCP_MSG_SIZE_MIN;

	if (ms->seen) {
		uint16_t v;

		memcpy(&v, ms->data, sizeof(v));
		max = MAX(ntohs(v), DHCP_MSG_SIZE_MIN);
	}
	if (c->mtu > 0)
		max = MIN(max, MAX((size_t)c->mtu, DHCP_MSG_SIZE_MIN));

	return MIN(max - DHCP_IP_UDP_LEN, sizeof(dhcp_reply_buf));
}

/**
 * dhcp_send() - Build and send a reply
 * @c:		Execution context
 * @req:	Client's message
 * @r:		What to reply
 * @yiaddr:	Address given to the client, INADDR_ANY if none
 */
static void dhcp_send(struct ctx *c, const struct dhcp_req *req,
		      const struct dhcp_reply *r, struct in_addr yiaddr)
{
	struct dhcp_out o = { .buf = dhcp_reply_buf };
	struct dhcp_hdr h = req->h;
	struct in_addr dst;

	o.limit = dhcp_reply_limit(c, req);

	/* RFC 2131 section 4.3.1, table 3 */
	h.op = DHCP_OP_BOOTREPLY;
	h.hops = 0;
	h.secs = 0;
	if (r->type == DHCPOFFER || r->type == DHCPNAK)
		h.ciaddr.s_addr = htonl(INADDR_ANY);
	h.yiaddr = yiaddr;
	h.siaddr.s_addr = htonl(INADDR_ANY);
	memset(h.sname, 0, sizeof(h.sname));
	memset(h.file, 0, sizeof(h.file));
	h.magic = htonl(DHCP_MAGIC);
	memcpy(o.buf, &h, sizeof(h));
	o.len = sizeof(h);

	dhcp_opts_write(c, r, req, &o);

	if (o.len < DHCP_BOOTP_LEN_MIN) {
		memset(o.buf + o.len, DHCP_OPT_PAD, DHCP_BOOTP_LEN_MIN - o.len);
		o.len = DHCP_BOOTP_LEN_MIN;
	}

	/* RFC 2131 section 4.1: where the reply goes (no relays here) */
	if (r->type == DHCPNAK)
		dst.s_addr = htonl(INADDR_BROADCAST);
	else if (h.ciaddr.s_addr != htonl(INADDR_ANY))
		dst = h.ciaddr;
	else if (ntohs(h.flags) & DHCP_FLAG_BROADCAST)
		dst.s_addr = htonl(INADDR_BROADCAST);
	else if (yiaddr.s_addr != htonl(INADDR_ANY))
		dst = yiaddr;
	else
		dst.s_addr = htonl(INADDR_BROADCAST);

	debug_ratelimit("DHCP: sending %s, %zu bytes, to %s",
			dhcp_type_str(r->type), o.len, inet_ntoa(dst));

	tap_udp4_send(c, r->server, DHCP_SERVER_PORT, dst, DHCP_CLIENT_PORT,
		      o.buf, o.len);
}

/**
 * dhcp_in_find() - Slot of an option we read from clients
 * @code:	Option code
 *
 * Return: slot, or DHCP_IN_NUM if we don't read @code
 */
static enum dhcp_in_slot dhcp_in_find(uint8_t code)
{
	int i;

	for (i = 0; i < DHCP_IN_NUM; i++) {
		if (dhcp_in_opts[i].code == code)
			return i;
	}
	return DHCP_IN_NUM;
}

/**
 * dhcp_opts_parse() - Gather the options of one area of a client's message
 * @v:		View of the area: the options field, or file or sname
 * @req:	Gathered options, added to (RFC 3396 concatenation)
 * @field:	This is the options field, where overload may appear
 *
 * Return: PKT_CONSUMED if the area is well formed and ends with an end
 *	   option, PKT_DROP otherwise
 */
static enum pkt_verdict dhcp_opts_parse(struct pkt_view *v,
					struct dhcp_req *req, bool field)
{
	for (;;) {
		enum dhcp_in_slot slot;
		const uint8_t *data;
		struct dhcp_in_opt *o;
		uint8_t code, len;
		size_t have, n;

		/* RFC 2132 section 3.2: the end option marks the end of
		 * valid data. Without it, the message may be cut short
		 */
		if (!pkt_pull_copy(v, &code, sizeof(code))) {
			debug_ratelimit("DHCP: options without end option");
			return PKT_DROP;
		}
		if (code == DHCP_OPT_PAD)
			continue;
		if (code == DHCP_OPT_END)
			return PKT_CONSUMED;

		data = NULL;
		if (pkt_pull_copy(v, &len, sizeof(len)))
			data = pkt_pull(v, len);
		if (!data) {
			debug_ratelimit("DHCP: option %u runs past the end",
					code);
			return PKT_DROP;
		}

		slot = dhcp_in_find(code);
		if (slot == DHCP_IN_NUM)
			continue;
		if (slot == DHCP_IN_OVERLOAD && !field) {
			/* RFC 2131 section 4.1: only in the options field */
			debug_ratelimit("DHCP: overload option in file/sname, "
					"ignored");
			continue;
		}

		o = &req->opt[slot];
		have = MIN(o->len, sizeof(o->data));
		n = MIN((size_t)len, sizeof(o->data) - have);
		memcpy(o->data + have, data, n);
		o->len += len;
		o->seen = true;
	}
}

/**
 * dhcp_opts_check() - Check the gathered options' lengths
 * @req:	Gathered options: lengths of truncatable ones are cut
 *
 * Return: PKT_CONSUMED if all are within bounds, PKT_DROP otherwise
 */
static enum pkt_verdict dhcp_opts_check(struct dhcp_req *req)
{
	int i;

	for (i = 0; i < DHCP_IN_NUM; i++) {
		const struct dhcp_in_desc *d = &dhcp_in_opts[i];
		struct dhcp_in_opt *o = &req->opt[i];

		if (!o->seen)
			continue;
		if (o->len > d->max && d->trunc)
			o->len = d->max;
		if (o->len < d->min || o->len > d->max) {
			debug_ratelimit("DHCP: %s option of %zu bytes, "
					"dropped", d->name, o->len);
			return PKT_DROP;
		}
	}
	return PKT_CONSUMED;
}

/**
 * dhcp_parse() - Check a client's message and gather what we need from it
 * @v:		View positioned at the UDP header
 * @req:	Filled with the header and the options we read
 *
 * Return: PKT_CONSUMED if @req is usable, PKT_DROP otherwise
 */
static enum pkt_verdict dhcp_parse(struct pkt_view *v, struct dhcp_req *req)
{
	struct pkt_view fv;
	struct udphdr uh;
	uint8_t overload = 0;
	size_t ulen;

	memset(req, 0, sizeof(*req));

	if (!pkt_pull_copy(v, &uh, sizeof(uh)))
		return PKT_DROP;
	ulen = ntohs(uh.len);
	if (ulen < sizeof(uh) || !pkt_limit(v, ulen - sizeof(uh)))
		return PKT_DROP;

	if (!pkt_pull_copy(v, &req->h, sizeof(req->h))) {
		debug_ratelimit("DHCP: %zu-byte message too short",
				pkt_left(v));
		return PKT_DROP;
	}
	if (req->h.op != DHCP_OP_BOOTREQUEST ||
	    req->h.htype != DHCP_HTYPE_ETHER || req->h.hlen != ETH_ADDR_LEN ||
	    ntohl(req->h.magic) != DHCP_MAGIC) {
		debug_ratelimit("DHCP: not an Ethernet DHCP request: op %u, "
				"htype %u, hlen %u, cookie 0x%08x",
				req->h.op, req->h.htype, req->h.hlen,
				ntohl(req->h.magic));
		return PKT_DROP;
	}

	if (dhcp_opts_parse(v, req, true) != PKT_CONSUMED)
		return PKT_DROP;

	if (req->opt[DHCP_IN_OVERLOAD].seen) {
		if (req->opt[DHCP_IN_OVERLOAD].len != 1)
			return PKT_DROP;
		overload = req->opt[DHCP_IN_OVERLOAD].data[0];
		if (!overload ||
		    (overload & ~(DHCP_OVERLOAD_FILE | DHCP_OVERLOAD_SNAME))) {
			debug_ratelimit("DHCP: invalid overload value %u",
					overload);
			return PKT_DROP;
		}
	}

	/* RFC 3396 section 5: options field, then file, then sname */
	if (overload & DHCP_OVERLOAD_FILE) {
		pkt_init(&fv, req->h.file, sizeof(req->h.file));
		if (dhcp_opts_parse(&fv, req, false) != PKT_CONSUMED)
			return PKT_DROP;
	}
	if (overload & DHCP_OVERLOAD_SNAME) {
		pkt_init(&fv, req->h.sname, sizeof(req->h.sname));
		if (dhcp_opts_parse(&fv, req, false) != PKT_CONSUMED)
			return PKT_DROP;
	}

	return dhcp_opts_check(req);
}

/**
 * dhcp_opt_addr() - Address carried by a gathered option
 * @o:		Option, checked to be 4 bytes long if seen
 *
 * Return: the address, INADDR_ANY if the option wasn't there
 */
static struct in_addr dhcp_opt_addr(const struct dhcp_in_opt *o)
{
	struct in_addr a = { .s_addr = htonl(INADDR_ANY) };

	if (o->seen)
		memcpy(&a, o->data, sizeof(a));
	return a;
}

/**
 * dhcp_request() - Answer a REQUEST: ACK, NAK, or nothing (RFC 2131 4.3.2)
 * @c:		Execution context
 * @req:	Client's message
 * @r:		Reply, type to be set here
 *
 * Return: PKT_CONSUMED, or PKT_DROP if the REQUEST names no address
 */
static enum pkt_verdict dhcp_request(struct ctx *c, const struct dhcp_req *req,
				     struct dhcp_reply *r)
{
	bool selecting = req->opt[DHCP_IN_SERVER_ID].seen;
	struct in_addr want, server;
	const char *state;

	server = dhcp_opt_addr(&req->opt[DHCP_IN_SERVER_ID]);
	if (selecting && server.s_addr != r->server.s_addr) {
		debug_ratelimit("DHCP: REQUEST for server %s, not us",
				inet_ntoa(server));
		return PKT_CONSUMED;
	}

	if (req->opt[DHCP_IN_REQ_ADDR].seen) {
		want = dhcp_opt_addr(&req->opt[DHCP_IN_REQ_ADDR]);
		state = selecting ? "SELECTING" : "INIT-REBOOT";
	} else {
		want = req->h.ciaddr;
		state = selecting ? "SELECTING" : "RENEWING/REBINDING";
	}

	if (want.s_addr == htonl(INADDR_ANY)) {
		debug_ratelimit("DHCP: REQUEST (%s) names no address", state);
		return PKT_DROP;
	}

	if (want.s_addr != c->ip4.addr.s_addr) {
		debug_ratelimit("DHCP: REQUEST (%s) for %s, not the guest's "
				"address: NAK", state, inet_ntoa(want));
		r->type = DHCPNAK;
		r->message = "requested address is not the guest's address";
		dhcp_send(c, req, r, (struct in_addr){ htonl(INADDR_ANY) });
		return PKT_CONSUMED;
	}

	debug_ratelimit("DHCP: REQUEST (%s) for %s: ACK", state,
			inet_ntoa(want));
	r->type = DHCPACK;
	dhcp_send(c, req, r, c->ip4.addr);
	return PKT_CONSUMED;
}

/**
 * dhcp_handler() - Handle a DHCPv4 message from the guest
 * @c:		Execution context
 * @ii:		L3 header information
 * @v:		View positioned at the UDP header
 *
 * Return: PKT_CONSUMED if answered or deliberately ignored, PKT_DROP if
 *	   malformed, PKT_NOT_MINE if we have no IPv4 address to give
 */
enum pkt_verdict dhcp_handler(struct ctx *c, const struct ip_info *ii,
			      struct pkt_view *v)
{
	const struct dhcp_in_opt *host;
	struct dhcp_reply r = { 0 };
	char name[DHCP_OPT_LEN_MAX * 4 + 1];
	struct dhcp_req req;
	uint8_t type;

	(void)ii;

	if (c->ip4.addr.s_addr == htonl(INADDR_ANY))
		return PKT_NOT_MINE;

	if (dhcp_parse(v, &req) != PKT_CONSUMED)
		return PKT_DROP;

	if (!req.opt[DHCP_IN_MSG_TYPE].seen) {
		debug_ratelimit("DHCP: BOOTP request without message type, "
				"ignored");
		return PKT_CONSUMED;
	}
	type = req.opt[DHCP_IN_MSG_TYPE].data[0];

	host = &req.opt[DHCP_IN_HOSTNAME];
	dhcp_escape(host->data, host->seen ? host->len : 0, name,
		    sizeof(name));
	debug_ratelimit("DHCP: %s from " MAC_FMT "%s%s%s",
			dhcp_type_str(type), MAC_ARGS(req.h.chaddr),
			*name ? " (host name `" : "", name, *name ? "')" : "");

	r.server = dhcp_server_addr(c);
	if (req.opt[DHCP_IN_CLIENT_ID].seen)
		r.client_id = &req.opt[DHCP_IN_CLIENT_ID];

	switch (type) {
	case DHCPDISCOVER:
		r.type = DHCPOFFER;
		dhcp_send(c, &req, &r, c->ip4.addr);
		return PKT_CONSUMED;
	case DHCPREQUEST:
		return dhcp_request(c, &req, &r);
	case DHCPINFORM:
		r.type = DHCPACK;
		r.inform = true;
		dhcp_send(c, &req, &r, (struct in_addr){ htonl(INADDR_ANY) });
		return PKT_CONSUMED;
	case DHCPDECLINE:
		debug_ratelimit("DHCP: guest declined %s: does something "
				"else use it?", inet_ntoa(c->ip4.addr));
		return PKT_CONSUMED;
	case DHCPRELEASE:
		return PKT_CONSUMED;	/* logged above; nothing to free */
	default:
		debug_ratelimit("DHCP: unexpected message type %u", type);
		return PKT_DROP;
	}
}
