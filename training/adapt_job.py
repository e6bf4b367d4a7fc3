"""What an adaptation to one writer is asked to do and what it reports. Plain data, no Keras.

The GUI builds an ``AdaptJob`` and reads its ``AdaptResult`` without importing
TensorFlow; ``training.process`` runs the job in the training child process,
where ``training.adapt`` does the work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mnist_pad.errors import PlainError

if TYPE_CHECKING:
    from mnist_pad.pen_digits import PenDigits

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
    stopped_early = False  # read by the Train tab's outcome line, as for a TrainResult

    @property
    def checkpoint_written(self) -> bool:
        return not self.cancelled


@dataclass(frozen=True)
class AdaptJob:
    """Adapt ``base_model_path`` to a writer's digits and save it as ``out_path`` with a card."""

    base_model_path: str
    out_path: str
    digits: PenDigits  # the writer's digits, strokes in pad units (as the canvas stores them)
    data_path: str | None  # MNIST to replay; None: $MNIST_PAD_DATA, else Keras' download
    pen_digits_path: str | None = None  # other writers' pen digits to replay, when there are any
    config: AdaptConfig = AdaptConfig()
    activity = "Adapting"

    def run(self, report: Callable[[object], None], cancel):
        from training.adapt import adapt_and_save

        return adapt_and_save(self, report, cancel)
