"""An article as a build holds it between reading and writing: small.

A full build keeps every article of the corpus in memory until the writers
take them (duplicates are found only when all are read), and each forked
writer copies the pages of the articles it touches. As Python strings the
body and HTML of a story take about 4 KB; compressed together (they repeat
each other) about a quarter of that.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime

from .corpus import Article

__all__ = ["Story"]


@dataclass(slots=True)
class Story:
    """What indexing needs of one file's article; ``key`` identifies its content."""

    path: str
    title: str
    categories: list[str]
    author: str
    date: datetime | None
    key: str
    packed: bytes  # zlib of: body length (4 bytes), body, HTML, in UTF-8

    @classmethod
    def of(cls, art: Article, key: str) -> "Story":
        body, html = (t.encode("utf-8", "surrogatepass") for t in (art.body, art.html))
        packed = zlib.compress(len(body).to_bytes(4, "little") + body + html, 1)
        return cls(art.path, art.title, list(art.categories), art.author, art.date, key, packed)

    def texts(self) -> tuple[str, str]:
        """(body, html)."""
        data = zlib.decompress(self.packed)
        split = 4 + int.from_bytes(data[:4], "little")
        return (data[4:split].decode("utf-8", "surrogatepass"),
                data[split:].decode("utf-8", "surrogatepass"))
