#!/usr/bin/env bash
# keyfence benchmark harness: keyfence against ripgrep (the floor) and peer secret scanners,
# measured in one run on the same machine, with ratios and peak memory.
#
# Usage: bench/run.sh [--install-peers] [--history-repo PATH]... [--history-source SRC]...
#                     [--tree PATH] [--runs N] [--modes "startup dir history staged stdin prepush"]
#                     [--peers "LIST"] [--save-findings]
#
# Environment: KEYFENCE_BENCH_DIR (work folder, default /tmp/keyfence-bench; one per corpus,
# since findings references are kept per mode), KEYFENCE_BIN (a keyfence binary to measure
# instead of building this checkout's release build), PEERS_PREFIX (default ~/.local/peers),
# INSTALL_PEERS_SCRIPT (default ../shared/tools/install-peers.sh beside the repository).
#
#   --install-peers    run $INSTALL_PEERS_SCRIPT first (needs root and the package registries:
#                      apt, PyPI, crates.io, npm); peers go to $PEERS_PREFIX/bin
#   --history-repo P   a clone with 10,000+ commits for the history mode, e.g.
#                      git clone https://github.com/celery/celery   (~75 MB, ~14,000 commits)
#                      git clone https://github.com/rust-lang/cargo (~110 MB, ~24,000 commits)
#                      Without it (or --history-source) the history mode is skipped. May be
#                      given more than once: one table row group per repository.
#   --history-source S a repository URL or git folder (e.g. a bare mirror) whose branches and
#                      tags (not refs/pull/*) are fetched once into
#                      $KEYFENCE_BENCH_DIR/history/NAME.git and used as a --history-repo; NAME is
#                      the last path part (for .../owner+name/repo, the part after the +).
#                      History rows add the `git log -p --all` floor (git-log-floor).
#   --tree P           a large working tree (500 MB or more) for the directory mode. Without it the
#                      harness builds one from the npm registry (the packages pinned in
#                      bench/npm-tree.json with their dependencies, ~1.1 GB) in
#                      $KEYFENCE_BENCH_DIR/tree, renamed from node_modules to libs so no scanner
#                      skips it by name.
#   --runs N           hyperfine runs per command in the dir, history and stdin modes (default
#                      5; slow peers run twice); startup and staged always take 30 (peers 10).
#                      0: no hyperfine, every command runs once (for histories that take minutes)
#   --modes LIST       which measurements (default all): prepush times `scan --pre-push` of a
#                      10-commit push in the 50,000-file repository (keyfence only: no peer
#                      has a pre-push mode with the same semantics)
#   --save-findings    keep keyfence's findings as the reference later runs must reproduce
#   --peers "LIST"     peers to measure (default: gitleaks kingfisher ripsecrets git-secrets
#                      detect-secrets secretlint); the last three take minutes on a large tree
#
# Every run checks that keyfence's findings on each corpus are identical to the saved reference
# (an optimization must not change detection) and prints a markdown table: mean time, ratio to
# keyfence, ratio to the floor (ripgrep, or `git log -p`), CPU time (user + system) and peak RSS
# of one plain run, and the load average around each mode. Results: $KEYFENCE_BENCH_DIR/results/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${KEYFENCE_BENCH_DIR:-/tmp/keyfence-bench}
PEERS_PREFIX=${PEERS_PREFIX:-$HOME/.local/peers}
RUNS=5
HISTORY_REPOS=()
HISTORY_SOURCES=()
TREE=""
INSTALL_PEERS=0
SAVE_FINDINGS=0
PEERS="gitleaks kingfisher ripsecrets git-secrets detect-secrets secretlint"
MODES="startup dir history staged stdin prepush"
while [ $# -gt 0 ]; do
    case "$1" in
        --install-peers) INSTALL_PEERS=1 ;;
        --history-repo|--history-source|--tree|--runs|--modes|--peers)
            [ $# -ge 2 ] || { echo "bench: $1 needs a value (see --help)" >&2; exit 2; } ;;&
        --history-repo) dir=$(cd "$2" 2>/dev/null && pwd) || { echo "bench: no folder $2" >&2; exit 2; }; HISTORY_REPOS+=("$dir"); shift ;;
        --history-source) HISTORY_SOURCES+=("$2"); shift ;;
        --tree) TREE=$(cd "$2" 2>/dev/null && pwd) || { echo "bench: no folder $2" >&2; exit 2; }; shift ;;
        --runs) RUNS=$2; shift ;;
        --modes) MODES=$2; shift ;;
        --save-findings) SAVE_FINDINGS=1 ;;
        --peers) PEERS=$2; shift ;;
        -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
        *) echo "bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

case "$RUNS" in ''|*[!0-9]*) echo "bench: --runs takes a whole number" >&2; exit 2 ;; esac
for mode in $MODES; do
    case "$mode" in startup|dir|history|staged|stdin|prepush) ;; *) echo "bench: unknown mode $mode" >&2; exit 2 ;; esac
done

mkdir -p "$WORK"/{results,findings,tmp}
# Every table is one run: results of earlier runs are not mixed in.
rm -f "$WORK"/results/*
log() { printf '\n== %s\n' "$*" >&2; }

if [ "$INSTALL_PEERS" = 1 ]; then
    log "installing peers"
    bash "${INSTALL_PEERS_SCRIPT:-$ROOT/../shared/tools/install-peers.sh}"
fi
export PATH="$PEERS_PREFIX/bin:$PATH"
GS_CFG="$PEERS_PREFIX/etc/git-secrets.gitconfig"
SECRETLINT_RC="$PEERS_PREFIX/etc/secretlintrc.json"
have() { command -v "$1" >/dev/null 2>&1; }
# want PEER: the peer was asked for and is installed.
want() {
    case " $PEERS " in *" $1 "*) ;; *) return 1 ;; esac
    have "$1" || [ -x "$PEERS_PREFIX/venv/bin/$1" ] && return 0
    echo "bench: $1 skipped: not installed (try --install-peers)" >&2
    return 1
}
q() { printf '%q' "$1"; }
[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time, Debian package time) is needed for peak RSS" >&2; exit 2; }
for tool in hyperfine rg python3 git cargo; do
    have "$tool" || { echo "bench: $tool is needed (try --install-peers)" >&2; exit 2; }
done

if [ -n "${KEYFENCE_BIN:-}" ]; then
    KF=$(realpath "$KEYFENCE_BIN")
else
    log "building keyfence (release)"
    (cd "$ROOT" && cargo build --release --locked -q)
    KF="$ROOT/target/release/keyfence"
fi
"$KF" rules --format json | python3 -c '
import json, sys
words = sorted({k.lower() for r in json.load(sys.stdin) for k in r["keywords"]})
print("\n".join(words))' > "$WORK/keywords.txt"

# ------------------------------------------------------------------ corpora
build_tree() {
    [ -n "$TREE" ] && return
    TREE="$WORK/tree"
    if [ ! -d "$TREE/libs" ]; then
        log "building the directory corpus from npm (bench/npm-tree.json)"
        mkdir -p "$TREE"
        cp "$ROOT/bench/npm-tree.json" "$TREE/package.json"
        have npm || { echo "bench: npm is needed to build the directory corpus (or pass --tree)" >&2; exit 2; }
        (cd "$TREE" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
        # Renamed, because some scanners skip any folder called node_modules by default and
        # would not be doing the same work.
        mv "$TREE/node_modules" "$TREE/libs"
    fi
    # A few planted fake secrets, so every scanner has something to find.
    python3 "$ROOT/bench/gen.py" plant "$TREE/planted"
}

build_repo50k() {
    REPO50K="$WORK/repo50k"
    if [ ! -d "$REPO50K/.git" ]; then
        log "generating a 50,000-file repository"
        python3 "$ROOT/bench/gen.py" repo "$REPO50K" 50000
    fi
    # Two index files: one file staged, and 1,000 files staged (one planted key among them).
    (cd "$REPO50K" && git reset -q --hard && python3 "$ROOT/bench/gen.py" stage "$REPO50K" 1 "$WORK/tmp/index-1" \
        && python3 "$ROOT/bench/gen.py" stage "$REPO50K" 1000 "$WORK/tmp/index-1000")
}

# A branch `bench-push` of 10 commits on top of the 50,000-file repository's HEAD (one new
# 200-line file each, built with plumbing so the work tree is untouched, with fixed dates so
# the commits and the findings reference stay the same), and refs/remotes/origin/main at HEAD:
# what `git push origin bench-push` would publish.
build_push() {
    build_repo50k
    (
        cd "$REPO50K"
        if ! git rev-parse -q --verify refs/heads/bench-push >/dev/null; then
            log "creating a 10-commit branch to push"
            export GIT_INDEX_FILE="$WORK/tmp/index-push" GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
            git read-tree HEAD
            parent=$(git rev-parse HEAD)
            for i in $(seq 1 10); do
                blob=$(for l in $(seq 1 200); do echo "line $l of push file $i: config_value_$l = \"plain text\""; done | git hash-object -w --stdin)
                git update-index --add --cacheinfo "100644,$blob,bench/push-$i.txt"
                parent=$(git commit-tree "$(git write-tree)" -p "$parent" -m "push $i")
            done
            git update-ref refs/heads/bench-push "$parent"
        fi
        git update-ref refs/remotes/origin/main "$(git rev-parse HEAD)"
        printf 'refs/heads/bench-push %s refs/heads/bench-push %s\n' "$(git rev-parse bench-push)" "$(git rev-parse HEAD)" > "$WORK/tmp/push-lines"
    )
}

build_stream() {
    STREAM="$WORK/stream-1g.txt"
    [ -f "$STREAM" ] || { log "generating a 1 GiB text stream"; python3 "$ROOT/bench/gen.py" stream "$STREAM" 1024; }
}

# ------------------------------------------------------------------ measuring
# bench NAME RUNS COMMAND...: times COMMAND with hyperfine (exit codes ignored: findings exit 1)
# and records its peak RSS with /usr/bin/time.
bench() {
    local mode=$1 name=$2 runs=$3 cmd=$4
    # One plain run first: its peak RSS, and its exit status, which must not be an error for
    # keyfence (hyperfine -i below accepts any status, since findings exit 1).
    local status=0
    # Wall seconds, user and system CPU seconds, peak RSS (KiB): report.py reads them.
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/results/$mode.$name.rss" sh -c "$cmd" </dev/null >/dev/null 2>"$WORK/tmp/$mode.$name.err" || status=$?
    echo "$status" > "$WORK/results/$mode.$name.exit"
    if [ "$name" = keyfence ] && [ "$status" -gt 1 ]; then
        echo "bench: keyfence failed (exit $status) in $mode: $(tail -n 2 "$WORK/tmp/$mode.$name.err")" >&2
        exit 1
    fi
    [ "$runs" = 0 ] && return 0
    hyperfine --style basic -N --warmup 1 --runs "$runs" -i --export-json "$WORK/results/$mode.$name.json" \
        --command-name "$name" "$cmd" >&2 || { echo "bench: $name failed" >&2; return 0; }
}

# check_findings MODE FILE: keyfence's findings must match the saved reference.
check_findings() {
    local mode=$1 file=$2
    local reference="$WORK/findings/$mode.reference.json"
    python3 -c '
import json, sys
def key(f): return (f["path"], f["line"], f["column"], f["rule_id"], f.get("commit") or "")
print(json.dumps(sorted(map(key, json.load(open(sys.argv[1]))))))' "$file" > "$file.keys"
    if [ "$SAVE_FINDINGS" = 1 ] || [ ! -f "$reference" ]; then
        cp "$file.keys" "$reference"
        echo "findings[$mode]: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$reference") saved as the reference" >&2
    elif cmp -s "$file.keys" "$reference"; then
        echo "findings[$mode]: identical to the reference" >&2
    else
        echo "findings[$mode]: DIFFERENT from the reference ($reference)" >&2
        FINDINGS_CHANGED=1
    fi
}
FINDINGS_CHANGED=0
T="$WORK/tmp"

# history_name REPO: the row label of a history repository (cargo for .../cargo.git).
history_name() {
    local name
    name=$(basename "${1%/}"); name=${name%.git}
    [ "$name" = repo ] && name=$(basename "$(dirname "${1%/}")")
    echo "${name##*+}"
}

# Fetches the branches and tags of each --history-source once (no pull-request refs: forks'
# commits are not the project's history, and a partial mirror may lack their objects).
fetch_history_sources() {
    local src dest
    for src in ${HISTORY_SOURCES[@]+"${HISTORY_SOURCES[@]}"}; do
        dest="$WORK/history/$(history_name "$src").git"
        if [ ! -d "$dest" ]; then
            log "fetching the branches and tags of $src into $dest"
            git init -q --bare "$dest.tmp"
            git -C "$dest.tmp" fetch -q --no-tags "$src" '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*'
            mv "$dest.tmp" "$dest"
        fi
        HISTORY_REPOS+=("$dest")
    done
    HISTORY_SOURCES=()
}

# load MODE WHAT: records the load average (the machine may be shared) for the summary.
load() { echo "$1 ($2): load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$WORK/results/load.txt"; }

for mode in $MODES; do
    case "$mode" in
    startup)
        log "start-up: scanning an empty file"
        : > "$T/empty.txt"
        bench startup keyfence 30 "$(q "$KF") scan -q $(q "$T/empty.txt")"
        want gitleaks && bench startup gitleaks 30 "gitleaks dir --no-banner --log-level error --report-format json --report-path $(q "$T/gl.json") $(q "$T/empty.txt")"
        want ripsecrets && bench startup ripsecrets 30 "ripsecrets $(q "$T/empty.txt")"
        ;;
    dir)
        build_tree
        log "directory scan of $TREE ($(du -sh "$TREE" | cut -f1))"
        "$KF" scan -q --format json "$TREE" > "$T/kf-dir.json" 2>/dev/null || true
        check_findings dir "$T/kf-dir.json"
        bench dir keyfence "$RUNS" "$(q "$KF") scan -q --format json --report $(q "$T/kf.json") $(q "$TREE")"
        bench dir ripgrep-floor "$RUNS" "rg --hidden -g !.git -c -i -F -f $(q "$WORK/keywords.txt") $(q "$TREE")"
        want gitleaks && bench dir gitleaks "$RUNS" "gitleaks dir --no-banner --log-level error --report-format json --report-path $(q "$T/gl.json") $(q "$TREE")"
        want kingfisher && bench dir kingfisher "$RUNS" "kingfisher scan --no-validate --no-update-check --git-history none --format json --output $(q "$T/kfi.json") $(q "$TREE")"
        want ripsecrets && bench dir ripsecrets "$RUNS" "ripsecrets $(q "$TREE")"
        want git-secrets && [ -f "$GS_CFG" ] && bench dir git-secrets 2 "env GIT_CONFIG_GLOBAL=$(q "$GS_CFG") git secrets --scan -r $(q "$TREE")"
        want detect-secrets && bench dir detect-secrets 2 "$(q "$PEERS_PREFIX/venv/bin/detect-secrets") scan --all-files $(q "$TREE")"
        want secretlint && bench dir secretlint 2 "secretlint --secretlintrc $(q "$SECRETLINT_RC") --format json $(q "$TREE")/**/*"
        ;;
    history)
        fetch_history_sources
        if [ ${#HISTORY_REPOS[@]} = 0 ]; then log "history: skipped (pass --history-repo PATH)"; continue; fi
        for repo in "${HISTORY_REPOS[@]}"; do
            m="history-$(history_name "$repo")"
            load "$m" "$(git -C "$repo" rev-list --all --count) commits"
            log "history of $repo ($(git -C "$repo" rev-list --all --count) commits)"
            # The plain timed run writes the findings checked against the reference.
            bench "$m" keyfence "$RUNS" "sh -c 'cd $(q "$repo") && $(q "$KF") scan -q --all-history --format json --report $(q "$T/kf-$m.json")'"
            check_findings "$m" "$T/kf-$m.json"
            want gitleaks && bench "$m" gitleaks "$RUNS" "gitleaks git --no-banner --log-level error --log-opts=--all --report-format json --report-path $(q "$T/glh.json") $(q "$repo")"
            want kingfisher && bench "$m" kingfisher "$RUNS" "kingfisher scan --no-validate --no-update-check --git-history full --format json --output $(q "$T/kfih.json") $(q "$repo")"
            bench "$m" git-log-floor "$RUNS" "git -C $(q "$repo") log -p --all"
            load "$m" "end"
        done
        ;;
    staged)
        build_repo50k
        for n in 1 1000; do
            log "staged: $n changed file(s) in a 50,000-file repository"
            (cd "$REPO50K" && GIT_INDEX_FILE="$T/index-$n" "$KF" scan -q --staged --format json > "$T/kf-staged-$n.json") || true
            check_findings "staged-$n" "$T/kf-staged-$n.json"
            bench "staged-$n" keyfence 30 "sh -c 'cd $(q "$REPO50K") && GIT_INDEX_FILE=$(q "$T/index-$n") $(q "$KF") scan -q --staged'"
            want gitleaks && bench "staged-$n" gitleaks 10 "sh -c 'cd $(q "$REPO50K") && GIT_INDEX_FILE=$(q "$T/index-$n") gitleaks git --pre-commit --staged --no-banner --log-level error --report-format json --report-path $(q "$T/gls.json") .'"
            want kingfisher && bench "staged-$n" kingfisher 10 "sh -c 'cd $(q "$REPO50K") && GIT_INDEX_FILE=$(q "$T/index-$n") kingfisher scan --staged --no-validate --no-update-check --format json --output $(q "$T/kfis.json") .'"
        done
        ;;
    prepush)
        build_push
        log "pre-push: a 10-commit push in a 50,000-file repository"
        (cd "$REPO50K" && "$KF" scan -q --format json --pre-push origin git@github.com:acme/app.git < "$T/push-lines" > "$T/kf-prepush.json") || true
        check_findings prepush "$T/kf-prepush.json"
        bench prepush keyfence 30 "sh -c 'cd $(q "$REPO50K") && $(q "$KF") scan -q --pre-push origin git@github.com:acme/app.git < $(q "$T/push-lines")'"
        ;;
    stdin)
        build_stream
        log "standard input: a 1 GiB stream"
        "$KF" scan -q --format json - < "$STREAM" > "$T/kf-stdin.json" || true
        check_findings stdin "$T/kf-stdin.json"
        bench stdin keyfence "$RUNS" "sh -c '$(q "$KF") scan -q --format json - < $(q "$STREAM")'"
        bench stdin ripgrep-floor "$RUNS" "sh -c 'rg -c -i -F -f $(q "$WORK/keywords.txt") - < $(q "$STREAM")'"
        want gitleaks && bench stdin gitleaks 2 "sh -c 'gitleaks stdin --no-banner --log-level error --report-format json --report-path $(q "$T/glstdin.json") < $(q "$STREAM")'"
        ;;
    *) echo "bench: unknown mode $mode" >&2; exit 2 ;;
    esac
done

log "machine: $(nproc) cores, $(free -h | awk '/Mem:/ {print $2}') memory; $(uname -sr)"
{
    echo "keyfence $("$KF" --version | cut -d' ' -f2), $(rg --version | head -1)"
    have gitleaks && echo "gitleaks $(gitleaks version)"
    have kingfisher && kingfisher --version
    have ripsecrets && ripsecrets --version
} >&2
python3 "$ROOT/bench/report.py" "$WORK/results" | tee "$WORK/results/summary.md"
[ -f "$WORK/results/load.txt" ] && cat "$WORK/results/load.txt" | tee -a "$WORK/results/summary.md"
if [ "$FINDINGS_CHANGED" = 1 ]; then
    echo "bench: keyfence's findings changed on some corpus (see above)" >&2
    exit 1
fi
