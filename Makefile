# tacit — build, test, bench.
#
#   make            libtacit (static + shared), the tacit command, tools
#   make test       unit, integration and fuzz-corpus tests; SAN=1 for ASan+UBSan
#   make test-fast  the unit tests that load no model, and the fuzz corpora (seconds)
#   make test-tsan  the threaded tests under ThreadSanitizer (builds into build-tsan/)
#   make bench      benchmarks -> bench/results/*.jsonl and *.md; BENCH="NAME ..." for some
#   make demo       the main job on a sample meeting
#   make fuzz       libFuzzer builds of every fuzz target (clang)
#   make install    into $(DESTDIR)$(PREFIX) (default /usr/local), all or nothing;
#                   BINDIR LIBDIR LIBEXECDIR INCLUDEDIR DATADIR MANDIR; make uninstall
#   make deb        Debian packages into build/deb/, checked by lintian (tools/debpkg)
#   make test-deb   those packages installed, run and purged in a fresh Debian root
#
# When the host lacks libllama/libwhisper (Debian 12), every goal is re-run inside the
# dev root (tools/devroot), built on first use. DEVELOPER=1 turns warnings into errors.

PKGS := llama whisper ggml sqlite3 libcurl yyjson libcrypto libavformat libavcodec libswresample libavutil libmicrohttpd

ifneq ($(TACIT_IN_DEVROOT),1)
HAVE_LIBS := $(shell pkg-config --exists 'llama >= 0.7' 'whisper >= 1.9.5' $(PKGS) 2>/dev/null && echo yes)
endif

# goals that run on the host and enter the dev root themselves (see the end of this file)
HOST_GOALS := deb test-deb

ifeq ($(TACIT_IN_DEVROOT)$(HAVE_LIBS),)
# ---- delegate to the dev root --------------------------------------------------------
GOALS := $(filter-out $(HOST_GOALS),$(if $(MAKECMDGOALS),$(MAKECMDGOALS),all))
ifneq ($(GOALS),)
.PHONY: $(GOALS) _devroot
$(firstword $(GOALS)): _devroot
	@:
$(filter-out $(firstword $(GOALS)),$(GOALS)): _devroot
	@:
_devroot:
	@echo "make: libllama/libwhisper not found on this host; building in the dev root (tools/devroot)" >&2
	tools/devroot run $(MAKE) --no-print-directory $(GOALS)
endif
else
# ---- the real build ------------------------------------------------------------------
CC ?= cc
ifeq ($(CC),cc)
CC := gcc
endif
SAN ?=
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(SAN),thread)
# ThreadSanitizer (gcc's libtsan); `make test-tsan` runs the threaded tests under it
BUILD ?= build-tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
else
BUILD ?= build
SANFLAGS :=
endif

# where `make install` puts things (DESTDIR is prefixed to all of them, for staging)
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
LIBEXECDIR ?= $(PREFIX)/libexec/tacit
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wno-format-nonliteral -Wno-format-truncation
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif
OPT ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))
CFLAGS_ALL := -std=c17 $(OPT) $(WARN) $(SANFLAGS) -fPIC -fvisibility=hidden -D_GNU_SOURCE \
	-Iinclude -Isrc $(PKG_CFLAGS) -MMD -MP $(CPPFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(SANFLAGS) $(LDFLAGS)
LIBS_ALL := $(PKG_LIBS) -lpthread -lm

LIB_SRC := $(sort $(wildcard src/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
TOOL_SRC := $(sort $(wildcard tools/*.c))
EXAMPLE_SRC := $(sort $(wildcard examples/*.c))
WORKER_SRC := $(sort $(wildcard worker/*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
WORKER_OBJ := $(WORKER_SRC:%.c=$(BUILD)/obj/%.o)
# the worker's engines (llama.cpp, whisper.cpp, the load check): in the worker, and in the
# unit tests that call them directly; never in libtacit
# (the diarization engine's onnxruntime side is the worker's alone: the unit tests call
# fbank.c, never onnxruntime)
ENGINE_OBJ := $(filter-out $(BUILD)/obj/worker/main.o $(BUILD)/obj/worker/diar_%.o,$(WORKER_OBJ))
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)

LIBA := $(BUILD)/libtacit.a
# every library object with its internal symbols global: for the worker, the unit tests,
# fuzz targets, benches and tools, which call internal functions
LIBI := $(BUILD)/libtacit-internal.a
# the shared library ships like one: libtacit.so.0.MINOR.PATCH with SONAME libtacit.so.0
# and the two links; the version is the header's, so there is one place to change it
version_part = $(shell sed -n 's/^\#define TACIT_VERSION_$(1) \([0-9]*\).*/\1/p' include/tacit.h)
VERSION_MAJOR := $(call version_part,MAJOR)
VERSION := $(VERSION_MAJOR).$(call version_part,MINOR).$(call version_part,PATCH)
SONAME := libtacit.so.$(VERSION_MAJOR)
LIBSO := $(BUILD)/libtacit.so
LIBSO_MAJOR := $(BUILD)/$(SONAME)
LIBSO_REAL := $(BUILD)/libtacit.so.$(VERSION)
TACIT := $(BUILD)/tacit
WORKER := $(BUILD)/tacit-worker
UNIT := $(BUILD)/unit-tests
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
BENCHES := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
TOOLS := $(TOOL_SRC:tools/%.c=$(BUILD)/tools/%)
EXAMPLES := $(EXAMPLE_SRC:examples/%.c=$(BUILD)/examples/%)

.PHONY: all install uninstall test test-fast test-tsan bench demo fuzz clean format format-check
all: $(LIBA) $(LIBSO) $(LIBSO_MAJOR) $(TACIT) $(WORKER) $(TOOLS) $(EXAMPLES)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# catalog.c embeds data/catalog.json with .incbin, which -MMD cannot see.
$(BUILD)/obj/src/catalog.o: data/catalog.json
# webapp.c embeds the web app's files the same way.
$(BUILD)/obj/src/webapp.o: $(wildcard web/* web/i18n/*)

# libtacit.a holds one object, linked from all of them, in which every symbol but the
# public tacit_* (the only ones not hidden) is local: an application's own buf_init or
# ma_device_init can never collide with ours (tests/integration/symbols.sh checks).
$(BUILD)/libtacit.o: $(LIB_OBJ)
	$(CC) -r -nostdlib -o $@.tmp $^
	objcopy --localize-hidden $@.tmp $@
	@rm -f $@.tmp

$(LIBA): $(BUILD)/libtacit.o
	@rm -f $@
	ar rcs $@ $^

$(LIBI): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIBSO_REAL): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -o $@ $^ $(LDFLAGS_ALL) $(LIBS_ALL)

$(LIBSO_MAJOR) $(LIBSO): $(LIBSO_REAL)
	ln -sfn $(notdir $<) $@

$(TACIT): $(CLI_OBJ) $(LIBA)
	$(CC) -o $@ $(CLI_OBJ) $(LIBA) $(LDFLAGS_ALL) $(LIBS_ALL)

# The worker's installed place is compiled in (src/workerproc.c looks there after
# $TACIT_WORKER and the running program's directory). The stamp changes only when
# LIBEXECDIR does, so `make install PREFIX=/usr` rebuilds that one object and relinks.
$(BUILD)/libexecdir.stamp: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(LIBEXECDIR)' | cmp -s - $@ || printf '%s\n' '$(LIBEXECDIR)' >$@
$(BUILD)/obj/src/workerproc.o: $(BUILD)/libexecdir.stamp
$(BUILD)/obj/src/workerproc.o: CFLAGS_ALL += -DTACIT_LIBEXECDIR='"$(LIBEXECDIR)"'

# the model worker: libtacit runs llama.cpp and whisper.cpp in this separate process
# (src/llm_client.c and src/asr_client.c are the caller's side)
$(WORKER): $(WORKER_OBJ) $(LIBI)
	$(CC) -o $@ $(WORKER_OBJ) $(LIBI) $(LDFLAGS_ALL) $(LIBS_ALL) -lonnxruntime

# unit tests include the engines' headers from worker/
$(UNIT_OBJ): CFLAGS_ALL += -Iworker

$(UNIT): $(UNIT_OBJ) $(ENGINE_OBJ) $(LIBI)
	$(CC) -o $@ $(UNIT_OBJ) $(ENGINE_OBJ) $(LIBI) $(LDFLAGS_ALL) $(LIBS_ALL)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(LIBI)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< tests/fuzz/replay.c $(LIBI) $(LDFLAGS_ALL) $(LIBS_ALL)

$(BUILD)/bench/%: bench/%.c $(LIBI)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LIBI) $(LDFLAGS_ALL) $(LIBS_ALL)

# the grammar's micro-benchmark calls the worker's engine in process, as the unit tests do
$(BUILD)/bench/grammar: CFLAGS_ALL += -Iworker
$(BUILD)/bench/grammar: bench/grammar.c $(ENGINE_OBJ) $(LIBI)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(ENGINE_OBJ) $(LIBI) $(LDFLAGS_ALL) $(LIBS_ALL)

$(BUILD)/tools/%: tools/%.c $(LIBI)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LIBI) $(LDFLAGS_ALL) $(LIBS_ALL)

# examples see only the public header, as a program using the installed library would
$(BUILD)/examples/%: examples/%.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) -std=c17 $(OPT) $(WARN) $(SANFLAGS) -Iinclude -o $@ $< $(LIBA) $(LDFLAGS_ALL) $(LIBS_ALL)

test: all $(UNIT) $(FUZZ_REPLAY)
	BUILD=$(BUILD) SAN=$(SAN) tests/run

# The unit tests that load no model (TEST, not TEST_MODEL) and the fuzz corpora.
test-fast: $(UNIT) $(FUZZ_REPLAY)
	BUILD=$(BUILD) SAN=$(SAN) UNIT_ARGS=--fast INTEGRATION= tests/run

# ThreadSanitizer over the threaded code: the unit tests without a model, those with one
# that run threads around the worker (live meetings, the API's watchdog, pause, cancel,
# stop), and the serve scripts (cli_live.sh and live_privacy.sh take 7 and 2.5 minutes
# under TSan: TSAN_SCRIPTS="cli_live live_privacy" runs them). Every process's reports
# (the worker's too, whose stderr the tests do not show) go to $(BUILD)/tsan/; any fails.
TSAN_UNIT := --fast + api_live_meeting api_live_close_aborts llm_cancel_during \
	live_stop_cancels_suggestion
TSAN_SCRIPTS := serve_security serve_chat_cancel
ifeq ($(SAN),thread)
test-tsan: all $(UNIT)
	@rm -rf $(BUILD)/tsan && mkdir -p $(BUILD)/tsan
	BUILD=$(BUILD) UNIT_ARGS="$(TSAN_UNIT)" INTEGRATION="$(TSAN_SCRIPTS)" FUZZ=0 \
		TSAN_OPTIONS="ignore_noninstrumented_modules=1 suppressions=$(CURDIR)/tests/tsan.supp log_path=$(CURDIR)/$(BUILD)/tsan/report $(TSAN_OPTIONS)" \
		tests/run; rc=$$?; \
	if ls $(BUILD)/tsan/report.* >/dev/null 2>&1; then \
		cat $(BUILD)/tsan/report.*; echo "FAIL: ThreadSanitizer reports above (kept in $(BUILD)/tsan/)"; exit 1; \
	fi; exit $$rc
else
test-tsan:
	$(MAKE) --no-print-directory SAN=thread test-tsan
endif

# BENCH="ask_state llm" runs only those (bench/*.c binaries or bench/*.sh scripts)
bench: all $(BENCHES)
	BUILD=$(BUILD) bench/run $(BENCH)

demo: all
	BUILD=$(BUILD) tools/demo

# libFuzzer builds for long fuzzing sessions (the corpus replays run in `make test`).
fuzz: $(LIB_SRC)
	@mkdir -p $(BUILD)/libfuzzer
	for f in $(FUZZ_SRC); do \
		clang -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Isrc $(PKG_CFLAGS) \
			-o $(BUILD)/libfuzzer/$$(basename $$f .c) $$f $(LIB_SRC) $(LIBS_ALL) || exit 1; \
	done

# ---- install --------------------------------------------------------------------------
# tools/install reads the manifest (mode, directory, file, installed name; tab-separated),
# creates and probes every directory before it copies anything, and renames the files
# into place only when all are copied: a failure leaves nothing half-installed.
MAN_PAGES := man/tacit.1 man/libtacit.3

# ${prefix}-relative where they can be, so pkg-config --define-variable=prefix=... works
pc_rel = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
$(BUILD)/tacit.pc: tacit.pc.in include/tacit.h FORCE
	@mkdir -p $(dir $@)
	@sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(call pc_rel,$(LIBDIR))|g' \
		-e 's|@INCLUDEDIR@|$(call pc_rel,$(INCLUDEDIR))|g' -e 's|@VERSION@|$(VERSION)|g' \
		-e 's|@REQUIRES@|$(PKGS)|g' $< >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@

define MANIFEST
755	$(BINDIR)	$(TACIT)	tacit
755	$(LIBEXECDIR)	$(WORKER)	tacit-worker
755	$(LIBDIR)	$(LIBSO_REAL)	$(notdir $(LIBSO_REAL))
link	$(LIBDIR)	$(notdir $(LIBSO_REAL))	$(SONAME)
link	$(LIBDIR)	$(SONAME)	libtacit.so
644	$(LIBDIR)	$(LIBA)	libtacit.a
644	$(PKGCONFIGDIR)	$(BUILD)/tacit.pc	tacit.pc
644	$(INCLUDEDIR)	include/tacit.h	tacit.h
644	$(MANDIR)/man1	man/tacit.1	tacit.1
644	$(MANDIR)/man3	man/libtacit.3	libtacit.3
endef
export MANIFEST

install: $(TACIT) $(WORKER) $(LIBSO_REAL) $(LIBA) $(BUILD)/tacit.pc $(MAN_PAGES)
	@printf '%s\n' "$$MANIFEST" | tools/install install "$(DESTDIR)" "$(PREFIX)"

uninstall:
	@printf '%s\n' "$$MANIFEST" | tools/install uninstall "$(DESTDIR)" "$(PREFIX)"

.PHONY: FORCE
FORCE:

format:
	clang-format -i include/*.h src/*.[ch] cli/*.[ch] worker/*.[ch] tests/*/*.[ch] bench/*.c tools/*.c

format-check:
	clang-format --dry-run --Werror include/*.h src/*.[ch] cli/*.[ch] worker/*.[ch] tests/*/*.[ch] bench/*.c tools/*.c

clean:
	rm -rf build build-san build-tsan

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(WORKER_OBJ:.o=.d)
endif

# ---- Debian packages -------------------------------------------------------------------
# tools/debpkg builds in the dev root where the host lacks the libraries; the package test
# needs the host's mmdebstrap and bubblewrap (a fresh root, network, a few minutes), so
# it is not part of `make test`.
.PHONY: deb test-deb
deb:
	tools/debpkg

test-deb: deb
	TACIT_TEST_DEB=1 tests/integration/deb_install.sh
