"""A file's name over a small grey line saying more: the Train tab's data and pen-file choices."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

DETAIL_SCALE = 0.85  # the grey line's font, of the label's


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
        width = max(1, self.contentsRect().width())
        # Each line is measured in the font it is drawn in: the grey line's smaller one fits more.
        detail_font = self.detail_font()
        name = self.fontMetrics().elidedText(self._name, Qt.TextElideMode.ElideMiddle, width)
        detail = QFontMetrics(detail_font).elidedText(self._detail, Qt.TextElideMode.ElideMiddle, width)
        self.setText(f"{html.escape(name)}<br><span style='font-size:{detail_font.pointSizeF():g}pt; color:#777'>"
                     f"{html.escape(detail)}</span>")

    def detail_font(self) -> QFont:
        """The grey line's font."""
        font = QFont(self.font())
        font.setPointSizeF(self.font().pointSizeF() * DETAIL_SCALE)
        return font
