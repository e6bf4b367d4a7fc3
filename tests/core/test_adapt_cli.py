"""``mnist-pad-eval --adapt N`` as a user runs it, on real writers' digits."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from cli_helpers import run
from pen_helpers import save_subset, write_pen_digits, writer_indices

from mnist_pad.pen_digits import load_not_digits, load_pen_digits
from training.adapt_settings import MIN_DIGITS

DIGITS_PER_WRITER = 32


@pytest.fixture(scope="module")
def two_writers(tmp_path_factory, pen_digits_path):
    """The first 32 digits of the first two writers with at least that many, in file order."""
    digits = load_pen_digits(pen_digits_path)
    writers = [w for w in dict.fromkeys(digits.writers) if len(writer_indices(digits, w)) >= DIGITS_PER_WRITER][:2]
    indices = np.sort(np.concatenate([writer_indices(digits, w)[:DIGITS_PER_WRITER] for w in writers]))
    path = tmp_path_factory.mktemp("writers") / "two_writers.npz"
    save_subset(digits, indices, path)
    return path, writers


def assert_one_line_refusal(finished, *needles: str) -> None:
    assert finished.returncode == 2, finished.stderr
    lines = [line for line in finished.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in finished.stderr, finished.stderr
    for needle in needles:
        assert needle in lines[0]


def test_adapt_reports_each_writers_held_out_digits_before_and_after(two_writers, sample_path):
    path, writers = two_writers
    finished = run("mnist-pad-eval", "--strokes", str(path), "--adapt", "20", "--data", str(sample_path), "--json",
                   env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert finished.returncode == 0, finished.stderr
    report = json.loads(finished.stdout)
    per_writer = report["adapted_writers"]
    assert report["writers"] == 2 and [w["writer"] for w in per_writer] == writers
    assert report["n"] == 2 * (DIGITS_PER_WRITER - 20)
    assert all(w["n"] == DIGITS_PER_WRITER - 20 for w in per_writer)
    assert report["accuracy_before"] == pytest.approx(np.mean([w["accuracy_before"] for w in per_writer]))
    assert report["accuracy_after"] == pytest.approx(np.mean([w["accuracy_after"] for w in per_writer]))
    if report["accuracy_before"] < 1:
        expected = 1 - (1 - report["accuracy_after"]) / (1 - report["accuracy_before"])
        assert report["error_reduction"] == pytest.approx(expected)
    changes = [100 * (w["accuracy_after"] - w["accuracy_before"]) for w in per_writer]
    assert report["worst_writer_change"] == pytest.approx(min(changes))
    median = np.median([w["adapt_seconds"] for w in per_writer])
    assert report["adapt_seconds_p50"] == pytest.approx(median, abs=0.01)
    assert 0 < report["other_writers_accuracy_before"] <= 1 and 0 < report["other_writers_accuracy_after"] <= 1


def test_adapt_with_not_digits_reports_what_the_rule_makes_of_them_before_and_after(two_writers, sample_path,
                                                                                    tmp_path):
    from mnist_pad.digit_rule import DigitRule
    from mnist_pad.model_io import default_model_path, load_model
    from mnist_pad.predictor import Predictor
    from training.adapt import as_float, render_digits

    path, _ = two_writers
    digits = load_pen_digits(path)
    # Drawings that are not digits: each digit's first stroke cut to its first quarter, labelled -1.
    strokes = [[digits.strokes(i)[0][: max(2, len(digits.strokes(i)[0]) // 4)]] for i in range(0, len(digits), 3)]
    others = tmp_path / "others.npz"
    write_pen_digits(others, [-1] * len(strokes), strokes, ["x/y"] * len(strokes))
    finished = run("mnist-pad-eval", "--strokes", str(path), "--adapt", "20", "--not-digits", str(others),
                   "--data", str(sample_path), "--json", env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert finished.returncode == 0, finished.stderr
    report = json.loads(finished.stdout)
    shipped = load_model(default_model_path())
    images = render_digits(load_not_digits(others)[0], tablet_units=True)
    expected = np.mean(~DigitRule.for_card(shipped.card).is_digit(Predictor(shipped.model).predict_batch(as_float(images))))
    assert report["not_digits_rejected_before"] == pytest.approx(expected)
    assert 0 <= report["not_digits_rejected_after"] <= 1


def test_adapt_needs_strokes(sample_path):
    assert_one_line_refusal(run("mnist-pad-eval", "--adapt", "20", "--data", str(sample_path)), "--strokes")


def test_adapt_refuses_too_few_digits_to_help(two_writers, sample_path):
    path, _ = two_writers
    finished = run("mnist-pad-eval", "--strokes", str(path), "--adapt", str(MIN_DIGITS - 1),
                   "--data", str(sample_path))
    assert_one_line_refusal(finished, str(path), f"at least {MIN_DIGITS}")


def test_adapt_refuses_a_file_without_writers_that_have_enough_digits(two_writers, sample_path):
    path, _ = two_writers
    finished = run("mnist-pad-eval", "--strokes", str(path), "--adapt", str(DIGITS_PER_WRITER),
                   "--data", str(sample_path))
    assert_one_line_refusal(finished, str(path), f"{DIGITS_PER_WRITER + 10} digits")


def test_adapting_within_a_writer_fold_adapts_only_that_folds_writers(two_writers, sample_path):
    """With --hold-out-writers K/F, the fold model's unseen writers are the users; the rest are replayed."""
    from training.pen_data import writer_folds

    path, writers = two_writers
    digits = load_pen_digits(path)
    fold_of = dict(zip(digits.writers.tolist(), writer_folds(digits.writers, 2).tolist()))
    for fold in (1, 2):
        finished = run("mnist-pad-eval", "--strokes", str(path), "--adapt", "20", "--hold-out-writers", f"{fold}/2",
                       "--data", str(sample_path), "--json", env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        assert finished.returncode == 0, finished.stderr
        adapted = [entry["writer"] for entry in json.loads(finished.stdout)["adapted_writers"]]
        assert adapted == [w for w in writers if fold_of[w] == fold - 1]
