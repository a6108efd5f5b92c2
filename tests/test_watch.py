"""--watch when the corpus folder is deleted and made again, as a feed's clean-up might do."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time

import synth


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_watch_rearms_when_the_corpus_comes_back_and_fails_when_it_is_gone(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    synth.write_corpus(corpus, range(3))
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", str(corpus), "--index", str(index), "--watch",
         "--debounce", "0.5"], env=synth.env(), cwd=synth.ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()

    def said(words: str, times: int = 1) -> bool:
        return sum(words in line for line in list(lines)) >= times

    try:
        assert _wait_for(lambda: synth.total(index, synth.q(1), timeout=3) == 1)
        shutil.rmtree(corpus)
        assert _wait_for(lambda: said("is gone")), lines
        synth.write_corpus(corpus, [1, 2, 400])
        assert _wait_for(lambda: said("is back")), lines
        assert _wait_for(lambda: synth.total(index, synth.q(400), timeout=3) == 1)
        synth.write(corpus, 401)  # an event in the new folder: the watch is armed again
        assert _wait_for(lambda: synth.total(index, synth.q(401), timeout=3) == 1)
        shutil.rmtree(corpus)
        assert _wait_for(lambda: said("is gone", 2)), lines
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
    assert proc.returncode == 4, lines  # it stopped with nothing left to watch
    assert said("stopped with the corpus folder") and not said("Traceback")
