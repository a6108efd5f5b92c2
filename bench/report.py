"""results.json -> docs/benchmarks.md (tables, ratios ours/naive) and a PNG plot.

Ratios matter more than absolute numbers: the machine is shared, so absolute
figures drift between runs while both engines in one run see the same noise.
"""
import os
from pathlib import Path

MB = 1024 * 1024

# (label, getter, digits); a getter returns None when the figure does not exist.
# Counts (no hit, raised, errors) get no ratio: 0 vs 3 is a finding, not a factor.
COUNTS = {"queries with no hit", "queries that raised", "API errors"}
METRICS = [
    ("build time (s)", lambda r: _get(r, "build", "seconds"), 1),
    ("articles/s", lambda r: _get(r, "build", "articles_per_s"), 0),
    ("peak memory of build, PSS summed over its processes (MB)",
     lambda r: _mb(_get(r, "build", "peak_pss_bytes")), 0),
    ("peak RSS of build, summed over its processes (MB)",
     lambda r: _mb(_get(r, "build", "peak_rss_bytes")), 0),
    ("peak RSS of its largest process (MB)",
     lambda r: _mb(_get(r, "build", "peak_single_rss_bytes")), 0),
    ("index on disk (MB)", lambda r: _mb(r.get("index_bytes")), 1),
    ("query p50 (ms)", lambda r: _get(r, "latency", "p50_ms"), 1),
    ("query p95 (ms)", lambda r: _get(r, "latency", "p95_ms"), 1),
    ("queries with no hit", lambda r: _get(r, "latency", "zero_hits"), 0),
    ("queries that raised", lambda r: _get(r, "latency", "errors"), 0),
    ("add 100 posts until searchable (s)", lambda r: _get(r, "update", "seconds"), 2),
    ("API requests/s", lambda r: _get(r, "api", "rps"), 1),
    ("API p50 (ms)", lambda r: _get(r, "api", "p50_ms"), 1),
    ("API p95 (ms)", lambda r: _get(r, "api", "p95_ms"), 1),
    ("API errors", lambda r: _get(r, "api", "errors"), 0),
]


def _get(run, section, key):
    value = run.get(section) or {}
    return value.get(key)


def _mb(value):
    return None if value is None else value / MB


def fmt(value, digits):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def ratio(ours, naive):
    if ours is None or naive in (None, 0):
        return "–"
    return f"{ours / naive:.2f}×"


def size_table(runs):
    """One table per corpus size: metric rows, engine columns, ratio last."""
    by_engine = {run["engine"]: run for run in runs}
    naive, ours = by_engine.get("naive", {}), by_engine.get("ours", {})
    lines = ["| metric | naive | ours | ours/naive |", "|---|--:|--:|--:|"]
    for label, getter, digits in METRICS:
        a, b = getter(naive) if naive else None, getter(ours) if ours else None
        factor = "" if label in COUNTS else ratio(b, a)
        lines.append(f"| {label} | {fmt(a, digits)} | {fmt(b, digits)} | {factor} |")
    return lines


def notes(runs):
    """Say why a figure is missing, and flag an "update" that is really a rebuild."""
    lines = na_notes(runs)
    for run in runs:
        build, update = _get(run, "build", "seconds"), _get(run, "update", "update_s")
        if build and update and update >= 0.8 * build:
            lines.append(f"- {run['engine']} update: took {update:.1f} s against {build:.1f} s "
                         "for the whole build, so it looks like a full rebuild, not an increment")
    return lines


def na_notes(runs):
    notes = []
    for run in runs:
        for section in ("na", "build", "latency", "update", "api"):
            value = run.get(section)
            reason = value if section == "na" else (value or {}).get("na")
            if reason:
                where = "" if section == "na" else f" {section}"
                notes.append(f"- {run['engine']}{where}: n/a, {reason}")
    return notes


def category_table(runs):
    """Median latency per query category, for the largest size only."""
    cats = {}
    for run in runs:
        for cat, ms in (_get(run, "latency", "p50_ms_by_category") or {}).items():
            cats.setdefault(cat, {})[run["engine"]] = ms
    if not cats:
        return []
    lines = ["| query category | naive p50 (ms) | ours p50 (ms) |", "|---|--:|--:|"]
    for cat, row in cats.items():
        lines.append(f"| {cat} | {fmt(row.get('naive'), 1)} | {fmt(row.get('ours'), 1)} |")
    return lines


def plot(results, png_path):
    """Build time and query p95 against corpus size, one line per engine."""
    import matplotlib
    matplotlib.use("Agg")  # no display on a server, and no GUI toolkit needed
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    panels = [("build time (s)", lambda r: _get(r, "build", "seconds")),
              ("query p95 (ms)", lambda r: _get(r, "latency", "p95_ms"))]
    for ax, (label, getter) in zip(axes, panels):
        for engine in sorted({run["engine"] for run in results["runs"]}):
            points = sorted((run["articles"], getter(run)) for run in results["runs"]
                            if run["engine"] == engine and getter(run) is not None)
            if points:
                ax.plot(*zip(*points), marker="o", label=engine)
        if ax.get_lines():
            # From zero, so a small gap between engines looks small; headroom so
            # points at the edge are not clipped.
            xs = [x for line in ax.get_lines() for x in line.get_xdata()]
            ys = [y for line in ax.get_lines() for y in line.get_ydata()]
            ax.set_xlim(0, max(xs) * 1.1)
            ax.set_ylim(0, max(ys) * 1.15)
        ax.set_xlabel("articles indexed")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
        if ax.get_lines():
            ax.legend()
    fig.suptitle(f"bench/run.py, {results['date'][:10]}")
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)


INTRO = """# Benchmarks

Our engine (`python -m indexer`, `search.open_index`) against the naive recipe a user
would copy from a tutorial ([bench/naive.py](../bench/naive.py): jieba's stock
`ChineseAnalyzer` in a Whoosh schema, one default writer, BeautifulSoup `get_text()`,
the default `QueryParser` over the body, top 10 with `hit.highlights("body")`).
Corpora are 新闻联播 stories in the seed post format, the first N in date order,
made by `../shared/tools/xwlb_to_posts.py`.

**Read the ratios.** The machine is shared and noisy; absolute numbers move between
runs, but both engines are measured in the same run, so ours/naive is stable.
Below 1× is better for times, sizes and memory; above 1× is better for articles/s and
requests/s.

How each figure is taken:
- *build*: a fresh index, built in its own process; wall time, and the peak memory of
  its process tree, polled every 50 ms: PSS summed over the processes (a page that
  forked processes share counts once, split between them: what the machine holds),
  RSS summed (such a page counts once per process), and the largest single process's
  `ru_maxrss` from `wait4` (never missed between polls; each sum is at least this).
- *index on disk*: bytes of the files in the index folder.
- *query p50/p95*: a worker process per engine opens the index, runs the whole mix of
  {n_queries} queries ([bench/queries.txt](../bench/queries.txt)) once to warm up,
  then {reps} more times; each query's time is the median of its runs, and p50/p95
  are taken over those medians. Every query returns the top 10 with snippets.
- *add 100 posts until searchable*: the next 100 stories in date order are copied
  into the corpus; for ours `python -m indexer CORPUS --index DIR` runs again, for
  naive a process opens a writer, adds the 100 and commits; then a reader process,
  started and warmed up before the update (as a running server would be), reopens
  the index and searches one new title. The figure is the sum, and counts only if
  that title is found.
- *API*: `python -m webui` (two gunicorn processes here) on 127.0.0.1, {clients} client threads calling
  `/api/search?q=…` round the query mix for {api_seconds:g} s. The clients share the
  2 cores with the server, so requests/s is a floor. The naive recipe has no web UI.

What the naive recipe does that shows in its numbers (properties of the recipe, not
of one run):
- quoted phrases never match: `ChineseTokenizer` stores character offsets as token
  positions, so Whoosh's phrase check fails;
- `的`, `了`, `和` are stop words, so searching for them finds nothing;
- `search()` opens a searcher per query, as the Whoosh tutorial does; opening one
  copies parts of each segment into memory, about 24 ms at 10,000 articles and
  growing with the index, which is most of a naive query's time at that size;
- `hit.highlights("body")` re-segments the stored body of each hit with jieba.

Run it yourself (the corpora are generated once and cached in `bench/out/corpora/`):

    python bench/run.py --sizes 10000,all --out bench/out
    python bench/run.py --sizes 300 --api-seconds 3 --doc bench/out/benchmarks.md   # smoke, < 1 min
"""


def machine_lines(results):
    m = results["machine"]
    return [f"- command: `{results['command']}`",
            f"- date: {results['date']}; git {results.get('git', '?')}",
            f"- machine: {m['cores']} cores ({m['cpu']}), {m['mem_gib']:.1f} GiB RAM, "
            f"Python {m['python']}, load average at start {m['loadavg']}"
            + (f", at end {m['loadavg_end']}" if m.get("loadavg_end") else "")]


def markdown(results, png_name):
    runs = results["runs"]
    lines = [INTRO.format(**results["settings"]), "## Run", ""] + machine_lines(results)
    for size in results["sizes"]:
        here = [run for run in runs if run["size"] == size]
        if not here:
            continue
        articles = here[0]["articles"]
        name = "the whole archive less the newest 100, " if size == "all" else ""
        lines += ["", f"## {articles:,} articles ({name}{here[0]['corpus_mb']:.1f} MB of posts)", ""]
        lines += size_table(here) + [""] + notes(here)
    largest = [run for run in runs if run["size"] == results["sizes"][-1]]
    if category_table(largest):
        lines += ["", "## Query latency by kind (largest size)", ""] + category_table(largest)
    lines += ["", f"![build time and query p95 against corpus size]({png_name})", ""]
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
