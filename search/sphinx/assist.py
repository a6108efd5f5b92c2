"""A cluster's query assistance: its lexicon and synonyms, in a folder on this machine.

The cluster stores articles, not the lexicon's arrays; the indexer writes
them (``indexer.textcounts``) into ``cluster_folder`` on the machine it runs
on, with the Han bigrams' counts that read pinyin the lexicon lacks
(``search.lattice``), beside the synonyms given with ``--synonyms``. A reader on that machine
assists queries as on a local index; elsewhere it searches literally, with
the default synonyms.
"""
from __future__ import annotations

from pathlib import Path

from ..analysis import _cache_dir
from ..assist import Assistant
from ..lattice import GRAMS_NAME, Lattice
from ..lexicon import LEXICON_NAME, LexiconFile
from ..synonyms import SynonymSource

__all__ = ["cluster_folder", "cluster_assistant"]


def cluster_folder(host: str, port: int, name: str) -> Path:
    """Where the lexicon and synonyms of the cluster at host:port/name are kept."""
    return Path(_cache_dir()) / f"sphinx-{host}-{port}-{name}"


def cluster_assistant(host: str, port: int, name: str) -> Assistant:
    folder = cluster_folder(host, port, name)
    return Assistant(LexiconFile(folder / LEXICON_NAME), SynonymSource(folder),
                     LexiconFile(folder / GRAMS_NAME, Lattice.load))
