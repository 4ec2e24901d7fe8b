#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: throughput and latency through two chains against the direct
# path, measured in the same run to the same server pod:
#   direct      pod 'other' (no chain) -> server
#   fw->cnt     pod 'client', chain fw-count: firewall -> counter
#   fw->nat->mon pod 'client2', chain fw-nat-mon: stateful firewall -> SNAT ->
#               monitor, replies back through the reverse path
# once per SF receive mode (TPACKET_V3 ring, recvmmsg). Results are printed
# as ratios against the direct baseline; nothing here is asserted.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo.sh"

SECS=${BENCH_SECS:-5}
REPS=${BENCH_REPS:-3}

topo_pods && topo_nat_pods && topo_servers || { echo "bench: setup failed" >&2; exit 1; }
topo_start_agent

# iperf_gbps POD: one TCP run to the server, Gbit/s received.
iperf_gbps() {
	wait_port_idle server 5201
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
PATHS="direct:other fw-cnt:client fw-nat-mon:client2"
for mode in ring mmsg; do
	SF_RX_MODE=$mode topo_start_sfs && SF_RX_MODE=$mode topo_start_nat_mon ||
		{ echo "bench: SFs failed" >&2; exit 1; }
	if [ "$mode" = ring ]; then
		topo_chain fail-closed >/dev/null && topo_chain2 >/dev/null || exit 1
	fi
	for s in fw cnt nat mon; do
		sf_wait_state $s up || { echo "bench: sfc-agent did not judge $s live" >&2; exit 1; }
	done
	for p in $PATHS; do runs[$p-$mode]=""; done
	for i in $(seq "$REPS"); do
		for p in $PATHS; do runs[${p%%:*}-$mode]+="$(iperf_gbps "${p#*:}") "; done
	done
	for p in $PATHS; do
		k=${p%%:*}-$mode
		tput[$k]=$(echo ${runs[$k]} | median)
		lat[$k]=$(rtt_p50_us "${p#*:}")
	done
	topo_stop_sfs
	topo_stop_nat_mon
done

echo
echo "iperf3 TCP to the server pod, $SECS s x $REPS runs, median Gbit/s; ratio = path / direct of the same mode:"
for mode in ring mmsg; do
	for p in $PATHS; do
		k=${p%%:*}-$mode
		printf '  SF rx %-5s %-11s %7s  ratio %5s   runs: %s\n' "$mode" "${p%%:*}" "${tput[$k]}" \
			"$(ratio "${tput[$k]}" "${tput[direct-$mode]}")" "${runs[$k]}"
	done
done
echo "ping RTT p50, us; ratio = path / direct of the same mode:"
for mode in ring mmsg; do
	for p in $PATHS; do
		k=${p%%:*}-$mode
		printf '  SF rx %-5s %-11s %7s  ratio %5s\n' "$mode" "${p%%:*}" "${lat[$k]}" \
			"$(ratio "${lat[$k]}" "${lat[direct-$mode]}")"
	done
done
