"""The Inside tab with real widgets: the layer strip, hovering, evidence, confusion cells, the gallery."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import (
    MODEL_LOAD_TIMEOUT_MS,
    ONE,
    SEVEN,
    ErrorLog,
    draw,
)
from model_helpers import small_model
from pen_helpers import spread_subset
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from mnist_pad.gui.inside.mistakes import (
    EvaluationSet,
    MistakesPage,
    pen_digits_file_source,
)
from mnist_pad.gui.main_window import DEFAULT_SIZE, MainWindow
from mnist_pad.inspection import mnist_test_images, receptive_fields
from mnist_pad.pen_digits import in_pad_units, load_pen_digits

EVALUATION_TIMEOUT_MS = 60_000




def open_window(qtbot, model_path=None, data_path=None) -> MainWindow:
    window = MainWindow(model_path=str(model_path) if model_path else None, data_path=data_path)
    window.show_error = ErrorLog()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitSignal(window.state.model_changed, timeout=MODEL_LOAD_TIMEOUT_MS).wait()
    return window


def show_live(qtbot, window) -> None:
    window.tabs.setCurrentWidget(window.inside_tab)
    window.inside_tab.pages.setCurrentWidget(window.inside_tab.live)
    qtbot.waitUntil(lambda: window.inside_tab.live.strip.map_counts() != {}, timeout=MODEL_LOAD_TIMEOUT_MS)


def channels_per_layer(model) -> dict[str, int]:
    """From Keras itself: every layer giving maps (or the answer), and its channel count."""
    shown = {layer.name: layer.output.shape[-1] for layer in model.layers if len(layer.output.shape) == 4}
    shown[model.layers[-1].name] = model.layers[-1].output.shape[-1]
    return shown


def test_strip_shows_a_map_per_channel_for_the_shipped_model(qtbot, default_model):
    window = open_window(qtbot)
    show_live(qtbot, window)
    model = window.inside_tab._model.model  # the Keras network, which the tab loaded to look inside
    assert window.inside_tab.live.strip.map_counts() == channels_per_layer(model)
    assert list(window.inside_tab.live.strip.map_counts().values()) == [64, 64, 128, 128, 64, 32, 10]


def test_strip_follows_another_model_opened_with_model(qtbot, tmp_path):
    path = tmp_path / "small.keras"
    model = small_model()
    model.save(path)
    window = open_window(qtbot, path)
    show_live(qtbot, window)
    assert window.inside_tab.live.strip.map_counts() == channels_per_layer(model)
    assert list(window.inside_tab.live.strip.map_counts().values()) == [6, 5, 5, 4, 10]


def test_drawing_on_the_inside_tab_shows_evidence_and_hover_shows_the_field(qtbot):
    window = open_window(qtbot)
    show_live(qtbot, window)
    tab, live = window.inside_tab, window.inside_tab.live
    assert tab.canvas.isVisible() and not window.draw_tab.canvas.isVisible()
    with qtbot.waitSignal(tab.inside_shown, timeout=10_000):
        draw(tab.canvas, SEVEN)
    qtbot.waitUntil(lambda: tab.is_up_to_date, timeout=10_000)
    assert live.evidence_view.has_image() and live.contrast_view.has_image()
    assert live.evidence_view.caption.text() == "Evidence for 7"
    assert "SmoothGrad" in live.method_label.text()  # the pen is up

    live.picker.pick(3)
    qtbot.waitUntil(lambda: live.contrast_view.caption.text() == "Why 7, not 3", timeout=10_000)

    fields = receptive_fields(tab._model.model)
    x, y = live.strip.tile_centre("conv2d_1", 5, row=3, col=4)
    QTest.mouseMove(live.strip, QPoint(round(x), round(y)))
    qtbot.waitUntil(lambda: live.input_view.highlight() is not None, timeout=2000)
    assert live.input_view.highlight() == fields["conv2d_1"].pixels(3, 4)
    assert "conv2d_1: map 6 of 128, cell (3, 4)" in live.hover_label.text()


def test_both_pads_show_one_drawing_with_one_undo_history(qtbot):
    window = open_window(qtbot)
    draw(window.draw_tab.canvas, SEVEN)  # on the Draw tab
    show_live(qtbot, window)
    inside_pad, draw_pad = window.inside_tab.canvas, window.draw_tab.canvas
    assert inside_pad is not draw_pad and inside_pad.isVisible()
    assert len(inside_pad.strokes()) == 1
    draw(inside_pad, ONE)  # on the Inside tab
    assert len(draw_pad.strokes()) == 2
    for shown, drawn in zip(draw_pad.strokes(), inside_pad.strokes(), strict=True):
        np.testing.assert_array_equal(shown, drawn)
    QTest.keyClick(inside_pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(draw_pad.strokes()) == 1  # undone on both
    window.tabs.setCurrentWidget(window.draw_tab)
    assert draw_pad.isVisible() and window.draw_tab.undo_button.isEnabled() and window.draw_tab.redo_button.isEnabled()


def test_hidden_inside_tab_computes_nothing(qtbot):
    window = open_window(qtbot)
    draw(window.draw_tab.canvas, SEVEN)  # on the Draw tab: the Inside tab has never shown
    qtbot.wait(300)
    assert window.inside_tab._worker is None
    assert not window.inside_tab.live.evidence_view.has_image()
    show_live(qtbot, window)
    qtbot.waitUntil(lambda: window.inside_tab.live.evidence_view.has_image(), timeout=10_000)


@pytest.fixture
def sample_page(qtbot, sample_path, default_model, default_predictor):
    from training.data import load_mnist

    page = MistakesPage()
    page.show_error = ErrorLog()
    qtbot.addWidget(page)
    page.add_source(EvaluationSet("sample", lambda: mnist_test_images(load_mnist(sample_path)), lambda: 1))
    page.show()
    with qtbot.waitSignal(page.evaluated, timeout=EVALUATION_TIMEOUT_MS):
        page.set_model(str(default_model), default_predictor)
    return page


def test_clicking_a_confusion_cell_shows_exactly_that_pairs_examples(
    qtbot, sample_page, sample_data, default_predictor
):
    images = sample_data.x_test.astype(np.float32) / 255
    said = np.argmax(default_predictor.predict_batch(images), axis=1)
    labels = sample_data.y_test
    wrong = [(int(t), int(p)) for t, p in zip(labels, said) if t != p]
    for true, predicted in sorted(set(wrong))[:3] + [(int(labels[0]), int(labels[0]))]:
        centre = sample_page.matrix.cell_rect(true, predicted).center()
        qtbot.mouseClick(sample_page.matrix, Qt.MouseButton.LeftButton, pos=centre.toPoint())
        shown = sample_page.gallery.example_indices()
        expected = np.flatnonzero((labels == true) & (said == predicted))
        assert sorted(shown) == sorted(expected.tolist())
        texts = [sample_page.gallery.item(i).text() for i in range(sample_page.gallery.count())]
        assert all(text.startswith(f"{true} → {predicted}\n") for text in texts)
        assert (
            f"True {true}, predicted {predicted}: {len(expected):,} examples"
            in sample_page.gallery_caption.text()
        )


def test_most_confused_pair_opens_its_examples(qtbot, sample_page):
    assert sample_page.pairs.count() > 0
    item = sample_page.pairs.item(0)
    true, predicted = item.data(Qt.ItemDataRole.UserRole)
    assert item.text().startswith(f"{true} → {predicted}")
    qtbot.mouseClick(
        sample_page.pairs.viewport(),
        Qt.MouseButton.LeftButton,
        pos=sample_page.pairs.visualItemRect(item).center(),
    )
    confusion = sample_page.predictions().confusion
    assert (
        sample_page.gallery.count()
        == confusion[true, predicted]
        == max(confusion[t, p] for t in range(10) for p in range(10) if t != p)
    )


def test_a_bad_pen_digits_file_gets_one_sentence(qtbot, sample_page, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip" * 50)
    errors = sample_page.show_error
    sample_page.add_source(pen_digits_file_source(bad), select=True)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=EVALUATION_TIMEOUT_MS)
    assert errors == [f"{bad}: not an .npz file (corrupt, truncated or another format)."]
    assert sample_page.summary.text() == errors[0]


def test_clicking_a_pen_digit_puts_it_on_the_pad_as_one_undoable_step(qtbot, pen_digits_path):
    digits = spread_subset(load_pen_digits(pen_digits_path), 40)
    window = open_window(qtbot)
    draw(window.draw_tab.canvas, SEVEN)
    before = window.draw_tab.canvas.strokes()
    tab = window.inside_tab
    tab.add_pen_digits_source("some pen digits", lambda: digits)  # as the lead wires "my digits"
    window.tabs.setCurrentWidget(tab)
    tab.pages.setCurrentWidget(tab.mistakes)
    with qtbot.waitSignal(tab.mistakes.evaluated, timeout=EVALUATION_TIMEOUT_MS):
        tab.mistakes.source_box.setCurrentIndex(tab.mistakes.source_box.count() - 1)
    label = int(digits.labels[0])
    tab.mistakes.show_cell(label, int(np.argmax(tab.mistakes.predictions().probabilities[0])))
    gallery = tab.mistakes.gallery
    row = gallery.example_indices().index(0)
    qtbot.mouseClick(
        gallery.viewport(), Qt.MouseButton.LeftButton, pos=gallery.visualItemRect(gallery.item(row)).center()
    )
    assert window.tabs.currentWidget() is window.draw_tab
    canvas = window.draw_tab.canvas
    assert canvas.isVisible()
    for got, want in zip(canvas.strokes(), in_pad_units(digits.strokes(0)), strict=True):
        np.testing.assert_allclose(got, want)
    canvas.undo_stack.undo()
    assert len(canvas.strokes()) == len(before)
    np.testing.assert_array_equal(canvas.strokes()[0], before[0])


def test_results_are_kept_per_model_file_version(
    qtbot, sample_page, default_model, default_predictor, tmp_path
):
    shown = sample_page.predictions()
    with qtbot.waitSignal(sample_page.evaluated, timeout=100):  # from the cache: no worker, at once
        sample_page.refresh()
    assert sample_page.predictions() is shown
    copy = tmp_path / "copy.h5"
    copy.write_bytes(default_model.read_bytes())
    with qtbot.waitSignal(sample_page.evaluated, timeout=EVALUATION_TIMEOUT_MS):
        sample_page.set_model(str(copy), default_predictor)  # another file: evaluated anew
    assert sample_page.predictions() is not shown
    np.testing.assert_array_equal(sample_page.predictions().confusion, shown.confusion)
    with qtbot.waitSignal(sample_page.evaluated, timeout=100):
        sample_page.set_model(str(default_model), default_predictor)  # the first file, unchanged
    assert sample_page.predictions() is shown


def test_mnist_test_comes_from_the_train_tabs_data(qtbot, sample_path, sample_data):
    window = open_window(qtbot, data_path=str(sample_path))
    window.tabs.setCurrentWidget(window.inside_tab)
    with qtbot.waitSignal(window.inside_tab.mistakes.evaluated, timeout=EVALUATION_TIMEOUT_MS):
        window.inside_tab.pages.setCurrentWidget(window.inside_tab.mistakes)
    predictions = window.inside_tab.mistakes.predictions()
    np.testing.assert_array_equal(predictions.data.labels, sample_data.y_test)
    assert window.inside_tab.mistakes.summary.text().startswith("MNIST test: ")
    assert f"of {len(sample_data.y_test):,} right" in window.inside_tab.mistakes.summary.text()


def test_evaluation_pauses_while_the_page_is_hidden(qtbot, sample_page, sample_path):
    import threading

    from training.data import load_mnist

    gate = threading.Event()

    def slow_load():
        gate.wait(10)
        return mnist_test_images(load_mnist(sample_path))

    before = sample_page.predictions()
    finished = []
    sample_page.evaluated.connect(lambda: finished.append(sample_page.predictions()))
    sample_page.add_source(EvaluationSet("gated", slow_load, lambda: "gated"), select=True)
    assert sample_page.progress.isVisible()
    sample_page.hide()
    gate.set()
    qtbot.wait(500)
    assert finished == [] and sample_page.predictions() is before
    assert "paused" in sample_page.summary.text()
    with qtbot.waitSignal(sample_page.evaluated, timeout=EVALUATION_TIMEOUT_MS):
        sample_page.show()
    assert sample_page.summary.text().startswith("gated: ")


def test_a_model_it_cannot_look_inside_gets_one_sentence_and_still_draws(qtbot, tmp_path):
    import keras

    path = tmp_path / "no_dense.keras"
    keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(10, 3),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Activation("softmax"),
        ]
    ).save(path)
    window = open_window(qtbot, path)
    window.tabs.setCurrentWidget(window.inside_tab)
    window.inside_tab.pages.setCurrentWidget(window.inside_tab.live)
    live = window.inside_tab.live
    expected = (
        "Looking inside the network failed (The model has no final Dense layer of 10 classes,"
        " so its scores cannot be read)."
    )
    qtbot.waitUntil(lambda: live.method_label.text() == expected, timeout=MODEL_LOAD_TIMEOUT_MS)
    draw(window.draw_tab.canvas, SEVEN)
    qtbot.waitUntil(lambda: window.inside_tab.is_up_to_date, timeout=10_000)
    assert live.method_label.text() == expected and live.strip.map_counts() == {}
    assert window.size() == DEFAULT_SIZE  # the long sentence wraps rather than widening the window
    assert window.draw_tab.probabilities() is not None  # the Draw tab serves the model as before


def test_a_source_with_no_digits_yet_says_so(qtbot, sample_page):
    from mnist_pad.pen_digits import PenDigits

    empty = PenDigits(
        labels=np.zeros(0, np.int64),
        points=np.zeros((0, 2), np.float32),
        stroke_offsets=np.zeros(1, np.int64),
        sample_offsets=np.zeros(1, np.int64),
        writers=np.zeros(0, str),
    )
    from mnist_pad.gui.inside.mistakes import pen_digits_source

    with qtbot.waitSignal(sample_page.evaluated, timeout=EVALUATION_TIMEOUT_MS):
        sample_page.add_source(pen_digits_source("My digits", lambda: empty), select=True)
    assert sample_page.summary.text() == "My digits: no digits to evaluate yet."
    assert sample_page.pairs.count() == 0 and sample_page.show_error == []
