"""Pen paths of simple shapes in pad units (x right, y down), float32 like the pen files:
what the digit styles add to a person's digit and what the made-up drawings are drawn with.
Pure numpy."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

Strokes = list[np.ndarray]


def line(start, end, points: int = 12) -> np.ndarray:
    where = np.linspace(0.0, 1.0, points)[:, None]
    return ((1 - where) * np.asarray(start, float) + where * np.asarray(end, float)).astype(np.float32)


def polyline(corners) -> np.ndarray:
    corners = np.asarray(corners, float)
    sides = [line(a, b)[:-1] for a, b in pairwise(corners)]
    return np.concatenate(sides + [corners[-1:].astype(np.float32)])


def ellipse(centre, radii, start: float = 0.0, sweep: float = 2 * np.pi, points: int = 24) -> np.ndarray:
    """Points on an ellipse from angle ``start`` through ``sweep`` radians; y is down, so a positive sweep
    turns clockwise on screen."""
    angles = start + np.linspace(0.0, sweep, points)
    unit = np.stack([np.cos(angles), np.sin(angles)], 1)
    return (np.asarray(centre, float) + unit * np.asarray(radii, float)).astype(np.float32)


def smooth_path(controls: np.ndarray, points_per_segment: int = 8) -> np.ndarray:
    """A Catmull-Rom curve through ``controls``: how a quick hand joins the places it passes."""
    padded = np.concatenate([controls[:1], controls, controls[-1:]])
    t = np.linspace(0.0, 1.0, points_per_segment, endpoint=False)[:, None]
    parts = [
        0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3)
        for p0, p1, p2, p3 in zip(padded[:-3], padded[1:-2], padded[2:-1], padded[3:])
    ]
    return np.concatenate(parts + [controls[-1:]]).astype(np.float32)
