"""The Train tab: retrain the network with ``training.fit.train`` and watch it learn.

The fit runs in a child process started by the window's ``JobRunner``; this
tab is one of the runner's clients and shows the progress of whatever job it
runs (a training run, an adaptation), turning its signals into widgets. Per-batch
updates are stored as they arrive and drawn by a short repaint timer, so a fast
GPU sending thousands of batches a second cannot flood the GUI with repaints.
"""

from __future__ import annotations

import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from mnist_pad.gui.dialogs import APP_NAME, show_error
from mnist_pad.gui.jobs import JobRunner
from mnist_pad.gui.train.epoch_table import EpochTable
from mnist_pad.gui.train.settings_form import TrainSettingsForm, row
from mnist_pad.gui.train.training_report import EtaClock
from mnist_pad.model_io import default_model_path
from training.job import format_duration
from training.jobs import TrainJob

if TYPE_CHECKING:
    from mnist_pad.gui.train.curves import TrainingCurves

REPAINT_INTERVAL_MS = 50
SETTINGS_PANEL_WIDTH = 340  # at least: wider where the settings' captions need it (a larger font)


def default_settings() -> QSettings:
    return QSettings(APP_NAME, APP_NAME)


class TrainTab(QWidget):
    # Emitted with the path of a freshly trained .h5 when the user clicks "Use this model".
    use_model_requested = Signal(str)
    # Re-emitted from the worker once the tab has shown them (GUI thread).
    batch_progressed = Signal(object)  # training.job.BatchProgress
    epoch_ended = Signal(object)  # training.job.EpochResult
    training_finished = Signal(object)  # training.job.TrainResult
    training_failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(
        self,
        data_path: str | None = None,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
        runner: JobRunner | None = None,
    ):
        """``runner``: the window's one runner of child-process jobs (default: one of the tab's own)."""
        super().__init__(parent)
        self.runner = runner if runner is not None else JobRunner(self)
        self._planned_epochs = 0
        self._activity = "Training"  # what the running job does, for the status line
        self._eta: EtaClock | None = None
        self._latest_batch = None
        self._batch_dirty = False
        self.last_result = None  # training.job.TrainResult of the last run that finished
        self._model_in_use: str | None = None  # what a finished run is compared with

        self.form = TrainSettingsForm(settings if settings is not None else default_settings(), data_path)
        self._build_widgets()
        self.form.pen_files.rejected.connect(self.show_error)
        self.form.not_digit_files.rejected.connect(self.show_error)
        self._repaint_timer = QTimer(self)
        self._repaint_timer.setInterval(REPAINT_INTERVAL_MS)
        self._repaint_timer.timeout.connect(self._repaint_progress)
        self.runner.started.connect(self._job_started)
        self.runner.status.connect(self._show_status)
        self.runner.batch_progressed.connect(self._on_batch)
        self.runner.epoch_ended.connect(self._on_epoch)
        self.runner.result_ready.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.finished.connect(self._job_finished)
        self.runner.running_changed.connect(self._set_running)
        self._set_running(self.runner.is_running)

    # -- widgets ------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.start_button = QPushButton("Start training")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)

        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.status_label = QLabel("Ready.")
        self.status_label.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.use_button = QPushButton("Use this model")
        self.use_button.setToolTip("Switch the Draw tab to the model this run wrote")
        self.use_button.clicked.connect(self._use_model)
        self.use_button.setEnabled(False)  # until a run has written a model

        self.table = EpochTable()
        self._curves_box = QWidget()  # the curves go in when first needed: see ``curves``
        QVBoxLayout(self._curves_box).setContentsMargins(0, 0, 0, 0)

        # The result (the comparison, a deep path) is read beside the epochs and scrolls when long;
        # the settings keep their height.
        self.form.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.summary_area = QScrollArea()
        self.summary_area.setWidget(self.summary_label)
        self.summary_area.setWidgetResizable(True)
        self.summary_area.setFrameShape(QFrame.Shape.NoFrame)
        # Ignored: it asks for no room of its own, so that the tab fits the window's default size.
        self.summary_area.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.summary_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        left = QVBoxLayout()
        left.addWidget(self.form)
        left.addLayout(row(self.start_button, self.stop_button))
        left.addSpacing(6)
        left.addWidget(self.progress_bar)
        left.addWidget(self.status_label)
        left.addStretch(1)
        left_panel = QWidget()
        left_panel.setLayout(left)
        left_panel.setMinimumWidth(SETTINGS_PANEL_WIDTH)
        left.setContentsMargins(0, 0, 0, 0)

        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self._curves_box, 5)
        right.addWidget(self.table, 2)
        right.addWidget(self.summary_area, 2)
        right.addWidget(self.use_button, 0, Qt.AlignmentFlag.AlignRight)

        layout = QHBoxLayout(self)
        layout.addWidget(left_panel)
        layout.addLayout(right, 1)

    # -- running ------------------------------------------------------------------

    @cached_property
    def curves(self) -> TrainingCurves:
        """Loss and error rate, built when the tab first shows or a run first reports. pyqtgraph's import
        holds Python's lock for 0.1 s at a time (it builds every Qt class), and its two plots take 30 ms:
        the window's start-up, which builds this tab ahead of time, would stall on both."""
        from mnist_pad.gui.train.curves import TrainingCurves

        curves = TrainingCurves(self._curves_box)
        self._curves_box.layout().addWidget(curves)
        return curves

    def showEvent(self, event):
        self.curves  # noqa: B018 - built now, before this first frame of the tab
        super().showEvent(event)

    @property
    def is_training(self) -> bool:
        """Whether the runner is busy with a job, this tab's or another's."""
        return self.runner.is_running

    @property
    def training_process_id(self) -> int | None:
        """The running job's process id, once it has started."""
        return self.runner.process_id

    def start(self) -> None:
        if self.is_training:
            return
        out_path = self.form.output_path()
        if out_path.resolve() == default_model_path().resolve():
            self.show_error("That is the model shipped with mnist-pad; please save to another file.")
            return
        self.runner.run(TrainJob(data_path=self.form.data_path, out_path=str(out_path), config=self.form.config(),
                                 compare_with=self._model_in_use))

    def set_model_in_use(self, path: str | None) -> None:
        """The model serving the Draw tab: a finished run says how the new one compares with it."""
        self._model_in_use = path

    def stop(self) -> None:
        """Stop after the current batch; the best model written so far stays."""
        if self.is_training:
            self.runner.stop()
            self.stop_button.setEnabled(False)
            self._show_status("Stopping after this batch…")

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """End any job and wait for it; see ``JobRunner.shutdown``."""
        return self.runner.shutdown(timeout_ms)

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.form.setEnabled(not running)
        if running:
            self._repaint_timer.start()
        else:
            self._repaint_timer.stop()
        self.running_changed.emit(running)

    def _clear_results(self, epochs: int) -> None:
        self.last_result = None
        self._planned_epochs = epochs
        self._eta = EtaClock(epochs)
        self._latest_batch = None
        self._batch_dirty = False
        self.table.clear_epochs()
        self.curves.clear(epochs)
        self.progress_bar.setRange(0, 0)  # busy until the first batch says how many there are
        self.progress_bar.setFormat("")
        self.summary_label.clear()
        self.use_button.setEnabled(False)

    # -- the runner's signals (GUI thread) ----------------------------------------

    @Slot(object)
    def _job_started(self, job) -> None:
        self._activity = job.activity
        self._clear_results(job.epochs)

    @Slot(str)
    def _show_status(self, text: str) -> None:
        self.status_label.setText(text)

    @Slot(object)
    def _on_batch(self, progress) -> None:
        if self._latest_batch is None:
            self._show_status(f"{self._activity}…")
        self._latest_batch = progress
        self._batch_dirty = True
        self.curves.add_batch(progress)
        self.batch_progressed.emit(progress)

    @Slot()
    def _repaint_progress(self) -> None:
        self.curves.refresh()
        if not self._batch_dirty:
            return
        self._batch_dirty = False
        p = self._latest_batch
        total = self._planned_epochs * p.batches_per_epoch
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(p.epoch * p.batches_per_epoch + p.batch)
        epoch = "Clean-finish epoch" if p.clean_finish else "Epoch"  # the clean finish is counted: say so
        self.progress_bar.setFormat(
            f"{epoch} {p.epoch + 1}/{self._planned_epochs} · batch {p.batch}/{p.batches_per_epoch}"
        )
        left = self._eta.seconds_left(p, time.monotonic())
        if self.stop_button.isEnabled():  # not while "Stopping…" is shown
            pace = "estimating time left…" if left is None else f"about {format_duration(left)} left"
            self._show_status(f"{self._activity} · loss {p.loss:.4f} · acc {p.acc:.4f} · {pace}")

    @Slot(object)
    def _on_epoch(self, result) -> None:
        self.table.add_epoch(result)
        self.curves.add_epoch(result)
        self.curves.refresh()
        self.epoch_ended.emit(result)

    @Slot(object)
    def _on_finished(self, result) -> None:
        self.last_result = result
        self._repaint_progress()
        if self._latest_batch is None:
            self.progress_bar.setRange(0, 1)
        if not result.cancelled:  # early stopping also means "complete"
            self.progress_bar.setValue(self.progress_bar.maximum())
        self.progress_bar.setFormat(result.outcome)
        self._show_status("")
        self.summary_label.setText(result.summary(self._planned_epochs))

    @Slot(str)
    def _on_failed(self, sentence: str) -> None:
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Failed")
        self._show_status(f"{self._activity} did not run to the end; earlier model files are untouched.")
        if not self.runner.closing:
            self.show_error(sentence)
        self.training_failed.emit(sentence)

    @Slot(object, object)
    def _job_finished(self, job, result) -> None:
        self.curves.refresh()
        # Announce the result only once the job's process has exited.
        if result is not None:
            self.use_button.setEnabled(result.checkpoint_written and Path(result.out_path).is_file())
            self.training_finished.emit(result)

    def _use_model(self) -> None:
        if self.last_result is not None and self.last_result.checkpoint_written:
            self.use_model_requested.emit(str(self.last_result.out_path))

    def show_error(self, text: str) -> None:
        """One sentence in a modal box; tests replace this to read the text."""
        show_error(self, text)
