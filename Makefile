# dunmail: a plain Makefile.  Sources are found by directory, so adding a
# module file or a unit test needs no edit here.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/dunmail
MANDIR   ?= $(PREFIX)/share/man
LIBDIR   ?= $(PREFIX)/lib

CC       ?= cc
CFLAGS   ?= -O2 -g
WERROR   ?= -Werror
WARNINGS  = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith -Wvla -Wno-unused-parameter $(WERROR)
PKGS      = gmime-3.0 glib-2.0 libetpan sqlite3 libpcre2-8 gnutls libxml-2.0 json-glib-1.0
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)

DM_CFLAGS = -std=c17 -D_GNU_SOURCE -I. $(WARNINGS) $(PKG_CFLAGS) \
            -DDUNMAIL_VERSION='"$(VERSION)"' -DDUNMAIL_DATADIR='"$(DATADIR)"'

LIB_SRCS  = $(sort $(wildcard common/*.c store/*.c filter/*.c imap/*.c draft/*.c policy/*.c))
CLI_SRCS  = $(sort $(wildcard cli/*.c))
TEST_SRCS = $(sort $(wildcard tests/unit/test-*.c))
BENCH_SRCS = $(sort $(wildcard bench/bench-*.c))

B = build
LIB_OBJS  = $(LIB_SRCS:%.c=$(B)/obj/%.o)
CLI_OBJS  = $(CLI_SRCS:%.c=$(B)/obj/%.o)
TESTS     = $(TEST_SRCS:tests/unit/%.c=$(B)/tests/%)
BENCHES   = $(BENCH_SRCS:bench/%.c=$(B)/bench/%)

# The sanitizer build lives in its own tree so both can coexist.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_LIB_OBJS = $(LIB_SRCS:%.c=$(B)/san/%.o)
SAN_CLI_OBJS = $(CLI_SRCS:%.c=$(B)/san/%.o)
SAN_TESTS = $(TEST_SRCS:tests/unit/%.c=$(B)/san-tests/%)

MANPAGES  = $(wildcard doc/*.1 doc/*.5)

# Fuzzing: libFuzzer targets tests/fuzz/fuzz-*.c, built with clang against a
# library compiled with the fuzzer's coverage and ASan + UBSan.
FUZZ_CC    ?= clang
FUZZ_FLAGS  = -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_SRCS   = $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_LIB_OBJS = $(LIB_SRCS:%.c=$(B)/fuzz-obj/%.o)
FUZZERS     = $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_SECONDS ?= 600

.PHONY: FORCE fuzz fuzz-build check-valgrind lint all check check-run unit unit-san e2e demo demo-run deps ensure-deps bench bench-run \
        install clean format

all: $(B)/dunmail

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(DM_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libdunmail.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/dunmail: $(CLI_OBJS) $(B)/libdunmail.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(B)/libdunmail.a $(PKG_LIBS) -lm

# A unit test of a cli/ module links that module's object too (listed below).
$(B)/tests/%: tests/unit/%.c $(B)/libdunmail.a tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(DM_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(filter %.o,$^) \
	    $(B)/libdunmail.a $(PKG_LIBS) $(CMOCKA_LIBS) -lm
$(B)/tests/test-imap-config: $(B)/obj/cli/imap-config.o

$(B)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(DM_CFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

$(B)/libdunmail-san.a: $(SAN_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/dunmail-san: $(SAN_CLI_OBJS) $(B)/libdunmail-san.a
	$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $(SAN_CLI_OBJS) $(B)/libdunmail-san.a $(PKG_LIBS) -lm

$(B)/san-tests/%: tests/unit/%.c $(B)/libdunmail-san.a tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(DM_CFLAGS) $(CMOCKA_CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $@ $< $(filter %.o,$^) \
	    $(B)/libdunmail-san.a $(PKG_LIBS) $(CMOCKA_LIBS) -lm
$(B)/san-tests/test-imap-config: $(B)/san/cli/imap-config.o

$(B)/bench/%: bench/%.c $(B)/libdunmail.a
	@mkdir -p $(dir $@)
	$(CC) $(DM_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libdunmail.a $(PKG_LIBS) -lm

$(B)/fuzz-obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(DM_CFLAGS) -Wno-unused-command-line-argument $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<

$(B)/libdunmail-fuzz.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/fuzz/%: tests/fuzz/%.c $(B)/libdunmail-fuzz.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(DM_CFLAGS) -Wno-unused-command-line-argument -g -O1 \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -o $@ $< $(B)/libdunmail-fuzz.a $(PKG_LIBS) -lm

fuzz-build: $(FUZZERS)

# make fuzz FUZZ_SECONDS=3600: every target for that long (corpora in build/fuzz-corpus).
fuzz: ensure-deps
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# The whole suite under valgrind memcheck (slow).
check-valgrind: ensure-deps
	@$(MAKE) --no-print-directory $(B)/dunmail $(TESTS)
	@sh tests/valgrind/run.sh

# cppcheck and clang-tidy with the checked-in configuration.
lint: ensure-deps
	@sh tests/lint.sh

# `make check` and `make demo` are single commands on a fresh Debian machine:
# they install what is missing first, then re-enter make so that pkg-config
# sees the freshly installed libraries.
ensure-deps:
	@sh .ci/deps --if-missing

deps:
	@sh .ci/deps

check: ensure-deps
	@$(MAKE) --no-print-directory check-run

check-run: $(B)/dunmail $(TESTS) $(B)/dunmail-san $(SAN_TESTS) $(FUZZERS)
	@sh tests/run-all.sh

unit: $(TESTS)
	@sh tests/run-all.sh --unit-only

demo: ensure-deps
	@$(MAKE) --no-print-directory demo-run

demo-run: $(B)/dunmail
	@sh contrib/demo/run.sh

bench: ensure-deps
	@$(MAKE) --no-print-directory bench-run

bench-run: $(B)/dunmail $(BENCHES)
	@sh bench/run.sh

install: $(B)/dunmail
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(B)/dunmail $(DESTDIR)$(BINDIR)/dunmail
	cp -R rules/. $(DESTDIR)$(DATADIR)/
	for m in $(MANPAGES); do \
	    s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -d $(DESTDIR)$(LIBDIR)/dunmail/sieve-bin
	sed 's#^exec dunmail #exec $(BINDIR)/dunmail #' contrib/sieve/dunmail-filter \
	    > $(DESTDIR)$(LIBDIR)/dunmail/sieve-bin/dunmail-filter
	chmod 755 $(DESTDIR)$(LIBDIR)/dunmail/sieve-bin/dunmail-filter

format:
	clang-format -i $(LIB_SRCS) $(CLI_SRCS) $(TEST_SRCS) $(wildcard */*.h tests/unit/*.h)

clean:
	rm -rf $(B)

# The shipped rules directory is compiled into common/config.c: rebuild it
# when DATADIR (PREFIX) changes between "make" and "make install".
$(B)/datadir.stamp: FORCE
	@mkdir -p $(B)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
$(B)/obj/common/config.o $(B)/san/common/config.o: $(B)/datadir.stamp
FORCE:

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(SAN_LIB_OBJS:.o=.d) $(SAN_CLI_OBJS:.o=.d)
