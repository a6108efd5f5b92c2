"""The two engines behind one small interface: build/update commands, open, query, find.

Commands run as separate processes so that wall time, memory and start-up costs are
measured the way a user pays them; open/query/find run inside bench.worker.
"""
import html
import re
import sys
from pathlib import Path

ENGINES = ("naive", "ours")
_TAG = re.compile(r"<[^>]+>")


def missing(engine, repo_root):
    """Why an engine cannot run yet, or None; lets the run report n/a instead of crashing."""
    if engine != "ours":
        return None
    needed = ["indexer/__main__.py", "search/__init__.py"]
    absent = [name for name in needed if not (Path(repo_root) / name).exists()]
    return f"not built yet ({', '.join(absent)} missing)" if absent else None


def build_cmd(engine, corpus, index):
    if engine == "naive":
        return [sys.executable, "-m", "bench.naive", str(corpus), str(index)]
    return [sys.executable, "-m", "indexer", str(corpus), "--index", str(index), "--rebuild"]


def update_cmd(engine, corpus, index, added):
    if engine == "naive":
        return [sys.executable, "-m", "bench.worker", "naive-add", str(index)] + [str(p) for p in added]
    # Our indexer is meant to notice new files by itself: same command, no file list.
    return [sys.executable, "-m", "indexer", str(corpus), "--index", str(index)]


def open_index(engine, index):
    """What a server holds between queries: for naive one open searcher, for ours the Index."""
    if engine == "naive":
        from bench import naive
        return naive.open_searcher(index)
    import search
    return search.open_index(str(index))


def query(engine, ix, q, **filters):
    """Top 10 with snippets; returns (total hits, snippets). Snippets are built here,
    inside the timed call, because highlighting is much of the cost of a result page.
    Filters (categories, since, until, page) exist for ours only."""
    if engine == "naive":
        from bench import naive
        return naive.search(ix, q)
    res = ix.search(q, per_page=10, highlight=True, **{"page": 1, **filters})
    return res.total, [(hit.title, hit.snippet_html) for hit in res.hits]


def find_title(engine, ix, title):
    """Is a post with exactly this title among the top 10 when searching for it?"""
    if engine == "naive":
        from whoosh.qparser import QueryParser
        hits = ix.search(QueryParser("title", ix.schema).parse(title), limit=10)
        return any(hit["title"] == title for hit in hits)
    # The phrase form is a second chance for rankings that favour bodies over titles.
    for q in (title, f'"{title}"'):
        _, hits = query(engine, ix, q)
        if any(html.unescape(_TAG.sub("", t or "")) == title for t, _ in hits):
            return True
    return False
