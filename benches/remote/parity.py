#!/usr/bin/env python3
"""Parity of a cluster store with the embedded index: the same queries through both.

    python3 benches/remote/parity.py --index DIR --remote URL/INDEX
        [--bench-json FILE] [--queries FILE] [--cranfield DIR] [--sitrep PATH] [--json]

Queries: those of `sitrep bench --json` (its classes, drawn from the index's own term
statistics; `--bench-json` reuses a saved run), the lines of `--queries` (`class<TAB>query`,
flags after the query as in bench files), and with `--cranfield DIR` the 225 questions of
queries.tsv (punctuation removed, as benches/relevance does). Each runs as
`sitrep search QUERY -n 10 --json` on both stores (with `--facets` for facet_counts).

Compares total_hits, duplicates_collapsed, the top-10 (article_id, paragraph) lists and the
facet tables; prints a line per class and each difference with both lists and scores.
"""

import argparse
import json
import re
import shlex
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent


def run(sitrep, store_args, words):
    out = subprocess.run(
        [sitrep, *store_args, "-q", "search", *words, "-n", "10", "--json"],
        capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip()}
    return json.loads(out.stdout)


def query_words(query):
    """A bench query line: the query text, then flags (`--place United States`)."""
    if " --" not in query:
        return [query]
    text, _, flags = query.partition(" --")
    words = [text]
    parts = ("--" + flags).split(" --")
    for part in parts:
        part = part.strip().lstrip("-")
        if not part:
            continue
        flag, _, value = part.partition(" ")
        words.append("--" + flag)
        if value:
            words.append(value)
    return words


def summary(result):
    if "error" in result:
        return {"error": result["error"]}
    return {
        "total": result["total_hits"],
        "dups": result["duplicates_collapsed"],
        "top": [(h["article_id"], h["paragraph"]) for h in result["hits"]],
        "scores": [round(h["score"], 3) for h in result["hits"]],
        "facets": result.get("facets"),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", required=True)
    parser.add_argument("--remote", required=True)
    parser.add_argument("--bench-json")
    parser.add_argument("--queries")
    parser.add_argument("--cranfield")
    parser.add_argument("--sitrep", default=str(REPO / "target" / "release" / "sitrep"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    queries = []
    if args.bench_json:
        bench = json.loads(Path(args.bench_json).read_text())
    else:
        out = subprocess.run([args.sitrep, "--index", args.index, "-q", "bench",
                              "--iterations", "1", "--json"],
                             capture_output=True, text=True, check=True)
        bench = json.loads(out.stdout)
    for cls in bench["classes"]:
        for query in cls["queries"]:
            queries.append((cls["class"], query))
    if args.queries:
        for line in Path(args.queries).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                cls, _, query = line.partition("\t")
                queries.append((cls, query))
    if args.cranfield:
        lines = (Path(args.cranfield) / "queries.tsv").read_text().splitlines()[1:]
        for line in lines:
            text = line.split("\t")[1]
            words = re.sub(r"[^\w\s]", " ", text).split()
            queries.append(("cranfield", " ".join(words)))

    per_class = defaultdict(lambda: {"queries": 0, "totals": 0, "top10": 0, "facets": 0})
    differences = []
    for cls, query in queries:
        words = query_words(query)
        local = summary(run(args.sitrep, ["--index", args.index], words))
        remote = summary(run(args.sitrep, ["--remote", args.remote], words))
        row = per_class[cls]
        row["queries"] += 1
        same_total = local.get("total") == remote.get("total") and \
            local.get("dups") == remote.get("dups") and "error" not in local
        same_top = local.get("top") == remote.get("top") and "error" not in local
        same_facets = local.get("facets") == remote.get("facets")
        row["totals"] += same_total
        row["top10"] += same_top
        row["facets"] += same_facets
        if not (same_total and same_top and same_facets):
            differences.append({"class": cls, "query": query, "local": local, "remote": remote})

    totals = {k: sum(r[k] for r in per_class.values())
              for k in ("queries", "totals", "top10", "facets")}
    if args.json:
        print(json.dumps({"classes": per_class, "all": totals, "differences": differences},
                         indent=1))
        return
    print(f"{'class':<16}{'queries':>8}{'totals':>8}{'top-10':>8}{'facets':>8}")
    for cls, row in per_class.items():
        print(f"{cls:<16}{row['queries']:>8}{row['totals']:>8}{row['top10']:>8}{row['facets']:>8}")
    print(f"{'all':<16}{totals['queries']:>8}{totals['totals']:>8}{totals['top10']:>8}"
          f"{totals['facets']:>8}")
    for d in differences:
        print(f"\n[{d['class']}] {d['query']}")
        for side in ("local", "remote"):
            s = d[side]
            if "error" in s:
                print(f"  {side:<6} error: {s['error']}")
                continue
            print(f"  {side:<6} total {s['total']} (+{s['dups']})")
            print(f"         {list(zip(s['top'], s['scores']))}")
            if s["facets"] != d["remote" if side == "local" else "local"].get("facets"):
                print(f"         facets {s['facets']}")


if __name__ == "__main__":
    sys.exit(main())
