"""The Train tab's worker: relays a training child process's reports as Qt signals.

The fit itself runs in a child process (``training.process``): a native crash
there ends the run, not the app, and the child can be killed when the window
closes. This worker is a QObject moved to a QThread (``started -> run``;
``done -> quit``) that starts the child, blocks on its pipe and turns each
report into a signal, which Qt queues onto the GUI thread. It never touches a
widget. The threads belong to no widget (see ``mnist_pad.gui.threads``).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from training.job import BatchProgress, EpochResult
from training.process import ChildJob, Failed, Finished, Status, TrainingProcess


class TrainingWorker(QObject):
    status = Signal(str)  # a short line about the phase before the first batch
    batch_progress = Signal(object)  # training.job.BatchProgress
    epoch_ended = Signal(object)  # training.job.EpochResult
    finished = Signal(object)  # the job's result: training.job.TrainResult, training.adapt_job.AdaptResult
    failed = Signal(str)  # one sentence
    done = Signal()  # last of all, whatever happened

    def __init__(self, job: ChildJob):
        super().__init__()
        self.process = TrainingProcess(job)

    def stop(self) -> None:
        """Stop after the current batch; the best checkpoint written so far stays. Thread-safe."""
        self.process.stop()

    def kill(self) -> None:
        """End the training process now. Thread-safe; the checkpoint on disk stays whole."""
        self.process.kill()

    @Slot()
    def run(self) -> None:
        try:
            self.status.emit("Starting the training process…")
            self.process.start()
            for message in self.process.messages():
                self._relay(message)
        except OSError as error:  # no process could be started
            self.failed.emit(f"The training process could not be started ({error.strerror or error}).")
        finally:
            self.done.emit()

    def _relay(self, message) -> None:
        if isinstance(message, BatchProgress):
            self.batch_progress.emit(message)
        elif isinstance(message, EpochResult):
            self.epoch_ended.emit(message)
        elif isinstance(message, Status):
            self.status.emit(message.text)
        elif isinstance(message, Finished):
            self.finished.emit(message.result)
        elif isinstance(message, Failed):
            self.failed.emit(message.sentence)
