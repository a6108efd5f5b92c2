"""Per-search latency of a small cluster: what a search costs besides the matching.

    python bench/clusterquery.py CORPUS [--rounds 3]

Indexes CORPUS on a fresh 2-shard dev cluster (``python -m search.sphinx up``),
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
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

QUERIES = ["", "北约", "普京", "中国", "经济", "美国", "F-35", "2022年", "俄罗斯", "台湾"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    import search
    from conftest import DevCluster
    from indexer.update import update_index

    cluster = DevCluster(Path(tempfile.mkdtemp()) / "cluster")
    try:
        update_index(Path(args.corpus), cluster.url)
        ix = search.open_index(cluster.url)
        ix.search("北约")  # warm: settings, lexicon, connections
        times = []
        for _ in range(args.rounds):
            for q in QUERIES:
                started = time.perf_counter()
                ix.search(q, per_page=10)
                times.append((time.perf_counter() - started) * 1000)
        ix.close()
    finally:
        cluster.stop()
    print(f"{ROOT.name}: {len(times)} searches, p50 {statistics.median(times):.1f} ms, "
          f"slowest {max(times):.1f} ms")


if __name__ == "__main__":
    main()
