#!/usr/bin/env bash
# The cluster store against the embedded index on one corpus: ingest (wall time, sitrep's CPU
# and the cluster's CPU) and query latency per class (`sitrep bench`, top-10 and count-only).
#
#   benches/remote/run.sh [--size 100MB] [--work /tmp/sitrep-remote] [--iterations 20]
#                         [--cluster-dir target/opensearch-cluster] [--sitrep BIN]
#                         [--shards 1] [--replicas 1]
#
# Expects a cluster started with `scripts/opensearch-cluster start --nodes 3` (its node PIDs
# are read from --cluster-dir to count the cluster's CPU); the index `bench-ingest` on it is
# deleted and rebuilt. The corpus is Reuters-21578 scaled with benches/scale_corpus.py, kept
# in --work (never in the repository). Prints a markdown report.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
size=100MB; work=/tmp/sitrep-remote; iterations=20; shards=1; replicas=1
cluster_dir="$REPO/target/opensearch-cluster"; sitrep="$REPO/target/release/sitrep"
while [ $# -gt 0 ]; do
    case "$1" in
        --size) size="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --iterations) iterations="$2"; shift 2 ;;
        --cluster-dir) cluster_dir="$2"; shift 2 ;;
        --sitrep) sitrep="$2"; shift 2 ;;
        --shards) shards="$2"; shift 2 ;;
        --replicas) replicas="$2"; shift 2 ;;
        *) sed -n 2,12p "$0" >&2; exit 2 ;;
    esac
done
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
[ -x "$sitrep" ] || (cd "$REPO" && cargo build --release >&2)

ports=(); pids=()
for node in "$cluster_dir"/node*; do
    ports+=("$(cat "$node/http_port")"); pids+=("$(cat "$node/pid")")
done
[ ${#pids[@]} -gt 0 ] || { echo "no cluster in $cluster_dir (scripts/opensearch-cluster start)" >&2; exit 1; }
url="http://127.0.0.1:${ports[0]}"
nodes="$(printf 'http://127.0.0.1:%s,' "${ports[@]}")"
target="${nodes%,}/bench-ingest"

corpus="$work/corpus-$size"
if [ ! -d "$corpus" ]; then
    python3 "$REPO/benches/scale_corpus.py" --size "$size" --out "$corpus" >&2
fi
mb=$(du -smL "$corpus" | cut -f1)

# Clock ticks of CPU the cluster's processes have used so far.
cluster_ticks() {
    local ticks=0
    for pid in "${pids[@]}"; do
        ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    echo "$ticks"
}

timed() { # label, then the command; appends "label wall cpu_user cpu_sys rss_kb" to $work/times
    local label="$1"; shift
    /usr/bin/time -f "$label %e %U %S %M" -a -o "$work/times" "$@" >&2
}

rm -f "$work/times"; rm -rf "$work/index"
sync; timed embedded "$sitrep" -q --corpus "$corpus" --index "$work/index" index
curl -s -XDELETE "$url/bench-ingest*" >/dev/null
before=$(cluster_ticks)
timed cluster "$sitrep" -q --corpus "$corpus" index --to "$target" --shards "$shards" --replicas "$replicas"
curl -s "$url/bench-ingest/_refresh" >/dev/null
cluster_ticks_used=$(( $(cluster_ticks) - before ))
# Queries run on a settled index, merged as the embedded build merges at its end, once the
# cluster has finished its background work (under a tenth of a core for 3 s, at most 2 min).
curl -s -XPOST "$url/bench-ingest/_forcemerge?max_num_segments=1" >/dev/null
for _ in $(seq 1 40); do
    idle_from=$(cluster_ticks); sleep 3
    [ $(( $(cluster_ticks) - idle_from )) -lt $(( $(getconf CLK_TCK) * 3 / 10 )) ] && break
done

# A pass to warm up both stores (the JVMs compile their search paths on first use).
"$sitrep" -q --index "$work/index" --remote "$target" bench --iterations 3 --json >/dev/null
"$sitrep" -q --index "$work/index" bench --iterations "$iterations" --json > "$work/bench-embedded.json"
"$sitrep" -q --index "$work/index" --remote "$target" bench --iterations "$iterations" --json \
    > "$work/bench-cluster.json"
# Again without the cluster's shard request cache, which answers a repeated size-0 search
# (totals, copies, facets) from memory: the cost of a query the cluster has not seen.
settings="$url/bench-ingest/_settings"
curl -s -XPUT "$settings" -H 'Content-Type: application/json' -d '{"index.requests.cache.enable": false}' >/dev/null
"$sitrep" -q --index "$work/index" --remote "$target" bench --iterations "$iterations" --json \
    > "$work/bench-cluster-uncached.json"
curl -s -XPUT "$settings" -H 'Content-Type: application/json' -d '{"index.requests.cache.enable": null}' >/dev/null

python3 - "$work" "$mb" "$cluster_ticks_used" "$(getconf CLK_TCK)" "${#pids[@]}" "$shards" "$replicas" <<'PY'
import json, sys
work, mb, ticks, per_second, nodes, shards, replicas = sys.argv[1:8]
cluster_cpu = int(ticks) / int(per_second)
rows = {}
for line in open(f"{work}/times"):
    label, wall, user, system, rss = line.split()
    rows[label] = (float(wall), float(user) + float(system), int(rss) / 1024)
print(f"Ingest of {mb} MB, {nodes}-node cluster on this machine ({shards} shards, {replicas} replicas):\n")
print("| build | wall | sitrep CPU-s | cluster CPU-s | sitrep max RSS |")
print("|---|---:|---:|---:|---:|")
for label in ("embedded", "cluster"):
    wall, cpu, rss = rows[label]
    extra = f"{cluster_cpu:.1f}" if label == "cluster" else "-"
    print(f"| {label} | {wall:.2f} s | {cpu:.1f} | {extra} | {rss:.0f} MB |")
print(f"\ncluster / embedded wall: {rows['cluster'][0] / rows['embedded'][0]:.2f}x\n")
local = json.load(open(f"{work}/bench-embedded.json"))
remote = json.load(open(f"{work}/bench-cluster.json"))
uncached = json.load(open(f"{work}/bench-cluster-uncached.json"))
print(f"Query latency p50, {local['iterations']} iterations, ms: embedded / cluster / cluster "
      "without its request cache:\n")
print("| class | top-10 | count-only |")
print("|---|---:|---:|")
for a, b, c in zip(local["classes"], remote["classes"], uncached["classes"]):
    cells = [" / ".join(f"{x[mode]['p50_us'] / 1000:.2f}" for x in (a, b, c))
             for mode in ("top10", "count_only")]
    print(f"| {a['class']} | " + " | ".join(cells) + " |")
PY
