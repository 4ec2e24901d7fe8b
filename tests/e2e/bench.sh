#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench / make bench-quick (BENCH_QUICK=1): every ratio of issue 10 in
# one run, each against its baseline measured in the same run, printed as
# one table at the end and written to $BUILD/bench/table.tsv
# (tests/bench/table.py):
#   per-SF packets/s        sf-bench: each SF's frame step vs the bare one
#   no chain vs bridge      bench_paths.sh: TCP, 64 B UDP, ping
#   3 SFs vs direct         bench_paths.sh: offload off and on: TCP, ping
#                           p50/p99, p50 added per SF, connections/s
#   memory                  bench_paths.sh: RSS idle / holding 64k flows;
#                           bench_maps.sh: pinned map memlock, empty node
#                           and per 1,000 endpoints
#   CNI ADD/DEL             bench_cni.sh vs the bridge plugin
#   per-traversal hop cost  bench_hop.sh ("key value" lines), when present
# Targets (issue 10) are shown with each row and whether they are met;
# nothing is asserted: the exit status is non-zero only when a part
# could not be set up. Each part runs as its own process with its own
# per-run prefix and cleanup; their logs go to the terminal as they run.
# bench-quick runs the same rows with fewer and shorter repetitions.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export BUILD=${BUILD:-build}
BUILD=$(cd "$BUILD" && pwd) || exit 1
export BENCH_QUICK=${BENCH_QUICK:-0}
OUT=$BUILD/bench
mkdir -p "$OUT" || exit 1
export BENCH_ROWS=$OUT/rows.tsv
: >"$BENCH_ROWS"
rc=0
t0=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$BENCH_QUICK" = 1 ]; then
	frames=300000 cni=(BENCH_PODS=10 BENCH_LOADED=0 BENCH_PHASES=0)
	hop=(HOP_ROUNDS=2 HOP_PINGS=50)
else
	frames=2000000 cni=() hop=()
fi

# part NAME CMD...: run one part; a failed setup makes the run fail, the
# table is printed anyway with what was measured.
part() {
	local name=$1
	shift
	echo "=== $name"
	"$@" || { echo "bench: $name failed" >&2; rc=1; }
}

sfbench() {
	local out
	out=$("$BUILD/bin/sf-bench" "$frames") || return 1
	echo "$out"
	# "  sf-firewall (conntrack)   8.28 Mpps   0.19x baseline   120.7 ns/frame"
	awk -F '  +' -v rows="$BENCH_ROWS" '
		/ Mpps / { name = $2; sub(/^ +/, "", name); split($3, v, " "); mpps[name] = v[1]; order[++n] = name }
		END {
			for (i = 1; i <= n; i++) if (order[i] ~ /^baseline/) base = mpps[order[i]]
			for (i = 1; i <= n; i++) if (order[i] !~ /^baseline/)
				printf "per-SF packets/s (sf-bench, one core, no socket)\t%s vs bare NSH step\t%s\t%s\tMpps\t\t\n",
					order[i], mpps[order[i]], base >> rows
		}' <<<"$out"
}

hoprows() {
	local out
	out=$(env "${hop[@]}" bash "$here/bench_hop.sh") || return 1
	echo "$out"
	awk -v rows="$BENCH_ROWS" '
		$1 ~ /^[^.]+\.added_p(50|99)_us_per_traversal$/ || $1 ~ /^[^.]+\.cpu_ms_per_s$/ {
			split($1, k, "."); unit = k[2] ~ /cpu/ ? "ms/s" : "us"
			printf "hop cost, 3 sf-counter chains (bench_hop.sh, per one-way traversal)\t%s %s\t%s\t-\t%s\t\t\n",
				k[1], k[2], $2, unit >> rows
		}' <<<"$out"
}

echo "bench: quick=$BENCH_QUICK, $(nproc) CPUs, load average at start $load0"
part "sf-bench" sfbench
part "bench_paths.sh" bash "$here/bench_paths.sh"
part "bench_maps.sh" bash "$here/bench_maps.sh"
part "bench_cni.sh" env "${cni[@]}" bash "$here/bench_cni.sh"
if [ -f "$here/bench_hop.sh" ]; then
	part "bench_hop.sh" hoprows
fi

echo
echo "=== make bench$([ "$BENCH_QUICK" = 1 ] && echo -quick): $(date -u +%FT%TZ), $(nproc) CPUs," \
	"$(($(date +%s) - t0)) s, load average at start $load0, at end $(cut -d' ' -f1-3 /proc/loadavg)," \
	"commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
python3 "$root/tests/bench/table.py" "$BENCH_ROWS" "$OUT/table.tsv" || rc=1
exit $rc
