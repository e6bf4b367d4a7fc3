"""Whole numbers of pen strokes: composing them from pen digits, and scoring a number reader on them. Pure: no Qt.

Few real numbers exist to measure on (``../shared/pen-numbers``: 393), so more are
composed from isolated pen digits, one writer's digits laid left to right as people
write: spaced, tight (neighbours' boxes overlapping), or with neighbours joined into
one stroke, on a common baseline with a little jitter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from mnist_pad.pen_digits import PenDigits, contributors_of

# Gaps between neighbouring digits' boxes, in digit heights: the issue's two regimes.
SPACINGS = {"spaced": (0.05, 0.40), "tight": (-0.10, 0.20), "joined": (-0.05, 0.15)}
JOIN_REACH = 0.6  # heights: how far the pen travels unlifted from one digit to the next


@dataclass(frozen=True)
class Numbers:
    """Numbers to read: each one's strokes, its text and its contributor."""

    strokes: list[list[np.ndarray]]
    texts: list[str]
    contributors: list[str]

    def __len__(self) -> int:
        return len(self.texts)


def numbers_of(samples: PenDigits, texts: np.ndarray) -> Numbers:
    """A pen-numbers file's numbers (``mnist_pad.pen_digits.load_pen_numbers``)."""
    return Numbers([samples.strokes(i) for i in range(len(samples))], [str(t) for t in texts],
                   list(contributors_of(samples.writers)))


def compose_numbers(digits: PenDigits, count: int, spacing: str, seed: int = 0,
                    lengths: tuple[int, int] = (2, 6)) -> Numbers:
    """``count`` numbers of ``lengths`` digits (inclusive), each of one writer's digits, laid out by ``spacing``:
    "spaced", "tight", or "joined" (tight, and at least one pair of neighbours in one stroke)."""
    rng = np.random.default_rng(seed)
    low, high = SPACINGS[spacing]
    writers = digits.writers
    by_writer = {w: np.flatnonzero(writers == w) for w in np.unique(writers)}
    usable = [w for w, members in by_writer.items() if len(members) >= lengths[1]]
    strokes, texts, contributors = [], [], []
    while len(texts) < count:
        writer = usable[rng.integers(len(usable))]
        picked = rng.choice(by_writer[writer], rng.integers(lengths[0], lengths[1] + 1), replace=False)
        laid = _laid_out([digits.strokes(i) for i in picked], rng, low, high)
        if spacing == "joined":
            laid, joins = _joined(laid)
            if not joins:
                continue  # "joined" numbers have at least two digits in one stroke
        strokes.append(_flat(laid))
        texts.append("".join(str(digits.labels[i]) for i in picked))
        contributors.append(str(contributors_of(np.array([writer]))[0]))
    return Numbers(strokes, texts, contributors)


def _laid_out(samples: list[list[np.ndarray]], rng, low: float, high: float) -> list[list[np.ndarray]]:
    """Each digit scaled to a common height (its own size varies a little), side by side, bottoms aligned."""
    placed, right = [], 0.0
    for strokes in samples:
        points = np.concatenate(strokes)
        lo, hi = points.min(0), points.max(0)
        scale = rng.uniform(0.9, 1.05) / max(float(hi[1] - lo[1]), 1e-6)
        left = right + rng.uniform(low, high) if placed else 0.0
        shift = np.array([left - lo[0] * scale, 1.0 + rng.uniform(-0.05, 0.05) - hi[1] * scale])
        placed.append([(s * scale + shift).astype(np.float32) for s in strokes])
        right = max(right, left + float(hi[0] - lo[0]) * scale)
    return placed


def _joined(placed: list[list[np.ndarray]]) -> tuple[list[list[np.ndarray]], int]:
    """Neighbours written without lifting the pen, where a person would: when one digit's last stroke
    ends near where the next one's first begins (within JOIN_REACH heights). Also how many were joined."""
    joins = 0
    for k in range(len(placed) - 1, 0, -1):
        left, right = placed[k - 1], placed[k]
        if np.linalg.norm(left[-1][-1] - right[0][0]) < JOIN_REACH:
            placed[k - 1] = left[:-1] + [np.concatenate([left[-1], right[0]])] + right[1:]
            del placed[k]
            joins += 1
    return placed, joins


def _flat(placed: list[list[np.ndarray]]) -> list[np.ndarray]:
    return [stroke for digit in placed for stroke in digit]


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def number_figures(reader, numbers: Numbers) -> dict:
    """``mnist-pad-eval --numbers``: how a NumberReader reads ``numbers``, pooled and by contributor."""
    readings, seconds = [], []
    for strokes in numbers.strokes:
        started = time.perf_counter()
        readings.append(reader.read(strokes).text)
        seconds.append(time.perf_counter() - started)
    truth = numbers.texts
    whole = np.array([r == t for r, t in zip(readings, truth)])
    errors = np.array([edit_distance(r, t) for r, t in zip(readings, truth)])
    lengths = np.array([len(t) for t in truth])
    count_right = np.array([len(r) == len(t) for r, t in zip(readings, truth)])
    contributors = np.array(numbers.contributors)
    per_contributor = {
        name: {"n": int(mask.sum()), "whole_accuracy": float(whole[mask].mean()),
               "cer": float(errors[mask].sum() / lengths[mask].sum())}
        for name in sorted(set(numbers.contributors)) for mask in [contributors == name]
    }
    ms = np.array(seconds) * 1000
    return {
        "numbers": len(truth),
        "whole_accuracy": float(whole.mean()),
        "cer": float(errors.sum() / lengths.sum()),
        "count_right": float(count_right.mean()),
        "per_contributor": per_contributor,
        "ms_per_number": {"p50": float(np.percentile(ms, 50)), "p99": float(np.percentile(ms, 99))},
        "readings": readings,
    }
