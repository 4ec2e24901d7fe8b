#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build-images.sh - the container images the tests/k8s node runs, as
# `docker save`-format archives that `ctr images import` loads (no registry,
# no image builder: one reproducible layer each, written with tar):
#   pause    the pod sandbox image containerd's CRI runs (pause.c, static)
#   busybox  Debian's busybox-static with its applets (sh, httpd, wget, ping,
#            nc, ip, ...) for test pods
#   iperf3   the same busybox plus Debian's iperf3 and the libraries it
#            links (ldd), for traffic tests
#
#   tests/k8s/build-images.sh     # prints the images dir on its last line
#
# Output in $K8S_CACHE/images/: pause.tar, busybox.tar, iperf3.tar and refs
# (sourceable: K8S_IMAGE_PAUSE=..., K8S_IMAGE_BUSYBOX=...,
# K8S_IMAGE_IPERF3=...). Keyed on pause.c, this script and the versions of
# the packages copied in: a warm run only compares the key.
# Packages: busybox-static, gcc, libc6-dev, iperf3 (build-k8s.sh installs
# them).
set -euo pipefail

K8S_CACHE=${K8S_CACHE:-/var/cache/sfc-cni/k8s-1.20.2}
here=$(cd "$(dirname "$0")" && pwd)
IMG=$K8S_CACHE/images
PAUSE_REF=localhost/sfc-k8s/pause:1
BUSYBOX_REF=localhost/sfc-k8s/busybox:1
IPERF3_REF=localhost/sfc-k8s/iperf3:1

die() {
	echo "build-images: error: $*" >&2
	exit 1
}

[ -x /bin/busybox ] || die "/bin/busybox missing (Debian package busybox-static)"
[ -x /usr/bin/iperf3 ] || die "/usr/bin/iperf3 missing (Debian package iperf3)"
KEY=$( {
	cat "$here/pause.c" "$0"
	# shellcheck disable=SC2016
	dpkg-query -W -f='${Package} ${Version}\n' busybox-static gcc iperf3 libiperf0 libc6 \
		libssl3 libsctp1
} | sha256sum | cut -c1-16)

mkdir -p "$IMG"
exec 9>"$IMG/.lock"
flock -w 300 9 || die "another build holds $IMG/.lock"
if [ "$(cat "$IMG/.key" 2>/dev/null)" = "$KEY" ] && [ -s "$IMG/pause.tar" ] &&
	[ -s "$IMG/busybox.tar" ] && [ -s "$IMG/iperf3.tar" ]; then
	echo "$IMG"
	exit 0
fi

ARCH=$(dpkg --print-architecture)
work=$(mktemp -d "$IMG/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

reprotar() { tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -c "$@"; }

# docker_archive REF ROOTFS CMD_JSON OUT: a one-layer image archive of ROOTFS
# whose config runs CMD_JSON, tagged REF. Same inputs, same bytes.
docker_archive() {
	local ref=$1 rootfs=$2 cmd=$3 out=$4 d lsha config csha
	d=$(mktemp -d "$work/img.XXXXXX")
	reprotar -C "$rootfs" -f "$d/layer.tar" .
	lsha=$(sha256sum "$d/layer.tar" | cut -d' ' -f1)
	mkdir "$d/$lsha" && mv "$d/layer.tar" "$d/$lsha/layer.tar"
	config=$(printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$ARCH" "$cmd" "$lsha")
	csha=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
	printf '%s' "$config" >"$d/$csha.json"
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
		"$csha" "$ref" "$lsha" >"$d/manifest.json"
	reprotar -C "$d" -f "$out.tmp" manifest.json "$csha.json" "$lsha"
	mv "$out.tmp" "$out"
}

mkdir -p "$work/pause"
gcc -static -O2 -s -Wall -Werror -o "$work/pause/pause" "$here/pause.c" || die "cannot build pause.c"
docker_archive "$PAUSE_REF" "$work/pause" '["/pause"]' "$IMG/pause.tar"

bb=$work/busybox
mkdir -p "$bb/bin" "$bb/etc" "$bb/root" "$bb/tmp" "$bb/proc" "$bb/sys" "$bb/dev"
chmod 1777 "$bb/tmp"
cp /bin/busybox "$bb/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$bb/bin/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$bb/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$bb/etc/group"
docker_archive "$BUSYBOX_REF" "$bb" '["sh"]' "$IMG/busybox.tar"

# iperf3: busybox's tree plus iperf3 and every library ldd resolves for it
# (with the loader), at the paths ldd names.
ip3=$work/iperf3
cp -a "$bb" "$ip3"
mkdir -p "$ip3/usr/bin"
cp /usr/bin/iperf3 "$ip3/usr/bin/iperf3"
for lib in $(ldd /usr/bin/iperf3 | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
	mkdir -p "$ip3$(dirname "$lib")"
	cp -L "$lib" "$ip3$lib"
done
chroot "$ip3" /usr/bin/iperf3 --version >/dev/null || die "iperf3 does not run in its image tree"
docker_archive "$IPERF3_REF" "$ip3" '["sh"]' "$IMG/iperf3.tar"

printf 'K8S_IMAGE_PAUSE=%s\nK8S_IMAGE_BUSYBOX=%s\nK8S_IMAGE_IPERF3=%s\n' "$PAUSE_REF" "$BUSYBOX_REF" \
	"$IPERF3_REF" >"$IMG/refs"
echo "$KEY" >"$IMG/.key"
echo "$IMG"
