#!/usr/bin/env python3
"""sitrep vs tantivy-cli vs SQLite FTS5 vs ripgrep on one corpus and one query set.

Run through benches/compare/run.sh (which installs the tools and builds sitrep first):

    benches/compare/run.sh [--size 100MB] [--sources reuters] [--work /tmp/sitrep-compare]

Steps: scale a corpus (benches/scale_corpus.py) into the work dir, and write it again as one
.txt file per article (the second layout sitrep indexes); write the same paragraphs as
tantivy-cli JSON documents and as CSV rows for SQLite; build the indexes (sitrep once per
layout) under /usr/bin/time -v; run every query as whole processes with hyperfine; run the
in-process benches (`sitrep bench --json`, `tantivy bench`); time sitrep's incremental syncs
(no change, +1 article, 1% of articles changed) on each layout; write results/latest.md,
results/latest.json and the chart results/latest.svg. Nothing from the corpus is written into the
repository: corpus, documents, indexes and hyperfine files stay in the work dir; results hold
only numbers and query strings.
"""

import argparse
import csv
import datetime as dt
import hashlib
import itertools
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
COMMON_CLASSES = ["term_rare", "term_medium", "term_frequent", "and2", "or2", "phrase", "phrase_slop"]
SITREP_FLAGS = (" --person ", " --org ", " --place ", " --facets", " --with ", " --network ")
TANTIVY_MEMORY = 256_000_000  # same writer budget as sitrep's default --memory-mb 256
BENCH_WARMUP = 3


def log(msg):
    print(f"[compare] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def out(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


# ---------------------------------------------------------------- machine and corpus

def machine_info():
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_kb = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                ram_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(ram_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "loadavg_at_start": os.getloadavg(),
    }


def tool_versions(tantivy, sitrep):
    git = out(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = out(["git", "-C", str(REPO), "status", "--porcelain", "--", "src", "Cargo.toml"])
    try:
        built = dt.datetime.fromtimestamp(Path(sitrep).stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    except OSError:
        built = "?"
    return {
        "sitrep": f"{git}{' + uncommitted changes in src/' if dirty else ''} (binary built {built})",
        "tantivy-cli": out([tantivy, "--version"]),
        "sqlite3": out(["sqlite3", "--version"]).split(" ")[0],
        "ripgrep": out(["rg", "--version"]).splitlines()[0] if out(["rg", "--version"]) else "",
        "hyperfine": out(["hyperfine", "--version"]),
    }


def make_corpus(args, corpus):
    manifest = corpus / ".scale_corpus.json"
    want = {"size_requested": args.size_bytes, "seed": args.seed,
            "sources": [s.strip() for s in args.sources.split(",")],
            "data": str(Path(args.data).resolve())}
    if manifest.exists():
        have = json.loads(manifest.read_text())
        if all(have.get(k) == v for k, v in want.items()):
            log(f"corpus {corpus} is up to date")
            return have
    log(f"scaling corpus to {args.size} -> {corpus}")
    run([sys.executable, str(REPO / "benches" / "scale_corpus.py"), "--size", args.size,
         "--out", str(corpus), "--data", args.data, "--seed", str(args.seed),
         "--sources", args.sources], stdout=sys.stderr)
    return json.loads(manifest.read_text())


def iter_articles(corpus):
    """The scaled corpus's articles, in file and line order."""
    for part in sorted(corpus.glob("part-*.jsonl")):
        with open(part, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)


def export_docs(corpus, docs_jsonl, docs_csv):
    """One document per paragraph, for tantivy-cli (JSON lines) and SQLite (CSV)."""
    n = 0
    with open(docs_jsonl, "w", encoding="utf-8") as fj, open(docs_csv, "w", encoding="utf-8", newline="") as fc:
        w = csv.writer(fc)
        for art in iter_articles(corpus):
            title = art.get("title") or ""
            for p in art["paragraphs"]:
                fj.write(json.dumps({"article_id": art["id"], "title": title, "text": p},
                                    ensure_ascii=False))
                fj.write("\n")
                w.writerow([art["id"], title, p])
                n += 1
    return n


# ---------------------------------------------------------------- .txt layout

LAYOUTS = {"jsonl": "JSONL", "txt": ".txt files"}
TXT_PER_FOLDER = 1000
UNSAFE = re.compile(r"[^A-Za-z0-9.-]")
DATE_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}")


def safe_name(article_id):
    """A file-name form of an id, one-to-one: every character but letters, digits, '.' and '-'
    becomes _XX per UTF-8 byte ('reuters-7~k1' -> 'reuters-7_7ek1', '/' -> '_2f')."""
    name = UNSAFE.sub(lambda m: "".join(f"_{b:02x}" for b in m.group().encode()), article_id)
    if len(name) > 200:
        name = name[:180] + "_" + hashlib.sha1(name.encode()).hexdigest()[:12]
    return name


def txt_file_name(art):
    """`YYYY-MM-DD-ID.txt`: sitrep takes the date from the name's first ten characters."""
    date = (art.get("date") or "")[:10]
    return f"{date if DATE_PREFIX.fullmatch(date) else 'undated'}-{safe_name(str(art['id']))}.txt"


def txt_text(art):
    """sitrep's .txt format: the title line, then blank-line-separated paragraphs."""
    title = " ".join((art.get("title") or str(art["id"])).split())
    paragraphs = [" ".join(p.split()) for p in art["paragraphs"]]
    return "\n\n".join([title] + [p for p in paragraphs if p]) + "\n"


def make_txt_layout(corpus, manifest, txt):
    """The scaled corpus as one .txt file per article, TXT_PER_FOLDER files per subfolder
    (0000/, 0001/, ...); reused while it was made from the same JSONL corpus."""
    marker = txt / ".txt_layout.json"  # hidden: sitrep skips it
    source = {k: v for k, v in manifest.items() if k != "seconds"}
    if marker.exists():
        have = json.loads(marker.read_text())
        if have.get("source") == source and have.get("per_folder") == TXT_PER_FOLDER:
            log(f".txt layout {txt} is up to date")
            return have
    log(f"writing one .txt file per article -> {txt}")
    t0 = time.perf_counter()
    shutil.rmtree(txt, ignore_errors=True)
    files = size = paragraphs = 0
    folder = txt
    for art in iter_articles(corpus):
        if files % TXT_PER_FOLDER == 0:
            folder = txt / f"{files // TXT_PER_FOLDER:04d}"
            folder.mkdir(parents=True)
        data = txt_text(art).encode("utf-8")
        name = txt_file_name(art)
        if (folder / name).exists():  # an id used twice: keep both articles
            name = name[:-4] + f"-{files}.txt"
        (folder / name).write_bytes(data)
        files += 1
        size += len(data)
        paragraphs += len(art["paragraphs"])
    have = {"source": source, "per_folder": TXT_PER_FOLDER, "files": files,
            "folders": -(-files // TXT_PER_FOLDER), "bytes": size, "articles": files,
            "paragraphs": paragraphs, "seconds": round(time.perf_counter() - t0, 2)}
    marker.write_text(json.dumps(have, indent=1) + "\n")
    return have


# ---------------------------------------------------------------- timing helpers

def dir_size(path):
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def parse_time_v(text):
    r = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Maximum resident set size"):
            r["max_rss_kb"] = int(line.rsplit(":", 1)[1])
        elif line.startswith("Percent of CPU"):
            r["cpu_percent"] = line.rsplit(":", 1)[1].strip()
        elif line.startswith("User time"):
            r["user_s"] = float(line.rsplit(":", 1)[1])
        elif line.startswith("System time"):
            r["sys_s"] = float(line.rsplit(":", 1)[1])
        elif line.startswith("Exit status"):
            r["exit_status"] = int(line.rsplit(":", 1)[1])
    return r


def timed(cmd, logfile, stdin=None, check=True):
    """Run cmd under /usr/bin/time -v; wall clock from here, RSS and CPU from time."""
    tfile = str(logfile) + ".time"
    with open(logfile, "w") as lf:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", tfile] + cmd, stdout=lf, stderr=subprocess.STDOUT,
                           stdin=stdin)
        wall = time.perf_counter() - t0
    r = parse_time_v(Path(tfile).read_text())
    r["wall_s"] = round(wall, 3)
    r["cmd"] = " ".join(shlex.quote(c) for c in cmd)
    if check and p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed (exit {p.returncode}); see {logfile}")
    r["returncode"] = p.returncode
    return r


# ---------------------------------------------------------------- indexing

def tantivy_meta():
    text = {"indexing": {"record": "position", "fieldnorms": True, "tokenizer": "default"},
            "stored": True, "fast": False}
    return {
        "index_settings": {"docstore_compression": "lz4", "docstore_blocksize": 16384},
        "segments": [],
        "schema": [
            {"name": "article_id", "type": "text", "options": {"stored": True, "fast": False}},
            {"name": "title", "type": "text", "options": text},
            {"name": "text", "type": "text", "options": text},
        ],
        "opstamp": 0,
    }


def sitrep_tool(layout):
    """Key of a sitrep index in the results: "sitrep" (JSONL, the one queries run on), "sitrep-txt"."""
    return "sitrep" if layout == "jsonl" else f"sitrep-{layout}"


def index_sitrep(sitrep, corpus, idx, logfile):
    shutil.rmtree(idx, ignore_errors=True)
    r = timed([sitrep, "--corpus", str(corpus), "--index", str(idx), "index", "--quiet"], logfile)
    r["index_bytes"] = dir_size(idx)
    stats = subprocess.run([sitrep, "--corpus", str(corpus), "--index", str(idx), "stats", "--json"],
                           capture_output=True, text=True)
    try:
        r["stats"] = json.loads(stats.stdout)
    except ValueError:
        r["stats"] = None
    return r


def build_indexes(w, layouts, docs_jsonl, docs_csv, sitrep, tantivy):
    """layouts: layout -> (corpus folder, sitrep index folder); sitrep indexes each layout,
    tantivy-cli and SQLite index the paragraph documents once."""
    res = {}
    logs = w / "logs"
    for layout, (corpus, idx) in layouts.items():
        log(f"indexing the {layout} layout with sitrep")
        tool = sitrep_tool(layout)
        res[tool] = dict(index_sitrep(sitrep, corpus, idx, logs / f"{tool}-index.log"), layout=layout)
    # tantivy-cli
    idx = w / "tantivy-index"
    shutil.rmtree(idx, ignore_errors=True)
    idx.mkdir(parents=True)
    (idx / "meta.json").write_text(json.dumps(tantivy_meta(), indent=2))
    log("indexing with tantivy-cli")
    with open(docs_jsonl) as stdin:
        r = timed([tantivy, "index", "-i", str(idx), "-t", str(os.cpu_count()), "-m", str(TANTIVY_MEMORY)],
                  logs / "tantivy-index.log", stdin=stdin)
    r["index_bytes"] = dir_size(idx)
    res["tantivy-cli"] = r
    # SQLite FTS5
    db = w / "fts5.db"
    for suffix in ("", "-journal", "-wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    script = w / "fts5-build.sql"
    script.write_text(
        "CREATE VIRTUAL TABLE p USING fts5(article_id UNINDEXED, title, text, "
        "tokenize='unicode61 remove_diacritics 2');\n"
        f".import --csv {docs_csv} p\n"
        "INSERT INTO p(p) VALUES('optimize');\n")
    log("indexing with SQLite FTS5")
    with open(script) as stdin:
        r = timed(["sqlite3", "-bail", str(db)], logs / "fts5-index.log", stdin=stdin)
    r["index_bytes"] = dir_size(db)
    r["rows"] = int(out(["sqlite3", str(db), "SELECT count(*) FROM p"]) or 0)
    res["sqlite-fts5"] = r
    return res


# ---------------------------------------------------------------- queries

class Unsupported(Exception):
    pass


TOKEN = re.compile(r'(-?)"([^"]*)"(?:~(\d+))?|(\S+)')


def parse_sitrep_query(q):
    """sitrep's syntax (subset) -> list of AND-groups, each a list of OR-alternatives;
    an alternative is ("term", word) or ("phrase", [words], slop)."""
    groups, pending_or = [], False
    for m in TOKEN.finditer(q):
        neg, phrase, slop, word = m.groups()
        if word == "OR":
            if not groups:
                raise Unsupported("leading OR")
            pending_or = True
            continue
        if neg or (word and word.startswith("-")):
            raise Unsupported("exclusion")
        if word and (":" in word or word.endswith("*")):
            raise Unsupported("field or prefix query")
        if phrase is not None:
            words = re.findall(r"\w+", phrase.lower())
            alt = ("phrase", words, int(slop or 0))
        else:
            words = re.findall(r"\w+", word.lower())
            if len(words) != 1:
                raise Unsupported(f"term {word!r} is not one token")
            alt = ("term", words[0])
        if pending_or:
            groups[-1].append(alt)
            pending_or = False
        else:
            groups.append([alt])
    if not groups:
        raise Unsupported("empty")
    return groups


def to_tantivy(groups):
    def alt(a):
        if a[0] == "term":
            return a[1]
        s = '"' + " ".join(a[1]) + '"'
        return s + (f"~{a[2]}" if a[2] else "")
    parts = []
    for g in groups:
        parts.append("+" + (alt(g[0]) if len(g) == 1 else "(" + " OR ".join(alt(a) for a in g) + ")"))
    return " ".join(parts)


def to_fts5(groups):
    def alt(a):
        if a[0] == "term":
            return f'"{a[1]}"'
        if a[2]:
            return "NEAR(" + " ".join(f'"{w}"' for w in a[1]) + f", {a[2]})"
        return '"' + " ".join(a[1]) + '"'
    parts = []
    for g in groups:
        parts.append(alt(g[0]) if len(g) == 1 else "(" + " OR ".join(alt(a) for a in g) + ")")
    return " AND ".join(parts)


def to_rg(groups):
    def alt(a):
        if a[0] == "term":
            return re.escape(a[1])
        if a[2]:
            gap = rf"\W+(?:\w+\W+){{0,{a[2]}}}"
            return gap.join(re.escape(w) for w in a[1])
        return r"\s+".join(re.escape(w) for w in a[1])

    def group(g):
        return r"\b(?:" + "|".join(alt(a) for a in g) + r")\b"
    gs = [group(g) for g in groups]
    if len(gs) == 1:
        return gs[0]
    if len(gs) > 4:
        raise Unsupported("too many AND groups for a regex")
    return "|".join(".*".join(p) for p in itertools.permutations(gs))


def split_flags(label):
    """`oil --place Iran --facets` -> ("oil", ["--place", "Iran", "--facets"])."""
    label = " " + label  # a line may start with a flag (`--network 50`: the whole archive)
    end = min([label.find(f) for f in SITREP_FLAGS if f in label] or [len(label)])
    query, rest = label[:end].strip(), label[end:]
    flags = []
    for chunk in rest.split(" --"):
        chunk = chunk.strip()
        if not chunk:
            continue
        name, _, value = chunk.lstrip("-").partition(" ")
        flags.append("--" + name)
        if value.strip():
            flags.append(value.strip())
    return query, flags


def read_queries(path):
    qs = []
    for line in Path(path).read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cls, _, label = line.partition("\t")
        query, flags = split_flags(label.strip())
        q = {"class": cls.strip(), "label": label.strip(), "sitrep_query": query, "sitrep_flags": flags}
        if q["class"] in COMMON_CLASSES and not flags:
            try:
                g = parse_sitrep_query(query)
                q["tantivy"] = to_tantivy(g)
                q["fts5"] = to_fts5(g)
                q["rg"] = to_rg(g)
            except Unsupported as e:
                q["untranslated"] = str(e)
        qs.append(q)
    return qs


def who_appears_with_whom(q):
    """The sitrep command of an entity_ties (`--with NAME`) or network (`--network N`) query,
    or None for a search: what no other tool here answers."""
    flags = q["sitrep_flags"]
    words = [q["sitrep_query"]] if q["sitrep_query"] else []
    if "--with" in flags:
        return ["entities"] + words + flags + ["--json"]
    if "--network" in flags:
        at = flags.index("--network")
        rest = flags[:at] + flags[at + 2:]
        return ["network"] + words + rest + ["-n", flags[at + 1], "--json"]
    return None


def commands_for(q, corpus, w, sitrep, tantivy):
    base = [sitrep, "--corpus", str(corpus), "--index", str(w / "sitrep-index"), "--quiet"]
    other = who_appears_with_whom(q)
    if other:
        return {"sitrep": base + other}
    cmds = {"sitrep": base + ["search", q["sitrep_query"], "-n", "10", "--color", "never"] + q["sitrep_flags"]}
    if "rg" in q:
        cmds["ripgrep"] = ["rg", "-i", "-c", q["rg"], str(corpus)]
    if "fts5" in q:
        sql = ("SELECT article_id, title, snippet(p, 2, '[', ']', '…', 12) FROM p WHERE p MATCH '"
               + q["fts5"].replace("'", "''") + "' ORDER BY rank LIMIT 10")
        cmds["sqlite-fts5"] = ["sqlite3", str(w / "fts5.db"), sql]
    if "tantivy" in q:
        cmds["tantivy-cli"] = [tantivy, "search", "-i", str(w / "tantivy-index"), "-q", q["tantivy"]]
    return cmds


def hit_counts(q, corpus, w, sitrep):
    c = {}
    other = who_appears_with_whom(q)
    if other:
        p = subprocess.run([sitrep, "--corpus", str(corpus), "--index", str(w / "sitrep-index"), "--quiet"] + other,
                           capture_output=True, text=True)
        try:
            j = json.loads(p.stdout)
            c["sitrep"] = {"rows": len(j)} if isinstance(j, list) else {
                "paragraphs": j.get("paragraphs"), "nodes": len(j.get("nodes", [])), "edges": len(j.get("edges", []))}
        except ValueError:
            c["sitrep"] = {"error": (p.stderr or p.stdout).strip()[:300]}
        return c
    p = subprocess.run([sitrep, "--corpus", str(corpus), "--index", str(w / "sitrep-index"), "--quiet",
                        "search", q["sitrep_query"], "-n", "1", "--json"] + q["sitrep_flags"],
                       capture_output=True, text=True)
    try:
        j = json.loads(p.stdout)
        c["sitrep"] = {"total_hits": j.get("total_hits"), "duplicates_collapsed": j.get("duplicates_collapsed")}
        if j.get("notice") or j.get("fuzzy"):
            c["sitrep"]["notice"] = j.get("notice") or j.get("fuzzy")
    except ValueError:
        c["sitrep"] = {"error": (p.stderr or p.stdout).strip()[:300]}
    if "fts5" in q:
        sql = "SELECT count(*) FROM p WHERE p MATCH '" + q["fts5"].replace("'", "''") + "'"
        c["sqlite-fts5"] = int(out(["sqlite3", str(w / "fts5.db"), sql]) or 0)
    if "rg" in q:
        o = out(["rg", "-i", "-c", "--no-filename", q["rg"], str(corpus)])
        c["ripgrep_lines"] = sum(int(x) for x in o.split() if x.isdigit())
    return c


def hyperfine(q, cmds, w, args, idx):
    f = w / "hyperfine" / f"{idx:02d}-{q['class']}.json"
    f.parent.mkdir(exist_ok=True)
    cmd = ["hyperfine", "--shell=none", "--ignore-failure", "--style", "none",
           "--warmup", str(args.warmup), "--runs", str(args.runs), "--export-json", str(f)]
    for name, c in cmds.items():
        cmd += ["--command-name", name, " ".join(shlex.quote(x) for x in c)]
    run(cmd, stdout=subprocess.DEVNULL)
    data = json.loads(f.read_text())
    r = {}
    for name, res in zip(cmds, data["results"]):
        r[name] = {k: res[k] for k in ("mean", "stddev", "median", "min", "max", "user", "system")}
        r[name]["exit_codes"] = sorted(set(res.get("exit_codes", [])))
    return r


def sitrep_bench(args, corpus, w, sitrep):
    cmd = [sitrep, "--corpus", str(corpus), "--index", str(w / "sitrep-index"), "--quiet", "bench",
           "--queries", str(args.queries), "--iterations", str(args.iterations), "--json"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        msg = (p.stderr or p.stdout).strip().splitlines()
        return {"skipped": "sitrep bench failed or is not available: " + (msg[0] if msg else f"exit {p.returncode}")}
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {"skipped": "sitrep bench did not print JSON (is --json implemented?)"}


def lat(samples):
    s = sorted(samples)
    def pct(p):
        return s[max(1, min(len(s), -(-len(s) * p // 100))) - 1]
    return {"p50_us": pct(50), "p95_us": pct(95), "p99_us": pct(99), "mean_us": statistics.fmean(s), "n": len(s)}


def tantivy_bench(args, qs, w, tantivy):
    qs = [q for q in qs if "tantivy" in q]
    qfile = w / "tantivy-queries.txt"
    qfile.write_text("".join(q["tantivy"] + "\n" for q in qs))
    reps = args.iterations + BENCH_WARMUP
    p = subprocess.run([tantivy, "bench", "-i", str(w / "tantivy-index"), "-n", str(reps), "-q", str(qfile)],
                       capture_output=True, text=True)
    (w / "logs" / "tantivy-bench.log").write_text(p.stdout + p.stderr)
    if p.returncode != 0:
        return {"skipped": "tantivy bench failed: " + p.stderr.strip()[:300]}
    search, fetch, section = [], [], None
    for line in p.stdout.splitlines():
        if line.strip() == "SEARCH":
            section = search
        elif line.strip() == "FETCH STORE":
            section = fetch
        elif section is not None and "\t" in line and not line.startswith("query\t"):
            section.append(line.split("\t"))
    n = len(qs)
    res = {}
    for i, q in enumerate(qs):
        s_rows = search[i::n][BENCH_WARMUP:]
        f_rows = fetch[i::n][BENCH_WARMUP:]
        res[q["class"] + ":" + q["label"]] = {
            "class": q["class"], "query": q["tantivy"],
            "hits": int(s_rows[0][1]) if s_rows else None,
            "search": lat([float(r[2]) for r in s_rows]) if s_rows else None,
            "fetch": lat([float(r[1]) for r in f_rows]) if f_rows else None,
        }
    return {"repetitions": reps, "warmup_repetitions_dropped": BENCH_WARMUP, "queries": res}


# ---------------------------------------------------------------- sync timings

SYNC_FRACTION = 0.01
SYNC_SENTENCE = "The benchmark appended this sentence to time an incremental sync."
SYNC_ADDED = {"jsonl": "sync-added.jsonl", "txt": "sync-added.txt"}
SUMMARY = re.compile(r"\+([\d,]+) added, ([\d,]+) updated, ([\d,]+) removed, ([\d,]+) unchanged; ([\d,]+) paragraph")
SUMMARY_KEYS = ("added", "updated", "removed", "unchanged", "paragraphs")


def parse_summary(text):
    """sitrep index's summary line, e.g. "+1 added, 0 updated, 0 removed, 5 unchanged; 3 paragraphs"."""
    m = SUMMARY.search(text)
    return dict(zip(SUMMARY_KEYS, (int(g.replace(",", "")) for g in m.groups()))) if m else None


def write_touching(path, data):
    """Writes data and makes sure the mtime moves, even within one timestamp tick."""
    before = path.stat().st_mtime_ns if path.exists() else None
    path.write_bytes(data)
    st = path.stat()
    if before is not None and st.st_mtime_ns <= before:
        os.utime(path, ns=(st.st_atime_ns, before + 1_000_000))


def corpus_files(corpus):
    """Corpus-relative paths of the files sitrep reads (hidden entries skipped, as sitrep does)."""
    return sorted(str(f.relative_to(corpus)) for f in corpus.rglob("*")
                  if f.is_file() and not any(part.startswith(".") for part in f.relative_to(corpus).parts))


def corpus_digest(corpus):
    h = hashlib.sha256()
    for rel in corpus_files(corpus):
        h.update(rel.encode() + b"\0" + hashlib.sha256((corpus / rel).read_bytes()).digest())
    return h.hexdigest()


def append_sentence(rng, paragraphs):
    j = rng.randrange(len(paragraphs))
    paragraphs[j] = paragraphs[j] + " " + SYNC_SENTENCE


def txt_scenarios(txt, rng):
    files = [f for f in corpus_files(txt) if f.endswith(".txt") and not f.endswith(SYNC_ADDED["txt"])]
    source = files[rng.randrange(len(files))]
    blocks = (txt / source).read_text(encoding="utf-8").rstrip("\n").split("\n\n")
    append_sentence(rng, blocks)  # title included: the copy only has to differ from its source
    name = Path(source).name
    added = str(Path(source).parent / ((name[:11] if DATE_PREFIX.match(name) else "") + SYNC_ADDED["txt"]))
    chosen = sorted(rng.sample(files, max(1, round(len(files) * SYNC_FRACTION))))
    writes = {}
    for rel in chosen:
        title, *paragraphs = (txt / rel).read_text(encoding="utf-8").rstrip("\n").split("\n\n")
        append_sentence(rng, paragraphs)
        writes[rel] = ("\n\n".join([title] + paragraphs) + "\n").encode("utf-8")
    return [
        add_one_scenario(f"1 new .txt file ({added})", {added: ("\n\n".join(blocks) + "\n").encode("utf-8")}),
        change_scenario(f"{len(chosen):,} of {len(files):,} .txt files rewritten "
                        f"({sum(map(len, writes.values())) / 1e6:.2f} MB)", writes, len(chosen)),
    ]


def add_one_scenario(change, adds):
    return {"name": "+1 article", "tag": "add-1", "change": change, "adds": adds,
            "expect": {"added": 1, "updated": 0, "removed": 0},
            "undo_expect": {"added": 0, "updated": 0, "removed": 1}}


def change_scenario(change, writes, articles):
    return {"name": "1% changed", "tag": "change-1pct", "change": change, "writes": writes,
            "expect": {"added": 0, "updated": articles, "removed": 0},
            "undo_expect": {"added": 0, "updated": articles, "removed": 0}}


def jsonl_scenarios(corpus, rng):
    files = {p.name: p.read_bytes().decode("utf-8").split("\n") for p in sorted(corpus.glob("part-*.jsonl"))}
    lines = [(rel, i) for rel, ls in files.items() for i, line in enumerate(ls) if line.strip()]
    rel, i = lines[rng.randrange(len(lines))]
    art = json.loads(files[rel][i])
    art["id"] = f"{art['id']}~sync-added"
    append_sentence(rng, art["paragraphs"])
    chosen = sorted(rng.sample(lines, max(1, round(len(lines) * SYNC_FRACTION))))
    for rel, i in chosen:
        changed = json.loads(files[rel][i])
        append_sentence(rng, changed["paragraphs"])
        files[rel][i] = json.dumps(changed, ensure_ascii=False)
    writes = {rel: "\n".join(files[rel]).encode("utf-8") for rel in sorted({rel for rel, _ in chosen})}
    return [
        add_one_scenario(f"1 new .jsonl file with 1 article ({SYNC_ADDED['jsonl']})",
                         {SYNC_ADDED["jsonl"]: (json.dumps(art, ensure_ascii=False) + "\n").encode("utf-8")}),
        change_scenario(f"{len(chosen):,} of {len(lines):,} articles changed; {len(writes)} JSONL "
                        f"file{'s' if len(writes) != 1 else ''} rewritten "
                        f"({sum(map(len, writes.values())) / 1e6:.1f} MB)", writes, len(chosen)),
    ]


def backup_change(corpus, backup, scenarios):
    """Copies the originals of every file a scenario rewrites, and lists the files it adds, so
    an interrupted run can be undone (recover_corpus) before the corpus is used again."""
    (backup / "files").mkdir(parents=True, exist_ok=True)
    added = [rel for sc in scenarios for rel in sc.get("adds", {})]
    (backup / "journal.json").write_text(json.dumps({"added": added}))
    for sc in scenarios:
        for rel, data in sc.get("writes", {}).items():
            original = (corpus / rel).read_bytes()
            if original == data:
                raise RuntimeError(f"sync scenario {sc['name']!r} does not change {rel}")
            (backup / "files" / rel).parent.mkdir(parents=True, exist_ok=True)
            (backup / "files" / rel).write_bytes(original)
        for rel in sc.get("adds", {}):
            if (corpus / rel).exists():
                raise RuntimeError(f"sync scenario {sc['name']!r}: {rel} already exists")


def recover_corpus(corpus, backup):
    """Puts back what an interrupted sync benchmark changed in corpus; True if it had to."""
    if not backup.exists():
        return False
    journal = backup / "journal.json"
    for rel in json.loads(journal.read_text()).get("added", []) if journal.exists() else []:
        (corpus / rel).unlink(missing_ok=True)
    files = backup / "files"
    for f in (files.rglob("*") if files.exists() else []):
        target = corpus / f.relative_to(files)
        if f.is_file() and target.parent.exists() and (not target.exists() or target.read_bytes() != f.read_bytes()):
            write_touching(target, f.read_bytes())
    shutil.rmtree(backup)
    return True


def apply_change(corpus, sc):
    for rel, data in sc.get("writes", {}).items():
        write_touching(corpus / rel, data)
    for rel, data in sc.get("adds", {}).items():
        write_touching(corpus / rel, data)


def undo_change(corpus, backup, sc):
    for rel in sc.get("writes", {}):
        original = (backup / "files" / rel).read_bytes()
        write_touching(corpus / rel, original)
        if (corpus / rel).read_bytes() != original:
            raise RuntimeError(f"restoring {corpus / rel} did not put back its bytes")
    for rel in sc.get("adds", {}):
        (corpus / rel).unlink()


def sitrep_sync(sitrep, corpus, idx, logfile, quiet):
    r = timed([sitrep, "--corpus", str(corpus), "--index", str(idx), "index"] + (["--quiet"] if quiet else []),
              logfile)
    if not quiet:
        text = Path(logfile).read_text()
        r["summary"] = parse_summary(text)
        r["output"] = text.strip().splitlines()[-1] if text.strip() else ""
    return r


def mismatch(summary, expect, what):
    if summary is None:
        return f"{what}: no summary line in sitrep index's output"
    bad = {k: summary[k] for k, v in expect.items() if summary[k] != v}
    return f"{what}: expected {expect}, sitrep reported {bad}" if bad else None


def time_sync(sc, layout, corpus, idx, backup, sitrep, runs, logs):
    """One untimed check run (without --quiet, for sitrep's summary), then `runs` timed
    syncs with --quiet; after each, the change is undone and synced again, untimed."""
    log(f"  sync: {sc['name']}")
    res = {"scenario": sc["name"], "change": sc["change"], "expect": sc["expect"], "times_s": [], "runs": [],
           "undo_summaries": [], "problems": []}
    tag = f"{sc['tag']}-{layout}"

    def undo(what):
        if "undo_expect" not in sc:
            return
        undo_change(corpus, backup, sc)
        u = sitrep_sync(sitrep, corpus, idx, logs / f"sync-{tag}-undo.log", quiet=False)
        res["undo_summaries"].append(u["summary"])
        res["undo_command"] = u["cmd"]
        problem = mismatch(u["summary"], sc["undo_expect"], f"undo after {what}")
        if problem:
            res["problems"].append(problem)

    apply_change(corpus, sc)
    check = sitrep_sync(sitrep, corpus, idx, logs / f"sync-{tag}-check.log", quiet=False)
    res["check"] = {k: check.get(k) for k in ("cmd", "summary", "output", "wall_s")}
    problem = mismatch(check["summary"], sc["expect"], "check run")
    if problem:
        res["problems"].append(problem)
    undo("check run")
    for i in range(runs):
        apply_change(corpus, sc)
        r = sitrep_sync(sitrep, corpus, idx, logs / f"sync-{tag}.log", quiet=True)
        res["command"] = r["cmd"]
        res["times_s"].append(r["wall_s"])
        res["runs"].append({k: r.get(k) for k in ("wall_s", "cpu_percent", "max_rss_kb", "user_s", "sys_s")})
        undo(f"timed run {i + 1}")
    if res["times_s"]:
        res.update(median_s=statistics.median(res["times_s"]), min_s=min(res["times_s"]), max_s=max(res["times_s"]))
    return res


def sync_layout(layout, corpus, idx, backup, sitrep, runs, seed, logs):
    """Sync timings on an index already built from this layout; the corpus ends byte-identical."""
    log(f"sync timings on the {layout} layout ({runs} runs per scenario)")
    rng = random.Random(f"{seed}:sync:{layout}")
    digest = corpus_digest(corpus)
    changes = txt_scenarios(corpus, rng) if layout == "txt" else jsonl_scenarios(corpus, rng)
    scenarios = [{"name": "no change", "tag": "no-change", "change": "nothing",
                  "expect": {"added": 0, "updated": 0, "removed": 0}}]
    backup_change(corpus, backup, changes)
    try:
        results = [time_sync(sc, layout, corpus, idx, backup, sitrep, runs, logs) for sc in scenarios + changes]
    finally:
        for sc in changes:  # whatever happened, put the corpus back
            for rel in sc.get("adds", {}):
                (corpus / rel).unlink(missing_ok=True)
        recover_corpus(corpus, backup)
    if corpus_digest(corpus) != digest:
        raise RuntimeError(f"the {layout} corpus {corpus} differs after the sync timings")
    return {"corpus": str(corpus), "index": str(idx), "runs": runs, "scenarios": results}


# ---------------------------------------------------------------- report

def fmt_ms(s):
    if s is None:
        return "–"
    ms = s * 1000
    return f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def fmt_us(us):
    if us is None:
        return "–"
    return f"{us:,.0f}" if us >= 100 else f"{us:.1f}"


def ratio(other, base):
    if other is None or not base:
        return "–"
    return f"{other / base:.1f}×" if other / base >= 10 else f"{other / base:.2f}×"


def mb(b):
    return f"{b / 1e6:.1f}"


def by_class(values):
    """class -> median over the class's queries (of per-query medians)."""
    out_ = {}
    for cls, v in values:
        out_.setdefault(cls, []).append(v)
    return {c: statistics.median(v) for c, v in out_.items() if v and None not in v}


def fmt_summary(sm):
    if not sm:
        return "–"
    return (f"+{sm['added']:,} added, {sm['updated']:,} updated, {sm['removed']:,} removed, "
            f"{sm['unchanged']:,} unchanged; {sm['paragraphs']:,} paragraphs written")


def sync_report(R):
    if not R.get("sync"):
        return []
    L = ["## Sync (`sitrep index` on an index already built from the layout)\n",
         "| layout | scenario | change | median s | min s | max s | sitrep's summary (untimed check run) "
         "| undo syncs as expected |",
         "|---|---|---|---:|---:|---:|---|---|"]
    problems = []
    for layout, lr in R["sync"].items():
        for sc in lr["scenarios"]:
            undos = sc["undo_summaries"]
            bad = sum(1 for p in sc["problems"] if p.startswith("undo"))
            undo = f"{len(undos) - bad}/{len(undos)}" + (" ⚠" if bad else "") if undos else "–"
            L.append(f"| {LAYOUTS[layout]} | {sc['scenario']} | {sc['change']} | {sc.get('median_s', 0):.3f} "
                     f"| {sc.get('min_s', 0):.3f} | {sc.get('max_s', 0):.3f} "
                     f"| {fmt_summary((sc.get('check') or {}).get('summary'))} | {undo} |")
            problems += [f"{LAYOUTS[layout]}, {sc['scenario']}: {p}" for p in sc["problems"]]
    runs = next(iter(R["sync"].values()))["runs"]
    L.append(f"\nTimed: `sitrep --corpus C --index I index --quiet`, {runs} runs per row (wall clock of the "
             "whole process). Before the timed runs, one untimed run without --quiet applies the same change and "
             "prints the summary shown. After every run with a change, the change is undone (original bytes put "
             "back) and synced again, untimed; that sync must report the inverse change (\"undo syncs as "
             "expected\"). The modified articles are chosen with a seeded RNG; each gets one sentence appended to "
             "one paragraph.\n")
    if problems:
        L.append("**Sync problems:**\n")
        L += [f"- {p}" for p in problems]
        L.append("")
    return L


def report(R):
    L = []
    m, c = R["machine"], R["corpus"]
    L.append(f"# sitrep comparison — {c['label']} corpus ({R['date']})\n")
    L.append(f"- Machine: {m['nproc']} cores, {m['cpu']}, {m['ram_gb']} GB RAM, Linux {m['kernel']}; "
             f"load average at start {m['loadavg_at_start'][0]:.2f}")
    L.append(f"- Corpus: {mb(c['bytes'])} MB JSONL in {c['files']} files, {c['articles']:,} articles, "
             f"{c['paragraphs']:,} paragraphs (sources {','.join(c['sources'])}, seed {c['seed']}, "
             f"{c['passes']} pass(es) of scale_corpus.py)")
    if R.get("corpus_txt"):
        t = R["corpus_txt"]
        L.append(f"- .txt layout (sitrep only): the same articles as {t['files']:,} files of title + paragraphs, "
                 f"{mb(t['bytes'])} MB in {t['folders']} folders of up to {t['per_folder']:,}")
    v = R["versions"]
    L.append(f"- Versions: sitrep {v['sitrep']}; {v['tantivy-cli']} (tantivy-cli); SQLite {v['sqlite3']}; "
             f"{v['ripgrep']}; {v['hyperfine']}")
    L.append(f"- Whole-process latency: hyperfine --warmup {R['params']['warmup']} --runs {R['params']['runs']}, "
             f"median ms; ratio = other tool ÷ sitrep (>1: sitrep faster).\n")

    L.append("## Indexing\n")
    L.append("| tool | wall s | CPU | max RSS MB | index MB | index / corpus | docs | wall vs sitrep |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    ix = R["indexing"]
    base = ix["sitrep"]["wall_s"]
    for tool, r in ix.items():
        docs = r.get("rows") or (r.get("stats") or {}).get("paragraphs") or R["corpus"]["paragraphs"]
        if r.get("layout"):
            tool = f"sitrep ({LAYOUTS[r['layout']]})"
        L.append(f"| {tool} | {r['wall_s']:.2f} | {r.get('cpu_percent', '?')} | {r.get('max_rss_kb', 0) / 1024:.0f} "
                 f"| {mb(r['index_bytes'])} | {r['index_bytes'] / c['bytes']:.2f} | {docs:,} | {ratio(r['wall_s'], base)} |")
    L.append(f"\n(Not timed: writing the {R['prep']['docs']:,} paragraph documents for tantivy-cli and SQLite took "
             f"{R['prep']['seconds']:.1f} s; sitrep reads the article JSONL itself. Index / corpus is against the "
             f"JSONL bytes for every row. Queries below run on sitrep's JSONL-layout index.)\n")

    L.append("## Query latency, whole process (median ms)\n")
    L.append("| class | query | sitrep | ripgrep | × | sqlite3 FTS5 | × | tantivy-cli search | × |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    tools = ["ripgrep", "sqlite-fts5", "tantivy-cli"]
    for q in R["queries"]:
        h = q.get("hyperfine") or {}
        s = h.get("sitrep", {}).get("median")
        row = [q["class"], "`" + q["label"].replace("|", "\\|") + "`", fmt_ms(s)]
        for t in tools:
            o = h.get(t, {}).get("median")
            row += [fmt_ms(o), ratio(o, s) if o is not None else "–"]
        L.append("| " + " | ".join(row) + " |")
    per = {t: by_class((q["class"], (q.get("hyperfine") or {}).get(t, {}).get("median"))
                       for q in R["queries"] if q["class"] in COMMON_CLASSES) for t in ["sitrep"] + tools}
    if per["sitrep"]:
        gm = {}
        for t in tools:
            rs = [per[t][k] / per["sitrep"][k] for k in per["sitrep"] if k in per[t]]
            gm[t] = statistics.geometric_mean(rs) if rs else None
        L.append("| **geometric mean of ratios** | | | | " + (f"{gm['ripgrep']:.2f}×" if gm["ripgrep"] else "–")
                 + " | | " + (f"{gm['sqlite-fts5']:.2f}×" if gm["sqlite-fts5"] else "–")
                 + " | | " + (f"{gm['tantivy-cli']:.2f}×" if gm["tantivy-cli"] else "–") + " |")
    L.append("")

    L.append("### What each tool counted (one untimed run)\n")
    L.append("| class | sitrep hits (+dups collapsed) | FTS5 rows | tantivy-cli docs | rg matching lines (= articles) |")
    L.append("|---|---:|---:|---:|---:|")
    tb = (R.get("tantivy_bench") or {}).get("queries", {})
    for q in R["queries"]:
        hc = q.get("counts", {})
        s = hc.get("sitrep", {})
        sh = "error" if "error" in s else f"{s.get('total_hits')} (+{s.get('duplicates_collapsed')})"
        t = tb.get(q["class"] + ":" + q["label"], {}).get("hits")
        L.append(f"| {q['class']} | {sh} | {hc.get('sqlite-fts5', '–')} | {t if t is not None else '–'} "
                 f"| {hc.get('ripgrep_lines', '–')} |")
    L.append("")

    L.append("## Query latency, in process (µs)\n")
    sb = R.get("sitrep_bench") or {}
    if "skipped" in sb:
        L.append(f"sitrep bench: **skipped** — {sb['skipped']}\n")
    if "skipped" in (R.get("tantivy_bench") or {}):
        L.append(f"tantivy bench: **skipped** — {R['tantivy_bench']['skipped']}\n")
    sclasses = {c_["class"]: c_ for c_ in sb.get("classes", [])}
    tclass = by_class((v_["class"], v_["search"]["p50_us"]) for v_ in tb.values() if v_.get("search"))
    fclass = by_class((v_["class"], v_["fetch"]["p50_us"]) for v_ in tb.values() if v_.get("fetch"))
    L.append("| class | sitrep top-10 + snippets p50 | sitrep count-only p50 | tantivy-cli top-10 ids + count p50 "
             "| × (tantivy ÷ sitrep count-only) | tantivy-cli fetch 10 docs p50 |")
    L.append("|---|---:|---:|---:|---:|---:|")
    classes = list(dict.fromkeys([q["class"] for q in R["queries"]]))
    for cls in classes:
        sc = sclasses.get(cls)
        top = sc["top10"]["p50_us"] if sc else None
        cnt = sc["count_only"]["p50_us"] if sc else None
        t = tclass.get(cls)
        L.append(f"| {cls} | {fmt_us(top)} | {fmt_us(cnt)} | {fmt_us(t)} | {ratio(t, cnt) if t and cnt else '–'} "
                 f"| {fmt_us(fclass.get(cls))} |")
    L.append("")

    L += sync_report(R)

    L.append("## sitrep memory (max RSS, /usr/bin/time -v)\n")
    rss = R["rss"]
    L.append(f"- `sitrep index`: {ix['sitrep'].get('max_rss_kb', 0) / 1024:.0f} MB")
    srch = {q["class"]: q.get("rss_kb", {}) for q in R["queries"]}
    worst = max(((v_.get("sitrep", 0), k) for k, v_ in srch.items()), default=(0, ""))
    L.append(f"- `sitrep search`: max {worst[0] / 1024:.0f} MB (class {worst[1]}); per tool, max over queries: "
             + ", ".join(f"{t} {rss[t] / 1024:.0f} MB" for t in rss))
    L.append("")
    L.append("Caveats: see benches/compare/README.md — the tools do not print or count the same things "
             "(rg counts matching article lines and prints no text; tantivy-cli search prints every hit, "
             "unranked; FTS5 NEAR is unordered).")
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- chart

CHART_TOOLS = [("sitrep", "sitrep", "#d95f02"), ("sqlite-fts5", "SQLite FTS5", "#1b9e77"),
               ("tantivy-cli", "tantivy-cli search", "#7570b3"), ("ripgrep", "ripgrep", "#7f7f7f")]


def chart_ticks(lo_exp, hi):
    """Labelled ticks 1-2-5 per decade on a log axis from 10^lo_exp to hi: [(value, major)]."""
    return [(m * 10.0 ** e, m == 1) for e in range(lo_exp, math.ceil(math.log10(hi)) + 1) for m in (1, 2, 5)
            if m * 10.0 ** e <= hi * 1.0001]


def chart_top(v):
    """The smallest 1-2-5 value above v, with room for the bar labels."""
    e = math.floor(math.log10(v * 1.3))
    return next(m * 10.0 ** e for m in (1, 2, 5, 10) if m * 10.0 ** e >= v * 1.3)


def fmt_tick(v):
    return f"{v:,.0f}" if v >= 1 else f"{v:g}"


def chart_svg(R):
    """Grouped bars: whole-process median latency (ms, log scale) per query class and tool."""
    from xml.sax.saxutils import escape
    classes = list(dict.fromkeys(q["class"] for q in R["queries"]))
    ms = {t: {c: v * 1000 for c, v in by_class(
        (q["class"], (q.get("hyperfine") or {}).get(t, {}).get("median"))
        for q in R["queries"] if t in (q.get("hyperfine") or {})).items()} for t, _, _ in CHART_TOOLS}
    values = [v for per in ms.values() for v in per.values() if v > 0]
    if not values:
        values = [1.0]
    lo_exp = math.floor(math.log10(min(values)))
    hi = max(chart_top(max(values)), 10.0 ** (lo_exp + 1))
    W, H = 1000, 600
    left, right, top, bottom = 80, 20, 92, 90
    pw, ph = W - left - right, H - top - bottom

    def y(v):
        return top + ph * (math.log10(hi) - math.log10(v)) / (math.log10(hi) - lo_exp)

    e = []
    e.append(f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
             'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">')
    e.append(f'<rect width="{W}" height="{H}" fill="white"/>')
    c = R["corpus"]
    e.append(f'<text x="{W / 2}" y="28" text-anchor="middle" font-size="18" font-weight="bold">'
             f'Whole-process query latency by class — {escape(c["label"])} corpus '
             f'({c["articles"]:,} articles, {mb(c["bytes"])} MB)</text>')
    e.append(f'<text x="{W / 2}" y="50" text-anchor="middle" font-size="12" fill="#444">'
             f'median of hyperfine --runs {R["params"]["runs"]} (per class: median over its queries); '
             f'classes with one bar are sitrep-only; {escape(R["date"])}</text>')
    # legend
    lx = left
    for _, name, colour in CHART_TOOLS:
        e.append(f'<rect x="{lx}" y="64" width="14" height="14" fill="{colour}"/>')
        e.append(f'<text x="{lx + 20}" y="76" font-size="13">{escape(name)}</text>')
        lx += 44 + 7 * len(name)
    # grid and y axis
    for v, major in chart_ticks(lo_exp, hi):
        yy = y(v)
        e.append(f'<line x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" '
                 f'stroke="{"#bbb" if major else "#e4e4e4"}" stroke-width="1"/>')
        e.append(f'<text x="{left - 8}" y="{yy + 4:.1f}" text-anchor="end" font-size="{12 if major else 10}" '
                 f'fill="{"#222" if major else "#666"}">{fmt_tick(v)}</text>')
    e.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#222"/>')
    e.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#222"/>')
    e.append(f'<text transform="translate(22 {top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">'
             'median latency, ms (log scale)</text>')
    # bars
    group = pw / max(1, len(classes))
    bar = min(24.0, group * 0.8 / len(CHART_TOOLS))
    for i, cls in enumerate(classes):
        x0 = left + i * group + (group - bar * len(CHART_TOOLS)) / 2
        for j, (tool, name, colour) in enumerate(CHART_TOOLS):
            v = ms[tool].get(cls)
            if not v:
                continue
            x, yy = x0 + j * bar, y(max(v, 10.0 ** lo_exp))
            e.append(f'<rect x="{x + 1:.1f}" y="{yy:.1f}" width="{bar - 2:.1f}" height="{top + ph - yy:.1f}" '
                     f'fill="{colour}"><title>{escape(name)}, {escape(cls)}: {v:.2f} ms</title></rect>')
            e.append(f'<text transform="translate({x + bar / 2 + 3:.1f} {yy - 4:.1f}) rotate(-90)" '
                     f'font-size="10" fill="#333">{fmt_ms(v / 1000)}</text>')
        cx = left + (i + 0.5) * group
        e.append(f'<text transform="translate({cx:.1f} {top + ph + 16}) rotate(-30)" text-anchor="end" '
                 f'font-size="12">{escape(cls)}</text>')
    e.append("</svg>")
    return "\n".join(e) + "\n"


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="100MB")
    ap.add_argument("--sources", default="reuters")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--work", default="/tmp/sitrep-compare")
    ap.add_argument("--queries", default=str(HERE / "queries.tsv"))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=20, help="in-process repetitions (sitrep bench, tantivy bench)")
    ap.add_argument("--layouts", default="jsonl,txt",
                    help="corpus layouts sitrep indexes and syncs: jsonl (always; queries run on it), txt")
    ap.add_argument("--sync-runs", type=int, default=5, help="timed syncs per layout and scenario (0: skip)")
    ap.add_argument("--sitrep", default=str(REPO / "target" / "release" / "sitrep"))
    ap.add_argument("--tantivy", default=shutil.which("tantivy") or str(Path.home() / ".cargo" / "bin" / "tantivy"))
    ap.add_argument("--results", default=str(HERE / "results"))
    args = ap.parse_args()

    sys.path.insert(0, str(REPO / "benches"))
    from scale_corpus import parse_size  # noqa: E402
    args.size_bytes = parse_size(args.size)
    layouts = list(dict.fromkeys(x.strip().lower() for x in args.layouts.split(",") if x.strip()))
    if "jsonl" not in layouts or any(x not in LAYOUTS for x in layouts):
        ap.error(f"--layouts {args.layouts!r}: choose from {', '.join(LAYOUTS)}; jsonl is required (queries run on it)")
    work = Path(args.work).resolve()
    if (REPO / ".git").exists() and str(work).startswith(str(REPO) + os.sep):
        sys.exit(f"error: --work {work} is inside the repository; corpus data must stay outside it")
    label = f"{args.size.upper()}-{args.sources.replace(',', '+')}-s{args.seed}"
    corpus = work / "corpus" / label
    w = work / label
    (w / "logs").mkdir(parents=True, exist_ok=True)
    folders = {"jsonl": (corpus, w / "sitrep-index"), "txt": (work / "corpus" / f"{label}-txt", w / "sitrep-index-txt")}
    for layout, (folder, _) in folders.items():
        if recover_corpus(folder, w / f"sync-backup-{layout}"):
            log(f"put back the {layout} corpus files an interrupted sync timing had changed")
    folders = {layout: folders[layout] for layout in layouts}

    R = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine_info(),
         "versions": tool_versions(args.tantivy, args.sitrep),
         "params": {"runs": args.runs, "warmup": args.warmup, "iterations": args.iterations,
                    "layouts": layouts, "sync_runs": args.sync_runs,
                    "queries_file": os.path.relpath(args.queries, REPO), "work": str(w)}}
    manifest = make_corpus(args, corpus)
    R["corpus"] = dict(manifest, label=args.size.upper() + " " + args.sources, path=str(corpus))
    if "txt" in folders:
        R["corpus_txt"] = dict(make_txt_layout(corpus, manifest, folders["txt"][0]), path=str(folders["txt"][0]))

    log("writing paragraph documents for tantivy-cli and SQLite")
    t0 = time.perf_counter()
    docs = export_docs(corpus, w / "docs.jsonl", w / "docs.csv")
    R["prep"] = {"docs": docs, "seconds": round(time.perf_counter() - t0, 2)}

    R["indexing"] = build_indexes(w, folders, w / "docs.jsonl", w / "docs.csv", args.sitrep, args.tantivy)

    qs = read_queries(args.queries)
    R["queries"] = qs
    rss = {}
    for i, q in enumerate(qs):
        cmds = commands_for(q, corpus, w, args.sitrep, args.tantivy)
        log(f"[{i + 1}/{len(qs)}] {q['class']}: {q['label']} ({', '.join(cmds)})")
        q["commands"] = {k: " ".join(shlex.quote(x) for x in v) for k, v in cmds.items()}
        q["counts"] = hit_counts(q, corpus, w, args.sitrep)
        q["rss_kb"] = {}
        for name, c in cmds.items():
            r = timed(c, w / "logs" / f"rss-{i:02d}-{name}.log", check=False)
            q["rss_kb"][name] = r.get("max_rss_kb", 0)
            rss[name] = max(rss.get(name, 0), q["rss_kb"][name])
        q["hyperfine"] = hyperfine(q, cmds, w, args, i)
    R["rss"] = rss

    log("in-process: sitrep bench")
    R["sitrep_bench"] = sitrep_bench(args, corpus, w, args.sitrep)
    if "skipped" in R["sitrep_bench"]:
        log(R["sitrep_bench"]["skipped"])
    log("in-process: tantivy bench")
    R["tantivy_bench"] = tantivy_bench(args, qs, w, args.tantivy)

    R["sync"] = {}
    if args.sync_runs > 0:
        for layout, (folder, idx) in folders.items():
            R["sync"][layout] = sync_layout(layout, folder, idx, w / f"sync-backup-{layout}", args.sitrep,
                                            args.sync_runs, args.seed, w / "logs")

    md = report(R)
    res = Path(args.results)
    res.mkdir(parents=True, exist_ok=True)
    (res / "latest.md").write_text(md)
    (res / "latest.json").write_text(json.dumps(R, indent=1, ensure_ascii=False) + "\n")
    (res / "latest.svg").write_text(chart_svg(R))
    # A copy per corpus, so a 10MB run does not hide the last 100MB numbers.
    for ext in ("md", "json", "svg"):
        shutil.copyfile(res / f"latest.{ext}", res / f"{label}.{ext}")
    print(md)
    log(f"wrote {res / 'latest.md'}, {res / 'latest.json'} and {res / 'latest.svg'}; work files in {w}")


if __name__ == "__main__":
    main()
