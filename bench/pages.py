"""Article pages (with their related articles) against search pages, through the
Flask test client in one process, so both include routing and templates but no
network. Articles are taken from the warm-up queries' hits and each page is
opened once; searches are the mix, each new to the process.
"""
import random
import time
import urllib.parse

from bench.stats import percentile

ARTICLES = 100


def _get(client, url):
    start = time.perf_counter()
    resp = client.get(url)
    return (time.perf_counter() - start) * 1000, resp.status_code


def article_ids(ix, warmup, seed, n):
    ids = []
    for q, _ in warmup:
        ids += [h.id for h in ix.search(q, per_page=50, highlight=False, facets=False).hits]
    ids = sorted(set(ids))
    random.Random(seed).shuffle(ids)
    return ids[:n]


def run(index, mix, warmup, seed, n=ARTICLES):
    from webui import create_app
    from webui.shared_index import current_index

    app = create_app(index_dir=index)
    client = app.test_client()
    for q, _ in warmup:
        client.get("/?q=" + urllib.parse.quote(q))
    with app.app_context():
        ids = article_ids(current_index(), warmup, seed, n + 1)
    client.get(f"/article/{ids.pop()}")  # the article template's first render
    search = [_get(client, "/?q=" + urllib.parse.quote(q)) for q, _ in mix]
    qs = [q for q, _ in mix]
    rng = random.Random(seed)
    article = [_get(client, f"/article/{i}?q={urllib.parse.quote(rng.choice(qs))}") for i in ids]
    ok_search = [ms for ms, status in search if status == 200]
    ok_article = [ms for ms, status in article if status == 200]
    return {"articles": len(article), "searches": len(search),
            "errors": len(search) + len(article) - len(ok_search) - len(ok_article),
            "search_p50_ms": percentile(ok_search, 50), "search_p95_ms": percentile(ok_search, 95),
            "article_p50_ms": percentile(ok_article, 50), "article_p95_ms": percentile(ok_article, 95),
            "article_max_ms": max(ok_article, default=None)}
