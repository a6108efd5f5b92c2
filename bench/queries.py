"""Reads the query mix: one query per line, `#` comments, `# [category]` headings."""
import re
from pathlib import Path

_HEADING = re.compile(r"^#\s*\[(.+?)\]")


def load(path):
    """List of (query, category) in file order; the category is the last heading seen.

    A query listed twice would be timed once fresh and once as a repeat, so the
    second copy is an error naming the file, not something to average in.
    """
    mix, category, seen = [], "uncategorised", {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        heading = _HEADING.match(line)
        if heading:
            category = heading.group(1).strip()
        elif line.strip() and not line.startswith("#"):
            q = line.strip()
            if q in seen:
                raise ValueError(f"{path}:{number}: query {q!r} is already on line {seen[q]}")
            seen[q] = number
            mix.append((q, category))
    return mix
