"""The web UI through Flask's test client: routes, validation, escaping, feeds, headers."""
from __future__ import annotations

import re
from html import unescape
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from flask import Flask

import webui
from conftest import BACKENDS
from webui import create_app
from webui.shared_index import EXTENSION_KEY

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
CSP = ("default-src 'self'; img-src 'self' https: http: data:; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'none'")
DUP_TITLE = "北约马德里峰会发布新_战略概念_"

# An article written to attack the page: every payload sets window.__xss or
# opens a dialog if it ever runs (the browser test checks both).
HOSTILE_TITLE = "恶意样例<script>window.__xss=1</script>北约<img src=x onerror=window.__xss=1>"
HOSTILE_MD = """
---
title: '{title}'
categories: 
 - 新媒体
 - 示例新闻网
 - 快讯
headimg: 'https://example.com/head.png'
author: '<b onmouseover=alert(1)>作者</b>'
comments: false
date: Thu, 19 May 2022 08:00:00 GMT
thumbnail: 'https://example.com/head.png'
---

<div>   
<p onclick="window.__xss=1" style="position:fixed;top:0">恶意样例正文：北约成员国测试。</p>
<script>window.__xss = 1; alert("script")</script>
<img src=x onerror="window.__xss=1;alert('img')">
<p><a href="javascript:window.__xss=1;alert('href')">点这里</a>
<a href="JaVaScRiPt:alert(1)">大小写</a>
<a href="https://example.com/ok" onmouseover="window.__xss=1">正常链接</a></p>
<iframe src="javascript:window.__xss=1"></iframe>
<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>
<div style="background:url(javascript:alert(1))">样式</div>
<svg onload="window.__xss=1"><circle r="1"></circle></svg>
<object data="javascript:alert(1)"></object>
<form action="javascript:alert(1)"><button>提交</button></form>
<img src="https://example.com/ok.png" alt="正常图片">
<p>&lt;script&gt;window.__xss=1&lt;/script&gt; 作为文字出现</p>
  
</div>
   """.format(title=HOSTILE_TITLE)


def write_hostile_corpus(dst: Path) -> Path:
    """corpus/ copied to ``dst`` plus one hostile article; returns the new file."""
    shutil.copytree(CORPUS, dst)
    path = dst / "新媒体" / "示例新闻网" / "快讯" / "恶意样例.md"
    path.write_text(HOSTILE_MD, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, corpus_index_dir) -> Flask:
    """The app over the bundled corpus on each backend: Whoosh, then the dev cluster."""
    if request.param == "whoosh":
        yield create_app(index_dir=corpus_index_dir)
        return
    app = create_app(index_dir=request.getfixturevalue("corpus_cluster").url)
    yield app
    if app.extensions[EXTENSION_KEY]._index is not None:
        app.extensions[EXTENSION_KEY].get().close()  # searchd waits for open connections


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def hostile_index_dir(tmp_path_factory) -> Path:
    from indexer.build import build_index

    base = tmp_path_factory.mktemp("hostile")
    write_hostile_corpus(base / "corpus")
    build_index(base / "corpus", base / "index")
    return base / "index"


@pytest.fixture(scope="module")
def hostile_client(hostile_index_dir):
    return create_app(index_dir=hostile_index_dir).test_client()


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _hit_ids(html: str) -> list[str]:
    return re.findall(r'class="hit__title"><a href="/article/([^"?]+)', html)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    """Every start tag in the page with its attributes, as a browser would see them."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


def assert_nothing_runs(html: str) -> None:
    """No script but ours, no event handler, no javascript: URL, no embedded frames."""
    for tag, attrs in elements(html):
        if tag == "svg" and attrs.get("class") == "timeline__chart":
            continue  # the server-drawn coverage chart (webui/charts.py), the only svg
        assert tag not in ("iframe", "object", "embed", "svg", "math", "frame", "base"), tag
        if tag == "script":
            assert attrs == {"src": "/static/app.js", "defer": None}
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in ("style", "srcdoc"), (tag, name)
            if name in ("href", "src", "action", "formaction"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:"))


def _first_id(client, q: str = "北约") -> str:
    return client.get("/api/search", query_string={"q": q}).get_json()["hits"][0]["id"]


FINLAND = "芬兰和瑞典正式递交加入北约申请"  # has a picture and 北约 in title and body


def _id_of(client, title: str) -> str:
    """The id of the article with this exact title (not relying on ranking)."""
    hits = client.get("/api/search", query_string={"q": f'"{title}"', "per_page": 50}
                      ).get_json()["hits"]
    return next(h["id"] for h in hits if h["title"] == title)


# ---------- the package ----------

def test_package_exports_only_the_factory_and_builds_no_app_at_import():
    assert webui.__all__ == ["create_app"]
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("webui"):
            assert not any(isinstance(v, Flask) for v in vars(module).values())


def test_each_app_is_independent(corpus_index_dir, tmp_path):
    a, b = create_app(index_dir=corpus_index_dir), create_app(index_dir=tmp_path)
    assert a is not b
    assert a.test_client().get("/?q=北约").status_code == 200
    assert b.test_client().get("/?q=北约").status_code == 503


def test_blueprints(app):
    assert {"views", "api", "feeds"} <= set(app.blueprints)


# ---------- search page ----------

def _examples(html: str) -> tuple[list[str], list[str]]:
    chips = re.findall(r'<a class="chip" href="[^"]*">([^<]*)</a>', html)
    syntax = re.findall(r"<dt><a [^>]*><code>([^<]*)</code>", html)
    return [unescape(c) for c in chips], [unescape(q) for q in syntax]


def test_home_shows_examples_and_focused_box(client):
    resp = client.get("/")
    html = _text(resp)
    assert resp.status_code == 200
    assert re.search(r'<input id="q"[^>]*\bautofocus\b', html)
    chips, syntax = _examples(html)
    assert len(chips) >= 5 and len(syntax) >= 5
    assert "55 篇" in html


def test_every_example_comes_from_the_index_and_finds_something(client):
    chips, syntax = _examples(_text(client.get("/")))
    titles = [h["title"] for h in client.get("/api/search?per_page=100").get_json()["hits"]]
    for word in chips:
        assert sum(word in t for t in titles) >= 2, word  # a word titles share
    for q in chips + syntax:
        assert client.get("/api/search", query_string={"q": q}).get_json()["total"] > 0, q
    category = [q for q in syntax if q.startswith("category:")]
    assert category, syntax
    total = client.get("/api/search").get_json()["total"]
    narrowed = client.get("/api/search", query_string={"q": category[0]}).get_json()["total"]
    assert 0 < narrowed < total


def _write_post(path: Path, title: str, text: str, categories: list[str]) -> None:
    cats = "".join(f"\n - {c}" for c in categories)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: '{title}'\ncategories: {cats}\nauthor: 测试\n"
                    f"date: Wed, 29 Jun 2022 16:45:10 GMT\n---\n\n<p>{text}</p>\n",
                    encoding="utf-8")


@pytest.fixture(scope="module")
def one_category_client(tmp_path_factory):
    """An archive like 新闻联播: every story has the same categories, all from one year."""
    from indexer.build import build_index

    base = tmp_path_factory.mktemp("one-category")
    for i, (title, text) in enumerate([
            ("黄河流域生态保护取得新进展", "黄河流域生态保护工作会议今天召开。"),
            ("长江流域生态保护会议召开", "长江流域多个省份参加会议，讨论生态保护。"),
            ("黄河沿岸城市推进生态保护", "黄河沿岸城市推进生态保护和高质量发展。"),
            ("气象部门发布寒潮预警", "气象部门发布寒潮预警，提醒公众注意防寒。")]):
        _write_post(base / "corpus" / f"{i}.md", title, text, ["电视", "晚间新闻"])
    build_index(base / "corpus", base / "index")
    return create_app(index_dir=base / "index").test_client()


# One evening's bulletin, filed in an order unlike the order it aired, and the next day's.
DAY_STORIES = [("a.md", "国内新闻：春耕生产全面展开", "Tue, 05 Mar 2024 11:10:00 GMT"),
               ("z.md", "开场：今天的主要内容", "Tue, 05 Mar 2024 11:00:30 GMT"),
               ("m.md", "国际新闻：多国举行会谈", "Tue, 05 Mar 2024 11:05:00 GMT"),
               ("d.md", "第二天的头条新闻", "Wed, 06 Mar 2024 11:01:00 GMT")]


# A roundup: items under their own headlines, none of them named by the title.
ROUNDUP = ("r.md", "海外简讯", "Fri, 01 Mar 2024 11:20:00 GMT",
           "<p>本台消息：</p><p>某国港口罢工结束</p><p>持续两周的港口罢工昨天结束，"
           "货运逐步恢复，工会与港口方达成新的工资协议。</p><p>沿海城市举办风筝节</p>"
           "<p>一年一度的风筝节在海滨开幕，来自二十个国家的风筝爱好者参加，现场观众数以万计。</p>")


def write_day_corpus(dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    stories = [(n, t, w, f"<p>{t}。正文。</p>") for n, t, w in DAY_STORIES] + [ROUNDUP]
    for name, title, when, body in stories:
        (dst / name).write_text(f"---\ntitle: '{title}'\ncategories: \n - 电视\ndate: {when}\n"
                                f"---\n\n{body}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def day_client(tmp_path_factory):
    from indexer.build import build_index

    base = tmp_path_factory.mktemp("days")
    write_day_corpus(base / "corpus")
    build_index(base / "corpus", base / "index")
    return create_app(index_dir=base / "index").test_client()


def _titles(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'<h2 class="hit__title">(.*?)</h2>', html)]


@pytest.mark.parametrize("query", ["day=2024-03-05", "since=2024-03-05&until=2024-03-05",
                                   "q=&since=2024-03-05&until=2024-03-05"])
def test_browse_a_day_in_running_order(day_client, query):
    html = _text(day_client.get(f"/?{query}"))
    assert _titles(html) == ["开场：今天的主要内容", "国际新闻：多国举行会谈", "国内新闻：春耕生产全面展开"]
    assert "<title>2024-03-05 的新闻 - " in html and "播出顺序" in html
    after = re.search(r'<a class="browse-bar__step" href="([^"]+)">后一天', html).group(1)
    assert _titles(_text(day_client.get(after.replace("&amp;", "&")))) == ["第二天的头条新闻"]
    api = day_client.get("/api/search?since=2024-03-05&until=2024-03-05").get_json()
    assert [h["title"] for h in api["hits"]] == _titles(html)
    newest = _titles(_text(day_client.get(f"/?{query}&sort=newest")))
    assert newest == _titles(html)[::-1]


def test_a_roundup_hit_shows_and_links_to_the_item_that_matched(day_client):
    html = _text(day_client.get("/?q=风筝节"))
    line = re.search(r'<h2 class="hit__title"><a href="([^"]+)">(.*?)</a></h2>', html)
    assert line.group(1).endswith("#first-match")
    assert line.group(2) == '<span class="hit__roundup">海外简讯：</span>沿海城市举办<mark>风筝节</mark>'
    article = _text(day_client.get(line.group(1).replace("&amp;", "&").split("#")[0]))
    body = article[article.index('<div class="article__body">'):]
    assert body.index('<mark id="first-match">风筝节</mark>') > body.index("沿海城市举办")
    # A match in the title, or a story without items, keeps its own title line.
    plain = _text(day_client.get("/?q=简讯"))
    assert "hit__roundup" not in plain and "#first-match" not in plain
    assert "hit__roundup" not in _text(day_client.get("/?q=正文"))


def test_browse_with_a_bad_day_says_so(day_client):
    html = _text(day_client.get("/?day=2024-02-30"))
    assert "日期“2024-02-30”无效" in html and 'name="day"' in html
    home = _text(day_client.get("/"))
    assert re.search(r'<input type="date" name="day" value="2024-03-06"', home)


def test_facets_that_cannot_narrow_are_hidden(client, one_category_client):
    html = _text(one_category_client.get("/?q=生态保护"))
    assert "找到 <strong>3</strong> 篇" in html
    # One year, the same categories: nothing to choose (names still narrow them).
    assert "按分类筛选" not in html and "按年份筛选" not in html
    chips, syntax = _examples(_text(one_category_client.get("/")))
    assert {"生态", "保护"} <= set(chips) and syntax
    assert not any(q.startswith("category:") for q in syntax)
    # Where some results lack a category, it stays; one every result has is hidden.
    labels = re.findall(r'<span class="facet__label">([^<]*)<', _text(client.get("/?q=北约")))
    assert "头条" in labels and "新媒体" not in labels and "示例新闻网" not in labels


def test_results_page(client):
    resp = client.get("/?q=北约")
    html = _text(resp)
    assert resp.status_code == 200
    assert re.search(r'<input id="q"[^>]*value="北约"[^>]*>', html, re.S)
    assert re.search(r'<input id="q"[^>]*\bautofocus\b', html, re.S)
    assert "找到 <strong>7</strong> 篇" in html and "毫秒" in html
    assert len(_hit_ids(html)) == 7
    assert "<mark>北约</mark>" in html
    assert re.search(r'href="/article/[0-9a-f]+\?q=%E5%8C%97%E7%BA%A6"', html)
    # Dates in Beijing time: 2022-05-18 10:26:03 UTC is 18:26 in China.
    assert '<time datetime="2022-05-18T18:26:03+08:00">2022年5月18日 18:26</time>' in html
    assert "新媒体 / 示例新闻网 / 头条" in html and "示例新闻网</span>" in html
    assert '<link rel="search" type="application/opensearchdescription+xml"' in html
    assert 'type="application/atom+xml"' in html


def test_results_page_has_no_inline_script_or_style(client):
    html = _text(client.get("/?q=北约"))
    assert [t for t, _ in elements(html)].count("script") == 1
    assert "style=" not in html and "<style" not in html
    assert_nothing_runs(html)


def test_pagination_links_and_last_page(client):
    html = _text(client.get("/?q=北约&per_page=2"))
    assert "第 1/4 页" in html and 'rel="next"' in html and 'rel="prev"' not in html
    assert "per_page=2" in html and "page=4" in html
    last = _text(client.get("/?q=北约&per_page=2&page=4"))
    assert 'rel="next"' not in last and 'rel="prev"' in last
    assert len(_hit_ids(last)) == 1


@pytest.mark.parametrize("page", ["5", "999999", "1000000000"])
def test_page_past_the_end_shows_the_last_page(client, page):
    resp = client.get(f"/?q=北约&per_page=2&page={page}")
    html = _text(resp)
    assert resp.status_code == 200
    assert f"没有第 {page} 页" in html and "最后一页" in html
    assert len(_hit_ids(html)) == 1  # page 4 of 4, not an empty list
    assert 'rel="next"' not in html


def test_category_facets_add_and_remove(client):
    html = _text(client.get("/?q=北约"))
    assert re.search(r'href="/\?q=%E5%8C%97%E7%BA%A6&amp;category=%E5%A4%B4%E6%9D%A1"', html)
    assert re.search(r'<span class="facet__label">头条</span><span class="facet__count">5<', html)
    chosen = _text(client.get("/?q=北约&category=头条"))
    assert "找到 <strong>5</strong> 篇" in chosen
    assert 'aria-current="true"' in chosen and "分类：头条" in chosen
    # The chosen category's link (and its chip) lead back to the unfiltered search.
    assert chosen.count('href="/?q=%E5%8C%97%E7%BA%A6"') >= 2


def test_categories_are_repeatable_and_ored(client):
    both = client.get("/api/search?q=北约&category=头条&category=首页").get_json()
    assert both["total"] == 7
    html = _text(client.get("/?q=北约&category=头条&category=首页"))
    assert "找到 <strong>7</strong> 篇" in html


def test_year_facets_set_the_date_range(client):
    html = _text(client.get("/?q=北约"))
    assert "since=2022-01-01&amp;until=2022-12-31" in html
    assert re.search(r'<span class="facet__label">2022</span><span class="facet__count">4<', html)
    year = _text(client.get("/?q=北约&since=2022-01-01&until=2022-12-31"))
    assert "找到 <strong>4</strong> 篇" in year
    assert 'value="2022-01-01"' in year and 'type="date"' in year


def test_sort_links_and_order(client):
    html = _text(client.get("/?q=北约&sort=newest"))
    assert re.search(r'class="sort__link is-current"[^>]*>最新<', html)
    dates = re.findall(r'<time datetime="([^"]+)"', html)
    assert dates == sorted(dates, reverse=True) and len(dates) == 7
    oldest = re.findall(r'<time datetime="([^"]+)"', _text(client.get("/?q=北约&sort=oldest")))
    assert oldest == sorted(oldest)


def test_filters_are_kept_in_the_search_form(client):
    html = _text(client.get("/?q=北约&category=头条&sort=newest&since=2022-01-01"))
    form = html[html.index('<form class="searchbox"'):html.index("</form>")]
    assert 'name="category" value="头条"' in form and 'name="sort" value="newest"' in form
    assert 'name="since" value="2022-01-01"' in form


def test_no_results_says_so_and_offers_ways_out(client):
    html = _text(client.get("/?q=北约 zzzqqq"))
    assert "没有找到" in html and "北约 zzzqqq" in html
    assert 'href="/?q=%E5%8C%97%E7%BA%A6"' in html  # drop the word that matches nothing
    assert "去掉“zzzqqq”" in html


def test_no_results_offers_removing_filters(client):
    html = _text(client.get("/?q=北约&category=开源样例&since=2021-01-01&until=2021-01-02"))
    assert "没有找到" in html
    assert "去掉分类“开源样例”" in html and "去掉日期范围" in html and "去掉全部筛选条件" in html
    assert 'href="/?q=%E5%8C%97%E7%BA%A6"' in html


def test_unknown_category_is_an_empty_result_not_an_error(client):
    resp = client.get("/?q=北约&category=不存在的分类")
    assert resp.status_code == 200
    assert "没有找到" in _text(resp) and "去掉分类“不存在的分类”" in _text(resp)
    api = client.get("/api/search?q=北约&category=不存在的分类")
    assert api.status_code == 200 and api.get_json()["total"] == 0


# ---------- parameter validation (HTML and API share it) ----------

BAD_PARAMS = [
    ("page=abc", "page"), ("page=0", "page"), ("page=-1", "page"), ("page=1.5", "page"),
    ("page=" + "9" * 5000, "page"), ("per_page=0", "per_page"), ("per_page=5000", "per_page"),
    ("per_page=x", "per_page"), ("sort=bogus", "sort"), ("since=notadate", "since"),
    ("until=2022-13-01", "until"), ("since=20220101", "since"), ("since=2022-02-30", "since"),
    ("since=2023-01-01&until=2022-01-01", "since"), ("q=" + "北" * 501, "q"),
]


# The page falls back from these (and says so); the API refuses them.
PAGE_FALLBACKS = ("page", "per_page", "sort")


@pytest.mark.parametrize("query,param", [b for b in BAD_PARAMS
                                         if b[1] not in PAGE_FALLBACKS + ("q",)])
def test_bad_parameters_give_a_chinese_400_page(client, query, param):
    resp = client.get(f"/?{query}&q=北约")
    assert resp.status_code == 400
    html = _text(resp)
    assert "请求参数有误" in html and f"参数：{param}" in html
    message = re.search(r'<p class="error-page__message">(.*?)</p>', html).group(1)
    assert re.search(r"[\u4e00-\u9fff]", message) and "must" not in message
    assert "Traceback" not in html and 'href="/static/style.css"' in html


@pytest.mark.parametrize("query,param", [b for b in BAD_PARAMS if b[1] in PAGE_FALLBACKS])
def test_the_page_falls_back_from_a_bad_page_or_sort_and_says_so(client, query, param):
    resp = client.get(f"/?{query}&q=北约")
    html = _text(resp)
    assert resp.status_code == 200 and "找到 <strong>" in html
    notice = re.search(r'<p class="notice" role="note">(.*?)</p>', html).group(1)
    assert {"page": "页码", "per_page": "每页条数", "sort": "排序"}[param] in notice
    assert _hit_ids(html)  # the default page of results, not an empty one


def test_the_page_cuts_an_overlong_query_and_says_so(client):
    q = "北约" + " " * 600 + "不存在的词"
    html = _text(client.get("/", query_string={"q": q}))
    assert "搜索词有 607 个字符，只用了前 500 个" in html
    assert "找到 <strong>7</strong> 篇" in html
    assert client.get("/api/search", query_string={"q": q}).status_code == 400


@pytest.mark.parametrize("path", ["/no/such/page", "/article/nope"])
def test_error_pages_are_chinese_but_the_api_stays_english(client, path):
    html = _text(client.get(path))
    message = re.search(r'<p class="error-page__message">(.*?)</p>', html).group(1)
    assert "Not Found" not in html and re.search(r"[\u4e00-\u9fff]", message)
    api = client.get("/api/search?q=北约&sort=bogus")
    assert api.status_code == 400 and api.get_json()["error"].startswith("sort: must be")


@pytest.mark.parametrize("query,param", BAD_PARAMS)
def test_bad_parameters_give_json_400(client, query, param):
    resp = client.get(f"/api/search?{query}&q=北约")
    assert resp.status_code == 400 and resp.is_json
    assert resp.get_json()["error"].startswith(f"{param}:")


@pytest.mark.parametrize("query,param", BAD_PARAMS[:4])
def test_bad_parameters_in_the_feed_give_400(client, query, param):
    assert client.get(f"/feed.atom?{query}&q=北约").status_code == 400


@pytest.mark.parametrize("query", [
    "q=", "q=%20", "q=-", "q=OR", "q=NOT", "q=%22", "q=title:", "q=category:",
    "q=%00%01%02", "q=%E2%80%AE", "q=\\", "q=*", "q=((((", "q=a&category=", "q=北约&since=",
    "q=北约&unknown=1", "q=北约&page=", "q=北约&sort=", "q=北约&per_page=1000",
    "q=北约&category=" + "x" * 300,
])
def test_odd_but_valid_parameters_never_fail(client, query):
    for path in ("/", "/api/search", "/feed.atom"):
        resp = client.get(f"{path}?{query}")
        assert resp.status_code == 200, (path, query)


# ---------- escaping ----------

XSS_QUERIES = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
               "'><svg onload=alert(1)>", "北约</mark><script>alert(1)</script>"]


@pytest.mark.parametrize("q", XSS_QUERIES)
def test_query_is_only_ever_echoed_escaped(client, q):
    for path in ("/", "/article/" + _first_id(client)):
        resp = client.get(path, query_string={"q": q})
        html = _text(resp)
        assert resp.status_code == 200
        assert q not in html
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "<svg" not in html
        assert_nothing_runs(html)


def test_script_query_appears_escaped(client):
    html = _text(client.get("/", query_string={"q": "<script>alert(1)</script>"}))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_attribute_breakout_query_appears_escaped(client):
    html = _text(client.get("/", query_string={"q": '"><img src=x onerror=alert(1)>'}))
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in html


def test_error_pages_escape_the_query(client):
    html = _text(client.get("/", query_string={"q": "<script>alert(1)</script>", "page": "x"}))
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    html = _text(client.get("/", query_string={"page": "<script>alert(1)</script>"}))
    assert "<script>alert(1)" not in html


def test_hostile_article_is_sanitised(hostile_client):
    resp = hostile_client.get("/api/search", query_string={"q": "恶意样例"})
    hit = resp.get_json()["hits"][0]
    assert hit["title"] == HOSTILE_TITLE  # stored as text...
    assert "<script>" not in hit["title_html"]  # ...and escaped for HTML
    for q in ("", "北约", "恶意样例 script"):
        html = _text(hostile_client.get(f"/article/{hit['id']}", query_string={"q": q}))
        body = html[html.index('<div class="article__body">'):html.index("</article>")]
        assert "正常链接" in body and 'href="https://example.com/ok"' in body
        assert 'rel="noopener noreferrer nofollow"' in body
        assert 'src="https://example.com/ok.png"' in body
        assert_nothing_runs(html)
        for bad in ("<iframe", "<object", "<svg", "<form", "javascript:", "style=",
                    "onerror", "onclick", "onload", "onmouseover", "srcdoc", 'src="x"'):
            assert bad not in body.lower(), (bad, q)
        assert [t for t, a in elements(html) if t == "img"] == ["img"]  # only the good one
        # The title's markup is shown as text.
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
        text = re.sub(r"</?mark>", "", body)  # q=script marks the word, harmlessly
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt; 作为文字出现" in text


def test_hostile_article_in_results_and_feed(hostile_client):
    html = _text(hostile_client.get("/?q=恶意样例"))
    assert "<script>window" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    feed = ET.fromstring(hostile_client.get("/feed.atom?q=恶意样例").data)
    assert feed.find(f"{ATOM}entry/{ATOM}title").text == HOSTILE_TITLE


# ---------- article view ----------

def test_article_view(client):
    art_id = _id_of(client, FINLAND)
    resp = client.get(f"/article/{art_id}")
    html = _text(resp)
    assert resp.status_code == 200
    assert '<h1 id="article-title" class="article__title">芬兰和瑞典正式递交加入北约申请</h1>' in html
    assert '<time datetime="2022-05-18T18:26:03+08:00">' in html
    assert "新媒体 / 示例新闻网 / 头条" in html
    assert "<mark>" not in html  # no query, no highlighting
    assert "相关文章" in html and html.count('class="related__item"') >= 1
    assert f'href="/article/{art_id}"' not in html  # not related to itself
    # The picture gets no-referrer and lazy loading; the page's own markup survives.
    img = re.search(r"<img [^>]*picsum[^>]*>", html).group(0)
    assert 'referrerpolicy="no-referrer"' in img and 'loading="lazy"' in img
    assert "align=" not in html and "style=" not in html


def test_article_view_highlights_the_query(client):
    art_id = _id_of(client, FINLAND)
    html = _text(client.get(f"/article/{art_id}?q=北约"))
    title = re.search(r'<h1 id="article-title"[^>]*>(.*?)</h1>', html).group(1)
    assert title == "芬兰和瑞典正式递交加入<mark>北约</mark>申请"
    body = html[html.index('<div class="article__body">'):html.index("</article>")]
    assert body.count("<mark>北约</mark>") >= 5
    assert 'href="/?q=%E5%8C%97%E7%BA%A6"' in html  # back to the results


STATE = {"q": "北约", "category": "头条", "since": "2021-01-01", "until": "2022-12-31",
         "sort": "newest", "per_page": "2", "page": "2"}


def _state_of(url: str) -> dict:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url.replace("&amp;", "&")).query))


def test_every_link_from_a_result_keeps_the_whole_search(client):
    html = _text(client.get("/", query_string=STATE))
    links = re.findall(r'href="(/article/[^"]+)"', html)
    assert links and all(_state_of(u) == STATE for u in links)
    article = _text(client.get(links[0].replace("&amp;", "&")))
    back = re.search(r'<p class="article__back"><a href="([^"]+)"', article).group(1)
    assert back.startswith("/?") and _state_of(back) == STATE
    related = re.findall(r'<li class="related__item">\s*<a href="([^"]+)"', article)
    assert related and all(_state_of(u) == STATE for u in related)


def test_article_view_with_bad_search_state_still_shows(client):
    art_id = _id_of(client, FINLAND)
    resp = client.get(f"/article/{art_id}?q=北约&page=0&sort=x&since=bad")
    assert resp.status_code == 200 and "<mark>北约</mark>" in _text(resp)


SHOWN_TITLE = "北约马德里峰会发布新“战略概念”"


def test_titles_are_shown_as_written_before_the_pipeline(client):
    hit = client.get("/api/search", query_string={"q": "战略概念"}).get_json()["hits"][0]
    assert hit["title"] == DUP_TITLE and hit["display_title"] == SHOWN_TITLE
    assert hit["title_html"] == "北约马德里峰会发布新“<mark>战略概念</mark>”"
    results = _text(client.get("/?q=战略概念"))
    assert "新“<mark>战略概念</mark>”</a></h2>" in results and "新_" not in results
    article = _text(client.get(f"/article/{hit['id']}"))
    assert f"<title>{SHOWN_TITLE} - " in article
    assert f'class="article__title">{SHOWN_TITLE}</h1>' in article
    feed = ET.fromstring(client.get("/feed.atom?q=战略概念").data)
    assert feed.find(f"{ATOM}entry/{ATOM}title").text == SHOWN_TITLE
    # The related list of a story sharing its words shows it restored too.
    others = client.get("/api/search", query_string={"q": "北约"}).get_json()["hits"]
    asides = [_text(client.get(f"/article/{h['id']}")).partition('class="related"')[2]
              for h in others if h["id"] != hit["id"]]
    assert any(SHOWN_TITLE in a for a in asides) and not any(DUP_TITLE in a for a in asides)
    # The title stays searchable as filed.
    assert client.get("/api/search", query_string={"q": f'"{DUP_TITLE}"'}).get_json()["total"]


def test_article_highlight_does_not_touch_markup(client):
    art_id = _id_of(client, FINLAND)
    # "picsum" is in the image URL (an attribute), never in the text.
    html = _text(client.get(f"/article/{art_id}?q=picsum photos"))
    assert "<mark>" not in html
    assert re.search(r'<img [^>]*src="https://picsum\.photos/600/400\?random=4418"', html)


def test_article_shows_duplicates(client):
    hit = client.get("/api/search", query_string={"q": f'"{DUP_TITLE}"'}).get_json()["hits"][0]
    html = _text(client.get(f"/article/{hit['id']}"))
    assert hit["duplicates"] and hit["duplicates"][0] in html


def test_video_only_article_says_there_is_no_text(client):
    hit = client.get("/api/search", query_string={"q": "title:开幕式精彩瞬间"}).get_json()["hits"][0]
    html = _text(client.get(f"/article/{hit['id']}"))
    assert "<iframe" not in html and "没有可以显示的正文" in html


@pytest.mark.parametrize("path", [
    "/article/0000000000000000", "/article/nope", "/article/../../etc/passwd",
    "/article/..%2F..%2Fetc%2Fpasswd", "/article/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/article/..", "/article/.env", "/article/" + "a" * 200, "/article/%00",
    "/article/北约", "/article/", "/no/such/page", "/static/../webui/cli.py",
])
def test_unknown_articles_and_paths_are_404(client, path):
    resp = client.get(path)
    html = _text(resp)
    assert resp.status_code == 404
    assert "找不到这个页面" in html and 'href="/static/style.css"' in html
    assert "root:" not in html and "Traceback" not in html


# ---------- JSON API ----------

HIT_KEYS = {"id", "path", "duplicates", "title", "display_title", "title_html", "item_title_html", "snippet_html", "date",
            "categories", "author", "score", "series_total", "series_query", "series_since",
            "series_until",
            "people", "places", "organizations"}


def test_api_shape(client):
    resp = client.get("/api/search?q=北约&per_page=3")
    data = resp.get_json()
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert {"query", "total", "page", "per_page", "took_ms", "hits", "facets"} <= set(data)
    assert (data["query"], data["total"], data["page"], data["per_page"]) == ("北约", 7, 1, 3)
    assert len(data["hits"]) == 3 and isinstance(data["took_ms"], float)
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS
        assert "<mark>北约</mark>" in hit["title_html"] + hit["snippet_html"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", hit["date"])
        assert isinstance(hit["score"], float) and isinstance(hit["categories"], list)
    assert data["facets"]["categories"]["头条"] == 5
    assert data["facets"]["years"] == {"2023": 2, "2022": 4, "2021": 1}
    assert list(data["facets"]["categories"])[:2] == ["新媒体", "示例新闻网"]  # by count


def test_api_filters_sort_and_pages(client):
    get = lambda qs: client.get("/api/search?" + qs).get_json()  # noqa: E731
    assert get("q=北约&category=首页")["total"] == 3
    assert get("q=北约&since=2023-01-01")["total"] == 2
    newest = [h["date"] for h in get("q=北约&sort=newest")["hits"]]
    assert newest == sorted(newest, reverse=True)
    page2 = get("q=北约&per_page=5&page=2")
    assert page2["page"] == 2 and len(page2["hits"]) == 2
    beyond = get("q=北约&page=999999")
    assert beyond["total"] == 7 and beyond["hits"] == []  # clients page until empty
    latest = get("q=&sort=newest&per_page=3")  # a blank query lists everything
    assert latest["total"] == 55 and len(latest["hits"]) == 3
    assert [h["date"] for h in latest["hits"]] == sorted((h["date"] for h in latest["hits"]), reverse=True)


def test_api_duplicates_and_null_dates(client):
    hit = client.get("/api/search", query_string={"q": f'"{DUP_TITLE}"'}).get_json()["hits"][0]
    assert hit["duplicates"] == [p for p in hit["duplicates"] if p != hit["path"]]
    assert len(hit["duplicates"]) == 1


def test_api_errors_are_json(client):
    for resp, status in ((client.get("/api/nope"), 404), (client.post("/api/search"), 405)):
        assert resp.status_code == status and resp.is_json and resp.get_json()["error"]


# ---------- feeds ----------

def test_atom_feed(client):
    resp = client.get("/feed.atom?q=北约")
    assert resp.status_code == 200 and resp.mimetype == "application/atom+xml"
    feed = ET.fromstring(resp.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text.endswith("北约")
    for tag in ("id", "updated", "author/" + ATOM + "name"):
        assert feed.find(ATOM + tag).text
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 7
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)  # newest first
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == 7 and all(i.startswith("urn:newsearch:article:") for i in ids)
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert link.startswith("http://localhost/article/")
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "text" and "<mark>" not in summary.text
        assert "北约" in summary.text or "北约" in entry.find(f"{ATOM}title").text


@pytest.mark.parametrize("q", XSS_QUERIES + ["a\x01b\x1fc", "&amp; <![CDATA[ ]]>", ""])
def test_atom_feed_is_well_formed_for_any_query(client, q):
    resp = client.get("/feed.atom", query_string={"q": q})
    assert resp.status_code == 200
    feed = ET.fromstring(resp.data)
    title = feed.find(f"{ATOM}title").text
    assert q.replace("\x01", "").replace("\x1f", "") in title


def test_opensearch_description(client):
    resp = client.get("/opensearch.xml")
    assert resp.status_code == 200
    assert resp.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(resp.data)
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    assert root.find(f"{OPENSEARCH}ShortName").text
    urls = {u.get("type"): u.get("template") for u in root.findall(f"{OPENSEARCH}Url")}
    assert urls["text/html"] == "http://localhost/?q={searchTerms}"
    assert urls["application/atom+xml"] == "http://localhost/feed.atom?q={searchTerms}"


# ---------- errors, headers, static files ----------

@pytest.mark.parametrize("path", ["/", "/?q=北约", "/api/search?q=北约", "/feed.atom?q=北约",
                                  "/opensearch.xml", "/static/app.js", "/static/style.css",
                                  "/article/nope", "/?page=abc", "/api/search?page=0"])
def test_security_headers_on_every_response(client, path):
    resp = client.get(path)
    assert resp.headers["Content-Security-Policy"] == CSP
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"


def test_method_not_allowed_is_a_friendly_page(client):
    resp = client.post("/")
    assert resp.status_code == 405 and "不支持这种请求方式" in _text(resp)
    assert "GET" in resp.headers["Allow"]
    assert resp.headers["Content-Security-Policy"] == CSP


def test_unexpected_errors_are_a_friendly_500(corpus_index_dir):
    app = create_app(index_dir=corpus_index_dir)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    resp = app.test_client().get("/boom")
    html = _text(resp)
    assert resp.status_code == 500 and "服务器出错了" in html
    assert "secret detail" not in html and "Traceback" not in html
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_missing_index_is_a_503_until_it_is_built(tmp_path):
    from indexer.build import build_index

    client = create_app(index_dir=tmp_path / "index").test_client()
    for path in ("/", "/?q=北约", "/article/abc", "/feed.atom?q=北约"):
        resp = client.get(path)
        assert resp.status_code == 503 and "python -m indexer" in _text(resp)
        assert "Traceback" not in _text(resp)
    api = client.get("/api/search?q=北约")
    assert api.status_code == 503 and "索引" in api.get_json()["error"]
    build_index(CORPUS, tmp_path / "index")
    assert client.get("/api/search?q=北约").get_json()["total"] == 7  # no restart needed


def test_mismatched_index_is_a_503(tmp_path):
    from indexer.build import build_index
    from search.storage import current_generation

    build_index(CORPUS, tmp_path)
    meta = current_generation(tmp_path) / "meta.json"
    assert meta.exists()
    meta.write_text(re.sub(r'"fingerprint": "[^"]*"', '"fingerprint": "other"',
                           meta.read_text(encoding="utf-8")), encoding="utf-8")
    resp = create_app(index_dir=tmp_path).test_client().get("/?q=北约")
    assert resp.status_code == 503 and "重建" in _text(resp)


def test_static_files(client):
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "keydown" in _text(js)
    css = _text(client.get("/static/style.css"))
    assert "prefers-color-scheme: dark" in css and "Noto Sans CJK SC" in css
    assert "@import" not in css and "url(http" not in css  # no web fonts or CDNs
    html = _text(client.get("/?q=北约"))
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []  # nothing external


def test_viewport_and_language(client):
    html = _text(client.get("/"))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<html lang="zh-CN">' in html


# ---------- any parameter value: 200, 400 or 404, never 500 ----------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_VALUES = st.one_of(st.text(max_size=30), st.sampled_from(
    ["1", "0", "-1", "2022-01-01", "2022-12-31", "newest", "头条", "北约", "OR", "\"", "%",
     "9" * 30, "\u0000", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1")]))
_PARAMS = st.dictionaries(st.sampled_from(["q", "page", "per_page", "category", "since",
                                           "until", "sort", "x"]), _VALUES, max_size=6)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=_PARAMS, path=st.sampled_from(["/", "/api/search", "/feed.atom"]))
def test_any_parameters_give_200_or_400(client, params, path):
    resp = client.get(path, query_string=params)
    assert resp.status_code in (200, 400), (path, params, resp.status_code)
    if path.startswith("/api/"):
        assert resp.is_json
    if resp.status_code == 200 and path == "/feed.atom":
        ET.fromstring(resp.data)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(article_id=st.text(min_size=1, max_size=40), q=st.text(max_size=20))
def test_any_article_id_gives_200_or_404(client, article_id, q):
    resp = client.get("/article/" + quote(article_id, safe=""), query_string={"q": q})
    assert resp.status_code in (200, 404)
