"""The one runner of child-process jobs (training, adapting) for every part of the window.

A job runs in a child process (``training.process``): a native crash there ends
the job, not the app, and the child can be killed when the window closes. The
``JobRunner`` is owned by the main window; the Train tab and adaptation are its
clients and only see its signals. One job runs at a time.

Inside, a ``JobWorker`` is a QObject moved to a QThread (``started -> run``;
``done -> quit``) that starts the child, blocks on its pipe and turns each report
into a signal, which Qt queues onto the GUI thread. It never touches a widget.
The threads belong to no widget (see ``mnist_pad.gui.threads``).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from mnist_pad.gui.threads import keep_until_finished
from training.job import BatchProgress, ChildJob, EpochResult, Failed, Finished, Status


class JobWorker(QObject):
    status = Signal(str)  # a short line about the phase before the first batch
    batch_progress = Signal(object)  # training.job.BatchProgress
    epoch_ended = Signal(object)  # training.job.EpochResult
    finished = Signal(object)  # the job's training.job.JobResult
    failed = Signal(str)  # one sentence
    done = Signal()  # last of all, whatever happened

    def __init__(self, job: ChildJob):
        super().__init__()
        # Here, not at the top: the window owns a runner from its first paint, and
        # multiprocessing and the data loaders (numpy) must not delay that paint.
        from training.process import TrainingProcess

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


KILL_WAIT_MS = 2000  # a killed process is gone at once; its pipe closes with it


class JobRunner(QObject):
    """Runs one child-process job at a time and tells what happens, as signals on the GUI thread."""

    started = Signal(object)  # the job (a training.job.ChildJob), before its first report
    status = Signal(str)
    batch_progressed = Signal(object)  # training.job.BatchProgress
    epoch_ended = Signal(object)  # training.job.EpochResult
    result_ready = Signal(object)  # the job's JobResult, as soon as it arrives
    failed = Signal(str)  # one sentence
    # Last of all, once the child has exited: (the job, its JobResult or None when it failed).
    finished = Signal(object, object)
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: JobWorker | None = None
        self._job = None
        self._result = None
        self.closing = False  # shutdown() was called: clients end quietly, no dialogs

    @property
    def is_running(self) -> bool:
        return self._thread is not None

    @property
    def process_id(self) -> int | None:
        """The running job's process id, once it has started."""
        return self._worker.process.pid if self._worker is not None else None

    def run(self, job) -> bool:
        """Start ``job`` in a child process; False when another job is still running."""
        if self.is_running:
            return False
        self.closing = False
        self._job, self._result = job, None
        thread = QThread()  # no parent: see keep_until_finished
        worker = JobWorker(job)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.status.connect(self.status)
        worker.batch_progress.connect(self.batch_progressed)
        worker.epoch_ended.connect(self.epoch_ended)
        worker.finished.connect(self._keep_result)
        worker.failed.connect(self.failed)
        # Direct: shutdown() blocks the GUI thread in wait(), so a queued quit would never run.
        worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._thread_finished)
        # The keeper holds the worker too, so Python deletes it on this thread once
        # the job is over. No worker.deleteLater: Qt would run it on the finishing
        # thread while this one drops the last Python reference, and the two
        # deletions raced into a segfault (seen in CI, shiboken dealloc on a freed object).
        keep_until_finished(thread, worker.kill)  # at exit: the checkpoint on disk is whole either way
        self._thread, self._worker = thread, worker
        self.started.emit(job)
        self.running_changed.emit(True)
        thread.start()
        return True

    def stop(self) -> None:
        """Stop after the current batch; the best model written so far stays."""
        if self._worker is not None:
            self._worker.stop()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """End any job and wait for it (the window is closing).

        The job is asked to stop after its batch; one that has not ended within
        ``timeout_ms`` (importing TensorFlow, reading data) has its process
        killed, which the atomic checkpoint makes safe. Returns whether the job
        had ended by the time this returns.
        """
        if self._thread is None:
            return True
        self.closing = True
        self._worker.stop()
        if self._thread.wait(timeout_ms):
            return True
        self._worker.kill()
        return self._thread.wait(KILL_WAIT_MS)

    @Slot(object)
    def _keep_result(self, result) -> None:
        self._result = result
        self.result_ready.emit(result)

    @Slot()
    def _thread_finished(self) -> None:
        job, result = self._job, self._result
        self._thread = self._worker = self._job = None
        self.running_changed.emit(False)
        self.finished.emit(job, result)  # only once the child process has exited
