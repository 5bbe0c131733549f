#!/usr/bin/env bash
# HTTP latency and throughput of `sitrep serve` (see load.py --help). Installs wrk with apt
# when missing and builds target/release/sitrep when missing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
if ! command -v wrk >/dev/null; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get install -y wrk >&2 || { $SUDO apt-get update >&2 && $SUDO apt-get install -y wrk >&2; }
fi
[ -x "$REPO/target/release/sitrep" ] || (cd "$REPO" && cargo build --release >&2)
exec python3 "$HERE/load.py" "$@"
