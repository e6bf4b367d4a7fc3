"""The window's "Adapt to my handwriting" and "Back to <previous model>" actions.

Adapting runs as a job in the Train tab's training process (``training.adapt_job``),
with that tab's progress and Stop; the adapted model is saved beside the other
user models, and the Draw tab then switches to it. The user's digits come from
a callable returning ``PenDigits`` in pad units (the my-digits store's
``to_pen_digits``), read each time the action is shown or used.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction

from training.adapt_job import (
    MIN_DIGITS,
    PEN_DIGITS_ENV_VAR,
    AdaptJob,
    AdaptResult,
    too_few_digits,
)

ADAPT_TEXT = "Adapt to my handwriting"
ADAPTED_NAME = "mnist_adapted"  # file names: mnist_adapted_<time>.h5
STATUS_MESSAGE_MS = 15_000


class Adaptation(QObject):
    """Owns the two actions; ``window`` is the MainWindow (model_changed, open_model, the tabs)."""

    def __init__(self, window, digits_source: Callable[[], object]):
        super().__init__(window)
        self._window = window
        self._digits_source = digits_source
        self._current_model: str | None = window.current_model_path
        self.previous_model: str | None = None
        self.adapt_action = QAction(ADAPT_TEXT, self)
        self.adapt_action.triggered.connect(self.start)
        self.back_action = QAction("Back to the previous model", self)
        self.back_action.setEnabled(False)
        self.back_action.triggered.connect(self.go_back)
        window.model_changed.connect(self._model_changed)
        window.train_tab.training_finished.connect(self._run_finished)
        window.train_tab.running_changed.connect(self.refresh)
        self.refresh()

    def _digits_and_refusal(self):
        """(the saved digits, why adapting cannot start now or None)."""
        digits = self._digits_source()
        if self._window.train_tab.is_training:
            return digits, "Wait for the run in the Train tab to end, or stop it."
        if self._current_model is None:
            return digits, "There is no model loaded to adapt yet."
        return digits, too_few_digits(len(digits))

    @Slot()
    def refresh(self) -> None:
        """Enable the action, or disable it saying why; call when the digits or the model change."""
        digits, refusal = self._digits_and_refusal()
        count = len(digits)
        enough = too_few_digits(count) is None
        self.adapt_action.setText(f"{ADAPT_TEXT} ({count} digits)" if enough
                                  else f"{ADAPT_TEXT} ({count} of {MIN_DIGITS} digits saved)")
        tip = refusal or f"Fine-tune the current model on your {count} saved digits, in a few seconds."
        self.adapt_action.setEnabled(refusal is None)
        self.adapt_action.setToolTip(tip)
        self.adapt_action.setStatusTip(tip)

    @Slot()
    def start(self) -> None:
        digits, refusal = self._digits_and_refusal()
        if refusal is not None:
            self._window.show_error(refusal)
            return
        from mnist_pad.gui.train.train_tab import models_directory, new_model_path

        job = AdaptJob(
            base_model_path=self._current_model,
            out_path=str(new_model_path(models_directory(), ADAPTED_NAME)),
            digits=digits,
            data_path=self._window.train_tab.data_path,
            pen_digits_path=self._replay_pen_digits(),
        )
        self._window.tabs.setCurrentWidget(self._window.train_tab)
        self._window.train_tab.run_job(job, job.config.epochs)

    def _replay_pen_digits(self) -> str | None:
        """Other writers' digits to replay, so that they lose nothing: the Train tab's first
        pen-digits file, else ``$MNIST_PAD_PEN_DIGITS``; without any, MNIST alone is replayed."""
        chosen = self._window.train_tab.pen_files.paths()
        return chosen[0] if chosen else os.environ.get(PEN_DIGITS_ENV_VAR) or None

    @Slot(object)
    def _run_finished(self, result) -> None:
        if isinstance(result, AdaptResult) and result.checkpoint_written:
            base = Path(self._current_model).name
            self._window.open_model(str(result.out_path))
            self._window.tabs.setCurrentWidget(self._window.draw_tab)
            self._window.statusBar().showMessage(
                f"Now reading your handwriting with {result.out_path.name}, adapted to {result.digits} of your "
                f"digits; File ▸ Back to {base} returns to the model before.",
                STATUS_MESSAGE_MS,
            )

    @Slot(str)
    def _model_changed(self, path: str) -> None:
        if self._current_model is not None and path != self._current_model:
            self.previous_model = self._current_model
            self.back_action.setText(f"Back to {Path(self.previous_model).name}")
            self.back_action.setEnabled(True)
        self._current_model = path
        self.refresh()

    @Slot()
    def go_back(self) -> None:
        if self.previous_model is not None:
            self._window.open_model(self.previous_model)
