"""results.json -> docs/benchmarks.md (tables, ratios ours/naive, goals) and a PNG plot."""
import os
from pathlib import Path

from bench import goals, tables
from bench.tables import MB, get

INTRO = """# Benchmarks

Our engine (`python -m indexer`, `search.open_index`) against the naive recipe a user
would copy from a tutorial ([bench/naive.py](../bench/naive.py): jieba's stock
`ChineseAnalyzer` in a Whoosh schema, one default writer, BeautifulSoup `get_text()`,
the default `QueryParser` over the body, top 10 with `hit.highlights("body")`).
The naive recipe **keeps one searcher open for all queries**, as a server would:
opening one costs ~300 ms at the whole archive, a cost paid once, not per query.
Corpora are 新闻联播 stories in the seed post format, the first N in date order
(`../shared/tools/xwlb_to_posts.py`); sizes beyond the archive add stories grown from it
([bench/grow.py](../bench/grow.py): paragraphs of different stories, shuffled, with their
own titles and dates).

**Read the ratios.** The machine is shared and noisy; both engines are measured in
the same run, so ours/naive is what to compare. Below 1× is better for times, sizes
and memory.

How each figure is taken (`python bench/run.py --help` lists the parts and flags):
- *build*: a fresh index in its own process; wall time, and peak memory of its process
  tree (PSS summed; the largest process's `ru_maxrss`).
- *query latency, first time*: {procs} fresh processes per engine; each opens the index,
  warms up on {n_warmup} queries that are not in the mix ([bench/warmup.txt](../bench/warmup.txt)),
  then answers each of the {n_queries} queries of [bench/queries.txt](../bench/queries.txt)
  once, in an order of its own. A query's figure is its median over the processes: every
  timed answer is the first time that process sees the query, so a result cache cannot
  flatter it. *Repeated*: the first process then runs each query {reps} more times
  (what a cache gives). Every query returns the top 10 with snippets.
- *filters* (ours): in one process, each query without a filter and with a year, a
  90-day range and a category (the most common one), in shuffled order; paired: each
  query's filtered time against its own unfiltered time.
- *pages* (ours): Flask test client in one process: the search page for every query of
  the mix, and 100 article pages (with related articles) of stories the warm-up found.
- *API*: `python -m webui` with its defaults on 127.0.0.1, {clients} client threads for
  {api_seconds:g} s, each request a new combination of a query of the mix, a year filter
  or none, a page and a sort order (the share of distinct requests is reported). The
  clients share the cores with the server, so requests/s is a floor.
- *memory*: one gunicorn worker (as `python -m webui` runs each) with 1 and with 8
  threads, {mem_requests:,} varied API requests from {clients} clients, then
  `/proc/PID/smaps_rollup` of its processes: RSS and anonymous (private heap) memory,
  against the index's size on disk.
- *cold start*: `python -m webui` (default workers and threads) and `--workers 1`; once it
  answers and is idle, one concurrent first search per thread, then 5 warm waves of the
  same shape with other queries; each first request against the warm median.
- *add the held-back posts until searchable*: the next stories (100 unless `--new`) are added and the index updated;
  a reader started before reopens it and must find one new title.

Run it (corpora are generated once and cached in `bench/out/corpora/`):

    python bench/run.py --sizes 10000,all,300000           # everything, hours at 300000
    python bench/run.py --sizes all --only memory,coldstart  # rerun parts, merged into results.json
    python bench/run.py --sizes 300 --api-seconds 3 --procs 1 --doc bench/out/benchmarks.md  # smoke
"""


def machine_lines(results):
    m = results["machine"]
    return [f"- command: `{results['command']}`",
            f"- date: {results['date']}; git {results.get('git', '?')} "
            "(a part rerun alone records its own commit in results.json)",
            f"- machine: {m['cores']} cores ({m['cpu']}), {m['mem_gib']:.1f} GiB RAM, "
            f"Python {m['python']}, load average at start {m['loadavg']}"
            + (f", at end {m['loadavg_end']}" if m.get("loadavg_end") else "")]


def na_notes(runs):
    notes = []
    for run in runs:
        for section, value in run.items():
            reason = value if section == "na" else value.get("na") if isinstance(value, dict) else None
            if reason:
                notes.append(f"- {run['engine']} {section}: n/a, {reason}")
    return notes


def size_section(results, size):
    here = {r["engine"]: r for r in results["runs"] if r["size"] == size}
    if not here:
        return []
    first = next(iter(here.values()))
    naive, ours = here.get("naive", {}), here.get("ours", {})
    name = "the whole archive less the newest 100, " if size == "all" else \
        "grown stories only, " if size.endswith("g") else ""
    lines = ["", f"## {first['articles']:,} articles ({name}{first['corpus_mb']:.1f} MB of posts)", ""]
    lines += tables.size_table(naive, ours)
    for title, body in (("Latency by kind of query, first time (ms)", tables.category_table(naive, ours)),
                        ("Filters (ours)", tables.filter_table(ours)),
                        ("Article pages (ours)", tables.pages_table(ours)),
                        ("API (ours)", tables.api_table(ours)),
                        ("Server memory (ours)", tables.memory_table(ours)),
                        ("Cold start (ours)", tables.coldstart_table(ours))):
        if body:
            lines += ["", f"### {title}", ""] + body
    notes = na_notes(here.values())
    return lines + ([""] + notes if notes else [])


def plot(results, png_path):
    """Build time, index size, query p50 and p95 against corpus size, a line per engine."""
    import matplotlib
    matplotlib.use("Agg")  # no display on a server, and no GUI toolkit needed
    import matplotlib.pyplot as plt
    panels = [("build time (s)", lambda r: get(r, "build", "seconds")),
              ("index on disk (MB)", lambda r: (r.get("index_bytes") or 0) / MB or None),
              ("query p50, first time (ms)", lambda r: get(r, "latency", "p50_ms")),
              ("query p95, first time (ms)", lambda r: get(r, "latency", "p95_ms"))]
    fig, axes = plt.subplots(1, 4, figsize=(16, 4))
    for ax, (label, getter) in zip(axes, panels):
        for engine in sorted({run["engine"] for run in results["runs"]}):
            points = sorted((run["articles"], getter(run)) for run in results["runs"]
                            if run["engine"] == engine and not run["size"].endswith("g")
                            and getter(run) is not None)
            if points:
                ax.plot(*zip(*points), marker="o", label=engine)
        if ax.get_lines():
            xs = [x for line in ax.get_lines() for x in line.get_xdata()]
            ys = [y for line in ax.get_lines() for y in line.get_ydata()]
            ax.set_xlim(0, max(xs) * 1.1)  # from zero, so a small gap looks small
            ax.set_ylim(0, max(ys) * 1.15)
            ax.legend()
        ax.set_xlabel("articles indexed")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    fig.suptitle(f"bench/run.py, {results['date'][:10]}")
    fig.tight_layout()
    fig.savefig(png_path, dpi=90)
    plt.close(fig)


def markdown(results, png_name):
    lines = [INTRO.format(**results["settings"]), "## Run", ""] + machine_lines(results)
    goal_lines = goals.table_lines(results)
    if goal_lines:
        lines += ["", "## Issue 9's goals in this run", ""] + goal_lines
    for size in results["sizes"]:
        lines += size_section(results, size)
    growth = tables.growth_table(results)
    if growth:
        lines += ["", "## Growth", ""] + growth
    lines += ["", f"![build time, index size and query p50/p95 against corpus size]({png_name})", ""]
    return "\n".join(lines)


# Everything after this line in the doc is written by people (where the time
# goes, what bounds a missed goal) and kept when a run rewrites the figures.
KEEP_MARKER = "<!-- analysis: kept across runs -->"


def write(results, doc_path):
    doc_path = Path(doc_path)
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    png = doc_path.with_name("bench.png")
    plot(results, png)
    old = doc_path.read_text(encoding="utf-8") if doc_path.exists() else ""
    kept = old[old.index(KEEP_MARKER):] if KEEP_MARKER in old else ""
    text = markdown(results, os.path.relpath(png, doc_path.parent))
    doc_path.write_text(text + ("\n" + kept if kept else ""), encoding="utf-8")
