# SPDX-License-Identifier: GPL-2.0-only
# sfc-cni build. `make` builds everything into build/; `make test` runs every
# test tier; `make demo` runs the walking-skeleton demo; `make bench` measures.
.DELETE_ON_ERROR:
.SUFFIXES:

BUILD    ?= build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
SAN      ?=

# Debian packages the build, the tests and the demo need. `make deps`
# installs whichever are missing, so a fresh Debian 12 needs nothing else.
DEB_PKGS := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config \
	libnl-3-dev libnl-route-3-dev libcjson-dev libcriterion-dev \
	libseccomp-dev libcap-dev containernetworking-plugins iproute2 \
	iperf3 curl python3 iputils-ping libclang-rt-14-dev procps psmisc \
	golang-go golang-github-appc-cni-dev strace util-linux nftables iptables

# sf-ids: Hyperscan (Debian 5.4, x86-64 with SSSE3).
DEB_PKGS += libhyperscan-dev

# Fixed Debian paths rather than pkg-config: the Makefile is parsed before
# `deps` has installed anything on a fresh machine.
PKG_CFLAGS := -I/usr/include/libnl3
PKG_LIBS   := -lnl-route-3 -lnl-3 -lcjson

OPT     ?= -O2 -g
SFC_CFLAGS := $(OPT) -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
	-D_GNU_SOURCE -I$(BUILD)/include -Idataplane/include -Idataplane/lib \
	-Idataplane/control -Iservice-containers/lib -Icni $(PKG_CFLAGS) $(SAN)
LDFLAGS += $(SAN)
LDLIBS  := -lbpf -lelf -lz $(PKG_LIBS) -lseccomp -lcap -lpthread

BPF_CFLAGS := -g -O2 -target bpf -D__BPF__ -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(BUILD)/include -Idataplane/include -Idataplane/bpf

# Sources, discovered by folder: adding a file needs no Makefile edit.
BPF_SRCS   := $(wildcard dataplane/bpf/*.bpf.c)
BPF_OBJS   := $(patsubst dataplane/bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst dataplane/bpf/%.bpf.c,$(BUILD)/include/%.skel.h,$(BPF_SRCS))
BPF_HDRS   := $(wildcard dataplane/bpf/lib/*.h) dataplane/include/sfc_common.h

DP_SRCS    := $(wildcard dataplane/lib/*.c)
CTL_SRCS   := $(wildcard dataplane/control/*.c)
SFL_SRCS   := $(wildcard service-containers/lib/*.c)
CNI_SRCS   := $(wildcard cni/*.c)
SFCCTL_SRCS:= $(wildcard dataplane/sfcctl/*.c)
AGENT_SRCS := $(wildcard dataplane/agent/*.c)
SF_DIRS    := $(patsubst service-containers/%/,%,$(dir $(wildcard service-containers/sf-*/main.c)))
UNIT_SRCS  := $(wildcard tests/unit/*.c)
BPFT_SRCS  := $(wildcard tests/bpf/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBSFCDP := $(BUILD)/lib/libsfcdp.a
LIBSFCCTL:= $(BUILD)/lib/libsfcctl.a
LIBSF    := $(BUILD)/lib/libsf.a
ALL_LIBS := $(LIBSFCCTL) $(LIBSFCDP) $(LIBSF)

BINS := $(BUILD)/bin/sfc-cni $(BUILD)/bin/sfcctl $(BUILD)/bin/sfc-agent \
	$(addprefix $(BUILD)/bin/,$(SF_DIRS)) $(BUILD)/bin/sf-bench

.PHONY: all deps test test-unit test-bpf test-e2e test-asan demo bench clean fuzz
all: $(BINS) $(BPF_OBJS)

DEPS_STAMP := $(BUILD)/.deps-ok
deps: $(DEPS_STAMP)
$(DEPS_STAMP): Makefile
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@mkdir -p $(@D) && touch $@

$(BUILD)/include/vmlinux.h: | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/bpf/%.bpf.o: dataplane/bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/include/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	$(BPFTOOL) gen object $@ $@.tmp.o
	@rm -f $@.tmp.o

$(BUILD)/include/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# Every user object depends on the skeletons and the contract header.
$(BUILD)/obj/%.o: %.c $(SKELS) dataplane/include/sfc_common.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(SFC_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBSFCDP): $(call obj,$(DP_SRCS))
	@mkdir -p $(@D); rm -f $@; ar rcs $@ $^
$(LIBSFCCTL): $(call obj,$(CTL_SRCS))
	@mkdir -p $(@D); rm -f $@; ar rcs $@ $^
$(LIBSF): $(call obj,$(SFL_SRCS))
	@mkdir -p $(@D); rm -f $@; ar rcs $@ $^

$(BUILD)/bin/sfc-cni: $(call obj,$(CNI_SRCS)) $(ALL_LIBS)
	@mkdir -p $(@D); $(CC) $(LDFLAGS) -o $@ $(call obj,$(CNI_SRCS)) $(ALL_LIBS) $(LDLIBS)
$(BUILD)/bin/sfcctl: $(call obj,$(SFCCTL_SRCS)) $(ALL_LIBS)
	@mkdir -p $(@D); $(CC) $(LDFLAGS) -o $@ $(call obj,$(SFCCTL_SRCS)) $(ALL_LIBS) $(LDLIBS)
$(BUILD)/bin/sfc-agent: $(call obj,$(AGENT_SRCS)) $(ALL_LIBS)
	@mkdir -p $(@D); $(CC) $(LDFLAGS) -o $@ $(call obj,$(AGENT_SRCS)) $(ALL_LIBS) $(LDLIBS)

# Per-SF extra libraries: SF_LDLIBS_<sf dir> (default none).
SF_LDLIBS_sf-ids := -lhs
define SF_RULE
$(BUILD)/bin/$(1): $(call obj,$(wildcard service-containers/$(1)/*.c)) $(LIBSF)
	@mkdir -p $$(@D); $$(CC) $$(LDFLAGS) -o $$@ $$(call obj,$(wildcard service-containers/$(1)/*.c)) $(LIBSF) $$(LDLIBS) $$(SF_LDLIBS_$(1))
endef
$(foreach d,$(SF_DIRS),$(eval $(call SF_RULE,$(d))))

# sf-bench: each SF's per-frame path in Mpps on one pinned core, no socket.
SFBENCH_SRCS := $(wildcard service-containers/bench/*.c)
$(BUILD)/bin/sf-bench: $(call obj,$(SFBENCH_SRCS)) $(LIBSF)
	@mkdir -p $(@D); $(CC) $(LDFLAGS) -o $@ $(call obj,$(SFBENCH_SRCS)) $(LIBSF) $(LDLIBS) $(UNIT_LDLIBS)

# The unit tests cover sf-ids' engine (libsf.a), which needs Hyperscan.
UNIT_LDLIBS := -lhs
# Tests: Criterion binaries for units and BPF program tests, scripts for e2e.
$(BUILD)/tests/unit: $(call obj,$(UNIT_SRCS)) $(ALL_LIBS)
	@mkdir -p $(@D); $(CC) $(LDFLAGS) -o $@ $(call obj,$(UNIT_SRCS)) $(ALL_LIBS) $(LDLIBS) -lcriterion $(UNIT_LDLIBS)
$(BUILD)/tests/bpf: $(call obj,$(BPFT_SRCS)) $(ALL_LIBS)
	@mkdir -p $(@D); $(CC) $(LDFLAGS) -o $@ $(call obj,$(BPFT_SRCS)) $(ALL_LIBS) $(LDLIBS) -lcriterion

test: test-unit test-asan test-bpf test-e2e

test-unit: $(BUILD)/tests/unit
	$(BUILD)/tests/unit --jobs 1

# The same unit tests built with ASan + UBSan in a separate tree.
test-asan: | $(DEPS_STAMP)
	$(MAKE) --no-print-directory BUILD=$(BUILD)/asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" \
		OPT="-O1 -g" $(BUILD)/asan/tests/unit
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(BUILD)/asan/tests/unit --jobs 1

test-bpf: $(BUILD)/tests/bpf $(BPF_OBJS)
	$(BUILD)/tests/bpf --jobs 1

test-e2e: all
	BUILD=$(BUILD) tests/e2e/run.sh

demo: all
	BUILD=$(BUILD) tests/e2e/demo.sh

bench: all
	$(BUILD)/bin/sf-bench
	BUILD=$(BUILD) tests/e2e/bench.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- runtime driver, leak tests, fuzzing, CNI benchmark -----------------
# (tests/runtime, tests/fuzz, tests/e2e/test_{runtime,leaks}.sh, bench_cni.sh)

# sfc-cnitool: a libcni-based runtime stand-in, built in GOPATH mode from
# Debian's golang-github-appc-cni-dev (no module downloads). Built only
# where go exists (`make deps` installs it); test_runtime.sh skips without it.
GO        ?= go
GOENV     := GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE=$(abspath $(BUILD))/gocache
CNITOOL   := $(BUILD)/bin/sfc-cnitool
HAVE_GO    = $(shell command -v $(GO) 2>/dev/null)

.PHONY: cnitool fuzz-build fuzz-short bench-cni
all: cnitool
test-e2e: cnitool
test: fuzz-short
cnitool: | $(DEPS_STAMP)
	@if command -v $(GO) >/dev/null; then $(MAKE) --no-print-directory $(CNITOOL); \
	else echo "go not found: $(CNITOOL) not built"; fi
$(CNITOOL): $(wildcard tests/runtime/*.go)
	@mkdir -p $(@D)
	$(GOENV) $(GO) build -o $@ $(wildcard tests/runtime/*.go)

# libFuzzer targets (clang, ASan + UBSan): tests/fuzz/fuzz_<target>.c plus
# the sources they exercise; seed corpora in tests/fuzz/corpus/<target>/.
# `make test` runs each for FUZZ_TEST_SECS; `make fuzz` for FUZZ_SECS.
FUZZ_SECS      ?= 300
FUZZ_TEST_SECS ?= 20
FUZZ_DIR       := $(BUILD)/fuzz
FUZZ_CFLAGS    := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE -Idataplane/include \
	-Idataplane/control -Iservice-containers/lib -Icni $(PKG_CFLAGS)
FUZZ_SRCS_cni_config := cni/cni_config.c cni/cni_result.c $(wildcard cni/cni_runtime.c)
FUZZ_LIBS_cni_config := -lcjson
FUZZ_SRCS_nsh        := service-containers/lib/nsh.c service-containers/lib/inner.c \
	service-containers/lib/frame.c
FUZZ_LIBS_nsh        :=
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))

.SECONDEXPANSION:
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) dataplane/include/sfc_common.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS_$*) $(FUZZ_LIBS_$*)

fuzz-build: $(FUZZ_BINS)

# run_fuzz SECS: each target over a scratch copy of its seed corpus (the
# committed seeds stay as they are); crashes land in $(FUZZ_DIR)/crashes.
define run_fuzz
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/work/$$t $(FUZZ_DIR)/crashes/$$t; \
		cp -n tests/fuzz/corpus/$$t/* $(FUZZ_DIR)/work/$$t/ 2>/dev/null || true; \
		echo "fuzz $$t: $(1) s"; \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(FUZZ_DIR)/fuzz_$$t \
			-max_total_time=$(1) -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/crashes/$$t/ \
			$(FUZZ_DIR)/work/$$t >$(FUZZ_DIR)/$$t.log 2>&1 && rc=0 || rc=$$?; \
		grep -E '^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ +DONE|==[0-9]+==|SUMMARY)' $(FUZZ_DIR)/$$t.log || true; \
		test $$rc -eq 0 || { tail -n 40 $(FUZZ_DIR)/$$t.log; echo "fuzz $$t: FAILED (rc $$rc, inputs in $(FUZZ_DIR)/crashes/$$t)"; exit 1; }; \
	done
endef

fuzz-short: $(FUZZ_BINS)
	$(call run_fuzz,$(FUZZ_TEST_SECS))
fuzz: $(FUZZ_BINS)
	$(call run_fuzz,$(FUZZ_SECS))

# ADD/DEL latency of sfc-cni against the reference bridge plugin.
bench-cni: all
	BUILD=$(BUILD) tests/e2e/bench_cni.sh
bench: bench-cni
