"""Things in a readable file odd enough to warn about, though it is indexed: the reasons."""
from __future__ import annotations

__all__ = ["byte_notes", "meta_notes", "name_note"]

_BOMS = ((b"\xef\xbb\xbf", "UTF-8"), (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def byte_notes(data: bytes) -> list[str]:
    """A byte-order mark, CRLF line ends."""
    notes = [f"starts with a {name} byte-order mark (ignored)"
             for bom, name in _BOMS if data.startswith(bom)][:1]
    if b"\r\n" in data:
        notes.append("CRLF (Windows) line ends; read as LF")
    return notes


def meta_notes(meta: dict) -> list[str]:
    """A title that is not a plain string (a YAML list, a number, a mapping)."""
    title = meta.get("title")
    if isinstance(title, (list, tuple)):
        return ["title is a YAML list; its items are joined with spaces"]
    if title is not None and not isinstance(title, str):
        return [f"title is a YAML {type(title).__name__}, not text; read as text"]
    return []


def name_note(name: str) -> str:
    """Why a Markdown file the corpus walk leaves out is not read ('' for other files)."""
    if name.lower().endswith(".md") and not name.endswith(".md"):
        return "not read: only files ending in .md (lower case) are articles; rename it"
    return ""
