"""The batch generator that feeds ``fit``: the Keras 3 form of the classic ``Sequence``.

Images stay uint8 in memory; each batch is scaled to float32 in [0, 1] with shape
(28, 28, 1) only when Keras asks for it, so a whole float32 copy never exists.
Pen-written digits can join MNIST: they are kept as strokes and rendered through
the live drawing path when a batch needs them, each time varied anew when augmenting.
Drawings that are not digits (pen letters) can join the same way, with the uniform
distribution as their target: outlier exposure, which teaches the network to be
unsure of what is not a digit, so that the not-a-digit rule can turn it away.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from mnist_pad.pen_digits import NOT_A_DIGIT, render_pad_strokes
from training.augment import random_augment
from training.pen_augment import random_pen_variation
from training.pen_data import PenSamples, concatenate, to_uint8

NUM_CLASSES = 10


def targets(labels: np.ndarray) -> np.ndarray:
    """One-hot rows for digits; the uniform row, 1/10 each, for ``NOT_A_DIGIT``."""
    rows = np.full((len(labels), NUM_CLASSES), 1.0 / NUM_CLASSES, np.float32)
    digits = labels >= 0
    rows[digits] = np.eye(NUM_CLASSES, dtype=np.float32)[labels[digits]]
    return rows


def scale_images(images: np.ndarray) -> np.ndarray:
    """uint8 (n, 28, 28) -> float32 (n, 28, 28, 1) in [0, 1], the model's input."""
    return (images.astype(np.float32) * (1.0 / 255.0))[..., np.newaxis]


class MnistSequence(keras.utils.PyDataset):
    """Batches of scaled images and one-hot labels.

    ``shuffle`` reorders the samples every epoch (training); leave it off for
    validation and evaluation. ``augment`` applies a fresh random stroke-width
    change and affine warp to every image of every batch (``training.augment``),
    and a fresh pen-path variation to every pen sample (``training.pen_augment``).
    ``pen`` samples join the images, each ``pen_repeat`` times an epoch; ``not_digits``
    (pen samples labelled -1) join once an epoch, each with the target 1/10 for every class;
    with a ``not_digit_weight`` other than 1 their loss counts that many times a pen digit's, and
    with an ``mnist_weight`` other than 1 so does an MNIST image's; then batches carry the
    per-sample weights as a third element.
    ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are PyDataset's own.
    """

    def __init__(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        batch_size: int = 200,
        *,
        shuffle: bool = False,
        augment: bool = False,
        seed: int | None = None,
        pen: PenSamples | None = None,
        pen_repeat: int = 1,
        not_digits: PenSamples | None = None,
        not_digit_weight: float = 1.0,
        mnist_weight: float = 1.0,
        workers: int = 1,
        use_multiprocessing: bool = False,
        max_queue_size: int = 10,
    ):
        super().__init__(
            workers=workers, use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size
        )
        if images.dtype != np.uint8:
            raise TypeError(f"images must stay uint8, got {images.dtype}")
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        if pen_repeat < 1:
            raise ValueError(f"pen_repeat must be at least 1, got {pen_repeat}")
        for name, weight in (("not_digit_weight", not_digit_weight), ("mnist_weight", mnist_weight)):
            if not weight > 0:
                raise ValueError(f"{name} must be positive, got {weight}")
        pen = pen if pen is not None and len(pen) else None
        not_digits = not_digits if not_digits is not None and len(not_digits) else None
        self._pen_digits = len(pen) if pen else 0
        self._pen_count = self._pen_digits * pen_repeat
        # One store of strokes: the pen digits, then the drawings that are not digits.
        self.pen = concatenate([part for part in (pen, not_digits) if part]) if pen or not_digits else None
        pen_count = self._pen_count + (len(not_digits) if not_digits else 0)
        # Without augmentation a pen sample always looks the same: render it once.
        self._pen_images = to_uint8(self.pen.images()) if self.pen and not augment else None
        self.images = images
        self.labels = np.concatenate(
            [
                np.asarray(labels, np.int64),
                np.tile(pen.labels, pen_repeat) if pen else [],
                np.full(len(not_digits), NOT_A_DIGIT) if not_digits else [],
            ]
        ).astype(np.int64)
        self.not_digit_weight = float(not_digit_weight)
        self.mnist_weight = float(mnist_weight)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.augment = augment
        self._rng = np.random.default_rng(seed)
        # Augmentation draws from (augment_seed, epoch, batch), so worker threads
        # never share a generator and a seeded run is reproducible.
        self._augment_seed = int(self._rng.integers(2**63))
        self._epoch = 0
        self._order = np.arange(len(images) + pen_count)
        if shuffle:
            self._rng.shuffle(self._order)

    def __len__(self) -> int:
        return math.ceil(len(self._order) / self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} out of range for {len(self)} batches")
        picked = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        rng = np.random.default_rng([self._augment_seed, self._epoch, index]) if self.augment else None
        from_mnist = picked < len(self.images)
        batch = np.empty((len(picked), 28, 28), np.uint8)
        batch[from_mnist] = self.images[picked[from_mnist]]
        if self.augment:
            batch[from_mnist] = random_augment(batch[from_mnist], rng)
        if not from_mnist.all():
            batch[~from_mnist] = self._pen_batch(self._pen_sample(picked[~from_mnist] - len(self.images)), rng)
        labels = self.labels[picked]
        if self.not_digit_weight == 1.0 and self.mnist_weight == 1.0:
            return scale_images(batch), targets(labels)
        weights = np.where(labels == NOT_A_DIGIT, self.not_digit_weight, 1.0)
        weights = np.where(from_mnist, self.mnist_weight, weights).astype(np.float32)
        return scale_images(batch), targets(labels), weights

    def _pen_sample(self, positions: np.ndarray) -> np.ndarray:
        """Which stored pen sample each position past MNIST's images is: digits repeat, non-digits come once."""
        repeated = positions < self._pen_count
        return np.where(repeated, positions % max(self._pen_digits, 1), positions - self._pen_count + self._pen_digits)

    def _pen_batch(self, samples: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
        if rng is None:
            return self._pen_images[samples]
        varied = [random_pen_variation(self.pen.strokes[i], rng) for i in samples]
        return to_uint8(np.stack([render_pad_strokes(strokes, width) for strokes, width in varied]))

    def on_epoch_end(self) -> None:
        self._epoch += 1
        if self.shuffle:
            self._rng.shuffle(self._order)
