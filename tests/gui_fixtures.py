"""Fixtures and helpers shared by the GUI tests (import the fixtures by name into a test module)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mnist_pad.model_io import default_model_path

MODEL_LOAD_TIMEOUT_MS = 60_000  # the first load in a process also imports TensorFlow
PREDICTION_TIMEOUT_MS = 10_000
# A '1' in pad units: a vertical line slightly slanted, sampled like a mouse drag.
ONE = [np.stack([np.linspace(0.52, 0.48, 30), np.linspace(0.2, 0.8, 30)], 1).astype(np.float32)]
# A '7' in pad units: top bar, then the long diagonal, as one stroke.
SEVEN = [
    np.concatenate(
        [
            np.stack([np.linspace(0.3, 0.7, 15), np.full(15, 0.22)], 1),
            np.stack([np.linspace(0.7, 0.42, 25), np.linspace(0.22, 0.8, 25)], 1),
        ]
    ).astype(np.float32)
]


@pytest.fixture(scope="session")
def default_model() -> Path:
    path = default_model_path()
    assert path.is_file(), f"the default model {path} is missing"
    return path


@pytest.fixture(scope="session")
def default_predictor(default_model):
    """One Predictor on the default model, shared: loading takes seconds."""
    from mnist_pad.model_io import load_model
    from mnist_pad.predictor import Predictor

    return Predictor(load_model(default_model).model)


def draw(canvas, strokes) -> None:
    """Draw ``strokes`` given in pad units on ``canvas`` with real mouse events."""
    from mnist_pad.gui.replay import draw_with_mouse

    pixels = [np.array([[p.x(), p.y()] for p in (canvas.from_pad(x, y) for x, y in s)]) for s in strokes]
    draw_with_mouse(canvas, pixels)


def wait_for_prediction(qtbot, draw_tab) -> np.ndarray:
    """Wait until the tab shows the answer for its newest drawing; return its probabilities."""
    qtbot.waitUntil(lambda: draw_tab.is_up_to_date, timeout=PREDICTION_TIMEOUT_MS)
    probs = draw_tab.probabilities()
    assert probs is not None, "the tab shows no prediction for a drawing"
    return probs
