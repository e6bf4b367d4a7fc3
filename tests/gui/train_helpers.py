"""Helpers of the Train tab's tests: settings, runs that fail, processes and partial files."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt

from mnist_pad.gui.train.train_tab import TrainTab

TRAINING_TIMEOUT_MS = 120_000  # a whole short run, TensorFlow's first import included
FAIL_TIMEOUT_MS = 60_000  # errors come before training, but may wait for TensorFlow's import


def configure(tab: TrainTab, out_path: Path, epochs: int, train_samples: int, batch_size: int) -> None:
    tab.form.output_edit.setText(str(out_path))
    tab.form.epochs_spin.setValue(epochs)
    tab.form.samples_spin.setValue(train_samples)
    tab.form.batch_spin.setValue(batch_size)
    tab.form.augment_check.setChecked(False)
    # A plain short run from a fresh network: the recipe's extras would only slow the tests.
    tab.form.made_up_spin.setValue(0)
    tab.form.styles_check.setChecked(False)
    tab.form.start_check.setChecked(False)


def start_and_wait_for_failure(qtbot, tab) -> str:
    with qtbot.waitSignal(tab.training_failed, timeout=FAIL_TIMEOUT_MS) as failed:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.is_training, timeout=FAIL_TIMEOUT_MS)
    assert tab.start_button.isEnabled() and not tab.stop_button.isEnabled()
    assert tab.errors == [failed.args[0]], "the error must reach the dialog exactly once"
    sentence = failed.args[0]
    assert "\n" not in sentence and sentence.endswith(".")
    return sentence


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def partial_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if ".partial" in p.name) if directory.exists() else []
