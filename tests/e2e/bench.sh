#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: throughput and latency through the chain firewall -> counter
# against the direct path, measured in the same run to the same server pod.
# "direct" = pod 'other' (no chain) -> server; "chain" = pod 'client' (chain
# fw-count on its egress) -> server, once per SF receive mode (TPACKET_V3
# ring, recvmmsg). Results are printed as ratios against the direct
# baseline; nothing here is asserted.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo.sh"

SECS=${BENCH_SECS:-5}
REPS=${BENCH_REPS:-3}

topo_pods && topo_servers || { echo "bench: setup failed" >&2; exit 1; }
topo_start_agent

# iperf_gbps POD: one TCP run to the server, Gbit/s received.
iperf_gbps() {
	ns_exec "$1" iperf3 -c "$SERVER_IP" -t "$SECS" -J 2>/dev/null | python3 -c '
import json, sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
}

# rtt_p50_us POD: median ping RTT over 200 probes, microseconds.
rtt_p50_us() {
	ns_exec "$1" ping -c 50 -i 0.005 -q "$SERVER_IP" >/dev/null 2>&1 # warm up
	ns_exec "$1" ping -c 200 -i 0.005 "$SERVER_IP" 2>/dev/null | python3 -c '
import re, sys, statistics
r = [float(m.group(1)) for m in re.finditer(r"time=([0-9.]+) ms", sys.stdin.read())]
print("%.0f" % (statistics.median(r) * 1000) if r else "nan")'
}

median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:3]); print('%.2f' % (a / b if b else float('nan')))" "$1" "$2"; }

declare -A tput lat runs
for mode in ring mmsg; do
	SF_RX_MODE=$mode topo_start_sfs || { echo "bench: SFs failed" >&2; exit 1; }
	[ "$mode" = ring ] && { topo_chain fail-closed >/dev/null || exit 1; }
	sleep 0.8 # agent marks the SFs live
	d=() c=()
	for i in $(seq "$REPS"); do
		d+=("$(iperf_gbps other)")
		c+=("$(iperf_gbps client)")
	done
	tput[direct-$mode]=$(echo "${d[*]}" | median)
	tput[$mode]=$(echo "${c[*]}" | median)
	runs[direct-$mode]="${d[*]}"
	runs[$mode]="${c[*]}"
	lat[direct-$mode]=$(rtt_p50_us other)
	lat[$mode]=$(rtt_p50_us client)
	topo_stop_sfs
done

echo
echo "iperf3 TCP client -> server, $SECS s x $REPS runs, median Gbit/s (direct measured next to each):"
for mode in ring mmsg; do
	printf '  SF rx %-5s  direct %6s  chain fw->counter %6s  ratio %s   (direct: %s | chain: %s)\n' \
		"$mode" "${tput[direct-$mode]}" "${tput[$mode]}" "$(ratio "${tput[$mode]}" "${tput[direct-$mode]}")" \
		"${runs[direct-$mode]}" "${runs[$mode]}"
done
echo "ping RTT p50, us:"
for mode in ring mmsg; do
	printf '  SF rx %-5s  direct %6s  chain fw->counter %6s  ratio %s\n' \
		"$mode" "${lat[direct-$mode]}" "${lat[$mode]}" "$(ratio "${lat[$mode]}" "${lat[direct-$mode]}")"
done
