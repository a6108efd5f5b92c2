"""Per-search latency of a small cluster: what a search costs besides the matching.

    python bench/clusterquery.py CORPUS [--rounds 3]

Indexes CORPUS on a fresh 2-shard dev cluster (``bench.devcluster``),
then times ten everyday queries, top 10 with snippets, facets and the timeline,
``--rounds`` times each in one process, and prints the median and the slowest.
Run it from two checkouts in turn to compare them.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.errors import SearchError  # noqa: E402

QUERIES = ["", "北约", "普京", "中国", "经济", "美国", "F-35", "2022年", "俄罗斯", "台湾"]


def _timed(corpus: Path, rounds: int) -> list[float]:
    """Milliseconds of each search, after indexing ``corpus`` on a fresh dev cluster."""
    import search
    from bench.devcluster import dev_cluster
    from indexer.update import update_index

    with dev_cluster(Path(tempfile.mkdtemp()) / "cluster") as url:
        update_index(corpus, url)
        ix = search.open_index(url)
        ix.search("北约")  # warm: settings, lexicon, connections
        times = []
        for _ in range(rounds):
            for q in QUERIES:
                started = time.perf_counter()
                ix.search(q, per_page=10)
                times.append((time.perf_counter() - started) * 1000)
        ix.close()
    return times


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    try:
        times = _timed(Path(args.corpus), args.rounds)
    except (SearchError, RuntimeError) as exc:  # no corpus, no searchd, ...
        raise SystemExit(f"clusterquery: {exc}")
    print(f"{ROOT.name}: {len(times)} searches, p50 {statistics.median(times):.1f} ms, "
          f"slowest {max(times):.1f} ms")


if __name__ == "__main__":
    main()
