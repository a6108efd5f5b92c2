"""Synthetic articles in the corpus format, for tests that need many files or exact control.

Each article has a unique title ``合成新闻<N>号…`` and a body of common words
from a seeded generator, so any article can be found by its title.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_WORDS = ("经济 发展 会议 城市 农村 科技 创新 教育 医疗 交通 能源 环境 文化 体育 旅游 "
          "市场 企业 工人 农民 学生 老师 医生 政府 政策 改革 开放 合作 国际 国内 地方 "
          "建设 项目 投资 增长 就业 收入 消费 生产 制造 服务 网络 数据 安全 法律 社会 "
          "历史 未来 今天 昨天 明年 记者 报道 采访 调查 研究 专家 认为 表示 指出 强调 "
          "提高 加强 推进 完善 保障 支持 促进 实现 坚持 落实 开展 组织 召开 举行 发布").split()


def body(n: int, paragraphs: int = 4, words: int = 40) -> str:
    rng = random.Random(n)
    paras = ["".join(rng.choice(_WORDS) for _ in range(words)) + "。" for _ in range(paragraphs)]
    return "\n".join(f"<p>{p}</p>" for p in paras)


def title(n: int) -> str:
    return f"合成新闻{n}号{random.Random(-n).choice(_WORDS)}"


def q(n: int) -> str:
    """A query that finds article ``n`` and no other: its title as a phrase."""
    return f'"{title(n)}"'


def article(n: int, *, head: str | None = None, text: str | None = None,
            categories=("新媒体", "合成站", "快讯"), date: str = "2022-03-01 08:00:00") -> str:
    cats = "\n".join(f"- {c}" for c in categories)
    return (f"---\ntitle: '{head or title(n)}'\ncategories:\n{cats}\nauthor: 合成站\n"
            f"date: {date}\n---\n<div>\n{text if text is not None else body(n)}\n</div>")


def write(root: Path, n: int, **kw) -> Path:
    """Write article ``n`` as ``root/<n // 100>/<n>.md``."""
    path = root / f"{n // 100:03d}" / f"{n:05d}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article(n, **kw), encoding="utf-8")
    return path


def write_corpus(root: Path, numbers, **kw) -> list[Path]:
    paths = [write(root, n, **kw) for n in numbers]
    age(root)
    return paths


def age(root: Path, seconds: float = 3600) -> None:
    """Date every file back, as if written long before the index (no 'racy' entries)."""
    past = time.time_ns() - int(seconds * 1e9)
    for path in Path(root).rglob("*.md"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, ns=(past, past))


def total(index_dir, query: str, timeout: float = 10.0) -> int:
    """Hits for ``query`` in a freshly opened index; -1 when there is none (yet).

    Searched in a daemon thread with a timeout, so that a hang (search.Index
    once deadlocked when a generation was published between opening and
    searching) fails a test instead of stopping the suite: it counts as -1.
    """
    import threading

    import search

    out: list[int] = []

    def run() -> None:
        try:
            out.append(search.open_index(index_dir).search(query).total)
        except search.SearchError:
            out.append(-1)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    return out[0] if out else -1


def env() -> dict:
    """Environment for running the project's modules in a child process."""
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.pop("NEWSEARCH_KILL_AT", None)
    e["PYTHONUNBUFFERED"] = "1"
    return e


def indexer(*args, timeout: float = 120, kill_at: str | None = None,
            **kw) -> subprocess.CompletedProcess:
    """Run ``python -m indexer ARGS`` and wait for it."""
    e = env()
    if kill_at:
        e["NEWSEARCH_KILL_AT"] = kill_at
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args)], cwd=ROOT,
                          env=e, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kw)
