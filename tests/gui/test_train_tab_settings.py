"""The Train tab's settings, its data line, its default output, and what it says about a run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths

from mnist_pad.gui.train.data_source import KERAS_DOWNLOAD
from mnist_pad.gui.train.settings_form import (
    pen_digits_at_hand as ORIGINAL_PEN_DIGITS_AT_HAND,
)
from mnist_pad.gui.train.train_tab import TrainTab
from mnist_pad.gui.train.training_report import EtaClock
from mnist_pad.model_io import default_model_path
from mnist_pad.user_data import models_directory, new_model_path
from training.job import TrainConfig, format_duration

# -- settings ----------------------------------------------------------------------------


def test_settings_are_remembered_between_runs(qtbot, settings, sample_path, tmp_path):
    first = TrainTab(settings=settings)
    qtbot.addWidget(first)
    first.form.epochs_spin.setValue(7)
    first.form.batch_spin.setValue(64)
    first.form.samples_spin.setValue(3000)
    first.form.augment_check.setChecked(True)
    first.form.output_edit.setText(str(tmp_path / "kept.h5"))
    first.form.set_data_path(str(sample_path))

    again = TrainTab(settings=QSettings(settings.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.form.epochs_spin.value() == 7 and again.form.batch_spin.value() == 64
    assert again.form.samples_spin.value() == 3000 and again.form.augment_check.isChecked()
    assert again.form.output_edit.text() == str(tmp_path / "kept.h5")
    assert again.form.data_source_text == "mnist_sample.npz (chosen)"

    # --data on the command line wins for that run, without forgetting the pick.
    with_flag = TrainTab(data_path=str(tmp_path), settings=settings)
    qtbot.addWidget(with_flag)
    assert with_flag.form.data_source_text == f"{tmp_path.name}/ (from --data)"
    assert settings.value("train/data_path") == str(sample_path)


def test_the_defaults_follow_the_shipped_models_recipe_with_the_pen_digits_at_hand(
    qtbot, settings, monkeypatch, pen_digits_path
):
    from dataclasses import replace

    from mnist_pad.gui.train import settings_form
    from training.recipe import shipped_recipe

    monkeypatch.setattr(settings_form, "pen_digits_at_hand", ORIGINAL_PEN_DIGITS_AT_HAND)
    monkeypatch.setenv("MNIST_PAD_PEN_DIGITS", str(pen_digits_path))
    tab = TrainTab(settings=settings)
    qtbot.addWidget(tab)
    recipe = shipped_recipe()
    assert recipe.init_model and recipe.augment  # the shipped card tells how it was made
    assert tab.form.config() == replace(recipe, pen_files=(str(pen_digits_path),))
    assert tab.form.samples_spin.value() == 0  # all of MNIST

    assert recipe.clean_finish_epochs  # the shipped model's training ends on undistorted drawings
    tab.form.augment_check.setChecked(False)  # then there is nothing to finish
    assert tab.form.config().clean_finish_epochs == 0 and not tab.form.config().augment
    tab.form.augment_check.setChecked(True)

    tab.form.start_check.setChecked(False)  # a fresh network at the usual rate
    fresh = tab.form.config()
    assert fresh.init_model is None and fresh.learning_rate == TrainConfig().learning_rate


def test_a_card_says_how_its_model_was_made_and_the_recipe_reads_it_back(tmp_path):
    import json

    from training.recipe import shipped_recipe

    model = tmp_path / "m.h5"
    model.write_bytes(b"")
    (tmp_path / "start.h5").write_bytes(b"")
    card = {"max_epochs": 9, "batch_size": 64, "augmentation": "some", "pen_repeat": 2,
            "digit_styles": "styles", "made_up_not_digits": {"drawings": 300}, "not_digit_weight": 2.0,
            "mnist_weight": 2.0, "learning_rate": 0.0005, "clean_finish_epochs": 1,
            "early_stopping_patience": 4, "init_model": {"path": "/elsewhere/start.h5"}}
    (tmp_path / "m.card.json").write_text(json.dumps(card))
    assert shipped_recipe(model) == TrainConfig(
        epochs=9, batch_size=64, augment=True, pen_repeat=2, digit_styles=True, made_up_not_digits=300,
        not_digit_weight=2.0, mnist_weight=2.0, learning_rate=0.0005, patience=4, init_model=str(tmp_path / "start.h5"),
        clean_finish_epochs=1)
    (tmp_path / "m.card.json").write_text(json.dumps({**card, "max_epochs": "nine", "init_model": 3}))
    damaged = shipped_recipe(model)
    assert damaged.epochs == TrainConfig().epochs and damaged.init_model is None


def test_the_data_line_says_which_source_will_be_used(qtbot, settings, monkeypatch, sample_path):
    monkeypatch.delenv("MNIST_PAD_DATA", raising=False)
    tab = TrainTab(settings=settings)
    qtbot.addWidget(tab)
    assert tab.form.data_source_text.startswith(KERAS_DOWNLOAD)

    monkeypatch.setenv("MNIST_PAD_DATA", str(sample_path))
    tab.form.set_data_path(None)
    assert tab.form.data_source_text == "mnist_sample.npz (from $MNIST_PAD_DATA)"

    from_flag = TrainTab(data_path=str(sample_path), settings=settings)
    qtbot.addWidget(from_flag)
    assert from_flag.form.data_source_text == "mnist_sample.npz (from --data)"


def test_the_data_line_fits_the_width_the_tab_gives_it_and_shows_all_of_it_when_there_is_room(
    qtbot, settings, monkeypatch
):
    from PySide6.QtGui import QFontMetrics, QTextDocument

    monkeypatch.delenv("MNIST_PAD_DATA", raising=False)
    tab = TrainTab(settings=settings)
    qtbot.addWidget(tab)
    label = tab.form.data_label

    def shown_lines() -> list[str]:
        document = QTextDocument()
        document.setHtml(label.text())
        return document.toPlainText().split("\n")

    def widest_line() -> int:  # each line in the font it is drawn in
        name, detail = shown_lines()
        return max(label.fontMetrics().horizontalAdvance(name), QFontMetrics(label.detail_font()).horizontalAdvance(detail))

    label.setMaximumWidth(70)  # a narrow form: a large font, or a small window
    tab.resize(600, 600)
    tab.show()
    qtbot.waitExposed(tab)
    qtbot.waitUntil(lambda: widest_line() <= label.contentsRect().width())
    assert any("…" in line for line in shown_lines())
    assert label.lines() == (KERAS_DOWNLOAD, "$MNIST_PAD_DATA unset")

    label.setMaximumWidth(16777215)  # no limit
    tab.form.setMinimumWidth(900)
    tab.resize(1400, 600)
    qtbot.waitUntil(lambda: shown_lines() == list(label.lines()))


def test_the_default_output_is_a_new_file_in_the_app_data_folder(qtbot, settings, tmp_path):
    QStandardPaths.setTestModeEnabled(True)
    try:
        tab = TrainTab(settings=settings)
        qtbot.addWidget(tab)
        tab.form.output_edit.clear()
        path = tab.form.output_path()
        assert path.parent == models_directory() and path.suffix == ".h5"
        assert path.resolve() != default_model_path().resolve()
    finally:
        QStandardPaths.setTestModeEnabled(False)
    first = new_model_path(tmp_path)
    first.touch()
    assert new_model_path(tmp_path) != first


# -- text -----------------------------------------------------------------------------------


def test_an_early_stop_says_so_and_names_the_best_epoch():
    from training.job import EpochResult, TrainResult

    val_accs = [0.97, 0.99, 0.98, 0.985]
    epochs = [EpochResult(i, 0.1, 0.9, 0.2, acc, 3.0) for i, acc in enumerate(val_accs)]
    result = TrainResult(Path("/m/x.h5"), epochs, best_epoch=1, stopped_early=True, seconds=75)
    text = result.summary(planned_epochs=10)
    assert result.outcome == "Stopped early"
    assert "Early stopping" in text and "4 of 10 epochs" in text
    assert "0.9900, at epoch 2." in text and "/m/x.h5" in text and "1 min 15 s" in text


def test_the_eta_follows_the_pace_after_the_first_batch():
    from training.job import BatchProgress

    clock = EtaClock(epochs=2)
    assert clock.seconds_left(BatchProgress(0, 1, 10, 2.0, 0.1), now=100.0) is None  # compiling
    # Batches 2..5 took one second each: 15 batches remain.
    assert clock.seconds_left(BatchProgress(0, 5, 10, 1.0, 0.5), now=104.0) == pytest.approx(15.0)
    assert format_duration(15) == "15 s" and format_duration(3725) == "1 h 02 min"


def test_importing_the_tab_leaves_tensorflow_to_the_worker():
    probe = (
        "import sys, mnist_pad.gui.train.train_tab; "
        "print(sorted(m for m in ('tensorflow', 'keras', 'training.fit') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


# -- what the tab counts and shows --------------------------------------------------------


def test_the_clean_finish_is_said_beside_the_epochs_and_the_run_plans_both(qtbot, settings, sample_path):
    tab = TrainTab(data_path=str(sample_path), settings=settings)
    qtbot.addWidget(tab)
    tab.show()
    finish = tab.form.recipe.clean_finish_epochs
    assert finish == 1  # the shipped model's recipe
    tab.form.epochs_spin.setValue(1)
    tab.form.augment_check.setChecked(True)
    assert tab.form.clean_finish_label.isVisible() and tab.form.clean_finish_label.text() == "+ 1 clean-finish epoch"
    assert tab.form.config().most_epochs == tab.form.epochs_spin.value() + finish  # what the form says is what runs
    tab.form.augment_check.setChecked(False)
    assert not tab.form.clean_finish_label.isVisible() and tab.form.config().most_epochs == 1


def test_the_clean_finish_epoch_is_named_in_the_progress_bar_the_table_the_curves_and_the_summary(
    qtbot, settings, sample_path
):
    from types import SimpleNamespace

    from training.job import BatchProgress, EpochResult, TrainResult

    tab = TrainTab(data_path=str(sample_path), settings=settings)
    qtbot.addWidget(tab)
    tab._job_started(SimpleNamespace(activity="Training", epochs=2))
    augmented = EpochResult(0, 0.2, 0.95, 0.1, 0.97, 3.0)
    clean = EpochResult(1, 0.1, 0.97, 0.09, 0.98, 3.0, clean_finish=True)
    tab._on_batch(BatchProgress(0, 5, 10, 0.2, 0.95))
    tab._repaint_progress()
    assert tab.progress_bar.format().startswith("Epoch 1/2") and not tab.curves.loss_plot.clean_finish_line.isVisible()
    tab._on_epoch(augmented)
    tab._on_batch(BatchProgress(1, 5, 10, 0.1, 0.97, clean_finish=True))
    tab._repaint_progress()
    assert tab.progress_bar.format().startswith("Clean-finish epoch 2/2")
    for plot in (tab.curves.loss_plot, tab.curves.error_plot):
        assert plot.clean_finish_line.isVisible() and plot.clean_finish_line.value() == 1  # where epoch 2 begins
    tab._on_epoch(clean)
    assert [tab.table.item(row, 0).text() for row in range(2)] == ["1", "2 clean"]

    done = TrainResult(Path("/m/x.h5"), [augmented, clean], best_epoch=1, seconds=20).summary(planned_epochs=2)
    assert "Trained 2 epochs in 20 s.\nThe last epoch was the clean finish, on undistorted drawings." in done
    early = TrainResult(Path("/m/x.h5"), [augmented, clean], best_epoch=1, stopped_early=True, seconds=20)
    assert "Early stopping ended the augmented epochs after 1 (val_acc had stopped improving), so 2 of 7" in (
        early.summary(planned_epochs=7))


def test_use_this_model_waits_for_a_run_that_wrote_a_model(qtbot, settings, sample_path):
    tab = TrainTab(data_path=str(sample_path), settings=settings)
    qtbot.addWidget(tab)
    tab.show()
    assert not tab.use_button.isEnabled()


@pytest.mark.parametrize("data_env", [True, False], ids=["$MNIST_PAD_DATA set", "no data named"])
def test_the_captions_fit_the_default_window_and_a_long_result_leaves_the_settings_their_height(
    qtbot, settings, sample_path, monkeypatch, data_env
):
    from PySide6.QtGui import QFontMetrics, QTextDocument
    from PySide6.QtWidgets import QAbstractButton, QLabel

    from mnist_pad.gui.main_window import DEFAULT_SIZE
    from mnist_pad.gui.train.name_label import NameLabel

    if data_env:
        monkeypatch.setenv("MNIST_PAD_DATA", str(sample_path))  # "from $MNIST_PAD_DATA"
    else:
        monkeypatch.delenv("MNIST_PAD_DATA", raising=False)  # "MNIST from Keras", "$MNIST_PAD_DATA unset"
    tab = TrainTab(settings=settings)  # and "MNIST only", "digits only"
    qtbot.addWidget(tab)
    tab.resize(DEFAULT_SIZE.width(), DEFAULT_SIZE.height() - 70)  # less the menu, tab and status bars
    tab.show()
    qtbot.waitExposed(tab)

    def shown_lines(label: NameLabel) -> list[str]:
        document = QTextDocument()
        document.setHtml(label.text())
        return document.toPlainText().split("\n")

    name_labels = tab.form.findChildren(NameLabel)
    assert len(name_labels) == 3
    for label in name_labels:
        assert shown_lines(label) == list(label.lines()), "a caption was elided at the default size"
        name, detail = label.lines()
        width = label.contentsRect().width()
        assert label.fontMetrics().horizontalAdvance(name) <= width
        assert QFontMetrics(label.detail_font()).horizontalAdvance(detail) <= width
        assert label.height() >= label.sizeHint().height(), "the grey line's tails are cut"
    for widget in [*tab.form.findChildren(QLabel), *tab.form.findChildren(QAbstractButton)]:
        if widget.isVisible() and not isinstance(widget, NameLabel):
            hint = widget.sizeHint()
            assert widget.width() >= hint.width() and widget.height() >= hint.height(), widget.text()

    form_height = tab.form.height()
    assert form_height >= tab.form.sizeHint().height()
    tab.summary_label.setText("\n".join(f"A long line of the result, number {n}, about the run." for n in range(40)))
    qtbot.wait(50)
    assert tab.form.height() == form_height and tab.summary_area.verticalScrollBar().isVisible()
