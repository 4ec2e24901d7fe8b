#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# images.sh - build every sfc-cni image from the Dockerfile with podman, no
# registry needed, and save them to one archive that `ctr images import`
# (or `podman load`) takes.
#
#   tests/k8s/images.sh            # last stdout line: the archive's path
#
# 1. Base: debian:12 and debian:12-slim do not come from a registry here.
#    `debootstrap --variant=minbase bookworm` from the Debian archive the
#    machine's apt sources name gives a root file system; it is cached as
#    two tarballs (full, and slim: docs, man pages and locales removed, with
#    the dpkg excludes of the official slim image) keyed by suite and date,
#    reused for IMG_BASE_MAX_DAYS days. Each is `podman import`ed once and
#    tagged docker.io/library/debian:12 and :12-slim; the import carries a
#    label naming its tarball, so a later run finds it and imports nothing.
# 2. Images: `podman build --pull=never --network host --target T` for each
#    target of the Dockerfile (node, sf-firewall, sf-nat, sf-ratelimit,
#    sf-monitor, sf-ids, sf-counter), tagged localhost/sfc-cni/T:TAG (TAG:
#    the chart's appVersion, so the chart's defaults name these images).
#    The build context is a snapshot of the source taken once per run
#    (IMG_SOURCE=worktree: the working tree as it is, without build dirs
#    and .git; or a git revision such as HEAD: `git archive`), so every
#    image is built from the same source even while the tree is edited.
#    A key (hash of the snapshot, the base, names and targets) next to the
#    built image IDs in IMG_CACHE/build.key skips podman altogether when
#    nothing changed. Otherwise podman's layer cache keeps the build
#    stage's packages: a changed source reruns `make` only.
# 3. Archive: `podman save -m` of all of them (shared layers once) to
#    IMG_CACHE/sfc-images.tar, rewritten only when an image ID changed
#    (IMG_CACHE/sfc-images.key); IMG_CACHE/sfc-images.refs has one
#    SFC_IMAGE_<TARGET>=<ref> line per image.
# Prints the time of each step and the size of each image.
#
# Environment: IMG_CACHE (default /var/cache/sfc-cni/images), IMG_TAG
# (default: appVersion of manifests/helm/sfc-cni/Chart.yaml), IMG_PREFIX
# (default localhost/sfc-cni), IMG_BASE_MAX_DAYS (default 30),
# IMG_BASE_REFRESH=1 (debootstrap a new base now), IMG_TARGETS (default all),
# IMG_SOURCE (default worktree).
# Installs debootstrap and podman when missing. Runs as root; concurrent
# runs wait on a lock.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
IMG_CACHE=${IMG_CACHE:-/var/cache/sfc-cni/images}
IMG_PREFIX=${IMG_PREFIX:-localhost/sfc-cni}
IMG_BASE_MAX_DAYS=${IMG_BASE_MAX_DAYS:-30}
IMG_TARGETS=${IMG_TARGETS:-node sf-firewall sf-nat sf-ratelimit sf-monitor sf-ids sf-counter}
IMG_SOURCE=${IMG_SOURCE:-worktree}
SUITE=bookworm
BASE_LABEL=io.sfc-cni.base
# Set on the Dockerfile's stages: what `podman image prune` may remove.
STAGE_LABEL=io.sfc-cni.image

ms() { date +%s%3N; }
secs() { printf '%d.%01ds' $(($1 / 1000)) $(($1 % 1000 / 100)); }
log() { echo "images: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}
step() { log "$(printf '%-44s %8s' "$1" "$(secs $(($(ms) - $2)))")"; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, podman storage)"
IMG_TAG=${IMG_TAG:-$(awk -F'"' '/^appVersion:/ { print $2 }' "$root/manifests/helm/sfc-cni/Chart.yaml")}
[ -n "$IMG_TAG" ] || die "no appVersion in manifests/helm/sfc-cni/Chart.yaml; set IMG_TAG"

install_tools() {
	local missing=() p
	for p in debootstrap podman; do command -v "$p" >/dev/null || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The Debian archive the machine's apt uses for $SUITE (deb822 sources
# first, then one-line sources.list entries).
mirror_url() {
	local f url
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		url=$(awk -v s="$SUITE" '
			/^[[:space:]]*$/ { if (deb && suite && uri) { print uri; exit } deb = suite = 0; uri = ""; next }
			/^#/ { next }
			/^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) suite = 1 }
			/^URIs:/ { uri = $2 }
			END { if (deb && suite && uri) print uri }' "$f" | head -n 1)
		[ -n "$url" ] && echo "$url" && return 0
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		url=$(awk -v s="$SUITE" '$1 == "deb" && $3 == s { print $2; exit }' "$f")
		[ -n "$url" ] && echo "$url" && return 0
	done
	return 1
}

# The newest base tarball of $SUITE younger than IMG_BASE_MAX_DAYS.
fresh_base() {
	[ -z "${IMG_BASE_REFRESH:-}" ] || return 1
	find "$IMG_CACHE/base" -maxdepth 1 -name "$SUITE-minbase-*-$(declare -f make_base slim_rootfs |
		sha256sum | cut -c1-8).tar" -mtime "-$IMG_BASE_MAX_DAYS" 2>/dev/null | sort | tail -n 1 | grep .
}

# Slim, as the official image: no docs (copyright files kept), man pages,
# info, lintian data or locales, and dpkg told not to install them later.
slim_rootfs() {
	local d=$1
	mkdir -p "$d/etc/dpkg/dpkg.cfg.d"
	cat >"$d/etc/dpkg/dpkg.cfg.d/docker" <<-'EOF'
	path-exclude /usr/share/doc/*
	path-include /usr/share/doc/*/copyright
	path-exclude /usr/share/man/*
	path-exclude /usr/share/groff/*
	path-exclude /usr/share/info/*
	path-exclude /usr/share/lintian/*
	path-exclude /usr/share/linda/*
	path-exclude /usr/share/locale/*
	path-include /usr/share/locale/locale.alias
	EOF
	find "$d/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
	find "$d/usr/share/doc" -mindepth 1 -type d -empty -delete
	rm -rf "$d"/usr/share/{man,groff,info,lintian,linda}/*
	find "$d/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
}

# The base's key: suite, day, and a hash of the recipe (this function and
# slim_rootfs), so a changed recipe makes a new base.
make_base() {
	local url t0 tmp name
	name=$SUITE-minbase-$(date +%Y%m%d)-$(declare -f make_base slim_rootfs | sha256sum | cut -c1-8)
	url=$(mirror_url) || die "no 'deb' source for $SUITE in /etc/apt/sources.list*"
	t0=$(ms)
	mkdir -p "$IMG_CACHE/base"
	tmp=$(mktemp -d "$IMG_CACHE/base/.rootfs-XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf --one-file-system '$tmp'" EXIT
	log "debootstrap --variant=minbase $SUITE from $url"
	debootstrap --variant=minbase "$SUITE" "$tmp" "$url" >"$IMG_CACHE/base/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$IMG_CACHE/base/debootstrap.log" >&2; die "debootstrap failed"; }
	# What a container image carries none of: downloaded .debs, apt lists
	# (every build runs apt-get update), logs, machine identity.
	rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/* "$tmp"/var/log/* \
		"$tmp"/tmp/* "$tmp"/etc/machine-id "$tmp"/etc/hostname
	# apt as in the official images: no recommends, and no package
	# caches (pkgcache.bin and srcpkgcache.bin are 78 MB after an update).
	printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
		>"$tmp/etc/apt/apt.conf.d/90sfc-no-recommends"
	cat >"$tmp/etc/apt/apt.conf.d/docker-clean" <<-'EOF'
	DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
	APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
	Dir::Cache::pkgcache "";
	Dir::Cache::srcpkgcache "";
	EOF
	tar --numeric-owner --xattrs -C "$tmp" -cf "$IMG_CACHE/base/$name.tar.tmp" .
	mv "$IMG_CACHE/base/$name.tar.tmp" "$IMG_CACHE/base/$name.tar"
	slim_rootfs "$tmp"
	tar --numeric-owner --xattrs -C "$tmp" -cf "$IMG_CACHE/base/$name-slim.tar.tmp" .
	mv "$IMG_CACHE/base/$name-slim.tar.tmp" "$IMG_CACHE/base/$name-slim.tar"
	rm -rf --one-file-system "$tmp"
	trap - EXIT
	# Older bases are superseded.
	find "$IMG_CACHE/base" -maxdepth 1 -name "$SUITE-minbase-*.tar" -not -name "$name.tar" \
		-not -name "$name-slim.tar" -delete
	step "debootstrap base $name" "$t0"
	echo "$IMG_CACHE/base/$name.tar"
}

# import TARBALL REF: podman import, unless REF already is that tarball.
import_base() {
	local tarball=$1 ref=$2 t0 id old
	if [ "$(podman image inspect --format "{{ index .Labels \"$BASE_LABEL\" }}" "$ref" 2>/dev/null)" = \
		"$(basename "$tarball")" ]; then
		return 0
	fi
	t0=$(ms)
	old=$(podman image inspect --format '{{.Id}}' "$ref" 2>/dev/null) || old=
	id=$(podman import --change "LABEL $BASE_LABEL=$(basename "$tarball")" \
		--change 'CMD ["/bin/bash"]' "$tarball" 2>/dev/null | tail -n 1)
	podman tag "$id" "$ref"
	# The superseded base, unless images still build on it.
	[ -z "$old" ] || podman rmi "$old" >/dev/null 2>&1 || true
	step "podman import $(basename "$tarball") as $ref" "$t0"
}

# snapshot DIR: the build context (see 2.) in DIR.
snapshot() {
	local d=$1 t0
	t0=$(ms)
	if [ "$IMG_SOURCE" = worktree ]; then
		tar -C "$root" --exclude-vcs --exclude=./build --exclude='./build-*' -cf - . | tar -C "$d" -xf -
	else
		git -C "$root" archive --format=tar "$IMG_SOURCE" | tar -C "$d" -xf -
	fi
	# The context's own directory is part of what COPY . . hashes: a fixed
	# mode and mtime, or no run would find the last one's layers.
	chmod 0755 "$d"
	touch -d @0 "$d"
	step "source snapshot ($IMG_SOURCE)" "$t0"
}

# image_ids: "REF ID" of every target's image (nothing for a missing one).
image_ids() {
	local t
	for t in $IMG_TARGETS; do
		echo "$IMG_PREFIX/$t:$IMG_TAG $(podman image inspect --format '{{.Id}}' \
			"$IMG_PREFIX/$t:$IMG_TAG" 2>/dev/null)"
	done
}

build_images() {
	local t t0 tall ctx key
	tall=$(ms)
	ctx=$(mktemp -d "$IMG_CACHE/.context-XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf --one-file-system '$ctx'" EXIT
	snapshot "$ctx"
	# Source, base and names as last time, and the images still the ones
	# built then: nothing to do (podman's cache check costs ~2 s a target).
	key=$(tar -C "$ctx" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . |
		sha256sum | cut -c1-16)
	key="$key $(podman image inspect --format "{{ index .Labels \"$BASE_LABEL\" }}" \
		docker.io/library/debian:12-slim) $IMG_PREFIX $IMG_TAG $IMG_TARGETS"
	if [ "$(image_ids)" = "$(tail -n +2 "$IMG_CACHE/build.key" 2>/dev/null)" ] &&
		[ "$key" = "$(head -n 1 "$IMG_CACHE/build.key" 2>/dev/null)" ]; then
		rm -rf --one-file-system "$ctx"
		trap - EXIT
		step "images up to date (source $(echo "$key" | cut -c1-16))" "$tall"
		return 0
	fi
	rm -f "$IMG_CACHE/build.key"
	# The build stage first, tagged: it is the layer cache of the next run
	# (make), kept when dangling images of earlier builds are pruned.
	for t in build $IMG_TARGETS; do
		t0=$(ms)
		podman build --pull=never --network host --layers -f "$ctx/Dockerfile" --target "$t" \
			-t "$IMG_PREFIX/$t:$IMG_TAG" "$ctx" >"$IMG_CACHE/build-$t.log" 2>&1 ||
			{ tail -n 30 "$IMG_CACHE/build-$t.log" >&2; die "podman build --target $t failed (log: $IMG_CACHE/build-$t.log)"; }
		step "podman build $t" "$t0"
	done
	rm -rf --one-file-system "$ctx"
	trap - EXIT
	podman image prune -f --filter "label=$STAGE_LABEL" >/dev/null
	{ echo "$key"; image_ids; } >"$IMG_CACHE/build.key"
	step "all images" "$tall"
}

save_images() {
	local t refs=() key t0 out=$IMG_CACHE/sfc-images.tar
	for t in $IMG_TARGETS; do refs+=("$IMG_PREFIX/$t:$IMG_TAG"); done
	key=$(for t in "${refs[@]}"; do echo "$t $(podman image inspect --format '{{.Id}}' "$t")"; done)
	if [ -f "$out" ] && [ "$key" = "$(cat "$IMG_CACHE/sfc-images.key" 2>/dev/null)" ]; then
		log "$(basename "$out") up to date"
	else
		t0=$(ms)
		rm -f "$out.tmp"
		podman save --format docker-archive -m -o "$out.tmp" "${refs[@]}" >"$IMG_CACHE/save.log" 2>&1 ||
			{ tail -n 20 "$IMG_CACHE/save.log" >&2; die "podman save failed"; }
		mv "$out.tmp" "$out"
		echo "$key" >"$IMG_CACHE/sfc-images.key"
		step "podman save -m ($(du -m "$out" | cut -f1) MB)" "$t0"
	fi
	for t in $IMG_TARGETS; do
		echo "SFC_IMAGE_$(echo "${t//-/_}" | tr '[:lower:]' '[:upper:]')=$IMG_PREFIX/$t:$IMG_TAG"
	done >"$IMG_CACHE/sfc-images.refs"
}

sizes() {
	local t
	for t in $IMG_TARGETS; do
		podman image inspect --format "{{.Size}}" "$IMG_PREFIX/$t:$IMG_TAG" |
			awk -v r="$IMG_PREFIX/$t:$IMG_TAG" '{ printf "images: %-40s %6.1f MB\n", r, $1 / 1e6 }' >&2
	done
}

main() {
	local t0 base
	t0=$(ms)
	install_tools
	mkdir -p "$IMG_CACHE"
	exec 9>"$IMG_CACHE/.lock"
	flock 9
	base=$(fresh_base) || base=$(make_base)
	import_base "$base" docker.io/library/debian:12
	import_base "${base%.tar}-slim.tar" docker.io/library/debian:12-slim
	build_images
	save_images
	sizes
	step "total" "$t0"
	echo "$IMG_CACHE/sfc-images.tar"
}

main "$@"
