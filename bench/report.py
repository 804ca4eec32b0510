#!/usr/bin/env python3
"""Turns bench/run.sh results (hyperfine JSON, the plain run's time file and exit status) into a
markdown table with ratios to keyfence and to the floor (ripgrep, or `git log -p`). Usage:
report.py RESULTS_DIR

Time columns come from hyperfine; with `--runs 0` (no hyperfine) from the one plain run, without
a spread. CPU is user + system seconds of the plain run, children included (GNU time), the
figure to compare on a shared machine. The exit column is the status of that run: 1 usually
means findings; a peer's error would show here, since hyperfine itself accepts any status."""
import glob
import json
import os
import sys

results = sys.argv[1]
modes = {}
for path in sorted(glob.glob(os.path.join(results, "*.rss"))):
    stem = path[: -len(".rss")]
    mode, name = os.path.basename(stem).split(".", 1)
    # "%e %U %S %M" (wall, user, system, peak KiB); older runs wrote "%M" alone.
    fields = open(path).read().split()
    numbers = fields[-4:] if len(fields) >= 4 else fields[-1:]
    try:
        numbers = [float(x) for x in numbers]
    except ValueError:
        print(f"(skipped {path}: the command did not finish)", file=sys.stderr)
        continue
    rss = numbers[-1]
    wall, cpu = (numbers[0], numbers[1] + numbers[2]) if len(numbers) == 4 else (None, None)
    mean, sd, median = wall, None, wall
    if os.path.exists(stem + ".json"):
        try:
            run = json.load(open(stem + ".json"))["results"][0]
            mean, sd, median = run["mean"], run["stddev"] or 0.0, run.get("median", run["mean"])
        except (ValueError, KeyError, IndexError):
            print(f"(hyperfine result {stem}.json unfinished: plain run's time used)", file=sys.stderr)
    if mean is None:
        continue
    status = open(stem + ".exit").read().strip() if os.path.exists(stem + ".exit") else ""
    modes.setdefault(mode, {})[name] = (mean, sd, median, cpu, rss, status)

order = ["startup", "dir", "history", "staged-1", "staged-1000", "stdin"]


def fmt(s):
    if s is None:
        return ""
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


print("| mode | tool | mean | median | ± | × keyfence | × floor | CPU (user + sys) | × keyfence CPU | peak RSS | exit |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for mode in sorted(modes, key=lambda m: (order.index(m) if m in order else 99, m)):
    tools = modes[mode]
    base = tools.get("keyfence", (None,) * 4)
    floor = next((t[0] for n, t in tools.items() if n.endswith("-floor")), None)
    for name, (mean, sd, median, cpu, rss, status) in sorted(tools.items(), key=lambda kv: kv[1][0]):
        vs_kf = f"{mean / base[0]:.2f}" if base[0] else ""
        vs_floor = f"{mean / floor:.2f}" if floor else ""
        cpu_vs_kf = f"{cpu / base[3]:.2f}" if cpu and base[3] else ""
        mem = f"{rss / 1024:.0f} MiB" if rss else ""
        print(f"| {mode} | {name} | {fmt(mean)} | {fmt(median)} | {fmt(sd)} | {vs_kf} | {vs_floor} | {fmt(cpu)} | {cpu_vs_kf} | {mem} | {status} |")
