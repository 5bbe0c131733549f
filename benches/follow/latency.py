#!/usr/bin/env python3
"""Written-to-searchable latency of `sitrep index --watch`, seen through `sitrep serve`.

    python3 benches/follow/latency.py --sitrep target/release/sitrep --corpus DIR --index DIR
                                      [--files 20] [--layout txt|jsonl] [--saved 0]

Starts a watcher and a server on the (already built) index, then writes --files new articles
one at a time, each with a word no other article has, and times from the moment the file is
closed to the moment the server's /api/search finds it (polled every 10 ms). Prints the
latencies and their p50 and p95. With --saved N, N saved searches are added first (and removed
at the end), so the watcher's per-sync report runs them.

The new articles are written under DIR/follow-bench/ and removed at the end (the watcher then
syncs their deletion). --layout txt writes one .txt file per article; jsonl writes a one-line
.jsonl file per article.
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from serving import start_server


def percentile(values, p):
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def hits(base, word):
    """Paragraphs that name `word` itself (a search for a word not indexed yet retries within
    one edit, and would find the previous article's word)."""
    with urllib.request.urlopen(f"{base}/api/search?q={word}&n=5") as response:
        return sum(word in hit["text"] for hit in json.load(response)["hits"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sitrep", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--layout", choices=["txt", "jsonl"], default="txt")
    ap.add_argument("--saved", type=int, default=0)
    args = ap.parse_args()
    sitrep = str(Path(args.sitrep).resolve())
    folder = Path(args.corpus) / "follow-bench"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    base_cmd = [sitrep, "--corpus", args.corpus, "--index", args.index, "-q"]
    for n in range(args.saved):
        subprocess.run(base_cmd + ["saved", "add", f"bench{n}", f"oil prices {n}"], check=True)
    watcher = subprocess.Popen(base_cmd + ["index", "--watch"], stdout=subprocess.DEVNULL)
    server, base = start_server(sitrep, args.corpus, args.index)
    latencies = []
    try:
        time.sleep(3)  # the watcher's first (no-change) sync
        for n in range(args.files):
            word = f"followbench{chr(97 + n % 26)}{chr(97 + n // 26)}qz"
            title = f"Follow bench {n}"
            text = f"A report that names {word} once, written for the latency bench."
            if args.layout == "txt":
                path = folder / f"bench-{n:03d}.txt"
                data = f"{title}\n\n{text}\n"
            else:
                path = folder / f"bench-{n:03d}.jsonl"
                data = json.dumps({"id": f"follow-bench-{n}", "title": title, "paragraphs": [text]}) + "\n"
            with open(path, "w") as f:
                f.write(data)
            written = time.monotonic()
            while hits(base, word) < 1:
                if time.monotonic() - written > 60:
                    sys.exit(f"{word} not searchable after 60 s")
                time.sleep(0.01)
            latencies.append(time.monotonic() - written)
            time.sleep(1.0)
    finally:
        watcher.terminate()
        watcher.wait()
        server.terminate()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(base_cmd + ["index"], stdout=subprocess.DEVNULL)
        for n in range(args.saved):
            subprocess.run(base_cmd + ["saved", "remove", f"bench{n}"])
    print(json.dumps({
        "layout": args.layout, "files": args.files, "saved_searches": args.saved,
        "latencies_s": [round(x, 3) for x in latencies],
        "p50_s": round(percentile(latencies, 50), 3), "p95_s": round(percentile(latencies, 95), 3),
    }))


if __name__ == "__main__":
    main()
