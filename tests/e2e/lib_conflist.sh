# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lib_conflist.sh - a tiny conflist runner for e2e tests, sourced after
# lib.sh. Runs a network configuration list the way libcni does:
#   ADD   members in order; member i gets the member's JSON with the list's
#         "cniVersion" and "name" injected, "runtimeConfig" holding those
#         runtime capability args ($CAP_ARGS, JSON object) the member
#         declares in "capabilities", and "prevResult" = member i-1's result;
#         the last result is printed and cached.
#   CHECK members in order, each with prevResult = the cached result.
#   DEL   members in reverse order, each with prevResult = the cached result
#         (when there is one); the cache is then removed.
# Same CNI_* environment for every member; CNI_PATH = $BUILD/bin:/usr/lib/cni.
# The plugins run in the caller's netns, or in $CONFLIST_NETNS (a netns
# path, e.g. "$(ns_path node)") when set, entered with nsenter --net.
#
#   conflist_run CMD NETNS IFNAME CONTAINERID < conflist.json
#
# A successful ADD registers a DEL (same list, same args, same
# $CONFLIST_NETNS) with on_cleanup.
# Status: the first failing member's exit status (its error JSON on stdout).

conflist_run() {
	local cmd=$1 netns=$2 ifname=$3 cid=$4 list rc dir
	list=$(cat)
	dir="$TMP_DIR/conflist"
	mkdir -p "$dir"
	printf '%s' "$list" >"$dir/${cid}_${ifname}.list"
	CNI_COMMAND=$cmd CNI_CONTAINERID=$cid CNI_NETNS=$netns CNI_IFNAME=$ifname \
		CNI_PATH="$BUILD/bin:/usr/lib/cni" CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=$cid" \
		CACHE="$dir/${cid}_${ifname}.result" CAP_ARGS="${CAP_ARGS:-{\}}" \
		${CONFLIST_NETNS:+nsenter --net="$CONFLIST_NETNS"} python3 - "$dir/${cid}_${ifname}.list" <<'PY'
import json, os, subprocess, sys
lst = json.load(open(sys.argv[1]))
cmd, cache = os.environ["CNI_COMMAND"], os.environ["CACHE"]
caps = json.loads(os.environ["CAP_ARGS"])
paths = os.environ["CNI_PATH"].split(":")
cached = json.load(open(cache)) if os.path.exists(cache) else None

def member(p, prev):
    c = dict(p)
    c["cniVersion"], c["name"] = lst["cniVersion"], lst["name"]
    rc = {k: v for k, v in caps.items() if p.get("capabilities", {}).get(k)}
    if rc:
        c["runtimeConfig"] = rc
    if prev is not None:
        c["prevResult"] = prev
    return json.dumps(c).encode()

def run(p, prev):
    exe = next((os.path.join(d, p["type"]) for d in paths
                if os.access(os.path.join(d, p["type"]), os.X_OK)), None)
    if exe is None:
        print(json.dumps({"cniVersion": lst["cniVersion"], "code": 7, "msg": "no plugin " + p["type"]}))
        sys.exit(1)
    r = subprocess.run([exe], input=member(p, prev), capture_output=True)
    sys.stderr.write(r.stderr.decode(errors="replace"))
    if r.returncode:
        sys.stdout.write(r.stdout.decode(errors="replace"))
        sys.exit(r.returncode)
    return json.loads(r.stdout) if r.stdout.strip() else None

plugins = lst["plugins"]
if cmd == "ADD":
    prev = None
    for p in plugins:
        prev = run(p, prev)
    json.dump(prev, open(cache, "w"))
    print(json.dumps(prev))
elif cmd == "CHECK":
    for p in plugins:
        run(p, cached)
elif cmd == "DEL":
    for p in reversed(plugins):
        run(p, cached)
    if os.path.exists(cache):
        os.unlink(cache)
PY
	rc=$?
	if [ "$cmd" = ADD ] && [ $rc -eq 0 ]; then
		on_cleanup "CONFLIST_NETNS='${CONFLIST_NETNS:-}' CAP_ARGS='${CAP_ARGS:-{\}}' conflist_run DEL '$netns' '$ifname' '$cid' <'$dir/${cid}_${ifname}.list'"
	fi
	return $rc
}
