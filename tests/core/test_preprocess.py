"""Strokes -> MNIST-style 28x28 input: box, centre of mass, stroke width, and real pen digits."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_pad.preprocess import FIT_BOX, centre_of_mass, strokes_to_image


def circle(radius=100.0, centre=(300.0, 300.0), aspect=1.15, points=80):
    angles = np.linspace(0, 2 * np.pi, points)
    return np.stack([centre[0] + radius * np.cos(angles), centre[1] + radius * aspect * np.sin(angles)], 1)


def seven(size=200.0, at=(50.0, 80.0)):
    top = np.array([[0, 0], [0.6, 0.0]])
    stem = np.array([[0.6, 0.0], [0.25, 1.0]])
    return [at + size * top, at + size * stem]


def ink_box(image: np.ndarray, level: float = 0.0) -> tuple[int, int]:
    ys, xs = np.nonzero(image > level)
    return int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1


def test_empty_drawing_gives_none():
    assert strokes_to_image([]) is None
    assert strokes_to_image([np.zeros((0, 2))]) is None


@pytest.mark.parametrize("strokes", [[circle()], seven(), [np.array([[5.0, 5.0], [5.0, 300.0]])]],
                         ids=["zero", "seven", "one"])
def test_white_on_black_in_unit_range(strokes):
    image = strokes_to_image(strokes)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.min() == 0.0 and image.max() == 1.0
    assert image[0].max() == image[:, 0].max() == 0.0  # background stays black at the border
    assert 0.05 < image.mean() < 0.35  # ink is the minority, as in MNIST


@pytest.mark.parametrize("strokes", [[circle()], seven(), [circle(centre=(10, 900))]])
def test_centre_of_mass_within_half_a_pixel_of_the_centre(strokes):
    x, y = centre_of_mass(strokes_to_image(strokes))
    assert abs(x - 14) < 0.5 and abs(y - 14) < 0.5


@pytest.mark.parametrize("strokes", [[circle()], seven(), [np.array([[0.0, 0.0], [300.0, 40.0]])]])
def test_bounding_box_fits_twenty_pixels_keeping_aspect(strokes):
    width, height = ink_box(strokes_to_image(strokes))
    assert max(width, height) <= FIT_BOX
    assert max(width, height) >= FIT_BOX - 2  # and fills it


def test_aspect_ratio_is_kept():
    tall = strokes_to_image([circle(aspect=1.4)])  # an ellipse 1.4 times taller than wide
    width, height = ink_box(tall, level=0.5)
    assert height / width == pytest.approx(1.4, abs=0.15)


def test_stroke_thickness_is_the_same_drawn_large_or_small():
    small, large = strokes_to_image(seven(size=40)), strokes_to_image(seven(size=900))
    np.testing.assert_allclose(small, large, atol=1e-4)


def test_stroke_thickness_resembles_mnist(sample_data):
    """Ink per digit of a drawn 0 and 7 is within MNIST's own spread for those classes."""
    for digit, strokes in ((0, [circle()]), (7, seven())):
        mnist_ink = sample_data.x_train[sample_data.y_train == digit].sum((1, 2)) / 255.0
        low, high = np.percentile(mnist_ink, [10, 90])
        assert low <= strokes_to_image(strokes).sum() <= high


def test_translation_does_not_matter():
    here = strokes_to_image(seven(at=(0.0, 0.0)))
    there = strokes_to_image(seven(at=(1234.5, -77.0)))
    np.testing.assert_allclose(here, there, atol=1e-4)


def test_a_tap_is_a_small_dot_not_a_blob():
    dot = strokes_to_image([np.array([[100.0, 100.0]])], min_extent=10.0)
    assert dot is not None and 1 <= (dot > 0.5).sum() <= 12
    jitter = strokes_to_image([np.array([[100.0, 100.0], [100.6, 100.3]])], min_extent=10.0)
    assert (jitter > 0.5).sum() <= 12  # pen jitter under the pen width is not blown up to 20 px


def test_real_pen_digits_are_recognised_end_to_end(pen_digits_path):
    from mnist_pad.model_io import default_model_path, load_model
    from mnist_pad.pen_digits import load_pen_digits
    from mnist_pad.predictor import Predictor

    digits = load_pen_digits(pen_digits_path)
    picked = np.random.default_rng(7).choice(len(digits), 200, replace=False)
    images = np.stack([strokes_to_image(digits.strokes(i)) for i in picked])
    predictor = Predictor(load_model(default_model_path()).model)
    accuracy = (predictor.predict_batch(images).argmax(1) == digits.labels[picked]).mean()
    assert accuracy >= 0.93, accuracy
