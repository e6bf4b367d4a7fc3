"""The Train tab's choice of pen-written digit files to train on beside MNIST.

A file is checked when it is added, so a bad one gets its sentence at once
rather than seconds into a run; the training process checks again when it reads it.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QWidget,
)

from mnist_pad.pen_digits import PenDigitsError, load_pen_digits

NONE_CHOSEN = "none"
NAME_WIDTH = 150  # pixels; longer lists are elided


class PenFilesChooser(QWidget):
    """A list of pen-digit files; ``repeat_spin``, how often each digit is seen an epoch, is placed by the tab."""

    changed = Signal()
    rejected = Signal(str)  # one sentence: a file that cannot be used

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._paths: list[str] = []
        self._counts: dict[str, int] = {}
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.button = QPushButton("Choose")
        menu = QMenu(self.button)
        menu.addAction("Add a pen-digits file…", self.choose_file)
        self.clear_action = menu.addAction("Train on MNIST only", lambda: self.set_paths([]))
        self.button.setMenu(menu)
        self.repeat_spin = QSpinBox()
        self.repeat_spin.setRange(1, 20)
        self.repeat_spin.setPrefix("each digit ×")
        self.repeat_spin.setSuffix(" an epoch")
        self.repeat_spin.setToolTip(
            "Each pen digit is seen this many times an epoch (drawn anew each time with Augment)."
        )
        self.repeat_spin.valueChanged.connect(self.changed)
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
            digits = load_pen_digits(path)
        except PenDigitsError as error:
            self.rejected.emit(str(error))
            return False
        self._paths.append(path)
        self._counts[path] = len(digits)
        self._show()
        self.changed.emit()
        return True

    def choose_file(self) -> None:
        start = str(Path(self._paths[-1]).parent) if self._paths else ""
        path, _ = QFileDialog.getOpenFileName(self, "Pen-written digits", start, "Pen digits (*.npz)")
        if path:
            self.add(path)

    def _show(self) -> None:
        names = ", ".join(Path(p).name for p in self._paths) or NONE_CHOSEN
        name = self.label.fontMetrics().elidedText(names, Qt.TextElideMode.ElideMiddle, NAME_WIDTH)
        digits = sum(self._counts.values())
        detail = f"{digits:,} digits" if self._paths else "MNIST only"
        self.label.setText(f"{html.escape(name)}<br><small style='color:#777'>{html.escape(detail)}</small>")
        self.label.setToolTip("\n".join(self._paths) or "No pen-digit files: the network learns from MNIST alone.")
        self.clear_action.setEnabled(bool(self._paths))
        self.repeat_spin.setEnabled(bool(self._paths))
