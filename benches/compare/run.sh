#!/usr/bin/env bash
# sitrep vs tantivy-cli vs SQLite FTS5 vs ripgrep, on one scaled corpus and one query set.
#
#   benches/compare/run.sh [--size 100MB] [--sources reuters] [--work /tmp/sitrep-compare]
#                          [--runs 20] [--warmup 3] [--iterations 20] [--seed 42] [--data DIR]
#                          [--layouts jsonl,txt] [--sync-runs 5] [--sitrep BIN] [--results DIR]
#
# Installs what is missing (apt: hyperfine ripgrep sqlite3 time; cargo: tantivy-cli), builds
# target/release/sitrep if it is missing, then runs compare.py, which prints a markdown report
# (indexing, query latency, sitrep sync timings on the JSONL and one-.txt-per-article layouts)
# and writes benches/compare/results/latest.{md,json,svg}. Corpus and indexes stay in --work.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export PATH="$PATH:$HOME/.cargo/bin"

case "${1:-}" in -h|--help) exec python3 "$HERE/compare.py" --help ;; esac

say() { echo "[run.sh] $*" >&2; }

# --- apt tools
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v rg >/dev/null || missing+=(ripgrep)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    say "installing ${missing[*]} with apt-get"
    $SUDO apt-get install -y "${missing[@]}" >&2 || { $SUDO apt-get update >&2 && $SUDO apt-get install -y "${missing[@]}" >&2; }
fi
if ! sqlite3 :memory: "CREATE VIRTUAL TABLE t USING fts5(x)" 2>/dev/null; then
    say "error: this sqlite3 has no FTS5"; exit 1
fi

# --- tantivy-cli
if ! command -v tantivy >/dev/null; then
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/cargo-install-target}"
    say "installing tantivy-cli with cargo (target dir $CARGO_TARGET_DIR; takes a few minutes)"
    # tantivy-cli 0.24's lock file pins traitobject 0.1.0, which newer rustc rejects (E0119,
    # conflicting impls); without --locked cargo picks traitobject 0.1.1, which builds.
    nice -n 19 cargo install tantivy-cli --locked >&2 \
        || { say "--locked build failed; retrying without --locked"; nice -n 19 cargo install tantivy-cli >&2; }
fi

# --- sitrep
if [ ! -x "$REPO/target/release/sitrep" ]; then
    say "building sitrep (cargo build --release)"
    (cd "$REPO" && nice -n 19 cargo build --release >&2)
fi

exec python3 "$HERE/compare.py" "$@"
