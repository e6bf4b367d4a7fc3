"""The Train tab: real short trainings on the MNIST sample, driven through the widgets.

Each training uses a few hundred sample images so that it takes seconds; the
waits are generous because the first one in a process also imports TensorFlow.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import ErrorLog
from PySide6.QtCore import Qt
from train_helpers import (
    TRAINING_TIMEOUT_MS,
    configure,
    partial_files,
    process_exists,
    start_and_wait_for_failure,
)

from mnist_pad.gui.main_window import MainWindow
from mnist_pad.gui.threads import running_threads
from mnist_pad.gui.train.train_tab import (
    TrainTab,
)
from mnist_pad.model_io import default_model_path, load_model
from training.data import load_mnist

STOP_TIMEOUT_MS = 15_000  # Stop: one batch, then validating 400 images and saving
SMALL_RUN = {"train_samples": 400, "batch_size": 50}  # 8 batches per epoch


# -- a whole run ---------------------------------------------------------------------


def test_a_run_reports_batches_then_epochs_then_the_result_and_writes_a_loadable_model(
    qtbot, tab, out_dir
):
    out_path = out_dir / "mine.h5"
    configure(tab, out_path, epochs=2, **SMALL_RUN)
    events = []
    tab.batch_progressed.connect(lambda p: events.append(("batch", p.epoch, p.batch, p.batches_per_epoch)))
    tab.epoch_ended.connect(lambda r: events.append(("epoch", r.epoch)))
    tab.training_finished.connect(lambda r: events.append(("finished",)))
    runs = []
    tab.running_changed.connect(runs.append)

    with qtbot.waitSignal(tab.training_finished, timeout=TRAINING_TIMEOUT_MS) as finished:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
        assert tab.is_training and not tab.start_button.isEnabled() and tab.stop_button.isEnabled()
        assert not tab.form.isEnabled()
        tab.start()  # a second run cannot begin while one runs
    qtbot.waitUntil(lambda: not tab.is_training, timeout=STOP_TIMEOUT_MS)
    assert runs == [True, False]
    result = finished.args[0]

    batches = 400 // 50
    expected = [
        *[("batch", 0, b, batches) for b in range(1, batches + 1)], ("epoch", 0),
        *[("batch", 1, b, batches) for b in range(1, batches + 1)], ("epoch", 1),
        ("finished",),
    ]
    assert events == expected
    assert not result.cancelled and len(result.epochs) == 2 and result.checkpoint_written

    # The table shows what the epochs reported, one row each.
    assert tab.table.rowCount() == 2
    for row, epoch in enumerate(result.epochs):
        cells = [tab.table.item(row, c).text() for c in range(tab.table.columnCount())]
        assert cells[0] == str(row + 1)
        assert [float(c) for c in cells[1:5]] == pytest.approx(
            [epoch.loss, epoch.acc, epoch.val_loss, epoch.val_acc], abs=1e-4
        )
    # The curves hold every batch and both epochs.
    x, val_error = tab.curves.error_plot.validation.getOriginalDataset()
    assert list(x) == [1, 2]
    assert list(val_error) == pytest.approx([100 * (1 - e.val_acc) for e in result.epochs])
    running_x, running_loss = tab.curves.loss_plot.running.getData()
    finite = np.isfinite(running_loss)
    assert finite.sum() == 2 * batches and running_x[finite][-1] == 2.0
    assert tab.progress_bar.value() == tab.progress_bar.maximum() == 2 * batches

    # The summary tells the best val_acc, the epochs, and the file; the file loads.
    summary = tab.summary_label.text()
    assert f"{result.best_val_acc:.4f}" in summary and str(out_path) in summary
    assert "2 epochs" in summary
    loaded = load_model(out_path)
    assert loaded.model.output_shape == (None, 10)
    assert partial_files(out_dir) == []
    # Its card, as every model the project writes has: the run's own figures and how to make it again.
    from training.card import card_in_words

    assert loaded.card["epochs_run"] == 2 and loaded.card["best_val_acc"] == pytest.approx(result.best_val_acc, abs=1e-6)
    assert loaded.card["command"].startswith("mnist-pad-train ") and "--epochs 2" in loaded.card["command"]
    words = " ".join(card_in_words(loaded.card, out_path.name))
    assert "?" not in words and "To train it again" in words

    assert tab.use_button.isEnabled()
    with qtbot.waitSignal(tab.use_model_requested, timeout=1000) as used:
        qtbot.mouseClick(tab.use_button, Qt.MouseButton.LeftButton)
    assert used.args == [str(out_path)]


def test_use_this_model_makes_the_draw_tab_serve_the_new_model(qtbot, sample_path, out_dir):
    window = MainWindow(data_path=str(sample_path))
    errors = ErrorLog()
    window.show_error = errors
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: window.current_model_path is not None or bool(errors), timeout=TRAINING_TIMEOUT_MS
    )
    previous = window.current_model_path

    tab = window.train_tab
    tab.show_error = errors
    out_path = out_dir / "fresh.h5"
    configure(tab, out_path, epochs=1, **SMALL_RUN)
    with qtbot.waitSignal(tab.training_finished, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert window.current_model_path == previous, "the old model serves until the user switches"
    # Before switching, the tab says how the new model compares with the one in use, on the same test digits:
    # those the model in use reads right are those the Draw tab would, its own rule turning some away.
    comparison = tab.last_result.comparison
    mnist = next(judgement for judgement in comparison.judgements if judgement.items == "MNIST test digits")
    data = load_mnist(sample_path)
    probabilities = window.state.predictor.predict_batch(data.x_test / 255.0)
    read_right = window.state.digit_rule().is_digit(probabilities) & (probabilities.argmax(1) == data.y_test)
    assert mnist.current_right == read_right.sum() and mnist.n == len(data.y_test)
    assert comparison.current_name == Path(previous).name
    assert mnist.sentence(Path(previous).name) in tab.summary_label.text().splitlines()

    with qtbot.waitSignal(window.state.model_changed, timeout=TRAINING_TIMEOUT_MS) as changed:
        qtbot.mouseClick(tab.use_button, Qt.MouseButton.LeftButton)
    assert changed.args == [str(out_path)]
    assert window.current_model_path == str(out_path)
    assert errors == []


# -- stopping and closing ---------------------------------------------------------------


def test_stop_in_mid_epoch_ends_within_a_batch_and_keeps_a_loadable_checkpoint(qtbot, tab, out_dir):
    out_path = out_dir / "stopped.h5"
    configure(tab, out_path, epochs=3, train_samples=800, batch_size=50)  # 16 batches per epoch
    seen = []
    tab.batch_progressed.connect(lambda p: seen.append((p.epoch, p.batch)))

    with qtbot.waitSignal(tab.epoch_ended, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    def in_second_epoch(progress) -> bool:
        return progress.epoch == 1 and progress.batch >= 2

    with qtbot.waitSignal(tab.batch_progressed, timeout=TRAINING_TIMEOUT_MS, check_params_cb=in_second_epoch):
        pass
    stopped_at = seen[-1]
    with qtbot.waitSignal(tab.training_finished, timeout=STOP_TIMEOUT_MS) as finished:
        qtbot.mouseClick(tab.stop_button, Qt.MouseButton.LeftButton)
        assert not tab.stop_button.isEnabled()
    result = finished.args[0]

    assert result.cancelled and not result.stopped_early
    assert len(result.epochs) == 1 and result.best_epoch == 0  # the cut epoch is not validated
    # The worker may be one batch past what the GUI had shown when Stop was clicked.
    assert seen[-1][0] == 1 and seen[-1][1] <= stopped_at[1] + 2 < 16
    assert result.checkpoint_written
    load_model(out_path)
    assert partial_files(out_dir) == []
    assert "Stopped by you" in tab.summary_label.text()
    assert tab.table.rowCount() == 1
    qtbot.waitUntil(lambda: not tab.is_training, timeout=STOP_TIMEOUT_MS)
    assert tab.start_button.isEnabled()


def test_closing_the_window_during_training_stops_it_cleanly(qtbot, sample_path, out_dir):
    window = MainWindow(data_path=str(sample_path))
    window.show_error = ErrorLog()
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.state.model_changed, timeout=TRAINING_TIMEOUT_MS):
        window.show()  # the model loader ends first, so the one thread left is training's
    tab = window.train_tab
    configure(tab, out_dir / "closing.h5", epochs=5, **SMALL_RUN)
    with qtbot.waitSignal(tab.batch_progressed, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    (thread,) = running_threads()

    child = tab.training_process_id

    window.close()  # closeEvent -> train_tab.shutdown()

    assert thread.isFinished(), "closing must wait for the training thread"
    assert running_threads() == []
    assert not process_exists(child), "the training process outlived the window"
    assert partial_files(out_dir) == []


def test_closing_while_the_training_process_starts_kills_it_at_once(qtbot, tab, out_dir):
    configure(tab, out_dir / "never.h5", epochs=1, **SMALL_RUN)
    tab.start()
    qtbot.waitUntil(lambda: tab.training_process_id is not None, timeout=5000)
    child = tab.training_process_id

    # No batch will come for seconds (TensorFlow is loading), so only a kill ends it in time.
    assert tab.shutdown(timeout_ms=0)

    assert not process_exists(child)
    qtbot.waitUntil(lambda: not tab.is_training, timeout=1000)
    assert tab.errors == [], "a window that is closing shows no dialog"
    assert not (out_dir / "never.h5").exists() and partial_files(out_dir) == []


def test_a_crash_in_the_training_process_is_one_sentence_and_the_app_runs_on(
    qtbot, tab, out_dir, previous_model
):
    configure(tab, out_dir / "crashing.h5", epochs=3, **SMALL_RUN)
    with qtbot.waitSignal(tab.batch_progressed, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)

    with qtbot.waitSignal(tab.training_failed, timeout=STOP_TIMEOUT_MS) as failed:
        os.kill(tab.training_process_id, signal.SIGSEGV)  # what a native fault in TensorFlow does
    qtbot.waitUntil(lambda: not tab.is_training, timeout=STOP_TIMEOUT_MS)

    assert failed.args[0] == (
        "The training process ended unexpectedly (signal SIGSEGV); earlier model files are untouched."
    )
    assert tab.errors == [failed.args[0]]
    assert tab.start_button.isEnabled() and not tab.use_button.isEnabled()
    assert previous_model.read_bytes() == b"an earlier model"
    assert partial_files(out_dir) == []


def test_deleting_the_tab_during_training_neither_crashes_nor_drops_the_run(
    qtbot, settings, sample_path, out_dir
):
    tab = TrainTab(data_path=str(sample_path), settings=settings)
    configure(tab, out_dir / "unowned.h5", epochs=1, **SMALL_RUN)
    with qtbot.waitSignal(tab.batch_progressed, timeout=TRAINING_TIMEOUT_MS):
        tab.start()
    (thread,) = running_threads()

    destroyed = []
    tab.destroyed.connect(lambda: destroyed.append(True))
    tab.deleteLater()  # destroyed, not closed: Qt would abort on a running child thread
    qtbot.waitUntil(lambda: destroyed == [True], timeout=1000)

    assert thread.isRunning()
    qtbot.waitUntil(lambda: running_threads() == [], timeout=TRAINING_TIMEOUT_MS)
    load_model(out_dir / "unowned.h5")


def test_shutdown_without_training_returns_at_once(tab):
    assert tab.shutdown(timeout_ms=0)


# -- errors ----------------------------------------------------------------------------


@pytest.fixture
def previous_model(out_dir) -> Path:
    """An earlier model file at the output path, which no failure may touch."""
    out_dir.mkdir(parents=True)
    path = out_dir / "previous.h5"
    path.write_bytes(b"an earlier model")
    return path


@pytest.mark.parametrize("fault", ["missing", "corrupt"])
def test_a_bad_data_file_shows_one_sentence_and_leaves_the_tab_ready(
    qtbot, tab, tmp_path, previous_model, fault
):
    data = tmp_path / f"{fault}.npz"
    if fault == "corrupt":
        data.write_bytes(b"not a zip archive at all" * 10)
    tab.form.set_data_path(str(data))
    configure(tab, previous_model, epochs=1, **SMALL_RUN)

    sentence = start_and_wait_for_failure(qtbot, tab)

    assert str(data) in sentence
    assert ("no such file" if fault == "missing" else "not an .npz file") in sentence
    assert previous_model.read_bytes() == b"an earlier model"
    assert not tab.use_button.isEnabled()


@pytest.mark.parametrize("fault", ["parent is a file", "not .h5", "a directory"])
def test_an_unwritable_output_path_shows_one_sentence(qtbot, tab, tmp_path, previous_model, fault):
    blocker = tmp_path / "blocker.txt"
    blocker.write_text("a file where a folder would be needed")
    out_path = {
        "parent is a file": blocker / "model.h5",
        "not .h5": previous_model.with_suffix(".keras"),
        "a directory": tmp_path / "folder.h5",
    }[fault]
    if fault == "a directory":
        out_path.mkdir()
    configure(tab, out_path, epochs=1, **SMALL_RUN)

    sentence = start_and_wait_for_failure(qtbot, tab)

    assert str(out_path) in sentence
    assert previous_model.read_bytes() == b"an earlier model"
    assert sorted(p.name for p in previous_model.parent.iterdir()) == ["previous.h5"]


def test_an_exception_inside_training_shows_one_sentence(qtbot, tab, tmp_path, out_dir):
    # Four training images: too few to hold any out for validation, so fit itself raises.
    rng = np.random.default_rng(0)
    tiny = tmp_path / "tiny.npz"
    np.savez(
        tiny,
        x_train=rng.integers(0, 255, (4, 28, 28), dtype=np.uint8), y_train=np.arange(4, dtype=np.uint8),
        x_test=rng.integers(0, 255, (2, 28, 28), dtype=np.uint8), y_test=np.arange(2, dtype=np.uint8),
    )
    tab.form.set_data_path(str(tiny))
    configure(tab, out_dir / "never.h5", epochs=1, train_samples=0, batch_size=2)

    sentence = start_and_wait_for_failure(qtbot, tab)

    assert sentence.startswith("Training failed: ") and "validation" in sentence
    assert not (out_dir / "never.h5").exists()


def test_the_shipped_model_is_never_the_output(qtbot, tab):
    shipped = default_model_path()
    before = shipped.read_bytes()
    tab.form.output_edit.setText(str(shipped))
    qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert not tab.is_training
    assert len(tab.errors) == 1 and "shipped" in tab.errors[0]
    assert shipped.read_bytes() == before
