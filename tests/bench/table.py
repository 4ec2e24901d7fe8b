#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""table.py ROWS TABLE_TSV - the one table `make bench` prints at the end.

ROWS holds the rows the bench scripts appended (tests/e2e/bench_lib.sh,
bench_row), tab-separated: group, metric, value, baseline ("-" if none),
unit, target ("", "ratio>=X", "ratio<=X", "value>=X", "value<=X"), note.
This computes ratio = value / baseline and whether each target is met,
prints the table (notes as numbered footnotes under it) and writes it to
TABLE_TSV with a header line: group, metric, value, baseline, ratio, unit,
target, met, note; values as the scripts wrote them, ratio to two
decimals. A value that could not be measured is "nan"; its target shows
"n/a". Nothing is asserted: the exit status is 0 whatever
the figures say.
"""
import math
import sys

COLS = ["group", "metric", "value", "baseline", "ratio", "unit", "target", "met", "note"]


def num(s):
    try:
        return float(s)
    except ValueError:
        return math.nan


def judge(target, value, ratio):
    """(printable target, 'yes' / 'NO' / 'n/a' / '')."""
    if not target:
        return "", ""
    what, op, x = target[:5], target[5:7], float(target[7:])
    v = ratio if what == "ratio" else value
    shown = f"{op} {x:g}" + ("x" if what == "ratio" else "")
    if math.isnan(v):
        return shown, "n/a"
    ok = v >= x if op == ">=" else v <= x
    return shown, "yes" if ok else "NO"


def main():
    rows_path, out_path = sys.argv[1:3]
    rows = []
    for line in open(rows_path):
        f = line.rstrip("\n").split("\t")
        if len(f) < 7:
            continue
        group, metric, value, base, unit, target, note = f[:7]
        v, b = num(value), num(base)
        ratio = v / b if base != "-" and b and not math.isnan(b) else math.nan
        shown, met = judge(target, v, ratio)
        rows.append({"group": group, "metric": metric, "value": value,
                     "baseline": base,
                     "ratio": "-" if base == "-" else f"{ratio:.2f}",
                     "unit": unit, "target": shown, "met": met, "note": note})
    with open(out_path, "w") as out:
        out.write("\t".join(COLS) + "\n")
        for r in rows:
            out.write("\t".join(r[c] for c in COLS) + "\n")

    notes = []
    for r in rows:
        if r["note"]:
            notes.append(r["note"])
            r["metric"] += f" [{len(notes)}]"
    head = ["metric", "value", "baseline", "ratio", "unit", "target", "met"]
    w = {c: max([len(c)] + [len(r[c]) for r in rows]) for c in head}
    def cells(r):
        return ("  " + "  ".join(f"{r[c]:<{w[c]}}" if c == "metric" else f"{r[c]:>{w[c]}}"
                                 for c in head)).rstrip()

    print(cells({c: c for c in head}))
    group = None
    for r in rows:
        if r["group"] != group:
            group = r["group"]
            print(f"{group}:")
        print(cells(r))
    if notes:
        print("notes:")
        for i, n in enumerate(notes, 1):
            print(f"  [{i}] {n}")
    print(f"(also in {out_path})")


if __name__ == "__main__":
    main()
