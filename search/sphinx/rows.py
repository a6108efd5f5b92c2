"""One article -> one row of a shard table: the tokens to match and what to show."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, tzinfo
from typing import Any

from ..analysis import is_searchable, normalize, word_runs
from ..names import KINDS
from .explore import name_codes
from ..schema import CHINA_TZ, MAX_BODY_CHARS
from ..series import stem_key
from ..series import title_key as series_title_key
from .config import EVERY, MARK
from .querybuild import category_code, category_token

__all__ = ["COLUMNS", "ALIVE", "doc_id", "row_id", "title_key", "row", "shard_of", "visible",
           "listed", "series_key", "document_of", "STORED"]

COLUMNS = ("id", "title", "body", "meta", "key", "path", "extra", "title_text", "body_text",
           "html", "ts", "has_date", "year", "tkey", "kid", "born", "dead", "blen", "fkey", "skey",
           "fold", "cats", "people", "places", "orgs")
_MASK63 = (1 << 63) - 1
ALIVE = (1 << 32) - 1  # ``dead`` of a row no write has retired


def doc_id(key: str) -> int:
    """The table's document id of an article id (its content key, 16 hex digits)."""
    return (int(key, 16) & _MASK63) or 1


def row_id(key: str, born: int) -> int:
    """A row's id: an article has one row per write that stored it (see ``visible``)."""
    digest = hashlib.blake2b(f"{key}:{born}".encode("ascii"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") & _MASK63) or 1


def visible(version: int) -> str:
    """The WHERE condition for rows of the published state ``version``.

    A write with version v adds rows born v and retires rows by setting dead = v;
    until the state row says v, readers see neither, so a write shows all at once.
    """
    return f"born <= {int(version)} AND dead > {int(version)}"


def listed(version: int) -> str:
    """``visible`` less the stubs folded into a story: what searches count and return."""
    return f"{visible(version)} AND fold = 0"


def series_key(key: int) -> int:
    """A 64-bit ``search.series`` key as a signed bigint attribute (only equality matters)."""
    return (key & _MASK63) or (1 if key else 0)


def shard_of(key: str, shards: int) -> int:
    """The shard an article lives on: stable for its id and the number of shards."""
    return doc_id(key) % shards


def title_key(norm_title: str) -> int:
    """A pasted headline is recognised by this hash of the normalised title."""
    return int(hashlib.sha1(norm_title.strip()[:500].encode("utf-8")).hexdigest()[:15], 16)


def _tokens(norm: str) -> str:
    """Runs of letters/digits joined by the marker: punctuation becomes one token."""
    return MARK.join(run for _, run in word_runs(norm))


def row(doc: dict[str, Any], born: int, fold: int = 0, zone: tzinfo = CHINA_TZ) -> tuple:
    """Column values (see COLUMNS) of a document (``indexer.cluster._document``) written by ``born``.

    ``fold`` is the ``kid`` of the story a text-less stub is folded into (0: none;
    ``search.sphinx.folding``); ``zone`` the cluster's, in which the year is counted.
    """
    title, body = doc["title"], doc["body"]
    date = doc.get("date")
    dt = datetime.fromisoformat(date) if date else None
    cats = list(doc.get("categories") or [])
    extra = {"paths": list(doc.get("paths") or [doc["path"]]), "categories": cats,
             "author": doc.get("author") or "", "date": date}
    names = doc.get("names") or {}
    for kind in KINDS:  # JSON arrays: grouped by for facets, tested by the name filters
        extra[kind] = list(names.get(kind, ()))
    ntitle = normalize(title)
    nbody = normalize(body[:MAX_BODY_CHARS])[:MAX_BODY_CHARS]  # as search.schema's body_len
    meta = " ".join([EVERY, *(category_token(c) for c in cats)])
    return (row_id(doc["id"], born), _tokens(ntitle), _tokens(nbody),
            meta, doc["id"], doc["path"], json.dumps(extra, ensure_ascii=False), title, body,
            doc.get("html") or "", int(dt.timestamp()) if dt else 0, 1 if dt else 0,
            dt.astimezone(zone).year if dt else 0, title_key(ntitle), doc_id(doc["id"]),
            born, ALIVE, min(len(nbody), 2**32 - 1) if is_searchable(nbody) else 0,
            series_key(series_title_key(title)), series_key(stem_key(title)), int(fold),
            sorted({category_code(c) for c in cats}),
            *(name_codes(extra[kind]) for kind in KINDS))


# What ``document_of`` reads back of a row: enough to write it again.
STORED = "key, path, extra, title_text, body_text, html"


def document_of(stored: tuple) -> dict[str, Any]:
    """The document (as ``row`` takes it) of a row's STORED columns."""
    key, path, extra, title, body, html = stored
    data = json.loads(extra or "{}")
    return {"id": key, "path": path, "paths": list(data.get("paths") or [path]), "title": title,
            "body": body, "html": html or "", "author": data.get("author") or "",
            "categories": list(data.get("categories") or []), "date": data.get("date"),
            "names": {kind: list(data.get(kind) or []) for kind in KINDS}}
