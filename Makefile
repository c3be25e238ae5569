# pledged: `make run` serves the reference campaign, `make test` runs every
# test; both install what is missing first (scripts/deps).

CC ?= cc
BUILD ?= build
PKGS = libpq libsodium jansson libmicrohttpd libcurl
# CFLAGS given by the user win in every mode (SAN=1, TSAN=1, FUZZ=1 add
# their -fsanitize flags beside them); without, each mode has its default.
ifeq ($(origin CFLAGS),undefined)
  CFLAGS = $(if $(filter 1,$(SAN) $(TSAN) $(FUZZ)),-O1 -g -fno-omit-frame-pointer,-O2 -g)
endif

WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion \
       -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -fno-common \
       -Werror
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong
ifeq ($(FUZZ),1)
  HARDEN =
  SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined
endif
ifeq ($(SAN),1)
  HARDEN =
  SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all
endif
ifeq ($(TSAN),1)
  HARDEN =
  SANFLAGS = -fsanitize=thread
endif

# Check's flags reach only the test objects: `make run` needs no Check.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

ALL_CFLAGS = $(WARN) $(HARDEN) $(SANFLAGS) -D_DEFAULT_SOURCE \
             -D_POSIX_C_SOURCE=200809L -I. -I$(BUILD) $(PKG_CFLAGS) \
             -pthread -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) -pthread $(LDFLAGS)

# The floors (README "Architecture"): app, provider, store and core are
# static libraries linked in that order, below api/ and cli/, so a call
# from a lower floor up to a higher one is a link error.
SQL = $(sort $(wildcard sql/*.sql))
# The widget is built from parts (scripts/bundle) into one script, embedded
# with its gzip form; every other file of web/ is embedded as it is.
WIDGET_PARTS = web/i18n.js web/money.js web/pay.js web/receipt.js web/widget.js
WEB = $(filter-out $(WIDGET_PARTS),$(sort $(wildcard web/*))) \
      $(BUILD)/gen/widget.js $(BUILD)/gen/widget.js.gz
CORE_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard core/*.c))
STORE_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard store/*.c))
PROVIDER_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard provider/*.c))
APP_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard app/*.c)) \
          $(BUILD)/gen/sql_files.o
API_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard api/*.c)) \
          $(BUILD)/gen/web_files.o
CLI_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard cli/*.c))
TEST_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/*.c))
LIBS = $(BUILD)/libapp.a $(BUILD)/libprovider.a $(BUILD)/libstore.a \
       $(BUILD)/libcore.a

FUZZERS = pledge_body canon csv route verify framing stripe

.PHONY: all run stop test asan tsan layers bench fuzz fuzzers soak mutate \
        clean deps deps-run fresh screenshots ha ha-stop

all: $(BUILD)/pledged $(BUILD)/check_pledged

# What serving needs (`make run`) and what the tests add (everything else).
deps-run:
	@scripts/deps run
deps:
	@scripts/deps test

# `make V=1` shows the full commands.
Q = $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(BUILD)/gen/sql_files.c: $(SQL) scripts/embed
	@mkdir -p $(dir $@)
	$(Q)scripts/embed embedded_sql $(SQL) > $@

$(BUILD)/gen/widget.js: $(WIDGET_PARTS) scripts/bundle
	@mkdir -p $(dir $@)
	$(Q)scripts/bundle $(WIDGET_PARTS) > $@

# -n: no name or time in the header, so the bytes (and the ETag) depend on
# the script alone.
$(BUILD)/gen/widget.js.gz: $(BUILD)/gen/widget.js
	$(Q)gzip -9 -n -c $< > $@

$(BUILD)/gen/web_files.c: $(WEB) scripts/embed
	@mkdir -p $(dir $@)
	$(Q)scripts/embed embedded_web $(WEB) > $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libcore.a: $(CORE_OBJ)
$(BUILD)/libstore.a: $(STORE_OBJ)
$(BUILD)/libprovider.a: $(PROVIDER_OBJ)
$(BUILD)/libapp.a: $(APP_OBJ)
$(BUILD)/lib%.a:
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/pledged: $(CLI_OBJ) $(API_OBJ) $(LIBS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(API_OBJ) $(LIBS) $(PKG_LIBS)

$(BUILD)/check_pledged: $(TEST_OBJ) $(LIBS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_OBJ) $(LIBS) $(CHECK_LIBS) \
	    $(PKG_LIBS)

run: deps-run
	@$(MAKE) --no-print-directory $(BUILD)/pledged
	@BUILD=$(BUILD) scripts/run

# Stops the private Postgres that `make run` started (Ctrl-C stops only the
# server); its data stays in var/pg for the next `make run`.
stop:
	@scripts/pg stop pg

# A local high-availability Postgres under var/ha (scripts/ha): a
# pg_auto_failover monitor, a primary and a synchronous standby on loopback
# ports; `scripts/ha url` prints the multi-host DATABASE_URL for it.
ha: deps
	@scripts/ha start ha
	@echo "DATABASE_URL='$$(scripts/ha url ha)'"
ha-stop:
	@scripts/ha stop ha

# A bare Debian 12 (debootstrap minbase) under var/fresh, the checkout cloned
# inside under /root, then `make test` and `make run` there. Not part of CI:
# it downloads a whole system.
fresh:
	@scripts/fresh

test: deps
	@$(MAKE) --no-print-directory all
	@scripts/layers
	@BUILD=$(BUILD) scripts/test
	@$(MAKE) --no-print-directory fuzzers
	@scripts/fuzz 20

# libFuzzer harnesses (clang, ASan, UBSan): `make fuzz` runs each for
# FUZZ_SECS (300) seconds; `make test` for 20.
fuzzers:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang FUZZ=1 \
	    $(FUZZERS:%=build-fuzz/fuzz_%)

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(API_OBJ) $(LIBS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -fsanitize=fuzzer,address,undefined -pthread -o $@ $^ $(PKG_LIBS)

fuzz: deps fuzzers
	@scripts/fuzz $${FUZZ_SECS:-300}

$(BUILD)/bench_receipt: $(BUILD)/bench/receipt.o $(BUILD)/libcore.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Benchmarks print ratios against a baseline measured in the same run.
bench:
	@scripts/deps test wrk nginx-light
	@$(MAKE) --no-print-directory all $(BUILD)/bench_receipt
	@scripts/widget-size $(BUILD)/gen/widget.js
	@$(BUILD)/bench_receipt
	@BUILD=$(BUILD) bench/export.sh
	@BUILD=$(BUILD) bench/http.sh
	@BUILD=$(BUILD) bench/ha.sh

# The README's screenshots (docs/screenshots/), taken by the browser test
# tests/browser/shots.test.js against a throw-away server; commit them.
screenshots: deps
	@$(MAKE) --no-print-directory all
	@PLEDGED_SCREENSHOTS=$(CURDIR)/docs/screenshots PLEDGED_TESTS=browser:shots \
	    BUILD=$(BUILD) scripts/test

# The suite with the crash tests run SOAK_ROUNDS (25) times each way, and
# the failover test's five kinds of rounds (tests/http/test_failover.py:
# lost hosts failing over and back, kill -9 of the postmaster, pg_ctl stop
# -m immediate, a lagging standby) FAILOVER_ROUNDS (5) times in all.
soak: deps
	@$(MAKE) --no-print-directory all
	@PLEDGED_CRASH_ROUNDS=$${SOAK_ROUNDS:-25} PLEDGED_FAILOVER_SOAK=1 \
	    PLEDGED_FAILOVER_ROUNDS=$${FAILOVER_ROUNDS:-5} BUILD=$(BUILD) scripts/test

# The whole suite again, built with AddressSanitizer and UBSan.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 all
	@BUILD=build-asan scripts/test

# The group-commit and concurrency tests built with ThreadSanitizer
# (suppressions for the libraries we do not build: tests/tsan.supp).
tsan: deps
	@$(MAKE) --no-print-directory BUILD=build-tsan TSAN=1 all
	@BUILD=build-tsan scripts/tsan

# The floors' rules (scripts/layers); `make test` runs it first.
layers:
	@scripts/layers

# Plants each mutant of tests/mutants/ in a copy of the tree and runs the
# tests that should notice; fails if any survives (tests/mutants/README.md).
# Not part of .ci/run: it is slow. MUTATE_FULL=1 runs the whole suite each.
mutate: deps
	@scripts/mutate

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
.SECONDARY:
