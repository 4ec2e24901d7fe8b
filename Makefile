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
	golang-go golang-github-appc-cni-dev strace util-linux nftables iptables \
	libcurl4-openssl-dev libyaml-dev

# sf-ids: Hyperscan (Debian 5.4, x86-64 with SSSE3).
DEB_PKGS += libhyperscan-dev
# tests/k8s: a one-node Kubernetes 1.20 cluster (built from Debian's
# kubernetes source, etcd, containerd); build-k8s.sh also installs these
# when run alone, and adds its own deb-src entry for the source package.
DEB_PKGS += dpkg-dev rsync patch golang-github-modern-go-reflect2-dev \
	etcd-server containerd runc busybox-static openssl gcc libc6-dev \
	debootstrap podman golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev

# Fixed Debian paths rather than pkg-config: the Makefile is parsed before
# `deps` has installed anything on a fresh machine.
PKG_CFLAGS := -I/usr/include/libnl3
PKG_LIBS   := -lnl-route-3 -lnl-3 -lcjson

OPT     ?= -O2 -g
# Flags every user-space object gets. Include paths are per component
# (INC_<component> below): a component sees its own headers, the shared
# contract (dataplane/include) and utility library (common), and the public
# headers of the libraries it links, so a cross-component include fails to
# build.
SFC_CFLAGS := $(OPT) -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
	-D_GNU_SOURCE $(PKG_CFLAGS) $(SAN)
LDFLAGS += $(SAN)
LDLIBS  := -lbpf -lelf -lz $(PKG_LIBS) -lseccomp -lcap -lpthread -lm

# The BPF target architecture is the build host's (bpf_tracing.h's PT_REGS).
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	-e 's/ppc64le/powerpc/' -e 's/s390x/s390/' -e 's/riscv64/riscv/')
BPF_CFLAGS := -g -O2 -target bpf -D__BPF__ -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
	-I$(BUILD)/include -Idataplane/include -Idataplane/bpf

# Sources, discovered by folder: adding a file needs no Makefile edit.
BPF_SRCS   := $(wildcard dataplane/bpf/*.bpf.c)
BPF_OBJS   := $(patsubst dataplane/bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst dataplane/bpf/%.bpf.c,$(BUILD)/include/%.skel.h,$(BPF_SRCS))
BPF_HDRS   := $(wildcard dataplane/bpf/lib/*.h) dataplane/include/sfc_common.h

# Each program is a library of its logic plus a thin main.c.
UTIL_SRCS  := $(wildcard common/*.c)
DP_SRCS    := $(wildcard dataplane/lib/*.c)
CTL_SRCS   := $(wildcard dataplane/control/*.c)
K8S_SRCS   := $(wildcard dataplane/k8s/*.c)
SFL_SRCS   := $(wildcard service-containers/lib/*.c)
CNI_SRCS   := $(filter-out cni/main.c,$(wildcard cni/*.c))
SFCCTL_SRCS:= $(filter-out dataplane/sfcctl/main.c,$(wildcard dataplane/sfcctl/*.c))
AGENT_SRCS := $(filter-out dataplane/agent/main.c,$(wildcard dataplane/agent/*.c))
SF_DIRS    := $(patsubst service-containers/%/,%,$(dir $(wildcard service-containers/sf-*/main.c)))
SFBENCH_SRCS := $(wildcard service-containers/bench/*.c)
UNIT_SRCS  := $(wildcard tests/unit/*.c)
BPFT_SRCS  := $(wildcard tests/bpf/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# Per-component include paths.
INC_SHARED := -Icommon -Idataplane/include
INC_DP     := -Idataplane/lib -I$(BUILD)/include
INC_CTL    := -Idataplane/control -Idataplane/lib
INC_K8S    := -Idataplane/k8s
INC_CNI    := -Icni -Idataplane/control -Idataplane/lib
INC_SFCCTL := -Idataplane/sfcctl -Idataplane/control -Idataplane/lib
INC_AGENT  := -Idataplane/agent -Idataplane/control -Idataplane/lib -Idataplane/k8s
INC_SFL    := -Iservice-containers/lib
INC_SFS    := $(addprefix -Iservice-containers/,$(SF_DIRS)) $(INC_SFL)
$(BUILD)/obj/common/%.o: INC :=
$(BUILD)/obj/dataplane/lib/%.o: INC := $(INC_DP)
$(BUILD)/obj/dataplane/control/%.o: INC := $(INC_CTL)
$(BUILD)/obj/dataplane/k8s/%.o: INC := $(INC_K8S)
$(BUILD)/obj/cni/%.o: INC := $(INC_CNI)
$(BUILD)/obj/dataplane/sfcctl/%.o: INC := $(INC_SFCCTL)
$(BUILD)/obj/dataplane/agent/%.o: INC := $(INC_AGENT)
$(BUILD)/obj/service-containers/lib/%.o: INC := $(INC_SFL)
$(foreach d,$(SF_DIRS),$(eval $(BUILD)/obj/service-containers/$(d)/%.o: INC := -Iservice-containers/$(d) $(INC_SFL)))
$(BUILD)/obj/service-containers/bench/%.o: INC := $(INC_SFS)
# Tests exercise every component, so they see every component's headers.
$(BUILD)/obj/tests/%.o: INC := -Itests/unit -Itests/bpf $(INC_CNI) $(INC_SFCCTL) $(INC_AGENT) $(INC_K8S) $(INC_SFS)

LIBUTIL  := $(BUILD)/lib/libsfcutil.a
LIBSFCDP := $(BUILD)/lib/libsfcdp.a
LIBCTL   := $(BUILD)/lib/libsfccontrol.a
LIBK8S   := $(BUILD)/lib/libsfck8s.a
LIBSF    := $(BUILD)/lib/libsf.a
LIBCNI   := $(BUILD)/lib/libsfccni.a
LIBSFCCTL:= $(BUILD)/lib/libsfcctl.a
LIBAGENT := $(BUILD)/lib/libsfcagent.a
# One library per SF: its logic, without main.c.
sflib     = $(BUILD)/lib/lib$(1).a
sf_srcs   = $(filter-out service-containers/$(1)/main.c,$(wildcard service-containers/$(1)/*.c))
SF_LIBS  := $(foreach d,$(SF_DIRS),$(if $(call sf_srcs,$(d)),$(call sflib,$(d))))
DP_LIBS  := $(LIBCTL) $(LIBSFCDP) $(LIBUTIL)

CHART_RENDER := $(BUILD)/bin/chart-render
BINS := $(BUILD)/bin/sfc-cni $(BUILD)/bin/sfcctl $(BUILD)/bin/sfc-agent \
	$(addprefix $(BUILD)/bin/,$(SF_DIRS)) $(BUILD)/bin/sf-bench

.PHONY: all deps test test-unit test-bpf test-e2e test-asan test-k8s k8s-bins images \
	manifests demo bench bench-quick clean fuzz cnitool fuzz-build fuzz-short bench-cni
all: $(BINS) $(BPF_OBJS) cnitool

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

# Header dependencies come from -MMD; only the dataplane loader embeds the
# BPF objects, so only its objects wait for the skeletons.
$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(SFC_CFLAGS) $(INC) $(INC_SHARED) $(CFLAGS) -MMD -MP -c $< -o $@
$(call obj,$(DP_SRCS)): $(SKELS)

archive = @mkdir -p $(@D); rm -f $@; ar rcs $@ $^
$(LIBUTIL): $(call obj,$(UTIL_SRCS)) ; $(archive)
$(LIBSFCDP): $(call obj,$(DP_SRCS)) ; $(archive)
$(LIBCTL): $(call obj,$(CTL_SRCS)) ; $(archive)
$(LIBK8S): $(call obj,$(K8S_SRCS)) ; $(archive)
$(LIBSF): $(call obj,$(SFL_SRCS)) ; $(archive)
$(LIBCNI): $(call obj,$(CNI_SRCS)) ; $(archive)
$(LIBSFCCTL): $(call obj,$(SFCCTL_SRCS)) ; $(archive)
$(LIBAGENT): $(call obj,$(AGENT_SRCS)) ; $(archive)
$(foreach d,$(SF_DIRS),$(if $(call sf_srcs,$(d)),$(eval $(call sflib,$(d)): $(call obj,$(call sf_srcs,$(d))) ; $$(archive))))

link = @mkdir -p $(@D); $(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/bin/sfc-cni: $(call obj,cni/main.c) $(LIBCNI) $(DP_LIBS) ; $(link)
$(BUILD)/bin/sfcctl: $(call obj,dataplane/sfcctl/main.c) $(LIBSFCCTL) $(DP_LIBS) ; $(link)
$(BUILD)/bin/sfc-agent: $(call obj,dataplane/agent/main.c) $(LIBAGENT) $(LIBK8S) $(DP_LIBS)
	$(link) -lcurl -lyaml

# Per-SF extra libraries: SF_LDLIBS_<sf dir> (default none).
SF_LDLIBS_sf-ids := -lhs
$(foreach d,$(SF_DIRS),$(eval $(BUILD)/bin/$(d): $(call obj,service-containers/$(d)/main.c) \
	$(if $(call sf_srcs,$(d)),$(call sflib,$(d))) $(LIBSF) $(LIBUTIL) ; \
	$$(link) $$(SF_LDLIBS_$(d))))

# sf-bench: each SF's per-frame path in Mpps on one pinned core, no socket.
# The unit tests cover every SF's logic, sf-ids' engine needs Hyperscan.
$(BUILD)/bin/sf-bench: $(call obj,$(SFBENCH_SRCS)) $(SF_LIBS) $(LIBSF) $(LIBUTIL) ; $(link) -lhs

# make bench's traffic tools (tests/bench/*.c), one file each.
BENCH_TOOLS := $(patsubst tests/bench/%.c,$(BUILD)/bin/%,$(wildcard tests/bench/*.c))
$(BENCH_TOOLS): $(BUILD)/bin/%: tests/bench/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(SFC_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

# Tests: Criterion binaries for units and BPF program tests, scripts for e2e.
$(BUILD)/tests/unit: $(call obj,$(UNIT_SRCS)) $(LIBCNI) $(LIBSFCCTL) $(LIBAGENT) $(LIBK8S) $(SF_LIBS) $(LIBSF) $(DP_LIBS)
	$(link) -lcriterion -lhs -lcurl -lyaml
$(BUILD)/tests/bpf: $(call obj,$(BPFT_SRCS)) $(DP_LIBS)
	$(link) -lcriterion

# ---- the three entry points ----------------------------------------------
test: test-unit test-asan test-bpf fuzz-short test-e2e test-k8s

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

# The Kubernetes node binaries and test images are built once into
# /var/cache/sfc-cni (about 10 minutes cold, seconds warm); `images` builds
# the project's images (node + one per SF) with podman from the Dockerfile.
# See tests/k8s/README.md.
k8s-bins: | $(DEPS_STAMP)
	tests/k8s/build-k8s.sh
	tests/k8s/build-images.sh

images: | $(DEPS_STAMP)
	tests/k8s/images.sh

# The plain manifests are the chart rendered with its defaults.
manifests: $(CHART_RENDER)
	$(CHART_RENDER) --release sfc-cni --namespace kube-system -o manifests/sfc-cni.yaml manifests/helm/sfc-cni
	$(CHART_RENDER) --release sfc-cni --namespace kube-system -f manifests/service-functions.values.yaml \
		--show-only templates/service-functions.yaml -o manifests/service-functions.yaml manifests/helm/sfc-cni

test-k8s: all k8s-bins images $(CHART_RENDER)
	BUILD=$(BUILD) tests/k8s/test_chart.sh
	BUILD=$(BUILD) tests/k8s/test_agent.sh
	BUILD=$(BUILD) tests/k8s/test_node_image.sh
	BUILD=$(BUILD) tests/k8s/test_smoke.sh
	BUILD=$(BUILD) tests/k8s/test_node_e2e.sh

demo: all
	BUILD=$(BUILD) tests/e2e/demo.sh

# One table of every ratio, each against a baseline of the same run (also
# $(BUILD)/bench/table.tsv); bench-quick: the same rows, shorter runs.
bench: all $(BENCH_TOOLS)
	BUILD=$(BUILD) tests/e2e/bench.sh
bench-quick: all $(BENCH_TOOLS)
	BENCH_QUICK=1 BUILD=$(BUILD) tests/e2e/bench.sh

# ADD/DEL latency of sfc-cni against the reference bridge plugin alone.
bench-cni: all
	BUILD=$(BUILD) tests/e2e/bench_cni.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- the libcni test runtime and the fuzz targets -------------------------

# sfc-cnitool: a libcni-based runtime stand-in, built in GOPATH mode from
# Debian's golang-github-appc-cni-dev (no module downloads). Built only
# where go exists (`make deps` installs it); test_runtime.sh skips without it.
GO        ?= go
GOENV     := GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE=$(abspath $(BUILD))/gocache
CNITOOL   := $(BUILD)/bin/sfc-cnitool
HAVE_GO    = $(shell command -v $(GO) 2>/dev/null)

cnitool: | $(DEPS_STAMP)
	@if command -v $(GO) >/dev/null; then $(MAKE) --no-print-directory $(CNITOOL); \
	else echo "go not found: $(CNITOOL) not built"; fi
$(CNITOOL): $(wildcard tests/runtime/*.go)
	@mkdir -p $(@D)
	$(GOENV) $(GO) build -o $@ $(wildcard tests/runtime/*.go)

# chart-render: the Helm subset the chart uses, on text/template + sprig.
$(CHART_RENDER): $(wildcard tests/k8s/render/*.go) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(GOENV) $(GO) build -o $@ ./tests/k8s/render

# libFuzzer targets (clang, ASan + UBSan): tests/fuzz/fuzz_<target>.c plus
# the sources they exercise; seed corpora in tests/fuzz/corpus/<target>/.
# `make test` runs each for FUZZ_TEST_SECS; `make fuzz` for FUZZ_SECS.
FUZZ_SECS      ?= 300
FUZZ_TEST_SECS ?= 20
FUZZ_DIR       := $(BUILD)/fuzz
FUZZ_CFLAGS    := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE $(INC_SHARED) \
	-Idataplane/control -Iservice-containers/lib -Icni $(PKG_CFLAGS)
# The parsers are built into the target (instrumented); what they call in
# the control and utility libraries is linked from the ordinary build.
FUZZ_SRCS_cni_config := cni/cni_config.c cni/cni_result.c cni/cni_runtime.c cni/cni_agent.c \
	$(LIBCTL) $(LIBSFCDP) $(LIBUTIL)
FUZZ_LIBS_cni_config := $(LDLIBS)
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
