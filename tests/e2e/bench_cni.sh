#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-cni: ADD and DEL latency of sfc-cni against the reference
# bridge plugin (/usr/lib/cni/bridge + host-local, its own per-run bridge
# "${PFX}br") on this machine, in the same run. BENCH_PODS (default 50)
# pods are ADDed, then DELed, on an empty node; then the same with
# BENCH_LOADED (default 250) pods of each plugin already on the node. The
# plugins take turns pod by pod (the order rotating), so a change of load
# on the machine hits them alike. Every invocation is timed with a
# monotonic clock around the exec (one python3 driver runs them all);
# median and p99 are printed with the ratio to bridge. Nothing is
# asserted.
#
# BENCH_BASE=/path/to/sfc-cni adds another sfc-cni build (say the last
# commit's, from a git worktree) as plugin "base", with its own pin dir,
# state dir and subnet, and prints sfc-cni/base too.
# BENCH_ATTACH=MODE[,MODE] (tc, tcx, auto) adds this build once more per
# MODE, configured with "hookAttach": MODE, as plugin "sfc-MODE" (same
# pins, records and subnet as sfc-cni, which runs the default config);
# its lines and rows follow sfc-cni's.
# BENCH_PHASES (default 10): that many more ADD/DEL of each sfc-cni build
# under `perf trace` (only the syscalls named below, when perf is
# installed), summed per kind and printed as medians: where the time goes.
# BENCH_ROWS=FILE (set by bench.sh) also appends the median rows of
# sfc-cni against bridge to FILE for `make bench`'s table
# (tests/bench/table.py), target at most half of bridge's (issue 10).
# Both plugins run in the per-run node netns of lib.sh: bridge's isGateway
# turns on IP forwarding and its bridge, addresses and routes stay there
# (they would otherwise change the root netns for every later test).
set -u
here=$(cd "$(dirname "$0")" && pwd)
SFC_SUBNET=${SFC_SUBNET:-10.$((100 + ($$ >> 8) % 100)).0.0/16}
. "$here/lib.sh"

PODS=${BENCH_PODS:-50}
LOADED=${BENCH_LOADED:-250}
PHASES=${BENCH_PHASES:-10}
BASE=${BENCH_BASE:-}
ATTACH=${BENCH_ATTACH:-}
for m in ${ATTACH//,/ }; do
	case $m in tc|tcx|auto) ;; *) echo "bench-cni: BENCH_ATTACH: '$m' is not tc, tcx or auto" >&2; exit 1 ;; esac
done
[ -x /usr/lib/cni/bridge ] || { echo "bench-cni: /usr/lib/cni/bridge missing" >&2; exit 1; }
[ -z "$BASE" ] || [ -x "$BASE" ] || { echo "bench-cni: BENCH_BASE $BASE is no executable" >&2; exit 1; }
NET16=${SUBNET%.0.0/16}

hl() { echo "{\"type\": \"host-local\", \"dataDir\": \"$IPAM_DIR\", \"ranges\": [[{\"subnet\": \"$NET16.$1\"}]]}"; }
SFC_CONF=$(cni_conf "" "$(hl 0.0/18)")
BR_CONF=$(cat <<EOF
{"cniVersion": "1.0.0", "name": "$PFX-br", "type": "bridge", "bridge": "${PFX}br",
 "isGateway": true, "ipMasq": false, "ipam": $(hl 128.0/17)}
EOF
)
# The base build keeps its pins, records and addresses apart: its BPF
# objects (and layout) may differ from this build's.
BASE_PINS=${PIN_DIR}b
BASE_CONF=$(cni_conf "" "$(hl 64.0/18)" | sed -e "s|\"$PIN_DIR\"|\"$BASE_PINS\"|" \
	-e "s|\"$STATE_DIR\"|\"$STATE_DIR-base\"|" -e "s|\"$NET_NAME\"|\"$NET_NAME-base\"|")
on_cleanup "rm -rf '$BASE_PINS' 2>/dev/null"
node_netns_add || { echo "bench-cni: cannot create the node netns" >&2; exit 1; }

spec=$TMP_DIR/bench.json
python3 - "$spec" "$PFX" "$BUILD/bin:/usr/lib/cni" "$CNI_BIN" "$SFC_CONF" \
	/usr/lib/cni/bridge "$BR_CONF" "$BASE" "$BASE_CONF" "$ATTACH" <<'PY'
import json, sys
out, pfx, path, sfc, sconf, br, bconf, base, baseconf, attach = sys.argv[1:]
pl = [{"name": "sfc-cni", "tag": "s", "bin": sfc, "conf": sconf},
      {"name": "bridge", "tag": "b", "bin": br, "conf": bconf}]
for i, mode in enumerate(m for m in attach.split(",") if m):
    c = json.loads(sconf)
    c["hookAttach"] = mode
    pl.append({"name": f"sfc-{mode}", "tag": f"m{i}", "bin": sfc,
               "conf": json.dumps(c)})
if base:
    pl.append({"name": "base", "tag": "o", "bin": base, "conf": baseconf})
json.dump({"pfx": pfx, "path": path, "plugins": pl}, open(out, "w"))
PY

perf_ok=0
if [ "$PHASES" -gt 0 ] && command -v perf >/dev/null &&
	perf trace -e bpf -- true >/dev/null 2>&1; then
	perf_ok=1
fi

echo "bench-cni: $PODS pods per set, then with $LOADED pods of each plugin on the node"
node python3 - "$spec" "$PODS" "$LOADED" "$((perf_ok * PHASES))" "$TMP_DIR" <<'PY'
import json, os, re, statistics, subprocess, sys, time

spec = json.load(open(sys.argv[1]))
pods, loaded, phases, tmp = (int(sys.argv[2]), int(sys.argv[3]),
                             int(sys.argv[4]), sys.argv[5])
pfx, plugins = spec["pfx"], spec["plugins"]


def netns(name, op):
    subprocess.run(["ip", "netns", op, f"{pfx}-{name}"], check=True)


def invoke(pl, cmd, pod, wrap=()):
    """Run one CNI command of plugin pl for pod; return its time in ms."""
    env = dict(os.environ, CNI_COMMAND=cmd, CNI_CONTAINERID=pod,
               CNI_NETNS=f"/var/run/netns/{pfx}-{pod}", CNI_IFNAME="eth0",
               CNI_PATH=spec["path"], CNI_ARGS="IgnoreUnknown=1")
    data = pl["conf"].encode()
    t = time.monotonic_ns()
    r = subprocess.run(list(wrap) + [pl["bin"]], input=data, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = (time.monotonic_ns() - t) / 1e6
    if r.returncode:
        sys.exit(f"bench-cni: {pl['name']} {cmd} {pod} failed: "
                 + r.stderr.decode(errors="replace")[-300:])
    return dt


def turns(i):
    """Plugins in the order of round i: each goes first in turn."""
    k = i % len(plugins)
    return plugins[k:] + plugins[:k]


def run_set(tag, n):
    """n pods per plugin ADDed then DELed, the plugins taking turns."""
    t = {p["name"]: {"add": [], "del": []} for p in plugins}
    for op, cmd in (("add", "ADD"), ("del", "DEL")):
        for i in range(n):
            for p in turns(i):
                pod = f"{p['tag']}{tag}{i}"
                if op == "add":
                    netns(pod, "add")
                t[p["name"]][op].append(invoke(p, cmd, pod))
                if op == "del":
                    netns(pod, "del")
    return t


def load(n, cmd):
    for i in range(n):
        for p in turns(i):
            pod = f"{p['tag']}l{i}"
            if cmd == "ADD":
                netns(pod, "add")
            invoke(p, cmd, pod)
            if cmd == "DEL":
                netns(pod, "del")


def stat(v):
    v = sorted(v)
    return statistics.median(v), v[min(len(v) - 1, round(0.99 * (len(v) - 1)))]


def row(group, metric, value, base, note):
    """One row of make bench's table, when BENCH_ROWS names its file."""
    if os.environ.get("BENCH_ROWS"):
        with open(os.environ["BENCH_ROWS"], "a") as f:
            f.write("\t".join([group, metric, f"{value:.1f}", f"{base:.1f}", "ms",
                               "ratio<=0.5", note]) + "\n")


def report(label, t):
    print(label)
    br = t["bridge"]
    for op in ("add", "del"):
        bm, bp = stat(br[op])
        for p in plugins:
            if p["name"].startswith("sfc-"):
                m, q = stat(t[p["name"]][op])
                row(f"CNI {label.rstrip(':')}", f"{op.upper()} median, {p['name']} vs bridge",
                    m, bm, f"n={len(br[op])}, p99 {p['name']} {q:.1f} ms, bridge {bp:.1f} ms")
        print(f"  {op.upper()} n={len(br[op])}  bridge   median {bm:6.1f} ms  p99 {bp:6.1f} ms")
        for p in plugins:
            if p["name"] == "bridge":
                continue
            m, q = stat(t[p["name"]][op])
            line = (f"  {op.upper()} n={len(br[op])}  {p['name']:<8} median {m:6.1f} ms  "
                    f"p99 {q:6.1f} ms | /bridge median {m / bm:.2f}  p99 {q / bp:.2f}")
            if p["name"] == "sfc-cni" and "base" in t:
                om, oq = stat(t["base"][op])
                line += f" | /base median {m / om:.2f}  p99 {q / oq:.2f}"
            print(line)


# perf trace line: "  2.364 (15.066 ms): [comm/tid ]name(args) = ret"
TRACE = re.compile(r"\(\s*([\d.]+) ms\): (?:\S+/\d+ )?(\w+)\((.*)\)\s+=\s*(\S*)")


def kinds(path):
    """Time per kind of blocking call in one perf trace output, and the
    process's run time from exec to exit (the time of exit_group)."""
    k = {"tcx attach": 0.0, "tcx detach": 0.0, "tc attach": 0.0, "netlink": 0.0,
         "ipam wait": 0.0, "fsync": 0.0, "other bpf": 0.0}
    total = 0.0
    for line in open(path):
        if "exit_group(" in line:
            total = float(line.split()[0])
            continue
        m = TRACE.search(line)
        if not m:
            continue
        ms, name, args = float(m.group(1)), m.group(2), m.group(3)
        if name == "bpf":
            key = ("tcx attach" if "LINK_CREATE" in args else
                   "tcx detach" if "LINK_DETACH" in args else "other bpf")
        elif name == "sendto":
            key = "tc attach"   # libbpf's bpf_tc_* netlink requests (libnl uses sendmsg)
        elif name in ("sendmsg", "recvmsg"):
            key = "netlink"
        elif name in ("read", "wait4"):
            key = "ipam wait"   # stdin and small files read in microseconds
        else:
            key = name
        k[key] = k.get(key, 0.0) + ms
    return k, total


def phases_of(p, n):
    """n ADD then n DEL of p under perf trace: medians per kind."""
    wrap = ["perf", "trace", "--no-inherit", "-e",
            "bpf,sendto,sendmsg,recvmsg,read,wait4,fsync,exit_group", "-o"]
    res = {"ADD": [], "DEL": []}
    for cmd in ("ADD", "DEL"):
        for i in range(n):
            pod = f"{p['tag']}p{i}"
            if cmd == "ADD":
                netns(pod, "add")
            out = f"{tmp}/trace.{p['tag']}.{cmd}.{i}"
            invoke(p, cmd, pod, wrap + [out, "--"])
            if cmd == "DEL":
                netns(pod, "del")
            k, total = kinds(out)
            k["rest"] = total - sum(k.values())
            k["exec to exit"] = total
            res[cmd].append(k)
    for cmd, rows in res.items():
        keys = [k for k in rows[0] if any(r.get(k, 0) > 0.05 for r in rows)]
        cells = [f"{k} {statistics.median(r.get(k, 0.0) for r in rows):.1f}"
                 for k in keys]
        print(f"  {p['name']} {cmd}: " + ", ".join(cells))


report("empty node:", run_set("e", pods))
if loaded:
    load(loaded, "ADD")
    report(f"with {loaded} pods of each plugin on the node:", run_set("x", pods))
    load(loaded, "DEL")
if phases:
    print(f"where the time goes, ms from exec to exit (median of {phases} under perf "
          "trace of bpf, netlink, read/wait4 on the IPAM plugin, fsync: each traced "
          "call costs more; rest = process start, parsing, files, other syscalls):")
    for p in plugins:
        if p["name"] != "bridge":
            phases_of(p, phases)
PY
