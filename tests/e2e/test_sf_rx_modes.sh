#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end: every SF receive setting carries real traffic whole. Chain
# "rx" = [rxa, rxb] (two sf-counter pods, wired by the real sfc-cni) from
# pod client to pod server, symmetric. For each setting (recvmmsg sleeping
# in recvmmsg, recvmmsg with the adaptive spin, the TPACKET_V3 ring with
# the spin, recvmmsg with both SFs pinned to one CPU by --cpu, checked in
# /proc): pings are answered and cross both SFs both ways; iperf3 TCP
# both directions (GSO super-frames up to 64 KiB) completes, and each SF
# saw super-frames (its flow counts more segments than frames), sent back
# every frame it received with no send error, and counted at least the
# bytes the server received; the SF's exit line shows the spin ran where
# it was on (and never where it was off).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo_sf.sh"

command -v iperf3 >/dev/null || skip_all "iperf3 missing"

CLIENT_IP=$(tsf_pod client '{"sfc.io/chain": "rx"}') &&
	SERVER_IP=$(tsf_pod server) &&
	tsf_pod a '{"sfc.io/function": "rxa"}' >/dev/null &&
	tsf_pod b '{"sfc.io/function": "rxb"}' >/dev/null ||
	{ not_ok "pods added"; summary; exit 1; }
tsf_agent
assert_ok "iperf3 server started" tsf_iperf_server server
assert_ok "chain rx applied" tsf_chain rx fail-closed '["rxa", "rxb"]'

stat() { tsf_sf_stat "$1" "$2"; }

# iperf_bytes FILE: bytes the server received, 0 if the run failed.
iperf_bytes() {
	python3 -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bytes"]))' \
		"$1" 2>/dev/null || echo 0
}

# check SETTING RX SPIN_US [CPU]: with CPU, the SFs run with --cpu CPU.
check() {
	local name=$1 rx=$2 spin=$3 cpu=${4:-} s f b0 b1 got line hits
	for s in a b; do
		SF_RX_MODE=$rx tsf_sf "$s" sf-counter --spin-us "$spin" ${cpu:+--cpu "$cpu"} ||
			{ not_ok "$name: sf-counter in $s started"; return; }
		[ -z "$cpu" ] || assert_eq "$cpu" \
			"$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/${SF_PID[$s]}/status")" \
			"$name: $s runs only on CPU $cpu"
	done
	sf_wait_state a up 5 && sf_wait_state b up 5 || not_ok "$name: both SFs up"
	assert_ok "$name: 10 pings through both SFs answered" ns_ping client "$SERVER_IP" 10
	for s in a b; do
		assert_ok "$name: iperf3 to the server" wait_port_idle server 5201
		ns_exec client iperf3 -c "$SERVER_IP" -t 2 -J $([ $s = b ] && echo -R) >"$TMP_DIR/$name-$s.json" 2>&1
		b0=$(iperf_bytes "$TMP_DIR/$name-$s.json")
		[ "$b0" -gt 10000000 ] && ok "$name: iperf3 $([ $s = b ] && echo "server -> client" || echo "client -> server") carried $b0 bytes" ||
			not_ok "$name: iperf3 $([ $s = b ] && echo "-R ")carried $b0 bytes (> 10 MB)"
		got=$((${got:-0} + b0))
	done
	sf_stats_wait a b || not_ok "$name: stats rewritten"
	for s in a b; do
		f=$(stat "$s" '["flows"]["total_packets"]') b1=$(stat "$s" '["counters"]["rx_packets"]')
		[ "$f" -gt "$b1" ] && ok "$name: $s got GSO super-frames ($b1 frames, $f segments)" ||
			not_ok "$name: $s got GSO super-frames ($b1 frames, $f segments)"
		assert_eq "$((b1 - $(stat "$s" '["counters"]["malformed"]')))" "$(stat "$s" '["counters"]["tx_packets"]')" \
			"$name: $s sent back every NSH frame it received"
		assert_eq 0 "$(stat "$s" '["counters"]["tx_errors"]')" "$name: $s had no send error"
		b1=$(stat "$s" '["flows"]["total_bytes"]')
		[ "$b1" -ge "$got" ] && ok "$name: $s counted $b1 bytes >= the $got the server and client received" ||
			not_ok "$name: $s counted $b1 bytes >= the $got the server and client received"
	done
	for s in a b; do
		kill "${SF_PID[$s]}"
		while kill -0 "${SF_PID[$s]}" 2>/dev/null; do sleep 0.05; done
		line=$(grep "exiting" "$TMP_DIR/$s.log" | tail -1)
		hits=$(sed -n 's/.* spin_hits \([0-9]*\) .*/\1/p' <<<"$line")
		if [ "$spin" -gt 0 ]; then
			[ "${hits:-0}" -gt 0 ] && ok "$name: $s's spin found frames ($hits)" ||
				not_ok "$name: $s's spin found frames: $line"
		else
			assert_eq 0 "${hits:--1}" "$name: $s never spun"
		fi
	done
	got=0
}

check mmsg mmsg 0
check mmsg-spin mmsg 200
check ring-spin ring 200
# Both SFs on the last CPU (--cpu): frames from SF to SF without IPIs.
check mmsg-cpu mmsg 0 $(($(nproc) - 1))
summary
