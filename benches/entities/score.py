#!/usr/bin/env python3
"""Entity-tagging quality: `sitrep extract` against hand-annotated held-out news articles.

    python3 benches/entities/score.py [--gold ../heldout/gold.jsonl] [--sitrep target/release/sitrep]
                                      [--errors] [--json] [--strict] [--doc SUBSTRING]
                                      [EXTRA SITREP ARGS, e.g. --entities FILE]

The gold data lives OUTSIDE the repository, on purpose: it is an evaluation set nobody may tune
on (no gazetteer entry, alias or rule may be added because of what it contains), and its texts
are Reuters / Al Jazeera / BBC copyright. Default path: ../heldout/gold.jsonl relative to the
repository root (i.e. /work/heldout/gold.jsonl); its README.md describes the articles and the
annotation conventions (CoNLL-2003 PER / ORG / LOC, titles outside the span, every repeat
mention annotated).

Gold format, one JSON object a line:
    {"doc": "source:article-id", "text": "...",
     "entities": [{"start": B, "end": B, "kind": "person"|"org"|"place", "text": "..."}],
     "ignore":   [{"start": B, "end": B, "text": "..."}]}            (optional)
Offsets are UTF-8 byte offsets into "text". "ignore" spans are debatable cases (a name inside
a hyphenated modifier such as "Iran-backed", a name inside a MISC name such as "Iraq Index"):
a prediction that overlaps one and no gold span of its kind is dropped before scoring and
counted as "ignored"; --strict scores such predictions as false positives instead.

For each document the scorer pipes "text" into `sitrep extract --json -` (run from the
repository root, so sitrep's default --corpus corpus/ and its entities.toml apply; arguments
this script does not know, e.g. `--entities FILE`, are passed through to sitrep, and relative
paths in them are relative to the repository root). sitrep prints the mentions it found: a list
of objects with "kind", "name", "text" and "range": [start, end] (UTF-8 byte offsets into the
input). The reader also accepts entities that carry a "mentions" list, "start"/"end" instead of
"range", and ignores extra fields; mentions marked "unlisted": true (found by a tagger rather
than the gazetteer) are scored like the others and also counted separately.

Scores, per kind (person, org, place) and overall (micro-averaged over mentions):
  exact    a prediction is correct if a gold mention has the same start, end and kind;
  relaxed  a prediction is correct if it overlaps a gold mention of the same kind; each gold
           mention and each prediction is used at most once (maximum one-to-one matching,
           larger overlaps preferred).
Predicted kinds other than person/org/place (also accepted: per/organisation/organization/
loc/location/gpe) are not scored and are counted as "other kinds".

--errors lists misses (gold not matched, relaxed) and false positives (prediction not matched,
relaxed; with the gold mention it overlaps if the kind differs), then boundary errors (matched
relaxed but not exact). --json prints everything as one JSON object instead of tables.
Exit status: 0 on success, 2 on a bad gold file or a failing sitrep.
"""

import argparse
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
KINDS = ("person", "org", "place")
KIND_ALIASES = {
    "person": "person", "per": "person", "people": "person",
    "org": "org", "organisation": "org", "organization": "org",
    "place": "place", "loc": "place", "location": "place", "gpe": "place",
}


# ---------------------------------------------------------------- reading

def load_gold(path, doc_filter=None):
    docs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            if doc_filter and doc_filter not in d["doc"]:
                continue
            b = d["text"].encode("utf-8")
            for e in d.get("entities", []) + d.get("ignore", []):
                got = b[e["start"]:e["end"]].decode("utf-8", "replace")
                if got != e["text"]:
                    raise ValueError(f"{path}:{n} {d['doc']}: span {e['start']}..{e['end']} "
                                     f"is {got!r}, gold says {e['text']!r}")
                if "kind" in e and e["kind"] not in KINDS:
                    raise ValueError(f"{path}:{n} {d['doc']}: unknown kind {e['kind']!r}")
            docs.append(d)
    return docs


def _span(m):
    """(start, end) of a predicted mention in any of the accepted shapes, else None."""
    r = m.get("range", m.get("span", m.get("byte_range")))
    if isinstance(r, (list, tuple)) and len(r) == 2:
        return int(r[0]), int(r[1])
    if isinstance(r, dict) and "start" in r and "end" in r:
        return int(r["start"]), int(r["end"])
    if "start" in m and "end" in m:
        return int(m["start"]), int(m["end"])
    return None


def flatten(out, parent=None):
    """Mentions from sitrep's JSON, whether a flat list of mentions, a list of entities each
    with "mentions", or an object holding either under "mentions"/"entities"."""
    parent = parent or {}
    if isinstance(out, dict):
        for key in ("mentions", "entities"):
            if isinstance(out.get(key), list):
                return flatten(out[key], parent)
        return []
    found = []
    for item in out if isinstance(out, list) else []:
        if not isinstance(item, dict):
            continue
        inherited = {k: item[k] for k in ("kind", "name", "unlisted") if k in item}
        if isinstance(item.get("mentions"), list):
            found += flatten(item["mentions"], {**parent, **inherited})
            continue
        span = _span(item)
        if span is None:
            continue
        m = {**parent, **item}
        found.append({"start": span[0], "end": span[1], "raw_kind": str(m.get("kind", "")),
                      "name": m.get("name"), "text": m.get("text"),
                      "unlisted": bool(m.get("unlisted", False))})
    return found


def run_sitrep(binary, extra, text):
    cmd = [str(binary), "extract", "--json", *extra, "-"]
    p = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True, cwd=REPO)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: "
                           f"{p.stderr.decode('utf-8', 'replace').strip()}")
    return json.loads(p.stdout.decode("utf-8") or "[]")


# ---------------------------------------------------------------- matching

def overlap(a, b):
    return max(0, min(a["end"], b["end"]) - max(a["start"], b["start"]))


def relaxed_match(gold, pred):
    """Maximum one-to-one matching of overlapping same-kind spans (Kuhn's augmenting paths,
    candidates tried largest overlap first). Returns {pred index: gold index}."""
    cand = []
    for i, p in enumerate(pred):
        c = [(overlap(p, g), j) for j, g in enumerate(gold)
             if g["kind"] == p["kind"] and overlap(p, g) > 0]
        c.sort(key=lambda t: (-t[0], t[1]))
        cand.append([j for _, j in c])
    gold_of = {}   # gold index -> pred index

    def augment(i, seen):
        for j in cand[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in gold_of or augment(gold_of[j], seen):
                gold_of[j] = i
                return True
        return False

    # exact matches first, so that a boundary-perfect prediction is never displaced
    for i, p in enumerate(pred):
        for j in cand[i]:
            g = gold[j]
            if j not in gold_of and (g["start"], g["end"]) == (p["start"], p["end"]):
                gold_of[j] = i
                break
    matched = set(gold_of.values())
    for i in range(len(pred)):
        if i not in matched:
            augment(i, set())
            matched = set(gold_of.values())
    return {i: j for j, i in gold_of.items()}


# ---------------------------------------------------------------- scoring

def prf(tp, n_pred, n_gold):
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "pred": n_pred, "gold": n_gold,
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def context(text_bytes, start, end, width=40):
    left = text_bytes[max(0, start - width):start].decode("utf-8", "ignore")
    right = text_bytes[end:end + width].decode("utf-8", "ignore")
    mid = text_bytes[start:end].decode("utf-8", "replace")
    return (left + "[" + mid + "]" + right).replace("\n", " ")


def score(docs, binary, extra, strict):
    counts = {m: Counter() for m in ("exact", "relaxed")}
    by_source = defaultdict(lambda: {m: Counter() for m in ("exact", "relaxed", "gold", "pred")})
    n_gold, n_pred = Counter(), Counter()
    stats = Counter()
    errors = {"misses": [], "false_positives": [], "boundary": []}
    for d in docs:
        text = d["text"]
        tb = text.encode("utf-8")
        gold = [dict(e) for e in d.get("entities", [])]
        ignore = d.get("ignore", [])
        raw = flatten(run_sitrep(binary, extra, text))
        pred, seen = [], set()
        for m in raw:
            stats["predicted mentions"] += 1
            kind = KIND_ALIASES.get(m["raw_kind"].lower())
            if kind is None:
                stats[f"other kinds ({m['raw_kind'] or 'none'})"] += 1
                continue
            if not (0 <= m["start"] < m["end"] <= len(tb)):
                stats["ranges outside the text"] += 1
                continue
            if m["text"] is not None and tb[m["start"]:m["end"]].decode("utf-8", "replace") != m["text"]:
                stats["text differs from range"] += 1
            key = (m["start"], m["end"], kind)
            if key in seen:
                stats["duplicate mentions dropped"] += 1
                continue
            seen.add(key)
            m = {**m, "kind": kind}
            if not strict and any(overlap(m, s) for s in ignore) and \
                    not any(overlap(m, g) and g["kind"] == kind for g in gold):
                stats["ignored (debatable gold spans)"] += 1
                continue
            if m["unlisted"]:
                stats["unlisted predictions"] += 1
            pred.append(m)
        src = d["doc"].split(":", 1)[0]
        for g in gold:
            n_gold[g["kind"]] += 1
        for p in pred:
            n_pred[p["kind"]] += 1
        gold_keys = {(g["start"], g["end"], g["kind"]) for g in gold}
        rel = relaxed_match(gold, pred)
        for i, p in enumerate(pred):
            exact = (p["start"], p["end"], p["kind"]) in gold_keys
            for c in (counts, by_source[src]):
                c["exact"][p["kind"]] += exact
                c["relaxed"][p["kind"]] += i in rel
            if p["unlisted"]:
                stats["unlisted predictions correct (relaxed)"] += i in rel
            if i in rel and not exact:
                g = gold[rel[i]]
                errors["boundary"].append({"doc": d["doc"], "kind": p["kind"],
                                           "gold": g["text"], "gold_range": [g["start"], g["end"]],
                                           "predicted": tb[p["start"]:p["end"]].decode("utf-8", "replace"),
                                           "range": [p["start"], p["end"]], "name": p["name"]})
            if i not in rel:
                other = [g for g in gold if overlap(p, g)]
                errors["false_positives"].append({
                    "doc": d["doc"], "kind": p["kind"], "name": p["name"],
                    "text": tb[p["start"]:p["end"]].decode("utf-8", "replace"),
                    "range": [p["start"], p["end"]], "unlisted": p["unlisted"],
                    "overlaps_gold": [f"{g['kind']}:{g['text']}" for g in other],
                    "context": context(tb, p["start"], p["end"])})
        matched_gold = set(rel.values())
        for j, g in enumerate(gold):
            if j not in matched_gold:
                errors["misses"].append({"doc": d["doc"], "kind": g["kind"], "text": g["text"],
                                         "range": [g["start"], g["end"]],
                                         "context": context(tb, g["start"], g["end"])})
        by_source[src]["gold"].update(g["kind"] for g in gold)
        by_source[src]["pred"].update(p["kind"] for p in pred)

    result = {"documents": len(docs), "strict": strict, "scores": {}, "by_source": {},
              "counts": dict(stats), "errors": errors}
    for mode in ("exact", "relaxed"):
        per = {k: prf(counts[mode][k], n_pred[k], n_gold[k]) for k in KINDS}
        per["overall"] = prf(sum(counts[mode].values()), sum(n_pred.values()), sum(n_gold.values()))
        result["scores"][mode] = per
    for src, c in sorted(by_source.items()):
        result["by_source"][src] = {
            mode: prf(sum(c[mode].values()), sum(c["pred"].values()), sum(c["gold"].values()))
            for mode in ("exact", "relaxed")}
    return result


# ---------------------------------------------------------------- output

def print_report(r, show_errors):
    print(f"{r['documents']} documents" + (" (strict: ignore spans scored)" if r["strict"] else ""))
    for mode in ("exact", "relaxed"):
        print(f"\n{mode:8} {'gold':>5} {'pred':>5} {'tp':>5}  {'P':>6} {'R':>6} {'F1':>6}")
        for k in (*KINDS, "overall"):
            s = r["scores"][mode][k]
            print(f"{k:8} {s['gold']:5} {s['pred']:5} {s['tp']:5}  "
                  f"{s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f}")
    print(f"\n{'source':10} {'exact F1':>8} {'relaxed P':>9} {'R':>6} {'F1':>6}")
    for src, s in r["by_source"].items():
        e, x = s["exact"], s["relaxed"]
        print(f"{src:10} {e['f1']:8.3f} {x['precision']:9.3f} {x['recall']:6.3f} {x['f1']:6.3f}")
    if r["counts"]:
        print("\n" + ", ".join(f"{k}: {v}" for k, v in sorted(r["counts"].items())))
    if not show_errors:
        return
    e = r["errors"]
    print(f"\nmisses ({len(e['misses'])}):")
    for m in e["misses"]:
        print(f"  {m['doc']:26} {m['kind']:6} {m['text']!r:32} {m['context']}")
    print(f"\nfalse positives ({len(e['false_positives'])}):")
    for m in e["false_positives"]:
        note = f" (gold: {', '.join(m['overlaps_gold'])})" if m["overlaps_gold"] else ""
        unl = " [unlisted]" if m["unlisted"] else ""
        print(f"  {m['doc']:26} {m['kind']:6} {m['text']!r:32} -> {m['name']}{unl}{note}  {m['context']}")
    print(f"\nboundary errors, matched only when relaxed ({len(e['boundary'])}):")
    for m in e["boundary"]:
        print(f"  {m['doc']:26} {m['kind']:6} gold {m['gold']!r} predicted {m['predicted']!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 epilog="Unknown arguments are passed to `sitrep extract`.")
    ap.add_argument("--gold", default=str(REPO.parent / "heldout" / "gold.jsonl"))
    ap.add_argument("--sitrep", default=str(REPO / "target" / "release" / "sitrep"))
    ap.add_argument("--errors", action="store_true", help="list misses, false positives, boundary errors")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--strict", action="store_true", help="score predictions on 'ignore' spans as errors")
    ap.add_argument("--doc", help="only documents whose id contains this")
    args, extra = ap.parse_known_args()
    if extra and extra[0] == "--":
        extra = extra[1:]
    try:
        docs = load_gold(args.gold, args.doc)
        if not docs:
            raise ValueError(f"no documents in {args.gold}")
        r = score(docs, Path(args.sitrep), extra, args.strict)
    except (OSError, ValueError, RuntimeError) as e:
        print(f"score.py: {e}", file=sys.stderr)
        return 2
    if args.json:
        if not args.errors:
            r.pop("errors")
        json.dump(r, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_report(r, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
