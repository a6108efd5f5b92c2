"""jieba's cut of a text block remembered, for the many blocks a build cuts again.

jieba cuts a text one block at a time (a run of Han letters, Latin letters and
digits between punctuation), each block alone. A build cuts every title
twice (its title words, then the names' title and lead) and news repeats its
blocks ("国家主席习近平", "新华社北京"): remembering a block's words saves
nearly a third of the cutting (docs/benchmarks.md, issue 14). The words are jieba's
own for that block, so every cut gives the words it gave before.
"""
from __future__ import annotations

from search.analysis import Segmenter

__all__ = ["remember_cuts", "BLOCKS_MAX"]

# Blocks remembered per process; when full, forgotten all at once. A block takes
# about 700 bytes (14 MB in all); 20,000 save nearly as much as 200,000 would.
BLOCKS_MAX = 20_000


def remember_cuts(seg: Segmenter, most: int = BLOCKS_MAX) -> bool:
    """Make ``seg``'s tokenizer remember the words of the blocks it cuts (loads it).

    Call once its dictionary holds every word it will (``Segmenter.initialize``
    adds the user's): a word added later would not reach the blocks remembered.
    False when this jieba cuts blocks some other way (nothing is changed then).
    """
    seg.initialize()
    tok = seg.tokenizer
    # jieba.Tokenizer.cut looks up self.__cut_DAG, the precise cut with HMM.
    cut_block = getattr(tok, "_Tokenizer__cut_DAG", None)
    if cut_block is None:
        return False
    if getattr(cut_block, "remembers", False):
        return True
    memo: dict[str, tuple[str, ...]] = {}

    def remembered(block: str) -> tuple[str, ...]:
        words = memo.get(block)
        if words is None:
            words = tuple(cut_block(block))
            if len(memo) >= most:
                memo.clear()
            memo[block] = words
        return words

    remembered.remembers = True
    tok._Tokenizer__cut_DAG = remembered
    return True
