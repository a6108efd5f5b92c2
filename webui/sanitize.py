"""Untrusted article HTML -> safe HTML, optionally with query matches in <mark>.

The stored HTML comes from crawled pages, so it is cleaned with an nh3
allow-list before anything else. Highlighting then works on the cleaned
output only, and only inside text nodes, so it can never create markup
from the article's own text.
"""
from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from markupsafe import Markup

import search
from search.highlight import Highlighter
from search.query import highlight_terms, parse

__all__ = ["clean_html", "highlighted_html", "highlighter_for"]

_TAGS = {
    "p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "pre", "code",
    "h2", "h3", "h4", "h5", "h6", "img", "span", "div", "figure", "figcaption",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
}
_ATTRIBUTES = {
    "*": {"title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
}
_URL_SCHEMES = {"a": {"http", "https", "mailto"}, "img": {"http", "https"}}


def _keep_url(tag: str, attr: str, value: str) -> str | None:
    # nh3's scheme list is global; images must not get mailto: (or anything else).
    if attr in ("href", "src"):
        scheme = urlsplit(value.strip()).scheme.lower()
        return value if scheme in _URL_SCHEMES.get(tag, ()) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style", "iframe", "object", "embed", "template",
                        "noscript", "svg", "math", "textarea", "select"},
    attributes=_ATTRIBUTES,
    attribute_filter=_keep_url,
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",  # a relative URL would point into this site
    link_rel="noopener noreferrer nofollow",
    set_tag_attribute_values={"img": {"referrerpolicy": "no-referrer", "loading": "lazy"}},
    strip_comments=True,
)


def clean_html(html: str) -> str:
    """The article HTML reduced to the allow-list; safe to put in a page."""
    return _CLEANER.clean(html or "")


class _Rewriter(HTMLParser):
    """Re-serialises clean HTML: marks matches in text nodes, drops images left without src."""

    def __init__(self, marker: Highlighter | None):
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.out: list[str] = []

    def _tag(self, tag: str, attrs, close: str) -> str:
        parts = "".join(f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs)
        return f"<{tag}{parts}{close}>"

    def handle_starttag(self, tag: str, attrs: list) -> None:
        # An image whose src was unsafe would only show as a broken icon.
        if tag != "img" or any(name == "src" and value for name, value in attrs):
            self.out.append(self._tag(tag, attrs, ""))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        # Both branches escape the text: it was unescaped by the parser.
        self.out.append(self.marker.mark(data) if self.marker else escape(data, quote=False))


def highlighted_html(html: str, marker: Highlighter | None = None) -> Markup:
    """Sanitised article HTML, with matches marked when a highlighter is given."""
    parser = _Rewriter(marker)
    parser.feed(clean_html(html))
    parser.close()
    return Markup("".join(parser.out))


def highlighter_for(ix: search.Index, q: str, literal: bool = False) -> Highlighter | None:
    """A highlighter for the terms of query ``q`` (and its synonyms), or None when it has none."""
    assistant = getattr(ix, "assistant", None)
    if q and assistant is not None and not literal:
        q = assistant.expand(q)
    terms = highlight_terms(parse(q), ix.segmenter) if q and q.strip() else []
    return Highlighter(terms) if terms else None
