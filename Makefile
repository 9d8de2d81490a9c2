# ngo-vote -- build, test and run.  `make run` and `make test` install what
# is missing (deploy/install-deps.sh), so a fresh Debian 12 needs nothing else.

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PORT     ?= 8080
VAR      ?= var

PKGS      = libmicrohttpd jansson libsodium sqlite3
TEST_PKGS = check
# Lazy (=) so that pkg-config runs after `deps` has installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CORE_LIBS  = $(shell pkg-config --libs jansson libsodium)
CURL_CFLAGS = $(shell pkg-config --cflags libcurl)
CURL_LIBS  = $(shell pkg-config --libs libcurl)
CHECK_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS))
CHECK_LIBS   = $(shell pkg-config --libs $(TEST_PKGS))

WARN = -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wformat=2 -Wstrict-prototypes \
       -Wmissing-prototypes -Wno-format-nonliteral
ifneq ($(CI),)
WARN += -Werror
endif
OPT      ?= -O2 -g
SAN      ?=
CFLAGS_ALL = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(WARN) \
             $(SAN) -MMD -MP -Iserver -I$(BUILD)/gen $(PKG_CFLAGS)
LDFLAGS_ALL = $(SAN) -pthread

# Core: pure protocol, crypto and encodings.  The verifier links only this.
CORE_SRC  = server/encoding.c $(wildcard server/crypto*.c) $(wildcard server/protocol_*.c) \
            $(filter-out server/verify_main.c,$(wildcard server/verify*.c))
# Everything else the daemon needs (store, http, app), without its main().
# The trustees' tool: its main() and its own modules (trustee_*.c).
TRUSTEE_SRC = server/trustee_main.c $(filter-out server/trustee_main.c,$(wildcard server/trustee_*.c))
# What the two command-line clients share (HTTP with libcurl, files):
# linked into ngo-vote-cast and ngo-vote-trustee, never into the daemon.
CLI_SRC = server/cli.c
SERVER_SRC = $(filter-out $(CORE_SRC) $(TRUSTEE_SRC) $(CLI_SRC) server/main.c \
               server/verify_main.c server/cast_main.c,$(wildcard server/*.c))
CORE_TEST_SRC   = tests/check_main.c $(wildcard tests/core/*.c)
SERVER_TEST_SRC = $(wildcard tests/server/*.c)
MIGRATIONS = $(sort $(wildcard migrations/*.sql))

CORE_OBJ   = $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
SERVER_OBJ = $(SERVER_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations_embed.o
CORE_TEST_OBJ   = $(BUILD)/obj/tests/check_main_core.o $(filter-out %/check_main.o,$(CORE_TEST_SRC:%.c=$(BUILD)/obj/%.o))
SERVER_TEST_OBJ = $(BUILD)/obj/tests/check_main_server.o $(SERVER_TEST_SRC:%.c=$(BUILD)/obj/%.o)

DAEMON   = $(BUILD)/ngo-voted
VERIFIER = $(BUILD)/ngo-vote-verify
CASTER   = $(BUILD)/ngo-vote-cast
TRUSTEE  = $(BUILD)/ngo-vote-trustee
TESTS    = $(BUILD)/check_core $(BUILD)/check_server
PROGRAMS = $(DAEMON) $(VERIFIER) $(CASTER) $(TRUSTEE)
FAULTFS  = $(BUILD)/faultfs.so

.PHONY: all deps run test test-only test-e2e check-asan check-valgrind format format-check \
        install clean bench-load bench-secret
.DEFAULT_GOAL := all

all: $(PROGRAMS) $(TESTS) $(FAULTFS)

deps:
	@if ! pkg-config --exists $(PKGS) libcurl $(TEST_PKGS) || ! command -v sqlite3 >/dev/null \
	    || ! command -v clang-format >/dev/null || ! command -v valgrind >/dev/null \
	    || ! command -v curl >/dev/null || ! sh deploy/vendor-noble.sh --check; then \
		sh deploy/install-deps.sh; \
	fi

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -Itests -c $< -o $@

# One runner per layer: check_core links only core (like the verifier).
$(BUILD)/obj/tests/check_main_%.o: tests/check_main.c tests/%/suites.def
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -Itests -DSUITES_DEF='"$*/suites.def"' -c $< -o $@

# Migrations are embedded in the binary at build time (name, bytes).
$(BUILD)/gen/migrations_embed.c: $(MIGRATIONS) deploy/embed-migrations.sh
	@mkdir -p $(dir $@)
	sh deploy/embed-migrations.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/migrations_embed.o: $(BUILD)/gen/migrations_embed.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libcore.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(DAEMON): $(BUILD)/obj/server/main.o $(SERVER_OBJ) $(BUILD)/libcore.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(VERIFIER): $(BUILD)/obj/server/verify_main.o $(BUILD)/libcore.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CORE_LIBS)

# The delegates' command-line client: core, libcurl (HTTPS), nothing else.
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
$(BUILD)/obj/server/cast_main.o $(CLI_OBJ): $(BUILD)/obj/server/%.o: server/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CURL_CFLAGS) -c $< -o $@

$(CASTER): $(BUILD)/obj/server/cast_main.o $(CLI_OBJ) $(BUILD)/libcore.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CORE_LIBS) $(CURL_LIBS)

# The trustees' tool (secret-ballot elections): core, libcurl, nothing else.
$(BUILD)/obj/server/trustee_%.o: server/trustee_%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CURL_CFLAGS) -c $< -o $@

$(TRUSTEE): $(TRUSTEE_SRC:%.c=$(BUILD)/obj/%.o) $(CLI_OBJ) $(BUILD)/libcore.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CORE_LIBS) $(CURL_LIBS)

# The disk-fault tests' LD_PRELOAD shim: plain (never sanitized), so that it
# can be preloaded into any build of the daemon.
$(FAULTFS): tests/faultfs/faultfs.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -g $(WARN) -fPIC -shared -o $@ $< -ldl

$(BUILD)/check_core: $(CORE_TEST_OBJ) $(BUILD)/libcore.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CORE_LIBS) $(CHECK_LIBS)

$(BUILD)/check_server: $(SERVER_TEST_OBJ) $(SERVER_OBJ) $(BUILD)/libcore.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

# Runs every test against the binaries in $(BUILD).
test-only: all
	NGO_VOTE_BUILD=$(BUILD) $(TEST_WRAPPER) $(BUILD)/check_core
	NGO_VOTE_BUILD=$(BUILD) $(TEST_WRAPPER) $(BUILD)/check_server

test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory test-only
	@$(MAKE) --no-print-directory fuzz-short
	@$(MAKE) --no-print-directory test-e2e

# The C half of the cross-implementation test of secret ballots.
SBALLOT_TOOL = $(BUILD)/tests/sballot_tool
$(SBALLOT_TOOL): $(BUILD)/obj/tests/tools/sballot_tool.o $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CORE_LIBS)

# The browser client in headless Chromium against the real daemon
# (deploy/install-e2e.sh installs chromium, fonts and the pinned npm packages).
test-e2e: all $(SBALLOT_TOOL)
	sh deploy/install-e2e.sh
	NGO_VOTE_BUILD=$(BUILD) NGO_VOTE_REQUIRE_C_TOOLS=1 node --test tests/e2e/

run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $(DAEMON)
	@mkdir -p $(VAR)
	@echo "ngo-voted: data in $(VAR)/, static files from static/"
	@echo "  To become the secretariat, in another terminal run:"
	@echo "    $(DAEMON) --db $(VAR)/ngo-vote.sqlite --create-admin you@example.org"
	@echo "  and open the link it prints."
	exec $(DAEMON) --port $(PORT) --db $(VAR)/ngo-vote.sqlite --static static $(if $(DEMO),--demo,)

# AddressSanitizer + UndefinedBehaviorSanitizer over the whole suite.
check-asan:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory test-only BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    TEST_WRAPPER="env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1"

# Valgrind over the suite; the daemons the HTTP tests start run under it too.
check-valgrind:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all BUILD=build/valgrind OPT="-O1 -g"
	NGO_VOTE_BUILD=build/valgrind NGO_VOTE_VALGRIND=1 CK_TIMEOUT_MULTIPLIER=20 \
	  valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	  build/valgrind/check_core
	NGO_VOTE_BUILD=build/valgrind NGO_VOTE_VALGRIND=1 CK_TIMEOUT_MULTIPLIER=20 \
	  valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	  build/valgrind/check_server

# Load benchmark (issue 7): builds and runs bench/load (see docs/performance.md).
bench-load:
	@$(MAKE) --no-print-directory deps
	sh bench/load/run.sh $(BENCH_ARGS)

# Secret-ballot benchmark (issue 8): our verifier and encryption next to
# Belenios 2.0 (bench/secret/README.md, docs/performance.md).  BENCH_ARGS:
# the number of voters (default 10000); SKIP_BELENIOS=1 skips Belenios.
bench-secret:
	@$(MAKE) --no-print-directory deps
	sh bench/secret/run.sh $(BENCH_ARGS)

# libFuzzer harnesses (tests/fuzz/README.md), built with clang and the
# sanitizers into $(BUILD)/fuzz, each linked with the parsers it drives
# compiled again with coverage.  `make fuzz` runs each for FUZZ_SECONDS on
# a working copy of its seed corpus; `make fuzz-short` (part of `make
# test`) runs each for 10 s, then replays tests/fuzz/regressions/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR      = $(BUILD)/fuzz
FUZZ_TARGETS  = ballot manifest record verify hex jspec csv secret
FUZZ_CFLAGS   = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g \
                -fno-omit-frame-pointer $(WARN) -fsanitize=address,undefined \
                -fno-sanitize-recover=all -MMD -MP -Iserver -Itests/fuzz -I$(FUZZ_DIR)/gen \
                $(shell pkg-config --cflags jansson libsodium)
FUZZ_LIB_OBJ  = $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(CORE_SRC) server/jspec.c server/csv.c \
                  server/errors.c)
FUZZ_BINS     = $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz fuzz-short fuzz-build fuzz-bins
.SECONDARY: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/gen/fuzz_spec_data.h: tests/fuzz/embed.sh tests/spec/record-open.jsonl \
                                  tests/spec/receipt-open.json tests/spec/record-secret.jsonl
	@mkdir -p $(dir $@)
	{ sh tests/fuzz/embed.sh record_open tests/spec/record-open.jsonl && \
	  sh tests/fuzz/embed.sh receipt_open tests/spec/receipt-open.json && \
	  sh tests/fuzz/embed.sh record_secret tests/spec/record-secret.jsonl; } > $@.tmp && \
	  mv $@.tmp $@

$(FUZZ_DIR)/obj/tests/fuzz/fuzz_verify.o $(FUZZ_DIR)/obj/tests/fuzz/fuzz_secret.o: \
    $(FUZZ_DIR)/gen/fuzz_spec_data.h

$(FUZZ_DIR)/libfuzzcore.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_DIR)/libfuzzcore.a
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(CORE_LIBS)

fuzz-build:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory fuzz-bins

fuzz-bins: $(FUZZ_BINS)
	@:

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  sh tests/fuzz/run.sh $(FUZZ_DIR) $$t $(FUZZ_SECONDS) $(FUZZ_DIR)/corpus/$$t || exit 1; \
	done

fuzz-short: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  rm -rf $(FUZZ_DIR)/short/$$t; \
	  sh tests/fuzz/run.sh $(FUZZ_DIR) $$t 10 $(FUZZ_DIR)/short/$$t || exit 1; \
	done
	@sh tests/fuzz/replay.sh $(FUZZ_DIR)

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)

FORMAT_FILES = $(wildcard server/*.c server/*.h tests/*.c tests/*.h tests/*/*.c bench/*.c bench/*.h bench/*/*.c)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

install: $(PROGRAMS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ngo-vote
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	cp -R static $(DESTDIR)$(PREFIX)/share/ngo-vote/
	install -d $(DESTDIR)$(PREFIX)/share/doc/ngo-vote
	install -m 0644 README.md LICENSE $(DESTDIR)$(PREFIX)/share/doc/ngo-vote/

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
