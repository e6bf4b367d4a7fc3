"""The drawing pad: a view of a ``Drawing`` (``mnist_pad.gui.drawing``) that a mouse or a tablet pen adds to.

Strokes are kept in pad units: the pad is the largest square that fits the
widget, (0, 0) at its top-left and side 1. Resizing the
window therefore rescales the drawing instead of cropping it, and the pen
width, also in pad units, stays in proportion. Points dragged outside the pad
(or the widget) are kept: preprocessing fits whatever was drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from mnist_pad.gui.drawing import Drawing
from mnist_pad.pad import PAD_PEN_WIDTH

# numpy is imported where strokes are made, not here: the empty pad is part of the
# window's first frame, which must not wait for numpy's import.
if TYPE_CHECKING:
    import numpy as np

PAD_MARGIN = 2  # px around the pad inside the widget: room for its antialiased border
PAD_RADIUS = 14  # px, rounded corners of the pad

PAD_COLOUR = QColor("#16181d")
PAD_BORDER = QColor("#2c3038")
INK_COLOUR = QColor("#f4f5f7")
HINT_COLOUR = QColor("#5d6470")
EMPTY_PAD_HINT = "Draw a digit here"
MARK_COLOUR = QColor("#7a8699")  # a digit of the number read
MARK_SELECTED_COLOUR = QColor("#4f8cff")

UNDO_KEYS = (QKeySequence("Ctrl+Z"),)
REDO_KEYS = (QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y"))
CLEAR_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_Delete, Qt.Key.Key_Backspace)


class DigitMark(NamedTuple):
    """A box drawn around one digit of a number read, with its label (digit and confidence)."""

    box: tuple[float, float, float, float]  # x0, y0, x1, y1 of the digit's pen path, in pad units
    label: str
    is_digit: bool  # False: drawn dashed, the not-a-digit rule turned this part away
    selected: bool


class DrawingCanvas(QWidget):
    """A square dark pad to draw on, a view of a ``Drawing``; every change emits ``strokes_changed``."""

    strokes_changed = Signal()

    def __init__(self, drawing: Drawing | None = None, parent: QWidget | None = None):
        """``drawing``: the one this pad shows and adds to (default: a drawing of its own)."""
        super().__init__(parent)
        self.drawing = drawing if drawing is not None else Drawing(self)
        self.drawing.changed.connect(self._changed)
        self._hint = EMPTY_PAD_HINT
        self._marks: list[DigitMark] = []
        self.setMinimumSize(220, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit. Esc clears, Ctrl+Z undoes a stroke, Ctrl+Shift+Z redoes it.")

    # -- public API ---------------------------------------------------------------

    @property
    def undo_stack(self):
        return self.drawing.undo_stack

    def strokes(self) -> list[np.ndarray]:
        """Every stroke, the one being drawn included, as (n, 2) float32 x, y in pad units."""
        return self.drawing.strokes()

    def pen_width(self) -> float:
        """The pen's width in pad units: the smallest extent worth magnifying."""
        return PAD_PEN_WIDTH

    def is_empty(self) -> bool:
        return self.drawing.is_empty()

    def set_hint(self, text: str) -> None:
        """What the empty pad says."""
        self._hint = text
        self.update()

    def clear(self) -> None:
        """Remove every stroke as one undoable step (dropping a stroke in progress)."""
        self.drawing.clear()

    def set_strokes(self, strokes: list[np.ndarray]) -> None:
        """Replace the drawing by ``strokes`` (pad units) as one undoable step."""
        self.drawing.set_strokes(strokes)

    def is_drawing(self) -> bool:
        """True while a stroke is being drawn (the pen or the mouse button is down)."""
        return self.drawing.is_drawing()

    def pad_rect(self) -> QRectF:
        """The square pad in widget pixels, centred."""
        side = max(1.0, min(self.width(), self.height()) - 2 * PAD_MARGIN)
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def to_pad(self, position: QPointF) -> tuple[float, float]:
        pad = self.pad_rect()
        return ((position.x() - pad.x()) / pad.width(), (position.y() - pad.y()) / pad.height())

    def from_pad(self, x: float, y: float) -> QPointF:
        pad = self.pad_rect()
        return QPointF(pad.x() + x * pad.width(), pad.y() + y * pad.height())

    def _changed(self) -> None:
        self.update()
        self.strokes_changed.emit()

    # -- Qt events -------------------------------------------------------------------

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            self.drawing.begin_stroke(self.to_pad(event.position()))
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.drawing.extend_stroke(self.to_pad(event.position()))
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            self.drawing.end_stroke(self.to_pad(event.position()))
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event):
        # Accepting stops Qt from synthesising the same pen motion as mouse events.
        handlers = {
            QEvent.Type.TabletPress: self.drawing.begin_stroke,
            QEvent.Type.TabletMove: self.drawing.extend_stroke,
            QEvent.Type.TabletRelease: self.drawing.end_stroke,
        }
        handler = handlers.get(event.type())
        if handler is None:
            event.ignore()
            return
        handler(self.to_pad(event.position()))
        event.accept()

    def keyPressEvent(self, event):
        keys = QKeySequence(event.keyCombination())
        if event.key() in CLEAR_KEYS and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.clear()
        elif keys in UNDO_KEYS:
            self.drawing.undo_stack.undo()
        elif keys in REDO_KEYS:
            self.drawing.undo_stack.redo()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pad = self.pad_rect()
        outline = QPainterPath()
        outline.addRoundedRect(pad, PAD_RADIUS, PAD_RADIUS)
        painter.fillPath(outline, PAD_COLOUR)
        painter.setPen(QPen(PAD_BORDER, 1.5))
        painter.drawPath(outline)

        if self.is_empty():
            self._paint_hint(painter, pad)
            return
        painter.setClipPath(outline)
        painter.translate(pad.topLeft())
        painter.scale(pad.width(), pad.height())
        pen = QPen(INK_COLOUR, PAD_PEN_WIDTH)  # the network's pen: the pad shows what it receives
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        # The stroke being drawn as sampled; finished ones smoothed (numpy is loaded by then).
        paths = [smooth(stroke) for stroke in self.drawing.finished_strokes()] + [self.drawing.current_points()]
        for path in paths:
            points = [QPointF(float(x), float(y)) for x, y in path]
            if len(points) == 1:
                painter.drawPoint(points[0])  # round cap: a dot
            else:
                # Each segment is capped on its own: a pen that doubles back leaves
                # no seams, which Qt's stroker can leave in one wide curved path.
                painter.drawLines([QLineF(a, b) for a, b in zip(points, points[1:])])
        painter.resetTransform()
        self._paint_marks(painter, pad)

    def set_marks(self, marks: list) -> None:
        """Boxes around parts of the drawing (the digits of a number read): ``DigitMark``s, in pad units."""
        self._marks = list(marks)
        self.update()

    def _paint_marks(self, painter: QPainter, pad: QRectF) -> None:
        margin = PAD_PEN_WIDTH * pad.height()  # around the pen path: around the ink
        font = painter.font()
        font.setPixelSize(max(11, round(pad.height() / 36)))
        painter.setFont(font)
        for mark in self._marks:
            x0, y0, x1, y1 = mark.box
            box = QRectF(pad.x() + x0 * pad.width() - margin, pad.y() + y0 * pad.height() - margin,
                         (x1 - x0) * pad.width() + 2 * margin, (y1 - y0) * pad.height() + 2 * margin)
            colour = MARK_SELECTED_COLOUR if mark.selected else MARK_COLOUR
            painter.setPen(QPen(colour, 2.5 if mark.selected else 1.2, Qt.PenStyle.SolidLine if mark.is_digit
                                else Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box, 6, 6)
            painter.drawText(QRectF(box.x() - 20, box.bottom() + 2, box.width() + 40, font.pixelSize() * 1.6),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, mark.label)

    def _paint_hint(self, painter: QPainter, pad: QRectF) -> None:
        font = painter.font()
        font.setPointSizeF(max(11.0, pad.height() / 26))
        painter.setFont(font)
        painter.setPen(HINT_COLOUR)
        painter.drawText(pad, Qt.AlignmentFlag.AlignCenter, self._hint)


def smooth(stroke: np.ndarray, steps: int = 4) -> np.ndarray:
    """The pen path as quadratic curves through the midpoints of its samples: no visible corners.

    Each sample is the control point of a curve from the midpoint before it to
    the midpoint after it; the first and last samples stay where they are.
    """
    if len(stroke) < 3:
        return stroke
    import numpy as np

    mids = (stroke[:-1] + stroke[1:]) / 2
    t = np.linspace(0, 1, steps, endpoint=False)[:, None, None]
    start, control, end = mids[:-1], stroke[1:-1], mids[1:]
    curves = (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end  # (steps, n-2, 2)
    return np.concatenate([stroke[:1], curves.transpose(1, 0, 2).reshape(-1, 2), mids[-1:], stroke[-1:]])
