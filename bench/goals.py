"""Issue 9's goals, checked against one run's results: met, missed (with the figure), or n/a."""
from bench.tables import fmt, get, mb


def _ratio(a, b):
    return None if a is None or not b else a / b


def _check(label, value, limit, shown, lower_is_better=True):
    if value is None:
        return [label, "n/a", "not measured in this run"]
    met = value <= limit if lower_is_better else value >= limit
    return [label, "met" if met else "missed", shown]


def latency_rows(naive, ours):
    rows = []
    for key, limit, label in (("p50_ms", 0.1, "query p50 ≤ 0.1× naive"),
                              ("p95_ms", 0.15, "query p95 ≤ 0.15× naive"),
                              ("max_ms", 0.2, "slowest query ≤ 0.2× naive's slowest")):
        a, b = get(naive, "latency", key), get(ours, "latency", key)
        r = _ratio(b, a)
        rows.append(_check(label, r, limit, f"{fmt(r, 2)}× ({fmt(b)} vs {fmt(a)} ms)"))
    return rows


def serving_rows(ours):
    rows = []
    rps, p95 = get(ours, "api", "rps"), get(ours, "api", "p95_ms")
    errors = get(ours, "api", "errors")
    ok = None if rps is None else (rps >= 150 and p95 < 100 and errors == 0)
    rows.append(["API at 8 clients: ≥ 150 requests/s, p95 < 100 ms, 0 errors",
                 "n/a" if ok is None else "met" if ok else "missed",
                 f"{fmt(rps)}/s, p95 {fmt(p95)} ms, {errors} errors" if rps is not None else ""])
    index_mb = mb(ours.get("index_bytes"))
    for threads, m in (ours.get("memory") or {}).items():
        if isinstance(m, dict) and "after" in m:
            r = _ratio(mb(m["after"]["largest"]["rss"]), index_mb)
            rows.append(_check(f"server RSS ≤ 1.5× index, {threads} thread(s), after "
                               f"{m['requests']:,} requests (goal: 1,000)", r, 1.5,
                               f"{fmt(r, 2)}× ({fmt(mb(m['after']['largest']['rss']), 0)} MB "
                               f"vs {fmt(index_mb, 0)} MB)"))
    for label, c in (ours.get("coldstart") or {}).items():
        if isinstance(c, dict) and "first_ms" in c:
            r = c["first_over_warm_max"]
            rows.append(_check(f"first request ≤ 2× warm, every thread (`{label}`)", r, 2,
                               f"slowest first {fmt(r, 2)}× the warm p50 ({fmt(c['warm_p50_ms'])} ms)"))
    return rows


def filter_rows(ours):
    rows, f = [], get(ours, "filters", "by_filter")
    for kind in ("year", "range", "category") if f else ():
        extra = f[kind]["extra_ms_p95"]
        rows.append(_check(f"{kind} filter adds at most a few ms (p95 of extra, ≤ 5 ms)", extra, 5,
                           f"p95 +{fmt(extra)} ms, worst +{fmt(f[kind]['extra_ms_max'])} ms "
                           f"({f[kind]['worst_q']})"))
    p = ours.get("pages") or {}
    if "article_p95_ms" in p:
        r = _ratio(p["article_p95_ms"], p["search_p50_ms"])
        rows.append(_check("article page p95 < 2× search p50", r, 2,
                           f"{fmt(r, 2)}× ({fmt(p['article_p95_ms'])} vs {fmt(p['search_p50_ms'])} ms)"))
    return rows


def growth_rows(results, all_naive):
    big = [r for r in results["runs"] if r["size"] not in ("all",) and r.get("articles", 0) >= 250_000]
    rows = []
    for ours in (r for r in big if r["engine"] == "ours"):
        naive = next((r for r in big if r["engine"] == "naive" and r["size"] == ours["size"]), {})
        r = _ratio(get(ours, "latency", "p95_ms"), get(all_naive, "latency", "p95_ms"))
        rows.append(_check(f"at {ours['articles']:,}: p95 ≤ 0.15× naive's at the archive", r, 0.15,
                           f"{fmt(r, 2)}×"))
        b = _ratio(get(ours, "build", "seconds"), get(naive, "build", "seconds"))
        rows.append(_check(f"at {ours['articles']:,}: build ≥ 4× faster than naive", b, 0.25,
                           f"{fmt(b, 2)}× naive's time"))
    return rows


def table_lines(results):
    runs = {r["engine"]: r for r in results["runs"] if r["size"] == "all"}
    if not runs:
        return []
    naive, ours = runs.get("naive", {}), runs.get("ours", {})
    rows = latency_rows(naive, ours) + serving_rows(ours) + filter_rows(ours) + \
        growth_rows(results, naive)
    return ["| goal (issue 9, whole archive) | status | figure |", "|---|---|---|"] + \
        ["| " + " | ".join(row) + " |" for row in rows]
