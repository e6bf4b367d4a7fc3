""""Adapt to my handwriting" in the window: real digits, the real training process, the real widgets."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import MODEL_LOAD_TIMEOUT_MS, ErrorLog
from pen_helpers import in_pad_units_subset, writer_indices
from PySide6.QtCore import Qt

from mnist_pad.files import read_card
from mnist_pad.gui.main_window import MainWindow
from mnist_pad.model_io import load_model
from mnist_pad.pen_digits import load_pen_digits
from training.adapt_settings import MIN_DIGITS, AdaptResult, too_few_digits

ADAPT_TIMEOUT_MS = 180_000  # the child imports TensorFlow, loads the data, adapts and saves




@pytest.fixture(scope="module")
def first_writer(pen_digits_path):
    digits = load_pen_digits(pen_digits_path)
    return digits, writer_indices(digits, digits.writers[0])


def open_window(qtbot, sample_path, my_digits) -> MainWindow:
    window = MainWindow(data_path=str(sample_path), my_digits=my_digits)
    window.errors = ErrorLog()
    window.show_error = window.errors  # the dialog would block; read its sentence instead
    window.train_tab.show_error = window.errors
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.state.model_changed, timeout=MODEL_LOAD_TIMEOUT_MS):
        pass
    return window


def test_adapting_runs_with_the_train_tabs_progress_and_the_draw_tab_switches_to_it(
    qtbot, sample_path, first_writer, default_model
):
    digits, own = first_writer
    saved = in_pad_units_subset(digits, own[:15])
    window = open_window(qtbot, sample_path, lambda: saved)
    action = window.adaptation.adapt_action
    window.adaptation.refresh()
    assert action.isEnabled() and "15 digits" in action.text()
    batches = []
    window.train_tab.batch_progressed.connect(batches.append)

    with qtbot.waitSignal(window.train_tab.training_finished, timeout=ADAPT_TIMEOUT_MS) as finished:
        action.trigger()
        assert window.tabs.currentWidget() is window.train_tab
        assert window.train_tab.stop_button.isEnabled() and not action.isEnabled()
    result = finished.args[0]

    assert isinstance(result, AdaptResult) and result.digits == 15 and window.errors == []
    assert batches and batches[-1].batch == batches[-1].batches_per_epoch, "progress came batch by batch"
    assert window.train_tab.progress_bar.value() == window.train_tab.progress_bar.maximum()
    qtbot.waitUntil(lambda: window.current_model_path == str(result.out_path), timeout=MODEL_LOAD_TIMEOUT_MS)
    assert window.tabs.currentWidget() is window.draw_tab
    assert load_model(result.out_path).model.count_params() == load_model(default_model).model.count_params()
    assert read_card(result.out_path)["adapted_from"] == default_model.name

    back = window.adaptation.back_action
    assert back.isEnabled() and back.text() == f"Back to {default_model.name}"
    back.trigger()
    qtbot.waitUntil(lambda: window.current_model_path == str(default_model), timeout=MODEL_LOAD_TIMEOUT_MS)
    assert back.text() == f"Back to {result.out_path.name}", "and forth again"


def test_stop_ends_adapting_and_keeps_the_model(qtbot, sample_path, first_writer, default_model):
    digits, own = first_writer
    saved = in_pad_units_subset(digits, own[:MIN_DIGITS])
    window = open_window(qtbot, sample_path, lambda: saved)
    window.train_tab.batch_progressed.connect(
        lambda progress: qtbot.mouseClick(window.train_tab.stop_button, Qt.MouseButton.LeftButton)
    )
    with qtbot.waitSignal(window.train_tab.training_finished, timeout=ADAPT_TIMEOUT_MS) as finished:
        window.adaptation.adapt_action.trigger()
    result = finished.args[0]
    assert result.cancelled and not result.out_path.exists()
    assert window.train_tab.progress_bar.format() == "Stopped"
    assert window.current_model_path == str(default_model) and window.errors == []
    assert window.adaptation.adapt_action.isEnabled(), "ready to adapt again"


def test_too_few_digits_disable_the_action_and_say_why(qtbot, sample_path, first_writer):
    digits, own = first_writer
    saved = in_pad_units_subset(digits, own[: MIN_DIGITS - 1])
    window = open_window(qtbot, sample_path, lambda: saved)
    action = window.adaptation.adapt_action
    assert not action.isEnabled()
    assert f"{MIN_DIGITS - 1} of {MIN_DIGITS}" in action.text()
    assert action.toolTip() == too_few_digits(MIN_DIGITS - 1)
    window.adaptation.start()  # a keyboard shortcut or a stale menu would land here
    assert window.errors == [too_few_digits(MIN_DIGITS - 1)] and not window.train_tab.is_training


def test_the_action_follows_the_digits_saved_in_the_store(qtbot, sample_path, tmp_path, monkeypatch):
    """By default the digits are the app's own store's: disabled, saying why, until there are enough."""
    monkeypatch.setenv("MNIST_PAD_STORE", str(tmp_path / "my-digits.sqlite"))
    window = open_window(qtbot, sample_path, None)
    assert not window.adaptation.adapt_action.isEnabled()
    assert window.adaptation.adapt_action.toolTip() == too_few_digits(0)
    assert not window.adaptation.back_action.isEnabled()
    stroke = [np.array([[0.5, 0.2], [0.5, 0.8]], np.float32)]
    for _ in range(MIN_DIGITS):
        window.my_digits.add(stroke, 1, predicted=1)
    assert window.adaptation.adapt_action.isEnabled()  # the store's change refreshed it
    assert f"({MIN_DIGITS} digits)" in window.adaptation.adapt_action.text()


def test_a_failed_adaptation_says_why_in_one_sentence_and_keeps_the_model(
    qtbot, tmp_path, first_writer, default_model
):
    digits, own = first_writer
    saved = in_pad_units_subset(digits, own[:MIN_DIGITS])
    missing = tmp_path / "no-such-mnist.npz"
    window = open_window(qtbot, missing, lambda: saved)
    with qtbot.waitSignal(window.train_tab.training_failed, timeout=ADAPT_TIMEOUT_MS) as failed:
        window.adaptation.adapt_action.trigger()
    qtbot.waitUntil(lambda: not window.train_tab.is_training, timeout=ADAPT_TIMEOUT_MS)
    sentence = failed.args[0]
    assert window.errors == [sentence] and str(missing) in sentence
    assert sentence.endswith(".") and "\n" not in sentence
    assert window.train_tab.status_label.text().startswith("Adapting did not run to the end")
    assert window.current_model_path == str(default_model)
