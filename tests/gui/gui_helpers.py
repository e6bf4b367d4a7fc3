"""Helpers shared by the GUI tests: drawings in pad units, drawing them with the mouse, waiting for answers."""

from __future__ import annotations

import numpy as np

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


class ErrorLog(list):
    """Stands in for a dialog: keeps each sentence it is shown."""

    def __call__(self, text: str) -> None:
        self.append(text)


def make_window(qtbot, model_path=None):
    """A shown main window on ``model_path`` (default: the bundled model), and the log of its error sentences."""
    from mnist_pad.gui.main_window import MainWindow

    window = MainWindow(model_path=str(model_path) if model_path else None)
    errors = ErrorLog()
    window.show_error = errors  # the dialog would block; read its sentence instead
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, errors


def shown_draw_tab(qtbot, collection, predictor, rule=None):
    """A Draw tab of its own, shown, serving ``predictor`` (with ``rule``) and saving into ``collection``."""
    from mnist_pad.gui.draw.draw_tab import DrawTab

    tab = DrawTab()
    qtbot.addWidget(tab)
    tab.resize(900, 640)
    tab.show()
    qtbot.waitExposed(tab)
    tab.set_predictor(predictor, rule)
    tab.set_collection(collection)
    return tab
