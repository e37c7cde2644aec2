// SPDX-License-Identifier: GPL-2.0-or-later
/* test_fwd_auto.c - pasta's "auto": lines of /proc/net/{tcp,udp}{,6} */

#include "unit.h"
#include "../../fwd_auto.h"

UNIT_TEST(fwd_auto_line_tcp4)
{
	const char *listen = "   0: 0100007F:1F90 00000000:0000 0A 00000000:"
			     "00000000 00:00000000 00000000  1000        0 "
			     "12345 1 0000000000000000 100 0 0 10 0";
	const char *estab = "   1: 0100007F:1F90 0100007F:D431 01 00000000:"
			    "00000000 00:00000000 00000000  1000        0 "
			    "12346 1 0000000000000000 20 4 30 10 -1";

	CHECK_EQ_INT(fwd_auto_line(listen, 0x0a), 8080);
	CHECK_EQ_INT(fwd_auto_line(estab, 0x0a), 0);
	CHECK_EQ_INT(fwd_auto_line(estab, 0x01), 8080);
}

UNIT_TEST(fwd_auto_line_tcp6_udp)
{
	const char *l6 = "   0: 00000000000000000000000001000000:0016 "
			 "00000000000000000000000000000000:0000 0A "
			 "00000000:00000000 00:00000000 00000000     0 0 1 1";
	const char *udp = "  123: 00000000:0035 00000000:0000 07 00000000:"
			  "00000000 00:00000000 00000000     0        0 9 2";

	CHECK_EQ_INT(fwd_auto_line(l6, 0x0a), 22);
	CHECK_EQ_INT(fwd_auto_line(udp, 0x07), 53);
}

UNIT_TEST(fwd_auto_line_junk)
{
	CHECK_EQ_INT(fwd_auto_line("", 0x0a), 0);
	CHECK_EQ_INT(fwd_auto_line("  sl  local_address rem_address   st "
				   "tx_queue", 0x0a), 0);
	CHECK_EQ_INT(fwd_auto_line("0: 0:1FFFFF 0:0 0A", 0x0a), 0);
	CHECK_EQ_INT(fwd_auto_line("0: 0:ZZ 0:0 0A", 0x0a), 0);
	CHECK_EQ_INT(fwd_auto_line("0: 0:0050", 0x0a), 0);
}
