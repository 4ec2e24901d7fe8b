# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# topo.sh - the walking-skeleton topology, shared by demo.sh, test_chain.sh
# and bench.sh. Source after lib.sh.
#
#   topo_pods                 ADD pods client, server, other (no chain) and
#                             the SF pods fw (sfc.io/function: firewall) and
#                             cnt (sfc.io/function: counter) through sfc-cni
#   topo_start_sfs            start sf-firewall in fw and sf-counter in cnt
#                             (SF_RX_MODE=ring|mmsg picks their receive mode)
#   topo_stop_sfs             stop them (SIGTERM) and wait until they are gone
#   topo_start_agent          start sfc-agent (health checks, reconcile)
#   topo_chain POLICY [MATCH] apply chain "fw-count" (firewall -> counter)
#                             with failurePolicy POLICY to the client's egress
#   topo_servers              HTTP servers on 8080 and 8081 and iperf3 -s in server
#   topo_nat_pods             ADD client2 (chain fw-nat-mon) and the SF pods nat
#                             (sfc.io/function: nat) and mon (monitor)
#   topo_start_nat_mon        start sf-nat (SNAT to $NAT_IP) in nat and
#                             sf-monitor (records in $TMP_DIR/mon) in mon
#   topo_stop_nat_mon         stop them
#   topo_chain2               apply chain "fw-nat-mon" (firewall -> nat -> monitor)
# Sets CLIENT_IP, SERVER_IP, OTHER_IP, CLIENT2_IP, FW_PID, CNT_PID, NAT_PID,
# MON_PID, AGENT_PID, and the SF stats files FW_STATS, CNT_STATS.

DENY_PORT=8081
NAT_IP=192.0.2.77 # TEST-NET-1: no pod has it; the server answers via its gateway

# _topo_add NAME [ANNOTATIONS]: netns + CNI ADD; prints the pod's IPv4.
_topo_add() { pod_add "$@"; }

topo_pods() {
	CLIENT_IP=$(_topo_add client '{"sfc.io/chain": "fw-count"}') || return 1
	SERVER_IP=$(_topo_add server) || return 1
	OTHER_IP=$(_topo_add other) || return 1
	_topo_add fw '{"sfc.io/function": "firewall"}' >/dev/null || return 1
	_topo_add cnt '{"sfc.io/function": "counter"}' >/dev/null || return 1
}

topo_start_sfs() {
	# offload off: these tests count every packet at every hop (flow
	# programming has its own test, test_flow_program.sh).
	cat >"$TMP_DIR/firewall.json" <<EOF
{"default": "allow", "offload": false,
 "rules": [{"action": "deny", "protocol": "tcp", "dport": "$DENY_PORT"}]}
EOF
	FW_STATS=$TMP_DIR/fw.stats
	CNT_STATS=$TMP_DIR/cnt.stats
	sf_start fw sf-firewall --config "$TMP_DIR/firewall.json" &&
		sf_start cnt sf-counter || return 1
	FW_PID=$(sf_pid fw)
	CNT_PID=$(sf_pid cnt)
}

topo_stop_sfs() {
	local i
	kill "$FW_PID" "$CNT_PID" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$FW_PID" 2>/dev/null || kill -0 "$CNT_PID" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$TMP_DIR/fw.pid" "$TMP_DIR/cnt.pid"
}

topo_start_agent() {
	"$BUILD/bin/sfc-agent" --conf-dir "$CONF_DIR" --state-dir "$STATE_DIR" \
		--pin-dir "$PIN_DIR" --interval-ms 100 --dead-after-ms 500 \
		2>"$TMP_DIR/agent.log" &
	AGENT_PID=$!
	track_pid "$AGENT_PID"
}

topo_chain() {
	local policy=$1 match=${2:-}
	[ -z "$match" ] || match=", \"match\": $match"
	cat >"$TMP_DIR/chain.json" <<EOF
{"apiVersion": "sfc.io/v1alpha1", "kind": "ServiceChain",
 "metadata": {"name": "fw-count"},
 "spec": {"functions": ["firewall", "counter"], "failurePolicy": "$policy"$match}}
EOF
	sfcctl apply -f "$TMP_DIR/chain.json"
}

topo_servers() {
	# `ip netns exec` execs the server, so $! is the server itself (a shell
	# function such as ns_exec would leave $! pointing at a subshell).
	ip netns exec "$PFX-server" python3 -m http.server 8080 --bind 0.0.0.0 >/dev/null 2>&1 &
	track_pid $!
	ip netns exec "$PFX-server" python3 -m http.server "$DENY_PORT" --bind 0.0.0.0 >/dev/null 2>&1 &
	track_pid $!
	ip netns exec "$PFX-server" iperf3 -s >/dev/null 2>&1 &
	track_pid $!
	wait_port server 8080 && wait_port server "$DENY_PORT" && wait_port server 5201
}

topo_nat_pods() {
	CLIENT2_IP=$(_topo_add client2 '{"sfc.io/chain": "fw-nat-mon"}') || return 1
	_topo_add nat '{"sfc.io/function": "nat"}' >/dev/null || return 1
	_topo_add mon '{"sfc.io/function": "monitor"}' >/dev/null
}

topo_start_nat_mon() {
	mkdir -p "$TMP_DIR/mon" && chmod 777 "$TMP_DIR/mon" # the SF writes as uid 65534
	echo "{\"nat_ip\": \"$NAT_IP\", \"port_range\": \"30000-30999\"}" >"$TMP_DIR/nat.json"
	echo "{\"output\": \"$TMP_DIR/mon/flows.jsonl\", \"idle_timeout_s\": 2, \"export_interval_s\": 1}" >"$TMP_DIR/mon.json"
	sf_start nat sf-nat --config "$TMP_DIR/nat.json" &&
		sf_start mon sf-monitor --config "$TMP_DIR/mon.json" || return 1
	NAT_PID=$(sf_pid nat)
	MON_PID=$(sf_pid mon)
}

topo_stop_nat_mon() {
	local i
	kill "$NAT_PID" "$MON_PID" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$NAT_PID" 2>/dev/null || kill -0 "$MON_PID" 2>/dev/null || break
		sleep 0.1
	done
}

topo_chain2() {
	cat >"$TMP_DIR/chain2.json" <<'EOF'
{"apiVersion": "sfc.io/v1alpha1", "kind": "ServiceChain",
 "metadata": {"name": "fw-nat-mon"},
 "spec": {"functions": ["firewall", "nat", "monitor"], "failurePolicy": "fail-closed"}}
EOF
	sfcctl apply -f "$TMP_DIR/chain2.json"
}
