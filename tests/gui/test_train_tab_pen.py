"""The Train tab with pen-written digits: choosing files, bad files, and a real run that uses them."""

from __future__ import annotations

import numpy as np
from pen_helpers import write_pen_digits
from PySide6.QtCore import Qt
from train_helpers import TRAINING_TIMEOUT_MS, configure, start_and_wait_for_failure

from mnist_pad.gui.train.train_tab import TrainTab
from mnist_pad.pen_digits import load_pen_digits, subset


def small_pen_file(path, pen_digits_path, every=80):
    digits = load_pen_digits(pen_digits_path)
    picked = subset(digits, np.arange(len(digits)) % every == 0)
    return write_pen_digits(path, picked.labels, [picked.strokes(i) for i in range(len(picked))], picked.writers)


def test_a_bad_pen_digits_file_is_one_sentence_and_changes_nothing(qtbot, tab, tmp_path, pen_digits_path):
    good = small_pen_file(tmp_path / "good.npz", pen_digits_path)
    assert tab.form.pen_files.add(str(good))
    stroke = [np.array([[0, 0], [1, 4]], np.float32)]
    bad = write_pen_digits(tmp_path / "bad.npz", [1, 11], [stroke, stroke])
    assert not tab.form.pen_files.add(str(bad))
    assert len(tab.errors) == 1 and str(bad) in tab.errors[0] and "0 to 9" in tab.errors[0]
    assert tab.form.pen_files.paths() == [str(good)]
    assert tab.start_button.isEnabled()


def test_a_run_trains_on_the_chosen_pen_digits(qtbot, tab, tmp_path, pen_digits_path):
    pen_file = small_pen_file(tmp_path / "pen.npz", pen_digits_path)
    pen_count = len(load_pen_digits(pen_file))
    configure(tab, tmp_path / "m.h5", epochs=1, train_samples=400, batch_size=50)
    tab.form.pen_files.add(str(pen_file))
    tab.form.repeat_spin.setValue(2)
    with qtbot.waitSignal(tab.training_finished, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    batches = tab._latest_batch.batches_per_epoch
    # 400 MNIST images and twice the pen digits of the training writers: a tenth
    # of the writers validate, so between 1.5 and 2 times the file joins each epoch.
    assert np.ceil((400 + 1.5 * pen_count) / 50) <= batches <= np.ceil((400 + 2 * pen_count) / 50)
    assert (tmp_path / "m.h5").is_file()


def test_a_pen_file_gone_by_the_start_fails_in_one_sentence(qtbot, tab, tmp_path, pen_digits_path):
    pen_file = small_pen_file(tmp_path / "pen.npz", pen_digits_path)
    configure(tab, tmp_path / "m.h5", epochs=1, train_samples=400, batch_size=50)
    tab.form.pen_files.add(str(pen_file))
    pen_file.unlink()
    sentence = start_and_wait_for_failure(qtbot, tab)
    assert str(pen_file) in sentence
    assert not (tmp_path / "m.h5").exists()


def test_pen_files_and_their_repeat_are_remembered(qtbot, settings, sample_path, tmp_path, pen_digits_path):
    pen_file = small_pen_file(tmp_path / "pen.npz", pen_digits_path)
    first = TrainTab(data_path=str(sample_path), settings=settings)
    qtbot.addWidget(first)
    first.form.pen_files.add(str(pen_file))
    first.form.repeat_spin.setValue(5)
    second = TrainTab(data_path=str(sample_path), settings=settings)
    qtbot.addWidget(second)
    assert second.form.pen_files.paths() == [str(pen_file)]
    assert second.form.repeat_spin.value() == 5


def not_digit_file(path, pen_file):
    """The pen file's drawings, relabelled as not digits (the pen-letters layout)."""
    with np.load(pen_file) as npz:
        arrays = dict(npz)
    arrays["labels"] = np.full(len(arrays["labels"]), -1, np.int8)
    np.savez(path, **arrays)
    return path


def test_drawings_that_are_not_digits_are_added_checked_and_remembered(qtbot, tab, settings, sample_path, tmp_path,
                                                                        pen_digits_path):
    pen_file = small_pen_file(tmp_path / "pen.npz", pen_digits_path)
    assert not tab.form.not_digit_files.add(str(pen_file))  # labels 0-9: not a not-a-digit file
    assert len(tab.errors) == 1 and str(pen_file) in tab.errors[0] and "must be -1" in tab.errors[0]
    assert tab.form.not_digit_files.paths() == [] and tab.start_button.isEnabled()
    others = not_digit_file(tmp_path / "others.npz", pen_file)
    assert tab.form.not_digit_files.add(str(others))
    assert f"{len(load_pen_digits(pen_file)):,} drawings" in tab.form.not_digit_files.label.text()
    assert tab.form.config().not_digit_files == (str(others),)
    again = TrainTab(data_path=str(sample_path), settings=settings)
    qtbot.addWidget(again)
    assert again.form.not_digit_files.paths() == [str(others)]


def test_a_run_learns_the_chosen_drawings_that_are_not_digits(qtbot, tab, tmp_path, pen_digits_path):
    others = not_digit_file(tmp_path / "others.npz", small_pen_file(tmp_path / "pen.npz", pen_digits_path))
    configure(tab, tmp_path / "m.h5", epochs=1, train_samples=400, batch_size=50)
    tab.form.not_digit_files.add(str(others))
    with qtbot.waitSignal(tab.training_finished, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    # Every drawing joins each epoch once, beside the 400 MNIST images.
    drawings = len(np.load(others)["labels"])
    assert tab._latest_batch.batches_per_epoch == np.ceil((400 + drawings) / 50)
    assert (tmp_path / "m.h5").is_file()


def test_a_run_that_learns_what_is_not_a_digit_fits_its_rule_on_its_validation_writers(qtbot, tab, tmp_path,
                                                                                        pen_digits_path):
    from mnist_pad.digit_rule import DigitRule
    from mnist_pad.files import read_card

    configure(tab, tmp_path / "m.h5", epochs=1, train_samples=400, batch_size=50)
    tab.form.pen_files.add(str(small_pen_file(tmp_path / "pen.npz", pen_digits_path, every=20)))
    tab.form.made_up_spin.setValue(100)
    with qtbot.waitSignal(tab.training_finished, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    # Without it, the default rule, made for networks never taught to doubt, would judge this one.
    card = read_card(tmp_path / "m.h5")
    assert DigitRule.for_card(card).from_card
    assert card["not_a_digit"]["fitted_on"].endswith("pen digits of its validation writers, whom it was not trained on")
