#!/usr/bin/env python3
"""Ranking quality on the Cranfield collection: sitrep beside an SQLite FTS5 bm25() baseline.

    python3 benches/relevance/run.py [--data ../shared/data] [--work /tmp/sitrep-relevance]
                                     [--ranking "title=2,stem=0.5,proximity=1,slop=4"]
                                     [--grid] [--json] [--sitrep PATH]
                                     [--remote URL/INDEX]

Indexes the 1,398 Cranfield abstracts (docs.jsonl: one article per abstract, its paragraphs)
with target/release/sitrep, runs every one of the 225 questions through `sitrep search
--per-article -n 100 --json` (punctuation removed, nothing else changed), and the same words
OR-ed through FTS5's bm25() over the same paragraphs. An article's rank is its best paragraph's
rank. Relevance is binary: a qrels code of 1-4 is relevant (-1, undocumented, is not).

Prints nDCG@10, P@10, MAP@100 and the number of zero-hit queries for the odd-numbered queries
(used for tuning), the even-numbered ones (reported) and all. `--grid` searches ranking
weights on the odd queries only and prints the best settings; `--ranking` evaluates one setting
(it is passed to sitrep as SITREP_RANKING). `--remote` also syncs the abstracts into that
cluster index (`sitrep index --to`) and reports the same questions answered there
(`sitrep search --remote`), beside the embedded index.
"""

import argparse
import itertools
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SITREP = REPO / "target" / "release" / "sitrep"
K = 100


def load_collection(data):
    cran = Path(data) / "cranfield"
    queries = {}
    for line in (cran / "queries.tsv").read_text().splitlines()[1:]:
        qid, text, _ = line.split("\t")
        queries[int(qid)] = text
    relevant = {}
    for line in (cran / "qrels.tsv").read_text().splitlines()[1:]:
        qid, docid, code = line.split("\t")
        if int(code) >= 1:
            relevant.setdefault(int(qid), set()).add(docid)
    return cran / "docs.jsonl", queries, relevant


def words_of(text):
    """The question without punctuation, as a user pasting it would type it."""
    return re.findall(r"[a-z0-9]+", text.lower())


def metrics(ranked, relevant):
    rel = relevant
    gains = [1 if d in rel else 0 for d in ranked[:10]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(rel), 10)))
    hits, precision_sum = 0, 0.0
    for i, d in enumerate(ranked[:K]):
        if d in rel:
            hits += 1
            precision_sum += hits / (i + 1)
    return {
        "ndcg10": dcg / ideal if ideal else 0.0,
        "p10": sum(gains) / 10,
        "map100": precision_sum / len(rel) if rel else 0.0,
        "zero": 1 if not ranked else 0,
    }


def summarise(per_query, qids):
    rows = [per_query[q] for q in qids]
    n = len(rows) or 1
    return {
        "queries": len(rows),
        "ndcg10": sum(r["ndcg10"] for r in rows) / n,
        "p10": sum(r["p10"] for r in rows) / n,
        "map100": sum(r["map100"] for r in rows) / n,
        "zero_hits": sum(r["zero"] for r in rows),
    }


def build_sitrep_index(docs, work):
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    link = corpus / "cranfield.jsonl"
    if not link.exists():
        link.symlink_to(docs)
    index = work / "index"
    # Exit code 1 says some article was skipped: Cranfield has one empty abstract (995).
    done = subprocess.run([str(SITREP), "--corpus", str(corpus), "--index", str(index), "--quiet", "index"])
    if done.returncode not in (0, 1):
        sys.exit(f"sitrep index failed with {done.returncode}")
    return corpus, index


def build_remote_index(corpus, remote):
    done = subprocess.run([str(SITREP), "--corpus", str(corpus), "--quiet", "index", "--to", remote])
    if done.returncode not in (0, 1):
        sys.exit(f"sitrep index --to failed with {done.returncode}")


def run_sitrep(corpus, index, queries, qids, ranking, remote=None):
    env = dict(os.environ)
    if ranking:
        env["SITREP_RANKING"] = ranking
    ranked = {}
    for qid in qids:
        query = " ".join(words_of(queries[qid]))
        store = ["--remote", remote] if remote else ["--corpus", str(corpus), "--index", str(index)]
        out = subprocess.run(
            [str(SITREP), *store, "--quiet", "search", query,
             "--per-article", "-n", str(K), "--json"],
            capture_output=True, text=True, env=env, check=True).stdout
        ranked[qid] = [h["article_id"] for h in json.loads(out)["hits"]]
    return ranked


def run_fts5(docs, queries, qids, work):
    db_path = work / "fts5.sqlite"
    db = sqlite3.connect(db_path)
    if not db.execute("SELECT name FROM sqlite_master WHERE name='p'").fetchone():
        db.execute("CREATE VIRTUAL TABLE p USING fts5(doc UNINDEXED, text)")
        with open(docs) as f:
            for line in f:
                article = json.loads(line)
                db.executemany("INSERT INTO p VALUES (?, ?)",
                               [(article["id"], text) for text in article["paragraphs"]])
        db.commit()
    ranked = {}
    for qid in qids:
        match = " OR ".join(f'"{w}"' for w in words_of(queries[qid]))
        seen = []
        for (doc,) in db.execute("SELECT doc FROM p WHERE p MATCH ? ORDER BY bm25(p)", (match,)):
            if doc not in seen:
                seen.append(doc)
                if len(seen) == K:
                    break
        ranked[qid] = seen
    return ranked


def evaluate(ranked, relevant):
    return {qid: metrics(docs, relevant.get(qid, set())) for qid, docs in ranked.items()}


def table(systems, halves):
    lines = ["| system | queries | nDCG@10 | P@10 | MAP@100 | zero-hit queries |",
             "|---|---|---:|---:|---:|---:|"]
    for name, per_query in systems.items():
        for half, qids in halves.items():
            s = summarise(per_query, qids)
            lines.append(f"| {name} | {half} ({s['queries']}) | {s['ndcg10']:.3f} | {s['p10']:.3f} | "
                         f"{s['map100']:.3f} | {s['zero_hits']} |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.environ.get("SITREP_SHARED_DATA", str(REPO.parent / "shared" / "data")))
    p.add_argument("--work", default="/tmp/sitrep-relevance")
    p.add_argument("--ranking", default="")
    p.add_argument("--grid", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument("--sitrep", help="the binary (default: target/release/sitrep)")
    p.add_argument("--remote", help="also run on this cluster index (URL/INDEX)")
    args = p.parse_args()
    global SITREP
    if args.sitrep:
        SITREP = Path(args.sitrep).resolve()
    if not SITREP.exists():
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    docs, queries, relevant = load_collection(args.data)
    corpus, index = build_sitrep_index(docs, work)
    odd = [q for q in queries if q % 2 == 1]
    even = [q for q in queries if q % 2 == 0]

    if args.grid:
        results = []
        grid = itertools.product([0.5, 1, 2], [1, 1.5, 2.5], [0, 0.3], [0, 0.3, 0.6])
        for title, stem, proximity, article in grid:
            ranking = f"title={title},stem={stem},proximity={proximity},article={article}"
            per_query = evaluate(run_sitrep(corpus, index, queries, odd, ranking), relevant)
            s = summarise(per_query, odd)
            results.append((s["ndcg10"], s["map100"], ranking))
            print(f"{ranking:40} odd nDCG@10 {s['ndcg10']:.4f} MAP@100 {s['map100']:.4f}", file=sys.stderr)
        results.sort(reverse=True)
        print("best on the odd queries:", results[0][2], f"(nDCG@10 {results[0][0]:.4f})")
        return

    all_qids = sorted(queries)
    systems = {
        "sitrep": evaluate(run_sitrep(corpus, index, queries, all_qids, args.ranking), relevant),
        "FTS5 bm25, words OR-ed": evaluate(run_fts5(docs, queries, all_qids, work), relevant),
    }
    if args.remote:
        build_remote_index(corpus, args.remote)
        ranked = run_sitrep(corpus, index, queries, all_qids, args.ranking, args.remote)
        systems["sitrep --remote (OpenSearch)"] = evaluate(ranked, relevant)
    halves = {"odd (tuning)": odd, "even (reported)": even, "all": all_qids}
    if args.json:
        print(json.dumps({name: {half: summarise(pq, qids) for half, qids in halves.items()}
                          for name, pq in systems.items()}, indent=1))
    else:
        print(table(systems, halves))


if __name__ == "__main__":
    main()
