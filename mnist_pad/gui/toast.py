"""A short message floating at the bottom of a widget that fades away by itself."""

from __future__ import annotations

from PySide6.QtCore import QEasingCurve, QPropertyAnimation, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsOpacityEffect, QLabel, QWidget

from mnist_pad.gui.style import ACCENT, translucent

SHOWN_MS = 1_800
FADE_MS = 700
BOTTOM_GAP = 18
BACKGROUND = translucent(ACCENT, 235)


class Toast(QLabel):
    """``show_message(text)`` shows it over the bottom of its parent, then it fades out."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # drawing goes on beneath
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("QLabel { color: white; padding: 7px 18px; font-weight: 600; }")
        self._opacity = QGraphicsOpacityEffect(self)
        self.setGraphicsEffect(self._opacity)
        self._fade = QPropertyAnimation(self._opacity, b"opacity", self)
        self._fade.setDuration(FADE_MS)
        self._fade.setStartValue(1.0)
        self._fade.setEndValue(0.0)
        self._fade.setEasingCurve(QEasingCurve.Type.InQuad)
        self._fade.finished.connect(self.hide)
        self._wait = QTimer(self)
        self._wait.setSingleShot(True)
        self._wait.setInterval(SHOWN_MS)
        self._wait.timeout.connect(self._fade.start)
        self.hide()

    def show_message(self, text: str) -> None:
        self._fade.stop()
        self._opacity.setOpacity(1.0)
        self.setText(text)
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self._wait.start()

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BACKGROUND)
        radius = self.height() / 2  # a pill
        painter.drawRoundedRect(QRectF(self.rect()), radius, radius)
        painter.end()
        super().paintEvent(event)  # the text

    def _place(self) -> None:
        parent = self.parentWidget().rect()
        size = self.sizeHint()
        self.setGeometry(QRect((parent.width() - size.width()) // 2, parent.height() - size.height() - BOTTOM_GAP,
                               size.width(), size.height()))
