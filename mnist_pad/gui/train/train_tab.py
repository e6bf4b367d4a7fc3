"""The Train tab: retrain the network with ``training.fit.train`` and watch it learn.

The fit runs in a child process started by the window's ``JobRunner``; this
tab is one of the runner's clients and shows the progress of whatever job it
runs (a training run, an adaptation), turning its signals into widgets. Per-batch
updates are stored as they arrive and drawn by a short repaint timer, so a fast
GPU sending thousands of batches a second cannot flood the GUI with repaints.
"""

from __future__ import annotations

import html
import os
import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mnist_pad.gui.dialogs import APP_NAME, show_error
from mnist_pad.gui.jobs import JobRunner
from mnist_pad.gui.train.curves import TrainingCurves
from mnist_pad.gui.train.data_source import describe_data_source
from mnist_pad.gui.train.epoch_table import EpochTable
from mnist_pad.gui.train.pen_files import PenFilesChooser
from mnist_pad.gui.train.training_report import EtaClock
from mnist_pad.model_io import default_model_path
from mnist_pad.user_data import models_directory, new_model_path
from training.data import DATA_ENV_VAR
from training.job import TrainConfig, format_duration
from training.jobs import TrainJob

REPAINT_INTERVAL_MS = 50
SETTINGS_GROUP = "train"
SETTINGS_PANEL_WIDTH = 340
DATA_NAME_WIDTH = 150  # pixels; longer file names are elided in the middle


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
    data_path_changed = Signal(object)  # the MNIST the next run uses (see data_path)

    def __init__(
        self,
        data_path: str | None = None,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
        runner: JobRunner | None = None,
    ):
        """``runner``: the window's one runner of child-process jobs (default: one of the tab's own)."""
        super().__init__(parent)
        self.command_line_data = data_path
        self.settings = settings if settings is not None else default_settings()
        self.runner = runner if runner is not None else JobRunner(self)
        self._planned_epochs = 0
        self._activity = "Training"  # what the running job does, for the status line
        self._eta: EtaClock | None = None
        self._latest_batch = None
        self._batch_dirty = False
        self.data_source_text = ""  # one line: which data the next run uses, and why
        self.last_result = None  # training.job.TrainResult of the last run that finished

        self._build_widgets()
        self._load_settings()
        for spin in (self.samples_spin, self.epochs_spin, self.batch_spin):
            spin.valueChanged.connect(self.save_settings)
        self.augment_check.toggled.connect(self.save_settings)
        self.pen_files.changed.connect(self.save_settings)
        self.pen_files.rejected.connect(self.show_error)
        self.output_edit.textChanged.connect(self.save_settings)
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
        self.data_label = QLabel()  # two lines: the file, then where it was chosen
        self.data_label.setTextFormat(Qt.TextFormat.RichText)
        self.data_button = QPushButton("Choose")
        data_menu = QMenu(self.data_button)
        data_menu.addAction("MNIST .npz file…", self.choose_data_file)
        data_menu.addAction("Folder of IDX files…", self.choose_data_folder)
        data_menu.addSeparator()
        self.default_data_action = data_menu.addAction(
            "Use the default source", lambda: self.set_data_path(None)
        )
        self.data_button.setMenu(data_menu)

        self.samples_spin = QSpinBox()
        self.samples_spin.setRange(0, 10_000_000)
        self.samples_spin.setSingleStep(1000)
        self.samples_spin.setSpecialValueText("all")
        self.samples_spin.setToolTip("Train on the first N training images only (a quicker, rougher run).")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 1000)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 100_000)
        self.augment_check = QCheckBox("Augment: random warps, stroke widths")
        self.augment_check.setToolTip(
            "Thin or thicken the strokes and rotate, slant, squash and shift every training image\n"
            "a little, differently each epoch:\n"
            "better on real handwriting, a little slower to learn."
        )
        self.pen_files = PenFilesChooser()
        self.output_edit = QLineEdit()
        self.output_edit.setPlaceholderText("a new file each run")
        self.output_edit.setToolTip(f"Empty: a new time-stamped file in {models_directory()}")
        self.output_edit.setClearButtonEnabled(True)
        output_button = QToolButton()
        output_button.setText("…")
        output_button.setToolTip("Choose the output file")
        output_button.clicked.connect(self.choose_output)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Data", _row(self.data_label, self.data_button))
        form.addRow("Pen digits", self.pen_files)
        form.addRow("", self.pen_files.repeat_spin)
        form.addRow("Training images", self.samples_spin)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow(self.augment_check)
        form.addRow("Save to", _row(self.output_edit, output_button))
        self.settings_box = QGroupBox("Settings")
        self.settings_box.setLayout(form)

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

        self.table = EpochTable()
        self.curves = TrainingCurves(self)

        left = QVBoxLayout()
        left.addWidget(self.settings_box)
        left.addLayout(_row(self.start_button, self.stop_button))
        left.addSpacing(6)
        left.addWidget(self.progress_bar)
        left.addWidget(self.status_label)
        left.addSpacing(6)
        left.addWidget(self.summary_label)
        left.addWidget(self.use_button)
        left.addStretch(1)
        left_panel = QWidget()
        left_panel.setLayout(left)
        left_panel.setFixedWidth(SETTINGS_PANEL_WIDTH)
        left.setContentsMargins(0, 0, 0, 0)

        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.curves, 5)
        right.addWidget(self.table, 3)

        layout = QHBoxLayout(self)
        layout.addWidget(left_panel)
        layout.addLayout(right, 1)

    # -- settings -----------------------------------------------------------------

    def _load_settings(self) -> None:
        s = self.settings
        s.beginGroup(SETTINGS_GROUP)
        picked = s.value("data_path", "", type=str)
        self.samples_spin.setValue(s.value("train_samples", 0, type=int))
        self.epochs_spin.setValue(s.value("epochs", 5, type=int))
        self.batch_spin.setValue(s.value("batch_size", 200, type=int))
        self.augment_check.setChecked(s.value("augment", False, type=bool))
        self.output_edit.setText(s.value("output_path", "", type=str))
        pen_paths = s.value("pen_files", [], type=list)
        self.pen_files.repeat_spin.setValue(s.value("pen_repeat", TrainConfig.pen_repeat, type=int))
        s.endGroup()
        # A remembered file that has gone would only fail the next run.
        self.pen_files.set_paths([p for p in pen_paths if Path(p).is_file()])
        # --data on the command line is this run's explicit choice (the remembered
        # pick stays for later runs); a pick that no longer exists would only fail.
        keep = picked and not self.command_line_data and Path(picked).exists()
        self._use_data_path(picked if keep else None)

    def save_settings(self) -> None:
        s = self.settings
        s.beginGroup(SETTINGS_GROUP)
        s.setValue("train_samples", self.samples_spin.value())
        s.setValue("epochs", self.epochs_spin.value())
        s.setValue("batch_size", self.batch_spin.value())
        s.setValue("augment", self.augment_check.isChecked())
        s.setValue("output_path", self.output_edit.text().strip())
        s.setValue("pen_files", self.pen_files.paths())
        s.setValue("pen_repeat", self.pen_files.repeat_spin.value())
        s.endGroup()

    def set_data_path(self, path: str | None) -> None:
        """Train on ``path`` (an .npz or IDX folder) from now on; None: the default source."""
        self._use_data_path(path)
        self.settings.setValue(f"{SETTINGS_GROUP}/data_path", path or "")

    def _use_data_path(self, picked: str | None) -> None:
        self._picked_data = picked or None
        source = describe_data_source(self._picked_data, self.command_line_data)
        self._data_path = source.path
        self.data_source_text = source.line
        width = self.data_label.fontMetrics()
        name = width.elidedText(source.name, Qt.TextElideMode.ElideMiddle, DATA_NAME_WIDTH)
        origin = f"<small style='color:#777'>{html.escape(source.origin)}</small>"
        self.data_label.setText(f"{html.escape(name)}<br>{origin}")
        self.data_label.setToolTip(source.path or os.environ.get(DATA_ENV_VAR) or source.line)
        self.default_data_action.setEnabled(self._picked_data is not None)
        self.data_path_changed.emit(self._data_path)

    def choose_data_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "MNIST data", self._data_dir(), "MNIST (*.npz)")
        if path:
            self.set_data_path(path)

    def choose_data_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, "Folder with the four MNIST IDX files", self._data_dir()
        )
        if path:
            self.set_data_path(path)

    def _data_dir(self) -> str:
        return str(Path(self._data_path).parent) if self._data_path else ""

    def choose_output(self) -> None:
        start = self.output_edit.text().strip() or str(models_directory())
        path, _ = QFileDialog.getSaveFileName(self, "Save the trained model as", start, "Keras HDF5 (*.h5)")
        if path:
            self.output_edit.setText(path if path.endswith(".h5") else f"{path}.h5")

    def output_path(self) -> Path:
        text = self.output_edit.text().strip()
        return Path(text).expanduser() if text else new_model_path()

    @property
    def data_path(self) -> str | None:
        """The MNIST the next run uses, for ``load_mnist``; None: ``$MNIST_PAD_DATA`` or Keras' download."""
        return self._data_path

    # -- running ------------------------------------------------------------------

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
        out_path = self.output_path()
        if out_path.resolve() == default_model_path().resolve():
            self.show_error("That is the model shipped with mnist-pad; please save to another file.")
            return
        config = TrainConfig(
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            augment=self.augment_check.isChecked(),
            train_samples=self.samples_spin.value() or None,
            pen_files=tuple(self.pen_files.paths()),
            pen_repeat=self.pen_files.repeat_spin.value(),
        )
        self.runner.run(TrainJob(data_path=self._data_path, out_path=str(out_path), config=config))

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
        self.settings_box.setEnabled(not running)
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
        self.progress_bar.setFormat(
            f"Epoch {p.epoch + 1}/{self._planned_epochs} · batch {p.batch}/{p.batches_per_epoch}"
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


def _row(*widgets) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget)
    return row
