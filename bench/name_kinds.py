"""Which words jieba's dictionary calls a person are places in the news, and the reverse,
decided by the contexts they have in an archive's bodies; prints lines for
search/names_fixes.txt.

    python bench/name_kinds.py CORPUS [--leave-out-seeds 100,200,300,400] [--min 8] [--share 0.8]

A title before a word (总统 X, 外长 X) is a person's context; a motion word before it (赴 X,
抵达 X, 位于 X) or an administrative unit after it (X 市, X 地区) a place's. A word tagged one
kind whose contexts are at least ``--share`` of the other kind, in at least ``--min`` of them,
gets the other kind; a word the dictionary calls a person without a person's shape (names.py
does not list it) is left alone, and so are words names_fixes.txt already settles. The
articles of random samples (``random.seed(S); random.sample(sorted files, 100)``) used to
judge the names are left out, so the figures of docs/quality.md come from unseen text.
"""
import argparse
import collections
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.analysis import Segmenter, normalize  # noqa: E402
from search.names import FIXES, _dictionary_tags, _person_shape, _read_fixes  # noqa: E402

TITLES = frozenset("总统 总理 主席 首相 国王 外长 部长 秘书长 议长 副总统 副总理 发言人 大使 特使 "
                   "王储 总书记 委员长 国务卿 防长 先生 女士 教授 博士 将军 常委 局长 省长 市长 "
                   "书记 院长 主任 董事长 总裁 领导人 元首".split())
MOTION = frozenset("赴 抵达 前往 途经 飞抵 来到 位于 访问 驻 离开".split())
UNITS = frozenset("市 县 省 州 岛 港 湾 区 镇 乡 村 地区 一带 境内 附近 当地 以南 以北 以东 "
                  "以西".split())
KIND = {"nr": "nr", "nrfg": "nr", "nrt": "nr", "ns": "ns", "nsf": "ns"}


def _held_out(files: list[Path], seeds: list[int]) -> set[Path]:
    held: set[Path] = set()
    for seed in seeds:
        random.seed(seed)
        held.update(random.sample(files, 100))
    return held


def contexts(corpus: Path, seeds: list[int], base: dict[str, str]):
    """word -> Counter of "person" and "place" contexts in the bodies."""
    seg = Segmenter(None)
    seg.initialize()
    files = sorted(corpus.rglob("*.md"))
    held = _held_out(files, seeds)
    seen: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for path in files:
        if path in held:
            continue
        words = list(seg.tokenizer.cut(normalize(path.read_text(encoding="utf-8",
                                                                 errors="replace"))))
        for i, word in enumerate(words):
            if base.get(word) in KIND:
                before = words[i - 1] if i else ""
                after = words[i + 1] if i + 1 < len(words) else ""
                if before in TITLES:
                    seen[word]["nr"] += 1
                elif before in MOTION or after in UNITS:
                    seen[word]["ns"] += 1
    return seen


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("--leave-out-seeds", default="100,200,300,400")
    p.add_argument("--min", type=int, default=8, help="contexts needed to decide")
    p.add_argument("--share", type=float, default=0.9, help="share of the other kind")
    args = p.parse_args()
    seg = Segmenter(None)
    seg.initialize()
    base = _dictionary_tags(seg.tokenizer.get_dict_file)
    fixes = _read_fixes(FIXES)
    seeds = [int(s) for s in args.leave_out_seeds.split(",") if s]
    for word, seen in sorted(contexts(args.corpus, seeds, base).items()):
        kind, total = KIND[base[word]], sum(seen.values())
        other = "ns" if kind == "nr" else "nr"
        if (len(word) > 1 and word not in fixes and total >= args.min
                and seen[other] >= args.share * total
                and (kind != "nr" or _person_shape(word))):
            print(f"{word} {other}")


if __name__ == "__main__":
    main()
