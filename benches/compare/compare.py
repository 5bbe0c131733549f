#!/usr/bin/env python3
"""sitrep vs tantivy-cli vs SQLite FTS5 vs ripgrep on one corpus and one query set.

Run through benches/compare/run.sh (which installs the tools and builds sitrep first):

    benches/compare/run.sh [--size 100MB] [--sources reuters] [--work /tmp/sitrep-compare]

Steps: scale a corpus (benches/scale_corpus.py) into the work dir; write the same paragraphs as
tantivy-cli JSON documents and as CSV rows for SQLite; build the three indexes under
/usr/bin/time -v; run every query as whole processes with hyperfine; run the in-process
benches (`sitrep bench --json`, `tantivy bench`); write results/latest.md and
results/latest.json. Nothing from the corpus is written into the repository: corpus, documents,
indexes and hyperfine files stay in the work dir; results hold only numbers and query strings.
"""

import argparse
import csv
import datetime as dt
import itertools
import json
import os
import platform
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
SITREP_FLAGS = (" --person ", " --org ", " --place ", " --facets")
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


def export_docs(corpus, docs_jsonl, docs_csv):
    """One document per paragraph, for tantivy-cli (JSON lines) and SQLite (CSV)."""
    n = 0
    with open(docs_jsonl, "w", encoding="utf-8") as fj, open(docs_csv, "w", encoding="utf-8", newline="") as fc:
        w = csv.writer(fc)
        for part in sorted(corpus.glob("*.jsonl")):
            with open(part, encoding="utf-8") as f:
                for line in f:
                    art = json.loads(line)
                    title = art.get("title") or ""
                    for p in art["paragraphs"]:
                        fj.write(json.dumps({"article_id": art["id"], "title": title, "text": p},
                                            ensure_ascii=False))
                        fj.write("\n")
                        w.writerow([art["id"], title, p])
                        n += 1
    return n


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


def build_indexes(args, w, corpus, docs_jsonl, docs_csv, sitrep, tantivy):
    res = {}
    logs = w / "logs"
    # sitrep
    idx = w / "sitrep-index"
    shutil.rmtree(idx, ignore_errors=True)
    log("indexing with sitrep")
    r = timed([sitrep, "--corpus", str(corpus), "--index", str(idx), "index", "--quiet"], logs / "sitrep-index.log")
    r["index_bytes"] = dir_size(idx)
    stats = subprocess.run([sitrep, "--corpus", str(corpus), "--index", str(idx), "stats", "--json"],
                           capture_output=True, text=True)
    try:
        r["stats"] = json.loads(stats.stdout)
    except ValueError:
        r["stats"] = None
    res["sitrep"] = r
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


def commands_for(q, corpus, w, sitrep, tantivy):
    cmds = {"sitrep": [sitrep, "--corpus", str(corpus), "--index", str(w / "sitrep-index"), "--quiet",
                       "search", q["sitrep_query"], "-n", "10", "--color", "never"] + q["sitrep_flags"]}
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


def report(R):
    L = []
    m, c = R["machine"], R["corpus"]
    L.append(f"# sitrep comparison — {c['label']} corpus ({R['date']})\n")
    L.append(f"- Machine: {m['nproc']} cores, {m['cpu']}, {m['ram_gb']} GB RAM, Linux {m['kernel']}; "
             f"load average at start {m['loadavg_at_start'][0]:.2f}")
    L.append(f"- Corpus: {mb(c['bytes'])} MB JSONL in {c['files']} files, {c['articles']:,} articles, "
             f"{c['paragraphs']:,} paragraphs (sources {','.join(c['sources'])}, seed {c['seed']}, "
             f"{c['passes']} pass(es) of scale_corpus.py)")
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
        L.append(f"| {tool} | {r['wall_s']:.2f} | {r.get('cpu_percent', '?')} | {r.get('max_rss_kb', 0) / 1024:.0f} "
                 f"| {mb(r['index_bytes'])} | {r['index_bytes'] / c['bytes']:.2f} | {docs:,} | {ratio(r['wall_s'], base)} |")
    L.append(f"\n(Not timed: writing the {R['prep']['docs']:,} paragraph documents for tantivy-cli and SQLite took "
             f"{R['prep']['seconds']:.1f} s; sitrep reads the article JSONL itself.)\n")

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
    ap.add_argument("--sitrep", default=str(REPO / "target" / "release" / "sitrep"))
    ap.add_argument("--tantivy", default=shutil.which("tantivy") or str(Path.home() / ".cargo" / "bin" / "tantivy"))
    ap.add_argument("--results", default=str(HERE / "results"))
    args = ap.parse_args()

    sys.path.insert(0, str(REPO / "benches"))
    from scale_corpus import parse_size  # noqa: E402
    args.size_bytes = parse_size(args.size)
    work = Path(args.work).resolve()
    if (REPO / ".git").exists() and str(work).startswith(str(REPO) + os.sep):
        sys.exit(f"error: --work {work} is inside the repository; corpus data must stay outside it")
    label = f"{args.size.upper()}-{args.sources.replace(',', '+')}-s{args.seed}"
    corpus = work / "corpus" / label
    w = work / label
    (w / "logs").mkdir(parents=True, exist_ok=True)

    R = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine_info(),
         "versions": tool_versions(args.tantivy, args.sitrep),
         "params": {"runs": args.runs, "warmup": args.warmup, "iterations": args.iterations,
                    "queries_file": os.path.relpath(args.queries, REPO), "work": str(w)}}
    manifest = make_corpus(args, corpus)
    R["corpus"] = dict(manifest, label=args.size.upper() + " " + args.sources, path=str(corpus))

    log("writing paragraph documents for tantivy-cli and SQLite")
    t0 = time.perf_counter()
    docs = export_docs(corpus, w / "docs.jsonl", w / "docs.csv")
    R["prep"] = {"docs": docs, "seconds": round(time.perf_counter() - t0, 2)}

    R["indexing"] = build_indexes(args, w, corpus, w / "docs.jsonl", w / "docs.csv", args.sitrep, args.tantivy)

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

    md = report(R)
    res = Path(args.results)
    res.mkdir(parents=True, exist_ok=True)
    (res / "latest.md").write_text(md)
    (res / "latest.json").write_text(json.dumps(R, indent=1, ensure_ascii=False) + "\n")
    # A copy per corpus, so a 10MB run does not hide the last 100MB numbers.
    shutil.copyfile(res / "latest.md", res / f"{label}.md")
    shutil.copyfile(res / "latest.json", res / f"{label}.json")
    print(md)
    log(f"wrote {res / 'latest.md'} and {res / 'latest.json'}; work files in {w}")


if __name__ == "__main__":
    main()
