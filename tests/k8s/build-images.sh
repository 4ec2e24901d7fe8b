#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build-images.sh - the two container images the tests/k8s node runs, as
# `docker save`-format archives that `ctr images import` loads (no registry,
# no image builder: one reproducible layer each, written with tar):
#   pause    the pod sandbox image containerd's CRI runs (pause.c, static)
#   busybox  Debian's busybox-static with its applets (sh, httpd, wget, ping,
#            nc, ip, ...) for test pods
#
#   tests/k8s/build-images.sh     # prints the images dir on its last line
#
# Output in $K8S_CACHE/images/: pause.tar, busybox.tar and refs (sourceable:
# K8S_IMAGE_PAUSE=..., K8S_IMAGE_BUSYBOX=...). Keyed on pause.c, the
# busybox-static and gcc versions: a warm run only compares the key.
# Packages: busybox-static, gcc, libc6-dev (build-k8s.sh installs them).
set -euo pipefail

K8S_CACHE=${K8S_CACHE:-/var/cache/sfc-cni/k8s-1.20.2}
here=$(cd "$(dirname "$0")" && pwd)
IMG=$K8S_CACHE/images
PAUSE_REF=localhost/sfc-k8s/pause:1
BUSYBOX_REF=localhost/sfc-k8s/busybox:1

die() {
	echo "build-images: error: $*" >&2
	exit 1
}

[ -x /bin/busybox ] || die "/bin/busybox missing (Debian package busybox-static)"
KEY=$( {
	cat "$here/pause.c"
	dpkg-query -W -f='${Version}\n' busybox-static gcc
	echo "format=docker-archive-1 $PAUSE_REF $BUSYBOX_REF"
} | sha256sum | cut -c1-16)

mkdir -p "$IMG"
exec 9>"$IMG/.lock"
flock -w 300 9 || die "another build holds $IMG/.lock"
if [ "$(cat "$IMG/.key" 2>/dev/null)" = "$KEY" ] && [ -s "$IMG/pause.tar" ] &&
	[ -s "$IMG/busybox.tar" ]; then
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

printf 'K8S_IMAGE_PAUSE=%s\nK8S_IMAGE_BUSYBOX=%s\n' "$PAUSE_REF" "$BUSYBOX_REF" >"$IMG/refs"
echo "$KEY" >"$IMG/.key"
echo "$IMG"
