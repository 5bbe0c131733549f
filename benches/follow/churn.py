#!/usr/bin/env python3
"""Churn under a watcher: random writes, rewrites and deletes while `sitrep serve` answers.

    python3 benches/follow/churn.py --sitrep target/release/sitrep --corpus DIR --index DIR
                                    [--seconds 600] [--files 500] [--seed 7]

Starts `sitrep index --watch` and `sitrep serve` on a built index, then for --seconds writes,
rewrites and deletes files under DIR/churn/ at random (--files names, each article naming one
word of its own, rewritten with a new version number), while a client thread queries the
server without pause. Then it waits for the watcher to settle and checks, through the server,
that every file present is searchable exactly once with its last version, and every deleted
one is gone: lost (missing), stale (old version) and duplicated articles are counted, as are
failed queries. Prints one JSON object.
"""

import argparse
import json
import random
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from serving import start_server


def search(base, query):
    with urllib.request.urlopen(f"{base}/api/search?q={query}&n=5") as response:
        return json.load(response)


def word(n):
    return "churn" + "".join(chr(97 + (n // 26 ** i) % 26) for i in range(3)) + "zq"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sitrep", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    sitrep = str(Path(args.sitrep).resolve())
    folder = Path(args.corpus) / "churn"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    base_cmd = [sitrep, "--corpus", args.corpus, "--index", args.index, "-q"]
    watcher = subprocess.Popen(base_cmd + ["index", "--watch"], stdout=subprocess.DEVNULL)
    server, base = start_server(sitrep, args.corpus, args.index)
    rng = random.Random(args.seed)
    version = {}  # file number -> version written last (absent: deleted or never written)
    queries = {"ok": 0, "failed": 0}
    stop = threading.Event()

    def client():
        picks = random.Random(args.seed + 1)
        while not stop.is_set():
            try:
                search(base, word(picks.randrange(args.files)))
                queries["ok"] += 1
            except (urllib.error.URLError, OSError, ValueError):
                queries["failed"] += 1

    thread = threading.Thread(target=client)
    thread.start()
    ops = {"write": 0, "rewrite": 0, "delete": 0}
    started = time.monotonic()
    try:
        time.sleep(2)
        while time.monotonic() - started < args.seconds:
            n = rng.randrange(args.files)
            path = folder / f"{n:04d}.txt"
            if n in version and rng.random() < 0.3:
                path.unlink()
                del version[n]
                ops["delete"] += 1
            else:
                v = version.get(n, 0) + 1
                ops["rewrite" if n in version else "write"] += 1
                path.write_text(f"Churn {n}\n\nThe {word(n)} article, version v{v}x of it.\n")
                version[n] = v
            time.sleep(rng.uniform(0.0, 0.2))
        # Settle: the watcher syncs what the last writes left.
        time.sleep(5)
        lost = stale = duplicated = gone_but_found = 0
        for n in range(args.files):
            result = search(base, word(n))
            # Only hits that name the word itself: a search for a word with no exact match
            # retries within one edit and finds its neighbours.
            texts = [h["text"] for h in result["hits"] if word(n) in h["text"]]
            duplicates = sum(len(h["duplicates"]) for h in result["hits"] if word(n) in h["text"])
            if n in version:
                if not texts:
                    lost += 1
                elif len(texts) > 1 or duplicates > 0:
                    duplicated += 1
                elif f"v{version[n]}x" not in texts[0]:
                    stale += 1
            elif texts:
                gone_but_found += 1
    finally:
        stop.set()
        thread.join()
        watcher.terminate()
        watcher.wait()
        server.terminate()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(base_cmd + ["index"], stdout=subprocess.DEVNULL)
    print(json.dumps({
        "seconds": args.seconds, "files": args.files, "operations": ops,
        "present_at_end": len(version), "lost": lost, "stale": stale, "duplicated": duplicated,
        "deleted_but_found": gone_but_found, "queries": queries,
    }))


if __name__ == "__main__":
    main()
