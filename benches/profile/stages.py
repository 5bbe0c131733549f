#!/usr/bin/env python3
"""Share of CPU samples per indexing stage, from `perf script` output of a sitrep build.

    perf record -F 250 --call-graph dwarf,32768 -o build.data sitrep ... index --quiet
    perf script -i build.data -F comm,tid,ip,sym > build.txt
    benches/profile/stages.py build.txt [--callers SYMBOL]

Each sample goes to the innermost frame that names a stage (so "stemming" inside the stem
field's tokenizer counts as stemming, not as add_document). Stage patterns are substrings of
demangled symbol names; the table lists the stages in pipeline order with their share of all
samples (CPU-seconds = share x the run's CPU time). `--callers SYMBOL` instead prints the most
frequent innermost stage frames above a symbol (who calls malloc, say).
"""
import argparse
import collections
import sys

# (stage, substrings), innermost match wins; order matters only among frames of one sample.
STAGES = [
    ("read+parse files", ["corpus::parse_file", "corpus::jsonl", "corpus::json::", "corpus::markdown", "std::fs::read", "corpus::walk"]),
    ("plan (hash, cache)", ["indexer::plan", "corpus::hash_bytes", "indexer::cache"]),
    ("normalise (tagger input, duplicate hash)", ["analysis::normalize"]),
    ("tag: automaton + matcher", ["Matcher::find_in", "aho_corasick"]),
    ("tag: article context", ["ArticleContext", "entities::article"]),
    ("tag: unlisted tagger", ["entities::tagger", "entities::unlisted"]),
    ("tag: other", ["article_mentions", "tag_article"]),
    ("analyse: words + stems, one pass", ["ParagraphAnalyser", "analysed::for_each_word", "StemMemo", "MemoStemmer", "frostem"]),
    ("build documents", ["article_documents", "paragraph_text_hash"]),
    ("tokenise (index-time tokenizers)", ["JoinedTokenStream", "SitrepTokenStream"]),
    ("postings (subscribe)", ["PostingsWriter>::subscribe", "stacker"]),
    ("add_document: other", ["SegmentWriter::add_document"]),
    ("segment flush", ["SegmentWriter::finalize", "finalize_inner", "serialize"]),
    ("end merge", ["IndexMerger", "merger::", "SegmentPlugin>::merge", "merge_segments"]),
    ("doc store compression", ["lz4_flex", "store::compressors"]),
    ("copies", ["copies::Copies"]),
    ("commit", ["prepare_commit", "PreparedCommit", "save_metas"]),
]


def samples(path):
    stack, comm = [], None
    with open(path, errors="replace") as f:
        for line in f:
            if not line.strip():
                if stack or comm:
                    yield comm, stack
                stack, comm = [], None
            elif line[0] not in " \t":
                comm = line.split()[0]
            else:
                parts = line.strip().split(None, 1)
                stack.append(parts[1] if len(parts) > 1 else "?")
    if stack:
        yield comm, stack


def stage_of(comm, stack):
    # Threads with one job each: their frames also name serializers that flushes share.
    if comm and comm.startswith("merge_thread"):
        return "end merge"
    if comm and comm.startswith("docstore-compre"):
        return "doc store compression"
    for frame in stack:  # innermost first
        for stage, needles in STAGES:
            if any(n in frame for n in needles):
                return stage
    if any("malloc" in f or "free" in f for f in stack[:3]):
        return "allocator (outside a stage)"
    if stack and stack[0].startswith("ffff") or any("[k]" in f for f in stack[:1]):
        return "kernel"
    return "other"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("script")
    ap.add_argument("--callers", help="symbol substring: whose stage frames call it")
    args = ap.parse_args()
    counts = collections.Counter()
    callers = collections.Counter()
    total = 0
    for _comm, stack in samples(args.script):
        total += 1
        if args.callers:
            for i, frame in enumerate(stack):
                if args.callers in frame:
                    above = next((f for f in stack[i + 1:] if "sitrep::" in f or "tantivy::" in f), "?")
                    callers[above[:110]] += 1
                    break
            continue
        counts[stage_of(_comm, stack)] += 1
    if args.callers:
        for name, n in callers.most_common(25):
            print(f"{100 * n / total:6.2f}%  {name}")
        return
    order = [s for s, _ in STAGES] + ["allocator (outside a stage)", "kernel", "other"]
    print(f"| stage | share of CPU samples |\n|---|---:|")
    for stage in order:
        if counts[stage]:
            print(f"| {stage} | {100 * counts[stage] / total:.1f}% |")
    print(f"| all ({total} samples) | 100% |")


if __name__ == "__main__":
    sys.exit(main())
