"""The world's ways of writing digits, made from real writers' pen paths. Pure numpy.

Each style takes one person's digit, as strokes in pad units (x right, y down), and
changes it the way writers elsewhere write that digit: a slash (short or phi-like) or a dot in the zero,
a bar across the seven, a long flag (and a foot) on the one, a four open or closed
at the top, a nine's tail straight or curled, a loop in the two, the five's bar
written last and apart. What the person drew stays; only the style's own part is
added or redrawn, so the result is still a person's handwriting, not a font.
A style that does not fit a drawing (a one that already has a flag, a four written
in one stroke) returns None, and that drawing is left out of that style.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from training.pen_data import PenSamples
from training.pen_shapes import Strokes, ellipse, line

Style = Callable[[Strokes, np.random.Generator], "Strokes | None"]


def _bounds(strokes: Strokes) -> tuple[np.ndarray, np.ndarray]:
    points = np.concatenate(strokes)
    return points.min(0), points.max(0)


def slashed_zero(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A slash from lower left to upper right, through the oval and up to well past it (Ø)."""
    low, high = _bounds(strokes)
    size = high - low
    beyond = rng.uniform(-0.05, 0.4, 2)
    start = (low[0] - beyond[0] * size[0], high[1] + beyond[0] * size[1])
    end = (high[0] + beyond[1] * size[0], low[1] - beyond[1] * size[1])
    return [*strokes, line(start, end)]


def phi_zero(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """A steep slash through the oval's middle, leaning right and running far past it at both ends (ϕ),
    as writers who cross their zeros like the Greek phi draw it. A zero narrower than 0.6 of its height
    gets none: with such a slash it would be a one with a bump."""
    low, high = _bounds(strokes)
    (width, height), centre = high - low, (low + high) / 2
    if width < 0.6 * height:
        return None
    lean = np.radians(rng.uniform(10, 35))  # from upright
    top, bottom = height * (0.5 + rng.uniform(0.2, 0.7, 2))  # from the middle, each way
    direction = np.array([np.sin(lean), -np.cos(lean)]) / np.cos(lean)  # per unit of height, upwards
    return [*strokes, line(centre - bottom * direction, centre + top * direction)]


def dotted_zero(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A dot in the middle: a pen that lands and barely moves."""
    low, high = _bounds(strokes)
    centre = (low + high) / 2 + rng.normal(0, 0.05, 2) * (high - low)
    wobble = rng.uniform(0.005, 0.02) * (high[1] - low[1])
    return [*strokes, ellipse(centre, (wobble, wobble), 0.0, rng.uniform(np.pi, 2 * np.pi), 6)]


def crossed_seven(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """A short bar across the stem at about half height, as most of Europe writes it."""
    low, high = _bounds(strokes)
    height = high[1] - low[1]
    middle = low[1] + rng.uniform(0.45, 0.6) * height
    points = np.concatenate(strokes)
    near = np.abs(points[:, 1] - middle) < 0.08 * height
    if not near.any():
        return None
    stem_x = float(np.median(points[near, 0]))
    half = rng.uniform(0.18, 0.3) * max(height, high[0] - low[0]) * rng.uniform(0.8, 1.2)
    tilt = np.tan(np.deg2rad(rng.uniform(-8, 8))) * half
    centre_x = stem_x + rng.uniform(-0.15, 0.15) * half
    return [*strokes, line((centre_x - half, middle + tilt), (centre_x + half, middle - tilt))]


def _plain_one_top(strokes: Strokes) -> np.ndarray | None:
    """The top of a one that is a plain bar (no flag yet), else None."""
    low, high = _bounds(strokes)
    if high[0] - low[0] > 0.3 * (high[1] - low[1]):
        return None
    points = np.concatenate(strokes)
    return points[np.argmin(points[:, 1])]


def flagged_one(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """A long flag from the top down to the left, drawn first, as much of Europe writes a one."""
    top = _plain_one_top(strokes)
    if top is None:
        return None
    low, high = _bounds(strokes)
    height = high[1] - low[1]
    flag_end = top + np.array([-rng.uniform(0.3, 0.55), rng.uniform(0.2, 0.45)]) * height
    return [line(flag_end, top), *strokes]


def flagged_one_with_foot(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """A flagged one that also stands on a bar, as typewriters and many schools write it."""
    flagged = flagged_one(strokes, rng)
    if flagged is None:
        return None
    points = np.concatenate(strokes)
    bottom = points[np.argmax(points[:, 1])]
    height = float(np.ptp(points[:, 1]))
    half = rng.uniform(0.18, 0.32) * height
    lift = rng.uniform(-0.02, 0.03) * height
    return [*flagged, line((bottom[0] - half, bottom[1] + lift), (bottom[0] + half, bottom[1] - lift))]


def _four_parts(strokes: Strokes) -> tuple[np.ndarray, np.ndarray, int] | None:
    """(the arm-and-bar stroke, the upright stroke, the index of the arm's corner) of a two-stroke four."""
    if len(strokes) != 2 or min(len(s) for s in strokes) < 4:
        return None
    # The upright is the stroke that is most tall against its width.
    tallness = [np.ptp(s[:, 1]) / (np.ptp(s[:, 0]) + 1e-6) for s in strokes]
    upright = int(np.argmax(tallness))
    arm, stem = strokes[1 - upright], strokes[upright]
    if np.ptp(arm[:, 0]) < 0.5 * np.ptp(arm[:, 1]):
        return None  # not an arm and a bar
    # The corner is where the arm comes down and turns right: the lowest, leftmost point.
    corner = int(np.argmax(arm[:, 1] - arm[:, 0]))
    if corner == 0 or corner == len(arm) - 1:
        return None
    return arm, stem, corner


def open_four(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """The arm comes straight down, apart from the upright: a four open at the top."""
    parts = _four_parts(strokes)
    if parts is None:
        return None
    arm, stem, corner = parts
    arm_top = arm[: corner + 1, 1].min()
    start = (arm[corner, 0] + rng.uniform(-0.05, 0.03) * np.ptp(stem[:, 1]), arm_top)
    return [np.concatenate([line(start, arm[corner])[:-1], arm[corner:]]), stem]


def closed_four(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """The arm starts at the upright's top and runs down to the bar: a four closed into a triangle."""
    parts = _four_parts(strokes)
    if parts is None:
        return None
    arm, stem, corner = parts
    stem_top = stem[np.argmin(stem[:, 1])]
    start = stem_top + np.array([rng.uniform(-0.03, 0.01), rng.uniform(0.0, 0.06)]) * np.ptp(stem[:, 1])
    return [np.concatenate([line(start, arm[corner])[:-1], arm[corner:]]), stem]


def _tail_start(stroke: np.ndarray, top: float, height: float) -> int | None:
    """Where a nine's tail leaves its loop: the last point of the stroke above mid-height."""
    above = np.flatnonzero(stroke[:, 1] < top + 0.5 * height)
    if not len(above) or above[-1] >= len(stroke) - 2:
        return None
    return int(above[-1])


def straight_tailed_nine(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """The tail a straight line down from the loop."""
    low, high = _bounds(strokes)
    height = high[1] - low[1]
    last = strokes[-1]
    start = _tail_start(last, low[1], height)
    if start is None:
        return None
    end = (last[start, 0] + rng.uniform(-0.15, 0.05) * height, high[1])
    return [*strokes[:-1], np.concatenate([last[: start + 1], line(last[start], end)[1:]])]


def curled_tailed_nine(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """The tail ends in a curl to the left, as a hook."""
    straight = straight_tailed_nine(strokes, rng)
    if straight is None:
        return None
    low, high = _bounds(straight)
    tail = straight[-1]
    radius = rng.uniform(0.1, 0.2) * (high[1] - low[1])
    end = tail[-1]
    # The curl continues the downward tail: around the bottom of a circle to its left.
    curl = ellipse(end - np.array([radius, 0.0]), (radius, radius), 0.0, rng.uniform(0.6, 1.0) * np.pi, 16)
    return [*straight[:-1], np.concatenate([tail, curl[1:]])]


def looped_two(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """A small loop where the diagonal meets the base, the pen going round once before the bar."""
    stroke_index = int(np.argmax([len(s) for s in strokes]))
    stroke = strokes[stroke_index]
    low, high = _bounds(strokes)
    height = high[1] - low[1]
    lower = stroke[:, 1] > low[1] + 0.6 * height
    if not lower.any():
        return None
    # The corner: the leftmost low point, where the diagonal turns into the base.
    candidates = np.flatnonzero(lower)
    corner = int(candidates[np.argmax(stroke[candidates, 1] - 1.5 * stroke[candidates, 0])])
    if corner == 0 or corner == len(stroke) - 1:
        return None
    radius = rng.uniform(0.07, 0.14) * height
    centre = stroke[corner] + np.array([rng.uniform(-0.2, 0.3) * radius, -radius])
    loop = ellipse(centre, (radius, radius), np.pi / 2, 2 * np.pi, 20)
    looped = np.concatenate([stroke[:corner], loop, stroke[corner + 1 :]])
    return [*strokes[:stroke_index], looped, *strokes[stroke_index + 1 :]]


def five_with_bar_last(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """The bar written last, on its own, often apart from the stem and tilted."""
    if len(strokes) < 2:
        return None
    low, high = _bounds(strokes)
    size = high - low
    # The bar: the highest stroke that is wider than tall.
    flat = [i for i, s in enumerate(strokes) if np.ptp(s[:, 0]) > np.ptp(s[:, 1])]
    if not flat:
        return None
    bar_index = min(flat, key=lambda i: strokes[i][:, 1].mean())
    bar = strokes[bar_index]
    shift = np.array([rng.uniform(0.0, 0.15) * size[0], -rng.uniform(0.0, 0.08) * size[1]])
    angle = np.deg2rad(rng.uniform(-10, 10))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    centre = bar.mean(0)
    moved = ((bar - centre) @ rotation.T + centre + shift).astype(np.float32)
    return [*strokes[:bar_index], *strokes[bar_index + 1 :], moved]


# name -> (the digit it is a way of writing, the style)
STYLES: dict[str, tuple[int, Style]] = {
    "slashed zero": (0, slashed_zero),
    "phi zero": (0, phi_zero),
    "dotted zero": (0, dotted_zero),
    "flagged one": (1, flagged_one),
    "flagged one with foot": (1, flagged_one_with_foot),
    "looped two": (2, looped_two),
    "open four": (4, open_four),
    "closed four": (4, closed_four),
    "five with bar last": (5, five_with_bar_last),
    "crossed seven": (7, crossed_seven),
    "straight-tailed nine": (9, straight_tailed_nine),
    "curled-tailed nine": (9, curled_tailed_nine),
}
DESCRIPTION = "digit styles from real pen paths: " + ", ".join(STYLES)


def styled(samples: PenSamples, style: str, seed: int = 0) -> PenSamples:
    """Every digit of ``samples`` that ``style`` fits, written in that style; writers are kept,
    so holding out a writer or an institution holds out its styled digits too."""
    digit, make = STYLES[style]
    rng = np.random.default_rng([seed, list(STYLES).index(style)])
    strokes, picked = [], []
    for i in np.flatnonzero(samples.labels == digit):
        made = make(samples.strokes[i], rng)
        if made is not None:
            strokes.append([s.astype(np.float32) for s in made])
            picked.append(i)
    picked = np.asarray(picked, np.int64)
    return PenSamples(strokes, samples.labels[picked], samples.writers[picked])


def restyled(samples: PenSamples, seed: int = 0) -> PenSamples:
    """Each digit of ``samples`` that has styles, once more in one of them picked at random (the next
    that fits, if that one does not): the training data's share of the world's styles."""
    rng = np.random.default_rng(seed)
    styles_of = {digit: [name for name, (d, _) in STYLES.items() if d == digit] for digit in range(10)}
    strokes, picked = [], []
    for i, digit in enumerate(samples.labels):
        names = styles_of.get(int(digit), [])
        for name in np.roll(names, -int(rng.integers(len(names))) if names else 0):
            made = STYLES[name][1](samples.strokes[i], rng)
            if made is not None:
                strokes.append([s.astype(np.float32) for s in made])
                picked.append(i)
                break
    picked = np.asarray(picked, np.int64)
    return PenSamples(strokes, samples.labels[picked], samples.writers[picked])
