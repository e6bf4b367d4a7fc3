"""A whole number on the Draw tab: read when a stroke ends, each digit shown and correctable, saved digit by digit."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import MODEL_LOAD_TIMEOUT_MS, SEVEN, draw, make_window, shown_draw_tab, wait_for_prediction
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from mnist_pad.digit_rule import DigitRule
from mnist_pad.gui.my_digits.digit_collection import DigitCollection
from mnist_pad.model_io import open_model_file
from mnist_pad.my_digits import DigitStore
from mnist_pad.number_reader import NumberReader
from mnist_pad.pad import PAD_PEN_WIDTH
from mnist_pad.runtime import open_runtime

NUMBER_HEIGHT = 0.3  # of the pad: a number of three or four digits fits its width
READ_TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def shipped(default_model):
    return open_runtime(default_model), DigitRule.for_card(open_model_file(default_model).card)


@pytest.fixture
def collection(tmp_path):
    digits = DigitCollection(tmp_path / "my-digits.sqlite")
    yield digits
    digits.close()


@pytest.fixture
def tab(qtbot, shipped, collection):
    return shown_draw_tab(qtbot, collection, *shipped)


def on_the_pad(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """A recorded number as a person writes it on the pad: NUMBER_HEIGHT tall, from the left edge."""
    points = np.concatenate(strokes)
    low, high = points.min(0), points.max(0)
    scale = min(NUMBER_HEIGHT / max(high[1] - low[1], 1e-6), 0.9 / max(high[0] - low[0], 1e-6))
    return [((s - low) * scale + [0.05, 0.35]).astype(np.float32) for s in strokes]


@pytest.fixture(scope="module")
def dev_number(pen_numbers_path, shipped):
    """The first real number of three digits or more that the shipped model reads right on the pad, each
    digit passing its not-a-digit rule."""
    from mnist_pad.pen_digits import load_pen_numbers

    samples, texts = load_pen_numbers(pen_numbers_path)
    reader = NumberReader(*shipped)
    for index, text in enumerate(texts):
        strokes = on_the_pad(samples.strokes(index))
        reading = reader.read(strokes, PAD_PEN_WIDTH)
        if len(text) >= 3 and reading.text == text and reading.is_number:
            return strokes, str(text)
    pytest.fail("the shipped model reads no real number of three digits right")


def stored(collection):
    with DigitStore(collection.path) as store:
        return store.samples()


def test_a_number_drawn_stroke_by_stroke_reads_right_and_a_corrected_digit_is_saved_with_its_own_ink(
    qtbot, tab, collection, dev_number
):
    strokes, text = dev_number
    draw(tab.canvas, strokes)  # real mouse events, one stroke after another
    qtbot.waitUntil(lambda: tab.reading is not None and tab.is_up_to_date, timeout=READ_TIMEOUT_MS)

    assert tab.reading.text == text
    assert tab.number_view.isVisible()
    assert [button.text() for button in tab.number_view.digit_buttons()] == list(text)
    assert len(tab.canvas._marks) == len(text)

    QTest.keyClick(tab.canvas, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == text

    second = tab.reading.digits[1]
    qtbot.mouseClick(tab.number_view.digit_buttons()[1], Qt.MouseButton.LeftButton)
    np.testing.assert_allclose(tab.probabilities(), tab._rule.calibrated(second.probabilities), atol=1e-6)
    corrected = (second.digit + 1) % 10
    QTest.keyClick(tab.canvas, getattr(Qt.Key, f"Key_{corrected}"))

    [sample] = stored(collection)
    assert sample.label == corrected
    ink = [tab.canvas.strokes()[part.stroke][part.first:part.last + 1] for part in second.ink]
    assert len(sample.strokes) == len(ink) and all(np.allclose(a, b) for a, b in zip(sample.strokes, ink))
    now = text[0] + str(corrected) + text[2:]
    assert tab.reading.text == now and tab.number_view.digit_buttons()[1].text() == str(corrected)

    QTest.keyClick(tab.canvas, Qt.Key.Key_Return)  # every digit, as corrected; the pad clears
    assert sorted(s.label for s in stored(collection)) == sorted([corrected, *map(int, now)])
    assert tab.canvas.is_empty() and not tab.number_view.isVisible()

    QTest.keyClick(tab.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # unsaves them, the number is back
    assert [s.label for s in stored(collection)] == [corrected]
    assert len(tab.canvas.strokes()) == len(strokes)


def test_a_single_digit_keeps_the_one_digit_view(qtbot, tab):
    draw(tab.canvas, SEVEN)
    probabilities = wait_for_prediction(qtbot, tab)
    assert tab.reading is None and not tab.number_view.isVisible()
    assert int(np.argmax(probabilities)) == 7 and tab.guess_label.text() == "7"
    assert tab.canvas._marks == []


def test_an_alternative_clicked_becomes_the_reading(qtbot, tab, dev_number):
    strokes, text = dev_number
    draw(tab.canvas, strokes)
    qtbot.waitUntil(lambda: tab.reading is not None and tab.is_up_to_date, timeout=READ_TIMEOUT_MS)
    alternatives = [a.text for a in tab.reading.alternatives]
    assert alternatives and text not in alternatives

    qtbot.mouseClick(tab.number_view.alternative_buttons()[0], Qt.MouseButton.LeftButton)

    assert tab.reading.text == alternatives[0]
    assert text in [a.text for a in tab.reading.alternatives]  # the reading it replaced is one click away


def test_a_digit_clicked_is_what_the_inside_tab_looks_at(qtbot, dev_number):
    strokes, text = dev_number
    window, errors = make_window(qtbot)
    qtbot.waitUntil(lambda: window.state.predictor is not None, timeout=MODEL_LOAD_TIMEOUT_MS)
    tab = window.draw_tab
    draw(tab.canvas, strokes)
    qtbot.waitUntil(lambda: tab.reading is not None and tab.is_up_to_date, timeout=READ_TIMEOUT_MS)
    qtbot.mouseClick(tab.number_view.digit_buttons()[1], Qt.MouseButton.LeftButton)

    inside = window.inside_tab
    window.tabs.setCurrentWidget(inside)
    inside.pages.setCurrentWidget(inside.live)
    evidence = inside.live.evidence_view.caption
    qtbot.waitUntil(lambda: evidence.text().startswith(f"Evidence for {text[1]}"), timeout=MODEL_LOAD_TIMEOUT_MS)
    assert inside.live.input_view.caption.text() == f"Input 28×28 · digit 2 of {len(text)}"

    window.tabs.setCurrentWidget(tab)
    qtbot.mouseClick(tab.number_view.digit_buttons()[1], Qt.MouseButton.LeftButton)  # unselected: the whole drawing
    assert inside.live.input_view.caption.text() == "Input 28×28"
    assert errors == []
