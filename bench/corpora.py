"""Seed-format benchmark corpora, generated once from the 新闻联播 archive and cached.

Sizes:
- `all`: the whole archive (made by ../shared/tools/xwlb_to_posts.py, or linked from
  an existing folder of its posts given as `archive`);
- N up to the archive's size: its first N stories in date order;
- N beyond it: the whole archive plus new stories grown from it (bench.grow);
- `Ng` (e.g. 20000g): N grown stories only, to try the generator at a small size.
In each, the newest 100 stories are kept apart in a sibling folder, so the update
step adds genuinely new, newest-first news, as a live feed would.
"""
import datetime
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


def valid_size(size):
    return size == "all" or size.isdigit() or (size[:-1].isdigit() and size.endswith("g"))


def prepare(size, cache_dir, repo_root, archive=None, seed=9, held_back=NEW_ARTICLES):
    """Return (corpus_dir, new_dir, article_count) for a size (see the module doc)."""
    cache_dir = Path(cache_dir)
    corpus, new = cache_dir / str(size), cache_dir / f"{size}-new"
    stamp = cache_dir / f"{size}.json"
    if stamp.exists():
        remove_added(corpus, new)
        return corpus, new, json.loads(stamp.read_text())["articles"]
    # No stamp means a previous run died half way: start that size from scratch.
    for path in (corpus, new):
        shutil.rmtree(path, ignore_errors=True)
    if size == "all":
        if archive:
            link_tree(archive, sorted(Path(archive).rglob("*.md")), corpus)
        else:
            generate(corpus, repo_root)
    else:
        full, full_new, _ = prepare("all", cache_dir, repo_root, archive, seed, held_back)
        whole = sorted(full.rglob("*.md")) + sorted(full_new.rglob("*.md"))
        want = int(size.rstrip("g")) + held_back
        if size.endswith("g"):
            grow_into(full, corpus / "grown", want, seed)
        elif want <= len(whole):
            oldest = by_date(whole)[:want]
            link_tree(full, [p for p in oldest if full in p.parents], corpus)
            link_tree(full_new, [p for p in oldest if full_new in p.parents], corpus)
        else:
            link_tree(full, sorted(full.rglob("*.md")), corpus)
            link_tree(full_new, sorted(full_new.rglob("*.md")), corpus)
            grow_into(full, corpus / "grown", want - len(whole), seed)
    count = hold_back_newest(corpus, new, held_back)
    stamp.write_text(json.dumps({"size": size, "articles": count}))
    return corpus, new, count


def generate(out, repo_root):
    tool = shared_dir(repo_root) / "tools" / "xwlb_to_posts.py"
    cmd = [sys.executable, str(tool), str(out)]
    print(f"[corpus] generating the archive: {' '.join(cmd)}", file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True)


def grow_into(source, out, n, seed):
    from bench import grow
    print(f"[corpus] growing {n} stories from {source} into {out}", file=sys.stderr, flush=True)
    grow.grow(source, out, n, seed)


def link_tree(root, paths, target):
    """Hard-link (or copy, across file systems) paths under root into target:
    the cached corpus moves and removes its own links, never the originals."""
    for path in paths:
        dest = Path(target) / Path(path).relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, dest)
        except OSError:
            shutil.copy(path, dest)


def by_date(paths):
    """Oldest first; the path breaks ties, so the order is stable."""
    dated = [(post_date(p), str(p)) for p in paths]
    return [Path(p) for _, p in sorted(dated, key=lambda t: (t[0].timestamp() if t[0] else 0, t[1]))]


def post_date(path):
    head = path.read_text(encoding="utf-8-sig")[:2000]
    match = _DATE.search(head)
    return parse_date(match.group(1)) if match else None


def parse_date(text):
    """RFC-822 (the feeds) or ISO 8601 (some other posts), aware; None if neither."""
    text = text.strip().strip("'\"")
    for parse in (email.utils.parsedate_to_datetime, datetime.datetime.fromisoformat):
        try:
            value = parse(text)
        except (TypeError, ValueError):
            continue
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    return None


def hold_back_newest(corpus, new, held_back=NEW_ARTICLES):
    """Move the newest held_back posts from corpus to new; return what is left."""
    posts = sorted(corpus.rglob("*.md"))
    for path in by_date(posts)[-held_back:]:
        target = new / Path(path).relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    return len(posts) - held_back


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
