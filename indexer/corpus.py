"""Walk a corpus folder and read each file into an Article, or say why not."""
from __future__ import annotations

import codecs
import html
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Iterator

import frontmatter
import yaml

from .clean import html_to_text
from .dates import DEFAULT_TZ, parse_date
from .errors import CorpusNotFound
from .oddities import byte_notes, meta_notes, name_note
from .scrub import Scrubbed

__all__ = ["Article", "Problem", "find_files", "scan_corpus", "read_bytes", "parse_article",
           "read_article", "iter_articles", "MAX_FILE_BYTES"]

# Larger files are read only up to here; news articles are a few KB.
MAX_FILE_BYTES = 8 * 1024 * 1024
# The encoding of a file cut at the limit is guessed from this much of its head.
_SAMPLE_BYTES = 256 * 1024
_ENCODINGS = ["gb18030", "big5", "utf_16", "cp1252"]
# More NUL bytes than this in the first 8 KB: a binary file (a few are scraped text's).
_NULS_IN_TEXT = 8


@dataclass
class Problem:
    """Something wrong with one file: skipped (fatal) or indexed with a caveat."""

    path: str
    reason: str
    fatal: bool = True


@dataclass
class Article:
    """One article as read from its file."""

    path: str                 # relative to the corpus root, POSIX separators
    title: str
    body: str                 # cleaned text, one paragraph per line
    html: str                 # the original body HTML (untrusted)
    categories: list[str]
    author: str
    date: datetime | None
    image: str = ""
    warnings: list[Problem] = field(default_factory=list)


def find_files(root: str | os.PathLike) -> list[Path]:
    """Every *.md file below root, sorted; symlinked folders are not followed."""
    return scan_corpus(root)[0]


def scan_corpus(root: str | os.PathLike) -> tuple[list[Path], list[Problem]]:
    """Every *.md file below root, sorted, and notes on what the walk left out.

    Symlinked folders are not followed (a link back up the tree would loop);
    each is reported. A folder that cannot be listed is reported too.
    """
    root = Path(root)
    if not root.is_dir():
        raise CorpusNotFound(f"corpus folder not found: {root}")
    found: list[Path] = []
    notes: list[Problem] = []

    def unlisted(exc: OSError) -> None:
        rel = _rel(root, Path(exc.filename)) if exc.filename else "."
        notes.append(Problem(rel, f"folder not read: {exc.strerror or exc}"))

    for folder, dirs, files in os.walk(root, onerror=unlisted, followlinks=False):
        here = Path(folder)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                notes.append(Problem(_rel(root, here / name), _link_note(here / name), False))
        dirs.sort()
        found.extend(here / f for f in files if f.endswith(".md"))
        notes.extend(Problem(_rel(root, here / f), name_note(f), False)
                     for f in sorted(files) if name_note(f))
    return sorted(found), notes


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _link_note(link: Path) -> str:
    target = link.resolve()
    if target == link.parent.resolve() or target in link.parent.resolve().parents:
        return "symbolic link loop (points back to an enclosing folder); not followed"
    return "symbolic link to a folder; not followed"


def read_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    """The file's first MAX_FILE_BYTES + 1 bytes and its status when opened.

    OSError (with a reason fit for a report) when it cannot be read. Opening
    does not block on a FIFO, and only regular files are read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"not a regular file ({_kind(st.st_mode)})")
        chunks, left = [], MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks), st
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a file"


def _decode(data: bytes, cut: bool = False) -> tuple[str, str | None]:
    """Text and, when it was not UTF-8, the encoding used.

    ``cut``: reading stopped at the size limit, maybe inside a character.
    An incremental decoder then decodes up to the last whole character, and
    the encoding is guessed from the head (a torn character at the end would
    make every multibyte encoding fail and leave the guess to a wrong one).
    """
    try:
        return _decode_all(data, "utf-8-sig", cut), None
    except UnicodeDecodeError:
        pass
    best = _guess(data[:_SAMPLE_BYTES] if cut else data, cut)
    if best is None:
        raise ValueError("binary file, not text" if 0 in data[:8192] else
                         "not UTF-8 and no known text encoding fits")
    if not cut:
        return str(best), best.encoding
    try:
        return _decode_all(data, best.encoding, cut), best.encoding
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8, and not {best.encoding} throughout "
                         f"(byte {exc.start})") from None


def _decode_all(data: bytes, encoding: str, cut: bool) -> str:
    """``data`` decoded strictly; when ``cut``, a torn last character is left out."""
    return codecs.getincrementaldecoder(encoding)("strict").decode(data, final=not cut)


def _guess(data: bytes, cut: bool):
    from charset_normalizer import from_bytes

    # A sample cut inside a character (at most 3 bytes of it) fits no encoding.
    for trim in range(4 if cut else 1):
        best = from_bytes(data[:len(data) - trim], cp_isolation=_ENCODINGS).best()
        if best is not None:
            return best
    return None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value if v is not None)
    return html.unescape(str(value)).strip()


def _categories(value: object) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [c for c in (_text(v) for v in items) if c]


def _split(text: str, rel: str) -> tuple[dict, str]:
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped.startswith("---"):
        raise ValueError("no front matter (the file must start with ---)")
    try:
        post = frontmatter.loads(stripped)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"broken YAML front matter{where}: {problem}") from None
    if not post.metadata:
        raise ValueError("front matter is empty, not closed by ---, or not a mapping")
    return dict(post.metadata), post.content


def read_article(root: Path, path: Path, naive_tz: tzinfo = DEFAULT_TZ
                 ) -> tuple[Article | None, list[Problem]]:
    """Read one file. Returns the article (or None) and what was wrong with it."""
    try:
        data, _ = read_bytes(path)
    except OSError as exc:
        return None, [Problem(path.relative_to(root).as_posix(),
                              f"cannot read: {exc.strerror or exc}")]
    return parse_article(root, path, data, naive_tz)


def parse_article(root: Path, path: Path, data: bytes, naive_tz: tzinfo = DEFAULT_TZ
                  ) -> tuple[Article | None, list[Problem]]:
    """The article in ``data`` (the bytes of ``path``, as read_bytes gives them)."""
    rel = path.relative_to(root).as_posix()
    notes: list[Problem] = []
    cut = len(data) > MAX_FILE_BYTES
    if cut:
        data = data[:MAX_FILE_BYTES]
        notes.append(Problem(rel, f"larger than {MAX_FILE_BYTES} bytes; rest ignored", False))
    if not data.strip():
        return None, [Problem(rel, "empty file")]
    # A NUL or two is scraped text's (dropped below); binary files hold them everywhere.
    if data[:8192].count(0) > _NULS_IN_TEXT and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(rel, "binary file, not text")]
    scrubbed = Scrubbed()
    try:
        text, encoding = _decode(data, cut)
        if encoding:
            notes.append(Problem(rel, f"not UTF-8; decoded as {encoding}", False))
        notes.extend(Problem(rel, reason, False) for reason in byte_notes(data))
        meta, content = _split(scrubbed(text).replace("\r\n", "\n"), rel)
    except ValueError as exc:
        return None, notes + [Problem(rel, str(exc))]
    return _article(rel, path, meta, content, naive_tz, notes, scrubbed), notes


def _article(rel: str, path: Path, meta: dict, content: str, naive_tz: tzinfo,
             notes: list[Problem], scrubbed: Scrubbed) -> Article:
    # YAML escapes ("\x01", "\ud800") and HTML entities make characters of their own.
    title = scrubbed(_text(meta.get("title"))) or scrubbed(path.stem)
    notes.extend(Problem(rel, reason, False) for reason in meta_notes(meta))
    categories = [c for c in map(scrubbed, _categories(meta.get("categories"))) if c]
    author = scrubbed(_text(meta.get("author")))
    image = scrubbed(_text(meta.get("headimg") or meta.get("thumbnail")))
    date = None
    if meta.get("date") is None:
        notes.append(Problem(rel, "no date", False))
    else:
        try:
            date = parse_date(meta["date"], naive_tz)
        except ValueError as exc:
            notes.append(Problem(rel, f"bad date, indexed without one: {exc}", False))
    body_html = content.strip()
    body = scrubbed(html_to_text(body_html))
    if scrubbed.removed:
        notes.append(Problem(rel, f"{scrubbed.removed} control characters (or lone "
                                  f"surrogates) removed", False))
    return Article(
        path=rel, title=title, body=body, html=body_html, categories=categories,
        author=author, date=date, image=image, warnings=list(notes))


def iter_articles(root: str | os.PathLike) -> Iterator[tuple[Article | None, list[Problem]]]:
    """read_article for every file of the corpus, in path order."""
    root = Path(root)
    for path in find_files(root):
        yield read_article(root, path)
