#!/usr/bin/env python3
"""HTTP load on `sitrep serve`: latency and throughput per query class with wrk, then a long run
with many clients while `sitrep index` syncs new articles into the same index.

    benches/serve/run.sh [--size 100MB] [--work /tmp/sitrep-serve-bench] [--duration 10]
                         [--sync-duration 60] [--clients 1,32] [--sync-clients 64]

Steps: scale a Reuters corpus (benches/scale_corpus.py) into the work dir, index it with the
release binary, start `sitrep serve` on a free loopback port, run wrk for every class of
benches/compare/queries.tsv at each client count (keep-alive connections), then a
--sync-duration run over all classes at --sync-clients while new articles are added and synced
twice. Prints a markdown report (and writes benches/serve/results/latest.{md,json}): p50/p99
latency and requests/s per class, errors and non-2xx responses, and the server's max RSS.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SITREP = REPO / "target" / "release" / "sitrep"

LUA_ROTATE = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def class_paths(queries_file):
    """(class, API path) for each line of a compare query file."""
    out = []
    for line in Path(queries_file).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cls, query = line.split("\t", 1)
        params = []
        for flag in ("--person", "--org", "--place"):
            if flag in query:
                query, value = query.split(flag, 1)
                params.append((flag[2:], value.strip()))
        if "--facets" in query:
            query = query.replace("--facets", "")
            params.append(("facets", "1"))
        params.insert(0, ("q", query.strip()))
        out.append((cls, "/api/search?" + urllib.parse.urlencode(params)))
    return out


def to_ms(value):
    """wrk's "812.00us", "1.20ms", "2.00s" in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def run_wrk(url_base, paths, clients, seconds):
    threads = min(clients, os.cpu_count() or 2)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(LUA_ROTATE % ", ".join(json.dumps(p) for p in paths))
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--latency",
         "-s", lua.name, url_base],
        capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    result = {"clients": clients, "raw": out}
    distribution = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    result["p50_ms"] = to_ms(distribution["50"])
    result["p99_ms"] = to_ms(distribution["99"])
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = sum(int(x) for x in errors.groups()) if errors else 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    return result


def max_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="100MB")
    p.add_argument("--work", default="/tmp/sitrep-serve-bench")
    p.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    p.add_argument("--duration", type=int, default=10, help="seconds per class and client count")
    p.add_argument("--sync-duration", type=int, default=60)
    p.add_argument("--clients", default="1,32")
    p.add_argument("--sync-clients", type=int, default=64)
    p.add_argument("--queries", default=str(REPO / "benches" / "compare" / "queries.tsv"))
    args = p.parse_args()

    work = Path(args.work)
    corpus, index = work / "corpus", work / "index"
    manifest = corpus / ".scale_corpus.json"
    if not manifest.exists() or json.loads(manifest.read_text()).get("size") != args.size:
        subprocess.run([sys.executable, str(REPO / "benches" / "scale_corpus.py"), "--size", args.size,
                        "--out", str(corpus), "--data", args.data, "--sources", "reuters", "--seed", "42"],
                       check=True)
    for extra in corpus.glob("sync-*.txt"):
        extra.unlink()
    sync = [str(SITREP), "--corpus", str(corpus), "--index", str(index), "index", "--quiet"]
    if subprocess.run(sync).returncode != 0:
        # An index from another sitrep version (schema change) is rebuilt.
        subprocess.run(sync + ["--rebuild"], check=True)

    port = free_port()
    server = subprocess.Popen([str(SITREP), "--corpus", str(corpus), "--index", str(index), "--quiet",
                               "serve", "--bind", f"127.0.0.1:{port}"],
                              stderr=subprocess.PIPE, text=True)
    banner = server.stderr.readline()
    assert "listening on" in banner, banner
    base = f"http://127.0.0.1:{port}"
    report = {"size": args.size, "duration_s": args.duration, "classes": {}, "machine": os.uname().nodename}
    try:
        paths = class_paths(args.queries)
        for cls, path in paths:
            report["classes"][cls] = {"path": path, "runs": []}
            for clients in (int(c) for c in args.clients.split(",")):
                run = run_wrk(base, [path], clients, args.duration)
                run.pop("raw")
                report["classes"][cls]["runs"].append(run)
                print(f"{cls:14} c={clients:<3} p50 {run['p50_ms']:.3f} ms  p99 {run['p99_ms']:.3f} ms  "
                      f"{run['rps']:.0f} req/s  errors {run['socket_errors']}  non-2xx {run['non_2xx']}",
                      file=sys.stderr)

        # Load during syncs: new articles arrive, `sitrep index` commits, the server follows.
        all_paths = [path for _, path in paths]
        wrk = subprocess.Popen(
            [sys.executable, "-c",
             "import json,sys; sys.path.insert(0, %r); import load; "
             "print(json.dumps(load.run_wrk(%r, %r, %d, %d)))"
             % (str(HERE), base, all_paths, args.sync_clients, args.sync_duration)],
            stdout=subprocess.PIPE, text=True)
        syncs = []
        for round_ in range(2):
            time.sleep(args.sync_duration / 4)
            for n in range(50):
                (corpus / f"sync-{round_}-{n}.txt").write_text(
                    f"Sync round {round_} article {n}\n\nA syncmarker{round_} report about tankers "
                    f"in the Gulf, number {n}.\n")
            started = time.time()
            subprocess.run([str(SITREP), "--corpus", str(corpus), "--index", str(index), "index", "--quiet"],
                           check=True)
            syncs.append(round(time.time() - started, 2))
        under_load = json.loads(wrk.communicate()[0])
        under_load.pop("raw")
        seen = json.loads(subprocess.run(["curl", "-s", f"{base}/api/search?q=syncmarker1&n=0"],
                                         capture_output=True, text=True).stdout)["total_hits"]
        report["under_sync"] = {**under_load, "sync_seconds": syncs, "new_articles_seen": seen,
                                "max_rss_mb": round(max_rss_mb(server.pid), 1)}
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)

    lines = [f"HTTP load on `sitrep serve`, {args.size} Reuters-scaled corpus, wrk keep-alive, "
             f"{args.duration} s per cell; latency in ms.", "",
             "| class | c=1 p50 | c=1 p99 | c=1 req/s | c=32 p50 | c=32 p99 | c=32 req/s | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for cls, data in report["classes"].items():
        cells = []
        for run in data["runs"]:
            cells += [f"{run['p50_ms']:.3f}", f"{run['p99_ms']:.3f}", f"{run['rps']:,.0f}"]
        errors = sum(r["socket_errors"] + r["non_2xx"] for r in data["runs"])
        lines.append(f"| {cls} | " + " | ".join(cells) + f" | {errors} |")
    u = report["under_sync"]
    lines += ["", f"Under sync: {args.sync_duration} s, {args.sync_clients} clients over all classes while "
              f"2 × 50 articles were added and synced ({', '.join(map(str, u['sync_seconds']))} s): "
              f"{u['requests']:,} requests, {u['rps']:,.0f} req/s, p50 {u['p50_ms']:.2f} ms, p99 {u['p99_ms']:.2f} ms, "
              f"socket errors {u['socket_errors']}, non-2xx {u['non_2xx']}; the new articles were searchable "
              f"({u['new_articles_seen']} of 50 of the last round found); server max RSS {u['max_rss_mb']} MB."]
    text = "\n".join(lines) + "\n"
    print(text)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(text)
    (results / "latest.json").write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
