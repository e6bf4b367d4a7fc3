"""Strokes -> the 28x28 image the network sees, made the way MNIST was made. Pure: no Qt.

MNIST's digits were size-normalised to fit a 20x20 box keeping their aspect
ratio, anti-aliased, then placed in 28x28 so that their centre of mass sits at
the centre. A drawing that skips any of those steps looks unlike anything the
network has seen, which is why "99% on MNIST" apps fail on real drawings.

One step matters as much and MNIST never had to spell out: stroke width. We
normalise the *pen path* first and then draw it with a fixed width in 28x28
pixels, so a digit drawn large or small gets the same MNIST-like stroke.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from mnist_pad.pad import PAD_PEN_WIDTH  # noqa: F401 (re-exported: the pen that min_extent is made for)

IMAGE_SIZE = 28
FIT_BOX = 20.0  # MNIST: the digit's bounding box, ink included, fits 20x20
STROKE_WIDTH = 2.4  # pixels of the 28x28 image; see README "Stroke width"
MIN_SEGMENT = 0.6  # pixels: closer pen samples add cost but no visible shape

_CENTRE = IMAGE_SIZE / 2.0


def strokes_to_image(
    strokes: Sequence[np.ndarray], min_extent: float = 0.0, stroke_width: float = STROKE_WIDTH
) -> np.ndarray | None:
    """Render pen strokes as a (28, 28) float32 image in [0, 1], white on black.

    ``strokes`` are (n, 2) arrays of x, y points in any unit, y growing down.
    ``min_extent`` (same unit) is the smallest drawing that gets magnified to
    fill the box: below it, a tap stays a dot instead of becoming a blob.
    Returns None when there is nothing to draw.
    """
    paths = [np.asarray(s, np.float32).reshape(-1, 2) for s in strokes]
    paths = [p for p in paths if len(p)]
    if not paths:
        return None
    points = np.concatenate(paths)
    low, high = points.min(0), points.max(0)
    extent = max(float((high - low).max()), min_extent, 1e-6)
    # Scale the pen path so that every pixel with any ink fits FIT_BOX: the ink
    # reaches stroke_width/2 + 0.5 (anti-aliased fringe) beyond the path, and a
    # span of L pixels at a fractional position can touch ceil(L) + 1 of them.
    scale = (FIT_BOX - 1 - (stroke_width + 1)) / extent
    offset = _CENTRE - (low + high) / 2 * scale
    starts, ends = _segments([_simplify(p * scale + offset) for p in paths])

    ink, corner = _render(starts, ends, stroke_width)
    # Centre by centre of mass, moving the ink by whole pixels as MNIST did: no
    # resampling blurs it, and the centre of mass lands within half a pixel.
    move = np.round(_CENTRE - (corner + centre_of_mass(ink))).astype(int)
    return _placed(ink, corner + move)


def centre_of_mass(image: np.ndarray) -> np.ndarray:
    """(x, y) centre of mass in image coordinates (pixel centres at +0.5)."""
    height, width = image.shape
    total = image.sum()
    if total <= 0:
        return np.array([width / 2, height / 2], np.float32)
    x = image.sum(0) @ (np.arange(width) + 0.5) / total
    y = image.sum(1) @ (np.arange(height) + 0.5) / total
    return np.array([x, y], np.float32)


def _simplify(path: np.ndarray) -> np.ndarray:
    """Drop pen samples closer than MIN_SEGMENT to the last one kept; keep the end."""
    if len(path) <= 2:
        return path
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    kept = [0]
    travelled = 0.0
    for i, step in enumerate(steps, start=1):
        travelled += step
        if travelled >= MIN_SEGMENT:
            kept.append(i)
            travelled = 0.0
    if kept[-1] != len(path) - 1:
        kept.append(len(path) - 1)
    return path[kept]


def _segments(paths: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Start and end points of every segment; a single point is a zero-length segment."""
    starts, ends = [], []
    for path in paths:
        if len(path) == 1:
            starts.append(path)
            ends.append(path)
        else:
            starts.append(path[:-1])
            ends.append(path[1:])
    return np.concatenate(starts), np.concatenate(ends)


def _render(starts: np.ndarray, ends: np.ndarray, stroke_width: float) -> tuple[np.ndarray, np.ndarray]:
    """Anti-aliased round-capped strokes: coverage falls off over one pixel at the edge.

    Only the pixels that can get ink are drawn: returns that window of the
    image and the (x, y) pixel position of its top-left corner.
    """
    reach = stroke_width / 2 + 0.5  # beyond this distance from the path a pixel gets no ink
    ends_both = np.concatenate([starts, ends])
    left, top = np.floor(ends_both.min(0) - reach).astype(int)
    right, bottom = np.ceil(ends_both.max(0) + reach).astype(int)
    pixel_x, pixel_y = np.meshgrid(
        np.arange(left, right, dtype=np.float32) + 0.5, np.arange(top, bottom, dtype=np.float32) + 0.5
    )
    # x and y are kept apart: elementwise work on (pixels, segments) arrays is
    # several times faster in numpy than reducing over a trailing axis of 2.
    along_x, along_y = (ends - starts).T
    length2 = along_x * along_x + along_y * along_y
    inverse_length2 = np.divide(1.0, length2, out=np.zeros_like(length2), where=length2 > 0)
    to_x = pixel_x.reshape(-1, 1) - starts[None, :, 0]  # (pixels, segments)
    to_y = pixel_y.reshape(-1, 1) - starts[None, :, 1]
    t = np.clip((to_x * along_x + to_y * along_y) * inverse_length2, 0.0, 1.0)
    to_x -= t * along_x
    to_y -= t * along_y
    distance = np.sqrt((to_x * to_x + to_y * to_y).min(axis=1))
    coverage = np.clip(reach - distance, 0.0, 1.0).astype(np.float32)
    return coverage.reshape(bottom - top, right - left), np.array([left, top])


def _placed(ink: np.ndarray, corner: np.ndarray) -> np.ndarray:
    """The 28x28 image with ``ink``'s top-left corner at pixel ``corner``; what falls outside is cut."""
    image = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.float32)
    left, top = corner
    height, width = ink.shape
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + width, IMAGE_SIZE), min(top + height, IMAGE_SIZE)
    if x0 < x1 and y0 < y1:
        image[y0:y1, x0:x1] = ink[y0 - top : y1 - top, x0 - left : x1 - left]
    return image
