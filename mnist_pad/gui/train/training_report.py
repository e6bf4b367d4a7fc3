"""What the Train tab says about a run: time left, and the summary when it ends. Pure: no Qt."""

from __future__ import annotations

from training.adapt_job import AdaptResult


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


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


def outcome_title(result) -> str:
    """One or two words for the progress bar once a run has ended."""
    if result.cancelled:
        return "Stopped"
    if result.stopped_early:
        return "Stopped early"
    return "Done"


def summary_text(result, planned_epochs: int) -> str:
    """What a finished run achieved, in a few plain sentences."""
    if isinstance(result, AdaptResult):
        return adapt_summary_text(result)
    took = format_duration(result.seconds)
    complete = len(result.epochs)
    if result.cancelled:
        lines = [f"Stopped by you after {complete} of {planned_epochs} epochs ({took})."]
    elif result.stopped_early:
        lines = [
            f"Early stopping ended the run after {complete} of {planned_epochs} epochs ({took}): "
            "val_acc had stopped improving."
        ]
    else:
        lines = [f"Trained {complete} epochs in {took}."]
    if result.checkpoint_written:
        lines.append(f"Best val_acc {result.best_val_acc:.4f}, at epoch {result.best_epoch + 1}.")
        lines.append(f"Saved to {result.out_path}")
    else:
        lines.append("No epoch finished, so no model was written.")
    return "\n".join(lines)


def adapt_summary_text(result: AdaptResult) -> str:
    if result.cancelled:
        return "Adapting was stopped by you; no model was written."
    figures = result.figures
    return "\n".join([
        f"Adapted to {result.digits} of your digits in {format_duration(result.seconds)}.",
        f"Your digits: {figures['my_digits_accuracy_before']:.1%} right before, "
        f"{figures['my_digits_accuracy_after']:.1%} after.",
        f"{figures['mnist_test_sample']} MNIST test digits: {figures['mnist_test_sample_accuracy_before']:.1%} before, "
        f"{figures['mnist_test_sample_accuracy_after']:.1%} after.",
        f"Saved to {result.out_path}",
    ])
