"""The Train tab's choice of pen-written files to train on beside MNIST: digits, and drawings that are not.

A file is checked when it is added, so a bad one gets its sentence at once
rather than seconds into a run; the training process checks again when it reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QWidget,
)

from mnist_pad.gui.train.name_label import NameLabel
from mnist_pad.pen_digits import PenDigitsError, load_not_digits, load_pen_digits

NONE_CHOSEN = "none"


@dataclass(frozen=True)
class PenFileKind:
    count: Callable[[str], int]  # how many drawings a file holds (raises PenDigitsError)
    add_text: str
    clear_text: str
    dialog_title: str
    noun: str  # what the file holds, counted: "digits"
    without: str  # the detail line when none is chosen
    without_tip: str


PEN_DIGITS = PenFileKind(
    lambda path: len(load_pen_digits(path)), "Add a pen-digits file…", "Train on MNIST only",
    "Pen-written digits", "digits", "MNIST only", "No pen-digit files: the network learns from MNIST alone.",
)
NOT_DIGITS = PenFileKind(
    lambda path: len(load_not_digits(path)[0]), "Add a file of drawings that are not digits…",
    "Learn no drawings that are not digits", "Drawings that are not digits (labels -1)", "drawings",
    "digits only", "No not-a-digit files: the network only ever sees digits, and is sure of everything.",
)


class PenFilesChooser(QWidget):
    """A list of pen files of one ``PenFileKind``, each checked as it is added."""

    changed = Signal()
    rejected = Signal(str)  # one sentence: a file that cannot be used

    def __init__(self, kind: PenFileKind = PEN_DIGITS, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self._paths: list[str] = []
        self._counts: dict[str, int] = {}
        self.label = NameLabel()
        self.button = QPushButton("Choose")
        menu = QMenu(self.button)
        menu.addAction(kind.add_text, self.choose_file)
        self.clear_action = menu.addAction(kind.clear_text, lambda: self.set_paths([]))
        self.button.setMenu(menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self._show()

    def paths(self) -> list[str]:
        return list(self._paths)

    def set_paths(self, paths: list[str]) -> None:
        """Use these files (each checked; the first bad one is reported and left out)."""
        self._paths, self._counts = [], {}
        for path in paths:
            self.add(path)
        self._show()
        self.changed.emit()

    def add(self, path: str) -> bool:
        if path in self._paths:
            return True
        try:
            count = self.kind.count(path)
        except PenDigitsError as error:
            self.rejected.emit(str(error))
            return False
        self._paths.append(path)
        self._counts[path] = count
        self._show()
        self.changed.emit()
        return True

    def choose_file(self) -> None:
        start = str(Path(self._paths[-1]).parent) if self._paths else ""
        path, _ = QFileDialog.getOpenFileName(self, self.kind.dialog_title, start, "Pen files (*.npz)")
        if path:
            self.add(path)

    def _show(self) -> None:
        names = ", ".join(Path(p).name for p in self._paths) or NONE_CHOSEN
        drawings = sum(self._counts.values())
        detail = f"{drawings:,} {self.kind.noun}" if self._paths else self.kind.without
        self.label.set_lines(names, detail)
        self.label.setToolTip("\n".join(self._paths) or self.kind.without_tip)
        self.clear_action.setEnabled(bool(self._paths))
