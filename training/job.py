"""What a child-process job (a training run, an adaptation) is asked to do, and what it reports.

Plain data, no Keras: a GUI builds a ``TrainConfig`` and reads the
reports without importing TensorFlow, and a child process sends them over a pipe.
Every job's result follows ``JobResult``, so whoever runs jobs reads any of them alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from training.verdict import Comparison

EMA_MOMENTUM = 0.998  # of averaged weights, per batch: they weigh about the last 500 batches, one epoch
CLEAN_FINISH_STEP = 1 / 3  # the clean finish's learning rate, a share of the run's: as measured (docs/model.md#the-clean-finish)


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 5
    batch_size: int = 200
    augment: bool = False
    train_samples: int | None = None  # None: every training image but the validation set
    validation_samples: int = 5000
    seed: int = 0
    workers: int = 1  # PyDataset worker threads
    pen_files: tuple[str, ...] = ()  # pen-digits files whose digits join MNIST's
    pen_repeat: int = 3  # each pen digit is seen this many times an epoch (varied anew when augmenting)
    not_digit_files: tuple[str, ...] = ()  # drawings that are not digits (labels -1), learnt with a uniform target
    digit_styles: bool = False  # each trained-on pen digit also joins in one of the world's styles (training.digit_styles)
    made_up_not_digits: int = 0  # this many made-up drawings that are not digits join them (training.not_digit_drawings)
    not_digit_weight: float = 1.0  # a drawing that is not a digit counts this many times a pen digit in the loss
    mnist_weight: float = 1.0  # an MNIST image counts this many times a pen digit in the loss
    hold_out_writers: tuple[int, int] | None = None  # (fold, folds): that fold's writers are not trained on
    hold_out_contributors: tuple[str, ...] = ()  # these institutions' writers are not trained on
    validation_writers: float = 0.1  # this share of the trained-on pen writers validates instead
    init_model: str | None = None  # start from this model's weights instead of fresh ones
    learning_rate: float = 1e-3
    average_weights: bool = False  # validate and keep a moving average of the weights (EMA_MOMENTUM above)
    patience: int = 2  # epochs without a better val_acc before EarlyStopping ends the run
    clean_finish_epochs: int = 0  # then this many epochs without augmentation, at CLEAN_FINISH_STEP of the rate

    @property
    def clean_finish_learning_rate(self) -> float:
        return self.learning_rate * CLEAN_FINISH_STEP

    @property
    def most_epochs(self) -> int:
        """Epochs the run may take: the augmented ones EarlyStopping may end, and the clean finish."""
        return self.epochs + self.clean_finish_epochs

    @property
    def learns_not_digits(self) -> bool:
        """Drawings that are not digits join training (files or made-up ones): what ``not_digit_weight`` weighs."""
        return bool(self.not_digit_files or self.made_up_not_digits)

    def __post_init__(self):
        if self.epochs < 1:
            raise ValueError(f"epochs must be at least 1, got {self.epochs}")
        if self.batch_size < 1:
            raise ValueError(f"batch size must be at least 1, got {self.batch_size}")
        if self.train_samples is not None and self.train_samples < 1:
            raise ValueError(f"train samples must be at least 1, got {self.train_samples}")
        if self.pen_repeat < 1:
            raise ValueError(f"the pen-digit repeat must be at least 1, got {self.pen_repeat}")
        if self.made_up_not_digits < 0:
            raise ValueError(f"the made-up drawings must be 0 or more, got {self.made_up_not_digits}")
        if not self.not_digit_weight > 0:
            raise ValueError(f"the weight of the drawings that are not digits must be positive, got {self.not_digit_weight}")
        if not self.mnist_weight > 0:
            raise ValueError(f"the weight of the MNIST images must be positive, got {self.mnist_weight}")
        if not 0 <= self.validation_writers < 1:
            raise ValueError(f"the validation writers' share must be from 0 to below 1, got {self.validation_writers}")
        if self.patience < 1:
            raise ValueError(f"the patience must be at least 1 epoch, got {self.patience}")
        if not self.learning_rate > 0:
            raise ValueError(f"the learning rate must be positive, got {self.learning_rate}")
        if self.clean_finish_epochs < 0:
            raise ValueError(f"the clean finish must be 0 epochs or more, got {self.clean_finish_epochs}")
        if self.clean_finish_epochs and not self.augment:
            raise ValueError("a clean finish ends augmented training: it needs augmentation (--augment).")


@dataclass(frozen=True)
class BatchProgress:
    epoch: int  # 0-based
    batch: int  # batches done in this epoch, 1-based
    batches_per_epoch: int
    loss: float
    acc: float
    clean_finish: bool = False  # a batch of the clean finish (undistorted drawings, after the augmented epochs)


@dataclass(frozen=True)
class EpochResult:
    epoch: int  # 0-based
    loss: float
    acc: float
    val_loss: float
    val_acc: float
    seconds: float
    learning_rate: float = float("nan")  # Adam's step as the epoch began
    clean_finish: bool = False  # an epoch of the clean finish (undistorted drawings, after the augmented epochs)


@dataclass
class TrainResult:
    out_path: Path
    epochs: list[EpochResult] = field(default_factory=list)
    best_epoch: int | None = None  # 0-based, None when no epoch finished
    stopped_early: bool = False  # EarlyStopping ended it
    cancelled: bool = False
    seconds: float = 0.0
    comparison: Comparison | None = None  # training.compare: this model against the one in use

    @property
    def best_val_acc(self) -> float | None:
        return None if self.best_epoch is None else self.epochs[self.best_epoch].val_acc

    @property
    def checkpoint_written(self) -> bool:
        return self.best_epoch is not None

    @property
    def clean_finish_epochs(self) -> int:
        """How many of the finished epochs were the clean finish's."""
        return sum(epoch.clean_finish for epoch in self.epochs)

    @property
    def outcome(self) -> str:
        if self.cancelled:
            return "Stopped"
        return "Stopped early" if self.stopped_early else "Done"

    def summary(self, planned_epochs: int) -> str:
        took = format_duration(self.seconds)
        complete, clean = len(self.epochs), self.clean_finish_epochs
        if self.cancelled:
            lines = [f"Stopped by you after {complete} of {planned_epochs} epochs ({took})."]
        elif self.stopped_early and clean:  # early stopping ends the augmented epochs; the clean finish follows
            lines = [
                f"Early stopping ended the augmented epochs after {complete - clean} (val_acc had stopped "
                f"improving), so {complete} of {planned_epochs} epochs ran ({took})."
            ]
        elif self.stopped_early:
            lines = [
                f"Early stopping ended the run after {complete} of {planned_epochs} epochs ({took}): "
                "val_acc had stopped improving."
            ]
        else:
            lines = [f"Trained {complete} epochs in {took}."]
        if clean:  # counted among the epochs above, so said beside them
            lines.append("The last epoch was the clean finish, on undistorted drawings." if clean == 1 else
                         f"The last {clean} epochs were the clean finish, on undistorted drawings.")
        if self.checkpoint_written:
            lines.append(f"Best val_acc {self.best_val_acc:.4f}, at epoch {self.best_epoch + 1}.")
            lines.append(f"Saved to {self.out_path}")
        else:
            lines.append("No epoch finished, so no model was written.")
        if self.comparison is not None:
            lines += self.comparison.in_words()
        return "\n".join(lines)


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"



@dataclass(frozen=True)
class Status:
    text: str  # what the child is doing before the first batch


@dataclass(frozen=True)
class Failed:
    sentence: str  # one plain sentence for a dialog


@dataclass(frozen=True)
class Finished:
    result: JobResult


class JobResult(Protocol):
    """What every job's result tells: where it wrote, whether it was stopped, and in words."""

    out_path: Path
    cancelled: bool  # stopped by the user

    @property
    def checkpoint_written(self) -> bool:
        """Whether ``out_path`` now holds a model this job made."""

    @property
    def outcome(self) -> str:
        """One or two words for a progress bar: "Done", "Stopped", "Stopped early"."""

    def summary(self, planned_epochs: int) -> str:
        """What the job achieved, in a few plain sentences."""


class ChildJob(Protocol):
    """What the child process can run; it is pickled over to the child."""

    activity: str  # what it does, to begin a sentence: "Training"
    out_path: str  # the file it writes (atomically)

    @property
    def epochs(self) -> int:
        """How many epochs it plans, for progress."""

    def run(self, report: Callable[[object], None], cancel) -> JobResult | Failed:
        """Do the work (TensorFlow is imported); return the result, or Failed for bad input."""
