"""Seed-format benchmark corpora, generated once from the 新闻联播 archive and cached.

A corpus for size N holds the first N stories in date order; the next 100 stories are
kept apart in a sibling folder so the update step adds genuinely new, newest-first
news, as a live feed would. `all` holds the whole archive minus its newest 100.
"""
import email.utils
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

NEW_ARTICLES = 100
_DATE = re.compile(r"^date:\s*(.+?)\s*$", re.M)


def shared_dir(repo_root):
    # The shared data sits beside the checkout; an absolute path would break on
    # any other machine or clone location.
    return Path(repo_root).resolve().parent / "shared"


def prepare(size, cache_dir, repo_root):
    """Return (corpus_dir, new_dir, article_count) for size (an int or "all")."""
    cache_dir = Path(cache_dir)
    corpus, new = cache_dir / str(size), cache_dir / f"{size}-new"
    stamp = cache_dir / f"{size}.json"
    if stamp.exists():
        remove_added(corpus, new)
        return corpus, new, json.loads(stamp.read_text())["articles"]
    # No stamp means a previous run died half way: start that size from scratch.
    for path in (corpus, new):
        shutil.rmtree(path, ignore_errors=True)
    generate(size, corpus, repo_root)
    count = hold_back_newest(corpus, new)
    stamp.write_text(json.dumps({"size": size, "articles": count}))
    return corpus, new, count


def generate(size, out, repo_root):
    tool = shared_dir(repo_root) / "tools" / "xwlb_to_posts.py"
    cmd = [sys.executable, str(tool), str(out)]
    if size != "all":
        cmd += ["--limit", str(int(size) + NEW_ARTICLES)]
    print(f"[corpus] generating {size}: {' '.join(cmd)}", file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True)


def post_date(path):
    head = path.read_text(encoding="utf-8-sig")[:2000]
    match = _DATE.search(head)
    return email.utils.parsedate_to_datetime(match.group(1)) if match else None


def hold_back_newest(corpus, new):
    """Move the newest NEW_ARTICLES posts from corpus to new; return what is left."""
    posts = sorted(corpus.rglob("*.md"))
    dated = sorted(((post_date(p), str(p)) for p in posts), key=lambda t: (t[0].timestamp(), t[1]))
    for _, path in dated[-NEW_ARTICLES:]:
        target = new / Path(path).relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    return len(posts) - NEW_ARTICLES


def new_posts(corpus, new):
    """Pairs (held-back file, where it goes in the corpus) in a stable order."""
    return [(p, corpus / p.relative_to(new)) for p in sorted(Path(new).rglob("*.md"))]


def add_new(corpus, new):
    for source, target in new_posts(corpus, new):
        target.parent.mkdir(parents=True, exist_ok=True)
        # copy, not copy2: a freshly arrived post has a fresh mtime, and an
        # incremental indexer may rely on it.
        shutil.copy(source, target)
    return [target for _, target in new_posts(corpus, new)]


def remove_added(corpus, new):
    """Undo add_new, so the cached corpus stays the size its name says."""
    for _, target in new_posts(corpus, new):
        if target.exists():
            target.unlink()
        if target.parent.exists() and not any(target.parent.iterdir()):
            target.parent.rmdir()


def probe_title(new):
    """A held-back post's title that a search for it should find unambiguously:
    Chinese only (no query syntax) and long enough not to match dozens of titles."""
    import frontmatter
    for path in sorted(Path(new).rglob("*.md")):
        title = str(frontmatter.loads(path.read_text(encoding="utf-8-sig")).get("title", ""))
        if re.fullmatch(r"[\u4e00-\u9fff]{8,}", title):
            return title
    return None


def files_size(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*.md"))
