# SPDX-License-Identifier: GPL-2.0-or-later
#
# passt/pasta: user-mode networking for virtual machines and namespaces
#
# make            build passt, and pasta as a link to it
# make check      unit tests, then the integration tests (pytest, as root)
# make unit       unit tests only
# make hdrcheck   every header compiles on its own
# make lint       clang-tidy and cppcheck
# make clean
#
# CFLAGS is yours to override; our warnings and hardening are appended.
# V=1 shows the commands.

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1)

CC ?= cc
CFLAGS ?= -O2 -g
PYTHON ?= /usr/bin/python3
PYTEST_ARGS ?=

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	    -Wmissing-prototypes -Wformat=2 -Wcast-qual -Wpointer-arith

# Hardening: each flag only if the compiler takes it
cc-option = $(shell $(CC) $(1) -Werror -x c -c /dev/null -o /dev/null \
	      >/dev/null 2>&1 && echo $(1))
HARDENING := -D_FORTIFY_SOURCE=2 -fPIE \
	     $(call cc-option,-fstack-protector-strong) \
	     $(call cc-option,-fstack-clash-protection) \
	     $(call cc-option,-fcf-protection)
HARDENING_LD := -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack

BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARNINGS) $(HARDENING) \
	       -DPASST_BUILD_VERSION=\"$(VERSION)\"
LIBS := -lseccomp -lcap-ng

SRCS := $(wildcard *.c)
HDRS := $(wildcard *.h)
OBJS := $(SRCS:.c=.o)

# Pure functions with unit tests: everything but main() and the loop
UNIT_SRCS := $(filter-out passt.c,$(SRCS))
UNIT_TESTS := $(wildcard test/unit/test_*.c)

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all check unit pytest hdrcheck lint clean

all: passt pasta

passt: $(OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(BASE_CFLAGS) $(HARDENING_LD) $(LDFLAGS) \
		-o $@ $(OBJS) $(LIBS)

pasta: passt
	$(Q)ln -sf passt pasta

%.o: %.c $(HDRS)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) $(BASE_CFLAGS) -c -o $@ $<

test/unit/run: $(UNIT_SRCS) $(HDRS) test/unit/unit.c test/unit/unit.h \
	       $(UNIT_TESTS)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) $(BASE_CFLAGS) -I. $(HARDENING_LD) -o $@ \
		$(UNIT_SRCS) test/unit/unit.c $(UNIT_TESTS) $(LIBS)

unit: test/unit/run
	$(Q)./test/unit/run

pytest: all
	$(Q)$(PYTHON) -m pytest $(PYTEST_ARGS) test/

check: hdrcheck unit pytest

hdrcheck:
	$(Q)for h in $(HDRS); do \
		echo "#include \"$$h\"" | $(CC) $(BASE_CFLAGS) -I. -x c \
			-fsyntax-only - || exit 1; \
	done

lint:
	clang-tidy $(SRCS) -- $(BASE_CFLAGS)
	cppcheck --std=c11 --error-exitcode=1 --enable=warning,portability \
		--inline-suppr --quiet -D_GNU_SOURCE $(SRCS)

clean:
	rm -f passt pasta $(OBJS) test/unit/run
