"""Background threads that outlive the widgets that started them.

Qt aborts the whole process when a running QThread is destroyed. A thread
parented to a window dies with the window, so ours belong to no widget: this
keeper holds each one until it has finished. At interpreter exit it asks the
ones still running to stop and waits for them.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import Callable

from PySide6.QtCore import QObject, QThread, Slot

EXIT_WAIT_MS = 60_000


class _ThreadKeeper(QObject):
    def __init__(self):
        super().__init__()
        self._running: list[tuple[QThread, Callable[[], None] | None]] = []

    def keep(self, thread: QThread, stop: Callable[[], None] | None) -> None:
        self._running.append((thread, stop))
        thread.finished.connect(self._release)  # queued: the thread object is dropped on this thread

    @Slot()
    def _release(self) -> None:
        ended = self.sender()
        self._running = [(t, s) for t, s in self._running if t is not ended]

    def running(self) -> list[QThread]:
        return [thread for thread, _ in self._running if thread.isRunning()]

    def stop_all_at_exit(self) -> None:
        for thread, stop in self._running:
            if stop is not None:
                stop()
            if not thread.wait(EXIT_WAIT_MS):
                # Stuck (a model file on a hung network drive): leave without running destructors.
                print("mnist-pad: a background task did not stop; exiting anyway.", file=sys.stderr)
                os._exit(1)


_keeper = _ThreadKeeper()
atexit.register(_keeper.stop_all_at_exit)


def keep_until_finished(thread: QThread, stop: Callable[[], None] | None = None) -> None:
    """Hold ``thread`` (unparented) alive until it has finished; ``stop`` asks it to end early."""
    _keeper.keep(thread, stop)


def running_threads() -> list[QThread]:
    return _keeper.running()
