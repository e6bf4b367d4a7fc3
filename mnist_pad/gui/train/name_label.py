"""A file's name over a small grey line saying more: the Train tab's data and pen-file choices."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class NameLabel(QLabel):
    """Two lines, each elided in the middle to the width the layout gives the label.

    The width is the layout's to choose (a narrow window, a large font), so the
    eliding happens on every resize rather than once to a guessed number of pixels.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        # Take the width the form row leaves, never ask for the full name's.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("MMMMMM"))
        self._name = ""
        self._detail = ""

    def set_lines(self, name: str, detail: str) -> None:
        self._name, self._detail = name, detail
        self._elide()

    def lines(self) -> tuple[str, str]:
        """What the label holds, before eliding."""
        return self._name, self._detail

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics, width = self.fontMetrics(), max(1, self.contentsRect().width())
        name, detail = (metrics.elidedText(line, Qt.TextElideMode.ElideMiddle, width) for line in self.lines())
        self.setText(f"{html.escape(name)}<br><small style='color:#777'>{html.escape(detail)}</small>")
