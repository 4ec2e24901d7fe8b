# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# bench_lib.sh - measurement helpers of `make bench` (bench_paths.sh,
# bench_maps.sh). Source after lib.sh. Nothing here asserts.
#
#   bench_row GROUP METRIC VALUE BASELINE UNIT [TARGET [NOTE]]
#                           append one row to $BENCH_ROWS (tab-separated;
#                           tests/bench/table.py prints them): BASELINE is
#                           "-" when the row has none; TARGET is empty,
#                           "ratio>=X", "ratio<=X", "value>=X" or "value<=X"
#   bench_median            median of the numbers on stdin (one per line or
#                           space-separated), "nan" if none
#   bench_pct P FILE        P-th percentile (nearest rank) of FILE's lines
#   bench_tcp_gbps POD IP SECS
#                           one iperf3 TCP run from netns POD to IP:5201,
#                           Gbit/s received; "nan" if it failed
#   bench_udp_pps POD IP SECS
#                           one iperf3 UDP run, 64-byte payloads, unlimited
#                           rate: datagrams per second the server received
#   bench_rtts POD IP COUNT INTERVAL FILE [CPU]
#                           COUNT pings (after 20 unrecorded ones), one RTT
#                           per line in us appended to FILE; with CPU, ping
#                           runs only on that CPU (taskset)
#   bench_connrate POD IP SECS
#                           $BUILD/bin/connrate against IP:9000: new TCP
#                           connections per second ("nan" if it failed);
#                           the whole line lands in $TMP_DIR/connrate.log
#   bench_rss_kib PID       VmRSS of PID in KiB ("nan" if gone)
#   bench_memlock_kib DIR [TOP]
#                           sum of bytes_memlock of the maps pinned at the
#                           top of DIR (bpftool), KiB; with TOP, then the
#                           TOP largest maps as "name KiB, ..." on a 2nd line
# The servers are the caller's: iperf3 -s on 5201 and `connrate server
# 9000` in pod BENCH_SERVER_OF[IP]; each iperf3 run first waits until the
# server has closed the last run's connections.

bench_row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6:-}" "${7:-}" >>"$BENCH_ROWS"
}

bench_median() {
	tr ' ' '\n' | awk 'NF && $1 != "nan" { print $1 }' | sort -g |
		awk '{ a[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print a[(NR + 1) / 2];
			else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

bench_pct() {
	sort -g "$2" | awk -v p="$1" '{ a[NR] = $1 }
		END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print NR ? a[i] : "nan" }'
}

# BENCH_SERVER_OF[IP] = the pod whose servers (iperf3 -s, connrate server)
# answer at IP; the caller fills it.
declare -gA BENCH_SERVER_OF

bench_tcp_gbps() {
	wait_port_idle "${BENCH_SERVER_OF[$2]}" 5201
	ns_exec "$1" iperf3 -c "$2" -t "$3" -J 2>/dev/null | python3 -c '
import json, sys
try: print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception: print("nan")'
}

bench_udp_pps() {
	wait_port_idle "${BENCH_SERVER_OF[$2]}" 5201
	ns_exec "$1" iperf3 -c "$2" -u -l 64 -b 0 -t "$3" -J 2>/dev/null | python3 -c '
import json, sys
try:
    s = json.load(sys.stdin)["end"]["sum"]
    print("%.0f" % ((s["packets"] - s["lost_packets"]) / s["seconds"]))
except Exception: print("nan")'
}

bench_rtts() {
	local pin=()
	[ -z "${6:-}" ] || pin=(taskset -c "$6")
	ns_exec "$1" "${pin[@]}" ping -n -q -c 20 -i "$4" "$2" >/dev/null 2>&1 # warm up: ARP, flow state
	ns_exec "$1" "${pin[@]}" ping -n -c "$3" -i "$4" "$2" 2>/dev/null |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | awk '{ printf "%.1f\n", $1 * 1000 }' >>"$5"
}

bench_connrate() {
	local line
	wait_port "${BENCH_SERVER_OF[$2]}" 9000
	line=$(ns_exec "$1" "$BUILD/bin/connrate" client "$2" 9000 "$3" 4 2>&1)
	echo "$1 -> $2: $line" >>"$TMP_DIR/connrate.log"
	awk '$1 == "conn_per_s" { print $2; f = 1 } END { if (!f) print "nan" }' <<<"$line"
}

bench_rss_kib() {
	awk '$1 == "VmRSS:" { print $2; f = 1 } END { if (!f) print "nan" }' "/proc/$1/status" 2>/dev/null ||
		echo nan
}

bench_memlock_kib() {
	python3 - "$1" "${2:-0}" <<'PY'
import json, os, subprocess, sys
d, top, sizes = sys.argv[1], int(sys.argv[2]), {}
for name in sorted(os.listdir(d)):
    f = os.path.join(d, name)
    if not os.path.isfile(f):  # progs/, links/, lock/ are directories
        continue
    r = subprocess.run(["bpftool", "-j", "map", "show", "pinned", f],
                       capture_output=True, text=True)
    if r.returncode == 0:
        sizes[name] = json.loads(r.stdout).get("bytes_memlock", 0)
print(sum(sizes.values()) // 1024)
if top:
    big = sorted(sizes.items(), key=lambda kv: -kv[1])[:top]
    print(", ".join(f"{n} {b // 1024}" for n, b in big))
PY
}
