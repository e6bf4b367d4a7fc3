"""The shipped model on the full data sets (run when CI points MNIST_PAD_DATA / MNIST_PAD_PEN_DIGITS at them)."""

from __future__ import annotations

import json
import os

import pytest
from cli_helpers import run

from mnist_pad.model_io import default_model_path, load_model
from training.data import load_mnist
from training.evaluate import evaluate

MNIST_FLOOR = 0.991  # the shipped model has 99.15%: its goal of 99.3% is not met (docs/model.md)
PEN_FLOOR = {0.6: 0.97, 0.3: 0.95, 0.9: 0.95}


def test_default_model_reaches_its_floor_on_the_mnist_test_set(full_data_path):
    data = load_mnist(full_data_path)
    loaded = load_model(default_model_path())
    evaluation = evaluate(loaded.model, data.x_test, data.y_test)
    assert evaluation.n == 10_000
    assert evaluation.accuracy >= MNIST_FLOOR, evaluation.report()
    # The card tells the truth about the shipped file.
    assert evaluation.accuracy == pytest.approx(loaded.test_accuracy, abs=2e-4)


@pytest.mark.parametrize("scale", sorted(PEN_FLOOR))
def test_default_model_recognises_real_pen_digits_drawn_on_the_canvas(pen_digits_path, scale):
    """Every pen digit replayed through the canvas by ``mnist-pad-eval --strokes``."""
    finished = run("mnist-pad-eval", "--strokes", str(pen_digits_path), "--scale", str(scale), "--json",
                   env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=1200)
    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout)
    assert result["n"] == 7997
    assert result["accuracy"] >= PEN_FLOOR[scale], result["per_class_accuracy"]
