"""Markdown tables of one run's results (results.json), one function per section.

Ratios are ours/naive from the same run: the machine is shared, so absolute
figures drift between runs while both engines in one run see the same noise.
"""
MB = 1024 * 1024


def get(run, *keys):
    """run[k1][k2]...; None where any level is missing or the part is n/a."""
    value = run
    for key in keys:
        if not isinstance(value, dict) or "na" in value:
            return None
        value = value.get(key)
    return value


def mb(value):
    return None if value is None else value / MB


def fmt(value, digits=1):
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}"


def ratio(ours, naive):
    if ours is None or naive in (None, 0):
        return "–"
    return f"{ours / naive:.2f}×"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|---|" + "--:|" * (len(header) - 1)]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


# (label, getter, digits, ratio?) for the per-size table of both engines
METRICS = [
    ("build time (s)", lambda r: get(r, "build", "seconds"), 1, True),
    ("articles/s", lambda r: get(r, "build", "articles_per_s"), 0, True),
    ("peak memory of build, PSS summed over its processes (MB)",
     lambda r: mb(get(r, "build", "peak_pss_bytes")), 0, True),
    ("peak RSS of its largest process (MB)",
     lambda r: mb(get(r, "build", "peak_single_rss_bytes")), 0, True),
    ("index on disk (MB)", lambda r: mb(r.get("index_bytes")), 1, True),
    ("query p50, first time (ms)", lambda r: get(r, "latency", "p50_ms"), 1, True),
    ("query p95, first time (ms)", lambda r: get(r, "latency", "p95_ms"), 1, True),
    ("slowest query, first time (ms)", lambda r: get(r, "latency", "max_ms"), 1, True),
    ("slowest query", lambda r: get(r, "latency", "slowest", "q"), 0, False),
    ("query p50, repeated (ms)", lambda r: get(r, "latency", "repeat", "p50_ms"), 1, True),
    ("query p95, repeated (ms)", lambda r: get(r, "latency", "repeat", "p95_ms"), 1, True),
    ("queries with no hit", lambda r: get(r, "latency", "zero_hits"), 0, False),
    ("queries that raised", lambda r: get(r, "latency", "errors"), 0, False),
    ("add the held-back posts until searchable (s)", lambda r: get(r, "update", "seconds"), 2, True),
]


def size_table(naive, ours):
    rows = []
    for label, getter, digits, with_ratio in METRICS:
        a, b = getter(naive), getter(ours)
        rows.append([label, fmt(a, digits), fmt(b, digits), ratio(b, a) if with_ratio else ""])
    return table(["metric", "naive", "ours", "ours/naive"], rows)


def category_table(naive, ours):
    cats = list(dict.fromkeys(list(get(ours, "latency", "by_category") or {})
                              + list(get(naive, "latency", "by_category") or {})))
    rows = []
    for cat in cats:
        n, o = get(naive, "latency", "by_category", cat) or {}, get(ours, "latency", "by_category", cat) or {}
        rows.append([cat, o.get("n") or n.get("n"), fmt(n.get("p50_ms")), fmt(o.get("p50_ms")),
                     ratio(o.get("p50_ms"), n.get("p50_ms")), fmt(n.get("p95_ms")),
                     fmt(o.get("p95_ms")), ratio(o.get("p95_ms"), n.get("p95_ms")),
                     f"{o.get('slowest', '–')} ({fmt(o.get('max_ms'))})"])
    if not rows:
        return []
    return table(["category", "queries", "naive p50", "ours p50", "ratio", "naive p95", "ours p95",
                  "ratio", "ours' slowest (ms)"], rows)


def api_table(ours):
    a = ours.get("api") or {}
    if "na" in a or not a:
        return [f"- API: n/a, {a.get('na', 'not run')}"] if a else []
    return table(["API (`python -m webui`, defaults)", "value"], [
        ["clients", a["clients"]], ["seconds", fmt(a["seconds"])], ["requests", a["requests"]],
        ["distinct requests (share)", fmt(a.get("distinct_share"), 2)],
        ["requests/s", fmt(a["rps"])], ["p50 (ms)", fmt(a["p50_ms"])],
        ["p95 (ms)", fmt(a["p95_ms"])], ["errors", a["errors"]]])


def memory_table(ours):
    mem, index_mb = ours.get("memory") or {}, mb(ours.get("index_bytes"))
    rows = []
    for threads, m in mem.items():
        if not isinstance(m, dict) or threads == "git":
            continue
        if "na" in m:
            rows.append([threads, "n/a", "", "", "", "", m["na"][:80]])
            continue
        big = m["after"]["largest"] or {}
        rss, anon = mb(big.get("rss")), mb(big.get("anon"))
        rows.append([threads, m["requests"], fmt(rss, 0), fmt(anon, 0),
                     fmt(mb(m["after"]["sum"]["rss"]), 0),
                     ratio(rss, index_mb), f"p50 {fmt(m['p50_ms'])} ms, {m['errors']} errors"])
    if not rows:
        return []
    return table(["server threads", "requests", "worker RSS (MB)", "worker anonymous (MB)",
                  "RSS of all its processes (MB)", "worker RSS / index size", "its requests"], rows)


def coldstart_table(ours):
    cold = ours.get("coldstart") or {}
    rows = []
    for label, c in cold.items():
        if not isinstance(c, dict):
            continue
        if "na" in c:
            rows.append([f"`{label}`", "n/a", "", "", "", c["na"][:80]])
            continue
        rows.append([f"`{label}`", c["slots"], " / ".join(fmt(ms, 0) for ms in c["first_ms"]),
                     fmt(c["warm_p50_ms"]), f"{fmt(c['first_over_warm_max'], 2)}×",
                     f"{fmt(c['first_over_warm_p50'], 2)}×"])
    if not rows:
        return []
    return table(["server", "threads in all", "first request of each (ms)", "warm p50 (ms)",
                  "slowest first / warm", "median first / warm"], rows)


def filter_table(ours):
    f = get(ours, "filters", "by_filter")
    if not f:
        return []
    rows = [[kind, fmt(f[kind]["filtered_p50_ms"]), fmt(f[kind]["ratio_p50"], 2) + "×",
             fmt(f[kind]["ratio_p95"], 2) + "×", fmt(f[kind]["extra_ms_p50"]),
             fmt(f[kind]["extra_ms_p95"]), f"{fmt(f[kind]['extra_ms_max'])} ({f[kind]['worst_q']})"]
            for kind in ("year", "range", "category")]
    head = [f"unfiltered: p50 {fmt(f['none']['p50_ms'])} ms, p95 {fmt(f['none']['p95_ms'])} ms "
            f"over {f['n']} queries; category filter: {get(ours, 'filters', 'filter_category')}", ""]
    return head + table(["filter", "filtered p50 (ms)", "ratio p50", "ratio p95", "extra ms p50",
                         "extra ms p95", "most extra ms (query)"], rows)


def pages_table(ours):
    p = ours.get("pages") or {}
    if not p or "na" in p:
        return [f"- pages: n/a, {p.get('na')}"] if p else []
    return table(["page (Flask test client, in process)", "p50 (ms)", "p95 (ms)", "count"], [
        ["search page `/?q=…`", fmt(p["search_p50_ms"]), fmt(p["search_p95_ms"]), p["searches"]],
        ["article page with related articles", fmt(p["article_p50_ms"]), fmt(p["article_p95_ms"]),
         p["articles"]],
        ["article p95 / search p50", "", ratio(p["article_p95_ms"], p["search_p50_ms"]), ""]])


def growth_table(results):
    rows = []
    for size in results["sizes"]:
        here = {r["engine"]: r for r in results["runs"] if r["size"] == size}
        for engine in ("naive", "ours"):
            r = here.get(engine)
            if r:
                rows.append([size, f"{r['articles']:,}", engine, fmt(get(r, "build", "seconds")),
                             fmt(mb(r.get("index_bytes"))), fmt(get(r, "latency", "p50_ms")),
                             fmt(get(r, "latency", "p95_ms"))])
    return table(["size", "articles", "engine", "build (s)", "index (MB)", "p50 (ms)", "p95 (ms)"],
                 rows) if rows else []
