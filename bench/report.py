#!/usr/bin/env python3
"""Turns bench/run.sh results (hyperfine JSON, peak RSS and exit status files) into a markdown
table with ratios to keyfence and to the ripgrep floor. Usage: report.py RESULTS_DIR

The exit column is the status of one plain run: 1 usually means findings; a peer's error would
show here, since hyperfine itself accepts any status."""
import glob
import json
import os
import sys

results = sys.argv[1]
modes = {}
for path in sorted(glob.glob(os.path.join(results, "*.json"))):
    mode, name = os.path.basename(path)[: -len(".json")].split(".", 1)
    try:
        run = json.load(open(path))["results"][0]
    except (ValueError, KeyError, IndexError):
        print(f"(skipped {path}: not a finished hyperfine result)", file=sys.stderr)
        continue
    rss_path = path[: -len(".json")] + ".rss"
    rss = None
    if os.path.exists(rss_path):
        text = open(rss_path).read().split()
        rss = int(text[-1]) if text and text[-1].isdigit() else None
    exit_path = path[: -len(".json")] + ".exit"
    status = open(exit_path).read().strip() if os.path.exists(exit_path) else ""
    modes.setdefault(mode, {})[name] = (run["mean"], run["stddev"] or 0.0, run.get("median", run["mean"]), rss, status)

order = ["startup", "dir", "history", "staged-1", "staged-1000", "stdin"]
print("| mode | tool | mean | median | ± | × keyfence | × ripgrep floor | peak RSS | exit |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for mode in sorted(modes, key=lambda m: order.index(m) if m in order else 99):
    tools = modes[mode]
    base = tools.get("keyfence", (None,))[0]
    floor = tools.get("ripgrep-floor", (None,))[0]
    for name, (mean, sd, median, rss, status) in sorted(tools.items(), key=lambda kv: kv[1][0]):
        def fmt(s):
            return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"
        vs_kf = f"{mean / base:.2f}" if base else ""
        vs_floor = f"{mean / floor:.2f}" if floor else ""
        mem = f"{rss / 1024:.0f} MiB" if rss else ""
        print(f"| {mode} | {name} | {fmt(mean)} | {fmt(median)} | {fmt(sd)} | {vs_kf} | {vs_floor} | {mem} | {status} |")
