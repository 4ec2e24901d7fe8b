# syntax=docker/dockerfile:1
# SPDX-License-Identifier: GPL-2.0-only
#
# sfc-cni images: one build stage running `make`, then one small runtime
# image per program, each with only the shared libraries it links.
#
#   target         image (tests/k8s/images.sh)        contents
#   node           localhost/sfc-cni/node             sfc-cni, sfc-agent, sfcctl, install-cni.sh (DaemonSet)
#   sf-firewall    localhost/sfc-cni/sf-firewall      one SF each (Deployments with sfc.io/function)
#   sf-nat, sf-ratelimit, sf-monitor, sf-ids, sf-counter: the same
#
#   podman build --pull=never --network host --target node -t localhost/sfc-cni/node:0.1.0 .
#   (docker build --target node ... works the same where debian:12 can be pulled)
#
# tests/k8s/images.sh builds them all without a registry: it makes the
# debian:12 and debian:12-slim base images with debootstrap from the
# machine's Debian archive (see tests/k8s/README.md).
#
# The BPF objects are CO-RE, compiled against the build host's kernel BTF
# (/sys/kernel/btf/vmlinux, visible in the build container) and embedded in
# the binaries as skeletons: they load on any kernel with BTF and tcx (6.6+).
#
# Users: the node image runs as root (it loads BPF programs and writes host
# paths; the DaemonSet grants the capabilities). The SF images run as root
# only until their packet socket is open: CAP_NET_RAW is checked at
# socket(2) only, so an SF starts as uid 0 with NET_RAW, SETUID and SETGID
# (the Deployments drop every other capability), then drops to 65534:65534,
# clears every capability, sets no_new_privs and loads its seccomp filter
# (service-containers/README.md, "Sandbox"). A non-root start cannot work:
# Kubernetes gives a non-root container no effective capabilities, and
# file capabilities are ignored under no_new_privs.

FROM debian:12 AS build
LABEL io.sfc-cni.image=build
# What `make` needs to build the programs (a subset of the Makefile's
# DEB_PKGS, which also lists the test tiers' packages: Criterion, Go, iperf3...).
ARG BUILD_PKGS="make gcc libc6-dev binutils clang llvm libbpf-dev bpftool libelf-dev \
    zlib1g-dev pkg-config libnl-3-dev libnl-route-3-dev libcjson-dev libseccomp-dev \
    libcap-dev libhyperscan-dev libcurl4-openssl-dev libyaml-dev"
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $BUILD_PKGS \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
WORKDIR /src
COPY . .
# DEB_PKGS=$BUILD_PKGS: `make`'s deps check finds these installed and
# installs nothing more. Stripped: the debug info is most of each binary.
RUN make -j"$(nproc)" --no-print-directory DEB_PKGS="$BUILD_PKGS" BUILD=build \
        build/bin/sfc-cni build/bin/sfc-agent build/bin/sfcctl \
        build/bin/sf-firewall build/bin/sf-nat build/bin/sf-ratelimit \
        build/bin/sf-monitor build/bin/sf-ids build/bin/sf-counter \
    && mkdir -p /out/bin \
    && cp build/bin/sfc-cni build/bin/sfc-agent build/bin/sfcctl build/bin/sf-firewall \
        build/bin/sf-nat build/bin/sf-ratelimit build/bin/sf-monitor build/bin/sf-ids \
        build/bin/sf-counter /out/bin/ \
    && strip --strip-unneeded /out/bin/*

# The libraries every program links (Makefile LDLIBS: libbpf, libelf, zlib,
# libnl-route, cJSON, libseccomp, libcap).
FROM debian:12-slim AS runtime
LABEL io.sfc-cni.image=runtime
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libbpf1 libelf1 libnl-3-200 libnl-route-3-200 libcjson1 libseccomp2 libcap2 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/log/*

# Each image ends with an ldd check: the build fails if a binary misses a
# shared library.
FROM runtime AS node
# libcurl4 + libyaml-0-2: sfc-agent's Kubernetes client (dataplane/k8s);
# curl: install-cni.sh reads the Node's spec.podCIDR (podCIDR: fromNode).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libcurl4 libyaml-0-2 curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/log/*
COPY --from=build /out/bin/sfc-cni /out/bin/sfc-agent /out/bin/sfcctl /usr/local/bin/
COPY manifests/install-cni.sh /usr/local/bin/install-cni.sh
RUN ! ldd /usr/local/bin/sfc-cni /usr/local/bin/sfc-agent /usr/local/bin/sfcctl | grep 'not found'
ENTRYPOINT ["/usr/local/bin/sfc-agent"]

FROM runtime AS sf-firewall
COPY --from=build /out/bin/sf-firewall /usr/local/bin/
RUN ! ldd /usr/local/bin/sf-firewall | grep 'not found'
ENTRYPOINT ["/usr/local/bin/sf-firewall"]

FROM runtime AS sf-nat
COPY --from=build /out/bin/sf-nat /usr/local/bin/
RUN ! ldd /usr/local/bin/sf-nat | grep 'not found'
ENTRYPOINT ["/usr/local/bin/sf-nat"]

FROM runtime AS sf-ratelimit
COPY --from=build /out/bin/sf-ratelimit /usr/local/bin/
RUN ! ldd /usr/local/bin/sf-ratelimit | grep 'not found'
ENTRYPOINT ["/usr/local/bin/sf-ratelimit"]

FROM runtime AS sf-monitor
COPY --from=build /out/bin/sf-monitor /usr/local/bin/
RUN ! ldd /usr/local/bin/sf-monitor | grep 'not found'
ENTRYPOINT ["/usr/local/bin/sf-monitor"]

FROM runtime AS sf-counter
COPY --from=build /out/bin/sf-counter /usr/local/bin/
RUN ! ldd /usr/local/bin/sf-counter | grep 'not found'
ENTRYPOINT ["/usr/local/bin/sf-counter"]

# sf-ids: Hyperscan (x86-64 with SSSE3).
FROM runtime AS sf-ids
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libhyperscan5 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/log/*
COPY --from=build /out/bin/sf-ids /usr/local/bin/
RUN ! ldd /usr/local/bin/sf-ids | grep 'not found'
ENTRYPOINT ["/usr/local/bin/sf-ids"]
