"""Replay recorded pen strokes through the real drawing canvas, as a person's pen would.

Each digit is sent to a ``DrawingCanvas`` as mouse press, moves and release
events, then read back through the same strokes -> image path as live drawing.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from mnist_pad.gui.draw.canvas import DrawingCanvas
from mnist_pad.pen_digits import PenDigits, place_on_canvas
from mnist_pad.preprocess import strokes_to_image

CANVAS_SIZE = 480  # pixels, about the pad's size in the window


def draw_with_mouse(canvas: DrawingCanvas, strokes: list[np.ndarray]) -> None:
    """Press, move and release along each stroke, in writing order."""
    for stroke in strokes:
        _send(canvas, QEvent.Type.MouseButtonPress, stroke[0], Qt.MouseButton.LeftButton)
        for point in stroke[1:]:
            _send(canvas, QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton)
        _send(canvas, QEvent.Type.MouseButtonRelease, stroke[-1], Qt.MouseButton.LeftButton)


def _send(canvas: DrawingCanvas, kind: QEvent.Type, point: np.ndarray, button: Qt.MouseButton) -> None:
    local = QPointF(float(point[0]), float(point[1]))
    held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else Qt.MouseButton.LeftButton
    event = QMouseEvent(kind, local, canvas.mapToGlobal(local), button, held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas, event)


def render_pen_digits(digits: PenDigits, scale: float) -> np.ndarray:
    """(N, 28, 28) float32 images of every digit, drawn on one offscreen canvas."""
    canvas = DrawingCanvas()
    canvas.resize(CANVAS_SIZE, CANVAS_SIZE)
    canvas.show()
    images = np.zeros((len(digits), 28, 28), np.float32)
    for index in range(len(digits)):
        placed = place_on_canvas(digits.strokes(index), scale, canvas.width(), canvas.height())
        draw_with_mouse(canvas, placed)
        image = strokes_to_image(canvas.strokes(), min_extent=canvas.pen_width())
        if image is not None:
            images[index] = image
        canvas.clear()
        canvas.undo_stack.clear()  # 8,000 undoable clears would only hold memory
    canvas.close()
    return images
