#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end: an SF group. Chain "grp" = [counter], served by two sf-counter
# instances (pods c1, c2) wired by the real sfc-cni. Flows spread over both
# instances; killing one instance's process during an iperf3 run moves its
# flows to the other within ~1 s and the TCP connections survive (fail-closed
# and fail-open alike); with no live instance left, fail-open skips the hop
# and fail-closed stops the traffic.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo_sf.sh"

command -v iperf3 >/dev/null || skip_all "iperf3 missing"
[ -x "$BUILD/bin/sf-counter" ] || { echo "not ok - $BUILD/bin/sf-counter not built"; exit 1; }

SPI= # egress SPI of chain grp, set below

# run_iperf SECS OUT [ARGS...]: iperf3 client in the background, 0.1 s
# intervals, JSON to OUT; sets IPERF_PID.
run_iperf() {
	local secs=$1 out=$2
	shift 2
	wait_port_idle server 5201 || echo "# iperf3 server still busy" >&2
	ns_exec client timeout $((secs + 8)) iperf3 -c "$SERVER_IP" -t "$secs" \
		-i 0.1 -J "$@" >"$out" 2>&1 &
	IPERF_PID=$!
}

# iperf_report FILE: "<exit ok 0/1> <Mbit/s received> <longest stall ms>"
# (stall = consecutive 0.1 s intervals in which one stream sent no byte; the
# longest over the streams).
iperf_report() {
	python3 - "$1" <<'PY' 2>/dev/null || echo "1 0 -1"
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print("1 0 -1"); sys.exit()
if "error" in r:
    print("1 0 -1"); sys.exit()
best = 0.0
run = {}
for iv in r["intervals"]:
    for st in iv["streams"]:
        k = st["socket"]
        run[k] = run.get(k, 0.0) + st["seconds"] if st["bytes"] == 0 else 0.0
        best = max(best, run[k])
print(0, int(r["end"]["sum_received"]["bits_per_second"] / 1e6), int(best * 1000 + 0.5))
PY
}

inst_pkts() { tsf_inst "$1" toSfPackets; }

# wait_down POD: wait for POD to show down; prints the ms from $T_KILL to
# the agent marking it down (from the agent's log).
wait_down() {
	sf_wait_state "$1" down 3 || { echo -1; return 1; }
	tsf_agent_ms "$1" down "$T_KILL"
}

# failover POLICY: one instance is killed in the middle of a 5 s iperf3 run
# with 4 streams; the other takes its flows.
failover() {
	local policy=$1 a0 b0 a1 b1 victim surv v1 v2 s1 s2 res ok_ rate stall ms
	assert_ok "$policy: chain grp applied" tsf_chain grp "$policy" '["counter"]'
	sf_wait_state c1 up 3 && sf_wait_state c2 up 3 ||
		not_ok "$policy: both instances up before the run"
	a0=$(inst_pkts c1) b0=$(inst_pkts c2)
	run_iperf 5 "$TMP_DIR/fo-$policy.json" -P 4
	sleep 1.5
	a1=$(inst_pkts c1) b1=$(inst_pkts c2)
	# Kill the instance that carries more of this run's traffic.
	if [ $((a1 - a0)) -ge $((b1 - b0)) ]; then victim=c1 surv=c2; else victim=c2 surv=c1; fi
	T_KILL=$(tsf_ms)
	tsf_sf_kill "$victim"
	ms=$(wait_down "$victim")
	if [ "$ms" -ge 0 ] && [ "$ms" -le 1000 ]; then
		ok "$policy: killed $victim marked down after $ms ms (<= 1000)"
	else
		not_ok "$policy: killed $victim marked down within 1 s ($ms ms)"
	fi
	FAILOVER_MS="$FAILOVER_MS $policy:${ms}ms"
	sleep 0.3
	v1=$(inst_pkts "$victim") s1=$(inst_pkts "$surv")
	wait "$IPERF_PID"
	v2=$(inst_pkts "$victim") s2=$(inst_pkts "$surv")
	read -r ok_ rate stall <<<"$(iperf_report "$TMP_DIR/fo-$policy.json")"
	assert_eq 0 "$ok_" "$policy: iperf3 (4 streams) completes across the failover ($rate Mbit/s)"
	[ "$stall" -ge 0 ] && [ "$stall" -le 2000 ] &&
		ok "$policy: longest stall of a stream ${stall} ms (<= 2000: detection + TCP retransmit backoff)" ||
		not_ok "$policy: longest stall of a stream ${stall} ms (<= 2000)"
	STALL_MS="$STALL_MS $policy:${stall}ms"
	assert_eq "$v1" "$v2" "$policy: the dead instance $victim gets no packet after it is down"
	[ "$s2" -gt "$s1" ] && ok "$policy: the survivor $surv carries the flows ($s1 -> $s2)" ||
		not_ok "$policy: the survivor $surv carries the flows ($s1 -> $s2)"
	# Bring the victim back: a new process in the same pod.
	assert_ok "$policy: $victim restarted" tsf_sf "$victim" sf-counter
	sf_wait_state "$victim" up 3 && ok "$policy: restarted $victim is up again" ||
		not_ok "$policy: restarted $victim is up again"
}

CLIENT_IP=$(tsf_pod client '{"sfc.io/chain": "grp"}') &&
	SERVER_IP=$(tsf_pod server) &&
	tsf_pod c1 '{"sfc.io/function": "counter"}' >/dev/null &&
	tsf_pod c2 '{"sfc.io/function": "counter"}' >/dev/null ||
	{ not_ok "CNI ADD of client, server, c1, c2"; summary; exit 1; }
ok "CNI ADD of client, server and two counter instances"
assert_ok "sf-counter started in c1" tsf_sf c1 sf-counter
assert_ok "sf-counter started in c2" tsf_sf c2 sf-counter
tsf_agent
assert_ok "iperf3 server started" tsf_iperf_server server
assert_ok "chain grp applied (fail-closed)" tsf_chain grp fail-closed '["counter"]'
SPI=$(sfcctl get chains -o json | python3 -c '
import json, sys
print([c["spi"] for c in json.load(sys.stdin) if c["name"] == "grp"][0])')

# The group: both instances compiled into the hop, both up.
hop_pods() {
	sfcctl get paths -o json | python3 -c '
import json, sys
spi, si = int(sys.argv[1]), int(sys.argv[2])
print(" ".join(sorted(i["pod"] for h in json.load(sys.stdin) if h["spi"] == spi and h["si"] == si
                      for i in h["instances"])))' "$1" "$2"
}
assert_eq "default/c1 default/c2" "$(hop_pods "$SPI" 255)" "forward hop (SPI $SPI, SI 255): both counter instances"
assert_eq "default/c1 default/c2" "$(hop_pods $((SPI + 1)) 255)" "reverse hop (SPI $((SPI + 1)), SI 255): the same group"
sf_wait_state c1 up 3 && sf_wait_state c2 up 3 && ok "both instances up (OAM echoes)" ||
	not_ok "both instances up (OAM echoes)"

# Spread: flows of 8 parallel streams hash over both instances (retry with
# fresh source ports in the unlikely case all of them landed on one).
for try in 1 2 3; do
	a0=$(inst_pkts c1) b0=$(inst_pkts c2)
	wait_port_idle server 5201
	ns_exec client iperf3 -c "$SERVER_IP" -t 1 -P 8 >/dev/null 2>&1
	a1=$(inst_pkts c1) b1=$(inst_pkts c2)
	[ $((a1 - a0)) -gt 0 ] && [ $((b1 - b0)) -gt 0 ] && break
done
[ $((a1 - a0)) -gt 0 ] && [ $((b1 - b0)) -gt 0 ] &&
	ok "8 streams spread over both instances (c1 +$((a1 - a0)), c2 +$((b1 - b0)) packets)" ||
	not_ok "8 streams spread over both instances (c1 +$((a1 - a0)), c2 +$((b1 - b0)))"
sf_stats_wait c1 c2 || not_ok "both sf-counter processes rewrote their stats files"
[ "$(tsf_sf_stat c1 '["flows"]["total_packets"]')" -gt 0 ] &&
	[ "$(tsf_sf_stat c2 '["flows"]["total_packets"]')" -gt 0 ] &&
	ok "both sf-counter processes counted packets themselves" ||
	not_ok "both sf-counter processes counted packets themselves"

# Flow cache: a flow to iperf3's port, pinned to one of the two instances.
out=$(wait_port_idle server 5201; ns_exec client iperf3 -c "$SERVER_IP" -t 1 >/dev/null 2>&1; sfcctl get flowcache -o json)
echo "$out" | python3 -c '
import json, sys
rows = [f for f in json.load(sys.stdin) if f["dport"] == 5201 and f["spi"] == int(sys.argv[1])]
assert rows and all(h["pod"] in ("default/c1", "default/c2") for f in rows for h in f["hops"])
' "$SPI" 2>/dev/null && ok "sfcctl get flowcache: iperf3 flows with their pinned instance" ||
	not_ok "sfcctl get flowcache: iperf3 flows with their pinned instance"
sfcctl get flowcache >/dev/null && ok "sfcctl get flowcache (table)" || not_ok "sfcctl get flowcache (table)"
sfcctl get instances >/dev/null && ok "sfcctl get instances (table)" || not_ok "sfcctl get instances (table)"

FAILOVER_MS= STALL_MS=
failover fail-closed
failover fail-open

# No live instance left. fail-open: the hop is skipped, traffic goes on.
tsf_sf_kill c2
sf_wait_state c2 down 3 || not_ok "c2 marked down"
sk0=$(tsf_hop "$SPI" 255 skippedPackets)
run_iperf 4 "$TMP_DIR/none-open.json"
sleep 1.5
T_KILL=$(tsf_ms)
tsf_sf_kill c1
ms=$(wait_down c1)
wait "$IPERF_PID"
read -r ok_ rate stall <<<"$(iperf_report "$TMP_DIR/none-open.json")"
assert_eq 0 "$ok_" "fail-open, last instance killed: iperf3 completes ($rate Mbit/s, stall $stall ms)"
sk1=$(tsf_hop "$SPI" 255 skippedPackets)
[ "$sk1" -gt "$sk0" ] && ok "fail-open: the hop is skipped ($((sk1 - sk0)) packets)" ||
	not_ok "fail-open: the hop is skipped ($sk0 -> $sk1)"

# fail-closed: one instance back, killed during the run: traffic stops.
assert_ok "c1 restarted" tsf_sf c1 sf-counter
sf_wait_state c1 up 3 || not_ok "c1 up again"
assert_ok "chain grp back to fail-closed" tsf_chain grp fail-closed '["counter"]'
d0=$(tsf_drops sf-down)
run_iperf 4 "$TMP_DIR/none-closed.json"
sleep 1.5
T_KILL=$(tsf_ms)
tsf_sf_kill c1
ms=$(wait_down c1)
wait "$IPERF_PID"
irc=$?
d1=$(tsf_drops sf-down)
read -r ok_ rate stall <<<"$(iperf_report "$TMP_DIR/none-closed.json")"
[ "$irc" -ne 0 ] || [ "$ok_" -ne 0 ] || [ "$stall" -ge 1500 ] &&
	ok "fail-closed, last instance killed: traffic stops (iperf3 rc $irc, stall $stall ms)" ||
	not_ok "fail-closed, last instance killed: traffic stops (iperf3 rc $irc, stall $stall ms)"
[ "$d1" -gt "$d0" ] && ok "fail-closed: drops counted as sf-down ($d0 -> $d1)" ||
	not_ok "fail-closed: drops counted as sf-down ($d0 -> $d1)"
assert_fail "fail-closed: a new connection fails too" \
	ns_exec client timeout 3 iperf3 -c "$SERVER_IP" -t 1

echo "# failover (kill -> marked down):$FAILOVER_MS; longest stall:$STALL_MS"
summary
