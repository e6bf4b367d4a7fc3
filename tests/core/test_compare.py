"""The verdict after a run: the new model against the one in use, on held-out digits, letters and made-up drawings."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_pad.digit_rule import DigitRule
from mnist_pad.files import read_card
from mnist_pad.model_io import default_model_path
from mnist_pad.pen_digits import contributors_of, load_pen_digits
from training.compare import LETTERS_ENV_VAR, LETTERS_JUDGED, compare_models, fixed_sample, letters_to_judge
from training.job import TrainConfig, TrainResult
from training.pen_data import from_pen_digits, load_pen_samples, split_validation_writers
from training.verdict import BETTER, SAME, WORSE, Comparison, Judgement, sign_test

SHIPPED = default_model_path()  # trained to turn away what is not a digit; its card carries the rule
MNIST_ONLY = SHIPPED.with_name("mnist_only_convnet.h5")  # never saw a drawing that is not a digit; no rule on its card


def outcomes(comparison: Comparison) -> dict[str, str]:
    return {judgement.items: judgement.outcome for judgement in comparison.judgements}


def paired_answers(only_new: int, only_current: int, both: int = 9_850, n: int = 10_000):
    """Right (True) or wrong answers of two models on the same ``n`` items."""
    new, current = np.zeros(n, bool), np.zeros(n, bool)
    new[:both] = current[:both] = True
    new[both:both + only_new] = True
    current[both + only_new:both + only_new + only_current] = True
    return new, current


def test_the_sign_test_is_the_exact_two_sided_binomial_test():
    assert sign_test(0, 5) == pytest.approx(2 / 2**5)  # 5 of 5 one way: 1/32 each side
    assert sign_test(6, 0) == pytest.approx(2 / 2**6)
    assert sign_test(1, 5) == pytest.approx(2 * (1 + 6) / 2**6)
    assert sign_test(7, 7) == 1.0 and sign_test(0, 0) == 1.0
    assert sign_test(30, 12) == sign_test(12, 30)


def test_two_more_right_of_ten_thousand_is_about_the_same_not_better():
    same = Judgement.of("MNIST test digits", True, *paired_answers(50, 48))
    assert same.new_right - same.current_right == 2 and same.outcome == SAME
    assert same.sentence("mnist_convnet.h5") == (
        "About the same at reading digits: 99.0% of 10,000 MNIST test digits read right, against 99.0% by "
        "mnist_convnet.h5; a difference this small could be chance.")
    # As many more right, but every one of the 30 items they disagree on goes the new model's way: no chance.
    lopsided = Judgement.of("MNIST test digits", True, *paired_answers(30, 0))
    assert lopsided.outcome == BETTER
    assert lopsided.sentence("mnist_convnet.h5").startswith("Better at reading digits: 98.8% of 10,000")


def test_the_headline_weighs_what_is_better_against_what_is_worse():
    better = Judgement.of("MNIST test digits", True, *paired_answers(30, 0))
    worse = Judgement.of("letters like no digit", False, *paired_answers(0, 30, both=500, n=1000))
    same = Judgement.of("MNIST test digits", True, *paired_answers(5, 5))
    assert Comparison("in_use.h5", (better, worse)).headline() == (
        "Against in_use.h5, the model in use, this model is better at some things and worse at others:")
    assert Comparison("in_use.h5", (same, worse)).headline() == (
        "This model does worse than in_use.h5, the model in use, and better at nothing:")
    assert Comparison("in_use.h5", (same,)).headline() == (
        "This model and in_use.h5, the model in use, cannot be told apart on these drawings:")
    assert worse.sentence("in_use.h5") == ("Worse at turning away drawings that are not digits: 50.0% of 1,000 "
                                          "letters like no digit turned away, against 53.0% by in_use.h5.")


@pytest.fixture(scope="module")
def few_pen(pen_digits_path):
    digits = from_pen_digits(load_pen_digits(pen_digits_path))
    return digits.subset(np.arange(len(digits)) % 4 == 0)


def test_a_model_that_lost_not_a_digit_is_worse_at_it_each_model_judged_by_its_own_rule(
    monkeypatch, sample_data, few_pen, pen_letters_path, default_predictor
):
    monkeypatch.setenv(LETTERS_ENV_VAR, str(pen_letters_path))
    config = TrainConfig(validation_writers=0.2)
    comparison = compare_models(str(MNIST_ONLY), str(SHIPPED), sample_data, few_pen, None, config)

    assert comparison.current_name == SHIPPED.name and comparison.notes == ()
    assert outcomes(comparison) == {
        "pen digits of writers this model never trained on": WORSE,
        "MNIST test digits": SAME,
        "letters like no digit": WORSE,
        "made-up drawings (shapes, scribbles and crossed-out digits)": WORSE,
    }
    pen_digits, mnist, letters, _ = comparison.judgements
    assert pen_digits.n == len(split_validation_writers(few_pen, 0.2)[1]) and mnist.n == len(sample_data.y_test)
    assert letters.n == LETTERS_JUDGED
    # The model in use turns away what its card's rule turns away; the new one, with no rule, the default's.
    sample = fixed_sample(load_pen_samples([str(pen_letters_path)], not_digits=True)[0])
    rule = DigitRule.for_card(read_card(SHIPPED))
    assert rule.from_card and rule != DigitRule()
    assert letters.current_right == int((~rule.is_digit(default_predictor.predict_batch(sample.images()))).sum())

    words = TrainResult(MNIST_ONLY, comparison=comparison).summary(planned_epochs=1).splitlines()
    assert "This model does worse than mnist_convnet.h5, the model in use, and better at nothing:" in words
    assert (f"Worse at turning away drawings that are not digits: {letters.new_right / 1000:.1%} of 1,000 letters "
            f"like no digit turned away, against {letters.current_right / 1000:.1%} by mnist_convnet.h5.") in words
    assert not any("Better" in line for line in words)


def test_without_letters_the_made_up_drawings_judge_alone_and_the_words_say_so(monkeypatch, sample_data):
    monkeypatch.delenv(LETTERS_ENV_VAR, raising=False)
    comparison = compare_models(str(SHIPPED), str(MNIST_ONLY), sample_data, None, None, TrainConfig())
    assert outcomes(comparison) == {"MNIST test digits": SAME, "made-up drawings (shapes and scribbles)": BETTER}
    assert comparison.in_words()[0] == (
        "This model does better than mnist_only_convnet.h5, the model in use, and worse at nothing:")
    assert comparison.notes == (
        "No letters were chosen under Not digits nor named by $MNIST_PAD_PEN_LETTERS, so drawings that are "
        "not digits were judged on made-up ones alone.",)


def test_a_model_against_itself_cannot_be_told_apart(monkeypatch, sample_data):
    monkeypatch.delenv(LETTERS_ENV_VAR, raising=False)
    comparison = compare_models(str(SHIPPED), str(SHIPPED), sample_data, None, None, TrainConfig())
    assert all(j.only_new_right == j.only_current_right == 0 for j in comparison.judgements)
    assert set(outcomes(comparison).values()) == {SAME}


def test_letters_the_run_learnt_from_are_judged_on_its_held_out_institutions_or_said_to_flatter_it(pen_letters_path):
    letters, _ = load_pen_samples([str(pen_letters_path)], not_digits=True)
    learnt, notes = letters_to_judge(letters, TrainConfig())
    assert len(learnt) == LETTERS_JUDGED
    assert notes == ("This model learnt from these letters, which flatters its figure on them.",)
    never_seen, notes = letters_to_judge(letters, TrainConfig(hold_out_contributors=("kai",)))
    assert notes == () and set(contributors_of(never_seen.writers)) == {"kai"} and len(never_seen) == LETTERS_JUDGED


def test_a_letters_file_that_cannot_be_read_leaves_the_made_up_drawings_and_says_why(monkeypatch, tmp_path):
    damaged = tmp_path / "letters.npz"
    damaged.write_bytes(b"not a zip file")
    monkeypatch.setenv(LETTERS_ENV_VAR, str(damaged))
    letters, (note,) = letters_to_judge(None, TrainConfig())
    assert letters is None and str(damaged) in note
    assert note.endswith("So drawings that are not digits were judged on made-up ones alone.")
