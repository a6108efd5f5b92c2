"""Machine-readable views: the OpenSearch description, its suggestions, an Atom feed per query.

Both are built with xml.etree, which escapes every value; characters XML 1.0
cannot carry at all (control characters in a query) are dropped first.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from html import unescape
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, url_for

import search

from .formatting import iso
from .params import parse_search_args, run_search, suggest_args
from .shared_index import current_index

__all__ = ["bp", "xml_text"]

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
FEED_SIZE = 20
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TAG = re.compile(r"<[^>]*>")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (ElementTree would emit them)."""
    return _NOT_XML.sub("", value or "")


def _xml_response(root: ET.Element, mimetype: str) -> Response:
    body = ET.tostring(root, encoding="unicode")
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body,
                    mimetype=mimetype)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_text(text)
    return el


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    # Plain tag names under an xmlns attribute: ElementTree's own namespace
    # handling needs process-wide prefix registration.
    root = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH)
    name = current_app.config["SITE_NAME"]
    _sub(root, "ShortName", name)
    _sub(root, "Description", f"{name}：中文新闻全文检索")
    _sub(root, "InputEncoding", "UTF-8")
    home = url_for("views.search", _external=True)
    _sub(root, "Url", type="text/html", method="get",
         template=home + "?q={searchTerms}")
    _sub(root, "Url", type="application/x-suggestions+json", method="get",
         template=url_for("feeds.suggestions", _external=True) + "?q={searchTerms}")
    _sub(root, "Url", type="application/atom+xml", method="get",
         template=url_for("feeds.atom", _external=True) + "?q={searchTerms}")
    _sub(root, "Url", type="application/opensearchdescription+xml",
         rel="self", template=url_for("feeds.opensearch", _external=True))
    return _xml_response(root, "application/opensearchdescription+xml")


@bp.get("/suggest")
def suggestions() -> Response:
    """OpenSearch suggestions, for a browser's address bar: ``[query, [completions]]``."""
    q, limit = suggest_args(request.args)
    body = json.dumps([q, current_index().suggest(q, limit)], ensure_ascii=False)
    return Response(body, mimetype="application/x-suggestions+json")


def _plain(snippet_html: str) -> str:
    # snippet_html is escaped text plus <mark> tags; the feed wants the text.
    return unescape(_TAG.sub("", snippet_html))


def _entry(feed: ET.Element, hit: search.Hit, q: str, built: str) -> None:
    entry = _sub(feed, "entry")
    _sub(entry, "title", hit.display_title or "（无标题）", type="text")
    _sub(entry, "link", rel="alternate", type="text/html",
         href=url_for("views.article", article_id=hit.id, q=q or None, _external=True))
    _sub(entry, "id", f"urn:newsearch:article:{hit.id}")
    _sub(entry, "updated", iso(hit.date) or built)
    if hit.author:
        _sub(_sub(entry, "author"), "name", hit.author)
    for name in hit.categories:
        _sub(entry, "category", term=name)
    _sub(entry, "summary", _plain(hit.snippet_html), type="text")


@bp.get("/feed.atom")
def atom() -> Response:
    params = parse_search_args(request.args, default_per_page=FEED_SIZE)
    params = params.with_(sort="newest", page=1)  # a feed is always newest first
    result = run_search(current_index(), params)
    built = datetime.now(timezone.utc).isoformat(timespec="seconds")
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "zh-CN"})
    name = current_app.config["SITE_NAME"]
    _sub(feed, "title", f"{name}：{params.q}" if params.q.strip() else name)
    self_url = url_for("feeds.atom", _external=True, **params.url_args())
    _sub(feed, "id", self_url)
    _sub(feed, "updated", max((iso(h.date) for h in result.hits if h.date),
                                         default=built))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html",
         href=url_for("views.search", _external=True, **params.url_args()))
    _sub(_sub(feed, "author"), "name", name)
    for hit in result.hits:
        _entry(feed, hit, params.q, built)
    return _xml_response(feed, "application/atom+xml")
