"""Drawings that are not digits, made up: what people draw on a digit pad besides digits. Pure numpy.

Letters (the pen-letters file) are real, but people also scribble, draw shapes and
faces, test the pen with a dash, and cross out what they wrote. These are
drawn here as pen paths in pad units (x right, y down), so they are rendered and
varied exactly as the real drawings are. Shapes that *are* a digit to some writers
are left out on purpose: a lone upright bar (1), a lone slanted bar (1 or 7), a plain
ring (0). Partial digits are left out too: half an 8 is often a whole 0 or 6.
Crossings-out are made from real digits, which keep their writer, so holding out an
institution holds out its crossed-out digits too.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from training.pen_data import PenSamples, concatenate
from training.pen_shapes import Strokes, ellipse, line, polyline, smooth_path

SYNTHETIC_WRITER = "synthetic/shapes"


def scribble(rng: np.random.Generator) -> Strokes:
    return [smooth_path(rng.uniform(0.2, 0.8, (rng.integers(6, 16), 2)))]


def zigzag(rng: np.random.Generator) -> Strokes:
    turns = rng.integers(3, 8)
    xs = np.linspace(0.2, 0.8, turns + 1)
    ys = np.where(np.arange(turns + 1) % 2 == 0, 0.35, 0.65) + rng.normal(0, 0.03, turns + 1)
    return [polyline(np.stack([xs, ys], 1))]


def hatching(rng: np.random.Generator) -> Strokes:
    """Back and forth across an area, as when colouring in or blotting something out."""
    return hatching_over(np.array([0.25, 0.25]), np.array([0.75, 0.75]), rng)


def smiley(rng: np.random.Generator) -> Strokes:
    radius = rng.uniform(0.25, 0.35)
    eye_y = 0.5 - radius * 0.35
    eye = rng.uniform(0.01, 0.03)
    return [
        ellipse((0.5, 0.5), (radius, radius * rng.uniform(0.9, 1.1))),
        ellipse((0.5 - radius * 0.35, eye_y), (eye, eye), points=8),
        ellipse((0.5 + radius * 0.35, eye_y), (eye, eye), points=8),
        ellipse((0.5, 0.5), (radius * 0.55, radius * 0.5), 0.2 * np.pi, 0.6 * np.pi, 12),
    ]


def star(rng: np.random.Generator) -> Strokes:
    angles = -np.pi / 2 + np.arange(6) * 4 * np.pi / 5 + rng.uniform(-0.1, 0.1)
    return [polyline(0.5 + 0.3 * np.stack([np.cos(angles), np.sin(angles)], 1))]


def triangle(rng: np.random.Generator) -> Strokes:
    corners = np.array([[0.5, 0.22], [0.8, 0.75], [0.2, 0.75], [0.5, 0.22]]) + rng.normal(0, 0.02, (4, 2))
    return [polyline(corners)]


def square_with_cross(rng: np.random.Generator) -> Strokes:
    corners = np.array([[0.25, 0.25], [0.75, 0.25], [0.75, 0.75], [0.25, 0.75], [0.25, 0.25]])
    corners += rng.normal(0, 0.015, corners.shape)
    return [polyline(corners), line(corners[0], corners[2]), line(corners[1], corners[3])]


def heart(rng: np.random.Generator) -> Strokes:
    t = np.linspace(0.0, 2 * np.pi, 40)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    return [0.5 + np.stack([x, y], 1) / 40 * rng.uniform(0.75, 1.0)]


def spiral(rng: np.random.Generator) -> Strokes:
    turns = rng.uniform(2.0, 3.5)
    angles = np.linspace(0.0, turns * 2 * np.pi, 60)
    radius = np.linspace(0.02, 0.32, 60)
    direction = rng.choice([-1.0, 1.0])
    return [0.5 + radius[:, None] * np.stack([np.cos(angles), direction * np.sin(angles)], 1)]


def cross(rng: np.random.Generator) -> Strokes:
    """An x: two crossing diagonals."""
    spread = rng.uniform(0.2, 0.3)
    return [line((0.5 - spread, 0.5 - spread), (0.5 + spread, 0.5 + spread)),
            line((0.5 + spread, 0.5 - spread), (0.5 - spread, 0.5 + spread))]


def hash_sign(rng: np.random.Generator) -> Strokes:
    return [line((0.4, 0.2), (0.35, 0.8)), line((0.62, 0.2), (0.57, 0.8)),
            line((0.2, 0.4), (0.8, 0.4)), line((0.18, 0.6), (0.78, 0.6))]


def arrow(rng: np.random.Generator) -> Strokes:
    head = rng.uniform(0.1, 0.18)
    return [line((0.2, 0.5), (0.8, 0.5)), polyline([(0.8 - head, 0.5 - head), (0.8, 0.5), (0.8 - head, 0.5 + head)])]


def wave(rng: np.random.Generator) -> Strokes:
    x = np.linspace(0.15, 0.85, 40)
    return [np.stack([x, 0.5 + 0.08 * np.sin((x - 0.15) * rng.uniform(12, 25))], 1)]


def dash(rng: np.random.Generator) -> Strokes:
    """A pen test: one short level stroke."""
    half = rng.uniform(0.05, 0.3)
    return [line((0.5 - half, 0.5), (0.5 + half, 0.5 + rng.uniform(-0.03, 0.03)))]


SHAPES: dict[str, Callable[[np.random.Generator], Strokes]] = {
    shape.__name__.replace("_", " "): shape
    for shape in (scribble, zigzag, hatching, smiley, star, triangle, square_with_cross, heart, spiral,
                  cross, hash_sign, arrow, wave, dash)
}
DESCRIPTION = f"{', '.join(SHAPES)}, and real digits crossed out"


def crossed_out(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A digit scratched out with a zigzag over it."""
    points = np.concatenate(strokes)
    low, high = points.min(0), points.max(0)
    # A narrow digit (a one) is scratched out wider than itself, or the scratches would be a bar.
    half_width = max((high[0] - low[0]) / 2, 0.35 * (high[1] - low[1]))
    middle = (low[0] + high[0]) / 2
    return [*strokes, *hatching_over(np.array([middle - half_width, low[1]]), np.array([middle + half_width, high[1]]), rng)]


def hatching_over(low: np.ndarray, high: np.ndarray, rng: np.random.Generator) -> Strokes:
    """Back and forth across the box from ``low`` to ``high``."""
    lines = rng.integers(4, 8)
    ys = np.linspace(low[1], high[1], lines)
    xs = np.where(np.arange(lines) % 2 == 0, low[0], high[0]) + rng.normal(0, 0.05, lines) * (high[0] - low[0])
    return [polyline(np.stack([xs, ys], 1))]


def made_up(count: int, seed: int = 0) -> PenSamples:
    """``count`` made-up drawings, the shapes in turn, each drawn anew, labelled -1."""
    rng = np.random.default_rng(seed)
    makers = list(SHAPES.values())
    strokes = [[s.astype(np.float32) for s in makers[i % len(makers)](rng)] for i in range(count)]
    return PenSamples(strokes, np.full(count, -1, np.int64), np.full(count, SYNTHETIC_WRITER))


def crossings_out(digits: PenSamples, count: int, seed: int = 0) -> PenSamples:
    """``count`` of ``digits``, each crossed out, labelled -1 and kept with its writer."""
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(digits), min(count, len(digits)), replace=False)
    strokes = [[s.astype(np.float32) for s in crossed_out(digits.strokes[i], rng)] for i in picked]
    return PenSamples(strokes, np.full(len(picked), -1, np.int64), digits.writers[picked])


def not_digit_drawings(digits: PenSamples | None, count: int, seed: int = 0) -> PenSamples:
    """``count`` drawings that are not digits: three quarters made-up shapes, a quarter crossed-out
    ``digits`` (all made-up without them)."""
    if digits is None or not len(digits):
        return made_up(count, seed)
    crossed = count // 4
    return concatenate([made_up(count - crossed, seed), crossings_out(digits, crossed, seed)])
