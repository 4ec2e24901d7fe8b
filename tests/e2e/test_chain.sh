#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end: a pod's real traffic through firewall -> counter, in network
# namespaces wired by the real sfc-cni. Asserts the order of traversal (per-hop
# counters and the SFs' own counters), the firewall's deny, the dead-SF
# outcome for fail-closed and fail-open, bad chains, and a clean teardown.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo.sh"

# hop_field SI FIELD [PATH]: a per-hop counter of chain fw-count's forward
# (default) or reverse SFP.
hop_field() {
	sfcctl get counters -o json | python3 -c '
import json, sys
si, field, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
for h in json.load(sys.stdin):
    if h["chain"] == "fw-count" and h["path"] == path and h["si"] == si:
        print(h[field]); break
else:
    print(0)
' "$1" "$2" "${3:-forward}"
}

drop_count() {
	sfcctl get drops -o json | python3 -c '
import json, sys
print(sum(d["packets"] for d in json.load(sys.stdin) if d["reason"] == sys.argv[1]))' "$1"
}

# sf_seen FILE: NSH packets an SF handled (passed + dropped), or the counter
# SF's flow total, from its stats file.
sf_seen() {
	python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["flows"]["total_packets"] if "flows" in s else s["counters"]["tx_packets"] + s["counters"]["dropped"])
' "$1" 2>/dev/null || echo -1
}

# snapshot [PATH]: to/from counts of both hops of one SFP.
snapshot() {
	echo "$(hop_field 255 toSfPackets "${1:-forward}") $(hop_field 255 fromSfPackets "${1:-forward}")" \
		"$(hop_field 254 toSfPackets "${1:-forward}") $(hop_field 254 fromSfPackets "${1:-forward}")"
}

topo_pods || { not_ok "CNI ADD of the five pods"; summary; exit 1; }
ok "CNI ADD of client, server, other and two SF pods"
assert_ok "SFs started" topo_start_sfs
topo_start_agent
assert_ok "servers started" topo_servers

# Bad chains first: an SF type with no instance is refused with its name.
cat >"$TMP_DIR/bad.json" <<'EOF'
{"apiVersion": "sfc.io/v1alpha1", "kind": "ServiceChain", "metadata": {"name": "bad"},
 "spec": {"functions": ["firewall", "nosuchsf"]}}
EOF
out=$(sfcctl apply -f "$TMP_DIR/bad.json" 2>&1)
rc=$?
assert_eq 1 "$rc" "chain naming an SF type with no instance: apply fails"
case "$out" in *nosuchsf*) ok "the error names the missing SF type" ;;
*) not_ok "the error names the missing SF type (got: $out)" ;; esac
sfcctl delete chain bad >/dev/null 2>&1

echo '{"kind": "ServiceChain", "metadata": {"name": "x"}, "spec": {"functions": [' >"$TMP_DIR/malformed.json"
assert_fail "malformed chain JSON is refused" sfcctl apply -f "$TMP_DIR/malformed.json"

assert_ok "chain fw-count applied (fail-closed)" topo_chain fail-closed
# An SF gets traffic once sfc-agent has seen it answer OAM.
assert_ok "sfc-agent judged both SFs up" eval "sf_wait_state fw up && sf_wait_state cnt up"

# Order of traversal: each ping request goes to the firewall (SI 255), comes
# back with SI 254, goes to the counter (SI 254), comes back with SI 253. The
# chain applies to the connection, so each reply takes the reverse SFP
# (SPI + 1) through the same SFs in reverse order: counter, then firewall.
read -r a0 b0 c0 d0 <<<"$(snapshot)"
read -r ra0 rb0 rc0 rd0 <<<"$(snapshot reverse)"
assert_ok "ping client -> server through the chain" ns_exec client ping -c 10 -i 0.1 -W 1 "$SERVER_IP"
read -r a1 b1 c1 d1 <<<"$(snapshot)"
read -r ra1 rb1 rc1 rd1 <<<"$(snapshot reverse)"
da=$((a1 - a0)) db=$((b1 - b0)) dc=$((c1 - c0)) dd=$((d1 - d0))
[ "$da" -ge 10 ] && ok "firewall hop saw the 10 requests ($da)" || not_ok "firewall hop saw the 10 requests ($da)"
assert_eq "$da $da $da" "$db $dc $dd" "each request: to firewall, back, to counter, back (to/from per hop equal)"
rda=$((ra1 - ra0)) rdb=$((rb1 - rb0)) rdc=$((rc1 - rc0)) rdd=$((rd1 - rd0))
assert_eq "$da $da $da $da" "$rda $rdb $rdc $rdd" "each reply: to counter, back, to firewall, back (reverse SFP)"
assert_eq "counter firewall" "$(sfcctl get paths -o json | python3 -c '
import json, sys
h = sorted((p for p in json.load(sys.stdin) if p["chain"] == "fw-count" and p["path"] == "reverse" and p["kind"] == "sf"), key=lambda p: -p["si"])
print(" ".join(p["function"] for p in h))')" "reverse SFP order: counter, then firewall"
assert_ok "both SFs rewrote their stats files" sf_stats_wait fw cnt
cnt_rx=$(sf_seen "$CNT_STATS")
fw_rx=$(sf_seen "$FW_STATS")
assert_eq "$((a1 + rc1))" "$fw_rx" "sf-firewall's own count equals its hops' counts (forward + reverse)"
assert_eq "$((c1 + ra1))" "$cnt_rx" "sf-counter's own count equals its hops' counts (forward + reverse)"

assert_ok "HTTP GET client -> server:8080 through the chain" \
	ns_exec client curl -sf -o /dev/null -m 5 "http://$SERVER_IP:8080/"
out=$(ns_exec client iperf3 -c "$SERVER_IP" -t 2 -J 2>/dev/null | iperf_mbps)
[ "${out:-0}" -gt 100 ] && ok "iperf3 through the chain: $out Mbit/s" || not_ok "iperf3 through the chain (${out:-none} Mbit/s)"

assert_fail "firewall denies tcp/$DENY_PORT from the client" \
	ns_exec client curl -sf -o /dev/null -m 2 "http://$SERVER_IP:$DENY_PORT/"
assert_ok "tcp/$DENY_PORT is open to a pod without the chain" \
	ns_exec other curl -sf -o /dev/null -m 5 "http://$SERVER_IP:$DENY_PORT/"

# Dead SF, fail-closed (the default): traffic is dropped and counted.
kill "$FW_PID"
wait "$FW_PID" 2>/dev/null
assert_ok "sfc-agent judged the killed firewall down" sf_wait_state fw down
down0=$(drop_count sf-down)
assert_fail "fail-closed: ping fails while the firewall is dead" \
	ns_exec client ping -c 3 -i 0.2 -W 1 "$SERVER_IP"
down1=$(drop_count sf-down)
[ "$down1" -gt "$down0" ] && ok "fail-closed drops counted as sf_down ($down0 -> $down1)" ||
	not_ok "fail-closed drops counted as sf_down ($down0 -> $down1)"

# Dead SF, fail-open: the dead hop is skipped, the counter still sees traffic.
assert_ok "chain switched to fail-open" topo_chain fail-open
c0=$(hop_field 254 toSfPackets)
s0=$(hop_field 255 skippedPackets)
assert_ok "fail-open: ping succeeds with the firewall dead" \
	ns_exec client ping -c 3 -i 0.2 -W 1 "$SERVER_IP"
c1=$(hop_field 254 toSfPackets)
s1=$(hop_field 255 skippedPackets)
[ $((s1 - s0)) -ge 3 ] && ok "dead firewall hop skipped ($((s1 - s0)))" || not_ok "dead firewall hop skipped ($((s1 - s0)))"
[ $((c1 - c0)) -ge 3 ] && ok "counter hop still traversed ($((c1 - c0)))" || not_ok "counter hop still traversed ($((c1 - c0)))"

# Teardown through CNI DEL: nothing of ours is left.
kill "$CNT_PID" "$AGENT_PID" 2>/dev/null
wait "$CNT_PID" "$AGENT_PID" 2>/dev/null
for rec in "$TMP_DIR"/pods/*; do
	mapfile -t a <"$rec/args"
	cni_run DEL "${a[0]}" "${a[1]}" "${a[2]}" "${a[3]}" "${a[4]}" <"$rec/conf" >/dev/null ||
		not_ok "DEL ${a[4]}"
done
assert_eq 0 "$(ip -o link show | awk -F': ' '{print $2}' | grep -c "^$PFX")" "no host link left after DEL"
assert_eq 0 "$(ls "$STATE_DIR/endpoints" 2>/dev/null | wc -l)" "no endpoint state left after DEL"
assert_eq 0 "$(sfcctl get endpoints -o json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
	"no endpoint map entry left after DEL"
assert_eq 0 "$(ls "$IPAM_DIR/$NET_NAME" 2>/dev/null | grep -c '^[0-9]')" "no IPAM allocation left after DEL"
summary
