# consent: a Unix toolkit for GDPR consent.  See README.md.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
AR ?= ar
CFLAGS ?= -g -O2
PKG_CONFIG ?= pkg-config

# O holds objects, B the binaries; check-sanitize builds into other folders
# so that a sanitizer build never mixes with a plain one.
O ?= obj
B ?= bin

PKGS = sqlite3 libsodium libcurl libmicrohttpd inih jansson cairo pangocairo fontconfig libqrencode
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter
# Warnings go on top of the user's CFLAGS so that they cannot be dropped.
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
	-Ilib $(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CFLAGS) -MMD -MP
LDLIBS_ALL = -Wl,--as-needed $(shell $(PKG_CONFIG) --libs $(PKGS)) -lcsv -lm

LIB_SRC = $(sort $(wildcard lib/*.c))
LIB_OBJ = $(LIB_SRC:%.c=$(O)/%.o)
LIBA = $(O)/libconsent.a

TOOL_SRC = $(sort $(wildcard cmd/consent-*.c))
TOOLS = $(TOOL_SRC:cmd/%.c=$(B)/%)
LANDING_SRC = $(sort $(wildcard cmd/consent-landing/*.c))
LANDING_OBJ = $(LANDING_SRC:%.c=$(O)/%.o)
ifneq ($(LANDING_SRC),)
TOOLS += $(B)/consent-landing
endif

UNIT_SRC = $(sort $(wildcard tests/unit/*.c))
UNITS = $(UNIT_SRC:tests/unit/%.c=$(O)/unit/%)
# Small programs the TAP tests call (a token verifier, ...).
TTOOL_SRC = $(sort $(wildcard tests/tools/*.c))
TTOOLS = $(TTOOL_SRC:tests/tools/%.c=$(O)/tools/%)

MAN1 = $(sort $(wildcard man/*.1))
MAN5 = $(sort $(wildcard man/*.5))
MAN7 = $(sort $(wildcard man/*.7))
MAN8 = $(sort $(wildcard man/*.8))

SAN_FLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all

# libFuzzer targets, one per tests/fuzz/NAME.c with its seeds in
# tests/fuzz/corpus/NAME/; `make fuzz` builds them with clang into
# $(O)-fuzz/ and runs each for FUZZ_SECONDS.
FUZZ_CC = clang
FUZZ_SECONDS ?= 30
FUZZ_SRC = $(sort $(wildcard tests/fuzz/*.c))
FUZZ_NAMES = $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZERS = $(FUZZ_SRC:tests/fuzz/%.c=$(O)/fuzz/%)
# The service without its main(), for the fuzz targets; an archive, so
# that only a target that asks for it gets it.
LANDING_A = $(O)/landing.a

all: $(TOOLS)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(LANDING_A): $(filter-out %/main.o,$(LANDING_OBJ))
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/consent-landing: $(LANDING_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(LANDING_OBJ) $(LIBA) $(LDLIBS_ALL)

$(B)/%: $(O)/cmd/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS_ALL)

$(O)/unit/%: tests/unit/%.c $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS_ALL)

$(O)/tools/%: tests/tools/%.c $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS_ALL)

$(O)/fuzz/%: tests/fuzz/%.c $(LANDING_A) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Icmd/consent-landing $(LDFLAGS) -o $@ $< \
		$(LANDING_A) $(LIBA) $(LDLIBS_ALL)

units: $(UNITS) $(TTOOLS)

# The suite: TAP scripts under tests/ and the C unit tests, run by prove
# with the freshly built binaries first on PATH.
check: all units
	@test -n "$(UNITS)" || exit 0; PATH="$(CURDIR)/$(B):$$PATH" prove $(PROVEFLAGS) $(UNITS)
	PATH="$(CURDIR)/$(B):$$PATH" CONSENT_BIN="$(CURDIR)/$(B)" \
		CONSENT_TOP="$(CURDIR)" CONSENT_TEST_TOOLS="$(CURDIR)/$(O)/tools" prove $(PROVEFLAGS) tests/*.t

check-sanitize:
	LSAN_OPTIONS="suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0" \
	$(MAKE) O=obj-san B=bin-san CFLAGS="$(SAN_FLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" check

# The suite with every tool and unit test under memcheck: a plain build in
# obj-vg/, and in bin-vg/ a script per tool, named like it, that runs the
# real one under valgrind; the tests find them first on PATH and as
# $CONSENT_BIN.  A leak or an error fails the run at the end, whatever
# the test expected of the exit status: each process writes its report
# to obj-vg/log/PID.log, and one that is not empty fails the target.
# VG_TESTS picks the TAP scripts and VG_UNITS the unit tests (all of
# them by default; VG_UNITS= for none).
VALGRIND = valgrind --tool=memcheck --leak-check=full \
	--show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 -q \
	--suppressions=$(CURDIR)/tests/valgrind.supp \
	--log-file=$(CURDIR)/obj-vg/log/%p.log
VG_TESTS ?= tests/*.t
VG_UNITS ?= $(UNITS:$(O)/%=obj-vg/%)

# The suite built with --coverage -O0 in obj-cov/ and bin-cov/, the counts
# of an earlier run removed first; then gcov's line coverage per file of
# lib/ and cmd/, and the total of lib/, which must reach COVERAGE_MIN.
COVERAGE_MIN = 85

coverage:
	@mkdir -p obj-cov
	find obj-cov -name '*.gcda' -exec rm -f {} +
	$(MAKE) O=obj-cov B=bin-cov CFLAGS="-g -O0 --coverage" \
		LDFLAGS=--coverage check
	tests/tools/coverage.sh obj-cov $(COVERAGE_MIN)

check-valgrind:
	$(MAKE) O=obj-vg B=obj-vg/bin all units
	rm -rf bin-vg obj-vg/log
	mkdir -p bin-vg obj-vg/log
	for t in $(notdir $(TOOLS)); do \
		printf '#!/bin/sh\nexec %s %s "$$@"\n' "$(VALGRIND)" \
			"$(CURDIR)/obj-vg/bin/$$t" >bin-vg/$$t && \
		chmod +x bin-vg/$$t || exit 2; \
	done
	@test -z "$(VG_UNITS)" || prove $(PROVEFLAGS) --exec "$(VALGRIND)" \
		$(VG_UNITS)
	PATH="$(CURDIR)/bin-vg:$$PATH" CONSENT_BIN="$(CURDIR)/bin-vg" \
		CONSENT_TOP="$(CURDIR)" CONSENT_TEST_TOOLS="$(CURDIR)/obj-vg/tools" \
		prove $(PROVEFLAGS) $(VG_TESTS)
	@bad=$$(find obj-vg/log -name '*.log' -size +0); \
	if [ -n "$$bad" ]; then \
		for f in $$bad; do echo "== $$f"; cat "$$f"; done; \
		echo "check-valgrind: memcheck reported in $$(echo $$bad | wc -w) processes"; \
		exit 1; \
	fi; echo "check-valgrind: $$(ls obj-vg/log | wc -l) processes, no leak, no error"

# Everything compiled for the fuzzer's coverage and under the sanitizers,
# the targets linked with libFuzzer's main.
fuzz:
	$(MAKE) O=$(O)-fuzz B=$(B)-fuzz CC=$(FUZZ_CC) \
		CFLAGS="$(SAN_FLAGS) -fsanitize=fuzzer-no-link" \
		LDFLAGS="-fsanitize=fuzzer,address,undefined" fuzz-run

# Each target on a copy of its seeds (new inputs go to the copy, never into
# the tree); a crash, a leak or an input that takes over 10 s fails, and
# leaves the input in $(O)/fuzz/NAME-crash-*.  The targets' own stderr
# (the service's access log) is closed; libFuzzer's and the sanitizers'
# reports go to $(O)/fuzz/NAME.log, and a failed target's is printed again
# after the last one, so that the end of a CI log says what failed.
fuzz-run: $(FUZZERS)
	@failed=; for n in $(FUZZ_NAMES); do \
		rm -rf $(O)/fuzz/$$n.corpus; \
		mkdir -p $(O)/fuzz/$$n.corpus; \
		cp tests/fuzz/corpus/$$n/* $(O)/fuzz/$$n.corpus/; \
		echo "fuzz: $$n, $(FUZZ_SECONDS) s"; \
		$(O)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 -timeout=10 -close_fd_mask=2 \
			-artifact_prefix=$(O)/fuzz/$$n- \
			$(O)/fuzz/$$n.corpus 2>$(O)/fuzz/$$n.log || { \
			echo "fuzz: $$n failed"; failed="$$failed $$n"; }; \
		grep -E '^(stat::number_of_executed_units|Done )' $(O)/fuzz/$$n.log; \
	done; \
	for n in $$failed; do \
		echo "== fuzz: $$n, the end of its report ($(O)/fuzz/$$n.log)"; \
		grep -vE '^#[0-9]+' $(O)/fuzz/$$n.log | tail -40; \
	done; \
	test -z "$$failed" || { echo "fuzz: failed:$$failed"; exit 1; }

demo:
	scripts/install-deps
	$(MAKE) all
	scripts/demo

lint-man:
	mandoc -Tlint -Wwarning man/*.[1-8]

# Static analysis of every C file, tools, library and tests: cppcheck with
# the options here and tests/lint/, then clang-tidy with .clang-tidy; any
# finding fails.  cppcheck is not handed the system headers (the
# pkg-config include paths): it stops at a syntax error of its own in
# curl.h, and it is meant to learn libraries from its configurations
# instead (--library), to which tests/lint/consent.cfg adds ours.
# clang-tidy compiles each file as the build does.
LINT_SRC = $(LIB_SRC) $(TOOL_SRC) $(LANDING_SRC) $(UNIT_SRC) $(TTOOL_SRC)
CPPCHECK_FLAGS = -q --std=c11 --error-exitcode=1 \
	--enable=warning,portability,performance --inline-suppr \
	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Ilib -Icmd/consent-landing \
	--library=posix,gnu,sqlite3,libcurl,cairo,tests/lint/consent.cfg \
	--suppressions-list=tests/lint/cppcheck.supp
TIDY_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
	-Ilib -Icmd/consent-landing $(shell $(PKG_CONFIG) --cflags $(PKGS))

lint:
	cppcheck $(CPPCHECK_FLAGS) $(LINT_SRC)
	clang-tidy -quiet $(LINT_SRC) -- $(TIDY_CFLAGS)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man8
	cp -f $(TOOLS) $(DESTDIR)$(BINDIR)/
	$(if $(MAN1),cp -f $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN5),cp -f $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN7),cp -f $(MAN7) $(DESTDIR)$(MANDIR)/man7/)
	$(if $(MAN8),cp -f $(MAN8) $(DESTDIR)$(MANDIR)/man8/)

clean:
	rm -rf obj obj-san obj-fuzz bin bin-san obj-vg bin-vg obj-cov bin-cov \
		demo-out

.PHONY: all units check check-sanitize check-valgrind coverage fuzz fuzz-run \
	demo lint-man lint install clean

-include $(LIB_OBJ:.o=.d) $(TOOL_SRC:cmd/%.c=$(O)/cmd/%.d) $(LANDING_OBJ:.o=.d) \
	$(UNITS:=.d) $(FUZZERS:=.d)
.SECONDARY:
