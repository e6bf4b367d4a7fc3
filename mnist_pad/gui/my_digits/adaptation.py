"""The window's "Adapt to my handwriting" and "Back to <previous model>" actions.

Adapting is a job (``training.jobs.AdaptJob``) run by the window's ``JobRunner``,
whose progress and Stop the Train tab shows like any job's. The adapted model is
saved beside the other user models (``mnist_pad.user_data``). This object reads
the model and the data to replay from the ``AppState`` and says what should
happen next through signals, which the window turns into tabs, dialogs and a
model load. The user's digits come from a callable returning ``PenDigits`` in
pad units (the my-digits store's), read each time the action is shown or used.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction

from mnist_pad.gui.app_state import AppState
from mnist_pad.gui.jobs import JobRunner
from mnist_pad.user_data import new_model_path
from training.adapt_settings import MIN_DIGITS, PEN_DIGITS_ENV_VAR, too_few_digits
from training.jobs import AdaptJob

ADAPT_TEXT = "Adapt to my handwriting"
ADAPTED_NAME = "mnist_adapted"  # file names: mnist_adapted_<time>.h5


class Adaptation(QObject):
    refused = Signal(str)  # why adapting cannot start now: one sentence
    job_starting = Signal()  # the job is about to run: its progress is worth showing
    model_requested = Signal(str)  # a model to switch to: the adapted one, or the one before it
    adapted = Signal(str)  # a sentence on what was adapted and how to go back

    def __init__(self, state: AppState, runner: JobRunner, digits_source: Callable[[], object], parent=None):
        super().__init__(parent)
        self._state = state
        self._runner = runner
        self._digits_source = digits_source
        self._job: AdaptJob | None = None  # the one this object started, while it runs
        self._current_model: str | None = state.model_path
        self.previous_model: str | None = None
        self.adapt_action = QAction(ADAPT_TEXT, self)
        self.adapt_action.triggered.connect(self.start)
        self.back_action = QAction("Back to the previous model", self)
        self.back_action.setEnabled(False)
        self.back_action.triggered.connect(self.go_back)
        state.model_changed.connect(self._model_changed)
        runner.finished.connect(self._job_finished)
        runner.running_changed.connect(self.refresh)
        self.refresh()

    def _digits_and_refusal(self):
        """(the saved digits, why adapting cannot start now or None)."""
        digits = self._digits_source()
        if self._runner.is_running:
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
            self.refused.emit(refusal)
            return
        self._job = AdaptJob(
            base_model_path=self._current_model,
            out_path=str(new_model_path(name=ADAPTED_NAME)),
            digits=digits,
            data_path=self._state.data_path,
            pen_digits_path=self._replay_pen_digits(),
        )
        self.job_starting.emit()
        self._runner.run(self._job)

    def _replay_pen_digits(self) -> str | None:
        """Other writers' digits to replay, so that they lose nothing: the first chosen
        pen-digits file, else ``$MNIST_PAD_PEN_DIGITS``; without any, MNIST alone is replayed."""
        chosen = self._state.pen_files
        return chosen[0] if chosen else os.environ.get(PEN_DIGITS_ENV_VAR) or None

    @Slot(object, object)
    def _job_finished(self, job, result) -> None:
        if job is not self._job:
            return  # a training run of the Train tab's
        self._job = None
        if result is not None and result.checkpoint_written:
            base = Path(self._current_model).name
            self.model_requested.emit(str(result.out_path))
            self.adapted.emit(
                f"Now reading your handwriting with {result.out_path.name}, adapted to {result.digits} of your "
                f"digits; File ▸ Back to {base} undoes it."
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
            self.model_requested.emit(self.previous_model)
