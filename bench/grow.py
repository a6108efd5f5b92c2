"""Grow a corpus beyond the archive: new stories made of paragraphs of different
stories, each with its own title and date, so the duplicate detector (same title
and body) folds none of them. Deterministic for a given source and seed.

    python -m bench.grow SOURCE_DIR OUT_DIR N [--seed 9]

A new story takes as many paragraphs as a random real story has, each from another
random story, so lengths, vocabulary and term frequencies stay those of the
archive while every text is new; its title joins the first half of one real
title to the second half of another; its date is drawn uniformly from the
archive's span; categories and author are copied from a source story.
"""
import argparse
import datetime
import email.utils
import random
import re
import sys
from pathlib import Path

from bench.corpora import parse_date

_FRONT = re.compile(r"\A\s*---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)
_FIELD = re.compile(r"^(title|date|author):\s*(.*?)\s*$", re.M)
_CATEGORY = re.compile(r"^\s+-\s+(.+?)\s*$", re.M)
_PARAGRAPH = re.compile(r"<p[^>]*>(.*?)</p>", re.S)

TEMPLATE = """
---
title: {title}
categories: 
{categories}
author: {author}
comments: false
date: {date}
---

<div>
{body}
</div>
"""


class Source:
    """The parts of a real post a new story is made of."""

    def __init__(self, path):
        match = _FRONT.match(Path(path).read_text(encoding="utf-8-sig"))
        if not match:
            raise ValueError(f"{path}: no front matter")
        head, body = match.groups()
        fields = dict(_FIELD.findall(head))
        self.title = fields.get("title", "").strip("'\"")
        self.author = fields.get("author", "")
        self.date = parse_date(fields["date"]) if "date" in fields else None
        self.categories = _CATEGORY.findall(head.split("categories:", 1)[1]) \
            if "categories:" in head else []
        self.paragraphs = [p.strip() for p in _PARAGRAPH.findall(body) if p.strip()]


def load_sources(source_dir):
    sources = []
    for path in sorted(Path(source_dir).rglob("*.md")):
        try:
            src = Source(path)
        except (ValueError, OSError, TypeError):
            continue  # a post we cannot take apart is simply not used as material
        if src.title and src.date and src.paragraphs:
            sources.append(src)
    if len(sources) < 2:
        raise SystemExit(f"{source_dir}: need at least 2 readable posts with paragraphs")
    return sources


def quote(title):
    return '"' + title + '"' if "'" in title else "'" + title + "'"


def new_title(rng, sources, taken):
    while True:
        a, b = rng.choice(sources).title, rng.choice(sources).title
        title = a[:max(1, len(a) // 2)] + b[len(b) // 2:]
        if title not in taken:
            taken.add(title)
            return re.sub(r"[:/\\?*“”<>|\[\]'\"]", "_", title)


def story(rng, sources, taken, start, span):
    k = min(len(rng.choice(sources).paragraphs), len(sources))
    paragraphs = [rng.choice(src.paragraphs) for src in rng.sample(sources, k)]
    rng.shuffle(paragraphs)
    model = rng.choice(sources)
    when = start + datetime.timedelta(seconds=rng.randrange(span))
    return when, TEMPLATE.format(
        title=quote(new_title(rng, sources, taken)),
        categories="\n".join(f" - {c}" for c in model.categories) or " - 新闻",
        author=model.author or "新闻", date=email.utils.format_datetime(when, usegmt=True),
        body="\n".join(f"<p>{p}</p>" for p in paragraphs))


def grow(source_dir, out_dir, n, seed=9, sources=None):
    """Write n new stories under out_dir/YYYY/MM/; returns how many were written."""
    sources = sources or load_sources(source_dir)
    rng, taken = random.Random(seed), {s.title for s in sources}
    start = min(s.date for s in sources).astimezone(datetime.timezone.utc)
    span = max(1, int((max(s.date for s in sources) - start).total_seconds()))
    out = Path(out_dir)
    for i in range(n):
        when, text = story(rng, sources, taken, start, span)
        path = out / f"{when:%Y}" / f"{when:%m}" / f"g{seed}-{i:07d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return n


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="folder of posts to take paragraphs, titles and dates from")
    parser.add_argument("out", help="folder to write the new stories into")
    parser.add_argument("n", type=int, help="how many stories to write")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args(argv)
    written = grow(args.source, args.out, args.n, args.seed)
    print(f"[grow] wrote {written} stories into {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
