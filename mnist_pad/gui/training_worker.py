"""The Train tab's worker: ``training.fit.train`` on a QThread, reporting through signals.

The worker is a QObject moved to a QThread (``started -> run``; ``done -> quit``).
It never touches a widget: everything the tab shows arrives as a signal, which
Qt queues onto the GUI thread. TensorFlow is imported inside ``run``, so the
first import (seconds) happens off the GUI thread. The threads belong to no
widget (see ``mnist_pad.gui.threads``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from mnist_pad.model_io import first_line


@dataclass(frozen=True)
class TrainRequest:
    """What the tab asks for; turned into a ``training.fit.TrainConfig`` on the worker."""

    data_path: str | None  # None: $MNIST_PAD_DATA, else Keras' download
    out_path: str
    epochs: int = 5
    batch_size: int = 200
    augment: bool = False
    train_samples: int | None = None  # None: all training images


class TrainingWorker(QObject):
    status = Signal(str)  # a short line about the phase before the first batch
    batch_progress = Signal(object)  # training.fit.BatchProgress
    epoch_ended = Signal(object)  # training.fit.EpochResult
    finished = Signal(object)  # training.fit.TrainResult
    failed = Signal(str)  # one sentence
    done = Signal()  # last of all, whatever happened

    def __init__(self, request: TrainRequest):
        super().__init__()
        self.request = request
        self._cancel = threading.Event()

    def stop(self) -> None:
        """Stop after the current batch; the best checkpoint written so far stays.

        Thread-safe: called from the GUI thread while ``run`` blocks the worker's.
        """
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            self._run()
        finally:
            self.done.emit()

    def _run(self) -> None:
        self.status.emit("Loading TensorFlow…")
        try:
            from training.atomic import OutputError
            from training.data import DataError, load_mnist
            from training.fit import TrainConfig, TrainResult, train
        except Exception as error:  # a broken installation must not kill the thread silently
            self.failed.emit(f"TensorFlow could not be loaded: {first_line(error)}.")
            return
        request = self.request
        try:
            config = TrainConfig(
                epochs=request.epochs, batch_size=request.batch_size,
                augment=request.augment, train_samples=request.train_samples,
            )
            if self._cancel.is_set():
                self.finished.emit(TrainResult(Path(request.out_path), cancelled=True))
                return
            self.status.emit("Loading the data…")
            data = load_mnist(request.data_path)
            if self._cancel.is_set():
                self.finished.emit(TrainResult(Path(request.out_path), cancelled=True))
                return
            self.status.emit("Building the model and compiling the first batch…")
            result = train(
                data, request.out_path, config,
                on_batch=self.batch_progress.emit, on_epoch=self.epoch_ended.emit, cancel=self._cancel,
            )
        except (DataError, OutputError) as error:
            self.failed.emit(str(error))
        except Exception as error:
            self.failed.emit(f"Training failed: {first_line(error)}.")
        else:
            self.finished.emit(result)
