"""Recall and ranking of our engine on stories it has never seen.

    python -m bench.quality [--years 2020-2020] [--limit 2000] [--probes 300]
                            [--backend whoosh|sphinx|both]

Builds an index of real 新闻联播 stories (made with ../shared/tools/xwlb_to_posts.py)
and checks, against the truth computed by plain substring search over the
normalised texts:
- recall for words (jieba words of the text), arbitrary substrings, Latin/digit
  tokens with their neighbours (2020年, 5G网络) and Traditional spellings;
- a pasted headline finding its article (MRR@10, and how often first);
- how many of the top 10 contain the query exactly as typed, where at least ten
  articles do.

``--backend sphinx`` measures a 2-shard dev cluster (started in the temporary
folder, stopped at the end) instead; ``both`` measures both and says, per probe
kind, on how many probes the two give the same total, exact count and result set.
"""
from __future__ import annotations

import argparse
import contextlib
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT.parent / "shared" / "tools" / "xwlb_to_posts.py"
_MIXED = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*[\u4e00-\u9fff]{1,2}|[\u4e00-\u9fff]{1,2}[A-Za-z0-9][A-Za-z0-9.\-]*")


def _texts(corpus: Path):
    from indexer.build import content_key
    from indexer.corpus import iter_articles
    from search.analysis import normalize

    arts = [a for a, _ in iter_articles(corpus) if a]
    docs = {}
    for a in arts:
        docs.setdefault(content_key(a.title, a.body), a)
    norm = {k: normalize(a.title) + "\n" + normalize(a.body) for k, a in docs.items()}
    return arts, docs, norm


def _probes(docs, rng, n):
    import opencc
    from search.analysis import Segmenter

    seg, s2t = Segmenter(), opencc.OpenCC("s2t")
    bodies = [a.body for a in docs.values() if len(a.body) > 40]
    kinds = {"word": [], "substring": [], "mixed": [], "traditional": []}
    while min(len(v) for v in kinds.values()) < n:
        text = rng.choice(bodies)
        words = [w for w in seg.tokenizer.cut(text) if len(w) > 1 and re.search(r"\w", w)]
        if words and len(kinds["word"]) < n:
            kinds["word"].append(rng.choice(words))
        size = rng.choice((1, 2, 3, 4, 5, 6, 8, 12))
        start = rng.randrange(len(text) - size)
        piece = text[start:start + size]
        if re.search(r"\w", piece) and '"' not in piece and not piece.startswith("-"):
            kinds["substring"].append(piece)
        mixed = _MIXED.findall(text)
        if mixed:
            kinds["mixed"].append(rng.choice(mixed))
        if words:
            word = rng.choice(words)
            trad = s2t.convert(word)
            if trad != word:
                kinds["traditional"].append(trad)
    return {k: v[:n] for k, v in kinds.items()}


def result_set(ix, q: str) -> tuple[list[str], int, int]:
    """(ids in rank order, total, exact_total) of a query, over every page."""
    got, page = [], 1
    while True:  # every page: common words match more than one page holds
        res = ix.search(q, page=page, per_page=1000, highlight=False, facets=False)
        got += [h.id for h in res.hits]
        if page == 1:
            total, exact = res.total, res.exact_total
        if len(got) >= res.total or not res.hits:
            return got, total, exact
        page += 1


def _recall(ix, norm, probes, seen: dict):
    from search.analysis import normalize

    found = total = 0
    exact_top = []
    for q in probes:
        needle = normalize(q)
        truth = {k for k, t in norm.items() if needle in t}
        got, *counts = seen[q] = result_set(ix, q)
        found += len(truth & set(got))
        total += len(truth)
        if len(truth) >= 10:
            exact_top.append(sum(1 for h in got[:10] if h in truth))
    return found / max(1, total), exact_top


def _headline_probes(arts, docs) -> list:
    """Titles that name one story: many 联播 titles repeat (国内联播快讯)."""
    from collections import Counter

    seen = Counter(a.title for a in docs.values())
    return [a for a in arts if seen[a.title] == 1]


def _headlines(ix, arts, seen: dict):
    from indexer.build import content_key

    rr = []
    for a in arts:
        seen[a.title] = result_set(ix, a.title)
        hits = seen[a.title][0][:10]
        key = content_key(a.title, a.body)
        rr.append(1 / (hits.index(key) + 1) if key in hits else 0.0)
    return statistics.mean(rr), sum(r == 1 for r in rr) / len(rr)


def _measure(ix, probes, heads, norm) -> tuple[list[str], dict]:
    """Printed lines and, per probe kind, each probe's (ids, total, exact_total)."""
    lines, exact_all, seen = [], [], {}
    for kind, qs in probes.items():
        seen[kind] = {}
        recall, exact_top = _recall(ix, norm, qs, seen[kind])
        exact_all += exact_top
        lines.append(f"{kind:12s} recall {recall:.4f} over {len(qs)} probes")
    seen["headline"] = {}
    mrr, first = _headlines(ix, heads, seen["headline"])
    lines.append(f"headlines    MRR@10 {mrr:.4f}, first {first:.4f} (titles naming one story)")
    lines.append(f"exact as typed in top 10: {statistics.mean(exact_all):.2f} of 10 "
                 f"over {len(exact_all)} queries with at least 10 such articles")
    return lines, seen


def compare(a: dict, b: dict, show: int = 5) -> list[str]:
    """Per probe kind: probes with the same result set, total and exact count on both."""
    lines = []
    for kind, probes in a.items():
        same_set = [q for q in probes if set(probes[q][0]) == set(b[kind][q][0])]
        same_counts = [q for q in probes if probes[q][1:] == b[kind][q][1:]]
        lines.append(f"{kind:12s} same result set {len(same_set)} of {len(probes)}, "
                     f"same total and exact count {len(same_counts)} of {len(probes)}")
        odd = [q for q in probes if q not in same_set] + [
            q for q in probes if q in same_set and q not in same_counts]
        for q in odd[:show]:
            lines.append(f"    differs: {q!r} whoosh {probes[q][1:]} cluster {b[kind][q][1:]}")
    return lines


def _open(backend: str, tmp: Path, corpus: Path, index: Path, stack, shards: int):
    """Build ``corpus`` on one backend; (index, build seconds)."""
    import search
    from indexer.build import build_index
    from indexer.update import update_index

    started = time.perf_counter()
    if backend == "whoosh":
        build_index(corpus, index)
        return search.open_index(index), time.perf_counter() - started
    from bench.devcluster import dev_cluster

    url = stack.enter_context(dev_cluster(tmp / "cluster", shards))
    started = time.perf_counter()
    update_index(corpus, url)
    ix = search.open_index(url)
    stack.callback(ix.close)
    return ix, time.perf_counter() - started


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--years", default="2020-2020")
    p.add_argument("--limit", type=int, default=2000)
    p.add_argument("--probes", type=int, default=300)
    p.add_argument("--seed", type=int, default=20261126)
    p.add_argument("--backend", choices=("whoosh", "sphinx", "both"), default="whoosh",
                   help="the embedded index, a 2-shard dev cluster, or both compared")
    p.add_argument("--shards", type=int, default=2)
    p.add_argument("--show", type=int, default=5, help="differing probes shown per kind")
    args = p.parse_args(argv)
    backends = ["whoosh", "sphinx"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        corpus, index = Path(tmp) / "posts", Path(tmp) / "index"
        subprocess.run([sys.executable, str(TOOL), str(corpus), "--years", args.years,
                        "--limit", str(args.limit)], check=True, capture_output=True)
        arts, docs, norm = _texts(corpus)
        probes = _probes(docs, random.Random(args.seed), args.probes)
        heads = _headline_probes(arts, docs)
        seen = {}
        for backend in backends:
            ix, took = _open(backend, Path(tmp), corpus, index, stack, args.shards)
            print(f"[{backend}] built {args.limit} stories ({args.years}) in {took:.1f} s")
            lines, seen[backend] = _measure(ix, probes, heads, norm)
            print("\n".join(f"[{backend}] {line}" for line in lines), flush=True)
        if len(seen) == 2:
            print("\n".join(compare(seen["whoosh"], seen["sphinx"], args.show)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
