#!/usr/bin/env python3
"""Scores keyfence (and optionally gitleaks) against a corpus written by generate.py.

    evaluate.py --corpus DIR --keyfence BIN [--gitleaks BIN] [--json OUT] [--details]

A planted secret is found when a finding lies in the same file, starts on its labeled line or
spans it (multi-line findings), and the finding's secret equals or contains the label's secret or
the other way round (whitespace and `\\n` escapes ignored; a finding's secret must be at least 8
characters to count as "contained in" a label). For encoded secrets (family "encoded") any finding
on the line counts. A finding that matches no label is a false positive. Findings in labels.json
and decoys.json themselves are dropped.

Per family: planted, found, recall, findings, false positives, precision. A finding that matches a
label counts for that label's family; a false positive is charged to the family its rule id looks
like (see RULE_FAMILY), or "other". Python 3 standard library only. Always exits 0 unless the
corpus or a scanner cannot be run at all.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

FAMILIES = ["servicetitan", "cloud", "code-hosting", "payments", "messaging", "ai", "observability",
            "identity", "private-keys", "connection-strings", "generic", "encoded", "providers"]

# Rule id fragments -> family, for charging false positives (first match wins).
RULE_FAMILY = [
    ("servicetitan", "servicetitan"),
    ("private-key", "private-keys"), ("privatekey", "private-keys"), ("pgp", "private-keys"),
    ("aws", "cloud"), ("gcp", "cloud"), ("google", "cloud"), ("azure", "cloud"), ("digitalocean", "cloud"),
    ("heroku", "cloud"), ("cloudflare", "cloud"), ("alibaba", "cloud"),
    ("github", "code-hosting"), ("gitlab", "code-hosting"), ("npm", "code-hosting"), ("pypi", "code-hosting"),
    ("docker", "code-hosting"), ("nuget", "code-hosting"), ("rubygems", "code-hosting"),
    ("crates", "code-hosting"), ("bitbucket", "code-hosting"),
    ("stripe", "payments"), ("square", "payments"), ("paypal", "payments"), ("braintree", "payments"),
    ("shopify", "payments"),
    ("slack", "messaging"), ("twilio", "messaging"), ("sendgrid", "messaging"), ("mailgun", "messaging"),
    ("mailchimp", "messaging"), ("discord", "messaging"), ("telegram", "messaging"),
    ("openai", "ai"), ("anthropic", "ai"), ("huggingface", "ai"), ("hugging", "ai"),
    ("datadog", "observability"), ("new-relic", "observability"), ("newrelic", "observability"),
    ("sentry", "observability"),
    ("okta", "identity"), ("atlassian", "identity"), ("jira", "identity"), ("jwt", "identity"),
    ("postgres", "connection-strings"), ("mysql", "connection-strings"), ("mongo", "connection-strings"),
    ("redis", "connection-strings"), ("amqp", "connection-strings"), ("connection", "connection-strings"),
    ("url", "connection-strings"), ("basic-auth", "connection-strings"), ("uri", "connection-strings"),
    ("generic", "generic"), ("password", "generic"), ("secret", "generic"), ("token", "generic"),
    ("api-key", "generic"),
]

META = {"labels.json", "decoys.json"}


def rule_family(rule_id):
    low = rule_id.lower()
    for frag, fam in RULE_FAMILY:
        if frag in low:
            return fam
    return "other"


def norm(s):
    return re.sub(r"\\[nr]|\s", "", s or "")


def secret_match(found, label):
    a, b = norm(found), norm(label)
    if not a or not b:
        return False
    if b in a:
        return True
    return a in b and len(a) >= min(8, len(b))


def rel_path(path, corpus, top):
    """A finding's path as a path relative to the corpus root (or None outside it)."""
    if path.startswith("./"):
        path = path[2:]
    if os.path.isabs(path):
        full = path
    elif os.path.exists(os.path.join(corpus, path)):
        full = os.path.join(corpus, path)
    elif top and os.path.exists(os.path.join(top, path)):
        full = os.path.join(top, path)
    else:
        full = os.path.join(corpus, path)
    rel = os.path.relpath(os.path.realpath(full), os.path.realpath(corpus))
    if rel.startswith(".."):
        return None
    return rel.replace(os.sep, "/")


def git_top(corpus):
    try:
        out = subprocess.run(["git", "-C", corpus, "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, timeout=30)
        return out.stdout.strip() if out.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def run_keyfence(binary, corpus):
    proc = subprocess.run([binary, "scan", ".", "--format", "json", "--show-secrets"], cwd=corpus,
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print("warning: keyfence exited %d: %s" % (proc.returncode, proc.stderr.strip()[:500]),
              file=sys.stderr)
    try:
        rows = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError as e:
        sys.exit("keyfence output is not JSON (%s): %s" % (e, proc.stdout[:300]))
    return [dict(rule=r.get("rule_id", ""), path=r.get("path", ""), line=int(r.get("line") or 0),
                 end_line=int(r.get("end_line") or r.get("line") or 0), secret=r.get("secret", ""))
            for r in rows]


def run_gitleaks(binary, corpus):
    fd, report = tempfile.mkstemp(prefix="gitleaks-", suffix=".json")
    os.close(fd)
    try:
        common = ["--report-format", "json", "--report-path", report, "--no-banner", "--exit-code", "0"]
        proc = subprocess.run([binary, "dir", "."] + common, cwd=corpus, capture_output=True, text=True)
        if proc.returncode != 0 and "unknown command" in (proc.stderr + proc.stdout).lower():
            proc = subprocess.run([binary, "detect", "--no-git", "--source", "."] + common, cwd=corpus,
                                  capture_output=True, text=True)
        if proc.returncode != 0:
            print("warning: gitleaks exited %d: %s" % (proc.returncode, proc.stderr.strip()[-500:]),
                  file=sys.stderr)
        with open(report, encoding="utf-8") as f:
            text = f.read()
        rows = json.loads(text) if text.strip() else []
    finally:
        os.unlink(report)
    return [dict(rule=r.get("RuleID", ""), path=r.get("File", ""), line=int(r.get("StartLine") or 0),
                 end_line=int(r.get("EndLine") or r.get("StartLine") or 0), secret=r.get("Secret", ""))
            for r in rows or []]


def score(findings, labels, decoys, corpus, top):
    by_line = {}
    for i, lab in enumerate(labels):
        by_line.setdefault(lab["path"], []).append(i)
    decoy_at = {(d["path"], d["line"]): d["kind"] for d in decoys}
    found = [False] * len(labels)
    found_by = [[] for _ in labels]  # rule ids of the findings that matched each label
    kept, fps = [], []
    for f in findings:
        path = rel_path(f["path"], corpus, top)
        if path is None or path in META:
            continue
        f = dict(f, path=path)
        end = max(f["end_line"], f["line"])
        hits = []
        for i in by_line.get(path, []):
            lab = labels[i]
            if f["line"] in lab.get("context_lines", ()):
                hits.append(i)
                continue
            if not f["line"] <= lab["line"] <= end:
                continue
            if lab["family"] == "encoded" or secret_match(f["secret"], lab["secret"]):
                hits.append(i)
        for i in hits:
            found[i] = True
            found_by[i].append(f["rule"])
        if hits:
            f["family"] = labels[hits[0]]["family"]
            f["tp"] = True
        else:
            f["family"] = rule_family(f["rule"])
            f["tp"] = False
            f["decoy"] = next((decoy_at[(path, n)] for n in range(f["line"], end + 1)
                               if (path, n) in decoy_at), None)
            fps.append(f)
        kept.append(f)
    fams = {}
    for name in FAMILIES + ["other"]:
        fams[name] = dict(planted=0, found=0, findings=0, false_positives=0)
    for i, lab in enumerate(labels):
        row = fams.setdefault(lab["family"], dict(planted=0, found=0, findings=0, false_positives=0))
        row["planted"] += 1
        row["found"] += found[i]
    for f in kept:
        row = fams.setdefault(f["family"], dict(planted=0, found=0, findings=0, false_positives=0))
        row["findings"] += 1
        row["false_positives"] += not f["tp"]
    total = dict(planted=len(labels), found=sum(found), findings=len(kept), false_positives=len(fps))
    for row in list(fams.values()) + [total]:
        row["recall"] = row["found"] / row["planted"] if row["planted"] else None
        tp = row["findings"] - row["false_positives"]
        row["precision"] = tp / row["findings"] if row["findings"] else None
    kinds = {}
    for i, lab in enumerate(labels):
        k = kinds.setdefault(lab["kind"], dict(family=lab["family"], planted=0, found=0))
        k["planted"] += 1
        k["found"] += found[i]
    missed = [labels[i] for i in range(len(labels)) if not found[i]]
    rules_by_label = [dict(path=labels[i]["path"], line=labels[i]["line"], kind=labels[i]["kind"],
                           family=labels[i]["family"], rules=found_by[i])
                      for i in range(len(labels)) if found[i]]
    return dict(families=fams, total=total, kinds=kinds, missed=missed, false_positives=fps,
                found_by=rules_by_label)


def pct(x):
    return "   -" if x is None else "%3d%%" % round(100 * x)


def print_table(results, names):
    fam_names = [f for f in FAMILIES + ["other"]
                 if any(results[n]["families"].get(f, {}).get("planted") or
                        results[n]["families"].get(f, {}).get("findings") for n in names)]
    fam_names += sorted({f for n in names for f in results[n]["families"]} - set(fam_names) - {"other"}
                        - set(FAMILIES))
    cols = "%5s %6s %6s %5s %6s" % ("found", "recall", "finds", "FP", "prec.")
    head = "%-19s %7s" % ("family", "planted") + "".join(" | %-33s" % n for n in names)
    print(head)
    print("%-19s %7s" % ("", "") + "".join(" | %-33s" % cols for _ in names))
    print("-" * len(head))

    def row(label, planted, cells):
        line = "%-19s %7s" % (label, planted)
        for c in cells:
            line += " | %5d %6s %6d %5d %6s   " % (c["found"], pct(c["recall"]), c["findings"],
                                                  c["false_positives"], pct(c["precision"]))
        print(line)
    for fam in fam_names:
        cells = [results[n]["families"].get(fam, dict(found=0, recall=None, findings=0, false_positives=0,
                                                      precision=None)) for n in names]
        row(fam, results[names[0]]["families"].get(fam, {}).get("planted", 0), cells)
    print("-" * len(head))
    row("total", results[names[0]]["total"]["planted"], [results[n]["total"] for n in names])


def print_details(results, names):
    for n in names:
        r = results[n]
        print("\n== %s: recall by kind" % n)
        for kind, k in sorted(r["kinds"].items(), key=lambda kv: (kv[1]["family"], kv[0])):
            print("  %-18s %-32s %d/%d" % (k["family"], kind, k["found"], k["planted"]))
        print("\n== %s: false positives (%d)" % (n, len(r["false_positives"])))
        for f in r["false_positives"]:
            print("  %s:%d  %-32s decoy=%s  %s" % (f["path"], f["line"], f["rule"], f.get("decoy"),
                                                  f["secret"][:60]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--keyfence", required=True, help="keyfence binary")
    ap.add_argument("--gitleaks", help="gitleaks binary (optional)")
    ap.add_argument("--json", dest="json_out", help="write the numbers (and misses, FPs) to this file")
    ap.add_argument("--details", action="store_true", help="also print recall per kind and every FP")
    args = ap.parse_args()
    corpus = os.path.abspath(args.corpus)
    with open(os.path.join(corpus, "labels.json"), encoding="utf-8") as f:
        labels = json.load(f)
    decoys = []
    if os.path.exists(os.path.join(corpus, "decoys.json")):
        with open(os.path.join(corpus, "decoys.json"), encoding="utf-8") as f:
            decoys = json.load(f)
    top = git_top(corpus)
    if top:
        print("warning: %s is inside the git work tree %s; keyfence honors its .gitignore there, so "
              "generate the corpus outside any repository (e.g. under /tmp)" % (corpus, top), file=sys.stderr)
    results, names = {}, ["keyfence"]
    results["keyfence"] = score(run_keyfence(args.keyfence, corpus), labels, decoys, corpus, top)
    if args.gitleaks:
        names.append("gitleaks")
        results["gitleaks"] = score(run_gitleaks(args.gitleaks, corpus), labels, decoys, corpus, top)
    print_table(results, names)
    if args.details:
        print_details(results, names)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump({"corpus": corpus, "scanners": results}, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
