# pledged: `make run` serves the reference campaign, `make test` runs every
# test; both install what is missing first (scripts/deps).

CC ?= cc
CFLAGS ?= -O2 -g
BUILD ?= build
PKGS = libpq libsodium jansson libmicrohttpd

WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion \
       -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -fno-common \
       -Werror
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong
ifeq ($(FUZZ),1)
  CFLAGS = -O1 -g -fno-omit-frame-pointer
  HARDEN =
  SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined
endif
ifeq ($(SAN),1)
  CFLAGS = -O1 -g -fno-omit-frame-pointer
  HARDEN =
  SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) check 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

ALL_CFLAGS = $(WARN) $(HARDEN) $(SANFLAGS) -D_DEFAULT_SOURCE \
             -D_POSIX_C_SOURCE=200809L -I. -I$(BUILD) $(PKG_CFLAGS) \
             -pthread -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) -pthread $(LDFLAGS)

CORE_SRC = $(wildcard core/*.c)
API_SRC = $(filter-out api/main.c,$(wildcard api/*.c))
TEST_SRC = $(wildcard tests/*.c)
SQL = $(sort $(wildcard sql/*.sql))
WEB = $(sort $(wildcard web/*))

CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/sql_files.o
API_OBJ = $(API_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/web_files.o
TEST_OBJ = $(TEST_SRC:%.c=$(BUILD)/%.o)

FUZZERS = pledge_body canon csv route verify framing

.PHONY: all run test asan bench fuzz fuzzers soak clean deps

all: $(BUILD)/pledged $(BUILD)/check_pledged

deps:
	@scripts/deps

# `make V=1` shows the full commands.
Q = $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/sql_files.c: $(SQL) scripts/embed
	@mkdir -p $(dir $@)
	$(Q)scripts/embed embedded_sql $(SQL) > $@

$(BUILD)/gen/web_files.c: $(WEB) scripts/embed
	@mkdir -p $(dir $@)
	$(Q)scripts/embed embedded_web $(WEB) > $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/pledged: $(CORE_OBJ) $(API_OBJ) $(BUILD)/api/main.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/check_pledged: $(CORE_OBJ) $(TEST_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(PKG_LIBS)

run: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) scripts/run

test: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) scripts/test
	@$(MAKE) --no-print-directory fuzzers
	@scripts/fuzz 20

# libFuzzer harnesses (clang, ASan, UBSan): `make fuzz` runs each for
# FUZZ_SECS (300) seconds; `make test` for 20.
fuzzers:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang FUZZ=1 \
	    $(FUZZERS:%=build-fuzz/fuzz_%)

$(BUILD)/fuzz_%: $(CORE_OBJ) $(API_OBJ) $(BUILD)/tests/fuzz/fuzz_%.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -fsanitize=fuzzer,address,undefined -pthread -o $@ $^ $(PKG_LIBS)

fuzz: deps fuzzers
	@scripts/fuzz $${FUZZ_SECS:-300}

$(BUILD)/bench_receipt: $(CORE_OBJ) $(BUILD)/bench/receipt.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Benchmarks print ratios against a baseline measured in the same run.
bench: deps
	@scripts/deps wrk nginx-light
	@$(MAKE) --no-print-directory all $(BUILD)/bench_receipt
	@$(BUILD)/bench_receipt
	@BUILD=$(BUILD) bench/export.sh
	@BUILD=$(BUILD) bench/http.sh

# The suite with the crash tests run SOAK_ROUNDS (25) times each way.
soak: deps
	@$(MAKE) --no-print-directory all
	@PLEDGED_CRASH_ROUNDS=$${SOAK_ROUNDS:-25} BUILD=$(BUILD) scripts/test

# The whole suite again, built with AddressSanitizer and UBSan.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 all
	@BUILD=build-asan scripts/test

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
.SECONDARY:
