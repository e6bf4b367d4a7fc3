"""``train`` (or an adaptation) in a child process, for a desktop app that must outlive whatever happens there.

TensorFlow's native code can take a whole process down, and a fit competes
with the GUI for the interpreter lock and sets TensorFlow's thread pools for
throughput. Run in a child, a crash costs the run, not the app and its drawing;
the child can be killed at any moment, which the atomic checkpoint makes safe;
and the parent keeps TensorFlow configured for single-drawing latency.

The child runs one job: a ``TrainJob`` here, or a ``training.adapt_settings.AdaptJob``;
each has an ``out_path`` and a ``run(report, cancel)`` that returns its result
or ``Failed``. The child reports over a one-way pipe: ``Status`` lines before the
first batch, then ``BatchProgress`` (and ``EpochResult``) as the job produces
them, and last ``Finished`` with the job's result, or ``Failed``.
``TrainingProcess.messages`` turns a child that died without a last word into
``Failed`` too. Nothing here imports Qt.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from pathlib import Path

from mnist_pad.errors import first_line
from mnist_pad.files import remove_stray_temporaries
from training import import_tensorflow_quietly
from training.job import ChildJob, Failed, Finished, Status

TRAINING_NICENESS = 10  # added to the app's scheduling niceness (POSIX)


class TrainingProcess:
    """One job (``training.fit.train``, an adaptation) in a spawned child process.

    ``start`` and ``messages`` belong to one thread (a GUI's worker thread);
    ``stop`` and ``kill`` may be called from any other.
    """

    def __init__(self, job: ChildJob):
        # spawn, not fork: forking a process that runs Qt and TensorFlow threads
        # copies their locks in whatever state they happen to be.
        context = multiprocessing.get_context("spawn")
        self.job = job
        self._receiver, self._sender = context.Pipe(duplex=False)
        self._cancel = context.Event()
        self._process = context.Process(
            target=_child_main, args=(job, self._sender, self._cancel), name="mnist-pad training",
            daemon=True,  # never outlives the app
        )

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def start(self) -> None:
        self._process.start()
        # Only the child may hold the sending end now, so its exit reads as end-of-file.
        self._sender.close()

    def stop(self) -> None:
        """Stop after the current batch; the best checkpoint written so far stays."""
        self._cancel.set()

    def kill(self) -> None:
        """End the child now (it is importing, loading data or ignoring ``stop``)."""
        if self._process.pid is not None:
            self._process.kill()

    def messages(self) -> Iterator[object]:
        """The child's reports until it has exited, always ending in Finished or Failed."""
        last = None
        while True:
            try:
                last = self._receiver.recv()
            except EOFError:
                break
            yield last
        self._process.join()
        self._receiver.close()
        if not isinstance(last, (Finished, Failed)):
            remove_stray_temporaries(Path(self.job.out_path), self._process.pid)
            yield Failed(_death_sentence(self._process.exitcode, self._cancel.is_set()))


def _death_sentence(exit_code: int | None, stopping: bool) -> str:
    if stopping:
        return "Training was ended before it could finish its batch; earlier model files are untouched."
    try:
        cause = f"signal {signal.Signals(-exit_code).name}" if exit_code < 0 else f"exit status {exit_code}"
    except ValueError:
        cause = f"signal {-exit_code}"
    return f"The training process ended unexpectedly ({cause}); earlier model files are untouched."


def _child_main(job: ChildJob, sender, cancel) -> None:
    if hasattr(os, "nice"):
        # Yield the cores to the app whenever it has work: the drawing stays
        # responsive, and training takes whatever is left, which is nearly all.
        os.nice(TRAINING_NICENESS)
    try:
        sender.send(_run_in_child(job, sender, cancel))
    except BrokenPipeError:
        pass  # the app has gone: nobody to tell, and the checkpoint is already safe


def _run_in_child(job: ChildJob, sender, cancel) -> Finished | Failed:
    """Report, run the job, and return the last word; every exception becomes ``Failed``."""
    sender.send(Status("Loading TensorFlow…"))
    try:
        import_tensorflow_quietly()
    except Exception as error:  # a broken installation is still one sentence
        return Failed(f"TensorFlow could not be loaded: {first_line(error)}.")
    try:
        result = job.run(sender.send, cancel)
    except Exception as error:  # a closed pipe too: sending this then ends the child quietly
        return Failed(f"{job.activity} failed: {first_line(error)}.")
    return result if isinstance(result, Failed) else Finished(result)
