"""The Draw tab with a real model: drawing moves the bars and the preview; undo, redo, clear."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from gui_helpers import (
    ONE,
    SEVEN,
    draw,
    wait_for_prediction,
)
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from mnist_pad.gui.draw.draw_tab import DrawTab
from mnist_pad.gui.draw.views import format_percent
from mnist_pad.gui.workers import PredictionRequest, PredictionWorker
from mnist_pad.runtime import BatchPredictor


@pytest.fixture
def tab(qtbot, default_predictor):
    widget = DrawTab()
    qtbot.addWidget(widget)  # closing it stops its prediction thread
    widget.resize(900, 560)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_predictor(default_predictor)
    return widget


def assert_neutral(tab: DrawTab, message: str) -> None:
    assert tab.probabilities() is None
    assert tab.network_image() is None
    assert tab.guess_label.text() == "?" and not tab.guess_label.isEnabled()
    assert tab.confidence_detail.text() == message


def test_an_empty_pad_shows_no_guess(tab):
    assert_neutral(tab, "Draw a digit")
    assert not tab.clear_button.isEnabled()
    assert not tab.undo_button.isEnabled() and not tab.redo_button.isEnabled()


def test_without_a_model_the_tab_says_it_is_loading(qtbot):
    tab = DrawTab()
    qtbot.addWidget(tab)
    assert_neutral(tab, "Loading model…")
    draw(tab.canvas, ONE)  # drawing before the model is ready loses nothing
    assert_neutral(tab, "Loading model…")
    assert len(tab.canvas.strokes()) == 1


@pytest.mark.parametrize("digit, strokes", [(1, ONE), (7, SEVEN)])
def test_a_drawn_digit_is_recognised(tab, qtbot, digit, strokes):
    draw(tab.canvas, strokes)
    probs = wait_for_prediction(qtbot, tab)
    assert probs.shape == (10,)
    assert probs.sum() == pytest.approx(1.0, abs=1e-4)
    assert int(np.argmax(probs)) == digit
    assert tab.guess_label.text() == str(digit)
    assert tab.confidence_label.text() == format_percent(probs[digit])


def test_the_preview_shows_the_drawing_as_the_network_gets_it(tab, qtbot):
    draw(tab.canvas, ONE)
    wait_for_prediction(qtbot, tab)
    image = tab.network_image()
    assert image.shape == (28, 28)
    rows, cols = np.nonzero(image > 0.5)
    assert rows.max() - rows.min() >= 15  # a tall vertical bar, fitted to MNIST's 20 px box
    assert cols.max() - cols.min() <= 5
    assert abs(cols.mean() - 13.5) < 2  # centred, as MNIST's digits are
    assert image[:3].max() == 0 and image[:, :3].max() == 0  # the margins stay black


def test_undo_redo_and_clear_update_the_prediction(tab, qtbot):
    draw(tab.canvas, ONE)
    wait_for_prediction(qtbot, tab)
    assert tab.undo_button.isEnabled() and tab.clear_button.isEnabled()

    qtbot.mouseClick(tab.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.is_up_to_date)
    assert_neutral(tab, "Draw a digit")
    assert tab.redo_button.isEnabled() and not tab.undo_button.isEnabled()

    qtbot.mouseClick(tab.redo_button, Qt.MouseButton.LeftButton)
    assert int(np.argmax(wait_for_prediction(qtbot, tab))) == 1

    qtbot.mouseClick(tab.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.is_up_to_date)
    assert_neutral(tab, "Draw a digit")
    QTest.keyClick(tab.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the clear
    assert int(np.argmax(wait_for_prediction(qtbot, tab))) == 1


def test_a_tap_gets_a_prediction_of_a_dot(tab, qtbot):
    spot = tab.canvas.from_pad(0.5, 0.5).toPoint()
    QTest.mouseClick(tab.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, spot)
    wait_for_prediction(qtbot, tab)
    ink = np.argwhere(tab.network_image() > 0.5)
    assert 1 <= len(ink) <= 9  # a dot of MNIST's stroke width, not a digit-sized blob


class GatedPredictor(BatchPredictor):
    """A stand-in Predictor whose first call waits for a gate, to hold the worker busy."""

    input_shape = (28, 28)

    def __init__(self, answer: int):
        self.answer = answer
        self.gate = threading.Event()
        self.calls = 0

    def run_batch(self, batch):
        self.calls += 1
        if self.calls == 1:
            self.gate.wait(timeout=10)
        return np.tile(np.eye(10, dtype=np.float32)[self.answer], (len(batch), 1))


def test_requests_never_queue_the_newest_wins(qtbot):
    worker = PredictionWorker()
    predictor = GatedPredictor(answer=4)
    results = []
    worker.predicted.connect(lambda request_id, image, probs, reading: results.append(request_id))
    try:
        for request_id in range(1, 51):
            stroke = np.array([[0.5, 0.2], [0.5, 0.2 + request_id / 100]], np.float32)
            worker.submit(PredictionRequest(request_id, predictor, [stroke], 0.075))
        predictor.gate.set()
        qtbot.waitUntil(lambda: 50 in results)
    finally:
        worker.stop()
    # The one taken before the gate opened, then only the newest: nothing queued between.
    assert predictor.calls == len(results) <= 2
    assert results[-1] == 50


def test_a_new_predictor_answers_for_the_current_drawing(tab, qtbot):
    draw(tab.canvas, ONE)
    wait_for_prediction(qtbot, tab)
    stand_in = GatedPredictor(answer=8)
    stand_in.gate.set()
    tab.set_predictor(stand_in)
    probs = wait_for_prediction(qtbot, tab)
    assert int(np.argmax(probs)) == 8
    assert tab.guess_label.text() == "8"


class FixedPredictor(BatchPredictor):
    """A stand-in Predictor that gives the same ten probabilities for every drawing."""

    input_shape = (28, 28)

    def __init__(self, probabilities):
        self.probabilities = np.asarray(probabilities, np.float32)

    def run_batch(self, batch):
        return np.tile(self.probabilities, (len(batch), 1))


UNSURE = np.full(10, 0.05) + np.eye(10)[4] * 0.5  # a 4 at 55%: below the default threshold of 0.7
SURE = np.full(10, 0.001) + np.eye(10)[7] * 0.991


def test_a_drawing_that_looks_like_no_digit_says_so_and_keeps_the_bars(tab, qtbot):
    from mnist_pad.digit_rule import DigitRule

    tab.set_predictor(FixedPredictor(UNSURE))
    draw(tab.canvas, ONE)
    probs = wait_for_prediction(qtbot, tab)
    np.testing.assert_allclose(probs, UNSURE, atol=1e-6)  # the ten bars still show
    assert tab.confidence_label.text() == "Not a digit" and tab.guess_label.text() == "?"
    assert "closest is 4 (55.0%)" in tab.confidence_detail.text()
    # The same drawing and network under a card's looser rule is a digit.
    tab.set_predictor(FixedPredictor(UNSURE), DigitRule(1.0, 0.5, from_card=True))
    wait_for_prediction(qtbot, tab)
    assert tab.guess_label.text() == "4" and tab.guess_label.isEnabled()
    assert tab.confidence_detail.text() == "probably a 4"


def test_the_shown_confidence_is_calibrated_by_the_cards_temperature(tab, qtbot):
    from mnist_pad.digit_rule import DigitRule

    rule = DigitRule(2.0, 0.3, from_card=True)
    tab.set_predictor(FixedPredictor(SURE), rule)
    draw(tab.canvas, SEVEN)
    probs = wait_for_prediction(qtbot, tab)
    np.testing.assert_allclose(probs, rule.calibrated(SURE), atol=1e-6)
    assert probs[7] < SURE[7] - 0.1  # a softer, truer figure than the network's own
    assert tab.confidence_label.text() == format_percent(probs[7]) and tab.guess_label.text() == "7"


@pytest.mark.parametrize(
    "probability, shown",
    [(1.0, ">99.9%"), (0.99996, ">99.9%"), (0.9994, "99.9%"), (0.5, "50.0%"), (0.0004, "0.0%")],
)
def test_a_confidence_that_would_round_up_to_certain_is_not_shown_as_certain(probability, shown):
    assert format_percent(probability) == shown


def test_a_near_certain_digit_shows_more_than_99_9_percent_not_100(tab, qtbot):
    nearly_certain = np.full(10, 1e-6) + np.eye(10)[7] * (1 - 9e-6)
    tab.set_predictor(FixedPredictor(nearly_certain))
    draw(tab.canvas, SEVEN)
    wait_for_prediction(qtbot, tab)
    assert tab.guess_label.text() == "7" and tab.confidence_label.text() == ">99.9%"


def test_while_the_pen_is_down_a_half_drawn_digit_is_not_judged(tab, qtbot):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    tab.set_predictor(FixedPredictor(UNSURE))
    canvas = tab.canvas
    points = [canvas.from_pad(0.5, y) for y in np.linspace(0.2, 0.6, 12)]

    def send(kind, point, button, held):
        QApplication.sendEvent(canvas, QMouseEvent(kind, QPointF(point), canvas.mapToGlobal(QPointF(point)),
                                                   button, held, Qt.KeyboardModifier.NoModifier))

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    send(QEvent.Type.MouseButtonPress, points[0], left, left)
    headlines = []
    for point in points[1:]:
        send(QEvent.Type.MouseMove, point, none, left)
        wait_for_prediction(qtbot, tab)
        headlines.append(tab.confidence_label.text())
    assert set(headlines) == {"55.0%"} and tab.confidence_detail.text() == "drawing…"
    assert not tab.guess_label.isEnabled()  # muted: not a verdict yet
    send(QEvent.Type.MouseButtonRelease, points[-1], left, none)
    wait_for_prediction(qtbot, tab)
    assert tab.confidence_label.text() == "Not a digit"


def test_enter_saves_no_guess_for_a_drawing_that_is_not_a_digit_but_a_digit_key_does(qtbot, tmp_path):
    from mnist_pad.gui.my_digits.digit_collection import DigitCollection

    tab = DrawTab()
    qtbot.addWidget(tab)
    tab.resize(900, 560)
    tab.show()
    collection = DigitCollection(tmp_path / "store.sqlite")
    collection.open()
    tab.set_collection(collection)
    tab.set_predictor(FixedPredictor(UNSURE))
    draw(tab.canvas, ONE)
    wait_for_prediction(qtbot, tab)
    QTest.keyClick(tab.canvas, Qt.Key.Key_Return)
    assert sum(collection.counts()) == 0 and not tab.canvas.is_empty()  # no guess to confirm
    QTest.keyClick(tab.canvas, Qt.Key.Key_1)  # the user's label wins
    assert collection.counts()[1] == 1 and tab.canvas.is_empty()
    collection.close()


def _polyline(*corners):
    return np.concatenate([np.linspace(a, b, 15) for a, b in zip(corners[:-1], corners[1:])]).astype(np.float32)


def _ring(centre, radius, start=0.0, sweep=2 * np.pi):
    angles = np.linspace(start, start + sweep, 40)
    return (np.asarray(centre) + radius * np.stack([np.cos(angles), np.sin(angles)], 1)).astype(np.float32)


# What every new user draws first to try the app: a letter and a face. The model before it
# learnt what is not a digit read the A as "4, 100%" and the smiley as "0, 97.5%".
LETTER_A = [_polyline((0.3, 0.8), (0.5, 0.2), (0.7, 0.8)), _polyline((0.38, 0.58), (0.62, 0.58))]
SMILEY = [_ring((0.5, 0.5), 0.3), _ring((0.4, 0.42), 0.015), _ring((0.6, 0.42), 0.015),
          _ring((0.5, 0.5), 0.17, 0.2 * np.pi, 0.6 * np.pi)]


@pytest.mark.parametrize("drawing", [LETTER_A, SMILEY], ids=["letter A", "smiley"])
def test_the_shipped_model_says_a_letter_or_a_face_drawn_on_the_pad_is_not_a_digit(
    tab, qtbot, default_model, default_predictor, drawing
):
    from mnist_pad.digit_rule import DigitRule
    from mnist_pad.files import read_card

    rule = DigitRule.for_card(read_card(default_model))
    assert rule.from_card  # the shipped card carries its calibrated rule
    tab.set_predictor(default_predictor, rule)
    draw(tab.canvas, drawing)
    probs = wait_for_prediction(qtbot, tab)
    assert tab.confidence_label.text() == "Not a digit" and tab.guess_label.text() == "?"
    assert probs.max() < rule.threshold
