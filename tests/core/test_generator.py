"""The PyDataset generator: shapes, scale, labels, length, the last batch, shuffling, augmentation."""

from __future__ import annotations

import numpy as np
import pytest

from training.augment import change_stroke_width, warp
from training.generator import MnistSequence


def test_batches_are_scaled_float_images_with_one_hot_labels(sample_data):
    seq = MnistSequence(sample_data.x_train, sample_data.y_train, batch_size=64)
    images, labels = seq[0]
    assert images.shape == (64, 28, 28, 1) and images.dtype == np.float32
    assert labels.shape == (64, 10) and labels.dtype == np.float32
    np.testing.assert_allclose(images[..., 0], sample_data.x_train[:64] / 255.0, atol=1e-6)
    assert images.min() == 0.0 and images.max() == 1.0
    np.testing.assert_array_equal(labels.argmax(1), sample_data.y_train[:64])
    np.testing.assert_array_equal(labels.sum(1), np.ones(64))


def test_length_and_partial_last_batch(sample_data):
    seq = MnistSequence(sample_data.x_train[:1000], sample_data.y_train[:1000], batch_size=300)
    assert len(seq) == 4
    assert [len(seq[i][0]) for i in range(4)] == [300, 300, 300, 100]
    with pytest.raises(IndexError):
        seq[4]
    # Every sample appears exactly once per epoch.
    seen = np.concatenate([seq[i][0] for i in range(4)])[..., 0]
    np.testing.assert_allclose(seen, sample_data.x_train[:1000] / 255.0, atol=1e-6)


def _epoch_labels(seq) -> np.ndarray:
    return np.concatenate([seq[i][1].argmax(1) for i in range(len(seq))])


def test_training_order_reshuffles_every_epoch(sample_data):
    seq = MnistSequence(sample_data.x_train, sample_data.y_train, 100, shuffle=True, seed=1)
    first = _epoch_labels(seq)
    seq.on_epoch_end()
    second = _epoch_labels(seq)
    assert not np.array_equal(first, second)
    # A permutation of the same samples, not a resample.
    assert sorted(first) == sorted(second) == sorted(sample_data.y_train)


def test_validation_order_never_changes(sample_data):
    seq = MnistSequence(sample_data.x_test, sample_data.y_test, 100)
    first = _epoch_labels(seq)
    seq.on_epoch_end()
    np.testing.assert_array_equal(first, _epoch_labels(seq))
    np.testing.assert_array_equal(first, sample_data.y_test)


def test_images_stay_uint8_in_memory(sample_data):
    seq = MnistSequence(sample_data.x_train, sample_data.y_train, 100, shuffle=True)
    assert seq.images.dtype == np.uint8
    assert np.shares_memory(seq.images, sample_data.x_train)  # no copy, let alone a float one
    with pytest.raises(TypeError):
        MnistSequence(sample_data.x_train.astype(np.float32), sample_data.y_train)


def test_workers_options_reach_pydataset(sample_data):
    seq = MnistSequence(sample_data.x_train, sample_data.y_train, workers=3, max_queue_size=7)
    assert (seq.workers, seq.use_multiprocessing, seq.max_queue_size) == (3, False, 7)


def test_augmentation_changes_pixels_but_keeps_digits(sample_data):
    plain = MnistSequence(sample_data.x_train, sample_data.y_train, 200)
    warped = MnistSequence(sample_data.x_train, sample_data.y_train, 200, augment=True, seed=5)
    (x_plain, y_plain), (x_warp, y_warp) = plain[0], warped[0]
    np.testing.assert_array_equal(y_plain, y_warp)
    assert np.abs(x_plain - x_warp).mean() > 0.02
    # Thinner, thicker, smaller or larger strokes, but the digit neither vanishes nor floods the image.
    ink_ratio = x_warp.sum((1, 2, 3)) / x_plain.sum((1, 2, 3))
    assert 0.25 < ink_ratio.min() and ink_ratio.max() < 2.0
    assert ink_ratio.min() < 0.8 and ink_ratio.max() > 1.2  # both directions do occur
    # A fresh warp every epoch.
    warped.on_epoch_end()
    assert not np.array_equal(warped[0][0], x_warp)


def test_warp_identity_and_whole_pixel_shift_are_exact():
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    ones, zeros = np.ones(3), np.zeros(3)
    same = warp(images, zeros, ones, ones, zeros, np.zeros((3, 2)))
    np.testing.assert_array_equal(same, images)
    moved = warp(images, zeros, ones, ones, zeros, np.tile([2.0, -1.0], (3, 1)))  # right 2, up 1
    np.testing.assert_array_equal(moved[:, :-1, 2:], images[:, 1:, :-2])
    assert moved[:, :, :2].max() == 0 and moved[:, -1, :].max() == 0


def test_quarter_turn_rotates_the_image():
    image = np.zeros((1, 28, 28), np.uint8)
    image[0, 4:10, 13:15] = 255  # a bar above the centre
    turned = warp(image, np.array([90.0]), np.ones(1), np.ones(1), np.zeros(1), np.zeros((1, 2)))
    # With y growing down, +90 degrees turns "above the centre" into "right of it".
    ys, xs = np.nonzero(turned[0] > 128)
    assert np.ptp(ys) <= 2 and np.ptp(xs) >= 5
    assert xs.min() > 14 and 12 <= ys.mean() <= 15


def test_stroke_width_change_thickens_and_thins(sample_data):
    images = sample_data.x_train[:50]
    n = len(images)
    np.testing.assert_array_equal(change_stroke_width(images, np.zeros(n)), images)
    thicker = change_stroke_width(images, np.full(n, 0.8))
    thinner = change_stroke_width(images, np.full(n, -0.8))
    ink = images.sum((1, 2)).astype(float)
    assert np.all(thicker.sum((1, 2)) > ink * 1.2) and np.all(thinner.sum((1, 2)) < ink * 0.85)
    # Thinning never lights a background pixel, thickening never darkens ink.
    assert np.all(thinner <= images) and np.all(thicker >= images)
