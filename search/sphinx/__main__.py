"""python -m search.sphinx up|down|status --dir DIR: a dev cluster on 127.0.0.1."""
from __future__ import annotations

import argparse
import sys

from ..errors import SearchError
from .cluster import down, status, up


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m search.sphinx",
                                description="Run a dev Sphinx cluster (one searchd per shard).")
    sub = p.add_subparsers(dest="command", required=True)
    u = sub.add_parser("up", help="write configs, start every shard, print the URL")
    u.add_argument("--dir", required=True, help="folder for configs, data, logs and pids")
    u.add_argument("--shards", type=int, default=2, help="number of shards (default: 2)")
    u.add_argument("--port", type=int, default=9306,
                   help="SphinxQL port of the head node; shard i uses port+2i and "
                        "port+2i+1 (default: 9306)")
    u.add_argument("--name", default="news", help="index name (default: news)")
    for name, text in (("down", "stop every shard by its pid"), ("status", "say what runs")):
        sub.add_parser(name, help=text).add_argument("--dir", required=True)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "up":
            layout = up(args.dir, args.name, args.shards, args.port)
            print(layout.url, flush=True)
        elif args.command == "down":
            pids = down(args.dir)
            print(f"stopped {len(pids)} searchd process(es)" + (f": {pids}" if pids else ""))
        else:
            rows = status(args.dir)
            for r in rows:
                state = "answering" if r.running else ("running, not answering" if r.pid
                                                       else "stopped")
                print(f"shard {r.shard}: port {r.mysql_port}, pid {r.pid or '-'}, {state}")
            return 0 if all(r.running for r in rows) else 1
    except SearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
