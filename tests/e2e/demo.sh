#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: a pod's real traffic through the service chain firewall -> counter.
# Pods are network namespaces wired by the real sfc-cni binary, invoked as a
# container runtime invokes it. Everything is removed through CNI DEL at the
# end (and by the EXIT trap of lib.sh if any step fails).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo.sh"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() {
	echo "demo: $*" >&2
	for f in fw cnt agent; do
		[ -s "$TMP_DIR/$f.log" ] && sed "s/^/  $f: /" "$TMP_DIR/$f.log" >&2
	done
	exit 1
}

step "1. pods through sfc-cni ADD (host-local IPAM, subnet $SUBNET)"
topo_pods || die "CNI ADD failed"
echo "client $CLIENT_IP   server $SERVER_IP   other $OTHER_IP   + SF pods fw, cnt"

step "2. service functions (sandboxed, own netns) and the node agent"
topo_start_sfs || die "SFs did not start"
topo_start_agent
echo "sf-firewall pid $FW_PID (denies tcp/$DENY_PORT), sf-counter pid $CNT_PID, sfc-agent pid $AGENT_PID"
topo_servers || die "servers did not start"

step "3. chain fw-count = firewall -> counter on the client's egress"
topo_chain fail-closed || die "sfcctl apply failed"
sf_wait_state fw up && sf_wait_state cnt up || die "sfc-agent did not judge both SFs live"
sfcctl get endpoints
sfcctl get chains
sfcctl get paths

step "4. real traffic from the client"
echo "-- ping -c 5 $SERVER_IP"
ns_exec client ping -c 5 -i 0.2 -W 1 "$SERVER_IP" || die "ping failed"
echo "-- HTTP GET http://$SERVER_IP:8080/"
ns_exec client curl -sS -o /dev/null -m 5 -w 'HTTP %{http_code}, %{size_download} bytes in %{time_total} s\n' \
	"http://$SERVER_IP:8080/" || die "HTTP GET failed"
echo "-- iperf3 -c $SERVER_IP -t 5"
ns_exec client iperf3 -c "$SERVER_IP" -t 5 -f m | grep -E 'sender|receiver' || die "iperf3 failed"
echo "-- denied flow: HTTP GET http://$SERVER_IP:$DENY_PORT/ (firewall rule: deny tcp/$DENY_PORT)"
if ns_exec client curl -sS -o /dev/null -m 3 "http://$SERVER_IP:$DENY_PORT/"; then
	die "the firewall let a denied flow through"
fi
echo "   ... failed, as it must: the firewall dropped it"
echo "-- the same port from 'other' (no chain): "
ns_exec other curl -sS -o /dev/null -m 5 -w 'HTTP %{http_code}\n' "http://$SERVER_IP:$DENY_PORT/" ||
	die "port $DENY_PORT not reachable without the chain"

step "5. per-hop counters: every packet went firewall (SI 255) then counter (SI 254)"
sfcctl get counters
sfcctl get drops
sf_stats_wait fw cnt || die "the SFs did not rewrite their stats files"
echo "-- sf-firewall stats"
cat "$FW_STATS"; echo
echo "-- sf-counter stats"
cat "$CNT_STATS"; echo

step "6. a stateful chain: firewall -> nat -> monitor, replies through the same SFs in reverse"
topo_nat_pods || die "CNI ADD failed"
topo_start_nat_mon || die "sf-nat/sf-monitor did not start"
topo_chain2 || die "sfcctl apply failed"
sf_wait_state nat up && sf_wait_state mon up || die "sfc-agent did not judge sf-nat and sf-monitor live"
echo "client2 $CLIENT2_IP (chain fw-nat-mon, SNAT to $NAT_IP); the firewall instance serves both chains"
ip netns exec "$PFX-server" python3 -m http.server 8082 --bind 0.0.0.0 >/dev/null 2>"$TMP_DIR/http8082.log" &
track_pid $!
wait_port server 8082 || die "HTTP server on 8082 did not start"
echo "-- HTTP GET from client2; the server's access log shows who it saw:"
ns_exec client2 curl -sS -o /dev/null -m 5 -w 'HTTP %{http_code}\n' "http://$SERVER_IP:8082/" || die "HTTP GET through nat failed"
sed 's/^/   server log: /' "$TMP_DIR/http8082.log"
echo "-- iperf3 -c $SERVER_IP -t 3 from client2 (data and ACKs both ways through the chain)"
ns_exec client2 iperf3 -c "$SERVER_IP" -t 3 -f m | grep -E 'sender|receiver' || die "iperf3 through nat failed"
sfcctl get paths | awk 'NR == 1 || /fw-nat-mon/'
sfcctl get counters | awk 'NR == 1 || /fw-nat-mon/'
echo "-- per-instance counters"
sfcctl get instances
sleep 2.5 # sf-monitor exports flow records every second and on FIN/idle
echo "-- flows recorded by sf-monitor (sfcctl flows)"
sfcctl flows --file "$TMP_DIR/mon/flows.jsonl" | head -6

step "7. teardown through CNI DEL"
# Every process this demo started (SFs, agent, servers), by PID.
while read -r p; do kill "$p" 2>/dev/null; done <"$TMP_DIR/pids"
while read -r p; do
	for i in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
done <"$TMP_DIR/pids"
for rec in "$TMP_DIR"/pods/*; do
	mapfile -t a <"$rec/args"
	cni_run DEL "${a[0]}" "${a[1]}" "${a[2]}" "${a[3]}" "${a[4]}" <"$rec/conf" ||
		die "DEL ${a[2]} failed"
	n=$(basename "${a[0]}")
	[ -z "$(ip netns pids "$n")" ] || die "processes left in netns $n: $(ip netns pids "$n" | tr '\n' ' ')"
	ip netns del "$n"
	echo "DEL ${a[4]}: ok"
done
left_ns=$(ip netns list | grep -c "^$PFX-")
left_links=$(ip -o link show | awk -F': ' '{print $2}' | grep -c "^$PFX")
left_eps=$(sfcctl get endpoints -o json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
left_procs=0
while read -r p; do kill -0 "$p" 2>/dev/null && left_procs=$((left_procs + 1)); done <"$TMP_DIR/pids"
echo "left behind: $left_ns netns, $left_links links, $left_eps endpoint map entries, $left_procs processes"
[ "$left_ns$left_links$left_eps$left_procs" = "0000" ] || die "teardown left something behind"
echo "demo: done"
