"""When no article can be read, the run builds nothing, and --report still names every
skipped file and why (it once wrote "skipped": [] beside "1 files, 1 skipped")."""
from __future__ import annotations

import json
import subprocess
import sys

import synth


def test_report_names_every_skipped_file_when_nothing_is_built(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "no-front-matter.md").write_text("只有正文，没有头部。", encoding="utf-8")
    (corpus / "broken-yaml.md").write_text("---\ntitle: [未闭合\n---\n正文", encoding="utf-8")
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "indexer", str(corpus), "--index", str(tmp_path / "index"),
         "--report", str(report)], cwd=synth.ROOT, env=synth.env(), capture_output=True,
        text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 4
    assert "no readable article" in result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["exit_status"] == 4 and "no readable article" in data["error"]
    reasons = {s["path"]: s["reason"] for s in data["skipped"]}
    assert set(reasons) == {"empty.md", "no-front-matter.md", "broken-yaml.md"}
    assert "empty" in reasons["empty.md"]
    assert "front matter" in reasons["no-front-matter.md"]
    assert "YAML" in reasons["broken-yaml.md"]
    assert data["files"] == 3
    for path in reasons:  # and on stderr, as in a run that built something
        assert f"skipped {path}:" in result.stderr
