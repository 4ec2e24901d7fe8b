#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench_paths.sh - the traffic rows of `make bench`, each against a
# baseline measured in the same run (see bench.sh). Pods through the real
# sfc-cni, standalone agent:
#   server          iperf3 -s, connrate server on 9000
#   other           no chain: "direct"
#   client          chain c3 = firewall -> nat -> monitor (symmetric)
#   fw, nat, mon    the SF pods
#   mclient         chain m6 (memory rows), SF pods rl, cnt, ids besides
#   bcli, bsrv      two pods of the reference bridge plugin (containernet-
#                   working-plugins bridge + host-local, its bridge in the
#                   per-run node netns): the baseline of "direct"
# Rows (appended to $BENCH_ROWS, default stdout; tests/bench/table.py):
#   1. no chain vs bridge: iperf3 TCP, iperf3 UDP 64-byte datagrams
#      received per second, ping RTT p50/p99;
#   2. chain c3 vs direct with the SFs' offload off, then on: TCP, ping
#      RTT p50/p99, p50 added per SF (round trip) = (chain - direct) / 3,
#      new TCP connections per second (tests/bench/connrate.c); offload
#      off also: what an SF adds per round trip and per one-way traversal
#      with the SFs following their flows' CPU (the default) and with
#      --cpu-follow=off, each with the client free and pinned to one CPU;
#   3. memory: VmRSS of sfc-agent and of each SF type, idle (freshly
#      started, offload off) and holding BENCH_FLOWS distinct UDP flows
#      (tests/bench/udpflows.c) sent from pod mclient through chain m6 =
#      firewall -> nat -> ratelimit -> counter -> ids -> monitor, with the
#      flows each SF holds.
# Paths take turns within each repetition, so a change of load on the
# machine hits both sides of a ratio alike. "Offload on" is each SF's
# default config (firewall, nat) and "offload": true for sf-monitor,
# whose default is off. A tree whose sf-nat has no "offload" key runs it
# without one in both modes (the row's note says so).
#
# Environment: BUILD; BENCH_QUICK=1 (defaults below for bench-quick);
# BENCH_SECS (iperf3 seconds, 5 / quick 2), BENCH_REPS (3 / 1),
# BENCH_PINGS (pings per path, 1000 / 300), BENCH_CONN_SECS (3 / 1),
# BENCH_FLOWS (64000).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo_sf.sh"
. "$here/bench_lib.sh"

BENCH_ROWS=${BENCH_ROWS:-/dev/stdout}
if [ "${BENCH_QUICK:-0}" = 1 ]; then q=1; else q=0; fi
SECS=${BENCH_SECS:-$((q ? 2 : 5))}
REPS=${BENCH_REPS:-$((q ? 1 : 3))}
PINGS=${BENCH_PINGS:-$((q ? 300 : 1000))}
CONN_SECS=${BENCH_CONN_SECS:-$((q ? 1 : 3))}
FLOWS=${BENCH_FLOWS:-64000}
ROUNDS=5 # ping rounds per path, taking turns
INTERVAL=0.002
NAT_IP=192.0.2.77 # TEST-NET-1: no pod has it; the server answers via its gateway
BR_SUBNET=172.31.250.0/24 # only inside the node netns and the bridge pods

die() { echo "bench_paths: $*" >&2; exit 1; }

for b in connrate udpflows sf-firewall sf-nat sf-monitor sfc-agent; do
	[ -x "$BUILD/bin/$b" ] || die "$BUILD/bin/$b not built (make bench builds it)"
done
for b in iperf3 ping bpftool; do command -v $b >/dev/null || die "$b missing"; done
[ -x /usr/lib/cni/bridge ] || die "/usr/lib/cni/bridge missing"

# br_add NAME: netns + ADD through the bridge plugin, run in the node
# netns (its bridge and gateway address live there); prints the pod's IPv4.
br_add() {
	local res
	pod_netns_add "$1" >/dev/null || return 1
	res=$(printf '%s' "$BR_CONF" | node env CNI_COMMAND=ADD CNI_CONTAINERID="$PFX-$1" \
		CNI_NETNS="$(ns_path "$1")" CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
		/usr/lib/cni/bridge) || { echo "# bridge ADD $1: $res" >&2; return 1; }
	json_get "$res" '["ips"][0]["address"]' | cut -d/ -f1
}

# servers POD: iperf3 and connrate servers in POD.
servers() {
	ip netns exec "$PFX-$1" iperf3 -s >/dev/null 2>&1 & # $! = the server
	track_pid $!
	ip netns exec "$PFX-$1" "$BUILD/bin/connrate" server 9000 >/dev/null 2>&1 &
	track_pid $!
	wait_port "$1" 5201 && wait_port "$1" 9000
}

node_netns_add || die "cannot create the node netns"
BR_CONF="{\"cniVersion\": \"1.0.0\", \"name\": \"$PFX-br\", \"type\": \"bridge\",
 \"bridge\": \"${PFX}br\", \"isGateway\": true, \"ipMasq\": false,
 \"ipam\": {\"type\": \"host-local\", \"dataDir\": \"$IPAM_DIR\",
           \"ranges\": [[{\"subnet\": \"$BR_SUBNET\"}]]}}"
SERVER_IP=$(tsf_pod server) && tsf_pod other >/dev/null &&
	tsf_pod client '{"sfc.io/chain": "c3"}' >/dev/null &&
	tsf_pod fw '{"sfc.io/function": "firewall"}' >/dev/null &&
	tsf_pod nat '{"sfc.io/function": "nat"}' >/dev/null &&
	tsf_pod mon '{"sfc.io/function": "monitor"}' >/dev/null &&
	tsf_pod mclient '{"sfc.io/chain": "m6"}' >/dev/null &&
	tsf_pod rl '{"sfc.io/function": "ratelimit"}' >/dev/null &&
	tsf_pod cnt '{"sfc.io/function": "counter"}' >/dev/null &&
	tsf_pod ids '{"sfc.io/function": "ids"}' >/dev/null || die "sfc-cni ADD"
BSRV_IP=$(br_add bsrv) && br_add bcli >/dev/null || die "bridge plugin ADD"
BENCH_SERVER_OF[$SERVER_IP]=server
BENCH_SERVER_OF[$BSRV_IP]=bsrv
servers server && servers bsrv || die "servers"
tsf_agent
tsf_chain c3 fail-closed '["firewall", "nat", "monitor"]' >/dev/null &&
	tsf_chain m6 fail-closed '["firewall", "nat", "ratelimit", "counter", "ids", "monitor"]' \
		>/dev/null || die "chains"
mkdir -p "$TMP_DIR/mon" && chmod 777 "$TMP_DIR/mon" # sf-monitor writes as uid 65534
echo "bench_paths: $SECS s x $REPS iperf3 runs, $PINGS pings, ${CONN_SECS} s connrate per path;" \
	"load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# ---- 1. no chain vs the bridge plugin ---------------------------------------
declare -A runs
for i in $(seq "$REPS"); do
	# who goes first alternates
	if [ $((i % 2)) = 1 ]; then order="sfc br"; else order="br sfc"; fi
	for w in $order; do
		if [ "$w" = sfc ]; then src=other dst=$SERVER_IP; else src=bcli dst=$BSRV_IP; fi
		runs[tcp-$w]+="$(bench_tcp_gbps "$src" "$dst" "$SECS") "
		runs[udp-$w]+="$(bench_udp_pps "$src" "$dst" "$SECS") "
	done
done
: >"$TMP_DIR/rtt-sfc" && : >"$TMP_DIR/rtt-br"
for _ in $(seq "$ROUNDS"); do
	bench_rtts other "$SERVER_IP" $((PINGS / ROUNDS)) "$INTERVAL" "$TMP_DIR/rtt-sfc"
	bench_rtts bcli "$BSRV_IP" $((PINGS / ROUNDS)) "$INTERVAL" "$TMP_DIR/rtt-br"
done
G="no-chain pod vs bridge plugin"
bench_row "$G" "TCP throughput (iperf3)" "$(bench_median <<<"${runs[tcp-sfc]}")" \
	"$(bench_median <<<"${runs[tcp-br]}")" Gbit/s "" "runs sfc ${runs[tcp-sfc]}/ bridge ${runs[tcp-br]}"
bench_row "$G" "UDP 64 B datagrams received/s (iperf3 -u -b 0)" "$(bench_median <<<"${runs[udp-sfc]}")" \
	"$(bench_median <<<"${runs[udp-br]}")" pkt/s "" "runs sfc ${runs[udp-sfc]}/ bridge ${runs[udp-br]}"
bench_row "$G" "ping RTT p50" "$(bench_pct 50 "$TMP_DIR/rtt-sfc")" "$(bench_pct 50 "$TMP_DIR/rtt-br")" us
bench_row "$G" "ping RTT p99" "$(bench_pct 99 "$TMP_DIR/rtt-sfc")" "$(bench_pct 99 "$TMP_DIR/rtt-br")" us

# ---- SFs ---------------------------------------------------------------------
NAT_OFFLOAD_KEY=1

# sf_configs MODE: the three SF configs for offload MODE (off|on).
sf_configs() {
	local off=false nat_off=""
	[ "$1" = on ] && off=true
	[ "$NAT_OFFLOAD_KEY" = 1 ] && [ "$1" = off ] && nat_off=', "offload": false'
	if [ "$1" = off ]; then
		echo '{"default": "allow", "offload": false}' >"$TMP_DIR/fw.json"
	else
		echo '{"default": "allow"}' >"$TMP_DIR/fw.json"
	fi
	# 64512 ports: the memory rows' flows and the connection rows each
	# take one per flow.
	echo "{\"nat_ip\": \"$NAT_IP\", \"port_range\": \"1024-65535\"$nat_off}" >"$TMP_DIR/nat.json"
	echo "{\"output\": \"$TMP_DIR/mon/flows.jsonl\", \"offload\": $off}" >"$TMP_DIR/mon.json"
}

# start_sfs MODE [ARG...]: the three SFs with MODE's configs (and ARGs),
# up in the agent's eyes.
start_sfs() {
	local mode=$1
	shift
	sf_configs "$mode"
	tsf_sf fw sf-firewall --config "$TMP_DIR/fw.json" "$@" || die "sf-firewall: $(tail -n 3 "$TMP_DIR/fw.log")"
	if ! tsf_sf nat sf-nat --config "$TMP_DIR/nat.json" "$@"; then
		grep -q 'offload: unknown field' "$TMP_DIR/nat.log" 2>/dev/null ||
			die "sf-nat: $(tail -n 3 "$TMP_DIR/nat.log")"
		NAT_OFFLOAD_KEY=0
		sf_configs "$mode"
		tsf_sf nat sf-nat --config "$TMP_DIR/nat.json" "$@" || die "sf-nat: $(tail -n 3 "$TMP_DIR/nat.log")"
	fi
	tsf_sf mon sf-monitor --config "$TMP_DIR/mon.json" "$@" || die "sf-monitor: $(tail -n 3 "$TMP_DIR/mon.log")"
	for s in fw nat mon; do sf_wait_state "$s" up 5 || die "$s not up"; done
}

stop_sfs() {
	local s
	for s in fw nat mon; do kill "${SF_PID[$s]}" 2>/dev/null; done
	for s in fw nat mon; do
		while kill -0 "${SF_PID[$s]}" 2>/dev/null; do sleep 0.05; done
	done
}

# sf_rx: "fw N nat N mon N" packets each SF received so far.
sf_rx() {
	local s out=""
	sf_stats_wait fw nat mon
	for s in fw nat mon; do out+="$s $(tsf_sf_stat "$s" '["counters"]["rx_packets"]') "; done
	echo "${out% }"
}

# ---- 2. chain of 3 SFs vs direct, offload off then on ------------------------
chain_mode() {
	local mode=$1 i w src g target_t target_h d c nat_note=""
	start_sfs "$mode"
	unset runs
	declare -gA runs
	for i in $(seq "$REPS"); do
		if [ $((i % 2)) = 1 ]; then order="direct chain"; else order="chain direct"; fi
		for w in $order; do
			if [ "$w" = direct ]; then src=other; else src=client; fi
			runs[tcp-$w]+="$(bench_tcp_gbps "$src" "$SERVER_IP" "$SECS") "
		done
	done
	: >"$TMP_DIR/rtt-direct-$mode" && : >"$TMP_DIR/rtt-chain-$mode"
	for i in $(seq "$ROUNDS"); do
		bench_rtts other "$SERVER_IP" $((PINGS / ROUNDS)) "$INTERVAL" "$TMP_DIR/rtt-direct-$mode"
		bench_rtts client "$SERVER_IP" $((PINGS / ROUNDS)) "$INTERVAL" "$TMP_DIR/rtt-chain-$mode"
	done
	[ "$mode" = off ] && pinned_rtts follow
	runs[conn-direct]=$(bench_connrate other "$SERVER_IP" "$CONN_SECS")
	runs[conn-chain]=$(bench_connrate client "$SERVER_IP" "$CONN_SECS")
	runs[rx]=$(sf_rx)
	stop_sfs

	[ "$NAT_OFFLOAD_KEY" = 1 ] || nat_note="; this sf-nat has no offload key"
	if [ "$mode" = off ]; then
		g="3 SFs fw->nat->mon, offload off"
		target_t="ratio>=0.5" target_h="value<=15"
	else
		g="3 SFs fw->nat->mon, offload on"
		target_t="ratio>=0.9" target_h="value<=1"
	fi
	bench_row "$g" "TCP throughput, chain vs direct" "$(bench_median <<<"${runs[tcp-chain]}")" \
		"$(bench_median <<<"${runs[tcp-direct]}")" Gbit/s "$target_t" \
		"runs chain ${runs[tcp-chain]}/ direct ${runs[tcp-direct]}/ SF rx packets: ${runs[rx]}$nat_note"
	d=$(bench_pct 50 "$TMP_DIR/rtt-direct-$mode")
	c=$(bench_pct 50 "$TMP_DIR/rtt-chain-$mode")
	bench_row "$g" "ping RTT p50, chain vs direct" "$c" "$d" us
	bench_row "$g" "ping RTT p99, chain vs direct" "$(bench_pct 99 "$TMP_DIR/rtt-chain-$mode")" \
		"$(bench_pct 99 "$TMP_DIR/rtt-direct-$mode")" us
	bench_row "$g" "p50 added per SF (round trip) = (chain - direct) / 3" \
		"$(awk -v c="$c" -v d="$d" 'BEGIN { printf "%.1f", (c - d) / 3 }')" - us "$target_h"
	bench_row "$g" "new TCP connections/s (connrate, 4 loops), chain vs direct" \
		"${runs[conn-chain]}" "${runs[conn-direct]}" conn/s "" \
		"$(tail -n 2 "$TMP_DIR/connrate.log" | paste -sd ";" -)"
	[ "$mode" = off ] || return 0
	# The same SFs without following (the behaviour before it), in the
	# same run: the client free, then on one CPU.
	start_sfs off --cpu-follow=off
	: >"$TMP_DIR/rtt-direct-nofollow" && : >"$TMP_DIR/rtt-chain-nofollow"
	for i in $(seq "$ROUNDS"); do
		bench_rtts other "$SERVER_IP" $((PINGS / ROUNDS)) "$INTERVAL" "$TMP_DIR/rtt-direct-nofollow"
		bench_rtts client "$SERVER_IP" $((PINGS / ROUNDS)) "$INTERVAL" "$TMP_DIR/rtt-chain-nofollow"
	done
	pinned_rtts nofollow
	stop_sfs
	follow_rows "$g" "$d" "$c" "SFs following (default), client free"
	follow_rows "$g" "$(bench_pct 50 "$TMP_DIR/rtt-direct-follow-pin")" \
		"$(bench_pct 50 "$TMP_DIR/rtt-chain-follow-pin")" \
		"SFs following (default), client on CPU $PIN_CPU"
	follow_rows "$g" "$(bench_pct 50 "$TMP_DIR/rtt-direct-nofollow")" \
		"$(bench_pct 50 "$TMP_DIR/rtt-chain-nofollow")" "--cpu-follow=off, client free"
	follow_rows "$g" "$(bench_pct 50 "$TMP_DIR/rtt-direct-nofollow-pin")" \
		"$(bench_pct 50 "$TMP_DIR/rtt-chain-nofollow-pin")" \
		"--cpu-follow=off, client on CPU $PIN_CPU"
}

# Following the flow's CPU (service-containers/README.md): the same pings
# with the client (and the direct pod) pinned to one CPU, as a client the
# scheduler leaves where it is; into rtt-{direct,chain}-LABEL-pin.
PIN_CPU=$(taskset -cp $$ | sed 's/.*[-,]//')
pinned_rtts() {
	local i
	: >"$TMP_DIR/rtt-direct-$1-pin" && : >"$TMP_DIR/rtt-chain-$1-pin"
	for i in $(seq "$ROUNDS"); do
		bench_rtts other "$SERVER_IP" $((PINGS / ROUNDS)) "$INTERVAL" "$TMP_DIR/rtt-direct-$1-pin" "$PIN_CPU"
		bench_rtts client "$SERVER_IP" $((PINGS / ROUNDS)) "$INTERVAL" "$TMP_DIR/rtt-chain-$1-pin" "$PIN_CPU"
	done
}

# follow_rows GROUP DIRECT_P50 CHAIN_P50 WHAT: what an SF adds to the
# ping p50 in setting WHAT, per round trip and per one-way traversal
# (each SF is crossed twice per round trip).
follow_rows() {
	bench_row "$1" "p50 added per SF (round trip), $4" \
		"$(awk -v c="$3" -v d="$2" 'BEGIN { printf "%.1f", (c - d) / 3 }')" - us "" \
		"ping p50 chain $3 / direct $2 us"
	bench_row "$1" "p50 added per SF traversal (one way), $4" \
		"$(awk -v c="$3" -v d="$2" 'BEGIN { printf "%.1f", (c - d) / 6 }')" - us
}

chain_mode off

# ---- 3. memory: RSS idle and holding $FLOWS flows ------------------------------
# Every SF type, offload off, in chain m6 of pod mclient: freshly started
# (idle), then after $FLOWS distinct UDP flows from mclient, each sent
# twice (a datagram an SF's socket dropped the first time still makes its
# flow); the stats say how many flows each one holds.
memory() {
	local s sent
	local -A idle held
	start_sfs off
	echo '{"rate_bps": 1000000000000, "burst_bytes": 1000000000}' >"$TMP_DIR/rl.json"
	echo '{"offload": false}' >"$TMP_DIR/cnt.json"
	cp "$here/../../service-containers/sf-ids/example.rules" "$TMP_DIR/ids.rules"
	echo "{\"rules\": \"$TMP_DIR/ids.rules\", \"offload\": false}" >"$TMP_DIR/ids.json"
	tsf_sf rl sf-ratelimit --config "$TMP_DIR/rl.json" &&
		tsf_sf cnt sf-counter --config "$TMP_DIR/cnt.json" &&
		tsf_sf ids sf-ids --config "$TMP_DIR/ids.json" ||
		die "ratelimit, counter, ids: $(tail -q -n 2 "$TMP_DIR/rl.log" "$TMP_DIR/cnt.log" "$TMP_DIR/ids.log" 2>/dev/null)"
	for s in rl cnt ids; do sf_wait_state "$s" up 5 || die "$s not up"; done
	sleep 1
	idle[agent]=$(bench_rss_kib "$AGENT_PID")
	for s in fw nat rl cnt ids mon; do idle[$s]=$(bench_rss_kib "${SF_PID[$s]}"); done
	sent=$(ns_exec mclient "$BUILD/bin/udpflows" "$SERVER_IP" "$FLOWS" 40000 2)
	sleep 1
	sf_stats_wait fw nat rl cnt ids mon
	held[fw]="conntrack entries $(tsf_sf_stat fw '["conntrack"]["entries"]')"
	held[nat]="active mappings $(tsf_sf_stat nat '["nat"]["active"]')"
	held[rl]="sources $(tsf_sf_stat rl '["ratelimit"]["sources"]') (one client address)"
	held[cnt]="active flows $(tsf_sf_stat cnt '["flows"]["active"]')"
	held[ids]="connections $(tsf_sf_stat ids '["ids"]["connections"]')"
	held[mon]="active flows $(tsf_sf_stat mon '["monitor"]["active"]')"
	G="memory: VmRSS holding $FLOWS UDP flows vs idle"
	bench_row "$G" "sfc-agent" "$(bench_rss_kib "$AGENT_PID")" "${idle[agent]}" KiB "" "udpflows: $sent"
	for s in fw nat rl cnt ids mon; do
		bench_row "$G" "$(tr -d '\0' <"/proc/${SF_PID[$s]}/comm")" "$(bench_rss_kib "${SF_PID[$s]}")" \
			"${idle[$s]}" KiB "" "${held[$s]}"
	done
	for s in rl cnt ids; do kill "${SF_PID[$s]}" 2>/dev/null; done
	stop_sfs
	for s in rl cnt ids; do while kill -0 "${SF_PID[$s]}" 2>/dev/null; do sleep 0.05; done; done
}

memory
chain_mode on
exit 0
