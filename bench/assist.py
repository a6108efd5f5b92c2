"""Query assistance: its quality on stories of held-out years, and its cost.

    python -m bench.assist --index DIR --corpus /work/data/all [--years 2023-2024]
                           [--probes 200] [--seed 20261130]

``--index`` is an index of the whole archive built with a lexicon (``python -m
indexer /work/data/all --index DIR``). Probes are drawn, with the seed, from the
stories of ``--years`` (years no test uses) and searched on the whole index:

- pinyin: words of 2-4 characters in at least 5 stories, typed as toneless
  pinyin joined, spaced and capitalised; the share that finds >= 95% of what the
  word finds with >= 9 of the top 10 holding the word, over all probes and over
  those that are the most frequent word of their reading; for the shadowed ones
  (a more frequent word shares the reading, and is searched), the share offered
  as a link; and the cost of reading letters over the bigram lattice;
- homophone typos: person and place names (jieba's nr/ns) with one character
  swapped for another of the same toneless reading, where the archive holds
  no such string; right = the name searched or suggested, wrong = another word;
- no harm: ordinary queries with results (words, Latin tokens, quoted
  phrases): how many are rewritten or get a suggestion;
- cost: query p50/p95 with assistance off and on (cache cleared per query),
  ``suggest`` p50/p95, and the lexicon's size and build time.
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

_HAN = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_LATIN = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,12}(?![A-Za-z])")


def _stories(corpus: Path, years: str, rng: random.Random, n: int) -> list[str]:
    from indexer.corpus import read_article

    lo, hi = (int(y) for y in years.split("-"))
    files = sorted(f for y in range(lo, hi + 1) for f in (corpus / str(y)).rglob("*.md"))
    texts = []
    for f in rng.sample(files, min(n, len(files))):
        art, _ = read_article(corpus, f)
        if art is not None and art.body:
            texts.append(art.title + "\n" + art.body)
    return texts


def _ids(ix, q: str, assist: bool, cap: int = 5000) -> tuple[set[str], int]:
    got, page = [], 1
    while True:
        res = ix.search(q, page=page, per_page=1000, highlight=False, facets=False,
                        assist=assist)
        got += [h.id for h in res.hits]
        if len(got) >= min(res.total, cap) or not res.hits:
            return set(got), res.total
        page += 1


def _typed(syllables: list[str], rng: random.Random) -> str:
    form = rng.choice(("joined", "spaced", "capitalised"))
    if form == "joined":
        return "".join(syllables)
    if form == "spaced":
        return " ".join(syllables)
    return "".join(s.capitalize() for s in syllables)


def pinyin_probes(ix, texts, seg, rng, n):
    from search.pinyin import reading

    words = list(dict.fromkeys(w for t in texts for w in seg.tokenizer.cut(t) if _HAN.match(w)))
    rng.shuffle(words)
    out = []
    for w in words:
        if len(out) >= n:
            break
        syl = reading(w)
        if syl and ix.search(w, per_page=1, highlight=False, facets=False,
                             assist=False).total >= 5:
            out.append((w, _typed(syl, rng)))
    return out


def _searched_word(ix, word: str, typed: str, own: int) -> str:
    """The word the engine searches for these letters among the lexicon's words
    of that reading and the probe (most articles first, as ``Lexicon.by_reading``)."""
    alike = ix.assistant.lexicon.by_reading(re.sub(r"[\s']", "", typed.lower()))
    ranked = [(e.df, e.word) for e in alike if e.word != word] + [(own, word)]
    return min(ranked, key=lambda t: (-t[0], t[1]))[1]


def measure_pinyin(ix, probes):
    """Both conditions for every probe; and apart, for the probes that are the most
    frequent word of their reading and for the shadowed ones (a more frequent word
    shares the reading: that word is searched, so the probe can only be a link)."""
    from search.analysis import normalize

    good = read = 0
    recalls, misses = [], []
    first = {"probes": 0, "meets both": 0}
    shadowed = {"probes": 0, "offered as a link": 0, "meets both": 0}
    for word, typed in probes:
        truth, _ = _ids(ix, word, assist=False)
        res = ix.search(typed, per_page=10, highlight=False, facets=False)
        read += res.interpreted_as == word
        got, _ = _ids(ix, typed, assist=True)
        recall = len(truth & got) / len(truth)
        recalls.append(recall)
        top = [ix.get(h.id) for h in res.hits]
        holding = sum(1 for a in top if a and word in normalize(a.title + a.body))
        ok = recall >= 0.95 and holding >= min(9, len(top))
        good += ok
        own = ix.assistant.lexicon.df(word) or len(truth)
        group = first if _searched_word(ix, word, typed, own) == word else shadowed
        group["probes"] += 1
        group["meets both"] += ok
        if group is shadowed:
            shadowed["offered as a link"] += word in (res.alternatives or [])
        if not ok:
            misses.append((word, typed, res.interpreted_as or res.did_you_mean, round(recall, 2),
                           "shadowed" if group is shadowed else "first"))
    n = len(probes)

    def shares(group):
        return {k: (v if k == "probes" else round(v / max(1, group["probes"]), 3))
                for k, v in group.items()}

    return {"probes": n, "meets both": good / n, "read as the word": read / n,
            "mean recall": statistics.mean(recalls),
            "most frequent of their reading": shares(first),
            "shadowed by a more frequent word": shares(shadowed), "misses": misses}


def measure_lattice(ix, probes):
    """What reading letters over the bigram lattice costs: every probe's letters
    looked up directly (as when no lexicon word has the reading), and strings of
    six syllables (the bound)."""
    lattice = getattr(ix.assistant, "lattice", None)  # None: a version without one
    if lattice is None:
        return {"lattice": "none"}
    times, read = [], 0
    for word, typed in probes:
        pieces = [p for p in re.split(r"[\s']+", typed.strip().lower()) if p]
        t = time.perf_counter()
        found = lattice.words(pieces)
        times.append((time.perf_counter() - t) * 1000)
        read += bool(found) and found[0].word == word
    long = []
    for typed in ("zhongguozhengfubumen", "shishishishishi", "yiyiyiyiyiyi",
                  "xianxianxianxian", "a" * 40, "zhuangzhuangzhuangzhuangzhuangzhuang"):
        t = time.perf_counter()
        lattice.words([typed])
        long.append((time.perf_counter() - t) * 1000)
    r = lambda x: round(x, 3)  # noqa: E731
    return {"lookups": len(times), "p50/p95/max ms": (r(statistics.median(times)),
                                                      r(_pct(times, 0.95)), r(max(times))),
            "read as the probe": round(read / len(probes), 3),
            "6-syllable strings max ms": r(max(long))}


def _same_reading_chars():
    from pypinyin import Style, pinyin
    by_reading: dict[str, list[str]] = {}
    for cp in range(0x4E00, 0x9FA6):
        ch = chr(cp)
        for r in pinyin(ch, style=Style.NORMAL, heteronym=False)[0]:
            by_reading.setdefault(r, []).append(ch)
    return by_reading


def typo_probes(ix, texts, rng, n):
    import jieba.posseg as pseg
    from pypinyin import Style, lazy_pinyin

    names = []
    for t in texts:
        names += [p.word for p in pseg.cut(t[:400]) if p.flag in ("nr", "ns") and _HAN.match(p.word)]
    names = list(dict.fromkeys(names))
    rng.shuffle(names)
    chars = _same_reading_chars()
    out = []
    for name in names:
        if len(out) >= n:
            break
        if ix.search(name, per_page=1, highlight=False, facets=False, assist=False).total < 5:
            continue
        i = rng.randrange(len(name))
        syl = lazy_pinyin(name, style=Style.NORMAL)[i]
        others = [c for c in chars.get(syl, []) if c != name[i]]
        if not others:
            continue
        typo = name[:i] + rng.choice(others) + name[i + 1:]
        if ix.search(typo, per_page=1, highlight=False, facets=False, assist=False).total:
            continue  # the archive holds it: not a typo we can judge
        out.append((name, typo))
    return out


def measure_typos(ix, probes):
    right = wrong = 0
    for name, typo in probes:
        res = ix.search(typo, per_page=10, highlight=False, facets=False)
        offered = res.interpreted_as or res.did_you_mean
        right += offered == name
        wrong += bool(offered) and offered != name
    n = len(probes)
    return {"probes": n, "right": right / n, "wrong": wrong / n}


def ordinary_queries(ix, texts, seg, rng, n):
    words, latin, phrases = [], [], []
    for t in texts:
        words += [w for w in seg.tokenizer.cut(t) if _HAN.match(w)]
        latin += _LATIN.findall(t)
        start = rng.randrange(max(1, len(t) - 6))
        piece = t[start:start + rng.choice((2, 3, 4, 6))]
        if re.fullmatch(r"[\u4e00-\u9fff]+", piece):
            phrases.append(f'"{piece}"')
    def found(q):
        return ix.search(q, per_page=1, highlight=False, facets=False, assist=False).total

    out = []
    for kind, pool in (("latin", latin), ("phrase", phrases), ("word", words)):
        pool = list(dict.fromkeys(pool))
        rng.shuffle(pool)
        want = n - len(out) if kind == "word" else n // 3  # words fill what the others lack
        out += [q for q in pool[:4 * n] if found(q)][:want]
    return out


def measure_harm(ix, queries):
    rewritten, suggested, widened = [], [], 0
    for q in queries:
        on = ix.search(q, per_page=1, highlight=False, facets=False)
        off = ix.search(q, per_page=1, highlight=False, facets=False, assist=False)
        if on.interpreted_as:
            rewritten.append((q, on.interpreted_as))
        if on.did_you_mean:
            suggested.append((q, on.did_you_mean))
        widened += on.total > off.total
    return {"queries": len(queries), "rewritten": rewritten, "suggested": suggested,
            "more results (synonyms)": widened}


def _pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def measure_cost(ix, queries):
    """p50/p95 of a first search (cache cleared) with assistance off and on, and on/off."""
    times = {False: [], True: []}
    for q in queries:
        for assist in (False, True):
            ix.clear_cache()
            t = time.perf_counter()
            ix.search(q, assist=assist)
            times[assist].append((time.perf_counter() - t) * 1000)
    off, on = times[False], times[True]
    r = lambda x: round(x, 2)  # noqa: E731
    return {"queries": len(queries),
            "off p50/p95 ms": (r(statistics.median(off)), r(_pct(off, 0.95))),
            "on p50/p95 ms": (r(statistics.median(on)), r(_pct(on, 0.95))),
            "on/off p50": r(statistics.median(on) / statistics.median(off)),
            "on/off p95": r(_pct(on, 0.95) / _pct(off, 0.95))}


def measure_against_word(ix, pairs):
    """A typed query with assistance against searching the word it means directly:
    what reading the letters or the homophone costs on top of the search itself."""
    typed, word = [], []
    for t, w in pairs:
        ix.clear_cache()
        s = time.perf_counter()
        ix.search(t)
        typed.append((time.perf_counter() - s) * 1000)
        ix.clear_cache()
        s = time.perf_counter()
        ix.search(w, assist=False)
        word.append((time.perf_counter() - s) * 1000)
    r = lambda x: round(x, 2)  # noqa: E731
    return {"queries": len(pairs),
            "word p50/p95 ms": (r(statistics.median(word)), r(_pct(word, 0.95))),
            "typed p50/p95 ms": (r(statistics.median(typed)), r(_pct(typed, 0.95))),
            "added p50 ms": r(statistics.median(typed) - statistics.median(word)),
            "added p95 ms": r(_pct(typed, 0.95) - _pct(word, 0.95))}


def measure_suggest(ix, prefixes):
    sug = []
    for p in prefixes:
        t = time.perf_counter()
        ix.suggest(p)
        sug.append((time.perf_counter() - t) * 1000)
    return {"prefixes": len(prefixes), "p50/p95/max ms": (
        round(statistics.median(sug), 3), round(_pct(sug, 0.95), 3), round(max(sug), 3))}


def lexicon_cost(index: Path) -> dict:
    import search
    from search.analysis import Segmenter
    from search.lexicon import LEXICON_NAME
    from indexer.lexicon import write_lexicon
    import shutil
    import tempfile

    gen = search.open_index(index).generation
    size = sum(f.stat().st_size for f in gen.iterdir() if f.is_file())
    with tempfile.TemporaryDirectory(dir=index.parent) as tmp:
        for f in gen.glob("*.arrays"):  # a scratch generation of links: lexicon only
            if f.name != LEXICON_NAME:
                (Path(tmp) / f.name).symlink_to(f)
        seg = Segmenter()
        seg.initialize()
        stats = write_lexicon(Path(tmp), seg)
        shutil.rmtree(tmp, ignore_errors=True)
    return {"lexicon words": stats.words, "lexicon MB": stats.bytes / 1e6,
            "lexicon build s": stats.seconds, "index MB": size / 1e6}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", required=True, type=Path)
    p.add_argument("--corpus", required=True, type=Path)
    p.add_argument("--years", default="2023-2024")
    p.add_argument("--probes", type=int, default=200)
    p.add_argument("--stories", type=int, default=400)
    p.add_argument("--seed", type=int, default=20261130)
    args = p.parse_args(argv)
    import search
    from pypinyin import Style, lazy_pinyin

    rng = random.Random(args.seed)
    ix = search.open_index(args.index)
    seg = ix.segmenter
    texts = _stories(args.corpus, args.years, rng, args.stories)
    print(f"{len(texts)} stories of {args.years}, seed {args.seed}, index of {ix.doc_count} "
          f"articles", flush=True)
    pin = pinyin_probes(ix, texts, seg, rng, args.probes)
    pinyin = measure_pinyin(ix, pin)
    print("pinyin", {k: v for k, v in pinyin.items() if k != "misses"}, flush=True)
    for miss in pinyin["misses"][:60]:
        print("   miss", miss)
    print("lattice", measure_lattice(ix, pin), flush=True)
    typos = typo_probes(ix, texts, rng, args.probes)
    print("homophone typos", measure_typos(ix, typos), flush=True)
    ordinary = ordinary_queries(ix, texts, seg, rng, args.probes)
    harm = measure_harm(ix, ordinary)
    print("no harm", {k: (len(v) if isinstance(v, list) else v) for k, v in harm.items()})
    for q, got in harm["rewritten"] + harm["suggested"]:
        print(f"   {q!r} -> {got!r}")
    prefixes = [w[:rng.choice((1, 2))] for w, _ in pin] + \
        ["".join(lazy_pinyin(w, style=Style.NORMAL))[:rng.choice((2, 3, 4, 6))] for w, _ in pin]
    print("cost, ordinary queries", measure_cost(ix, ordinary), flush=True)
    print("cost, pinyin queries against the word", measure_against_word(
        ix, [(t, w) for w, t in pin]), flush=True)
    print("cost, homophone typos against the name", measure_against_word(
        ix, [(t, w) for w, t in typos]), flush=True)
    print("suggest", measure_suggest(ix, prefixes), flush=True)
    print("lexicon", lexicon_cost(args.index), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
