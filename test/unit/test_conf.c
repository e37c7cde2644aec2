// SPDX-License-Identifier: GPL-2.0-or-later
/* test_conf.c - parsers of option values: port specs, addresses, netmasks,
 * --runas, sizes, interface and domain names
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "unit.h"
#include "../../conf.h"

/**
 * spec_ok() - Parse a port specification that must be valid
 * @spec:	Specification
 * @ps:		Parsed result
 *
 * Return: true if it parsed, false (after recording a failure) otherwise
 */
static bool spec_ok(const char *spec, struct port_spec *ps)
{
	char err[CONF_ERR_LEN] = "";
	int rc;

	rc = conf_port_spec_parse(spec, ps, err, sizeof(err));
	if (rc)
		unit_fail(__FILE__, __LINE__, "`%s' refused: %s", spec, err);
	return !rc;
}

/**
 * spec_bad() - Check that a port specification is refused, with a reason
 * @spec:	Specification
 * @quote:	Text the reason must contain, NULL for any reason
 *
 * Return: true if refused as expected
 */
static bool spec_bad(const char *spec, const char *quote)
{
	char err[CONF_ERR_LEN] = "";
	struct port_spec ps;
	int rc;

	rc = conf_port_spec_parse(spec, &ps, err, sizeof(err));
	if (rc != -EINVAL) {
		unit_fail(__FILE__, __LINE__, "`%s' accepted (%d)", spec, rc);
		return false;
	}
	if (!*err || (quote && !strstr(err, quote))) {
		unit_fail(__FILE__, __LINE__, "`%s': reason `%s' lacks `%s'",
			  spec, err, quote ? quote : "anything");
		return false;
	}
	return true;
}

/**
 * addr_is() - Check an address against its text form
 * @a:		Parsed address
 * @af:		Expected family
 * @text:	Expected address, as text
 *
 * Return: true if @a is @text, of family @af
 */
static bool addr_is(const struct conf_addr *a, sa_family_t af,
		    const char *text)
{
	struct in6_addr want;

	if (a->af != af || inet_pton(af, text, &want) != 1)
		return false;
	if (af == AF_INET)
		return !memcmp(&a->a4, &want, sizeof(a->a4));
	return !memcmp(&a->a6, &want, sizeof(a->a6));
}

UNIT_TEST(port_spec_basic)
{
	struct port_spec ps;

	CHECK_EQ_INT(conf_port_spec_parse("22", &ps, NULL, 0), 0);
	CHECK_EQ_INT(ps.type, PORT_SPEC_LIST);
	CHECK_EQ_INT(ps.n_ranges, 1);
	CHECK_EQ_INT(ps.range[0].first, 22);
	CHECK_EQ_INT(ps.range[0].last, 22);
	CHECK_EQ_INT(ps.range[0].to, 22);
	CHECK(!ps.range[0].exclude);
	CHECK(!ps.excl_only);
	CHECK(!ps.has_addr);
	CHECK_STREQ(ps.ifname, "");

	if (spec_ok("22:23,25,1-3,65535", &ps)) {
		CHECK_EQ_INT(ps.n_ranges, 4);
		CHECK_EQ_INT(ps.range[0].to, 23);
		CHECK_EQ_INT(ps.range[1].first, 25);
		CHECK_EQ_INT(ps.range[2].first, 1);
		CHECK_EQ_INT(ps.range[2].last, 3);
		CHECK_EQ_INT(ps.range[3].first, 65535);
	}

	if (spec_ok("22-80:32-90", &ps)) {
		CHECK_EQ_INT(ps.range[0].first, 22);
		CHECK_EQ_INT(ps.range[0].last, 80);
		CHECK_EQ_INT(ps.range[0].to, 32);
	}

	/* A target without its last port shifts the whole range */
	if (spec_ok("1-10:21", &ps)) {
		CHECK_EQ_INT(ps.range[0].last, 10);
		CHECK_EQ_INT(ps.range[0].to, 21);
	}
}

UNIT_TEST(port_spec_keywords)
{
	struct port_spec ps;

	if (spec_ok("none", &ps))
		CHECK_EQ_INT(ps.type, PORT_SPEC_NONE);
	if (spec_ok("all", &ps))
		CHECK_EQ_INT(ps.type, PORT_SPEC_ALL);
	if (spec_ok("auto", &ps))
		CHECK_EQ_INT(ps.type, PORT_SPEC_AUTO);

	spec_bad("None", NULL);
	spec_bad("auto,22", NULL);
	spec_bad("127.0.0.1/auto", NULL);
}

UNIT_TEST(port_spec_podman)
{
	struct port_spec ps;

	if (spec_ok("127.0.0.1/8080-8080:80-80", &ps)) {
		CHECK(ps.has_addr);
		CHECK(addr_is(&ps.addr, AF_INET, "127.0.0.1"));
		CHECK_EQ_INT(ps.addr.prefix_len, -1);
		CHECK_EQ_INT(ps.n_ranges, 1);
		CHECK_EQ_INT(ps.range[0].first, 8080);
		CHECK_EQ_INT(ps.range[0].last, 8080);
		CHECK_EQ_INT(ps.range[0].to, 80);
	}

	/* Unbracketed IPv6: the prefix ends at the last '/' */
	if (spec_ok("::1/8080-8080:80-80", &ps)) {
		CHECK(ps.has_addr);
		CHECK(addr_is(&ps.addr, AF_INET6, "::1"));
		CHECK_EQ_INT(ps.range[0].first, 8080);
		CHECK_EQ_INT(ps.range[0].to, 80);
	}

	if (spec_ok("2001:db8::1/443", &ps))
		CHECK(addr_is(&ps.addr, AF_INET6, "2001:db8::1"));

	if (spec_ok("[2001:db8::1]/443", &ps))
		CHECK(addr_is(&ps.addr, AF_INET6, "2001:db8::1"));
}

UNIT_TEST(port_spec_interface)
{
	struct port_spec ps;

	if (spec_ok("%eth0/22", &ps)) {
		CHECK(!ps.has_addr);
		CHECK_STREQ(ps.ifname, "eth0");
		CHECK_EQ_INT(ps.range[0].first, 22);
	}

	if (spec_ok("192.0.2.1%eth0/22", &ps)) {
		CHECK(addr_is(&ps.addr, AF_INET, "192.0.2.1"));
		CHECK_STREQ(ps.ifname, "eth0");
	}

	if (spec_ok("fe80::1%eth0/22", &ps)) {
		CHECK(addr_is(&ps.addr, AF_INET6, "fe80::1"));
		CHECK_STREQ(ps.ifname, "eth0");
	}

	spec_bad("%/22", "interface");
	spec_bad("%a:b/22", "a:b");
	spec_bad("%0123456789abcdef/22", "interface");
}

UNIT_TEST(port_spec_exclusions)
{
	struct port_spec ps;

	if (spec_ok("~22", &ps)) {
		CHECK_EQ_INT(ps.n_ranges, 1);
		CHECK(ps.range[0].exclude);
		CHECK(ps.excl_only);
	}

	if (spec_ok("1-1024,~80", &ps)) {
		CHECK_EQ_INT(ps.n_ranges, 2);
		CHECK(!ps.range[0].exclude);
		CHECK_EQ_INT(ps.range[0].last, 1024);
		CHECK(ps.range[1].exclude);
		CHECK_EQ_INT(ps.range[1].first, 80);
		CHECK(!ps.excl_only);
	}

	if (spec_ok("~20000-20010,~22", &ps))
		CHECK(ps.excl_only);

	spec_bad("~22:23", "~22:23");
	spec_bad("~", NULL);
	spec_bad("~~22", NULL);
}

UNIT_TEST(port_spec_invalid)
{
	struct port_spec ps;

	spec_bad("0", "`0'");
	spec_bad("70000", "`70000'");
	spec_bad("99999999999999999999", "99999999999999999999");
	spec_bad("5-1", "`5-1'");
	spec_bad("1-10:20-25", "1-10:20-25");
	spec_bad("1-10:25-20", "1-10:25-20");
	spec_bad("1-10:65530", "65535");
	spec_bad("22:0", "`0'");
	spec_bad("", NULL);
	spec_bad("22,", NULL);
	spec_bad(",22", NULL);
	spec_bad("22,,23", NULL);
	spec_bad("22-", NULL);
	spec_bad("22:", NULL);
	spec_bad("-22", NULL);
	spec_bad("+22", NULL);
	spec_bad(" 22", NULL);
	spec_bad("22 ", NULL);
	spec_bad("0x16", NULL);
	spec_bad("22-23-24", NULL);
	spec_bad("ssh", NULL);
	spec_bad("foo/22", "`foo'");
	spec_bad("/22", NULL);
	spec_bad("127.0.0.1/", NULL);
	spec_bad("192.0.2.0/24/22", NULL);
	spec_bad("[::1/22", NULL);

	/* Without a buffer for the reason, failure is still reported */
	CHECK_EQ_INT(conf_port_spec_parse("0", &ps, NULL, 0), -EINVAL);
}

UNIT_TEST(port_spec_many_ranges)
{
	char spec[1024] = "";
	struct port_spec ps;
	size_t len = 0;
	int i;

	for (i = 1; i <= PORT_SPEC_RANGES_MAX; i++)
		len += (size_t)snprintf(spec + len, sizeof(spec) - len,
					"%s%d", i > 1 ? "," : "", i);

	if (spec_ok(spec, &ps))
		CHECK_EQ_INT(ps.n_ranges, PORT_SPEC_RANGES_MAX);

	snprintf(spec + len, sizeof(spec) - len, ",%d", i);
	spec_bad(spec, "too many");
}

UNIT_TEST(netmask)
{
	int plen = -1;

	CHECK_EQ_INT(conf_netmask_parse("255.255.255.0", &plen), 0);
	CHECK_EQ_INT(plen, 24);
	CHECK_EQ_INT(conf_netmask_parse("24", &plen), 0);
	CHECK_EQ_INT(plen, 24);
	CHECK_EQ_INT(conf_netmask_parse("255.255.255.255", &plen), 0);
	CHECK_EQ_INT(plen, 32);
	CHECK_EQ_INT(conf_netmask_parse("128.0.0.0", &plen), 0);
	CHECK_EQ_INT(plen, 1);
	CHECK_EQ_INT(conf_netmask_parse("255.255.252.0", &plen), 0);
	CHECK_EQ_INT(plen, 22);
	CHECK_EQ_INT(conf_netmask_parse("32", &plen), 0);
	CHECK_EQ_INT(plen, 32);

	CHECK_EQ_INT(conf_netmask_parse("33", &plen), -EINVAL);
	CHECK_EQ_INT(conf_netmask_parse("0", &plen), -EINVAL);
	CHECK_EQ_INT(conf_netmask_parse("255.0.255.0", &plen), -EINVAL);
	CHECK_EQ_INT(conf_netmask_parse("0.0.0.0", &plen), -EINVAL);
	CHECK_EQ_INT(conf_netmask_parse("0.255.255.255", &plen), -EINVAL);
	CHECK_EQ_INT(conf_netmask_parse("255.255.255", &plen), -EINVAL);
	CHECK_EQ_INT(conf_netmask_parse("", &plen), -EINVAL);
	CHECK_EQ_INT(conf_netmask_parse("-1", &plen), -EINVAL);
	CHECK_EQ_INT(conf_netmask_parse("24x", &plen), -EINVAL);
	CHECK_EQ_INT(conf_netmask_parse("/24", &plen), -EINVAL);
	CHECK_EQ_INT(plen, 32);		/* Untouched by failures */
}

UNIT_TEST(addr_prefix)
{
	struct conf_addr a;

	CHECK_EQ_INT(conf_addr_parse("192.0.2.5/24", &a), 0);
	CHECK(addr_is(&a, AF_INET, "192.0.2.5"));
	CHECK_EQ_INT(a.prefix_len, 24);

	CHECK_EQ_INT(conf_addr_parse("2001:db8::5/64", &a), 0);
	CHECK(addr_is(&a, AF_INET6, "2001:db8::5"));
	CHECK_EQ_INT(a.prefix_len, 64);

	CHECK_EQ_INT(conf_addr_parse("2001:db8::5/128", &a), 0);
	CHECK_EQ_INT(a.prefix_len, 128);

	CHECK_EQ_INT(conf_addr_parse("192.0.2.5", &a), 0);
	CHECK(addr_is(&a, AF_INET, "192.0.2.5"));
	CHECK_EQ_INT(a.prefix_len, -1);

	CHECK_EQ_INT(conf_addr_parse("::ffff:192.0.2.5", &a), 0);
	CHECK_EQ_INT(a.af, AF_INET6);

	CHECK_EQ_INT(conf_addr_parse("2001:db8::5/129", &a), -EINVAL);
	CHECK_EQ_INT(conf_addr_parse("192.0.2.5/33", &a), -EINVAL);
	CHECK_EQ_INT(conf_addr_parse("192.0.2.5/0", &a), -EINVAL);
	CHECK_EQ_INT(conf_addr_parse("192.0.2.5/", &a), -EINVAL);
	CHECK_EQ_INT(conf_addr_parse("192.0.2.5/24/1", &a), -EINVAL);
	CHECK_EQ_INT(conf_addr_parse("192.0.2.5/+24", &a), -EINVAL);
	CHECK_EQ_INT(conf_addr_parse("192.0.2", &a), -EINVAL);
	CHECK_EQ_INT(conf_addr_parse("192.0.2.256", &a), -EINVAL);
	CHECK_EQ_INT(conf_addr_parse("[::1]", &a), -EINVAL);
	CHECK_EQ_INT(conf_addr_parse("fe80::1%eth0", &a), -EINVAL);
	CHECK_EQ_INT(conf_addr_parse("/24", &a), -EINVAL);
	CHECK_EQ_INT(conf_addr_parse("", &a), -EINVAL);
}

UNIT_TEST(addr_unusable)
{
	struct conf_addr a;

	conf_addr_parse("0.0.0.0", &a);
	CHECK_STREQ(conf_addr_unusable(&a, false), "unspecified");
	conf_addr_parse("224.0.0.1", &a);
	CHECK_STREQ(conf_addr_unusable(&a, false), "multicast");
	conf_addr_parse("127.0.0.53", &a);
	CHECK(!conf_addr_unusable(&a, false));
	CHECK_STREQ(conf_addr_unusable(&a, true), "loopback");
	conf_addr_parse("255.255.255.255", &a);
	CHECK_STREQ(conf_addr_unusable(&a, true), "broadcast");
	conf_addr_parse("192.0.2.1", &a);
	CHECK(!conf_addr_unusable(&a, true));

	conf_addr_parse("::", &a);
	CHECK_STREQ(conf_addr_unusable(&a, false), "unspecified");
	conf_addr_parse("ff02::1", &a);
	CHECK_STREQ(conf_addr_unusable(&a, false), "multicast");
	conf_addr_parse("fe80::1", &a);
	CHECK(!conf_addr_unusable(&a, false));
	CHECK_STREQ(conf_addr_unusable(&a, true), "link-local");
	conf_addr_parse("::1", &a);
	CHECK_STREQ(conf_addr_unusable(&a, true), "loopback");
	conf_addr_parse("2001:db8::1", &a);
	CHECK(!conf_addr_unusable(&a, true));
}

UNIT_TEST(runas)
{
	long uid = -1, gid = -1;
	char err[CONF_ERR_LEN];

	CHECK_EQ_INT(conf_runas_parse("1000:1000", &uid, &gid,
				      err, sizeof(err)), 0);
	CHECK_EQ_INT(uid, 1000);
	CHECK_EQ_INT(gid, 1000);

	CHECK_EQ_INT(conf_runas_parse("1234:5678", &uid, &gid,
				      err, sizeof(err)), 0);
	CHECK_EQ_INT(uid, 1234);
	CHECK_EQ_INT(gid, 5678);

	CHECK_EQ_INT(conf_runas_parse("4294967294:0", &uid, &gid,
				      err, sizeof(err)), 0);
	CHECK_EQ_INT(uid, 4294967294LL);
	CHECK_EQ_INT(gid, 0);

	/* root is in every user database */
	CHECK_EQ_INT(conf_runas_parse("root", &uid, &gid,
				      err, sizeof(err)), 0);
	CHECK_EQ_INT(uid, 0);
	CHECK_EQ_INT(gid, 0);

	uid = gid = 7;
	CHECK_EQ_INT(conf_runas_parse("4294967295", &uid, &gid,
				      err, sizeof(err)), -EINVAL);
	CHECK_EQ_INT(conf_runas_parse("1000:4294967295", &uid, &gid,
				      err, sizeof(err)), -EINVAL);
	CHECK_EQ_INT(conf_runas_parse("", &uid, &gid,
				      err, sizeof(err)), -EINVAL);
	CHECK_EQ_INT(conf_runas_parse(":1000", &uid, &gid,
				      err, sizeof(err)), -EINVAL);
	CHECK_EQ_INT(conf_runas_parse("1000:", &uid, &gid,
				      err, sizeof(err)), -EINVAL);
	CHECK_EQ_INT(conf_runas_parse("no-such-user-here", &uid, &gid,
				      err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "no-such-user-here"));
	CHECK_EQ_INT(conf_runas_parse("0:no-such-group-here", &uid, &gid,
				      err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "no-such-group-here"));
	CHECK_EQ_INT(uid, 7);		/* Untouched by failures */
	CHECK_EQ_INT(gid, 7);
}

UNIT_TEST(size)
{
	size_t size = 0;

	CHECK_EQ_INT(conf_size_parse("4096", &size), 0);
	CHECK_EQ_INT(size, 4096);
	CHECK_EQ_INT(conf_size_parse("1k", &size), 0);
	CHECK_EQ_INT(size, 1024);
	CHECK_EQ_INT(conf_size_parse("2M", &size), 0);
	CHECK_EQ_INT(size, 2 << 20);
	CHECK_EQ_INT(conf_size_parse("1G", &size), 0);
	CHECK_EQ_INT(size, 1 << 30);

	CHECK_EQ_INT(conf_size_parse("", &size), -EINVAL);
	CHECK_EQ_INT(conf_size_parse("k", &size), -EINVAL);
	CHECK_EQ_INT(conf_size_parse("1kk", &size), -EINVAL);
	CHECK_EQ_INT(conf_size_parse("1T", &size), -EINVAL);
	CHECK_EQ_INT(conf_size_parse("-1", &size), -EINVAL);
	CHECK_EQ_INT(conf_size_parse("99999999999999999999999", &size),
		     -ERANGE);
	CHECK_EQ_INT(conf_size_parse("18014398509481984k", &size), -ERANGE);
	CHECK_EQ_INT(size, 1 << 30);	/* Untouched by failures */
}

UNIT_TEST(uint)
{
	unsigned long v = 0;

	CHECK_EQ_INT(conf_uint_parse("0", 10, &v), 0);
	CHECK_EQ_INT(v, 0);
	CHECK_EQ_INT(conf_uint_parse("65535", 65535, &v), 0);
	CHECK_EQ_INT(v, 65535);
	CHECK_EQ_INT(conf_uint_parse("007", 10, &v), 0);
	CHECK_EQ_INT(v, 7);
	CHECK_EQ_INT(conf_uint_parse("65536", 65535, &v), -ERANGE);
	CHECK_EQ_INT(conf_uint_parse("184467440737095516160", ~0UL, &v),
		     -ERANGE);
	CHECK_EQ_INT(conf_uint_parse("", 10, &v), -EINVAL);
	CHECK_EQ_INT(conf_uint_parse("1a", 10, &v), -EINVAL);
	CHECK_EQ_INT(conf_uint_parse(" 1", 10, &v), -EINVAL);
	CHECK_EQ_INT(v, 7);
}

UNIT_TEST(names)
{
	char label[80], name[4 * sizeof(label)];

	CHECK(conf_ifname_valid("eth0"));
	CHECK(conf_ifname_valid("0123456789abcde"));
	CHECK(!conf_ifname_valid("0123456789abcdef"));
	CHECK(!conf_ifname_valid(""));
	CHECK(!conf_ifname_valid("a/b"));
	CHECK(!conf_ifname_valid("a:b"));
	CHECK(!conf_ifname_valid("a b"));
	CHECK(!conf_ifname_valid(".."));

	CHECK(conf_domain_valid("example.com"));
	CHECK(conf_domain_valid("example.com."));
	CHECK(conf_domain_valid("_srv.my-host.example"));
	CHECK(!conf_domain_valid(""));
	CHECK(!conf_domain_valid("."));
	CHECK(!conf_domain_valid("a..b"));
	CHECK(!conf_domain_valid(".a"));
	CHECK(!conf_domain_valid("a b"));
	CHECK(!conf_domain_valid("a,b"));

	memset(label, 'a', 63);
	label[63] = '\0';
	CHECK(conf_domain_valid(label));
	label[63] = 'a';
	label[64] = '\0';
	CHECK(!conf_domain_valid(label));

	/* 4 labels of 63, 3 dots: 255 bytes, over 253 */
	label[63] = '\0';
	snprintf(name, sizeof(name), "%s.%s.%s.%s", label, label, label,
		 label);
	CHECK(!conf_domain_valid(name));
	name[253] = '\0';	/* "...a.aa...": 253 bytes */
	CHECK(conf_domain_valid(name));
}
