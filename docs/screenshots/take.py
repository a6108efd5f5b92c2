"""Take the web UI screenshots in this folder with headless Chromium.

    python docs/screenshots/take.py [--index DIR] [--chromium /usr/bin/chromium] [--only FILE]

Without --index it builds a throwaway index of corpus/. Needs Debian's
chromium and fonts-noto-cjk (so Chinese renders), and the playwright package.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from waitress import create_server  # noqa: E402

from webui import create_app  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--lang=zh-CN"]
# (file name, path, viewport, colour scheme, full page)
SHOTS = [
    ("search-desktop.png", "/?q=北约", (1280, 900), "light", False),
    ("search-phone.png", "/?q=北约", (390, 844), "light", False),
    ("search-desktop-dark.png", "/?q=北约", (1280, 900), "dark", False),
    ("article-desktop.png", "ARTICLE", (1280, 900), "light", False),
    ("home-desktop.png", "/", (1280, 900), "light", False),
    # Coverage over time, and the people, places and organisations of the matches.
    ("explore-desktop.png", "/?q=俄罗斯", (1280, 900), "light", True),
    # Pinyin read as Chinese, and the suggestion under the box as it is typed again.
    ("assist-desktop.png", "/?q=beiyue", (1280, 720), "light", False),
]
TYPED = {"assist-desktop.png": "beiyue"}


def _article_path(base: str, page) -> str:
    # A text-only article: offline, a picture would show as an empty box.
    page.goto(base + "/?q=北约")
    return page.locator(".hit__title a", has_text="外长会议").first.get_attribute("href")


def take(index_dir: Path, chromium: str, only: list[str] | None = None) -> None:
    server = create_server(create_app(index_dir=index_dir), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"
    try:
        with sync_playwright() as p:
            # Date inputs follow the UI language, which Chromium on Linux takes from LANGUAGE.
            env = {**os.environ, "LANGUAGE": "zh_CN", "LANG": "zh_CN.UTF-8"}
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, env=env)
            article = _article_path(base, browser.new_page())
            for name, path, (width, height), scheme, full in SHOTS:
                if only and name not in only:
                    continue
                page = browser.new_page(viewport={"width": width, "height": height},
                                        color_scheme=scheme, device_scale_factor=1,
                                        locale="zh-CN")
                # Offline: article images elsewhere fail at once instead of timing out.
                page.route(lambda url: not url.startswith(base), lambda route: route.abort())
                page.goto(base + (article if path == "ARTICLE" else path))
                page.wait_for_load_state("networkidle")
                if name in TYPED:
                    page.locator("#q").fill("")
                    page.locator("#q").press_sequentially(TYPED[name], delay=50)
                    page.locator("#q-suggest [role=option]").first.wait_for()
                    page.wait_for_timeout(800)  # the answer for the whole text, not a prefix
                page.screenshot(path=str(OUT / name), full_page=full)
                page.close()
                print("wrote", OUT / name)
            browser.close()
    finally:
        server.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, help="existing index (default: build one of corpus/)")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--only", action="append", metavar="FILE", help="take only this shot")
    args = ap.parse_args()
    if args.index:
        take(args.index, args.chromium, args.only)
        return
    from indexer.build import build_index

    with tempfile.TemporaryDirectory() as tmp:
        build_index(ROOT / "corpus", tmp)
        take(Path(tmp), args.chromium, args.only)


if __name__ == "__main__":
    main()
