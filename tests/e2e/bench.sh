#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: throughput and latency through the chain firewall -> counter
# against the direct path, measured in the same run on the same pods' server.
# "direct" = pod 'other' (no chain) -> server; "chain" = pod 'client' (chain
# fw-count on its egress) -> server. Results are printed as ratios against
# the direct baseline; nothing here is asserted.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo.sh"

SECS=${BENCH_SECS:-5}
REPS=${BENCH_REPS:-3}

topo_pods && topo_start_sfs && topo_servers || { echo "bench: setup failed" >&2; exit 1; }
topo_start_agent
topo_chain fail-closed >/dev/null || { echo "bench: chain failed" >&2; exit 1; }
sleep 0.5

# iperf_gbps POD: one TCP run to the server, Gbit/s received.
iperf_gbps() {
	ns_exec "$1" iperf3 -c "$SERVER_IP" -t "$SECS" -J 2>/dev/null | python3 -c '
import json, sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
}

# rtt_p50_us POD: median ping RTT over 200 probes, microseconds.
rtt_p50_us() {
	ns_exec "$1" ping -c 200 -i 0.005 -q "$SERVER_IP" >/dev/null 2>&1 # warm up
	ns_exec "$1" ping -c 200 -i 0.005 "$SERVER_IP" 2>/dev/null | python3 -c '
import re, sys, statistics
r = [float(m.group(1)) for m in re.finditer(r"time=([0-9.]+) ms", sys.stdin.read())]
print("%.0f" % (statistics.median(r) * 1000) if r else "nan")'
}

median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

direct=() chain=()
for i in $(seq "$REPS"); do
	direct+=("$(iperf_gbps other)")
	chain+=("$(iperf_gbps client)")
done
d=$(echo "${direct[*]}" | median)
c=$(echo "${chain[*]}" | median)
ld=$(rtt_p50_us other)
lc=$(rtt_p50_us client)

echo
echo "iperf3 TCP, $SECS s x $REPS runs each, median (Gbit/s):"
printf '  %-34s %8s   runs: %s\n' "direct (other -> server)" "$d" "${direct[*]}"
printf '  %-34s %8s   runs: %s\n' "chain firewall->counter (client)" "$c" "${chain[*]}"
python3 -c "import sys; d, c = map(float, sys.argv[1:3]); print('  chain/direct throughput ratio: %.2f' % (c / d if d else float('nan')))" "$d" "$c"
echo "ping RTT p50 (us):"
printf '  %-34s %8s\n' "direct" "$ld" "chain firewall->counter" "$lc"
python3 -c "import sys; d, c = map(float, sys.argv[1:3]); print('  chain/direct latency ratio: %.2f' % (c / d if d else float('nan')))" "$ld" "$lc"
