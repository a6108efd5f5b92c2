"""Recall and ranking of our engine on stories it has never seen.

    python -m bench.quality [--years 2020-2020] [--limit 2000] [--probes 300]

Builds an index of real 新闻联播 stories (made with ../shared/tools/xwlb_to_posts.py)
and checks, against the truth computed by plain substring search over the
normalised texts:
- recall for words (jieba words of the text), arbitrary substrings, Latin/digit
  tokens with their neighbours (2020年, 5G网络) and Traditional spellings;
- a pasted headline finding its article (MRR@10, and how often first);
- how many of the top 10 contain the query exactly as typed, where at least ten
  articles do.
"""
from __future__ import annotations

import argparse
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


def _recall(ix, norm, probes):
    from search.analysis import normalize

    found = total = 0
    exact_top = []
    for q in probes:
        needle = normalize(q)
        truth = {k for k, t in norm.items() if needle in t}
        got, page = [], 1
        while True:  # every page: common words match more than one page holds
            res = ix.search(q, page=page, per_page=1000, highlight=False, facets=False)
            got += [h.id for h in res.hits]
            if len(got) >= res.total or not res.hits:
                break
            page += 1
        found += len(truth & set(got))
        total += len(truth)
        if len(truth) >= 10:
            exact_top.append(sum(1 for h in got[:10] if h in truth))
    return found / max(1, total), exact_top


def _headlines(ix, arts, docs):
    """Over titles that name one story: many 联播 titles repeat (国内联播快讯)."""
    from collections import Counter

    from indexer.build import content_key

    seen = Counter(a.title for a in docs.values())
    rr = []
    for a in (a for a in arts if seen[a.title] == 1):
        hits = [h.id for h in ix.search(a.title, highlight=False, facets=False).hits]
        key = content_key(a.title, a.body)
        rr.append(1 / (hits.index(key) + 1) if key in hits else 0.0)
    return statistics.mean(rr), sum(r == 1 for r in rr) / len(rr)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--years", default="2020-2020")
    p.add_argument("--limit", type=int, default=2000)
    p.add_argument("--probes", type=int, default=300)
    p.add_argument("--seed", type=int, default=20261126)
    args = p.parse_args(argv)
    import search
    from indexer.build import build_index

    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp) / "posts", Path(tmp) / "index"
        subprocess.run([sys.executable, str(TOOL), str(corpus), "--years", args.years,
                        "--limit", str(args.limit)], check=True, capture_output=True)
        started = time.perf_counter()
        build_index(corpus, index)
        print(f"built {args.limit} stories ({args.years}) in {time.perf_counter() - started:.1f} s")
        ix = search.open_index(index)
        arts, docs, norm = _texts(corpus)
        probes = _probes(docs, random.Random(args.seed), args.probes)
        exact_all = []
        for kind, qs in probes.items():
            recall, exact_top = _recall(ix, norm, qs)
            exact_all += exact_top
            print(f"{kind:12s} recall {recall:.4f} over {len(qs)} probes")
        mrr, first = _headlines(ix, arts, docs)
        print(f"headlines    MRR@10 {mrr:.4f}, first {first:.4f} (titles naming one story)")
        print(f"exact as typed in top 10: {statistics.mean(exact_all):.2f} of 10 "
              f"over {len(exact_all)} queries with at least 10 such articles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
