"""How well display titles undo the pipeline's ``_``, against the archive's own titles.

    python -m bench.titles [--years 2019-2026] [--show 20]

The 新闻联播 archive (../shared/corpora/xwlb) keeps every story's original title;
../shared/tools/xwlb_to_posts.py files it with ``:/\\?*“”<>|[]`` replaced by ``_``,
as the pipelines do. For each story this applies that tool's own replacement,
restores with ``search.titles.display_title`` and counts: altered titles restored
exactly, and unaltered titles the restoration changed (must be 0).
"""
from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path

from search.titles import display_title

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT.parent / "shared" / "tools" / "xwlb_to_posts.py"


def _tool():
    spec = importlib.util.spec_from_file_location("xwlb_to_posts", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def titles(years: tuple[int, int] | None):
    """(original, as filed) for every story, filed exactly as the tool files it."""
    tool = _tool()
    for video, detail in tool.stories(years):
        filed, _when, _text = tool.render(video, detail)
        original = re.sub(r"^\[视频\]", "",
                          (video.get("video_title") or detail.get("title") or "").strip())
        yield original, filed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", help="e.g. 2019-2026 (default: the whole archive)")
    parser.add_argument("--show", type=int, default=0, help="print N titles not restored")
    args = parser.parse_args(argv)
    years = tuple(int(y) for y in args.years.split("-")) if args.years else None
    if years and len(years) == 1:
        years = (years[0], years[0])
    altered = restored = unaltered = changed = 0
    misses = []
    for original, filed in titles(years):
        shown = display_title(filed)
        if original == filed:
            unaltered += 1
            changed += shown != original
        else:
            altered += 1
            restored += shown == original
            if shown != original and len(misses) < args.show:
                misses.append((original, filed, shown))
    for original, filed, shown in misses:
        print(f"{original}\n  filed: {filed}\n  shown: {shown}")
    print(f"altered titles: {altered}, restored exactly: {restored} "
          f"({restored / max(1, altered):.1%})")
    print(f"unaltered titles: {unaltered}, changed by the restoration: {changed}")


if __name__ == "__main__":
    main()
