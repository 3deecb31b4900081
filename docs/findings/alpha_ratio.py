#!/usr/bin/env python3
"""Per-coordinate adaptivity of each run in a zoscope runs.csv (docs/findings.md).

The experiment views coordinates (stiff, soft) of the N-D quadratic, so alpha_x and alpha_y
are each method's effective step size on its stiffest and softest axis. Prints, per run, the
ratio alpha_y / alpha_x over the steps (median and 5-95% range) and the median over steps of
q75 / q25 of the step sizes of all coordinates. Standard library only.
Usage: alpha_ratio.py OUT/runs.csv
"""
import csv
import statistics
import sys

runs = {}
with open(sys.argv[1], newline="") as f:
    for r in csv.DictReader(f):
        if r["step"] != "0":
            runs.setdefault(r["label"], []).append(r)
print(f"{'run':8} {'steps':>6}  {'soft/stiff median':>17}  {'p5':>6}  {'p95':>6}  {'q75/q25 (median step)':>21}")
for label, rows in runs.items():
    ratio = sorted(float(r["alpha_y"]) / float(r["alpha_x"]) for r in rows if float(r["alpha_x"]) > 0)
    n = len(ratio)
    iqr = statistics.median(float(r["alpha_q75"]) / float(r["alpha_q25"]) for r in rows)
    print(f"{label:8} {n:6d}  {statistics.median(ratio):17.3g}  {ratio[int(0.05 * n)]:6.3g}  {ratio[int(0.95 * n)]:6.3g}  {iqr:21.3g}")
