"""The my-digits store as the widgets see it: one open store, a signal on every change, errors as sentences.

SQLite writes of single digits take milliseconds, so they run on the GUI
thread, in the order the user made them. A store that cannot be opened or
changed is reported through ``failed`` (the window shows a dialog); the
action is then not done, and the caller keeps what it had (the drawing stays
on the pad).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from mnist_pad.my_digits import DigitStore, Sample, StoreError, pen_digits_of
from mnist_pad.pen_digits import PenDigits


class DigitCollection(QObject):
    changed = Signal()  # digits were added, deleted or relabelled
    failed = Signal(str)  # one sentence

    def __init__(self, path: str | Path, parent: QObject | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self._store: DigitStore | None = None
        self._problem: str | None = None  # why the store cannot be opened

    def open(self) -> bool:
        """Open the store now; the window does it once it shows, so that a bad store is reported at once."""
        if self._opened() is None:
            self.failed.emit(f"Your saved digits cannot be used: {self._problem}")
            return False
        return True

    @property
    def problem(self) -> str | None:
        """Why the store cannot be used, or None."""
        return self._problem

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- reading ------------------------------------------------------------------

    def samples(self) -> list[Sample]:
        return self._read(lambda store: store.samples(), [])

    def counts(self) -> list[int]:
        return self._read(lambda store: store.counts(), [0] * 10)

    def pen_digits(self) -> PenDigits:
        """Every saved digit, oldest first, as PenDigits in pad units; none when the store cannot be read."""
        return pen_digits_of(self.samples())

    # -- changing -------------------------------------------------------------------

    def add(self, strokes: list[np.ndarray], label: int, predicted: int | None) -> int | None:
        """Save a drawing; its id, or None when it could not be saved (``failed`` says why)."""
        return self._change(lambda store: store.add(strokes, label, predicted),
                            "Your drawing was not saved and stays on the pad")

    def add_all(self, drawings: list[tuple[list[np.ndarray], int, int | None]]) -> list[int] | None:
        """Save each (strokes, label, predicted), all or none; their ids, or None (``failed`` says why)."""
        return self._change(lambda store: store.add_all(drawings), "Your drawing was not saved and stays on the pad")

    def delete(self, sample_ids: list[int], consequence: str = "Nothing was deleted") -> bool:
        """Remove these digits, all or none; ``consequence``: what ``failed`` says happened instead."""
        return self._change(lambda store: store.delete(*sample_ids), consequence) is not None

    def restore(self, samples: list[Sample]) -> bool:
        return self._change(lambda store: store.restore(*samples), "The digits were not put back") is not None

    def relabel(self, labels: dict[int, int]) -> bool:
        return self._change(lambda store: store.relabel_many(labels), "Nothing was relabelled") is not None

    # -- internals ----------------------------------------------------------------

    def _opened(self) -> DigitStore | None:
        if self._store is None and self._problem is None:
            try:
                self._store = DigitStore(self.path)
            except StoreError as error:
                self._problem = str(error)
        return self._store

    def _read(self, read, fallback):
        store = self._opened()
        if store is None:
            return fallback
        try:
            return read(store)
        except StoreError as error:
            self.failed.emit(str(error))
            return fallback

    def _change(self, change, consequence: str):
        store = self._opened()
        if store is None:
            self.failed.emit(f"{consequence}: {self._problem}")
            return None
        try:
            result = change(store)
        except StoreError as error:
            self.failed.emit(f"{consequence}: {error}")
            return None
        self.changed.emit()
        return True if result is None else result
