"""The benchmark itself, on a tiny grown corpus: every part runs and the report shows it.

No timing assertions: only that each figure exists and is sane (positive, p50 <= p95,
counts add up). The figures themselves are for bench/run.py on real corpora.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT

sys.path.insert(0, str(ROOT))

from bench import grow, queries  # noqa: E402

SECTIONS = ["## Run", "### Latency by kind of query, first time (ms)", "### Filters (ours)",
            "### Article pages (ours)", "### API (ours)", "### Server memory (ours)",
            "### Cold start (ours)", "## Growth", "bench.png"]


def small_mix(path, per_category: int = 6):
    """The first queries of each category of bench/queries.txt, in a file of that format:
    every part runs on every kind of query, in a third of the time (the cold-start
    part needs 48 distinct queries: 8 slots, a first and 5 warm waves)."""
    taken: dict[str, list[str]] = {}
    for q, cat in queries.load(ROOT / "bench" / "queries.txt"):
        if len(taken.setdefault(cat, [])) < per_category:
            taken[cat].append(q)
    path.write_text("".join(f"# [{cat}]\n" + "".join(f"{q}\n" for q in qs)
                            for cat, qs in taken.items()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    mix = small_mix(out / "queries.txt")
    cmd = [sys.executable, "bench/run.py", "--sizes", "40g", "--archive", str(CORPUS),
           "--queries", str(mix),
           "--new", "5", "--out", str(out), "--doc", str(out / "benchmarks.md"),
           "--procs", "2", "--reps", "1", "--api-seconds", "1", "--clients", "2",
           "--mem-requests", "20", "--mem-threads", "2"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, json.loads((out / "results.json").read_text())


def runs(results):
    return {run["engine"]: run for run in results["runs"]}


def test_every_part_ran_for_each_engine(bench_run):
    _, results = bench_run
    by_engine = runs(results)
    for part in ("build", "latency", "update"):
        for engine in ("naive", "ours"):
            assert "na" not in by_engine[engine][part], (engine, part, by_engine[engine][part])
    for part in ("filters", "pages", "api", "memory", "coldstart"):
        assert "na" not in by_engine["ours"][part], (part, by_engine["ours"][part])
        assert part not in by_engine["naive"]


def test_latency_is_first_time_per_query_and_category(bench_run):
    out, results = bench_run
    mix = queries.load(out / "queries.txt")
    for engine, run in runs(results).items():
        lat = run["latency"]
        assert lat["processes"] == 2
        assert [row["q"] for row in lat["queries"]] == [q for q, _ in mix]
        assert all(len(row["runs_ms"]) == 2 and row["ms"] > 0 for row in lat["queries"])
        assert 0 < lat["p50_ms"] <= lat["p95_ms"] <= lat["max_ms"]
        assert lat["slowest"]["ms"] == lat["max_ms"]
        assert set(lat["by_category"]) == {cat for _, cat in mix}
        assert "broad" in lat["by_category"]
        assert lat["repeat"]["n"] == len(mix)


def test_serving_figures_are_sane(bench_run):
    _, results = bench_run
    ours = runs(results)["ours"]
    api = ours["api"]
    assert api["errors"] == 0 and api["requests"] > 0 and api["p50_ms"] <= api["p95_ms"]
    assert api["distinct_share"] == 1.0  # too short a run to exhaust the varied URLs
    for threads in ("2",):
        mem = ours["memory"][threads]
        assert mem["requests"] >= 20 and mem["errors"] == 0
        worker = mem["after"]["largest"]
        assert 0 < worker["anon"] <= worker["rss"] <= mem["after"]["sum"]["rss"]
    for cold in ours["coldstart"].values():
        if not isinstance(cold, dict):
            continue
        assert cold["errors"] == 0 and len(cold["first_ms"]) == cold["slots"]
        assert cold["first_over_warm_max"] >= cold["first_over_warm_p50"] > 0


def test_filters_and_pages_are_paired_and_counted(bench_run):
    out, results = bench_run
    ours = runs(results)["ours"]
    n = len(queries.load(out / "queries.txt"))
    assert ours["filters"]["by_filter"]["n"] == n
    for row in ours["filters"]["queries"]:
        assert set(row["ms"]) == {"none", "year", "range", "category"}
    pages = ours["pages"]
    assert pages["errors"] == 0 and pages["searches"] == n and pages["articles"] > 0


def test_report_has_every_section(bench_run):
    out, results = bench_run
    text = (out / "benchmarks.md").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert section in text, section
    assert "| broad |" in text
    assert (out / "bench.png").stat().st_size > 0
    # the grown corpus is indexed whole (40, then 5 more by the update part):
    # no grown story was folded as a duplicate of another
    import search
    ix = search.open_index(out / "index" / "40g" / "ours")
    assert runs(results)["ours"]["articles"] == 40 and ix.doc_count == 45


def test_rerunning_one_part_keeps_the_others(bench_run, tmp_path):
    out, before = bench_run
    cmd = [sys.executable, "bench/run.py", "--sizes", "40g", "--archive", str(CORPUS),
           "--queries", str(out / "queries.txt"),
           "--new", "5", "--out", str(out), "--doc", "", "--only", "pages", "--engines", "ours"]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=300)
    after = runs(json.loads((out / "results.json").read_text()))
    assert after["ours"]["api"] == runs(before)["ours"]["api"]
    assert after["naive"]["latency"] == runs(before)["naive"]["latency"]


def test_grow_is_deterministic_and_folds_nothing(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    grow.grow(CORPUS, a, 30, seed=3)
    grow.grow(CORPUS, b, 30, seed=3)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*.md"))
    assert len(files_a) == 30 and files_a == sorted(p.relative_to(b) for p in b.rglob("*.md"))
    assert all((a / p).read_bytes() == (b / p).read_bytes() for p in files_a)
    titles = [grow.Source(a / p).title for p in files_a]
    assert len(set(titles)) == 30
    originals = {s.title for s in grow.load_sources(CORPUS)}
    assert not set(titles) & originals


def test_query_lists_refuse_repeats_and_overlap(tmp_path):
    mixed = tmp_path / "q.txt"
    mixed.write_text("# [a]\n北约\n# [b]\n北约\n", encoding="utf-8")
    with pytest.raises(ValueError, match="北约"):
        queries.load(mixed)
    warm = tmp_path / "w.txt"
    warm.write_text("北约\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "bench/run.py", "--queries",
                           str(ROOT / "bench" / "queries.txt"), "--warmup", str(warm),
                           "--sizes", "10"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "--warmup" in done.stderr


def test_sizes_beyond_the_archive_add_grown_stories(tmp_path):
    from bench import corpora

    archive = sorted(CORPUS.rglob("*.md"))
    corpus, new, count = corpora.prepare(str(len(archive) + 10), tmp_path, ROOT,
                                         archive=CORPUS, held_back=5)
    assert count == len(archive) + 10
    assert len(list(new.rglob("*.md"))) == 5
    grown = list((corpus / "grown").rglob("*.md")) + [p for p in new.rglob("*.md") if "grown" in p.parts]
    assert len(grown) == 15  # the archive whole, and 15 new stories for 10 more plus 5 held back
    assert sorted(CORPUS.rglob("*.md")) == archive  # the archive lent its files, kept them all
    # the cache is reused, not made again
    assert corpora.prepare(str(len(archive) + 10), tmp_path, ROOT, archive=CORPUS,
                           held_back=5)[2] == count
