#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench_hop.sh: what one user-space SF traversal adds to a round trip, for
# several SF I/O settings measured side by side in the same run.
#
# Each setting in HOP_MODES is LABEL:ARGS (LABEL: lower-case letters,
# digits, '-'), ARGS being SF options joined by commas (e.g.
# "nospin:--spin-us=0"; empty: the SFs' defaults); a first element @PATH
# runs the sf-counter at PATH instead of $BUILD's (another build, e.g. the
# last commit's: "base:@/tmp/base/build/bin/sf-counter"). Every setting
# gets its own SF pods a-L, b-L, c-L (sf-counter each: per-packet work
# only) and app pods h1-L, h2-L, h3-L whose chains run through the first
# 1, 2 and 3 of them; one server pod and one pod without a chain (d) are
# shared. Chains are symmetric, so a ping through hN crosses 2N SFs. All
# SFs run at once; the rounds ping every path of every setting in turn
# (HOP_ROUNDS rounds of HOP_PINGS echoes at HOP_INTERVAL s per path), so a
# change of load on the machine hits all settings alike. Added per
# traversal = (p50 of hN - p50 of d) / (2 N); the figure printed is the
# median over N = 1, 2, 3. With HOP_TPUT_SECS > 0, iperf3 TCP through h2
# and h3 of each setting and through d is measured (HOP_TPUT_REPS runs, in
# turns, median).
#
# Output: "key value" lines on stdout (comments start with '#'):
#   direct.rtt_p50_us / direct.rtt_p99_us     the pod without a chain
#   <label>.sf<N>.rtt_p50_us / .rtt_p99_us    N = 1, 2, 3 SFs
#   <label>.sf<N>.added_p50_us_per_traversal  (p50 hN - p50 d) / 2N
#   <label>.added_p50_us_per_traversal        median of those over N
#   <label>.added_p99_us_per_traversal        same from the p99s
#   <label>.cpu_ms_per_s                      CPU time of its 3 SFs per
#                                             second of the ping rounds
#   direct.tcp_gbps, <label>.sf<N>.tcp_gbps   with HOP_TPUT_SECS > 0 (N = 2, 3)
# Environment: BUILD; HOP_MODES (default "default: nofollow:--cpu-follow=off
# onecpu:--cpu=LAST,--cpu-follow=off": the SFs' defaults, the same
# without following the flow's CPU, then every SF on the last CPU);
# HOP_ROUNDS (6), HOP_PINGS (100), HOP_INTERVAL (0.002), HOP_TPUT_SECS
# (0: no throughput), HOP_TPUT_REPS (3); HOP_PING_CPU: run every ping
# on that CPU only (taskset), a client the scheduler does not move.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo_sf.sh"

MODES=${HOP_MODES:-default: nofollow:--cpu-follow=off onecpu:--cpu=$(($(nproc) - 1)),--cpu-follow=off}
ROUNDS=${HOP_ROUNDS:-6}
PINGS=${HOP_PINGS:-100}
INTERVAL=${HOP_INTERVAL:-0.002}
TPUT_SECS=${HOP_TPUT_SECS:-0}
TPUT_REPS=${HOP_TPUT_REPS:-3}
LABELS=()

die() { echo "bench_hop: $*" >&2; exit 1; }

# hop_sf POD BIN [ARGS...]: lib.sh's sf_start for an SF binary at any path.
hop_sf() {
	local pod=$1 bin=$2
	shift 2
	ns_exec "$pod" "$bin" --iface eth0 --stats "$TMP_DIR/$pod.stats" \
		--pidfile "$TMP_DIR/$pod.pid" "$@" >/dev/null 2>>"$TMP_DIR/$pod.log" &
	track_pid $!
	wait_file "$TMP_DIR/$pod.pid" || return 1
	SF_PID[$pod]=$(sf_pid "$pod")
	track_pid "${SF_PID[$pod]}"
}

SERVER_IP=$(tsf_pod server) || die "pod server"
tsf_pod d >/dev/null || die "pod d"
tsf_agent
for setting in $MODES; do
	l=${setting%%:*}
	LABELS+=("$l")
	IFS=, read -ra args <<<"${setting#*:}"
	bin=$BUILD/bin/sf-counter
	a0=${args[0]:-} # a setting with no arguments leaves args empty (set -u)
	[ "$a0" = "${a0#@}" ] || { bin=${a0#@}; args=("${args[@]:1}"); }
	for s in a b c; do
		tsf_pod "${s}-$l" "{\"sfc.io/function\": \"hop${s}-$l\"}" >/dev/null || die "pod ${s}-$l"
		hop_sf "${s}-$l" "$bin" "${args[@]}" ||
			die "$bin ${args[*]}: $(cat "$TMP_DIR/${s}-$l.log")"
	done
	funcs=("\"hopa-$l\"" "\"hopa-$l\", \"hopb-$l\"" "\"hopa-$l\", \"hopb-$l\", \"hopc-$l\"")
	for n in 1 2 3; do
		tsf_pod "h$n-$l" "{\"sfc.io/chain\": \"hop$n-$l\"}" >/dev/null || die "pod h$n-$l"
		tsf_chain "hop$n-$l" fail-closed "[${funcs[n - 1]}]" >/dev/null 2>&1 || die "chain hop$n-$l"
	done
done
for l in "${LABELS[@]}"; do
	for s in a b c; do sf_wait_state "${s}-$l" up 5 || die "${s}-$l not up"; done
done
[ "$TPUT_SECS" -gt 0 ] && { tsf_iperf_server server || die "iperf3 server"; }

# sf_cpu_ms LABEL: user + system CPU ms of that setting's SFs so far.
sf_cpu_ms() {
	local s t=0 f
	for s in a b c; do
		read -ra f <"/proc/${SF_PID[${s}-$1]}/stat" || continue
		t=$((t + f[13] + f[14]))
	done
	echo $((t * 1000 / $(getconf CLK_TCK)))
}

# rtts POD COUNT: one RTT per line, microseconds.
rtts() {
	ns_exec "$1" ${HOP_PING_CPU:+taskset -c "$HOP_PING_CPU"} ping -n -c "$2" -i "$INTERVAL" "$SERVER_IP" 2>/dev/null |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | awk '{ printf "%.1f\n", $1 * 1000 }'
}

# pct P FILE: the P-th percentile (nearest rank) of the numbers in FILE.
pct() { sort -n "$2" | awk -v p="$1" '{ a[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print NR ? a[i] : "nan" }'; }

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : "nan" }'; }

tcp_gbps() {
	wait_port_idle server 5201
	ns_exec "$1" iperf3 -c "$SERVER_IP" -t "$TPUT_SECS" -J 2>/dev/null | python3 -c '
import json, sys
try: print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception: print("nan")'
}

echo "# bench_hop: settings '$MODES', $ROUNDS rounds x $PINGS pings at ${INTERVAL}s per path, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
PATHS="d"
for l in "${LABELS[@]}"; do PATHS+=" h1-$l h2-$l h3-$l"; done
for p in $PATHS; do
	: >"$TMP_DIR/rtt-$p"
	ns_exec "$p" ping -c 20 -i "$INTERVAL" -q "$SERVER_IP" >/dev/null 2>&1 # warm up
done
declare -A cpu t
for l in "${LABELS[@]}"; do cpu[$l]=0 t[$l]=0; done
for r in $(seq "$ROUNDS"); do
	for l in "${LABELS[@]}"; do
		c=$(sf_cpu_ms "$l") t0=$(tsf_ms)
		for p in d h1-$l h2-$l h3-$l; do rtts "$p" "$PINGS" >>"$TMP_DIR/rtt-$p"; done
		# CPU per second of this setting's own rounds only
		cpu[$l]=$((cpu[$l] + $(sf_cpu_ms "$l") - c)) t[$l]=$((t[$l] + $(tsf_ms) - t0))
	done
done
for p in $PATHS; do [ -s "$TMP_DIR/rtt-$p" ] || die "no echo answered from $p"; done
echo "direct.rtt_p50_us $(pct 50 "$TMP_DIR/rtt-d")"
echo "direct.rtt_p99_us $(pct 99 "$TMP_DIR/rtt-d")"
for l in "${LABELS[@]}"; do
	echo "$l.cpu_ms_per_s $((cpu[$l] * 1000 / (t[$l] + 1)))"
	for q in 50 99; do
		d=$(pct "$q" "$TMP_DIR/rtt-d")
		: >"$TMP_DIR/added-$l-$q"
		for n in 1 2 3; do
			v=$(pct "$q" "$TMP_DIR/rtt-h$n-$l")
			echo "$l.sf$n.rtt_p${q}_us $v"
			a=$(awk -v a="$v" -v d="$d" -v n="$n" 'BEGIN { printf "%.1f", (a - d) / (2 * n) }')
			[ "$q" = 99 ] || echo "$l.sf$n.added_p50_us_per_traversal $a"
			echo "$a" >>"$TMP_DIR/added-$l-$q"
		done
		echo "$l.added_p${q}_us_per_traversal $(pct 50 "$TMP_DIR/added-$l-$q")"
	done
done
[ "$TPUT_SECS" -gt 0 ] || exit 0
declare -A runs
for r in $(seq "$TPUT_REPS"); do
	runs[direct]+="$(tcp_gbps d) "
	for l in "${LABELS[@]}"; do
		for n in 2 3; do runs[$l.sf$n]+="$(tcp_gbps "h$n-$l") "; done
	done
done
for k in direct $(for l in "${LABELS[@]}"; do echo "$l.sf2 $l.sf3"; done); do
	echo "$k.tcp_gbps $(echo ${runs[$k]} | median)"
	echo "# $k.tcp_gbps runs: ${runs[$k]}"
done
