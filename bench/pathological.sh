#!/usr/bin/env bash
# Pathological history inputs that must each scan in seconds (issue 10): generated with
# `git fast-import`, then scanned with `keyfence scan --all-history`, timed with peak RSS.
#
# Usage: bench/pathological.sh [KEYFENCE_BINARY]   (default: target/release/keyfence)
#        CASES="renames staged" bench/pathological.sh   (a subset of the cases below)
#
#   renames   one commit moves 10,000 files and edits each (above the rename limit: the moved
#             files are scanned whole, no similarity matrix)
#   merge     a merge whose second parent differs from it in 20,000 files
#   bigfile   one commit adding a 200 MB text file (skipped above --max-file-size, so it is also
#             scanned with --max-file-size 300)
#   commits   100,000 tiny commits
#   staged    `scan --staged` of 5,000 files moved (`git mv` of their folder) and edited each
#
# Work folder: $KEYFENCE_BENCH_DIR/pathological (default /tmp/keyfence-bench). Prints a markdown
# table of wall time, peak RSS and findings per case.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KEYFENCE=$(realpath "${1:-$ROOT/target/release/keyfence}")
WORK=${KEYFENCE_BENCH_DIR:-/tmp/keyfence-bench}/pathological
[ -x "$KEYFENCE" ] || { echo "pathological: no binary $KEYFENCE (cargo build --release)" >&2; exit 2; }
mkdir -p "$WORK"

# generate CASE: writes the fast-import stream of CASE to stdout.
generate() {
    python3 - "$1" <<'PY'
import sys
out = sys.stdout.buffer
mark = 0
def blob(data):
    global mark
    mark += 1
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
    return mark
def commit(ref, message, changes, parents=(), when=[1700000000]):
    global mark
    mark += 1
    when[0] += 1
    msg = message.encode()
    out.write(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % when[0])
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    for i, parent in enumerate(parents):
        out.write(b"%s :%d\n" % (b"from" if i == 0 else b"merge", parent))
    for change in changes:
        out.write(change + b"\n")
    out.write(b"\n")
    return mark
def text(i, version):
    lines = [b"line %d of file %d, a plain sentence to make the file look like text" % (n, i) for n in range(20)]
    lines[10] = b"edited %d in version %d" % (i, version)
    return b"\n".join(lines) + b"\n"
case = sys.argv[1]
if case == "renames":
    n = 10000
    base = commit("refs/heads/main", "add", [b"M 100644 :%d src/f%05d.txt" % (blob(text(i, 0)), i) for i in range(n)])
    changes = []
    for i in range(n):
        changes.append(b"D src/f%05d.txt" % i)
        changes.append(b"M 100644 :%d moved/g%05d.txt" % (blob(text(i, 1)), i))
    commit("refs/heads/main", "move and edit", changes, [base])
elif case == "merge":
    n = 20000
    base = commit("refs/heads/main", "base", [b"M 100644 :%d f/%05d.txt" % (blob(text(i, 0)), i) for i in range(n)])
    side = commit("refs/heads/side", "edit every file", [b"M 100644 :%d f/%05d.txt" % (blob(text(i, 1)), i) for i in range(n)], [base])
    main = commit("refs/heads/main", "one change", [b"M 100644 :%d other.txt" % blob(b"other\n")], [base])
    # First parent: the side branch; second: main, which differs from the merge in 20,000 files.
    commit("refs/heads/merged", "merge", [b"M 100644 :%d other.txt" % blob(b"other\n")], [side, main])
elif case == "bigfile":
    line = b"a line of plain text in a very large generated file, nothing secret in it at all\n"
    big = line * (200 * 1024 * 1024 // len(line))
    base = commit("refs/heads/main", "small", [b"M 100644 :%d README" % blob(b"readme\n")])
    commit("refs/heads/main", "add a 200 MB text file", [b"M 100644 :%d big.txt" % blob(big)], [base])
elif case == "commits":
    parent = ()
    for i in range(100000):
        c = commit("refs/heads/main", "tiny %d" % i, [b"M 100644 :%d notes/%d.txt" % (blob(b"tiny change %d\n" % i), i % 100)], parent)
        parent = (c,)
PY
}

# run LABEL ARGS...: one timed `scan ARGS` in the case's repository; prints a table row.
run() {
    local label=$1; shift
    local err=$WORK/time.txt start end status=0
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$err" "$KEYFENCE" scan --format json -q "$@" > "$WORK/out.json" 2>/dev/null || status=$?
    end=$(date +%s.%N)
    local rss cpu findings
    rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$err")
    # CPU time (user + system) as well: on a shared machine the wall time says more about the
    # neighbours than about keyfence.
    cpu=$(awk -F': ' '/User time|System time/ {t += $2} END {printf "%.2f", t}' "$err")
    findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/out.json" 2>/dev/null || echo "?")
    printf '| %s | %.2f s | %s s | %s MiB | %s | %s |\n' "$label" "$(echo "$end - $start" | bc)" "$cpu" "$rss" "$findings" "$status"
}

# The staged case: a work tree whose index moves and edits 5,000 committed files.
staged_repo() {
    local repo=$WORK/staged
    [ -d "$repo" ] && return
    git init -q "$repo.tmp"
    python3 - <<'PY' | git -C "$repo.tmp" fast-import --quiet
import sys
out = sys.stdout.buffer
mark = 0
changes = []
for i in range(5000):
    lines = [b"line %d of file %d, a plain sentence to make the file look like text" % (n, i) for n in range(20)]
    data = b"\n".join(lines) + b"\n"
    mark += 1
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
    changes.append(b"M 100644 :%d src/f%05d.txt\n" % (mark, i))
out.write(b"commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata 4\nadd\n")
out.write(b"".join(changes) + b"\n")
PY
    (
        cd "$repo.tmp"
        git symbolic-ref HEAD refs/heads/main
        git reset -q --hard main
        git mv src moved
        for f in moved/*.txt; do echo "an edit after the move" >> "$f"; done
        git add -A
    )
    mv "$repo.tmp" "$repo"
}

echo "| case | wall time | CPU time | peak RSS | findings | exit |"
echo "| --- | --- | --- | --- | --- | --- |"
for case in ${CASES:-renames merge bigfile commits staged}; do
    if [ "$case" = staged ]; then
        staged_repo
        cd "$WORK/staged"
        run "staged: 5,000 files moved and edited" --staged
        continue
    fi
    repo=$WORK/$case.git
    if [ ! -d "$repo" ]; then
        git init -q --bare "$repo.tmp"
        generate "$case" | git -C "$repo.tmp" fast-import --quiet
        mv "$repo.tmp" "$repo"
    fi
    cd "$repo"
    run "$case" --all-history
    if [ "$case" = bigfile ]; then
        run "bigfile, --max-file-size 300" --all-history --max-file-size 300
    fi
done
