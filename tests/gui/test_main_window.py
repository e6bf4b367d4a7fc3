"""The main window: loading models (start, menu, drop, Train tab), refusing bad ones, closing."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys

import numpy as np
import pytest
from cli_helpers import OUTSIDE_CHECKOUT
from gui_helpers import (
    MODEL_LOAD_TIMEOUT_MS,
    ONE,
    SEVEN,
    draw,
    make_window,
    wait_for_prediction,
)
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from mnist_pad.gui.main_window import DEFAULT_SIZE, MainWindow


@pytest.fixture
def window(qtbot, default_model):
    """A window serving the default model."""
    window, errors = make_window(qtbot)
    with qtbot.waitSignal(window.state.model_changed, timeout=MODEL_LOAD_TIMEOUT_MS) as blocker:
        pass
    assert blocker.args == [str(default_model)]
    window.errors = errors
    return window


@pytest.fixture
def other_model(tmp_path, default_model):
    """A second usable model file, with a model card."""
    path = tmp_path / "other_model.h5"
    shutil.copyfile(default_model, path)
    (tmp_path / "other_model.card.json").write_text(json.dumps({"test_accuracy": 0.9876}))
    return path


def draw_and_predict(qtbot, window, strokes=ONE) -> np.ndarray:
    window.draw_tab.canvas.clear()
    draw(window.draw_tab.canvas, strokes)
    return wait_for_prediction(qtbot, window.draw_tab)


def test_every_tab_and_page_fits_the_default_size_and_keeps_it(window, qtbot):
    """Showing a tab never makes the window grow (Inside once grew it to 940x846, off small screens)."""
    assert window.size() == DEFAULT_SIZE
    inside = window.inside_tab
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        pages = inside.pages if window.tabs.currentWidget() is inside else None
        for page in range(pages.count() if pages else 1):
            if pages:
                pages.setCurrentIndex(page)
            if pages and pages.currentWidget() is inside.live:  # its strip fills in once a model is read
                qtbot.waitUntil(lambda: inside.live.strip.map_counts() != {}, timeout=MODEL_LOAD_TIMEOUT_MS)
            qtbot.wait(50)  # layouts settle through posted events
            shown = pages.currentWidget() if pages else window.tabs.currentWidget()
            name = window.tabs.tabText(index) + (f" / {pages.tabText(page)}" if pages else "")
            assert window.size() == DEFAULT_SIZE, name
            room, needed = shown.size(), shown.minimumSizeHint()
            assert needed.width() <= room.width() and needed.height() <= room.height(), name
    window.tabs.setCurrentWidget(inside)  # the window's own minimum, with the pad on the Inside tab
    inside.pages.setCurrentWidget(inside.live)
    qtbot.wait(50)
    needed = window.minimumSizeHint()
    assert needed.width() <= DEFAULT_SIZE.width() and needed.height() <= DEFAULT_SIZE.height()


def test_the_window_starts_with_the_default_model(window, qtbot, default_model):
    assert window.windowTitle() == "mnist-pad"
    assert not window.windowIcon().isNull()
    assert window.current_model_path == str(default_model)
    assert window.model_status.text().startswith(default_model.name)
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == ["Draw", "My digits", "Inside", "Train"]
    assert int(np.argmax(draw_and_predict(qtbot, window))) == 1
    assert window.errors == []


def test_the_window_shows_before_the_model_is_loaded(qtbot, default_model):
    window, _ = make_window(qtbot)
    assert window.isVisible() and window.current_model_path is None
    assert window.draw_tab.confidence_detail.text() == "Loading model…"
    assert window.model_status.text().startswith("Loading model")
    qtbot.waitSignal(window.state.model_changed, timeout=MODEL_LOAD_TIMEOUT_MS).wait()
    assert window.draw_tab.confidence_detail.text() == "Draw a digit"


@pytest.mark.parametrize(
    "fault", ["missing", "truncated-h5", "text-named-keras", "rgb-32x32", "5-classes", "lambda.h5"]
)
def test_a_bad_model_is_refused_in_one_sentence_and_the_old_one_keeps_serving(
    window, qtbot, bad_models, default_model, fault
):
    bad = bad_models[fault]
    window.open_model(str(bad.path))
    qtbot.waitUntil(lambda: len(window.errors) == 1, timeout=MODEL_LOAD_TIMEOUT_MS)
    (sentence,) = window.errors
    assert bad.path.name in sentence and bad.reason in sentence
    assert "\n" not in sentence and sentence.endswith(".")
    assert "Traceback" not in sentence
    assert window.current_model_path == str(default_model)
    assert window.model_status.text().startswith(default_model.name)
    assert int(np.argmax(draw_and_predict(qtbot, window, SEVEN))) == 7


def test_a_bad_model_given_at_start_leaves_the_window_running(qtbot, bad_models):
    window, errors = make_window(qtbot, bad_models["rgb-32x32"].path)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=MODEL_LOAD_TIMEOUT_MS)
    assert "rgb32.h5" in errors[0] and "28x28" in errors[0]
    assert window.isVisible() and window.current_model_path is None
    assert window.draw_tab.confidence_detail.text() == "No model loaded"


def test_a_newer_store_gets_one_sentence_and_the_window_keeps_working(qtbot, tmp_path, monkeypatch):
    from mnist_pad.my_digits import SCHEMA_VERSION, DigitStore

    path = tmp_path / "my-digits.sqlite"
    with DigitStore(path) as store:
        store.add(ONE, 1)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.execute("PRAGMA journal_mode = DELETE")
    db.close()
    before = path.read_bytes()
    monkeypatch.setenv("MNIST_PAD_STORE", str(path))
    window, errors = make_window(qtbot)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=MODEL_LOAD_TIMEOUT_MS)  # the store opens after the model
    assert "newer mnist-pad" in errors[0] and "\n" not in errors[0]
    assert window.state.predictor is not None
    assert int(np.argmax(draw_and_predict(qtbot, window, SEVEN))) == 7  # drawing goes on
    QTest.keyClick(window.draw_tab.canvas, Qt.Key.Key_7)
    assert len(errors) == 2 and len(window.draw_tab.canvas.strokes()) == 1  # not saved, not lost
    window.close()
    assert path.read_bytes() == before


def test_a_digit_saved_in_the_draw_tab_shows_in_my_digits(window, qtbot):
    draw_and_predict(qtbot, window, SEVEN)
    before = window.my_digits.counts()[7]
    QTest.keyClick(window.draw_tab.canvas, Qt.Key.Key_7)
    assert window.my_digits.counts()[7] == before + 1
    window.tabs.setCurrentWidget(window.my_digits_view)
    assert window.my_digits_view.thumbnails[7].count() == before + 1
    assert window.errors == []


def test_ctrl_o_opens_the_chosen_model(window, qtbot, monkeypatch, other_model):
    asked = []

    def choose(parent, caption, directory, file_filter):
        asked.append(file_filter)
        return str(other_model), file_filter

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(choose))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    with qtbot.waitSignal(window.state.model_changed, timeout=MODEL_LOAD_TIMEOUT_MS) as blocker:
        QTest.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Keras models (*.h5 *.keras)"]
    assert blocker.args == [str(other_model)]
    assert window.current_model_path == str(other_model)
    assert window.model_status.text() == "other_model.h5 · MNIST test accuracy 98.76%"
    assert int(np.argmax(draw_and_predict(qtbot, window))) == 1


def test_cancelling_the_open_dialog_keeps_the_model(window, qtbot, monkeypatch, default_model):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *args: ("", "")))
    window.open_action.trigger()
    assert window.current_model_path == str(default_model)
    assert window.model_status.text().startswith(default_model.name)


def drag_and_drop(window, path) -> tuple[bool, QDropEvent]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    centre = window.rect().center()
    enter = QDragEnterEvent(  # the QPoint form: the QPointF one is new in PySide6 6.12
        centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    drop = QDropEvent(
        QPointF(centre), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    if enter.isAccepted():
        QApplication.sendEvent(window, drop)
    return enter.isAccepted(), drop


def test_dropping_a_model_file_opens_it(window, qtbot, other_model):
    with qtbot.waitSignal(window.state.model_changed, timeout=MODEL_LOAD_TIMEOUT_MS) as blocker:
        accepted, drop = drag_and_drop(window, other_model)
    assert accepted and drop.isAccepted()
    assert blocker.args == [str(other_model)]
    assert window.current_model_path == str(other_model)


def test_dropping_an_unusable_model_says_why_in_the_window(window, qtbot, bad_models, default_model):
    bad = bad_models["5-classes"]
    accepted, _ = drag_and_drop(window, bad.path)
    assert accepted
    qtbot.waitUntil(lambda: len(window.errors) == 1, timeout=MODEL_LOAD_TIMEOUT_MS)
    assert bad.path.name in window.errors[0] and bad.reason in window.errors[0]
    assert window.current_model_path == str(default_model)


def test_dropping_another_kind_of_file_is_refused(window, tmp_path, default_model):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a model")
    accepted, _ = drag_and_drop(window, text_file)
    assert not accepted
    assert window.current_model_path == str(default_model)


def test_the_train_tab_can_hand_over_a_new_model(window, qtbot, other_model):
    with qtbot.waitSignal(window.state.model_changed, timeout=MODEL_LOAD_TIMEOUT_MS) as blocker:
        window.train_tab.use_model_requested.emit(str(other_model))
    assert blocker.args == [str(other_model)]


def test_closing_while_a_model_loads_stops_every_thread(qtbot, default_model):
    window, _ = make_window(qtbot)
    QApplication.processEvents()  # the queued first load starts
    window.open_model(str(default_model))
    loaders = list(window._loaders)
    assert loaders and any(loader.isRunning() for loader in loaders)
    window.close()
    assert not any(loader.isRunning() for loader in loaders)
    assert not window.draw_tab._worker.isRunning()


def test_a_model_served_through_keras_sets_tensorflow_up_for_one_drawing_at_a_time(default_model):
    # A fresh process: the setting only takes before TensorFlow's first op, which
    # this test process ran long ago.
    probe = (
        "import sys; from training.runtime_export import keras_predictor; "
        "from mnist_pad.model_io import open_model_file; keras_predictor(open_model_file(sys.argv[1])); "
        "import tensorflow as tf; t = tf.config.threading; "
        "print(t.get_intra_op_parallelism_threads(), t.get_inter_op_parallelism_threads())"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe, str(default_model)], capture_output=True, text=True, cwd=OUTSIDE_CHECKOUT,
        check=True,
    )
    assert ran.stdout.split() == ["1", "1"]


def test_the_job_runner_is_built_once_when_first_needed_and_shared(qtbot):
    window = MainWindow()  # not shown: nothing after the first paint has been built
    qtbot.addWidget(window)
    assert window.train_tab.runner is window.runner
    assert window.runner is window.runner


def test_a_tab_chosen_before_start_up_built_it_opens_at_once(qtbot):
    from mnist_pad.gui.inside.inside_tab import InsideTab
    from mnist_pad.gui.my_digits.my_digits_view import MyDigitsView
    from mnist_pad.gui.train.train_tab import TrainTab

    window = MainWindow()  # not shown yet: its first paint, which builds the tabs, has not happened
    qtbot.addWidget(window)
    for index, kind, title in ((3, TrainTab, "Train"), (1, MyDigitsView, "My digits"), (2, InsideTab, "Inside")):
        window.tabs.setCurrentIndex(index)
        assert isinstance(window.tabs.currentWidget(), kind)
        assert window.tabs.tabText(index) == title
    assert window.tabs.currentWidget() is window.inside_tab
    assert window.tabs.widget(3) is window.train_tab and window.tabs.widget(1) is window.my_digits_view
    assert window.tabs.count() == 4
