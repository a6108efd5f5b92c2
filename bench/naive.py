"""The naive recipe a user copies from a tutorial: jieba's stock analyzer in Whoosh.

Kept deliberately plain (one writer, default settings, default query parser) so the
benchmark compares our engine with what people actually write, not with a straw man
or a tuned rival. Do not optimise this file.

    python bench/naive.py CORPUS_DIR INDEX_DIR      # build
"""
import email.utils
import os
import sys
from pathlib import Path

import frontmatter
from bs4 import BeautifulSoup
from jieba.analyse.analyzer import ChineseAnalyzer
from whoosh import index
from whoosh.fields import DATETIME, ID, TEXT, Schema
from whoosh.qparser import QueryParser


def make_schema():
    analyzer = ChineseAnalyzer()
    return Schema(title=TEXT(stored=True, analyzer=analyzer),
                  body=TEXT(stored=True, analyzer=analyzer),
                  path=ID(stored=True), date=DATETIME(stored=True))


def read_post(path):
    post = frontmatter.loads(Path(path).read_text(encoding="utf-8-sig"))
    doc = {"title": str(post.get("title", "")), "path": str(path),
           "body": BeautifulSoup(post.content, "lxml").get_text()}
    try:  # the feeds write RFC-822 dates ("Thu, 03 Feb 2022 11:02:11 GMT")
        doc["date"] = email.utils.parsedate_to_datetime(str(post["date"]))
    except (KeyError, TypeError, ValueError):
        pass
    return doc


def add_posts(ix, paths):
    writer = ix.writer()
    for path in paths:
        writer.add_document(**read_post(path))
    writer.commit()


def build(corpus_dir, index_dir):
    os.makedirs(index_dir, exist_ok=True)
    ix = index.create_in(index_dir, make_schema())
    add_posts(ix, sorted(Path(corpus_dir).rglob("*.md")))
    return ix


def open_searcher(index_dir):
    """One searcher for every query, as a server keeps one: opening a searcher copies
    parts of each segment into memory (~300 ms at the whole archive), a cost a
    server pays once, not per query."""
    return index.open_dir(str(index_dir)).searcher()


def search(searcher, q):
    query = QueryParser("body", searcher.schema).parse(q)
    results = searcher.search(query, limit=10)
    return len(results), [(hit["title"], hit.highlights("body")) for hit in results]


if __name__ == "__main__":
    build(sys.argv[1], sys.argv[2])
