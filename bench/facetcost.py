"""What the timeline and facets add to a search, on one index and one code.

    python bench/facetcost.py INDEX [--rounds 5]

Each query of bench/queries.txt is searched with facets (categories, years,
timeline, people, places, organisations) and without, each time from an empty
result cache, the two in turn, ``--rounds`` times; prints the median of each
query's times for both and the p50/p95 over the queries, and their ratio.
Conservative for issue 14's goal: "without" also drops the category and year
facets the engine had before the timeline and names.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("index")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    import search

    ix = search.open_index(args.index)
    queries = [q for q in (HERE / "queries.txt").read_text(encoding="utf-8").splitlines()
               if q.strip() and not q.startswith("#")]
    times: dict[bool, dict[str, list[float]]] = {True: {}, False: {}}
    for _ in range(args.rounds):
        for q in queries:
            for facets in (True, False):
                ix.clear_cache()
                t = time.perf_counter()
                ix.search(q, facets=facets)
                times[facets].setdefault(q, []).append((time.perf_counter() - t) * 1000)
    med = {f: [statistics.median(v) for v in times[f].values()] for f in times}
    out = {name: {"p50_ms": _pct(med[f], 0.5), "p95_ms": _pct(med[f], 0.95)}
           for name, f in (("with", True), ("without", False))}
    out["ratio_p50"] = out["with"]["p50_ms"] / out["without"]["p50_ms"]
    out["ratio_p95"] = out["with"]["p95_ms"] / out["without"]["p95_ms"]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
