"""``python -m indexer --watch``: keep the index in step with a corpus a feed writes into.

File events (``watchdog``: inotify on Linux, polling where that is not
available) only say *when* to look; what changed is worked out by the same
incremental update as a normal run, from the manifest and the disk. So a
missed or merged event costs nothing but time, and a full rescan also runs
every ``rescan`` seconds in case the event source dropped something.

Events are debounced: an update starts once the corpus has been quiet for
``quiet`` seconds, or ``longest`` seconds after the first unhandled event
when a feed never stops writing. Files being written when an update runs are
picked up by the next one (their close or move is an event too).
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler

__all__ = ["watch", "QUIET_S", "LONGEST_S", "RESCAN_S"]

QUIET_S = 2.0
# A feed writing every second is never quiet: the cap is then the delay before
# an update starts, and the update's own time comes on top (goal: searchable < 10 s).
LONGEST_S = 5.0
RESCAN_S = 600.0
# Events that say nothing about content: our own reads cause them.
_IGNORED = {"opened", "closed_no_write"}


class _Changes(FileSystemEventHandler):
    """Remembers when the first and the last relevant event of a batch arrived."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pending = threading.Event()
        self.first = self.last = 0.0

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _IGNORED:
            return
        paths = [os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", "") or "")]
        if event.is_directory:
            if event.event_type == "modified":  # a file came or went; its own event says which
                return
        elif not any(p.endswith(".md") for p in paths):
            return
        self.mark()

    def mark(self) -> None:
        with self._lock:
            now = time.monotonic()
            if not self.pending.is_set():
                self.first = now
            self.last = now
            self.pending.set()

    def take(self) -> None:
        with self._lock:
            self.pending.clear()

    def settled(self, quiet: float, longest: float) -> float:
        """Seconds still to wait before the batch is handled (0: now)."""
        with self._lock:
            now = time.monotonic()
            return max(0.0, min(self.last + quiet - now, self.first + longest - now))


def _observer(root: Path, handler: _Changes, log: Callable[[str], None]):
    from watchdog.observers import Observer

    observer = Observer()
    try:
        observer.schedule(handler, str(root), recursive=True)
        observer.start()
        return observer
    except OSError as exc:  # e.g. the inotify watch limit
        from watchdog.observers.polling import PollingObserver

        log(f"note: file events unavailable ({exc}); polling {root} every second instead")
        observer = PollingObserver(timeout=1)
        observer.schedule(handler, str(root), recursive=True)
        observer.start()
        return observer


def _identity(root: Path) -> tuple[int, int] | None:
    """The corpus folder's (device, inode), or None while it is missing."""
    try:
        st = root.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if os.path.isdir(root) else None


def _rearm(observer, root: Path, handler: _Changes, log: Callable[[str], None]):
    """A new observer on ``root``: the old one watched a folder that is gone."""
    observer.stop()
    observer.join(timeout=5)
    return _observer(root, handler, log)


def watch(corpus: str | os.PathLike, update: Callable[[], bool], *, quiet: float = QUIET_S,
          longest: float = LONGEST_S, rescan: float = RESCAN_S,
          stop: threading.Event | None = None, log: Callable[[str], None] = print) -> bool:
    """Run ``update`` now and after every settled batch of changes, until ``stop`` is set.

    ``update`` returns True when it could not run (the index was busy) and
    should be tried again shortly. SIGTERM sets ``stop``; Ctrl-C interrupts.
    A corpus folder that is deleted is waited for, and watched again when it
    comes back; one gone for ``rescan`` seconds ends the watch. Returns False
    normally, True when the watch ended with the corpus folder gone.
    """
    root = Path(corpus)
    stop = stop or threading.Event()
    handler = _Changes()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    observer = _observer(root, handler, log)
    ident, gone_since = _identity(root), None
    try:
        next_run = time.monotonic()  # first update right away
        while not stop.is_set():
            now_ident = _identity(root)
            if now_ident is None:
                if gone_since is None:
                    gone_since = time.monotonic()
                    log(f"note: the corpus folder {root} is gone; waiting for it to come back")
                elif time.monotonic() - gone_since > rescan:
                    log(f"error: the corpus folder {root} has been gone for {rescan:.0f} s; "
                        "stopping")
                    return True
                stop.wait(0.5)
                continue
            if gone_since is not None or now_ident != ident:
                observer, ident, gone_since = _rearm(observer, root, handler, log), now_ident, None
                log(f"note: the corpus folder {root} is back; watching it again")
                next_run = time.monotonic()
            if handler.pending.is_set():
                wait = handler.settled(quiet, longest)
                if wait <= 0:
                    handler.take()
                    next_run = time.monotonic()
            else:
                wait = 1.0
            if time.monotonic() >= next_run:
                retry = update()
                next_run = time.monotonic() + (min(quiet * 2, 5.0) if retry else rescan)
                continue
            stop.wait(min(wait, 1.0, max(0.0, next_run - time.monotonic())) or 0.05)
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join(timeout=5)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return _identity(root) is None
