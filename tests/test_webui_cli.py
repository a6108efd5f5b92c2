"""python -m webui: building a missing index, serving with gunicorn or waitress."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT


def test_cli_builds_a_missing_index_and_serves_with_waitress(tmp_path, monkeypatch):
    import waitress

    from webui import cli

    served = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.update(app=app, **kw))
    shutil.copytree(CORPUS, tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--port", "8123", "--workers", "1"]) == 0
    assert (served["host"], served["port"], served["threads"]) == ("127.0.0.1", 8123, 8)
    assert served["app"].test_client().get("/api/search?q=普京").get_json()["total"] == 7
    assert (tmp_path / "index").is_dir()


def test_several_workers_are_gunicorn_processes_warmed_before_serving(corpus_index_dir):
    from flask import Flask

    from webui import create_app, server

    made = []

    def make_app() -> Flask:
        made.append(create_app(index_dir=corpus_index_dir))
        return made[-1]

    gunicorn = server._gunicorn(make_app, "127.0.0.1", 8124, 3, 2)
    cfg = gunicorn.cfg
    assert (cfg.bind, cfg.workers, cfg.threads, cfg.worker_class_str) == (
        ["127.0.0.1:8124"], 3, 2, "gthread")
    app = gunicorn.load()  # what each worker does after the fork
    cfg.post_worker_init(type("Worker", (), {"wsgi": app})())
    index = app.extensions["newsearch.index"]._index
    assert index is not None and index.doc_count > 0  # opened by the warm-up, not a user


def test_workers_must_be_positive(capsys):
    from webui import cli

    with pytest.raises(SystemExit):
        cli.main(["--workers", "0"])
    assert "--workers: must be at least 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["--threads", "two"])
    assert "--threads: must be a whole number, not 'two'" in capsys.readouterr().err


def test_cli_without_index_or_corpus_exits_with_a_message(tmp_path, monkeypatch):
    from webui import cli

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match="no corpus folder"):
        cli.main(["--index", "idx", "--corpus", "missing"])


def test_python_dash_m_webui_help():
    out = subprocess.run([sys.executable, "-m", "webui", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for flag in ("--index", "--corpus", "--host", "--port"):
        assert flag in out.stdout
