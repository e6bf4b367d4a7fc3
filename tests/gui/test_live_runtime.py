"""The Draw tab on the runtime: no TensorFlow to draw, no stroke lost while a model loads, Keras when the runtime refuses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
from cli_helpers import OUTSIDE_CHECKOUT
from gui_helpers import MODEL_LOAD_TIMEOUT_MS, SEVEN, draw, make_window, wait_for_prediction

from mnist_pad.runtime import RuntimePredictor, open_runtime, predict_strokes, runtime_file_beside


def test_a_stroke_drawn_while_the_model_loads_is_kept_whole_and_predicted_when_ready(qtbot, tmp_path, default_model):
    model = tmp_path / "new_model.h5"
    shutil.copy(default_model, model)  # opened for the first time: its runtime file is made, in seconds
    window, errors = make_window(qtbot, model)
    tab = window.draw_tab

    draw(tab.canvas, SEVEN)

    assert window.state.predictor is None, "the model was still loading while the stroke was drawn"
    distinct_points = 1 + int(np.any(np.diff(SEVEN[0], axis=0) != 0, axis=1).sum())  # the bar's end starts the stem
    assert [len(stroke) for stroke in tab.canvas.strokes()] == [distinct_points], "every point of the stroke is kept"
    assert tab.probabilities() is None
    with qtbot.waitSignal(window.state.model_changed, timeout=MODEL_LOAD_TIMEOUT_MS):
        pass
    shown = wait_for_prediction(qtbot, tab)  # no new stroke: the drawing made before is predicted
    assert isinstance(window.state.predictor, RuntimePredictor)
    assert runtime_file_beside(model).is_file()
    _, expected = predict_strokes(open_runtime(model), tab.canvas.strokes(), tab.canvas.pen_width())
    np.testing.assert_allclose(shown, expected, atol=1e-6)
    assert shown.argmax() == 7
    assert errors == []


def test_a_model_the_runtime_cannot_take_serves_through_keras_and_the_status_bar_says_so(
    qtbot, tmp_path, default_model, monkeypatch, default_predictor
):
    from mnist_pad.predictor import Predictor
    from training import runtime_export

    def refuse(path):
        raise runtime_export.RuntimeExportError(f"{path}: the runtime cannot take this model (no such operator).")

    monkeypatch.setattr(runtime_export, "export_in_child_process", refuse)
    model = tmp_path / "unusual.h5"
    shutil.copy(default_model, model)
    window, errors = make_window(qtbot, model)
    with qtbot.waitSignal(window.state.model_changed, timeout=MODEL_LOAD_TIMEOUT_MS):
        pass

    message = window.statusBar().currentMessage()
    assert message.startswith("unusual.h5 runs through Keras") and "the runtime cannot take this model" in message
    assert isinstance(window.state.predictor, Predictor)
    draw(window.draw_tab.canvas, SEVEN)
    shown = wait_for_prediction(qtbot, window.draw_tab)
    _, expected = predict_strokes(default_predictor, window.draw_tab.canvas.strokes(), window.draw_tab.canvas.pen_width())
    np.testing.assert_allclose(shown, expected, atol=1e-5)
    assert errors == [], "a model the runtime refuses is not refused"


# The app as launched, in a process of its own: draw, wait for the bars, then say what was imported.
FIRST_ANSWER_SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from mnist_pad.gui.main_window import MainWindow
from mnist_pad.gui.replay import draw_with_mouse
import numpy as np

app = QApplication(sys.argv[:1])
window = MainWindow()
window.show()
tab = window.draw_tab

def draw():
    canvas = tab.canvas
    canvas.resize(300, 300)
    draw_with_mouse(canvas, [np.array([[150.0, 60.0 + 6 * i] for i in range(30)])])
    poll.start(10)

def answered():
    if tab.probabilities() is not None and tab.is_up_to_date:
        print("tensorflow" in sys.modules, "keras" in sys.modules, type(window.state.predictor).__name__, flush=True)
        poll.stop()
        window.close()  # as a person closes it: the window stops its threads
        app.exit(0)

poll = QTimer()
poll.timeout.connect(answered)
QTimer.singleShot(0, draw)
QTimer.singleShot(60_000, lambda: app.exit(1))
sys.exit(app.exec())
"""


def test_the_draw_tab_answers_without_importing_tensorflow():
    finished = subprocess.run(
        [sys.executable, "-c", FIRST_ANSWER_SCRIPT], capture_output=True, text=True, timeout=120,
        cwd=OUTSIDE_CHECKOUT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert finished.stdout.split()[-3:] == ["False", "False", "RuntimePredictor"]
