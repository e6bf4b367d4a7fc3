"""Small views of the Inside tab: a 28x28 image or evidence map, colour scales, the class picker."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QWidget

from mnist_pad.inspection import RUNNER_UP

TOWARD = np.array([255, 150, 30], np.float32)  # ink that pushes toward the class: orange
AWAY = np.array([40, 150, 255], np.float32)  # ink that pushes away from it: blue
HIGHLIGHT = QColor("#35d07f")  # the receptive field of the hovered cell
RUNNER_UP_ID = 10
# Dark blue-black through blue to warm white: activations of 0 stay the colour of the pad.
_STOPS = np.array([[22, 24, 29], [30, 70, 160], [47, 125, 246], [150, 200, 255], [255, 250, 235]], np.float32)
ACTIVATION_LUT = np.stack(
    [np.interp(np.linspace(0, 1, 256), np.linspace(0, 1, len(_STOPS)), _STOPS[:, c]) for c in range(3)], 1
).astype(np.uint8)
from mnist_pad.gui.style import FRAME


def rgb_image(rgb: np.ndarray) -> QImage:
    """(h, w, 3) uint8 -> a QImage that owns its pixels."""
    rgb = np.ascontiguousarray(rgb, np.uint8)
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def activation_rgb(values: np.ndarray, top: float) -> np.ndarray:
    """Non-negative activations -> RGB, ``top`` and above at the brightest colour."""
    scaled = np.clip(values / max(top, 1e-9), 0, 1)
    return ACTIVATION_LUT[(scaled * 255).astype(np.uint8)]


def signed_rgb(values: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
    """Signed values -> orange (positive) or blue (negative) over ``base`` grey, strength by magnitude.

    The scale is the 99th percentile of the magnitudes, so one extreme pixel
    does not wash out the rest.
    """
    magnitude = np.abs(values)
    scale = np.percentile(magnitude[magnitude > 0], 99) if np.any(magnitude > 0) else 1.0
    strength = np.clip(magnitude / max(scale, 1e-12), 0, 1)[..., None] ** 0.7
    colour = np.where(values[..., None] >= 0, TOWARD, AWAY)
    background = np.full((*values.shape, 3), 22.0) if base is None else (22 + base[..., None] * 70.0)
    return (background * (1 - strength) + colour * strength).astype(np.uint8)


class PixelView(QWidget):
    """A small image magnified without smoothing, a caption above it, and an optional highlight."""

    def __init__(self, caption: str, scale: int = 5, parent: QWidget | None = None):
        super().__init__(parent)
        self._qimage: QImage | None = None
        self._highlight: tuple[int, int, int, int] | None = None
        self._pixels = 28
        self.caption = QLabel(caption, self)
        side = 28 * scale + 2
        self.setFixedSize(side, side)

    def set_rgb(self, rgb: np.ndarray | None) -> None:
        self._qimage = None if rgb is None else rgb_image(rgb)
        if rgb is not None:
            self._pixels = rgb.shape[0]
        self.update()

    def has_image(self) -> bool:
        return self._qimage is not None

    def highlight(self) -> tuple[int, int, int, int] | None:
        return self._highlight

    def set_highlight(self, pixels: tuple[int, int, int, int] | None) -> None:
        """(top, left, bottom, right) in input pixels, bottom/right exclusive; None: no highlight."""
        self._highlight = pixels
        self.update()

    def paintEvent(self, event):
        painter = QPainter(self)
        inner = QRectF(1, 1, self.width() - 2, self.height() - 2)
        painter.fillRect(self.rect(), FRAME)
        painter.fillRect(inner, QColor(22, 24, 29))
        if self._qimage is not None:
            painter.drawImage(inner, self._qimage)
        if self._highlight is not None:
            top, left, bottom, right = self._highlight
            unit = inner.width() / self._pixels
            painter.setPen(QPen(HIGHLIGHT, 2))
            painter.drawRect(
                QRectF(1 + left * unit, 1 + top * unit, (right - left) * unit, (bottom - top) * unit)
            )


class ClassPicker(QWidget):
    """Y of "why X, not Y": the runner-up (default) or any digit."""

    changed = Signal(object)  # RUNNER_UP or a digit

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        title = QLabel("Why X, not:", self)  # beside the buttons, not above: the Inside page is short
        title.setEnabled(False)
        row.addWidget(title)
        row.addSpacing(4)
        # Button ids are 0-9 for the digits and 10 for the runner-up (Qt reserves -1).
        for button_id, text, tip in [(RUNNER_UP_ID, "2nd", "The runner-up: the second most likely digit")] + [
            (digit, str(digit), f"Compare with {digit}") for digit in range(10)
        ]:
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setMinimumWidth(26)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self._group.addButton(button, button_id)
            row.addWidget(button)
        row.addStretch(1)
        self._group.button(RUNNER_UP_ID).setChecked(True)
        self._group.idClicked.connect(lambda button_id: self.changed.emit(self.value()))

    def value(self) -> int:
        button_id = self._group.checkedId()
        return RUNNER_UP if button_id == RUNNER_UP_ID else button_id

    def pick(self, value: int) -> None:
        """As a click on that class would (RUNNER_UP or a digit)."""
        self._group.button(RUNNER_UP_ID if value == RUNNER_UP else value).click()
