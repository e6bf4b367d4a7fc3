"""Random stroke-width changes and affine warps of uint8 digit images, vectorised over a batch.

People draw digits rotated, slanted, squashed and off-centre by a pixel or two,
and with thinner or thicker strokes than MNIST's pens; MNIST's writers did less
of that. Small random changes of the training images teach the network that
variety (measured on real pen digits in the README).
"""

from __future__ import annotations

import numpy as np

MAX_ROTATION_DEG = 12.0
SCALE_RANGE = (0.85, 1.1)
MAX_ASPECT_CHANGE = 0.12  # relative stretch of one axis against the other
MAX_SHEAR = 0.2
MAX_SHIFT_PX = 2.0
MAX_WIDTH_CHANGE_PX = 0.8  # strokes get up to this much thinner or thicker
DESCRIPTION = (
    f"per image: stroke width ±{MAX_WIDTH_CHANGE_PX} px, rotation ±{MAX_ROTATION_DEG:g}°, "
    f"scale {SCALE_RANGE[0]}-{SCALE_RANGE[1]}, aspect ±{MAX_ASPECT_CHANGE:.0%}, "
    f"slant ±{MAX_SHEAR}, shift ±{MAX_SHIFT_PX:g} px"
)


def random_augment(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random stroke-width change, then a random affine warp, for each (28, 28) uint8 image."""
    widened = change_stroke_width(images, rng.uniform(-MAX_WIDTH_CHANGE_PX, MAX_WIDTH_CHANGE_PX, len(images)))
    return random_affine(widened, rng)


def change_stroke_width(images: np.ndarray, change_px: np.ndarray) -> np.ndarray:
    """Thicken (change > 0) or thin (change < 0) each image's strokes by up to one pixel.

    A 2x2 grey dilation (erosion) widens (narrows) a stroke by one pixel; blending
    it with the original by |change| gives the fractional widths in between.
    """
    padded = np.pad(images, ((0, 0), (0, 1), (0, 1))).astype(np.float32)
    window = np.stack([padded[:, :-1, :-1], padded[:, 1:, :-1], padded[:, :-1, 1:], padded[:, 1:, 1:]])
    change = np.asarray(change_px, np.float32)[:, None, None]
    target = np.where(change > 0, window.max(0), window.min(0))
    blended = images + np.abs(change) * (target - images)
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)


def random_affine(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Warp each (28, 28) uint8 image about its centre by its own random affine map."""
    n = len(images)
    return warp(
        images,
        angle_deg=rng.uniform(-MAX_ROTATION_DEG, MAX_ROTATION_DEG, n),
        scale=rng.uniform(*SCALE_RANGE, n),
        aspect=1.0 + rng.uniform(-MAX_ASPECT_CHANGE, MAX_ASPECT_CHANGE, n),
        shear=rng.uniform(-MAX_SHEAR, MAX_SHEAR, n),
        shift=rng.uniform(-MAX_SHIFT_PX, MAX_SHIFT_PX, (n, 2)),
    )


def warp(images, angle_deg, scale, aspect, shear, shift) -> np.ndarray:
    """Apply one affine map per image (parameters are arrays of length n; shift is (n, 2) in x, y)."""
    n, height, width = images.shape
    angle = np.deg2rad(angle_deg)
    cos, sin = np.cos(angle), np.sin(angle)
    # forward map = rotation @ shear @ diag(scale * aspect, scale / aspect), in (x, y)
    sx, sy = scale * aspect, scale / aspect
    forward = np.empty((n, 2, 2))
    forward[:, 0, 0] = cos * sx
    forward[:, 0, 1] = (cos * shear - sin) * sy
    forward[:, 1, 0] = sin * sx
    forward[:, 1, 1] = (sin * shear + cos) * sy
    inverse = np.linalg.inv(forward).astype(np.float32)[..., None]  # (n, 2, 2, 1)

    # For every output pixel, find where it comes from in the input and sample there.
    # Plain broadcasting: einsum is many times slower on these small shapes.
    cx, cy = (width - 1) / 2, (height - 1) / 2
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    out_x = xs.ravel()[None] - cx - shift[:, :1].astype(np.float32)  # (n, pixels)
    out_y = ys.ravel()[None] - cy - shift[:, 1:].astype(np.float32)
    src_x = inverse[:, 0, 0] * out_x + inverse[:, 0, 1] * out_y + cx
    src_y = inverse[:, 1, 0] * out_x + inverse[:, 1, 1] * out_y + cy
    return _bilinear(images, src_x, src_y).reshape(images.shape)


def _bilinear(images: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sample (n, h, w) images at float coordinates (n, p), zero outside."""
    n, height, width = images.shape
    padded = np.zeros((n, height + 2, width + 2), dtype=np.float32)
    padded[:, 1:-1, 1:-1] = images
    flat = padded.reshape(-1)
    # Shift into padded coordinates and clamp so that far-away samples read the zero border.
    x = np.clip(x + 1, 0, width + 1 - 1e-3)
    y = np.clip(y + 1, 0, height + 1 - 1e-3)
    x0, y0 = np.floor(x), np.floor(y)
    fx, fy = x - x0, y - y0
    stride = width + 2
    # The clipping above keeps x0 + 1 and y0 + 1 inside the padded image.
    top_left = (np.arange(n)[:, None] * (height + 2) + y0.astype(np.intp)) * stride + x0.astype(np.intp)
    top = flat[top_left] * (1 - fx) + flat[top_left + 1] * fx
    bottom = flat[top_left + stride] * (1 - fx) + flat[top_left + stride + 1] * fx
    warped = top * (1 - fy) + bottom * fy
    return np.clip(np.rint(warped), 0, 255).astype(np.uint8)
