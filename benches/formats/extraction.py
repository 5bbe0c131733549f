#!/usr/bin/env python3
"""Article-body extraction quality of `sitrep read` on saved web pages.

What is measured
----------------
For every page, the reader (`sitrep read --json FILE...`) prints one JSON
object per article: {"path", "title", "date", "url", "paragraphs"}. The
page's predicted body is all its articles' paragraphs joined with "\\n" (the
empty string when the reader refused the file or printed no article). It is
scored against a reference body with the metric of the ScrapingHub article
extraction benchmark, reimplemented here from its evaluate.py:

- tokens: re.findall(r"\\w+", text) (flags UNICODE | MULTILINE | IGNORECASE |
  DOTALL; case is kept); shingles: every run of 4 consecutive tokens (a text
  of 1 to 3 tokens is one shorter shingle), counted as a multiset;
- per page: TP = sum of min(ref count, pred count) over shingles, FP and FN
  the excess on either side, then divided by TP + FP + FN so that every page
  weighs the same;
- precision: mean over pages with TP + FP > 0 (a refused page does not count)
  of TP / (TP + FP); recall: mean over pages with TP + FN > 0 of TP / (TP + FN)
  (a page with FP = FN = 0 scores 1 on both); F1 = 2PR / (P + R) from the two
  means, not a mean of per-page F1s; accuracy: share of pages whose token list
  equals the reference's;
- ± is the standard deviation over bootstrap resamples of the pages (1000 by
  default, drawn with random.randint as evaluate.py does, from a fixed seed).

Suites (each reads its data from a folder given on the command line; no page
of either is stored in this repository):

--scrapinghub DIR
    A checkout of https://github.com/scrapinghub/article-extraction-benchmark
    (the code is MIT licensed; the 181 pages in html/*.html.gz are third-party
    news pages and must not be copied into this repository). Each page is
    decompressed into a temporary folder as KEY.html and read; the reference is
    ground-truth.json[KEY]["articleBody"]. Numbers are directly comparable with
    the benchmark's README table. --check-evaluate also writes the predictions
    as the benchmark's output/*.json (in a temporary copy, not in DIR), runs
    DIR/evaluate.py on it with the same random seed, and checks that every
    number (P, R, F1, accuracy, their stds, the per-page TP/FP/FN) is identical.

--readability DIR
    Mozilla Readability's test pages (test/test-pages, Apache-2.0; here
    /work/shared/data/readability-test-pages): folders with source.html,
    expected.html and expected-metadata.json. The reference body is the text of
    expected.html (Readability.js's own output, not a human gold body): tags
    stripped with html.parser, script/style dropped, block-element boundaries
    as newlines. Also counted: titles equal to the metadata "title" (exact
    after whitespace collapse; a null title equals ""), of the others those
    that only lack a " - Site name" style suffix (the reader drops these on
    purpose, Readability.js keeps them), and dates equal to the day (YYYY-MM-DD as
    written, no time-zone shift) of "publishedTime" where it is given.

Timing: the wall time of all reader processes of a suite (batches of --batch
files per process, process start-up included) and pages per second. This is
a by-product: in-process per-page timing is another benchmark's job. With
--repeat N the suite is read N times and the fastest total is reported.

Run (Python 3.11 standard library only; from the repository root, after
`cargo build --release`):

    git clone https://github.com/scrapinghub/article-extraction-benchmark /tmp/aeb
    python3 benches/formats/extraction.py --scrapinghub /tmp/aeb --check-evaluate \\
        --readability /path/to/readability-test-pages --json /tmp/extraction.json
    python3 benches/formats/extraction.py --sitrep /tmp/other-sitrep --scrapinghub /tmp/aeb --worst 10

Exit status: 0, or 1 if --check-evaluate found a difference, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# ------------------------------------------------------------------ metric ---
# Faithful to scrapinghub/article-extraction-benchmark evaluate.py; keep it so.

_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def ngrams(text: str, n: int = 4) -> list[tuple[str, ...]]:
    tokens = tokenize(text)
    out = []
    for i in range(0, max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i:i + n])
        if shingle:
            out.append(shingle)
    return out


def shingle_matching(true: str, pred: str, n: int = 4) -> tuple[float, float, float]:
    """Per-page (TP, FP, FN) over 4-token shingles, normalised by their sum."""
    ts, ps = dict(Counter(ngrams(true, n))), dict(Counter(ngrams(pred, n)))
    tp = fp = fn = 0.0
    for key in set(ts) | set(ps):
        t, p = ts.get(key, 0), ps.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    s = tp + fp + fn
    if s > 0:
        return tp / s, fp / s, fn / s
    return tp, fp, fn


def accuracy(true: str, pred: str) -> float:
    return float(tokenize(true) == tokenize(pred))


def precision_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def recall_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def prf(triples: list[tuple[float, float, float]]) -> dict[str, float]:
    """evaluate.py's metrics_from_tp_fp_fns (guarded where it would raise)."""
    ps = [precision_score(*t) for t in triples if t[0] + t[1] > 0]
    rs = [recall_score(*t) for t in triples if t[0] + t[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return {"f1": f1, "precision": p, "recall": r}


def evaluate(trues: list[str], preds: list[str], n_bootstrap: int, seed: int) -> dict:
    """evaluate.py's evaluate(): pages in the given order, bootstrap from
    random.Random(seed), which draws exactly what the global random module
    draws after random.seed(seed)."""
    triples = [shingle_matching(t, p) for t, p in zip(trues, preds)]
    accs = [accuracy(t, p) for t, p in zip(trues, preds)]
    metrics: dict = prf(triples)
    metrics["accuracy"] = statistics.mean(accs) if accs else 0.0
    rng = random.Random(seed)
    values: dict[str, list[float]] = {}
    n = len(triples)
    for _ in range(n_bootstrap if n else 0):
        idx = [rng.randint(0, n - 1) for _ in range(n)]
        for k, v in prf([triples[i] for i in idx]).items():
            values.setdefault(k, []).append(v)
        values.setdefault("accuracy", []).append(statistics.mean([accs[i] for i in idx]))
    for k, vs in sorted(values.items()):
        metrics[f"{k}_std"] = statistics.stdev(vs) if len(vs) > 1 else 0.0
    metrics["pages_in_precision"] = sum(1 for t in triples if t[0] + t[1] > 0)
    metrics["pages_in_recall"] = sum(1 for t in triples if t[0] + t[2] > 0)
    metrics["tp_fp_fns"] = triples
    return metrics


# ------------------------------------------------------------------ reader ---

def run_reader(binary: str, files: list[str], batch: int, repeat: int) -> dict:
    """Reads `files` (absolute paths) in batches; returns per-file articles and
    refusal reasons, stderr lines not tied to a refusal, and the wall time."""
    best = None
    for _ in range(max(1, repeat)):
        articles: dict[str, list[dict]] = {f: [] for f in files}
        refused: dict[str, str] = {}
        other: list[str] = []
        statuses = []
        wall = 0.0
        for i in range(0, len(files), batch):
            chunk = files[i:i + batch]
            t0 = time.perf_counter()
            proc = subprocess.run([binary, "read", "--json", *chunk], capture_output=True)
            wall += time.perf_counter() - t0
            statuses.append(proc.returncode)
            for line in proc.stdout.decode("utf-8", "replace").splitlines():
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    other.append("stdout, not JSON: " + line[:200])
                    continue
                path = os.path.abspath(obj.get("path") or "")
                if path in articles:
                    articles[path].append(obj)
                else:
                    other.append(f"stdout, unknown path: {obj.get('path')!r}")
            for line in proc.stderr.decode("utf-8", "replace").splitlines():
                for f in chunk:
                    if line.startswith(f"error: {f}: "):
                        refused[f] = line[len(f"error: {f}: "):]
                        break
                else:
                    if line.strip():
                        other.append(line)
            if proc.returncode not in (0, 1) or (proc.returncode == 1) != any(f in refused for f in chunk):
                other.append(f"exit status {proc.returncode} for a batch of {len(chunk)} "
                             f"with {sum(f in refused for f in chunk)} refused")
        if best is None or wall < best["wall_s"]:
            best = {"articles": articles, "refused": refused, "other_stderr": other, "wall_s": wall}
    for f in files:
        if not best["articles"][f] and f not in best["refused"]:
            best["refused"][f] = "(no error line and no article printed)"
    return best


def body(objs: list[dict]) -> str:
    return "\n".join(p for o in objs for p in (o.get("paragraphs") or []))


def timing(wall: float, pages: int, batch: int, repeat: int, loadavg) -> dict:
    return {"wall_s": wall, "pages_per_s": pages / wall if wall > 0 else None,
            "processes_per_run": -(-pages // batch), "batch": batch, "repeat": repeat,
            "loadavg_before": list(loadavg)}


# ----------------------------------------------------------- scrapinghub ---

def scrapinghub_suite(a, problems: list[str]) -> dict:
    root = Path(a.scrapinghub)
    gt_path = root / "ground-truth.json"
    if not gt_path.is_file() or not (root / "html").is_dir():
        sys.exit(f"--scrapinghub {root}: expected ground-truth.json and html/ in it")
    ground_truth = json.loads(gt_path.read_text(encoding="utf-8"))
    keys = list(ground_truth)
    with tempfile.TemporaryDirectory(prefix="sitrep-aeb-") as tmp:
        files = []
        for key in keys:
            src = root / "html" / f"{key}.html.gz"
            dst = Path(tmp) / f"{key}.html"
            dst.write_bytes(gzip.decompress(src.read_bytes()))
            files.append(str(dst))
        loadavg = os.getloadavg()
        run = run_reader(a.sitrep, files, a.batch, a.repeat)
    preds = [body(run["articles"][f]) for f in files]
    trues = [ground_truth[k].get("articleBody", "") for k in keys]
    m = evaluate(trues, preds, a.n_bootstrap, a.seed)
    per_page = []
    for key, f, t, pred in zip(keys, files, m["tp_fp_fns"], preds):
        objs = run["articles"][f]
        row = {"key": key, "url": ground_truth[key].get("url"), "tp_fp_fn": list(t),
               "precision": precision_score(*t), "recall": recall_score(*t),
               "articles": len(objs), "tokens": len(tokenize(pred)),
               "ref_tokens": len(tokenize(ground_truth[key].get("articleBody", "")))}
        if f in run["refused"]:
            row["refused"] = run["refused"][f]
        per_page.append(row)
    result = {
        "pages": len(keys),
        "metrics": {k: v for k, v in m.items() if k != "tp_fp_fns"},
        "refused": {r["key"]: r["refused"] for r in per_page if "refused" in r},
        "timing": timing(run["wall_s"], len(keys), a.batch, a.repeat, loadavg),
        "other_stderr": run["other_stderr"][:50],
        "per_page": per_page,
    }
    if a.check_evaluate:
        result["evaluate_check"] = check_with_evaluate(root, ground_truth, keys, preds, m, a, problems)
    return result


def check_with_evaluate(root: Path, ground_truth: dict, keys: list[str], preds: list[str],
                        ours: dict, a, problems: list[str]) -> dict:
    """Runs the checkout's own evaluate.py on our predictions (written as its
    output/sitrep.json in a temporary copy) and compares every number."""
    script = root / "evaluate.py"
    if not script.is_file():
        problems.append(f"--check-evaluate: no {script}")
        return {"ok": False, "error": f"no {script}"}
    with tempfile.TemporaryDirectory(prefix="sitrep-aeb-eval-") as tmp:
        shutil.copy(root / "ground-truth.json", tmp)
        os.mkdir(os.path.join(tmp, "output"))
        out = {"version": "sitrep", "output": {k: {"articleBody": p} for k, p in zip(keys, preds)}}
        with open(os.path.join(tmp, "output", "sitrep.json"), "w", encoding="utf-8") as fh:
            json.dump(out, fh, ensure_ascii=False)
        code = ("import random, runpy, sys; random.seed(int(sys.argv[1])); "
                "sys.argv = [sys.argv[2]] + sys.argv[3:]; runpy.run_path(sys.argv[0], run_name='__main__')")
        proc = subprocess.run([sys.executable, "-c", code, str(a.seed), str(script.resolve()),
                               "--n-bootstrap", str(a.n_bootstrap), "--output", "result.json"],
                              cwd=tmp, capture_output=True, text=True)
        if proc.returncode != 0:
            problems.append("evaluate.py failed: " + proc.stderr.strip()[-300:])
            return {"ok": False, "error": proc.stderr.strip()[-2000:]}
        theirs = json.loads(Path(tmp, "result.json").read_text())["sitrep"]
    diffs = []
    for k, v in theirs.items():
        if k == "version":
            continue
        mine = ours.get(k)
        if k == "tp_fp_fns":
            mine = [list(t) for t in mine]
        if mine != v:
            diffs.append(k)
    compared = sorted(k for k in theirs if k != "version")
    if diffs:
        problems.append("evaluate.py disagrees on: " + ", ".join(diffs))
    return {"ok": not diffs, "compared": compared, "differences": diffs,
            "evaluate_py": {k: v for k, v in theirs.items() if k not in ("tp_fp_fns", "version")},
            "evaluate_py_stdout": proc.stdout}


# ----------------------------------------------------------- readability ---

BLOCK = {
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main",
    "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}
SKIP = {"script", "style", "noscript", "template", "head", "title"}
_HSPACE = re.compile(r"[^\S\n]+")


class _Text(HTMLParser):
    """Text of an HTML fragment, block-element boundaries as newlines; source
    line breaks are spaces except inside <pre>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skip += 1
        elif tag in BLOCK:
            self.parts.append("\n")
            self.pre += tag == "pre"

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK:
            self.parts.append("\n")
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data if self.pre else re.sub(r"[\r\n]+", " ", data))


def html_text(markup: str) -> str:
    p = _Text()
    p.feed(markup)
    p.close()
    lines = (_HSPACE.sub(" ", line).strip() for line in "".join(p.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def collapse(s: str | None) -> str:
    """Whitespace runs to one space, trimmed; no title (null) is the empty one."""
    return " ".join((s or "").split())


_SUFFIX_SEP = re.compile(r"\s+(?:[-|\u2013\u2014\u00b7:\u00bb/]|::)\s+")


def suffix_dropped(title: str | None, ref: str | None) -> bool:
    """ref is title plus a " - Site" style suffix that the reader removed."""
    t, r = collapse(title), collapse(ref)
    if not t or not r.startswith(t) or r == t:
        return False
    m = _SUFFIX_SEP.match(r[len(t):])
    return bool(m) and len(r) > len(t) + m.end()


def readability_suite(a, problems: list[str]) -> dict:
    root = Path(a.readability)
    names = sorted(d.name for d in root.iterdir() if (d / "source.html").is_file())
    if not names:
        sys.exit(f"--readability {root}: no */source.html")
    files = [str((root / n / "source.html").resolve()) for n in names]
    loadavg = os.getloadavg()
    run = run_reader(a.sitrep, files, a.batch, a.repeat)
    trues, preds, rows = [], [], []
    for name, f in zip(names, files):
        d = root / name
        meta = json.loads((d / "expected-metadata.json").read_text(encoding="utf-8"))
        ref = html_text((d / "expected.html").read_text(encoding="utf-8"))
        objs = run["articles"][f]
        pred = body(objs)
        trues.append(ref)
        preds.append(pred)
        title = objs[0].get("title") if objs else None
        date = objs[0].get("date") if objs else None
        row = {"page": name, "readerable": meta.get("readerable"), "articles": len(objs),
               "title": title, "ref_title": meta.get("title"),
               "title_match": collapse(title) == collapse(meta.get("title")),
               "title_suffix_dropped": suffix_dropped(title, meta.get("title")),
               "date": date, "tokens": len(tokenize(pred)), "ref_tokens": len(tokenize(ref))}
        m = re.match(r"\d{4}-\d{2}-\d{2}", meta.get("publishedTime") or "")
        if m:
            row["ref_date"] = m.group(0)
            row["date_match"] = date == m.group(0)
        if f in run["refused"]:
            row["refused"] = run["refused"][f]
        rows.append(row)
    m = evaluate(trues, preds, a.n_bootstrap, a.seed)
    for row, t in zip(rows, m["tp_fp_fns"]):
        row.update(tp_fp_fn=list(t), precision=precision_score(*t), recall=recall_score(*t))
    dated = [r for r in rows if "ref_date" in r]
    return {
        "pages": len(names),
        "metrics": {k: v for k, v in m.items() if k != "tp_fp_fns"},
        "readerable_false": prf([tuple(r["tp_fp_fn"]) for r in rows if r["readerable"] is False])
        | {"pages": sum(r["readerable"] is False for r in rows)},
        "titles": {"match": sum(r["title_match"] for r in rows), "pages": len(rows),
                   "suffix_dropped": sum(r["title_suffix_dropped"] for r in rows),
                   "mismatches": {r["page"]: [r["title"], r["ref_title"]]
                                  for r in rows if not r["title_match"]}},
        "dates": {"match": sum(r["date_match"] for r in dated), "pages": len(dated),
                  "mismatches": {r["page"]: [r["date"], r["ref_date"]]
                                 for r in dated if not r["date_match"]},
                  "dated_without_reference": sum(1 for r in rows if "ref_date" not in r and r["date"])},
        "refused": {r["page"]: r["refused"] for r in rows if "refused" in r},
        "timing": timing(run["wall_s"], len(names), a.batch, a.repeat, loadavg),
        "other_stderr": run["other_stderr"][:50],
        "per_page": rows,
    }


# ------------------------------------------------------------------ report ---

def pm(m: dict, k: str) -> str:
    return f"{m[k]:.3f} ± {m.get(k + '_std', 0.0):.3f}"


def report(results: dict, worst: int) -> str:
    out = [f"sitrep: {results['sitrep']}",
           f"{'suite':<12} {'pages':>5} {'refused':>7}  {'F1':<13}  {'precision':<13}  "
           f"{'recall':<13}  {'accuracy':<13}  {'wall s':>6} {'pages/s':>7}"]
    for name in ("scrapinghub", "readability"):
        r = results.get(name)
        if not r:
            continue
        m, t = r["metrics"], r["timing"]
        out.append(f"{name:<12} {r['pages']:>5} {len(r['refused']):>7}  {pm(m, 'f1')}  "
                   f"{pm(m, 'precision')}  {pm(m, 'recall')}  {pm(m, 'accuracy')}  "
                   f"{t['wall_s']:>6.2f} {t['pages_per_s']:>7.0f}")
    for name, r in ((n, results.get(n)) for n in ("scrapinghub", "readability")):
        if not r:
            continue
        if name == "readability":
            ti, da, rf = r["titles"], r["dates"], r["readerable_false"]
            out.append(f"readability: titles {ti['match']}/{ti['pages']} equal, dates {da['match']}/{da['pages']}"
                       f" (publishedTime given); readerable=false pages ({rf['pages']}): F1 {rf['f1']:.3f}")
            if ti["mismatches"]:
                out.append(f"  title mismatches ({ti['suffix_dropped']} only by a site-name suffix the"
                           " reader dropped, marked *): " + ", ".join(
                               p + "*" * suffix_dropped(*v) for p, v in ti["mismatches"].items()))
            if da["mismatches"]:
                out.append("  date mismatches: " + ", ".join(
                    f"{p} {v[0]} vs {v[1]}" for p, v in da["mismatches"].items()))
        for page, why in r["refused"].items():
            out.append(f"{name} refused: {page}: {why}")
        for line in r["other_stderr"][:5]:
            out.append(f"{name} stderr: {line[:160]}")
        if worst:
            key = "key" if name == "scrapinghub" else "page"
            rows = sorted(r["per_page"], key=lambda x: page_f1(x["tp_fp_fn"]))[:worst]
            for x in rows:
                out.append(f"  {name} worst: {x[key][:24]:<24} F1 {page_f1(x['tp_fp_fn']):.3f} "
                           f"P {x['precision']:.3f} R {x['recall']:.3f} "
                           f"tokens {x['tokens']}/{x['ref_tokens']}" + (" refused" if "refused" in x else ""))
        check = r.get("evaluate_check")
        if check:
            if check.get("ok"):
                out.append(f"evaluate.py cross-check: identical ({', '.join(check['compared'])})")
            else:
                out.append("evaluate.py cross-check: FAILED: "
                           + (", ".join(check.get("differences", [])) or check.get("error", "")[:300]))
    return "\n".join(out)


def page_f1(t) -> float:
    p, r = precision_score(*t), recall_score(*t)
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sitrep", default=str(REPO / "target" / "release" / "sitrep"),
                    help="the sitrep binary (default: target/release/sitrep of this repository)")
    ap.add_argument("--scrapinghub", metavar="DIR", help="checkout of scrapinghub/article-extraction-benchmark")
    ap.add_argument("--readability", metavar="DIR", help="Readability.js test-pages folder")
    ap.add_argument("--check-evaluate", action="store_true",
                    help="also run DIR/evaluate.py of the ScrapingHub checkout and compare")
    ap.add_argument("--json", metavar="FILE", help="write all results, per page included, here")
    ap.add_argument("--batch", type=int, default=50, help="files per reader process (50)")
    ap.add_argument("--repeat", type=int, default=1, help="read each suite N times, report the fastest")
    ap.add_argument("--n-bootstrap", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1, help="bootstrap seed (1)")
    ap.add_argument("--worst", type=int, default=0, metavar="N", help="list the N lowest-F1 pages per suite")
    a = ap.parse_args()
    if not (a.scrapinghub or a.readability):
        ap.error("give --scrapinghub DIR and/or --readability DIR")
    if a.check_evaluate and not a.scrapinghub:
        ap.error("--check-evaluate needs --scrapinghub DIR")
    if a.batch < 1:
        ap.error("--batch must be at least 1")
    if not os.access(a.sitrep, os.X_OK):
        ap.error(f"no executable sitrep at {a.sitrep} (build it, or pass --sitrep)")
    a.sitrep = os.path.abspath(a.sitrep)

    problems: list[str] = []
    results: dict = {"sitrep": a.sitrep, "n_bootstrap": a.n_bootstrap, "seed": a.seed}
    if a.scrapinghub:
        results["scrapinghub"] = scrapinghub_suite(a, problems)
    if a.readability:
        results["readability"] = readability_suite(a, problems)
    print(report(results, a.worst))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, ensure_ascii=False, indent=1)
    for p in problems:
        print("problem: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
