"""The Draw tab's pieces: the class bars, the network's 28x28 input, and the pad with its buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QWidget

from mnist_pad.gui.draw.canvas import DrawingCanvas
from mnist_pad.gui.style import ACCENT, BUTTON_STYLE, FRAME

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtGui import QImage

TRACK = QColor(127, 127, 127, 40)
BAR = QColor(127, 127, 127, 110)
PREVIEW_SCALE = 5  # 28 px -> 140 px, nearest neighbour
SIDE_PANEL_WIDTH = 300


class ProbabilityBars(QWidget):
    """Ten horizontal bars, one per digit, the most likely one highlighted; a click names a digit."""

    ROW_HEIGHT = 22
    digit_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._probs: np.ndarray | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(10 * self.ROW_HEIGHT)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click a digit (or press its key) to save your drawing as that digit")

    def sizeHint(self) -> QSize:
        return QSize(SIDE_PANEL_WIDTH, 10 * self.ROW_HEIGHT)

    def set_probabilities(self, probs: np.ndarray | None) -> None:
        self._probs = None if probs is None else _float32_copy(probs)
        self.update()

    def probabilities(self) -> np.ndarray | None:
        return None if self._probs is None else self._probs.copy()

    def mousePressEvent(self, event):
        digit = int(event.position().y() * 10 // max(1, self.height()))
        if event.button() == Qt.MouseButton.LeftButton and 0 <= digit <= 9:
            self.digit_clicked.emit(digit)
            event.accept()
        else:
            super().mousePressEvent(event)

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        faint_text = QColor(text_colour)
        faint_text.setAlphaF(0.55)
        top = None if self._probs is None else int(self._probs.argmax())
        row = self.height() / 10
        label_width, value_width, gap = 18.0, 50.0, 10.0
        track_left = label_width + gap
        track_width = max(1.0, self.width() - track_left - gap - value_width)
        bar_height = min(12.0, row * 0.5)
        base_font = QFont(self.font())
        bold_font = QFont(base_font)
        bold_font.setBold(True)

        for digit in range(10):
            y = digit * row
            probability = 0.0 if self._probs is None else float(self._probs[digit])
            is_top = digit == top
            painter.setFont(bold_font if is_top else base_font)
            painter.setPen(text_colour if is_top else faint_text)
            painter.drawText(QRectF(0, y, label_width, row), Qt.AlignmentFlag.AlignCenter, str(digit))

            track = QRectF(track_left, y + (row - bar_height) / 2, track_width, bar_height)
            _fill_rounded(painter, track, TRACK)
            filled_width = track_width * probability
            if filled_width >= 1.0:
                filled = QRectF(track.x(), track.y(), filled_width, bar_height)
                _fill_rounded(painter, filled, ACCENT if is_top else BAR)

            if self._probs is not None:
                painter.setPen(text_colour if is_top else faint_text)
                painter.drawText(
                    QRectF(track.right() + gap, y, value_width, row),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    format_percent(probability),
                )


class NetworkInputView(QWidget):
    """The 28x28 image the network receives, magnified without smoothing."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._image: np.ndarray | None = None
        self._qimage: QImage | None = None
        side = 28 * PREVIEW_SCALE + 2
        self.setFixedSize(side, side)
        self.setToolTip("The 28×28 image the network receives: your drawing, made the way MNIST was made.")

    def set_image(self, image: np.ndarray | None) -> None:
        self._image = None if image is None else _float32_copy(image)
        if self._image is None:
            self._qimage = None
        else:
            import numpy as np
            from PySide6.QtGui import QImage  # here: its enums cost the first paint 1-5 ms

            grey = np.ascontiguousarray(np.clip(self._image * 255 + 0.5, 0, 255).astype(np.uint8))
            self._qimage = QImage(grey.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
        self.update()

    def image(self) -> np.ndarray | None:
        return None if self._image is None else self._image.copy()

    def paintEvent(self, event):
        painter = QPainter(self)
        inner = QRectF(1, 1, self.width() - 2, self.height() - 2)
        # The thin frame, drawn rather than filled: resolving fillRect(rect, QColor) builds QGradient
        # and its 169-member enum, 3 ms before the first paint.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(FRAME)
        painter.drawRect(self.rect())
        painter.fillRect(inner, Qt.GlobalColor.black)
        if self._qimage is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            painter.drawImage(inner, self._qimage)


class PadArea(QWidget):
    """A pad with Clear, Undo and Redo right below it: the largest square that fits, at any window size.

    Both the Draw and the Inside tab show one, each a view of the window's one ``Drawing``.
    """

    GAP = 8

    def __init__(self, canvas: DrawingCanvas, extra_buttons: tuple[QWidget, ...] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.canvas = canvas
        canvas.setParent(self)
        self.clear_button = QPushButton("Clear")
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        for button, tip in (
            (self.clear_button, "Clear the pad (Esc)"),
            (self.undo_button, "Undo the last stroke (Ctrl+Z)"),
            (self.redo_button, "Redo the stroke (Ctrl+Shift+Z)"),
        ):
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys keep going to the pad
            button.setMinimumWidth(84)
            button.setStyleSheet(BUTTON_STYLE)
        stack = canvas.undo_stack
        self.clear_button.clicked.connect(canvas.clear)
        self.undo_button.clicked.connect(stack.undo)
        self.redo_button.clicked.connect(stack.redo)
        stack.canUndoChanged.connect(self.undo_button.setEnabled)
        stack.canRedoChanged.connect(self.redo_button.setEnabled)
        canvas.strokes_changed.connect(lambda: self.clear_button.setEnabled(not canvas.is_empty()))
        self.clear_button.setEnabled(not canvas.is_empty())
        self.undo_button.setEnabled(stack.canUndo())
        self.redo_button.setEnabled(stack.canRedo())

        self._buttons = QWidget(self)
        row = QHBoxLayout(self._buttons)
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.clear_button, self.undo_button, self.redo_button):
            row.addWidget(button)
        if extra_buttons:
            row.addSpacing(12)
            for button in extra_buttons:
                row.addWidget(button)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def _below_pad(self) -> int:
        return self.GAP + self._buttons.sizeHint().height()

    def minimumSizeHint(self) -> QSize:
        # As wide as the buttons, but only as tall as the smallest pad: the Inside tab shares it with
        # the layer strip, and the pad stays square by centring, so it need not fill the width.
        width = max(self.canvas.minimumWidth(), self._buttons.sizeHint().width())
        return QSize(width, self.canvas.minimumHeight() + self._below_pad())

    def sizeHint(self) -> QSize:
        return QSize(520, 520 + self._below_pad())

    def resizeEvent(self, event):
        side = max(0, min(self.width(), self.height() - self._below_pad()))
        self.canvas.setGeometry((self.width() - side) // 2, 0, side, side)
        row = self._buttons.sizeHint()
        left = (self.width() - row.width()) // 2
        self._buttons.setGeometry(left, side + self.GAP, row.width(), row.height())


def format_percent(probability: float) -> str:
    """A confidence as a percentage to one decimal, the way every view shows one.

    A softmax is never exactly 1, so a figure that would round up to "100.0%" shows
    as ">99.9%": printed as certain, a calibrated confidence would say more than it knows.
    """
    shown = f"{probability * 100:.1f}"
    return ">99.9%" if shown == "100.0" else f"{shown}%"


def _fill_rounded(painter: QPainter, rect: QRectF, colour: QColor) -> None:
    path = QPainterPath()
    radius = min(rect.height(), rect.width()) / 2
    path.addRoundedRect(rect, radius, radius)
    painter.fillPath(path, colour)


def _float32_copy(array) -> np.ndarray:
    import numpy as np

    return np.array(array, np.float32)  # np.array copies
