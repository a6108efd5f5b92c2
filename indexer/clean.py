"""Article HTML -> plain text with paragraph breaks."""
from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

__all__ = ["html_to_text"]

_DROP = ("script", "style", "iframe", "img", "noscript", "template", "object", "embed",
         "video", "audio", "svg", "head", "form", "button", "input", "select", "textarea")
_BLOCK = ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
          "pre", "tr", "table", "section", "article", "figure", "figcaption", "hr",
          "header", "footer", "aside", "dd", "dt", "dl", "center", "td", "th")
_BLANKS = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


def html_to_text(html: str) -> str:
    """Visible text, one paragraph per line; inline tags do not break lines."""
    if not html or not html.strip():
        return ""
    with warnings.catch_warnings():
        # A body that is just a URL is still a body, not a file name.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_BLOCK):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (_BLANKS.sub(" ", line).strip() for line in soup.get_text().split("\n"))
    return "\n".join(line for line in lines if line)
