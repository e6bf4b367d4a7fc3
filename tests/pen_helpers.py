"""Real writers' digits as the app's store hands them over: PenDigits in pad units."""

from __future__ import annotations

import numpy as np

from mnist_pad.pen_digits import PenDigits, in_pad_units


def in_pad_units_subset(digits: PenDigits, indices, writer: str = "me") -> PenDigits:
    """The digits at ``indices`` of a pen-digits file, scaled as drawn on the pad."""
    samples = [in_pad_units(digits.strokes(i)) for i in indices]
    strokes = [stroke for sample in samples for stroke in sample]
    return PenDigits(
        labels=digits.labels[list(indices)],
        points=np.concatenate(strokes).astype(np.float32),
        stroke_offsets=np.concatenate([[0], np.cumsum([len(s) for s in strokes])]).astype(np.int64),
        sample_offsets=np.concatenate([[0], np.cumsum([len(s) for s in samples])]).astype(np.int64),
        writers=np.full(len(samples), writer),
    )


def writer_indices(digits: PenDigits, writer: str) -> np.ndarray:
    return np.flatnonzero(digits.writers == writer)


def save_subset(digits: PenDigits, indices, path) -> None:
    """A pen-digits file (tablet units, writers kept) holding the digits at ``indices``."""
    samples = [digits.strokes(i) for i in indices]
    strokes = [stroke for sample in samples for stroke in sample]
    np.savez(
        path,
        labels=digits.labels[list(indices)].astype(np.int8),
        points=np.concatenate(strokes),
        stroke_offsets=np.concatenate([[0], np.cumsum([len(s) for s in strokes])]),
        sample_offsets=np.concatenate([[0], np.cumsum([len(s) for s in samples])]),
        writer=digits.writers[list(indices)],
    )


def spread_subset(digits: PenDigits, count: int) -> PenDigits:
    """``count`` digits spread over the file, as a PenDigits of their own."""
    chosen = np.linspace(0, len(digits) - 1, count).astype(int)
    strokes = [digits.strokes(i) for i in chosen]
    lengths = [len(s) for sample in strokes for s in sample]
    return PenDigits(
        labels=digits.labels[chosen],
        points=np.concatenate([s for sample in strokes for s in sample]),
        stroke_offsets=np.concatenate([[0], np.cumsum(lengths)]),
        sample_offsets=np.concatenate([[0], np.cumsum([len(sample) for sample in strokes])]),
        writers=digits.writers[chosen],
    )


def write_pen_digits(path, labels, strokes_per_sample, writers=None, **extra):
    """A pen-digits file: ``strokes_per_sample`` is a list of lists of (n, 2) arrays; ``extra``: more arrays
    (``text`` for a pen-numbers file)."""
    flat = [s for sample in strokes_per_sample for s in sample]
    arrays = dict(
        labels=np.asarray(labels, np.int8),
        points=np.concatenate(flat).astype(np.float32) if flat else np.zeros((0, 2), np.float32),
        stroke_offsets=np.concatenate([[0], np.cumsum([len(s) for s in flat])]).astype(np.int64),
        sample_offsets=np.concatenate([[0], np.cumsum([len(s) for s in strokes_per_sample])]).astype(np.int64),
    )
    if writers is not None:
        arrays["writer"] = np.asarray(writers)
    np.savez(path, **arrays, **extra)
    return path
