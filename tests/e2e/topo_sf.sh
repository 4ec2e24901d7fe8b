# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# topo_sf.sh - small helpers for the SF group / symmetric / proxy e2e tests
# (test_sf_groups.sh, test_symmetric.sh, test_proxy.sh). Source after lib.sh.
# Independent of topo.sh (which demo.sh and test_chain.sh keep using).
#
#   tsf_pod NAME [ANNOT_JSON]      Pod object + netns + CNI ADD through sfc-cni;
#                                  prints the pod's IPv4
#   tsf_sf NAME BIN [ARGS...]      sf_start (lib.sh) and SF_PID[NAME] = its PID;
#                                  1 if it did not come up
#   tsf_sf_kill NAME               SIGKILL the SF of pod NAME (no final stats)
#   tsf_agent                      start sfc-agent (100 ms rounds, dead after 500 ms)
#   tsf_chain NAME POLICY FUNCS [MATCH]
#                                  apply ServiceChain NAME: FUNCS is a JSON list
#                                  of SF types, MATCH an optional JSON match list
#   tsf_inst POD FIELD             a counter of POD's row in `sfcctl get instances`
#                                  (toSfPackets, fromSfPackets, flowsPinned, ...)
#   tsf_hop SPI SI FIELD           one per-hop counter from `sfcctl get counters`
#   tsf_drops REASON               drop-reason counter (e.g. sf-down)
#   tsf_agent_ms POD STATE SINCE   ms from SINCE (a tsf_ms value) until the agent
#                                  logged POD going STATE (up/down), -1 if not
#   tsf_sf_stat NAME EXPR          a field of the SF's stats file (python subscript
#                                  chain on the parsed JSON), -1 if unreadable
#   tsf_iperf_server NAME          iperf3 -s in pod NAME (port 5201)
#   tsf_http_server NAME PORT      python3 http.server in pod NAME, log in
#                                  $TMP_DIR/http-NAME-PORT.log
#   tsf_ms                         monotonic-ish wall clock in ms
# SF_PID is an associative array: SF_PID[pod] = pid of its SF process.

declare -gA SF_PID

tsf_ms() { date +%s%3N; }

tsf_pod() { pod_add "$@"; }

tsf_sf() { sf_start "$@" && SF_PID[$1]=$(sf_pid "$1"); }

tsf_sf_kill() {
	kill -9 "${SF_PID[$1]}" 2>/dev/null
	wait "${SF_PID[$1]}" 2>/dev/null
	return 0
}

tsf_agent() {
	"$BUILD/bin/sfc-agent" --conf-dir "$CONF_DIR" --state-dir "$STATE_DIR" \
		--pin-dir "$PIN_DIR" --interval-ms 100 --dead-after-ms 500 \
		2>>"$TMP_DIR/agent.log" &
	AGENT_PID=$!
	track_pid "$AGENT_PID"
}

tsf_chain() {
	local name=$1 policy=$2 funcs=$3 match=${4:-}
	[ -z "$match" ] || match=", \"match\": $match"
	cat >"$TMP_DIR/chain-$name.json" <<EOF
{"apiVersion": "sfc.io/v1alpha1", "kind": "ServiceChain",
 "metadata": {"name": "$name"},
 "spec": {"functions": $funcs, "failurePolicy": "$policy"$match}}
EOF
	sfcctl apply -f "$TMP_DIR/chain-$name.json"
}

# The polling helpers read sfcctl's tables with awk: python3 takes ~0.5 s to
# start on a loaded VM, too slow to time a failover.
_tsf_inst_col() {
	case $1 in
	aware) echo 5 ;; state) echo 6 ;; toSfPackets) echo 8 ;; toSfBytes) echo 9 ;;
	fromSfPackets) echo 10 ;; fromSfBytes) echo 11 ;; flowsPinned) echo 12 ;;
	flowsMovedAway) echo 13 ;; *) echo 0 ;;
	esac
}

tsf_inst() {
	sfcctl get instances 2>/dev/null | awk -v p="default/$1" -v c="$(_tsf_inst_col "$2")" '
		NR > 1 && $3 == p { s += $c } END { print s + 0 }'
}

tsf_hop() {
	local c
	case $3 in
	toSfPackets) c=6 ;; toSfBytes) c=7 ;; fromSfPackets) c=8 ;; fromSfBytes) c=9 ;;
	skippedPackets) c=10 ;; droppedPackets) c=11 ;; *) c=0 ;;
	esac
	sfcctl get counters 2>/dev/null | awk -v spi="$1" -v si="$2" -v c="$c" '
		NR > 1 && $1 == spi && $2 == si { s += $c } END { print s + 0 }'
}

tsf_drops() {
	sfcctl get drops 2>/dev/null | awk -v r="$1" 'NR > 1 && $1 == r { s += $3 } END { print s + 0 }'
}

# tsf_agent_ms POD STATE SINCE_MS: ms from SINCE_MS (tsf_ms) to the agent's
# first log line after it saying POD is STATE; -1 if none.
tsf_agent_ms() {
	local pod=$1 st=$2 since=$3 day ms
	day=$(date -d "@$((since / 1000))" +%F)
	awk -v p="default/$pod" -v st="$st" '$5 == p && index($0, ") is " st " (") { print $1 }' \
		"$TMP_DIR/agent.log" | while read -r t; do
		ms=$(($(date -d "$day $t" +%s%3N) - since))
		# a line logged after midnight carries the next day
		[ "$ms" -ge -43200000 ] || ms=$((ms + 86400000))
		echo "$ms"
	done | awk '$1 >= 0 { print; found = 1; exit } END { if (!found) print -1 }'
}

tsf_sf_stat() {
	local i v
	for i in 1 2 3 4 5; do # the file is rewritten in place: retry a torn read
		v=$(python3 -c '
import json, sys
print(eval("json.load(open(sys.argv[1]))" + sys.argv[2]))' "$TMP_DIR/$1.stats" "$2" 2>/dev/null) &&
			{ echo "$v"; return 0; }
		sleep 0.05
	done
	echo -1
}

tsf_iperf_server() {
	ip netns exec "$PFX-$1" iperf3 -s >/dev/null 2>&1 & # $! = the server
	track_pid $!
	wait_port "$1" 5201
}

tsf_http_server() {
	ip netns exec "$PFX-$1" python3 -m http.server "$2" --bind 0.0.0.0 \
		>"$TMP_DIR/http-$1-$2.log" 2>&1 &
	track_pid $!
	wait_port "$1" "$2"
}
