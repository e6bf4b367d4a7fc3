"""The Train tab's settings: the data, the pen-digit files, the run's size, and where the model goes.

Every choice is remembered in ``QSettings`` as it is made. The data line says
which MNIST the next run uses and why (``data_source``); ``--data`` on the command
line wins over the remembered pick for this run only.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from mnist_pad.gui.train.data_source import describe_data_source
from mnist_pad.gui.train.name_label import NameLabel
from mnist_pad.gui.train.pen_files import NOT_DIGITS, PenFilesChooser
from mnist_pad.user_data import models_directory, new_model_path
from training.adapt_settings import PEN_DIGITS_ENV_VAR
from training.data import DATA_ENV_VAR
from training.job import TrainConfig
from training.recipe import shipped_recipe

SETTINGS_GROUP = "train"


class TrainSettingsForm(QGroupBox):
    data_path_changed = Signal(object)  # the MNIST the next run uses (see data_path)

    def __init__(self, settings: QSettings, command_line_data: str | None, parent: QWidget | None = None):
        super().__init__("Settings", parent)
        self.settings = settings
        # Unset choices follow the shipped model's recipe: the data at hand then makes a model like it.
        self.recipe = shipped_recipe()
        self.command_line_data = command_line_data
        self.data_source_text = ""  # one line: which data the next run uses, and why
        self._build_widgets()
        self._load_settings()
        for spin in (self.samples_spin, self.epochs_spin, self.batch_spin, self.repeat_spin, self.made_up_spin):
            spin.valueChanged.connect(self.save_settings)
        for check in (self.augment_check, self.styles_check, self.start_check):
            check.toggled.connect(self.save_settings)
        self.pen_files.changed.connect(self.save_settings)
        self.not_digit_files.changed.connect(self.save_settings)
        self.output_edit.textChanged.connect(self.save_settings)

    def _build_widgets(self) -> None:
        self.data_label = NameLabel()  # the file, then where it was chosen
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
        self.epochs_spin.setToolTip("Early stopping may end them sooner; with Augment, the clean finish follows them.")
        # The clean finish adds epochs to the run: said beside the epochs asked for, so that the count agrees.
        finish = self.recipe.clean_finish_epochs
        self.clean_finish_label = QLabel(f"+ {finish} clean-finish epoch{'s' if finish != 1 else ''}")
        self.clean_finish_label.setToolTip(
            f"After the augmented epochs, training goes on from the best of them for "
            f"{_epochs(finish)} on undistorted drawings, as the shipped model was made."
        )
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 100_000)
        self.augment_check = QCheckBox("Augment: random warps, stroke widths")
        self.augment_check.setToolTip(
            "Thin or thicken the strokes and rotate, slant, squash and shift every training image\n"
            "a little, differently each epoch:\n"
            "better on real handwriting, a little slower to learn."
            + (f"\nAs the shipped model was made, training then ends with {_epochs(self.recipe.clean_finish_epochs)} "
               "on undistorted drawings." if self.recipe.clean_finish_epochs else "")
        )
        self.pen_files = PenFilesChooser()
        self.repeat_spin = QSpinBox()
        self.repeat_spin.setRange(1, 20)
        self.repeat_spin.setPrefix("each digit ×")
        self.repeat_spin.setSuffix(" an epoch")
        self.repeat_spin.setToolTip(
            "Each pen digit is seen this many times an epoch (drawn anew each time with Augment)."
        )
        self.styles_check = QCheckBox("Add the world's digit styles")
        self.styles_check.setToolTip(
            "Each pen digit also joins once redrawn in a way people elsewhere write it, from its own\n"
            "strokes: zero slashed, phi-like or dotted, flagged one with or without a foot, looped two,\n"
            "open or closed four, five with its bar last, crossed seven, straight or curled nine."
        )
        self.pen_files.changed.connect(self._enable_pen_options)
        self.augment_check.toggled.connect(self._show_clean_finish)
        self.not_digit_files = PenFilesChooser(NOT_DIGITS)
        self.not_digit_files.setToolTip("Drawings that are not digits (letters, say), learnt with no digit as "
                                        "their answer, so that the app can say when a drawing is not a digit.")
        self.made_up_spin = QSpinBox()
        self.made_up_spin.setRange(0, 100_000)
        self.made_up_spin.setSingleStep(1000)
        self.made_up_spin.setSpecialValueText("no made-up drawings")
        self.made_up_spin.setSuffix(" made-up drawings")
        self.made_up_spin.setToolTip("Scribbles, shapes, faces, dashes and crossed-out digits, made up anew,\n"
                                     "learnt as not digits beside the files above.")
        self.start_check = QCheckBox("Start from the MNIST-trained network")
        self.start_check.setToolTip(
            f"Fine-tune {Path(self.recipe.init_model).name if self.recipe.init_model else 'it'} at a learning "
            f"rate of {self.recipe.learning_rate:g} instead of training a fresh network:\nfaster, and as the "
            "shipped model was made."
        )
        self.start_check.setVisible(self.recipe.init_model is not None)
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
        form.addRow("Data", row(self.data_label, self.data_button))
        form.addRow("Pen digits", self.pen_files)
        form.addRow("", self.repeat_spin)
        form.addRow("", self.styles_check)
        form.addRow("Not digits", self.not_digit_files)
        form.addRow("", self.made_up_spin)
        form.addRow("Training images", self.samples_spin)
        form.addRow("Epochs", row(self.epochs_spin, self.clean_finish_label))
        form.addRow("Batch size", self.batch_spin)
        form.addRow(self.augment_check)
        form.addRow(self.start_check)
        form.addRow("Save to", row(self.output_edit, output_button))
        self.setLayout(form)

    def _load_settings(self) -> None:
        s = self.settings
        s.beginGroup(SETTINGS_GROUP)
        picked = s.value("data_path", "", type=str)
        recipe = self.recipe
        self.samples_spin.setValue(s.value("train_samples", 0, type=int))
        self.epochs_spin.setValue(s.value("epochs", recipe.epochs, type=int))
        self.batch_spin.setValue(s.value("batch_size", recipe.batch_size, type=int))
        self.augment_check.setChecked(s.value("augment", recipe.augment, type=bool))
        self.output_edit.setText(s.value("output_path", "", type=str))
        pen_paths = s.value("pen_files", pen_digits_at_hand(), type=list)
        not_digit_paths = s.value("not_digit_files", [], type=list)
        self.repeat_spin.setValue(s.value("pen_repeat", recipe.pen_repeat, type=int))
        self.styles_check.setChecked(s.value("digit_styles", recipe.digit_styles, type=bool))
        self.made_up_spin.setValue(s.value("made_up_not_digits", recipe.made_up_not_digits, type=int))
        self.start_check.setChecked(
            recipe.init_model is not None and s.value("start_from_recipe", True, type=bool))
        s.endGroup()
        # A remembered file that has gone would only fail the next run.
        self.pen_files.set_paths([p for p in pen_paths if Path(p).is_file()])
        self.not_digit_files.set_paths([p for p in not_digit_paths if Path(p).is_file()])
        self._enable_pen_options()
        self._show_clean_finish()
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
        s.setValue("not_digit_files", self.not_digit_files.paths())
        s.setValue("pen_repeat", self.repeat_spin.value())
        s.setValue("digit_styles", self.styles_check.isChecked())
        s.setValue("made_up_not_digits", self.made_up_spin.value())
        s.setValue("start_from_recipe", self.start_check.isChecked())
        s.endGroup()

    def _enable_pen_options(self) -> None:
        has_pen_digits = bool(self.pen_files.paths())
        self.repeat_spin.setEnabled(has_pen_digits)
        self.styles_check.setEnabled(has_pen_digits)

    def _show_clean_finish(self) -> None:
        self.clean_finish_label.setVisible(self.config().clean_finish_epochs > 0)

    def set_data_path(self, path: str | None) -> None:
        """Train on ``path`` (an .npz or IDX folder) from now on; None: the default source."""
        self._use_data_path(path)
        self.settings.setValue(f"{SETTINGS_GROUP}/data_path", path or "")

    def _use_data_path(self, picked: str | None) -> None:
        self._picked_data = picked or None
        source = describe_data_source(self._picked_data, self.command_line_data)
        self._data_path = source.path
        self.data_source_text = source.line
        self.data_label.set_lines(source.name, source.origin)
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

    def config(self) -> TrainConfig:
        """The run these settings describe."""
        has_pen_digits = bool(self.pen_files.paths())
        start = self.recipe if self.start_check.isChecked() else TrainConfig()
        return TrainConfig(
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            augment=self.augment_check.isChecked(),
            train_samples=self.samples_spin.value() or None,
            pen_files=tuple(self.pen_files.paths()),
            pen_repeat=self.repeat_spin.value(),
            digit_styles=has_pen_digits and self.styles_check.isChecked(),
            not_digit_files=tuple(self.not_digit_files.paths()),
            made_up_not_digits=self.made_up_spin.value(),
            not_digit_weight=start.not_digit_weight,
            mnist_weight=start.mnist_weight,
            init_model=start.init_model,
            learning_rate=start.learning_rate,
            patience=start.patience,
            average_weights=start.average_weights,
            # The clean finish ends augmented training: without augmentation there is nothing to finish.
            clean_finish_epochs=self.recipe.clean_finish_epochs if self.augment_check.isChecked() else 0,
        )


def _epochs(count: int) -> str:
    return "one epoch" if count == 1 else f"{count} epochs"


def pen_digits_at_hand() -> list[str]:
    """The pen-digits file that ``$MNIST_PAD_PEN_DIGITS`` names, when there is one: the recipe's own data."""
    path = os.environ.get(PEN_DIGITS_ENV_VAR)
    return [path] if path and Path(path).is_file() else []


def row(first, *buttons) -> QHBoxLayout:
    """``first`` takes the width that ``buttons`` leave."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(first, 1)
    for button in buttons:
        row.addWidget(button)
    return row
