"""What a training run is asked to do, and what it reports while and after it runs.

Plain data, no Keras: a GUI builds a ``TrainConfig`` and reads the
reports without importing TensorFlow, and a child process sends them over a pipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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
    hold_out_writers: tuple[int, int] | None = None  # (fold, folds): that fold's writers are not trained on
    validation_writers: float = 0.1  # this share of the trained-on pen writers validates instead
    init_model: str | None = None  # start from this model's weights instead of fresh ones
    learning_rate: float = 1e-3
    patience: int = 2  # epochs without a better val_acc before EarlyStopping ends the run

    def __post_init__(self):
        if self.epochs < 1:
            raise ValueError(f"epochs must be at least 1, got {self.epochs}")
        if self.batch_size < 1:
            raise ValueError(f"batch size must be at least 1, got {self.batch_size}")
        if self.train_samples is not None and self.train_samples < 1:
            raise ValueError(f"train samples must be at least 1, got {self.train_samples}")
        if self.pen_repeat < 1:
            raise ValueError(f"the pen-digit repeat must be at least 1, got {self.pen_repeat}")
        if not 0 <= self.validation_writers < 1:
            raise ValueError(f"the validation writers' share must be from 0 to below 1, got {self.validation_writers}")
        if self.patience < 1:
            raise ValueError(f"the patience must be at least 1 epoch, got {self.patience}")
        if not self.learning_rate > 0:
            raise ValueError(f"the learning rate must be positive, got {self.learning_rate}")


@dataclass(frozen=True)
class BatchProgress:
    epoch: int  # 0-based
    batch: int  # batches done in this epoch, 1-based
    batches_per_epoch: int
    loss: float
    acc: float


@dataclass(frozen=True)
class EpochResult:
    epoch: int  # 0-based
    loss: float
    acc: float
    val_loss: float
    val_acc: float
    seconds: float


@dataclass
class TrainResult:
    out_path: Path
    epochs: list[EpochResult] = field(default_factory=list)
    best_epoch: int | None = None  # 0-based, None when no epoch finished
    stopped_early: bool = False  # EarlyStopping ended it
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def best_val_acc(self) -> float | None:
        return None if self.best_epoch is None else self.epochs[self.best_epoch].val_acc

    @property
    def checkpoint_written(self) -> bool:
        return self.best_epoch is not None
