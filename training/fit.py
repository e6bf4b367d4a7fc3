"""The one training function behind ``mnist-pad-train`` and the GUI's Train tab.

It reads as the tutorial does: split the data, wrap it in generators, build the
model, fit with EarlyStopping and a best-only checkpoint. What it adds is what a
long-running job in a desktop app needs: progress callbacks, a cooperative cancel,
and a checkpoint that is always either the old complete file or the new one.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable

import keras

from mnist_pad.files import OutputError, ensure_writable
from training.checkpoint import AtomicModelCheckpoint
from training.data import MnistData, split_validation
from training.digit_styles import restyled
from training.generator import MnistSequence
from training.job import BatchProgress, EpochResult, TrainConfig, TrainResult
from training.model import build_model, compile_model, load_seed_model
from training.not_digit_drawings import not_digit_drawings
from training.pen_data import (
    PenSamples,
    concatenate,
    run_writers,
    split_held_out,
)

MONITOR = "val_acc"


class _Cancelled(Exception):
    """Raised from the batch callback to end fit() at once."""


class _ProgressReporter(keras.callbacks.Callback):
    """Turns Keras' callback events into our listeners and honours cancel."""

    def __init__(self, on_batch, on_epoch, cancel: threading.Event, result: TrainResult):
        super().__init__()
        self._on_batch, self._on_epoch = on_batch, on_epoch
        self._cancel, self._result = cancel, result
        self._epoch = 0
        self._epoch_started = 0.0
        self._batches_per_epoch = 0
        self._epoch_learning_rate = float("nan")
        self.clean_finish = False  # set while the clean finish runs: its epochs are reported as such

    def on_train_begin(self, logs=None):
        self._batches_per_epoch = self.params.get("steps") or 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_started = time.perf_counter()
        self._epoch_learning_rate = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))

    def on_train_batch_end(self, batch, logs=None):
        if self._on_batch is not None:
            logs = logs or {}
            self._on_batch(
                BatchProgress(
                    self._epoch, batch + 1, self._batches_per_epoch,
                    float(logs.get("loss", float("nan"))), float(logs.get("acc", float("nan"))),
                    clean_finish=self.clean_finish,
                )
            )
        if self._cancel.is_set():
            # Leave now rather than set model.stop_training: Keras would still
            # validate the partial epoch, seconds on a full validation set.
            self._result.cancelled = True
            raise _Cancelled

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        outcome = EpochResult(
            epoch,
            *(float(logs.get(k, float("nan"))) for k in ("loss", "acc", "val_loss", MONITOR)),
            seconds=time.perf_counter() - self._epoch_started,
            learning_rate=self._epoch_learning_rate,
            clean_finish=self.clean_finish,
        )
        self._result.epochs.append(outcome)
        best = self._result.best_val_acc
        if best is None or outcome.val_acc > best:
            self._result.best_epoch = len(self._result.epochs) - 1
        if self._on_epoch is not None:
            self._on_epoch(outcome)


def train(
    data: MnistData,
    out_path: str | os.PathLike,
    config: TrainConfig = TrainConfig(),
    *,
    pen: PenSamples | None = None,
    not_digits: PenSamples | None = None,
    on_batch: Callable[[BatchProgress], None] | None = None,
    on_epoch: Callable[[EpochResult], None] | None = None,
    cancel: threading.Event | None = None,
) -> TrainResult:
    """Fit a model on ``data`` (and ``pen`` digits) and keep its best epoch (by val_acc) at ``out_path``.

    The model is fresh, or ``config.init_model``'s weights. Pen digits of the
    writers ``config.hold_out_writers`` and ``config.hold_out_contributors`` name are left out; of the rest, a share
    of the writers (``config.validation_writers``) validates beside MNIST's
    validation images, so a held-out fold is never looked at. ``not_digits`` (drawings
    labelled -1, less those of ``config.hold_out_contributors``) train with a uniform
    target and never validate: val_acc stays the accuracy on digits.
    With ``config.clean_finish_epochs``, the augmented epochs are followed by that many
    without augmentation, from the best of them (``_finish_clean``).

    ``cancel``, once set, stops training after the current batch, without
    validating the unfinished epoch; the best checkpoint written so far stays in
    place. The callbacks run on the calling thread.
    """
    out_path = Path(out_path)
    if out_path.suffix != ".h5":
        raise OutputError(f"{out_path}: the output must be an .h5 file.")
    ensure_writable(out_path)
    # Small data sets (the test sample) keep four fifths for training.
    validation_samples = min(config.validation_samples, len(data.x_train) // 5)
    (x_train, y_train), (x_val, y_val) = split_validation(
        data.x_train, data.y_train, validation_samples, seed=config.seed
    )
    if config.train_samples is not None:
        x_train, y_train = x_train[: config.train_samples], y_train[: config.train_samples]

    pool = {"workers": config.workers, "use_multiprocessing": False}
    pen_train = pen_val = None
    if pen is not None:
        pen_train, pen_val = run_writers(
            pen, config.hold_out_writers, config.hold_out_contributors, config.validation_writers
        )
    if pen_train is not None and config.digit_styles:
        pen_train = concatenate([pen_train, restyled(pen_train, config.seed)])
    not_digit_parts = []
    if not_digits is not None:
        not_digit_parts.append(split_held_out(not_digits, None, config.hold_out_contributors)[0])
    if config.made_up_not_digits:
        # Crossings-out are made from the trained-on digits only, never from a held-out writer's.
        not_digit_parts.append(not_digit_drawings(pen_train, config.made_up_not_digits, config.seed))
    not_digits_train = concatenate(not_digit_parts) if not_digit_parts else None
    def training_batches(augment: bool) -> MnistSequence:
        return MnistSequence(
            x_train, y_train, config.batch_size, shuffle=True, augment=augment,
            seed=config.seed, pen=pen_train, pen_repeat=config.pen_repeat, not_digits=not_digits_train,
            not_digit_weight=config.not_digit_weight, mnist_weight=config.mnist_weight, **pool,
        )

    val_batches = MnistSequence(x_val, y_val, config.batch_size, pen=pen_val, **pool)

    keras.utils.set_random_seed(config.seed)
    model = _initial_model(config)
    result = TrainResult(out_path=out_path)
    checkpoint = AtomicModelCheckpoint(out_path, monitor=MONITOR, mode="max")
    early_stopping = keras.callbacks.EarlyStopping(
        monitor=MONITOR, mode="max", patience=config.patience
    )
    # With averaged weights, these are swapped in to validate, and at each epoch's end before the checkpoint.
    averaging = [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if config.average_weights else []
    reporter = _ProgressReporter(on_batch, on_epoch, cancel or threading.Event(), result)
    callbacks = [
        *averaging,
        # Keras calls these in order at each epoch's end: the checkpoint is on disk
        # before the listeners hear of the epoch.
        checkpoint,
        early_stopping,
        # Halving Adam's step when val_acc stalls lets it settle into a better
        # minimum instead of hopping around it until EarlyStopping gives up.
        keras.callbacks.ReduceLROnPlateau(
            monitor=MONITOR, mode="max", factor=0.5, patience=1, min_lr=1e-5
        ),
        reporter,
    ]
    started = time.perf_counter()
    try:
        model.fit(
            training_batches(config.augment), validation_data=val_batches, epochs=config.epochs,
            callbacks=callbacks, verbose=0,
        )
        if config.clean_finish_epochs:
            finish = [*averaging, checkpoint, reporter]  # a fixed number of epochs: no stopping, no halving
            reporter.clean_finish = True
            _finish_clean(out_path, config, training_batches(False), val_batches, finish, len(result.epochs))
    except _Cancelled:
        pass  # the checkpoint holds the best finished epoch, if any
    finally:
        checkpoint.discard_partial()
        result.seconds = time.perf_counter() - started
    result.stopped_early = early_stopping.stopped_epoch > 0
    return result


def _finish_clean(out_path: Path, config: TrainConfig, clean_batches, val_batches, callbacks, epochs_run: int) -> None:
    """Go on from the best augmented epoch for ``config.clean_finish_epochs`` epochs on undistorted drawings.

    The warps teach variety, but what the network is asked about is undistorted: drawings as the
    pad renders them, and MNIST. A few epochs on those at a smaller step, the best checkpoint
    still keeping only a better val_acc, is how a training on strong augmentation usually ends.
    """
    model = load_seed_model(out_path)
    compile_model(model, config.clean_finish_learning_rate, config.average_weights)
    model.fit(
        clean_batches, validation_data=val_batches, initial_epoch=epochs_run,
        epochs=epochs_run + config.clean_finish_epochs, callbacks=callbacks, verbose=0,
    )


def _initial_model(config: TrainConfig) -> keras.Model:
    model = build_model() if config.init_model is None else load_seed_model(config.init_model)
    compile_model(model, config.learning_rate, config.average_weights)
    return model
