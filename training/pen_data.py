"""Pen-written digits as training data, and splits of them by writer. Pure: no Qt.

Samples are kept as strokes in pad units, the form the live pad produces, and are
rendered through the same ``strokes_to_image`` as live drawing whenever a batch
needs them, so the network learns from exactly what it will be shown.
Pen digits are split by *writer*, never by sample: a writer's digits are all in
training or all held out, because every user of the app is a writer it has never seen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnist_pad.digit_rule import DIGIT_LIKE_LETTERS
from mnist_pad.files import file_sha256
from mnist_pad.pen_digits import (
    PenDigits,
    contributors_of,
    in_pad_units,
    load_not_digits,
    load_pen_digits,
    render_pad_digits,
    subset,
    unknown_contributors,
)

VALIDATION_SEED = 1  # writer_folds' seed for validation writers (hold-out folds use 0)


@dataclass(frozen=True)
class PenSamples:
    strokes: list[list[np.ndarray]]  # per sample, float32 strokes in pad units
    labels: np.ndarray  # (n,) int64
    writers: np.ndarray  # (n,) str

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, mask: np.ndarray) -> PenSamples:
        picked = np.flatnonzero(mask)
        return PenSamples([self.strokes[i] for i in picked], self.labels[picked], self.writers[picked])

    def images(self) -> np.ndarray:
        """(n, 28, 28) float32 images in [0, 1], exactly as the pad shows them to the network."""
        return render_pad_digits(self.strokes)


@dataclass(frozen=True)
class PenSource:
    path: str
    sha256: str
    samples: int
    writers: int
    digit_like_left_out: int = 0  # letters that look like digits, not taught as not digits


def to_uint8(images: np.ndarray) -> np.ndarray:
    """[0, 1] float images -> uint8, as MNIST stores them."""
    return np.clip(np.rint(images * 255.0), 0, 255).astype(np.uint8)


def from_pen_digits(digits: PenDigits) -> PenSamples:
    """Samples of a pen-digits file (tablet units) placed on the pad as a person draws."""
    strokes = [in_pad_units(digits.strokes(i)) for i in range(len(digits))]
    return PenSamples(strokes, digits.labels.astype(np.int64), digits.writers.astype(str))


def load_pen_samples(paths: list[str], not_digits: bool = False) -> tuple[PenSamples, list[PenSource]]:
    """Every digit of every file (or, with ``not_digits``, every drawing of files labelled -1), and what
    each file was (raises PenDigitsError).

    Of drawings that are not digits, letters that anyone would take for a digit (an O, an l, a
    Z: ``DIGIT_LIKE_LETTERS``) are left out: taught as "no digit", they would teach the network
    to doubt the zeros, ones and twos they look like."""
    parts, sources = [], []
    for path in paths:
        left_out = 0
        if not_digits:
            digits, chars = load_not_digits(path)
            if chars is not None:
                digit_like = np.isin(chars.astype(str), sorted(DIGIT_LIKE_LETTERS))
                digits, left_out = subset(digits, ~digit_like), int(digit_like.sum())
        else:
            digits = load_pen_digits(path)
        parts.append(from_pen_digits(digits))
        sources.append(PenSource(str(path), file_sha256(path), len(digits), len(set(digits.writers)), left_out))
    return concatenate(parts), sources


def concatenate(parts: list[PenSamples]) -> PenSamples:
    return PenSamples(
        [s for part in parts for s in part.strokes],
        np.concatenate([p.labels for p in parts]) if parts else np.zeros(0, np.int64),
        np.concatenate([p.writers for p in parts]) if parts else np.zeros(0, str),
    )


def split_held_out(
    samples: PenSamples, writer_fold: tuple[int, int] | None = None, contributors: tuple[str, ...] = ()
) -> tuple[PenSamples, PenSamples]:
    """(trained on, held out): the writers of ``writer_fold = (fold, folds)`` and of ``contributors``
    are held out, whole."""
    held_out = np.isin(contributors_of(samples.writers), list(contributors))
    if writer_fold is not None:
        fold, folds = writer_fold
        held_out |= writer_folds(samples.writers, folds) == fold
    return samples.subset(~held_out), samples.subset(held_out)


def check_contributors(samples: PenSamples, names: tuple[str, ...]) -> None:
    """Raise ValueError, in one sentence, unless holding out ``names`` leaves writers to train on."""
    unknown = unknown_contributors(samples.writers, names)
    if unknown:
        raise ValueError(unknown)
    present = sorted(set(contributors_of(samples.writers)))
    if set(present) <= set(names):
        raise ValueError(
            f"holding out {', '.join(names)} leaves no pen-digit writers to train on; "
            f"the pen digits hold {', '.join(present)}."
        )


def split_validation_writers(samples: PenSamples, share: float) -> tuple[PenSamples, PenSamples]:
    """(trained on, validates): about ``share`` of the writers validate, whole."""
    if share <= 0 or len(np.unique(samples.writers)) < 2:
        return samples, samples.subset(np.zeros(len(samples), bool))
    # Seeded apart from the hold-out folds, so validation writers are not one fold's.
    validates = writer_folds(samples.writers, max(2, round(1 / share)), seed=VALIDATION_SEED) == 0
    return samples.subset(~validates), samples.subset(validates)


def run_writers(
    samples: PenSamples, writer_fold: tuple[int, int] | None, contributors: tuple[str, ...], validation_share: float
) -> tuple[PenSamples, PenSamples]:
    """(trained on, validates): what a training run does with the pen digits (``training.fit.train``),
    the held-out writers and contributors left out of both."""
    return split_validation_writers(split_held_out(samples, writer_fold, contributors)[0], validation_share)


def writer_folds(writers: np.ndarray, folds: int, seed: int = 0) -> np.ndarray:
    """The fold (0 .. folds-1) of each sample: writers dealt out at random, whole.

    Writers are shuffled with ``seed`` and dealt round-robin, so every fold has
    about as many writers; a writer's digits always share one fold.
    """
    if folds < 2:
        raise ValueError(f"writer folds need at least 2 folds, got {folds}")
    names = np.unique(writers)
    order = np.random.default_rng(seed).permutation(len(names))
    fold_of_writer = np.empty(len(names), np.int64)
    fold_of_writer[order] = np.arange(len(names)) % folds
    return fold_of_writer[np.searchsorted(names, writers)]
