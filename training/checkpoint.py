"""Keras' best-only ModelCheckpoint, made atomic."""

from __future__ import annotations

import os
from pathlib import Path

import keras

from mnist_pad.files import commit, temporary_sibling
from training import silence_legacy_h5_warning

silence_legacy_h5_warning()  # a best-only checkpoint saves an .h5 at every improvement


class AtomicModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """Keras' best-only ModelCheckpoint, saving through a temporary file.

    Keras writes each improved model to a private temporary path; this callback
    then moves it over the real path in one atomic step.
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str, mode: str):
        self.target = Path(filepath)
        self.partial = temporary_sibling(self.target)
        super().__init__(self.partial, monitor=monitor, mode=mode, save_best_only=True)

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if self.partial.exists():
            commit(self.partial, self.target)

    def discard_partial(self) -> None:
        """Remove a temporary file an interrupted save left behind."""
        self.partial.unlink(missing_ok=True)
