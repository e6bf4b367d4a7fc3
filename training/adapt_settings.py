"""How an adaptation to one writer is set up, when it may start, and what it reports. Plain data, no Keras.

The GUI builds a ``training.jobs.AdaptJob`` and reads its ``AdaptResult`` without
importing TensorFlow; ``training.adapt`` does the work in the training child process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mnist_pad.errors import PlainError
from training.job import format_duration

# Fewer digits than this made some writers worse than the model they started
# from (README, "Adapting to your handwriting"): the action refuses instead.
MIN_DIGITS = 10
# Pen digits of other writers (the pen-digits layout) to replay beside MNIST, when set.
PEN_DIGITS_ENV_VAR = "MNIST_PAD_PEN_DIGITS"


class AdaptError(PlainError):
    """An adaptation that cannot be done; the message is one plain sentence."""


def too_few_digits(count: int) -> str | None:
    """Why ``count`` digits cannot be adapted to, or None when they can."""
    if count >= MIN_DIGITS:
        return None
    if count == 0:
        return f"There are no saved digits to adapt to yet; save at least {MIN_DIGITS} of your own first."
    return f"Adapting needs at least {MIN_DIGITS} of your digits to help, and {count} are saved."


@dataclass(frozen=True)
class AdaptConfig:
    trainable_from: int = 6  # index of the first layer that adapts; the ones before stay frozen
    augment_copies: int = 15  # random warps of each of the writer's digits
    writer_share: float = 0.3  # of the loss weight: the writer's digits against the replay
    mnist_replay: int = 1000  # MNIST training images replayed
    pen_replay: int = 1000  # other writers' pen digits replayed, when there are any
    not_digit_replay: int = 1000  # made-up drawings that are not digits, replayed
    epochs: int = 6
    batch_size: int = 128
    learning_rate: float = 1e-3
    seed: int = 0


@dataclass
class AdaptResult:
    out_path: Path
    digits: int = 0  # the writer's digits it adapted to
    seconds: float = 0.0  # the adaptation itself, as adapt_seconds in mnist-pad-eval
    figures: dict = field(default_factory=dict)  # also in the card
    cancelled: bool = False

    @property
    def checkpoint_written(self) -> bool:
        return not self.cancelled

    @property
    def outcome(self) -> str:
        return "Stopped" if self.cancelled else "Done"

    def summary(self, planned_epochs: int) -> str:
        if self.cancelled:
            return "Adapting was stopped by you; no model was written."
        figures = self.figures
        return "\n".join([
            f"Adapted to {self.digits} of your digits in {format_duration(self.seconds)}.",
            f"Your digits: {figures['my_digits_accuracy_before']:.1%} right before, "
            f"{figures['my_digits_accuracy_after']:.1%} after.",
            f"{figures['mnist_test_sample']} MNIST test digits: "
            f"{figures['mnist_test_sample_accuracy_before']:.1%} before, "
            f"{figures['mnist_test_sample_accuracy_after']:.1%} after.",
            f"Saved to {self.out_path}",
        ])
