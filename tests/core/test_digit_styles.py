"""The world's digit styles, made from pen paths: each keeps the writer's strokes and its digit,
and the shipped model reads each as its digit where a model trained without them does not."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_pad.pen_digits import render_pad_strokes
from training.digit_styles import (
    STYLES,
    closed_four,
    crossed_seven,
    curled_tailed_nine,
    dotted_zero,
    five_with_bar_last,
    flagged_one,
    flagged_one_with_foot,
    looped_two,
    open_four,
    phi_zero,
    restyled,
    slashed_zero,
    straight_tailed_nine,
    styled,
)
from training.pen_data import PenSamples


def _line(start, end, points=20):
    return np.linspace(start, end, points).astype(np.float32)


def _ellipse(centre, radii, points=40):
    angles = np.linspace(0, 2 * np.pi, points)
    return (np.asarray(centre) + np.stack([np.cos(angles), np.sin(angles)], 1) * radii).astype(np.float32)


# Plain digits as a person might draw them, in pad units (y grows down).
ZERO = [_ellipse((0.5, 0.5), (0.18, 0.3))]
ONE = [_line((0.5, 0.2), (0.48, 0.8))]
FOUR = [np.concatenate([_line((0.35, 0.2), (0.3, 0.6)), _line((0.3, 0.6), (0.7, 0.6))]), _line((0.58, 0.2), (0.58, 0.8))]
SEVEN = [np.concatenate([_line((0.3, 0.2), (0.7, 0.2)), _line((0.7, 0.2), (0.45, 0.8))])]
NINE = [np.concatenate([_ellipse((0.5, 0.35), (0.15, 0.15)), _line((0.65, 0.35), (0.62, 0.8))])]
TWO = [np.concatenate([_ellipse((0.5, 0.35), (0.15, 0.15))[20:32], _line((0.62, 0.45), (0.3, 0.8)),
                       _line((0.3, 0.8), (0.7, 0.8))])]
FIVE = [np.concatenate([_line((0.35, 0.2), (0.33, 0.45)), _ellipse((0.5, 0.6), (0.17, 0.17))[25:40]]),
        _line((0.35, 0.2), (0.68, 0.2))]


def rng():
    return np.random.default_rng(0)


def kept(original, made):
    """Every stroke the person drew is still there, unchanged."""
    return all(any(len(s) == len(m) and np.allclose(s, m) for m in made) for s in original)


def test_a_slash_crosses_the_zero_from_lower_left_to_upper_right_and_keeps_the_oval():
    made = slashed_zero(ZERO, rng())
    assert kept(ZERO, made) and len(made) == 2
    start, end = made[-1][0], made[-1][-1]
    assert start[0] < 0.4 and start[1] > 0.7 and end[0] > 0.6 and end[1] < 0.3


def test_a_phi_slash_leans_right_through_the_zeros_middle_and_runs_far_past_it_at_both_ends():
    round_zero = [_ellipse((0.5, 0.5), (0.25, 0.3))]
    for seed in range(20):
        made = phi_zero(round_zero, np.random.default_rng(seed))
        assert kept(round_zero, made) and len(made) == 2
        bottom, top = made[-1][0], made[-1][-1]
        assert bottom[1] > 0.8 + 0.6 * 0.2 and top[1] < 0.2 - 0.6 * 0.2  # 20-70% of the oval's height past it
        lean = np.degrees(np.arctan2(top[0] - bottom[0], bottom[1] - top[1]))
        assert 10 <= lean <= 35
        np.testing.assert_allclose(made[-1].mean(0)[0] - 0.5, 0, atol=0.1)  # through the middle
    assert phi_zero(ZERO, rng()) is None  # narrower than 0.6 of its height: it would read as a one


def test_a_dot_sits_inside_the_zero():
    made = dotted_zero(ZERO, rng())
    assert kept(ZERO, made)
    dot = made[-1]
    assert np.ptp(dot, axis=0).max() < 0.05 and np.abs(dot.mean(0) - 0.5).max() < 0.1


def test_the_bar_crosses_the_sevens_stem_at_half_height():
    made = crossed_seven(SEVEN, rng())
    assert kept(SEVEN, made)
    bar = made[-1]
    stem_x = np.interp(bar[:, 1].mean(), [0.2, 0.8], [0.7, 0.45])
    assert bar[:, 0].min() < stem_x < bar[:, 0].max()
    assert 0.4 < bar[:, 1].mean() < 0.65 and np.ptp(bar[:, 1]) < 0.1


def test_a_flag_runs_down_left_to_the_ones_top_and_a_foot_stands_under_it():
    flagged = flagged_one(ONE, rng())
    assert kept(ONE, flagged)
    flag = flagged[0]  # drawn first
    np.testing.assert_allclose(flag[-1], ONE[0][0], atol=1e-6)
    assert flag[0][0] < ONE[0][0][0] - 0.1 and flag[0][1] > ONE[0][0][1]
    footed = flagged_one_with_foot(ONE, rng())
    foot = footed[-1]
    assert foot[:, 1].mean() == pytest.approx(0.8, abs=0.03) and foot[:, 0].min() < 0.45 < 0.52 < foot[:, 0].max()


def test_a_one_that_already_has_a_flag_gets_no_second_one():
    assert flagged_one(flagged_one(ONE, rng()), rng()) is None


def test_a_four_is_closed_at_the_uprights_top_or_opened_above_its_corner():
    closed = closed_four(FOUR, rng())
    assert np.linalg.norm(closed[0][0] - FOUR[1][0]) < 0.05  # the arm starts where the upright does
    opened = open_four(FOUR, rng())
    assert opened[0][0][0] < 0.4 and opened[0][0][1] < 0.3  # the arm starts up on the left, apart
    for made in (closed, opened):
        np.testing.assert_allclose(made[1], FOUR[1])  # the upright is the writer's own
        np.testing.assert_allclose(made[0][-1], FOUR[0][-1])  # and so is the bar
    assert closed_four(ONE + ONE, rng()) is None  # not an arm and a bar


def test_a_nines_tail_is_made_straight_or_curled_to_the_left():
    straight = straight_tailed_nine(NINE, rng())
    tail = straight[0][40:]
    assert np.ptp(tail[:, 0]) < 0.2 and tail[-1][1] == pytest.approx(0.8, abs=1e-6)
    curled = curled_tailed_nine(NINE, rng())
    end = curled[0][-1]
    assert end[0] < tail[-1][0] - 0.05  # it hooks to the left
    np.testing.assert_allclose(curled[0][:40], NINE[0][:40])  # the loop is the writer's own


def test_a_loop_is_drawn_where_the_twos_diagonal_meets_its_base():
    made = looped_two(TWO, rng())[0]
    assert len(made) > len(TWO[0]) + 10
    added = made[~np.isin(made[:, 0], TWO[0][:, 0])]
    assert added[:, 0].mean() < 0.45 and added[:, 1].mean() > 0.6  # at the lower left


def test_the_fives_bar_comes_last_and_apart():
    made = five_with_bar_last(FIVE, rng())
    np.testing.assert_allclose(made[0], FIVE[0])
    bar = made[-1]
    assert bar[:, 1].mean() <= FIVE[1][:, 1].mean() + 0.02 and np.ptp(bar[:, 0]) > np.ptp(bar[:, 1])


def test_styled_samples_keep_their_digit_and_writer_and_only_styles_that_fit_join():
    samples = PenSamples([ZERO, ONE, FOUR, NINE], np.array([0, 1, 4, 9]), np.array(["a/1", "b/2", "c/3", "d/4"]))
    for name, (digit, _) in STYLES.items():
        made = styled(samples, name)
        assert (made.labels == digit).all()
        assert set(made.writers) <= set(samples.writers[samples.labels == digit])
    once_more = restyled(samples)
    assert sorted(once_more.labels) == [0, 1, 4, 9]  # each of them once, in one of its styles
    for strokes, label in zip(once_more.strokes, once_more.labels):
        original = samples.strokes[list(samples.labels).index(label)]
        assert not np.allclose(render_pad_strokes(strokes), render_pad_strokes(original), atol=0.05)


# --- On real writers' digits -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pen_samples(pen_digits_path):
    from training.pen_data import load_pen_samples

    return load_pen_samples([str(pen_digits_path)])[0]


@pytest.mark.parametrize("style", list(STYLES))
def test_each_style_fits_most_real_writers_of_its_digit(pen_samples, style):
    digit = STYLES[style][0]
    made = styled(pen_samples, style)
    assert len(made) >= 0.4 * (pen_samples.labels == digit).sum()


# Where a network trained without the styles fails them (the MNIST-only model, and the shipped
# model before them: slashed zeros 87.6%, flagged ones 71.5%, closed fours 90.4%; phi zeros: the
# MNIST-only model 3%, a fold model trained without them that never saw uqb 81%), the bar is set
# above it; elsewhere it guards what the styles must not cost.
READ_AT_LEAST = {
    "slashed zero": 0.95,
    "phi zero": 0.95,
    "flagged one": 0.95,
    "closed four": 0.95,
}
OTHER_STYLES_AT_LEAST = 0.96


def style_accuracy(model_path, samples, style):
    from mnist_pad.model_io import load_model
    from mnist_pad.predictor import Predictor

    made = styled(samples, style, seed=7)  # not the seed training draws its styles with
    predicted = Predictor(load_model(model_path).model).predict_batch(made.images()).argmax(1)
    return float((predicted == STYLES[style][0]).mean())


@pytest.mark.parametrize("style", list(STYLES))
def test_the_shipped_model_reads_each_style_as_its_digit(default_model, pen_samples, style):
    floor = READ_AT_LEAST.get(style, OTHER_STYLES_AT_LEAST)
    assert style_accuracy(default_model, pen_samples, style) >= floor


@pytest.mark.parametrize("style", list(READ_AT_LEAST))
def test_a_model_trained_without_the_styles_fails_that_check(pen_samples, style):
    from mnist_pad.model_io import default_model_path

    mnist_only = default_model_path().with_name("mnist_only_convnet.h5")
    assert style_accuracy(mnist_only, pen_samples, style) < READ_AT_LEAST[style]
