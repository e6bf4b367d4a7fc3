"""What the Train tab says while a job runs: the time left. Pure: no Qt."""

from __future__ import annotations


class EtaClock:
    """Estimates the time left from the pace since the first batch.

    The first batch is left out because it includes compiling the training step.
    The pace includes the validation passes of the epochs done so far, so the
    estimate grows more honest with every epoch.
    """

    def __init__(self, epochs: int):
        self.epochs = epochs
        self._start: tuple[float, int] | None = None  # (time, batches done) at the first batch

    def seconds_left(self, progress, now: float) -> float | None:
        done = progress.epoch * progress.batches_per_epoch + progress.batch
        if self._start is None:
            self._start = (now, done)
            return None
        started, done_at_start = self._start
        if done <= done_at_start:
            return None
        pace = (now - started) / (done - done_at_start)
        return pace * (self.epochs * progress.batches_per_epoch - done)
