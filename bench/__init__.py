"""Benchmark of our engine against the naive jieba + Whoosh recipe (see docs/benchmarks.md)."""
