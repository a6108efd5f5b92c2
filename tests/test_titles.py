"""Display titles: what RSS-to-file pipelines replaced with "_" comes back for display."""
from __future__ import annotations

import pytest

from conftest import FIXTURES, needs_shared
from search.titles import display_title

PAIRS = [line.split("\t") for line in (FIXTURES / "titles.tsv").read_text("utf-8").splitlines()
         if line and not line.startswith("#")]


@pytest.mark.parametrize("filed,shown", PAIRS)
def test_display_title(filed, shown):
    assert display_title(filed) == shown


@pytest.mark.parametrize("title", ["", "普通标题", "北约：峰会", "a_b", "x" * 1000 + "_"])
def test_titles_without_pipeline_marks_are_never_changed(title):
    assert display_title(title) == title


def test_restores_the_archive_titles():
    """On one year of the real archive: at least 95% restored exactly, none harmed."""
    needs_shared()
    from bench.titles import titles

    altered = restored = harmed = 0
    for original, filed in titles((2021, 2021)):
        if original == filed:
            harmed += display_title(filed) != original
        else:
            altered += 1
            restored += display_title(filed) == original
    assert altered > 100 and restored >= 0.95 * altered and harmed == 0
