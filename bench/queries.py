"""Reads the query mix: one query per line, `#` comments, `# [category]` headings."""
import re
from pathlib import Path

_HEADING = re.compile(r"^#\s*\[(.+?)\]")


def load(path):
    """List of (query, category) in file order; the category is the last heading seen."""
    mix, category = [], "uncategorised"
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            category = heading.group(1).strip()
        elif line.strip() and not line.startswith("#"):
            mix.append((line.strip(), category))
    return mix
