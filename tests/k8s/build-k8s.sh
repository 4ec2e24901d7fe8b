#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build-k8s.sh - build the Kubernetes node binaries the tests/k8s cluster runs
# (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl)
# from Debian 12's `kubernetes` source package, into a cache outside the clone.
#
#   tests/k8s/build-k8s.sh        # prints the bin dir on its last line
#
# Idempotent: installs the Debian packages the k8s tests need when missing,
# adds a deb-src entry (its own file under /etc/apt/sources.list.d/) when
# there is none, downloads the source package, replaces the vendored
# reflect2, applies patches/*.patch, runs `make generated_files` and builds
# in GOPATH mode. The result is keyed on the source package version, the
# patch list, the replacement reflect2, the Go version and the targets: a
# warm cache returns in seconds, any change of those rebuilds (reusing the
# Go build cache). Safe to run concurrently (flock on the cache).
#
# Environment:
#   K8S_CACHE  cache dir (default /var/cache/sfc-cni/k8s-1.20.2):
#              dl/<version>/ source package, gopath/src/k8s.io/kubernetes/ the
#              prepared tree, gocache/ the Go build cache, bin/ the binaries
#              (bin/.key holds the key they were built for)
set -euo pipefail

K8S_UPSTREAM=1.20.2
K8S_CACHE=${K8S_CACHE:-/var/cache/sfc-cni/k8s-$K8S_UPSTREAM}
here=$(cd "$(dirname "$0")" && pwd)
K8S_TARGETS="kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl"
# Build and run dependencies of the k8s tier (the Makefile's DEB_PKGS should
# list the same).
K8S_DEB_PKGS="dpkg-dev golang-go rsync patch golang-github-modern-go-reflect2-dev \
etcd-server containerd runc containernetworking-plugins busybox-static iperf3 \
openssl gcc libc6-dev iproute2 util-linux curl"
# The vendored reflect2 1.0.1 crashes the 1.20 apiserver under Go 1.19 on the
# first custom resource (it reads runtime internals that changed); Debian's
# 1.0.2 does not.
REFLECT2_SRC=/usr/share/gocode/src/github.com/modern-go/reflect2
SRC_LIST=/etc/apt/sources.list.d/sfc-cni-deb-src

ms() { date +%s%3N; }
secs() { printf '%d.%01ds' $(($1 / 1000)) $(($1 % 1000 / 100)); }
t_start=$(ms)
t_last=$t_start
log() { echo "build-k8s: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}
# phase NAME: print the seconds since the previous phase ended.
phase() {
	local now
	now=$(ms)
	log "$(printf '%-16s %8s' "$1" "$(secs $((now - t_last)))")"
	t_last=$now
}

[ "$(id -u)" -eq 0 ] || die "needs root (apt-get, /var/cache)"

install_deps() {
	local p missing=""
	for p in $K8S_DEB_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	log "installing:$missing"
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
}

# The deb-src entry: every `Types: deb` stanza of the machine's deb822
# sources (or `deb` line of sources.list) as deb-src, in a file of our own.
ensure_deb_src() {
	if [ ! -f "$SRC_LIST.sources" ] && [ ! -f "$SRC_LIST.list" ]; then
		if [ -f /etc/apt/sources.list.d/debian.sources ]; then
			sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$SRC_LIST.tmp"
			mv "$SRC_LIST.tmp" "$SRC_LIST.sources"
		elif [ -f /etc/apt/sources.list ]; then
			awk '$1 == "deb" { $1 = "deb-src"; print }' /etc/apt/sources.list >"$SRC_LIST.tmp"
			mv "$SRC_LIST.tmp" "$SRC_LIST.list"
		fi
	fi
	apt-cache showsrc kubernetes >/dev/null 2>&1 || apt-get update -qq
	apt-cache showsrc kubernetes >/dev/null 2>&1 ||
		die "no source package 'kubernetes' after adding $SRC_LIST.sources"
}

# The newest source version of `kubernetes` the sources offer.
src_version() {
	apt-cache showsrc kubernetes | awk '/^Version:/ { print $2 }' | sort -V | tail -n 1
}

install_deps
ensure_deb_src
phase "packages"

SRC_VER=$(src_version)
case $SRC_VER in
*"$K8S_UPSTREAM"*) ;;
*) die "source package kubernetes is $SRC_VER, these tests are written for $K8S_UPSTREAM" ;;
esac
REFLECT2_VER=$(dpkg-query -W -f='${Version}' golang-github-modern-go-reflect2-dev)
GO_VER=$(go version | awk '{ print $3 }')
# The prepared tree depends on the source, the replacement reflect2 and the
# patches; the binaries on that, Go, the targets and the build flags below
# (bump BUILD_RECIPE when changing those flags).
BUILD_RECIPE=1
TREE_KEY=$( {
	echo "src=$SRC_VER reflect2=$REFLECT2_VER"
	cat "$here"/patches/*.patch
} | sha256sum | cut -c1-16)
KEY=$(echo "tree=$TREE_KEY go=$GO_VER targets=$K8S_TARGETS recipe=$BUILD_RECIPE" |
	sha256sum | cut -c1-16)

mkdir -p "$K8S_CACHE"
exec 9>"$K8S_CACHE/.lock"
flock -w 3600 9 || die "another build holds $K8S_CACHE/.lock for over an hour"

BIN=$K8S_CACHE/bin
warm() {
	local t
	[ "$(cat "$BIN/.key" 2>/dev/null)" = "$KEY" ] || return 1
	for t in $K8S_TARGETS; do [ -x "$BIN/$t" ] || return 1; done
}
if warm; then
	phase "cache hit"
	log "total $(secs $(($(ms) - t_start))) (warm, key $KEY)"
	echo "$BIN"
	exit 0
fi
log "building Kubernetes $SRC_VER (key $KEY) in $K8S_CACHE"

DL=$K8S_CACHE/dl/$SRC_VER
if [ ! -f "$DL/.complete" ]; then
	rm -rf "$DL" && mkdir -p "$DL"
	(cd "$DL" && apt-get source -qq --download-only "kubernetes=$SRC_VER" >/dev/null 2>&1) ||
		die "apt-get source --download-only kubernetes=$SRC_VER failed"
	touch "$DL/.complete"
fi
phase "download"

GOPATH_DIR=$K8S_CACHE/gopath
TREE=$GOPATH_DIR/src/k8s.io/kubernetes
export GOCACHE=$K8S_CACHE/gocache GOFLAGS="" GO111MODULE=off
if [ "$(cat "$TREE/.sfc-key" 2>/dev/null)" != "$TREE_KEY" ]; then
	rm -rf "$TREE"
	mkdir -p "$(dirname "$TREE")"
	# apt-get verified the files against the signed Sources index; the
	# .dsc's own signature cannot be checked without debian-keyring.
	dpkg-source -x "$DL"/kubernetes_*.dsc "$TREE" >"$K8S_CACHE/dpkg-source.log" 2>&1 ||
		die "dpkg-source -x failed, see $K8S_CACHE/dpkg-source.log"
	rm -rf "$TREE/vendor/github.com/modern-go/reflect2"
	cp -a "$REFLECT2_SRC" "$TREE/vendor/github.com/modern-go/reflect2"
	for p in "$here"/patches/*.patch; do
		patch -d "$TREE" -p1 -s <"$p" || die "patch $(basename "$p") does not apply"
	done
	phase "unpack+patch"
	# The generated OpenAPI definitions the apiserver needs (and deepcopy,
	# defaulters, conversions), with the tree's own GOPATH and Go cache.
	(cd "$TREE" && make generated_files >"$K8S_CACHE/generated_files.log" 2>&1) ||
		die "make generated_files failed, see $K8S_CACHE/generated_files.log"
	echo "$TREE_KEY" >"$TREE/.sfc-key"
	phase "generated_files"
fi

# Version stamped as upstream's hack/lib/version.sh does; the date is the
# Debian changelog's, so the binaries do not depend on when they were built.
build_date=$(date -u -d "@$(dpkg-parsechangelog -l "$TREE/debian/changelog" -STimestamp)" +%Y-%m-%dT%H:%M:%SZ)
ldflags="-s -w"
for pkg in k8s.io/kubernetes/vendor/k8s.io/component-base/version \
	k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
	ldflags="$ldflags -X $pkg.gitVersion=v$K8S_UPSTREAM -X $pkg.gitMajor=${K8S_UPSTREAM%%.*}"
	ldflags="$ldflags -X $pkg.gitMinor=$(echo "$K8S_UPSTREAM" | cut -d. -f2)"
	ldflags="$ldflags -X $pkg.gitTreeState=archive -X $pkg.buildDate=$build_date"
done
pkgs=""
for t in $K8S_TARGETS; do pkgs="$pkgs k8s.io/kubernetes/cmd/$t"; done
rm -rf "$BIN.tmp" && mkdir -p "$BIN.tmp"
# shellcheck disable=SC2086
(cd "$TREE" && GOPATH=$GOPATH_DIR CGO_ENABLED=0 go build -trimpath -tags selinux,notest \
	-ldflags "$ldflags" -o "$BIN.tmp/" $pkgs) || die "go build failed"
"$BIN.tmp/kube-apiserver" --version | grep -q "v$K8S_UPSTREAM" ||
	die "kube-apiserver does not report v$K8S_UPSTREAM"
echo "$KEY" >"$BIN.tmp/.key"
rm -rf "$BIN" && mv "$BIN.tmp" "$BIN"
phase "go build"
log "total $(secs $(($(ms) - t_start))) (built, key $KEY)"
echo "$BIN"
