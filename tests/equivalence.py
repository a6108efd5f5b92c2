"""Random queries and filters, answered by the array path and by Whoosh, compared.

Used by tests/test_evaluate.py (a few thousand cases on real stories) and
runnable on any index: ``python tests/equivalence.py INDEX [N] [SEED]``.
"""
from __future__ import annotations

import random
import sys
from datetime import datetime, timezone

import numpy as np

_OPS = ("word", "word", "two", "or", "not", "phrase", "title", "category", "headline",
        "char", "span", "blank", "mixed")


def sample_texts(ix, rng: random.Random, n: int = 400) -> list[tuple[str, str]]:
    """(title, body) of n random stored articles."""
    searcher = ix._searcher()
    total = searcher.doc_count_all()
    out = []
    for docnum in rng.sample(range(total), min(n, total)):
        f = searcher.stored_fields(docnum)
        out.append((f.get("title", ""), f.get("body", "")))
    return out


def random_query(ix, texts, rng: random.Random) -> str:
    title, body = rng.choice(texts)
    text = body or title

    def span(lo=1, hi=8):
        if not text:
            return "新闻"
        start = rng.randrange(len(text))
        return text[start:start + rng.randint(lo, hi)].strip() or "中国"

    def word():
        words = [w for w in ix.segmenter.words(title) if w.strip()] or [span(2, 4)]
        return rng.choice(words)

    op = rng.choice(_OPS)
    if op == "two":
        return f"{word()} {span(2, 4)}"
    if op == "or":
        return f"{word()} OR {span(2, 3)}"
    if op == "not":
        return f"{span(2, 3)} -{word()}"
    if op == "phrase":
        return f'"{span(2, 10)}"'
    if op == "title":
        return f"title:{word()}"
    if op == "category":
        cats = ix.categories() or ["x"]
        name = rng.choice(cats)
        return f"category:{name[:rng.randint(1, len(name))]} {word()}"
    if op == "headline":
        return title
    if op == "char":
        return rng.choice(text or "中")
    if op == "span":
        return span(1, 30)
    if op == "blank":
        return rng.choice(["", " ", "-" + word()])
    if op == "mixed":
        return f'{span(1, 3)} "{span(2, 5)}" -{span(1, 2)} OR {word()}'
    return word()


def random_filters(ix, rng: random.Random) -> dict:
    kw: dict = {"sort": rng.choice(["relevance", "relevance", "newest", "oldest"]),
                "page": rng.choice([1, 1, 2, 3]), "per_page": rng.choice([10, 20])}
    tables = ix._state()[1]
    if rng.random() < 0.2 and tables.cat_names:
        kw["categories"] = rng.sample(tables.cat_names, rng.randint(1, min(2, len(tables.cat_names))))
    if rng.random() < 0.3:
        dated = tables.ts[tables.has_date]
        if len(dated):
            a, b = sorted(int(x) for x in rng.choices(list(dated), k=2))
            tz = timezone.utc
            kw["since"] = datetime.fromtimestamp(a, tz) if rng.random() < 0.8 else None
            kw["until"] = datetime.fromtimestamp(b, tz)
    return kw


def compare(ix, q: str, kw: dict) -> str | None:
    """None if both paths agree; otherwise what differs."""
    from search.zones import date_bounds as _bounds
    from search.query import compile_query, parse
    from search.reference import whoosh_filter, whoosh_search

    searcher = ix._searcher()
    tables = ix._state()[1]
    skip = frozenset(np.flatnonzero(tables.folded_into >= 0).tolist())
    page, per_page, sort = kw.get("page", 1), kw.get("per_page", 10), kw.get("sort", "relevance")
    # With the evaluator's order (see run), and the query as given: the reference
    # evaluates the text itself, not what query assistance would add (synonyms).
    res = ix.search(q, highlight=False, assist=False, **kw)
    wquery, mask = compile_query(parse(q), ix.segmenter, ix.categories())
    lo, hi = _bounds(kw.get("since"), kw.get("until"))
    limit = min(page * per_page, max(1, searcher.doc_count_all()))
    total, ref, facets = whoosh_search(searcher, wquery, whoosh_filter(kw.get("categories"), lo, hi),
                                       mask, sort, limit, skip)
    if total != res.total:
        return f"total {res.total} != whoosh {total}"
    # Whoosh's own path counts categories and years; names are held to a brute-force
    # count in tests/test_names.py.
    mine = {k: res.facets.get(k) for k in facets}
    if facets != mine:
        return f"facets {mine} != whoosh {facets}"
    ref = ref[(page - 1) * per_page:]
    ids = [searcher.stored_fields(d)["id"] for d, _ in ref]
    got = [h.id for h in res.hits]
    if len(got) != len(ids):
        return f"{len(got)} hits != whoosh {len(ids)}"
    ref_scores = np.array([s for _, s in ref])
    got_scores = np.array([h.score for h in res.hits])
    if not np.allclose(got_scores, ref_scores, rtol=1e-9, atol=1e-9):
        return f"scores {got_scores[:5]} != whoosh {ref_scores[:5]}"
    # Ranks may swap only between scores equal up to rounding (a different
    # order of additions); dates and document numbers order exactly.
    for i, (a, b) in enumerate(zip(got, ids)):
        if a == b:
            continue
        near = np.flatnonzero(np.isclose(ref_scores, ref_scores[i], rtol=1e-9, atol=1e-9))
        at_edge = near[-1] == len(ids) - 1
        if sort != "relevance" or not (a in {ids[j] for j in near} or at_edge):
            return f"rank {i}: {a} != whoosh {b}"
    return None


def run(ix, n: int, seed: int = 0) -> list[tuple[str, dict, str]]:
    from search.ranking import RankingRules

    rng = random.Random(seed)
    # The evaluator against Whoosh's: news ranking reorders after both (tests/test_ranking.py).
    rules, ix.ranking = ix.ranking, RankingRules(news=False)
    try:
        texts = sample_texts(ix, rng)
        failures = []
        for _ in range(n):
            q, kw = random_query(ix, texts, rng), random_filters(ix, rng)
            diff = compare(ix, q, kw)
            if diff:
                failures.append((q, kw, diff))
        return failures
    finally:
        ix.ranking = rules


if __name__ == "__main__":
    import search

    index = search.open_index(sys.argv[1])
    fails = run(index, int(sys.argv[2]) if len(sys.argv) > 2 else 500,
                int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    for f in fails[:20]:
        print(f)
    print(f"{len(fails)} differences")
