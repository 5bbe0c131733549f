#!/usr/bin/env python3
"""What saved searches add to a sync: `sitrep index` after adding one article, with no saved
search and with --saved of them, alternated.

    python3 benches/follow/saved_cost.py --sitrep target/release/sitrep --corpus DIR --index DIR
                                         [--saved 20] [--runs 7]

Each run writes one new article, times `sitrep index -q` (which then prints the saved
searches' report), and removes the article again with an untimed sync. Prints the median of
each setting and their difference, in seconds.
"""

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sitrep", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--saved", type=int, default=20)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    cmd = [str(Path(args.sitrep).resolve()), "--corpus", args.corpus, "--index", args.index, "-q"]
    article = Path(args.corpus) / "saved-cost-article.txt"
    # Queries of the kind analysts save: names, phrases, a filter.
    queries = ["oil prices", "\"central bank\"", "iran iraq", "opec", "gulf shipping", "hostage deal",
               "ceasefire talks", "missile attack", "refugees", "sanctions"]
    names = [f"cost{n}" for n in range(args.saved)]

    def timed_sync(n):
        article.write_text(f"Cost run {n}\n\nOil prices rose as OPEC met over sanctions on Iran, run {n}.\n")
        started = time.perf_counter()
        subprocess.run(cmd + ["index"], check=True, stdout=subprocess.DEVNULL)
        took = time.perf_counter() - started
        article.unlink()
        subprocess.run(cmd + ["index"], check=True, stdout=subprocess.DEVNULL)
        return took

    without, with_saved = [], []
    try:
        for run in range(args.runs):
            without.append(timed_sync(run))
            for n, name in enumerate(names):
                subprocess.run(cmd + ["saved", "add", name, queries[n % len(queries)]], check=True)
            with_saved.append(timed_sync(run))
            for name in names:
                subprocess.run(cmd + ["saved", "remove", name], check=True)
    finally:
        if article.exists():
            article.unlink()
            subprocess.run(cmd + ["index"], stdout=subprocess.DEVNULL)
    a, b = statistics.median(without), statistics.median(with_saved)
    print(json.dumps({"saved_searches": args.saved, "runs": args.runs,
                      "sync_without_s": round(a, 3), "sync_with_s": round(b, 3),
                      "difference_s": round(b - a, 3)}))


if __name__ == "__main__":
    main()
