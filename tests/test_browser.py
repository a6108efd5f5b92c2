"""The web UI in a real headless Chromium: searching, reading, and no script injection.

Drives Debian's /usr/bin/chromium through Playwright (never `playwright
install`: browser downloads are impossible here). Skipped only outside CI
when Chromium is missing; in CI its absence is a failure.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from test_webui import HOSTILE_TITLE, write_hostile_corpus

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"CI must have Chromium at {CHROMIUM} (apt-get install chromium)",
                    pytrace=False)
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from waitress import create_server  # noqa: E402

from webui import create_app  # noqa: E402


class Server:
    """A waitress server for one app on a free local port, in a background thread."""

    def __init__(self, index_dir: Path):
        self.server = create_server(create_app(index_dir=index_dir), host="127.0.0.1",
                                    port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The bundled corpus plus one hostile article, served."""
    from indexer.build import build_index

    base = tmp_path_factory.mktemp("browser")
    write_hostile_corpus(base / "corpus")
    build_index(base / "corpus", base / "index")
    server = Server(base / "index")
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, hostile_server):
    """A fresh page that records dialogs and console errors, and never leaves 127.0.0.1."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.dialogs, page.csp_violations = [], []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    # The policy is a second line of defence: if it ever had to block something,
    # the markup let an attack through and that is a failure too.
    page.on("console", lambda m: "Content Security Policy" in m.text
            and page.csp_violations.append(m.text))
    # Offline: anything not served by us (article pictures) fails at once.
    page.route(lambda url: not url.startswith(hostile_server.url), lambda r: r.abort())
    yield page
    context.close()


def _xss_flags(page: Page) -> dict:
    return page.evaluate("() => ({xss: window.__xss, parent: window.parent.__xss})")


def test_search_and_read_an_article(page, hostile_server):
    page.goto(hostile_server.url + "/")
    box = page.locator("#q")
    expect(box).to_be_focused()  # autofocus
    box.fill("北约")
    box.press("Enter")
    page.wait_for_url("**/?q=*")
    expect(page.locator(".results__count")).to_contain_text("找到")
    marks = page.locator(".hit mark")
    expect(marks.first).to_have_text("北约")
    assert marks.count() >= 7
    expect(box).to_have_value("北约")

    first = page.locator(".hit__title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/article/**")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".article__body mark").first).to_have_text("北约")
    expect(page.locator(".related__item").first).to_be_visible()
    assert page.dialogs == [] and page.csp_violations == []


def test_typing_pinyin_suggests_words_and_the_keyboard_picks_one(page, hostile_server):
    page.goto(hostile_server.url + "/")
    box = page.locator("#q")
    box.press_sequentially("beiyue", delay=20)
    options = page.locator("#q-suggest [role=option]")
    expect(options).to_have_count(1)  # the answer for the whole text: only 北约 reads beiyue
    expect(options.first).to_have_text("北约")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_value("北约")
    box.press("Enter")
    page.wait_for_url("**/?q=%E5%8C%97%E7%BA%A6")
    expect(page.locator(".hit mark").first).to_be_visible()
    expect(page.locator("#q-suggest")).to_be_hidden()
    # Escape closes the list and leaves what was typed.
    box.fill("")
    box.press_sequentially("pu", delay=20)
    expect(options.first).to_be_visible()
    box.press("Escape")
    expect(page.locator("#q-suggest")).to_be_hidden()
    expect(box).to_have_value("pu")
    assert page.dialogs == [] and page.csp_violations == []


def test_pinyin_results_say_what_was_searched(page, hostile_server):
    page.goto(hostile_server.url + "/?q=beiyue")
    expect(page.locator(".assist")).to_contain_text("已显示 北约 的结果")
    page.locator(".assist__literal").click()
    page.wait_for_url("**literal=1**")
    expect(page.locator(".results__count")).to_contain_text("没有结果")


def test_slash_focuses_the_search_box(page, hostile_server):
    page.goto(hostile_server.url + "/?q=普京")
    page.locator("body").click(position={"x": 5, "y": 300})
    expect(page.locator("#q")).not_to_be_focused()
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    expect(page.locator("#q")).to_have_value("普京")  # the "/" was not typed into it


def test_filters_and_sorting_by_clicking(page, hostile_server):
    page.goto(hostile_server.url + "/?q=普京")
    page.locator(".facet__link", has_text="2022").click()
    page.wait_for_url("**until=2022-12-31**")
    expect(page.locator("input[type=date][name=since]")).to_have_value("2022-01-01")
    page.locator(".sort__link", has_text="最新").click()
    page.wait_for_url("**sort=newest**")
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates and dates == sorted(dates, reverse=True)
    assert all(d.startswith("2022-") and d.endswith("+08:00") for d in dates)


@pytest.mark.parametrize("q", ["<script>window.__xss=1;alert(1)</script>",
                               '"><img src=x onerror="window.__xss=1;alert(1)">',
                               "'><svg onload=window.__xss=1>"])
def test_hostile_query_does_not_run(page, hostile_server, q):
    for path in ("/", "/api/search", "/feed.atom"):
        page.goto(hostile_server.url + path + "?q=" + q.replace("#", "%23"))
        page.wait_for_load_state("load")
        assert _xss_flags(page) == {"xss": None, "parent": None}
    page.goto(hostile_server.url + "/?q=" + q)
    expect(page.locator("#q")).to_have_value(q)  # shown as text, intact
    assert page.dialogs == [] and page.csp_violations == []


def test_hostile_article_does_not_run(page, hostile_server):
    page.goto(hostile_server.url + "/")
    page.locator("#q").fill("恶意样例")
    page.keyboard.press("Enter")
    page.locator(".hit__title a").first.click()
    page.wait_for_url("**/article/**")
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_have_text(HOSTILE_TITLE)  # markup shown as text
    page.locator(".article__body a", has_text="点这里").click()  # its href was removed
    page.locator(".article__body p").first.click()  # its onclick was removed
    page.locator(".article__body a", has_text="正常链接").hover()
    page.wait_for_timeout(200)
    assert _xss_flags(page) == {"xss": None, "parent": None}
    assert page.dialogs == [] and page.csp_violations == []
    assert page.locator(".article__body iframe, .article__body script, svg").count() == 0


def test_phone_width_has_no_horizontal_scroll(browser, hostile_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.route(lambda url: not url.startswith(hostile_server.url), lambda r: r.abort())
    for path in ("/", "/?q=北约", "/?q=北约&category=头条&since=2022-01-01"):
        page.goto(hostile_server.url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, path
    expect(page.locator("#filters")).not_to_have_attribute("open", "")  # folded on phones
    context.close()


def _params(url: str) -> dict:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))


def test_reading_an_article_and_coming_back_keeps_the_search(page, hostile_server):
    state = {"q": "北约", "category": "头条", "since": "2021-01-01", "until": "2022-12-31",
             "sort": "newest", "per_page": "2", "page": "2"}
    page.goto(hostile_server.url + "/?" + "&".join(f"{k}={v}" for k, v in state.items()))
    page.locator(".hit__title a").first.click()
    page.wait_for_url("**/article/**")
    assert _params(page.url) == state
    page.locator(".related__item a").first.click()
    page.wait_for_url("**/article/**")
    page.locator(".article__back a").click()
    page.wait_for_url(hostile_server.url + "/?**")
    assert _params(page.url) == state
    expect(page.locator(".pager .is-current")).to_have_text("2")
    expect(page.locator(".sort .is-current")).to_have_text("最新")
    expect(page.locator("input[type=date][name=since]")).to_have_value("2021-01-01")


def test_the_page_explains_in_chinese_what_it_changed(page, hostile_server):
    page.goto(hostile_server.url + "/?q=北约&page=0&sort=foo")
    notices = page.locator(".notice").all_inner_texts()
    assert any("页码" in n for n in notices) and any("排序" in n for n in notices)
    expect(page.locator(".sort .is-current")).to_have_text("相关度")
    assert page.locator(".hit").count() > 0
    # What the browser sends when a query is pasted past the limit: cut, and said so.
    page.goto(hostile_server.url + "/")
    page.locator("#q").fill("北约 " + "长" * 600)
    page.locator("#q").press("Enter")
    expect(page.locator(".notice").first).to_contain_text("只用了前 500 个")
    resp = page.goto(hostile_server.url + "/?q=北约&since=2022-02-30")
    assert resp.status == 400
    expect(page.locator("h1")).to_have_text("请求参数有误")
    expect(page.locator(".error-page__message")).to_contain_text("日期")
    resp = page.goto(hostile_server.url + "/no/such/page")
    assert resp.status == 404 and "Not Found" not in page.content()


@pytest.mark.parametrize("q", ["北约 OR", "AND 北约", "北约 -"])
def test_a_dangling_operator_is_ignored(page, hostile_server, q):
    page.goto(hostile_server.url + "/")
    page.locator("#q").fill(q)
    page.locator("#q").press("Enter")
    expect(page.locator(".results__count")).to_contain_text("找到")
    found = page.locator(".results__count strong").inner_text()
    page.goto(hostile_server.url + "/?q=北约")
    assert page.locator(".results__count strong").inner_text() == found


def test_home_examples_come_from_the_archive_and_facets_only_narrow(page, hostile_server):
    page.goto(hostile_server.url + "/")
    examples = page.locator(".syntax dt a")
    assert examples.count() >= 5
    everything = int(page.locator(".empty-state__title").inner_text().split()[1])
    examples.filter(has_text="category:").first.click()
    page.wait_for_url("**/?q=category*")
    expect(page.locator(".results__count")).to_contain_text("找到")
    assert 0 < int(page.locator(".results__count strong").inner_text()) < everything
    page.goto(hostile_server.url + "/?q=北约")
    labels = page.locator(".facet__label").all_inner_texts()
    assert "头条" in labels and "新媒体" not in labels  # every 北约 story is 新媒体


# ---------- accessibility: contrast in both themes, phone targets, results on a phone ----------

# For every visible text node: its colour, with the opacity of its ancestors, over the first
# opaque background behind it (alpha composited), and the WCAG contrast ratio of the two.
CONTRAST_JS = r"""() => {
  const parse = (c) => {
    let m = c.match(/rgba?\(([^)]+)\)/);
    if (m) {
      const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = c.match(/color\(srgb ([^)]+)\)/);
    if (m) {
      const p = m[1].split(/[ \/]+/).filter(Boolean).map(Number);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    throw new Error("unparsed colour " + c);
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let colour = parse(getComputedStyle(document.documentElement).backgroundColor);
    if (colour[3] < 1) colour = over(colour, [255, 255, 255, 1]);
    for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
    return colour;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el.getClientRects().length) continue;
    if (el.closest(".visually-hidden, .skip-link, script, style, [hidden]")) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== "visible") continue;
    let alpha = 1;
    for (let e = el; e; e = e.parentElement) alpha *= Number(getComputedStyle(e).opacity);
    const fg = parse(style.color);
    const bg = background(el);
    const text = over([fg[0], fg[1], fg[2], fg[3] * alpha], bg);
    const [l1, l2] = [lum(text), lum(bg)].sort((a, b) => b - a);
    out.push({text: node.textContent.trim().slice(0, 30), cls: el.className || el.tagName,
              ratio: (l1 + 0.05) / (l2 + 0.05)});
  }
  return out;
}"""

A11Y_PAGES = ["/", "/?q=北约&per_page=2&page=2&sort=bogus", "/?q=北约&category=头条",
              "/?q=zzzqqq 北约", "/?q=北约&since=2022-13-01", "/no/such/page"]


def _article_path(hostile_server) -> str:
    import json
    from urllib.request import urlopen

    with urlopen(hostile_server.url + "/api/search?q=%E5%8C%97%E7%BA%A6") as resp:
        return "/article/" + json.load(resp)["hits"][0]["id"] + "?q=北约"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_all_text_has_enough_contrast(browser, hostile_server, scheme):
    context = browser.new_context(color_scheme=scheme, locale="zh-CN")
    page = context.new_page()
    page.route(lambda url: not url.startswith(hostile_server.url), lambda r: r.abort())
    low = []
    for path in A11Y_PAGES + [_article_path(hostile_server)]:
        page.goto(hostile_server.url + path)
        samples = page.evaluate(CONTRAST_JS)
        assert len(samples) > 5, path
        low += [(path, s["cls"], s["text"], round(s["ratio"], 2))
                for s in samples if s["ratio"] < 4.5]
    context.close()
    assert low == [], "\n".join(map(str, sorted({(c, t[:8], r) for _, c, t, r in low})))


def _small_targets(page: Page) -> list:
    return page.evaluate("""() => [...document.querySelectorAll(
        'a, button, input, select, summary, [role=button]')]
      .filter(e => e.getClientRects().length && !e.closest('.article__body, .visually-hidden')
                   && !e.classList.contains('skip-link') && getComputedStyle(e).visibility === 'visible')
      .map(e => { const r = e.getBoundingClientRect();
                  return {what: e.className || e.tagName, text: e.textContent.trim().slice(0, 20),
                          w: Math.round(r.width), h: Math.round(r.height)}; })
      .filter(t => t.w < 44 || t.h < 44)""")


def test_phone_targets_and_three_results_on_the_first_screen(browser, hostile_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.route(lambda url: not url.startswith(hostile_server.url), lambda r: r.abort())
    small = []
    for path in A11Y_PAGES + [_article_path(hostile_server)]:
        page.goto(hostile_server.url + path)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        small += [(path, t) for t in _small_targets(page)]
    assert small == [], "\n".join(map(str, sorted({(p, t["what"], t["text"][:6], t["w"], t["h"]) for p, t in small})))
    page.goto(hostile_server.url + "/?q=北约")
    bottoms = page.locator(".hit").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().bottom)")
    assert len(bottoms) >= 3 and bottoms[2] <= 844, bottoms
    context.close()


@pytest.fixture(scope="module")
def day_server(tmp_path_factory):
    from indexer.build import build_index
    from test_webui import write_day_corpus

    base = tmp_path_factory.mktemp("browser-days")
    write_day_corpus(base / "corpus")
    build_index(base / "corpus", base / "index")
    server = Server(base / "index")
    yield server
    server.close()


def test_browse_a_day_from_the_home_page(browser, day_server):
    page = browser.new_page(locale="zh-CN")
    page.goto(day_server.url + "/")
    day = page.locator(".browse input[type=date]")
    expect(day).to_have_value("2024-03-06")  # the newest day to start from
    day.fill("2024-03-05")
    page.locator(".browse button").click()
    page.wait_for_url("**day=2024-03-05**")
    expect(page.locator("h1")).to_have_text("2024-03-05 的新闻")
    titles = page.locator(".hit__title a").all_inner_texts()
    assert titles == ["开场：今天的主要内容", "国际新闻：多国举行会谈", "国内新闻：春耕生产全面展开"]
    page.locator(".hit__title a").first.click()
    page.wait_for_url("**/article/**")
    page.locator(".article__back a").click()  # back to the same day
    expect(page.locator("h1")).to_have_text("2024-03-05 的新闻")
    page.locator(".browse-bar__step", has_text="后一天").click()
    expect(page.locator("h1")).to_have_text("2024-03-06 的新闻")
    assert page.locator(".hit__title a").all_inner_texts() == ["第二天的头条新闻"]
    page.close()


def test_a_roundup_hit_opens_at_the_item_that_matched(browser, day_server):
    page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 500})
    page.goto(day_server.url + "/?q=风筝节")
    expect(page.locator(".hit__title")).to_have_text("海外简讯：沿海城市举办风筝节")
    page.locator(".hit__title a").click()
    page.wait_for_url("**#first-match")
    expect(page.locator("#first-match")).to_be_in_viewport()
    expect(page.locator("h1")).to_have_text("海外简讯")
    page.close()


def test_click_a_timeline_bar_then_a_name(page, hostile_server):
    page.goto(hostile_server.url + "/?q=北约")
    chart = page.locator("figure.timeline svg")
    expect(chart).to_be_visible()
    bars = page.locator("a.timeline__bar")
    labels = bars.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    counts = [int(label.rsplit("：", 1)[1].split()[0]) for label in labels]
    busiest = max(range(len(counts)), key=counts.__getitem__)
    assert counts[busiest] > 0
    bar = bars.nth(busiest)
    expect(bar.locator("title")).to_have_text(labels[busiest])
    bar.click()
    page.wait_for_url("**until=**")
    expect(page.locator(".results__count strong")).to_have_text(str(counts[busiest]))
    # The chart of the chosen period marks it; a name then narrows further.
    name = page.locator(".filters__group--names .facet__link").first
    label = name.locator(".facet__label").inner_text()
    count = name.locator(".facet__count").inner_text()
    name.click()
    page.wait_for_url("**=*")
    expect(page.locator(".results__count strong")).to_have_text(count)
    expect(page.locator(".active-filters")).to_contain_text(label)
    assert page.dialogs == [] and page.csp_violations == []
