#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end: a bad object concerns only what it describes. A malformed
# file in pods.d fails the CNI ADD of its own pod only (other pods, with or
# without an object, are added), is listed by `sfcctl get pods` with its
# reason, is logged once by sfc-agent, and leaves the other pods' chains
# working; a chain file too broken to name its chain keeps the chain's
# last good paths (its pods' traffic still goes through it). And `sfcctl
# get endpoints` shows sfc_endpoints entries no record accounts for.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo.sh"

# fw_hop_to: packets sent to the firewall hop (SI 255) of fw-count's
# forward SFP, 0 when the hop is not programmed.
fw_hop_to() {
	sfcctl get counters -o json | python3 -c '
import json, sys
print(sum(h["toSfPackets"] for h in json.load(sys.stdin)
          if h["chain"] == "fw-count" and h["path"] == "forward" and h["si"] == 255))'
}

# add_bare NAME: netns and CNI ADD of pod default/NAME with no pods.d
# object written for it; prints sfc-cni's stdout, fails as ADD does.
add_bare() {
	pod_netns_add "$1" >/dev/null || return 1
	cni_conf | cni_run ADD "$(ns_path "$1")" eth0 "$PFX-$1" default "$1"
}

# agent_mentions TEXT: lines of the agent's log naming TEXT.
agent_mentions() { grep -c -F "$1" "$TMP_DIR/agent.log"; }

topo_pods || { not_ok "CNI ADD of the topology"; summary; exit 1; }
assert_ok "SFs started" topo_start_sfs
topo_start_agent
assert_ok "chain fw-count applied" topo_chain fail-closed
assert_ok "sfc-agent judged both SFs up" eval "sf_wait_state fw up && sf_wait_state cnt up"
assert_ok "client -> server through the chain" ns_ping client "$SERVER_IP"

# Two broken pod objects: one that names its pod, one too broken to.
cat >"$CONF_DIR/pods.d/default_victim.json" <<'EOF'
{"kind": "Pod", "metadata": {"namespace": "default", "name": "victim",
 "annotations": {"sfc.io/function": "firewall", "sfc.io/sfc-aware": "maybe"}}}
EOF
printf '{"kind": "Pod", "metadata": {"name": "mang' >"$CONF_DIR/pods.d/default_mangled.json"

# The agent reconciles on the change and logs the problem (once per
# change of its problems: twice if it ran between the two writes).
for i in $(seq 30); do
	[ "$(agent_mentions default_mangled.json)" -ge 1 ] && break
	sleep 0.1
done
logged=$(agent_mentions default_victim.json)
[ "$logged" -ge 1 ] && ok "sfc-agent logged the broken pod objects" ||
	not_ok "sfc-agent logged the broken pod objects ($(tail -n 3 "$TMP_DIR/agent.log"))"

out=$(add_bare plain)
assert_eq 0 $? "ADD of a pod without an object succeeds beside broken ones"
assert_ok "ADD of a pod with a valid object succeeds beside broken ones" pod_add late '{}'
out=$(add_bare victim)
rc=$?
assert_eq 1 $((rc != 0)) "ADD of the pod whose object is broken fails"
case "$out" in *default_victim.json*sfc.io/sfc-aware*) ok "its error names the file and the annotation" ;;
*) not_ok "its error names the file and the annotation (got: $out)" ;; esac
out=$(add_bare mangled)
rc=$?
assert_eq 1 $((rc != 0)) "ADD of the pod whose object does not even name it fails (by file name)"
case "$out" in *default_mangled.json*) ok "its error names the file" ;;
*) not_ok "its error names the file (got: $out)" ;; esac

# Two more reconciles (the ADDs changed endpoints/) and several rounds:
# the standing problem is still logged once.
sleep 0.5
assert_eq "$logged" "$(agent_mentions default_victim.json)" "sfc-agent logs a standing problem once"

out=$(sfcctl get pods)
assert_eq 1 "$(echo "$out" | awk '$1 == "default/victim" && $2 == "default_victim.json" && / error / && /sfc.io\/sfc-aware/' | wc -l)" \
	"get pods lists the broken object with its reason"
assert_eq 1 "$(echo "$out" | awk '$1 == "-" && $2 == "default_mangled.json" && / error /' | wc -l)" \
	"get pods lists the unreadable object by file"
assert_eq 1 "$(echo "$out" | awk '$1 == "default/client" && $3 == "fw-count" && / ok/' | wc -l)" \
	"get pods shows the client's chain, ok"
assert_eq "error ok" "$(sfcctl get pods -o json | python3 -c '
import json, sys
p = {x["file"]: x for x in json.load(sys.stdin)}
print(p["default_victim.json"]["status"], p["default_client.json"]["status"])')" \
	"get pods -o json: status per object"

a0=$(fw_hop_to)
assert_ok "the client's chain still works" ns_ping client "$SERVER_IP"
a1=$(fw_hop_to)
[ "$a1" -gt "$a0" ] && ok "its traffic still goes through the firewall ($a0 -> $a1)" ||
	not_ok "its traffic still goes through the firewall ($a0 -> $a1)"
rm -f "$CONF_DIR/pods.d/default_victim.json" "$CONF_DIR/pods.d/default_mangled.json"

# A chain file too broken to name its chain: the chain of its file name,
# whose last good maps stay, so the client's traffic stays in the chain.
printf '{"apiVersion": "sfc.io/v1alpha1", "kind": "Servi' >"$CONF_DIR/chains.d/fw-count.json"
assert_fail "reconcile reports the broken chain file" sfcctl reconcile
out=$(sfcctl get chains)
assert_eq 1 "$(echo "$out" | awk '$1 == "fw-count" && / error / && /fw-count.json/' | wc -l)" \
	"get chains shows fw-count's file as broken"
a0=$(fw_hop_to)
assert_ok "ping through the last good chain" ns_ping client "$SERVER_IP"
a1=$(fw_hop_to)
[ "$a1" -gt "$a0" ] && ok "its traffic still goes through the firewall ($a0 -> $a1)" ||
	not_ok "its traffic still goes through the firewall ($a0 -> $a1)"
assert_ok "chain fw-count fixed" topo_chain fail-closed

# An sfc_endpoints entry no record accounts for: other's record moved
# away, as if its ADD had been killed between the maps and the record.
rec=$STATE_DIR/endpoints/$PFX-other_eth0.json
vpid=$(json_get "$(cat "$rec")" '["vpid"]')
mv "$rec" "$TMP_DIR/other.rec"
on_cleanup "mv '$TMP_DIR/other.rec' '$rec'"
out=$(sfcctl get endpoints)
assert_eq 1 "$(echo "$out" | awk -v v="$vpid" -v ip="$OTHER_IP" '$1 == v && $4 == "-" && $9 == "ORPHAN" && index($8, ip)' | wc -l)" \
	"get endpoints shows the orphan entry (VPID $vpid, its address from the maps)"
assert_eq "True app" "$(sfcctl get endpoints -o json | python3 -c '
import json, sys
e = [x for x in json.load(sys.stdin) if x["vpid"] == int(sys.argv[1])]
print(e[0]["orphan"], e[0]["role"]) if len(e) == 1 else print(e)' "$vpid")" \
	"get endpoints -o json marks it orphan"
assert_eq "False" "$(sfcctl get endpoints -o json | python3 -c '
import json, sys
print(any(x["orphan"] for x in json.load(sys.stdin) if x["pod"] == "default/client"))')" \
	"pods with records are no orphans"
mv "$TMP_DIR/other.rec" "$rec"

out=$(sfcctl get chains -o wide 2>&1)
rc=$?
assert_eq 1 "$rc" "sfcctl refuses -o wide"
case "$out" in *"-o wide: expected json or table"*) ok "and says what it takes" ;;
*) not_ok "and says what it takes (got: $out)" ;; esac

summary
