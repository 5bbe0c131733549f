#!/usr/bin/env python3
"""Scale the real news corpora in ../shared/data up (or down) to a corpus of a given size.

    python3 benches/scale_corpus.py --size 100MB --out /tmp/corpus-100MB [--data ../shared/data]
                                    [--seed 42] [--sources reuters]

Writes DIR/part-0000.jsonl, part-0001.jsonl, ... (about 8 MB each), one article a line in
sitrep's article schema {"id", "title", "date", "url", "source", "paragraphs"}, until the
JSONL bytes written reach --size (KB/MB/GB = 10^3/10^6/10^9 bytes; KiB/MiB/GiB = powers of 2).

The output is one deterministic stream:
  pass 0     every source article, unchanged (sources in the order given);
  pass k>=1  every article again as a variant: id "ID~kK", date shifted by a seeded number of
             days, and each paragraph perturbed by seeded word drops (~3%), adjacent-word swaps
             (~2% of words) and typos (~1 word in 200 gets one letter substituted or transposed),
             so copies are near-duplicates, not exact ones.
Every article's randomness comes from random.Random("SEED:PASS:INDEX"), so the output is
reproducible and a smaller corpus is an exact prefix of a larger one's stream (same seed and
sources): the articles of --size 10MB are the first articles of --size 100MB.

The source data is third-party (see ../shared/data/PROVENANCE.md): never write the output into
the sitrep repository. The script refuses an --out inside the repository it lives in.
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import re
import sys
import time
from pathlib import Path

SOURCES = {
    "reuters": "reuters21578/reuters21578.jsonl",
    "aljazeera": "aljazeera_gaza/aljazeera_gaza.jsonl",
    "bbc": "bbc_news/bbc_news.jsonl",
}
DEFAULT_SOURCES = ["reuters", "aljazeera", "bbc"]
FIELDS = ("id", "title", "date", "url", "source", "paragraphs")
PART_BYTES = 8_000_000

DROP_RATE = 0.03
SWAP_RATE = 0.02
TYPO_RATE = 1 / 200
MAX_SHIFT_DAYS = 1825

UNITS = {"": 1, "B": 1, "K": 10**3, "KB": 10**3, "M": 10**6, "MB": 10**6, "G": 10**9, "GB": 10**9,
         "KIB": 2**10, "MIB": 2**20, "GIB": 2**30}


def parse_size(text):
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", text)
    if not m or m.group(2).upper() not in UNITS:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (examples: 500KB, 100MB, 1GB)")
    return int(float(m.group(1)) * UNITS[m.group(2).upper()])


def load_articles(data_dir, sources):
    """All source articles, reduced to sitrep's article schema, in stream order."""
    articles = []
    for name in sources:
        path = data_dir / SOURCES[name]
        with open(path, encoding="utf-8") as f:
            for line_no, line in enumerate(f, 1):
                if not line.strip():
                    continue
                rec = json.loads(line)
                paragraphs = [p for p in rec.get("paragraphs") or [] if p and p.strip()]
                if not paragraphs:
                    continue
                art = {k: rec.get(k) for k in FIELDS}
                art["paragraphs"] = paragraphs
                if not art["id"]:
                    art["id"] = f"{name}-{line_no}"
                articles.append(art)
    return articles


def gaps(rng, lam):
    """Distance to the next event of a Bernoulli(p) process, lam = -ln(1-p): geometric gaps
    drawn in O(events) instead of one random draw per word."""
    return int(rng.expovariate(lam))


LAM_DROP = -math.log1p(-DROP_RATE)
LAM_SWAP = -math.log1p(-SWAP_RATE)
LAM_TYPO = -math.log1p(-TYPO_RATE)
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def typo(rng, word):
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    if not letters:
        return word
    i = letters[rng.randrange(len(letters))]
    chars = list(word)
    j = i + 1
    if rng.random() < 0.5 and j < len(chars) and chars[j].isalpha() and chars[j] != chars[i]:
        chars[i], chars[j] = chars[j], chars[i]  # transposition
    else:
        c = rng.choice(LETTERS)
        if c == chars[i].lower():
            c = LETTERS[(LETTERS.index(c) + 1) % 26]
        chars[i] = c.upper() if chars[i].isupper() else c
    return "".join(chars)


def perturb(rng, text):
    words = text.split()
    n = len(words)
    if n == 0:
        return text
    # drops
    pos = gaps(rng, LAM_DROP)
    if pos < n:
        drop = set()
        while pos < n:
            drop.add(pos)
            pos += 1 + gaps(rng, LAM_DROP)
        kept = [w for i, w in enumerate(words) if i not in drop]
        words = kept or words[:1]
        n = len(words)
    # adjacent swaps
    pos = gaps(rng, LAM_SWAP)
    while pos < n - 1:
        words[pos], words[pos + 1] = words[pos + 1], words[pos]
        pos += 2 + gaps(rng, LAM_SWAP)
    # typos
    pos = gaps(rng, LAM_TYPO)
    while pos < n:
        words[pos] = typo(rng, words[pos])
        pos += 1 + gaps(rng, LAM_TYPO)
    return " ".join(words)


def shift_date(value, days):
    if not value:
        return value
    try:
        if len(value) == 10:
            d = dt.date.fromisoformat(value) + dt.timedelta(days=days)
            return d.isoformat()
        d = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) + dt.timedelta(days=days)
        out = d.isoformat()
        return out.replace("+00:00", "Z") if value.endswith("Z") else out
    except (ValueError, OverflowError):
        return value


def variant(art, seed, k, index):
    rng = random.Random(f"{seed}:{k}:{index}")
    days = rng.randint(-MAX_SHIFT_DAYS, MAX_SHIFT_DAYS) or 1
    out = dict(art)
    out["id"] = f"{art['id']}~k{k}"
    out["date"] = shift_date(art["date"], days)
    if art["title"]:
        out["title"] = perturb(rng, art["title"]) if rng.random() < 0.5 else art["title"]
    out["paragraphs"] = [perturb(rng, p) for p in art["paragraphs"]]
    return out


def stream(articles, seed):
    k = 0
    while True:
        for index, art in enumerate(articles):
            yield k, (art if k == 0 else variant(art, seed, k, index))
        k += 1


def inside(path, root):
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def main(argv=None):
    here = Path(__file__).resolve().parent
    repo = here.parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=parse_size, required=True, help="e.g. 10MB, 100MB, 1GB")
    ap.add_argument("--out", type=Path, required=True, help="output folder (created; old part-*.jsonl removed)")
    ap.add_argument("--data", type=Path, default=repo.parent / "shared" / "data")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--sources", default=",".join(DEFAULT_SOURCES),
                    help="comma-separated, in stream order: " + ", ".join(SOURCES) + " (default: all)")
    ap.add_argument("--part-bytes", type=parse_size, default=PART_BYTES, help="bytes per part file (default 8MB)")
    args = ap.parse_args(argv)

    sources = [s.strip().lower() for s in args.sources.split(",") if s.strip()]
    aliases = {"aljazeera_gaza": "aljazeera", "bbc_news": "bbc", "reuters21578": "reuters"}
    sources = [aliases.get(s, s) for s in sources]
    bad = [s for s in sources if s not in SOURCES]
    if bad or not sources:
        ap.error(f"unknown source(s) {bad}; choose from {', '.join(SOURCES)}")
    if (repo / ".git").exists() and inside(args.out, repo):
        ap.error(f"--out {args.out} is inside the repository {repo}; third-party data must stay outside it")

    started = time.perf_counter()
    articles = load_articles(args.data, sources)
    if not articles:
        sys.exit("error: no articles in the chosen sources")

    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("part-*.jsonl"):
        old.unlink()

    total = n_articles = n_paragraphs = 0
    part_no, part_size, part = 0, 0, None
    last_pass = 0
    try:
        for k, art in stream(articles, args.seed):
            line = (json.dumps(art, ensure_ascii=False) + "\n").encode("utf-8")
            if total + len(line) > args.size:
                break
            if part is None or part_size >= args.part_bytes:
                if part:
                    part.close()
                part = open(args.out / f"part-{part_no:04d}.jsonl", "wb", buffering=1 << 20)
                part_no += 1
                part_size = 0
            part.write(line)
            part_size += len(line)
            total += len(line)
            n_articles += 1
            n_paragraphs += len(art["paragraphs"])
            last_pass = k
    finally:
        if part:
            part.close()

    elapsed = time.perf_counter() - started
    manifest = {
        "size_requested": args.size, "bytes": total, "articles": n_articles,
        "paragraphs": n_paragraphs, "files": part_no, "passes": last_pass + 1,
        "seed": args.seed, "sources": sources, "data": str(args.data.resolve()),
        "generator": "benches/scale_corpus.py", "seconds": round(elapsed, 2),
    }
    # Hidden file: sitrep skips hidden files when it walks the corpus.
    (args.out / ".scale_corpus.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"{n_articles} articles, {n_paragraphs} paragraphs, {total} bytes "
          f"({total / 1e6:.1f} MB) in {part_no} files, passes 0..{last_pass}, "
          f"sources {','.join(sources)}, seed {args.seed} -> {args.out} ({elapsed:.1f}s)")


if __name__ == "__main__":
    main()
