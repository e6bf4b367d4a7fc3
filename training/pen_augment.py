"""Random variations of a pen path before it is rendered: the variety real writers have.

Warping a rendered image blurs it and changes its stroke width with its size;
varying the *path* and then rendering it through the live drawing path keeps
every training image exactly what the pad would make of such a drawing. Pure numpy.
"""

from __future__ import annotations

import numpy as np

from mnist_pad.preprocess import STROKE_WIDTH

MAX_ROTATION_DEG = 12.0
MAX_SHEAR = 0.25  # slant: x moves by this much per unit of y
MAX_ASPECT_CHANGE = 0.15  # relative stretch of one axis against the other
SCALE_RANGE = (0.35, 0.8)  # digit height as a fraction of the pad: matters against the pen's width
MAX_EXTENT = 0.95  # of the pad
JITTER = 0.004  # pad units of smooth wobble along the path
END_CHANGE = 0.1  # a stroke end loses or gains up to this fraction of the stroke's length
END_CHANGE_PROBABILITY = 0.3  # per stroke end
WIDTH_RANGE = (STROKE_WIDTH - 0.7, STROKE_WIDTH + 0.7)  # pixels of 28
DESCRIPTION = (
    f"pen path per sample: rotation ±{MAX_ROTATION_DEG:g}°, slant ±{MAX_SHEAR}, "
    f"aspect ±{MAX_ASPECT_CHANGE:.0%}, height {SCALE_RANGE[0]}-{SCALE_RANGE[1]} of the pad, "
    f"jitter {JITTER} pad, stroke ends cut or extended by up to {END_CHANGE:.0%} "
    f"(p={END_CHANGE_PROBABILITY} per end), stroke width {WIDTH_RANGE[0]:.1f}-{WIDTH_RANGE[1]:.1f} px"
)


def random_pen_variation(
    strokes: list[np.ndarray], rng: np.random.Generator
) -> tuple[list[np.ndarray], float]:
    """A randomly varied copy of pad-unit ``strokes``, and a stroke width to render it with."""
    strokes = [_change_ends(s, rng) for s in strokes]
    strokes = [_jitter(s, rng) for s in strokes]
    height = max(float(np.ptp(np.concatenate(strokes)[:, 1])), 1e-6)
    angle = np.deg2rad(rng.uniform(-MAX_ROTATION_DEG, MAX_ROTATION_DEG))
    aspect = 1.0 + rng.uniform(-MAX_ASPECT_CHANGE, MAX_ASPECT_CHANGE)
    scale = rng.uniform(*SCALE_RANGE) / height
    cos, sin = np.cos(angle), np.sin(angle)
    shear = rng.uniform(-MAX_SHEAR, MAX_SHEAR)
    # x' = rotation @ shear @ diag(aspect, 1 / aspect) @ x
    linear = scale * np.array([[cos, -sin], [sin, cos]]) @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag(
        [aspect, 1.0 / aspect]
    )
    varied = [s @ linear.T for s in strokes]
    # Centred on the pad, and, as a person draws within it, a digit grown past it is shrunk to fit.
    points = np.concatenate(varied)
    low, high = points.min(0), points.max(0)
    shrink = min(1.0, MAX_EXTENT / max(float((high - low).max()), 1e-6))
    varied = [((s - (low + high) / 2) * shrink + 0.5).astype(np.float32) for s in varied]
    return varied, float(rng.uniform(*WIDTH_RANGE))


def _change_ends(stroke: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cut or extend each end of a stroke, as a pen that lands or lifts early or late does."""
    if len(stroke) < 3:
        return stroke
    travelled = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(stroke, axis=0), axis=1))])
    length = travelled[-1]
    if length <= 0:
        return stroke
    # Distances along the stroke where it now starts and ends; beyond [0, length] it is extended.
    start, end = _end_change(rng) * length, length - _end_change(rng) * length
    inner = stroke[(travelled > start) & (travelled < end)]
    first, last = _point_along(stroke, travelled, start), _point_along(stroke, travelled, end)
    return np.concatenate([first, inner, last]).astype(np.float32)


def _end_change(rng: np.random.Generator) -> float:
    """A fraction of the stroke to cut (> 0) or add (< 0) at one end; mostly 0."""
    if rng.random() >= END_CHANGE_PROBABILITY:
        return 0.0
    return float(rng.uniform(-END_CHANGE, END_CHANGE))


def _point_along(stroke: np.ndarray, travelled: np.ndarray, distance: float) -> np.ndarray:
    """The point at ``distance`` along the stroke; beyond an end, straight on from it."""
    if distance < 0:
        return stroke[:1] + _unit(stroke[0] - stroke[3 if len(stroke) > 3 else -1]) * -distance
    if distance > travelled[-1]:
        return stroke[-1:] + _unit(stroke[-1] - stroke[-4 if len(stroke) > 3 else 0]) * (distance - travelled[-1])
    return np.array([[np.interp(distance, travelled, stroke[:, axis]) for axis in (0, 1)]], stroke.dtype)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.hypot(*vector))
    return vector / norm if norm > 0 else np.zeros_like(vector)


def _jitter(stroke: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A smooth wobble: noise on a few control points, interpolated along the stroke."""
    if len(stroke) < 2:
        return stroke
    controls = rng.normal(0.0, JITTER, (4, 2))
    where = np.linspace(0.0, 1.0, len(stroke))
    anchors = np.linspace(0.0, 1.0, len(controls))
    wobble = np.stack([np.interp(where, anchors, controls[:, axis]) for axis in (0, 1)], axis=1)
    return (stroke + wobble).astype(np.float32)
