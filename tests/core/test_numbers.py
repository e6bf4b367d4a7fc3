"""Whole numbers: ``mnist-pad-eval --numbers`` on files whose answers are known, its bad files, and the
number reader on digits joined in one stroke and on single digits."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from cli_helpers import OUTSIDE_CHECKOUT, assert_one_sentence_failure, run
from pen_helpers import write_pen_digits

from mnist_pad.digit_rule import DigitRule
from mnist_pad.model_io import open_model_file
from mnist_pad.number_reader import NumberReader
from mnist_pad.pen_digits import in_pad_units, load_pen_digits, load_pen_numbers
from mnist_pad.pen_numbers import JOIN_REACH, Numbers, compose_numbers, edit_distance, numbers_of
from mnist_pad.preprocess import PAD_PEN_WIDTH
from mnist_pad.runtime import predict_strokes
from training.runtime_export import runtime_or_keras

STROKE = [np.array([[0, 0], [1, 5], [2, 9]], np.float32)]


@pytest.fixture(scope="module")
def predictor(default_model):
    return runtime_or_keras(open_model_file(default_model))[0]


@pytest.fixture(scope="module")
def rule(default_model):
    return DigitRule.for_card(open_model_file(default_model).card)


@pytest.fixture(scope="module")
def reader(predictor, rule):
    return NumberReader(predictor, rule)


@pytest.fixture(scope="module")
def pen_digits(pen_digits_path):
    return load_pen_digits(pen_digits_path)


def write_numbers(path, numbers: Numbers, texts=None, **extra):
    """A pen-numbers file of ``numbers`` (their own texts unless ``texts``), each writer named by contributor."""
    texts = numbers.texts if texts is None else texts
    return write_pen_digits(path, [len(t) for t in texts], numbers.strokes,
                            [f"{c}/w" for c in numbers.contributors], text=np.array(texts), **extra)


def eval_numbers(path, *options: str) -> dict:
    finished = run("mnist-pad-eval", "--numbers", str(path), "--json", *options)
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


def test_edit_distance_counts_what_a_person_would():
    assert edit_distance("1995", "1985") == 1  # one digit misread
    assert edit_distance("07063", "0763") == 1  # one missed
    assert edit_distance("100", "1000") == 1  # one too many
    assert edit_distance("123", "321") == 2
    assert edit_distance("", "42") == 2


@pytest.fixture(scope="module")
def mixed_numbers(pen_numbers_path, pen_digits):
    """Eight real numbers spread over the dev file, then six composed: spaced, then joined."""
    samples, texts = load_pen_numbers(pen_numbers_path)
    real = numbers_of(samples, texts)
    picked = np.linspace(0, len(real) - 1, 8).astype(int)
    parts = [Numbers([real.strokes[i] for i in picked], [real.texts[i] for i in picked],
                     [real.contributors[i] for i in picked]),
             compose_numbers(pen_digits, 3, "spaced", seed=3), compose_numbers(pen_digits, 3, "joined", seed=3)]
    return Numbers(*(sum((getattr(p, key) for p in parts), []) for key in ("strokes", "texts", "contributors")))


def test_numbers_figures_are_the_readers_own(tmp_path, mixed_numbers, reader):
    # Arrays the reader has no use for are ignored.
    path = write_numbers(tmp_path / "numbers.npz", mixed_numbers, source=np.array(["x"] * len(mixed_numbers)),
                         dpi=np.zeros(len(mixed_numbers), np.float32), remarks=np.arange(3))
    figures = eval_numbers(path)

    readings = [reader.read(strokes).text for strokes in mixed_numbers.strokes]
    texts, contributors = mixed_numbers.texts, np.array(mixed_numbers.contributors)
    right = np.array([r == t for r, t in zip(readings, texts)])
    errors = np.array([edit_distance(r, t) for r, t in zip(readings, texts)])
    lengths = np.array([len(t) for t in texts])
    assert "readings" not in figures
    assert figures["numbers"] == len(texts) == 14
    assert figures["whole_accuracy"] == pytest.approx(right.mean())
    assert figures["cer"] == pytest.approx(errors.sum() / lengths.sum())
    assert figures["count_right"] == pytest.approx(np.mean([len(r) == len(t) for r, t in zip(readings, texts)]))
    assert 0 < figures["ms_per_number"]["p50"] <= figures["ms_per_number"]["p99"]
    per = figures["per_contributor"]
    assert sorted(per) == sorted(set(contributors))
    assert sum(c["n"] for c in per.values()) == len(texts)
    for name, c in per.items():
        mine = contributors == name
        assert c["n"] == mine.sum()
        assert c["whole_accuracy"] == pytest.approx(right[mine].mean())
        assert c["cer"] == pytest.approx(errors[mine].sum() / lengths[mine].sum())


def test_wrong_texts_count_exactly_as_errors(tmp_path, pen_digits, reader):
    composed = compose_numbers(pen_digits, 12, "spaced", seed=11)
    read_right = [i for i, strokes in enumerate(composed.strokes) if reader.read(strokes).text == composed.texts[i]]
    assert len(read_right) >= 6
    kept = Numbers(*([getattr(composed, key)[i] for i in read_right[:6]] for key in ("strokes", "texts", "contributors")))
    # Two numbers claim a first digit other than the one written: one wrong digit each, same count.
    texts = [str((int(t[0]) + 1) % 10) + t[1:] if k < 2 else t for k, t in enumerate(kept.texts)]
    figures = eval_numbers(write_numbers(tmp_path / "wrong.npz", kept, texts))
    assert figures["numbers"] == 6
    assert figures["whole_accuracy"] == pytest.approx(4 / 6)
    assert figures["cer"] == pytest.approx(2 / sum(len(t) for t in texts))
    assert figures["count_right"] == 1.0


def test_numbers_read_neither_qt_nor_tensorflow(tmp_path, pen_digits, default_model):
    path = write_numbers(tmp_path / "numbers.npz", compose_numbers(pen_digits, 2, "tight", seed=1))
    probe = ("import sys; from mnist_pad.evaluate_cli import main; code = main(['--numbers', sys.argv[1], '--json']);"
             " print(sorted(m for m in ('PySide6', 'tensorflow', 'keras') if m in sys.modules)); sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True,
                            cwd=OUTSIDE_CHECKOUT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_a_model_without_a_runtime_file_gets_one_and_reads_the_same(tmp_path, pen_digits, default_model):
    model = tmp_path / default_model.name
    shutil.copy(default_model, model)
    path = write_numbers(tmp_path / "numbers.npz", compose_numbers(pen_digits, 6, "tight", seed=5))
    made = eval_numbers(path, "--model", str(model))
    assert model.with_suffix(".onnx").is_file()
    shipped = eval_numbers(path)
    for key in ("whole_accuracy", "cer", "count_right", "per_contributor"):
        assert made[key] == shipped[key]


def _bad_numbers_files(tmp_path):
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    return {
        "missing": (tmp_path / "nowhere.npz", "no such file"),
        "corrupt": (corrupt, "not"),
        "empty": (write_pen_digits(tmp_path / "empty.npz", [], [], text=np.array([], str)), "holds no numbers"),
        "no text": (write_pen_digits(tmp_path / "no_text.npz", [3], [STROKE]), "lacks a text"),
        "not digits": (write_pen_digits(tmp_path / "letters.npz", [2], [STROKE], text=np.array(["4a"])),
                       "strings of digits"),
        "labels": (write_pen_digits(tmp_path / "labels.npz", [2], [STROKE], text=np.array(["123"])),
                   "number of digits"),
    }


@pytest.mark.parametrize("kind", ["missing", "corrupt", "empty", "no text", "not digits", "labels"])
def test_eval_refuses_a_bad_numbers_file_in_one_sentence(tmp_path, kind):
    path, needle = _bad_numbers_files(tmp_path)[kind]
    assert_one_sentence_failure(run("mnist-pad-eval", "--numbers", str(path)), str(path), needle)


def test_eval_refuses_a_missing_model_for_numbers_in_one_sentence(tmp_path):
    numbers = write_pen_digits(tmp_path / "one.npz", [1], [STROKE], text=np.array(["7"]))
    model = tmp_path / "nowhere.h5"
    finished = run("mnist-pad-eval", "--model", str(model), "--numbers", str(numbers))
    assert_one_sentence_failure(finished, str(model), "no such file")


def _at_height_one(strokes: list[np.ndarray], left: float) -> tuple[list[np.ndarray], float]:
    """A digit scaled to height 1, its left edge at ``left``; and where its right edge lands."""
    points = np.concatenate(strokes)
    low, high = points.min(0), points.max(0)
    scale = 1.0 / max(float(high[1] - low[1]), 1e-6)
    return [((s - low) * scale + [left, 0.0]).astype(np.float32) for s in strokes], left + float(high[0] - low[0]) * scale


def _joined_pair(first: list[np.ndarray], second: list[np.ndarray]):
    """Two digits side by side, the first's last stroke and the second's first written as one stroke, as
    ``compose_numbers(..., "joined")`` joins them; with that stroke's index and where the second digit's ink
    starts in it. None when the pen would travel too far for anyone to join them."""
    left, right_edge = _at_height_one(first, 0.0)
    right, _ = _at_height_one(second, right_edge + 0.05)
    if np.linalg.norm(left[-1][-1] - right[0][0]) >= JOIN_REACH:
        return None
    return left[:-1] + [np.concatenate([left[-1], right[0]])] + right[1:], len(left) - 1, len(left[-1])


def naive_digit_count(strokes: list[np.ndarray]) -> int:
    """The issue's naive segmentation: strokes whose x-ranges overlap are one digit."""
    spans = sorted((float(s[:, 0].min()), float(s[:, 0].max())) for s in strokes)
    groups, reach = 1, spans[0][1]
    for left, right in spans[1:]:
        groups += left > reach
        reach = max(reach, right)
    return groups


def test_two_digits_in_one_stroke_are_read_apart(pen_digits, reader):
    found = None
    for seed in range(40):  # the first pair of one writer's digits that can be joined and is read right
        rng = np.random.default_rng(seed)
        writer = rng.choice(np.unique(pen_digits.writers))
        a, b = rng.choice(np.flatnonzero(pen_digits.writers == writer), 2, replace=False)
        pair = _joined_pair(pen_digits.strokes(a), pen_digits.strokes(b))
        text = f"{pen_digits.labels[a]}{pen_digits.labels[b]}"
        if pair is not None and reader.read(pair[0]).text == text:
            found = pair
            break
    assert found is not None, "no joined pair of the first 40 is read right"
    strokes, joined, second_starts = found
    reading = reader.read(strokes)
    assert reading.text == text and len(reading.digits) == 2
    ends = [[r for r in digit.ink if r.stroke == joined] for digit in reading.digits]
    assert ends[0] and ends[1], "each digit holds part of the joined stroke"
    cut = max(r.last for r in ends[0])
    assert cut == min(r.first for r in ends[1])  # the first digit's ink ends where the next one's starts
    assert 0 < cut < len(strokes[joined]) - 1
    assert abs(cut - second_starts) <= 0.1 * len(strokes[joined])  # near where the pen went on to the next digit
    assert naive_digit_count(strokes) != 2


@pytest.fixture(scope="module")
def single_digit_readings(pen_digits, reader):
    """Fifty real pen digits on the pad, each read as a number with the pad's pen width."""
    readings = []
    for i in np.linspace(0, len(pen_digits) - 1, 50).astype(int):
        strokes = in_pad_units(pen_digits.strokes(i))
        readings.append((strokes, reader.read(strokes, min_extent=PAD_PEN_WIDTH)))
    return readings


def test_a_single_digit_reads_as_todays_prediction(single_digit_readings, predictor):
    ones = [(strokes, reading.digits[0]) for strokes, reading in single_digit_readings if len(reading.digits) == 1]
    assert len(ones) >= 47
    for strokes, digit in ones:
        # Its ink is its strokes whole, even where a wide stroke was cut to look for two digits in it.
        assert [(r.stroke, r.first, r.last) for r in digit.ink] == [(k, 0, len(s) - 1) for k, s in enumerate(strokes)]
        assert np.array_equal(digit.probabilities, predict_strokes(predictor, strokes, PAD_PEN_WIDTH)[1])
