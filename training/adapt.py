"""Adapting a trained model to one writer's digits in seconds. Pure: no Qt.

What adapts was chosen by measuring on the pen-digit writers (README, "Adapting
to your handwriting"): the convolutional trunk stays frozen and only the layers
from ``AdaptConfig.trainable_from`` on are fine-tuned, on the writer's digits
(each with augmented copies) mixed with a replay of base data (a sample of MNIST
and, when there are any, other writers' pen digits) so that everyone else's
digits keep being read as before. The frozen trunk runs once per image, which
is what makes it take seconds; the result is the same network, same layers.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from mnist_pad.digit_rule import CARD_KEY
from mnist_pad.errors import PlainError
from mnist_pad.files import (
    card_path,
    ensure_writable,
    file_sha256,
    read_card,
    write_atomic,
    write_bytes_atomic,
)
from mnist_pad.model_io import load_model
from mnist_pad.pen_digits import (
    PenDigits,
    in_pad_units,
    load_pen_digits,
    render_pad_digits,
)
from mnist_pad.predictor import Predictor
from training import silence_legacy_h5_warning
from training.adapt_settings import AdaptConfig, AdaptError, AdaptResult, too_few_digits
from training.augment import random_augment
from training.data import load_mnist
from training.job import BatchProgress, Failed, Status
from training.not_digit_drawings import made_up
from training.pen_data import to_uint8
from training.runtime_export import write_runtime_file_unless_refused

CHECK_SAMPLE = 1000  # MNIST test images scored before and after, for the card

silence_legacy_h5_warning()  # the adapted model is saved as .h5, like every model of the project


@dataclass(frozen=True)
class Replay:
    """Drawings the adaptation keeps seeing, each with the base model's own answer as its target
    (learning without forgetting), so that other writers' digits, and the doubt about what is not
    a digit, stay as the base model had them."""

    images: np.ndarray  # uint8 (n, 28, 28): the base data's digits, then made-up drawings
    digits: int  # how many of them are digits


def replay_sample(mnist_images: np.ndarray, config: AdaptConfig, pen_images: np.ndarray | None = None) -> Replay:
    """A fixed random sample of MNIST, one of other writers' pen digits when there are any, and
    made-up drawings that are not digits.

    Fitted to digits alone with their labels as targets, the last layer grew sure of
    everything and forgot how to doubt letters (docs/adapting.md).
    """
    rng = np.random.default_rng(config.seed)
    images = [mnist_images[_sample(rng, len(mnist_images), config.mnist_replay)]]
    if pen_images is not None and len(pen_images):
        images.append(pen_images[_sample(rng, len(pen_images), config.pen_replay)])
    digits = sum(len(part) for part in images)
    if config.not_digit_replay:
        images.append(to_uint8(made_up(config.not_digit_replay, config.seed).images()))
    return Replay(np.concatenate(images), digits)


def _sample(rng: np.random.Generator, n: int, count: int) -> np.ndarray:
    return np.sort(rng.choice(n, min(count, n), replace=False))


def render_digits(digits: PenDigits, indices=None, *, tablet_units: bool = False) -> np.ndarray:
    """Digits -> uint8 (n, 28, 28) images, exactly as live drawing renders them.

    Saved digits are in pad units already; a pen-digits file is in tablet units
    (``tablet_units``) and is first scaled as a person draws on the pad.
    """
    indices = range(len(digits)) if indices is None else indices
    place = in_pad_units if tablet_units else (lambda strokes: strokes)
    return to_uint8(render_pad_digits(place(digits.strokes(i)) for i in indices))


def as_float(images: np.ndarray) -> np.ndarray:
    """uint8 images -> float [0, 1], as the network takes them."""
    return images.astype(np.float32) / 255.0


def adapt(
    base: keras.Model,
    images: np.ndarray,
    labels: np.ndarray,
    replay: Replay,
    config: AdaptConfig = AdaptConfig(),
    *,
    on_batch: Callable[[BatchProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> keras.Model | None:
    """A copy of ``base`` fine-tuned on one writer's uint8 ``images``; ``base`` stays as it was.

    Returns None when ``cancel`` was set before it finished.
    """
    refusal = too_few_digits(len(images))
    if refusal:
        raise AdaptError(refusal)
    labels = np.asarray(labels, np.int64)
    rng = np.random.default_rng(config.seed)
    writer_images = np.concatenate([images, *(random_augment(images, rng) for _ in range(config.augment_copies))])
    writer_labels = np.tile(labels, config.augment_copies + 1)

    model = keras.models.clone_model(base)
    model.set_weights(base.get_weights())
    split = config.trainable_from
    trunk_output = model.layers[split - 1].output if split else model.inputs[0]
    trunk = keras.Model(model.inputs[0], trunk_output)
    # The adapting layers are the model's own, so training them changes ``model``.
    head = keras.Sequential([keras.Input(tuple(trunk_output.shape[1:])), *model.layers[split:]])

    x = Predictor(trunk).predict_batch(as_float(np.concatenate([writer_images, replay.images])))
    # The head has not adapted yet: what it says of the replay is what the base model says.
    replay_targets = np.asarray(head(x[len(writer_images):], training=False))
    y = np.concatenate([np.eye(10, dtype=np.float32)[writer_labels], replay_targets])
    # The writer's digits and the replay each get their share of the loss whatever
    # the counts, and within the writer's share each class saved weighs the same:
    # someone who saved mostly 0s and 1s must not teach the model to say 0 or 1 more often.
    writer_weights = 1.0 / np.bincount(writer_labels, minlength=10)[writer_labels]
    weights = np.concatenate([
        writer_weights * config.writer_share / writer_weights.sum(),
        np.full(len(replay.images), (1 - config.writer_share) / len(replay.images)),
    ]) * len(y)
    head.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss="categorical_crossentropy", metrics=["acc"],
    )
    keras.utils.set_random_seed(config.seed)
    progress = _Progress(on_batch, cancel or threading.Event())
    head.fit(
        x, y, sample_weight=weights.astype(np.float32), batch_size=config.batch_size,
        epochs=config.epochs, shuffle=True, verbose=0, callbacks=[progress],
    )
    return None if progress.cancelled else model


class _Progress(keras.callbacks.Callback):
    """Reports each batch and stops after the current one once ``cancel`` is set."""

    def __init__(self, on_batch, cancel: threading.Event):
        super().__init__()
        self._on_batch, self._cancel = on_batch, cancel
        self.cancelled = False
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        if self._on_batch is not None:
            self._on_batch(BatchProgress(
                self._epoch, batch + 1, self.params.get("steps") or 0,
                float(logs.get("loss", np.nan)), float(logs.get("acc", np.nan)),
            ))
        if self._cancel.is_set():
            self.cancelled = True
            self.model.stop_training = True


def predicted_classes(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """Classes for uint8 images, through the compiled call the app predicts with."""
    return Predictor(model).predict_batch(as_float(images)).argmax(1)


def accuracy(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(predicted_classes(model, images) == np.asarray(labels)))


# -- the job the GUI runs in the training child process ---------------------------


def adapt_and_save(job, report: Callable[[object], None], cancel: threading.Event):
    """Run ``job`` (a ``training.jobs.AdaptJob``): load, adapt, check and save atomically with a card.

    Bad input becomes ``Failed``. (The job class is not imported: it imports this module.)
    """
    out_path = Path(job.out_path)
    try:
        refusal = too_few_digits(len(job.digits))
        if refusal:
            raise AdaptError(refusal)
        ensure_writable(out_path)
        report(Status("Loading the model and the data to replay…"))
        base = load_model(job.base_model_path)
        mnist = load_mnist(job.data_path)
        pen_images = None
        if job.pen_digits_path:
            pen = load_pen_digits(job.pen_digits_path)
            pick = _sample(np.random.default_rng(job.config.seed), len(pen), job.config.pen_replay)
            pen_images = render_digits(pen, pick, tablet_units=True)
        replay = replay_sample(mnist.x_train, job.config, pen_images)
        images, labels = render_digits(job.digits), job.digits.labels
        if cancel.is_set():
            return AdaptResult(out_path, cancelled=True)
        report(Status("Adapting to your digits…"))
        started = time.perf_counter()
        model = adapt(base.model, images, labels, replay, job.config, on_batch=report, cancel=cancel)
        seconds = time.perf_counter() - started
        if model is None:
            return AdaptResult(out_path, cancelled=True)
        report(Status("Checking and saving the adapted model…"))
        check = _sample(np.random.default_rng(job.config.seed), len(mnist.x_test), CHECK_SAMPLE)
        figures = {
            "my_digits_accuracy_before": accuracy(base.model, images, labels),
            "my_digits_accuracy_after": accuracy(model, images, labels),
            "mnist_test_sample": len(check),
            "mnist_test_sample_accuracy_before": accuracy(base.model, mnist.x_test[check], mnist.y_test[check]),
            "mnist_test_sample_accuracy_after": accuracy(model, mnist.x_test[check], mnist.y_test[check]),
        }
        write_atomic(out_path, model.save)
        adapted_layers = [layer.name for layer in model.layers[job.config.trainable_from:]]
        write_adapted_card(out_path, job, labels, adapted_layers, replay.digits, len(replay.images) - replay.digits,
                           seconds, figures)
        write_runtime_file_unless_refused(model, out_path)
        return AdaptResult(out_path, digits=len(labels), seconds=seconds, figures=figures)
    except PlainError as error:
        return Failed(str(error))


def write_adapted_card(
    out_path: Path, job, labels, adapted_layers: list[str], replayed_digits: int, replayed_drawings: int,
    seconds: float, figures: dict,
) -> None:
    import tensorflow as tf

    base_path = Path(job.base_model_path)
    # The replay keeps the base model's answers on everything but the writer's digits, so its
    # not-a-digit rule still holds (docs/adapting.md); the default rule is for uncalibrated models.
    base_rule = (read_card(base_path) or {}).get(CARD_KEY)
    card = {
        "model": out_path.name,
        "adapted_from": base_path.name,
        "adapted_from_path": str(base_path.resolve()),
        "adapted_from_sha256": file_sha256(base_path),
        "my_digits": len(labels),
        "my_digits_per_class": np.bincount(np.asarray(labels, np.int64), minlength=10).tolist(),
        "adapted_layers": adapted_layers,
        "config": asdict(job.config),
        "replayed_base_digits": replayed_digits,
        "replayed_made_up_drawings": replayed_drawings,
        "adapt_seconds": round(seconds, 2),
        **{k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        **({CARD_KEY: base_rule} if isinstance(base_rule, dict) else {}),
    }
    write_bytes_atomic(card_path(out_path), (json.dumps(card, indent=2) + "\n").encode())
