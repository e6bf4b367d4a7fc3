"""The drawing: its strokes and their undo history, one for the whole window.

The Draw tab's pad and the Inside tab's pad are two views of one ``Drawing``:
a stroke drawn on either shows on both, and Ctrl+Z on either undoes it. Strokes
are in pad units (the pad is 1 × 1, (0, 0) at its top-left), as float32 (n, 2)
arrays that nobody may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

# numpy is imported where strokes are made, not here: the empty pad is part of the
# window's first frame, which must not wait for numpy's import.
if TYPE_CHECKING:
    import numpy as np


class PairedAction(Protocol):
    """Done, undone and redone together with a change of the strokes, as one step (a save
    to My digits, with the clear that follows it); False when it failed and did nothing."""

    text: str  # what the step is called

    def redo(self) -> bool: ...

    def undo(self) -> bool: ...


class _SetStrokes(QUndoCommand):
    """One undoable change of the whole list of strokes: a stroke added, a clear, a replacement.

    With ``along``, the change happens only when ``along`` succeeds; a step that fails
    is dropped from the history (Qt's "obsolete"), and the strokes stay as they are.
    """

    def __init__(self, drawing: Drawing, text: str, after: list[np.ndarray], along: PairedAction | None = None):
        super().__init__(text if along is None else along.text)
        self._drawing, self._before, self._after = drawing, drawing.finished_strokes(), after
        self._along = along

    def redo(self):
        if self._along is None or self._along.redo():
            self._drawing._set_strokes(self._after)
        else:
            self.setObsolete(True)

    def undo(self):
        if self._along is None or self._along.undo():
            self._drawing._set_strokes(self._before)
        else:
            self.setObsolete(True)


class Drawing(QObject):
    changed = Signal()  # any change: a point added, a stroke finished, undo, redo, clear

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._strokes: list[np.ndarray] = []  # finished strokes
        self._current: list[tuple[float, float]] | None = None  # the stroke being drawn

    def strokes(self) -> list[np.ndarray]:
        """Every stroke, the one being drawn included."""
        strokes = self.finished_strokes()
        if self._current:
            import numpy as np

            strokes.append(np.array(self._current, np.float32))
        return strokes

    def finished_strokes(self) -> list[np.ndarray]:
        return list(self._strokes)

    def current_points(self) -> list[tuple[float, float]]:
        """The stroke being drawn, as plain points ([] when none): painting it needs no numpy, which a
        stroke drawn as the window opens must not wait for."""
        return list(self._current or ())

    def is_empty(self) -> bool:
        return not self._strokes and not self._current

    def is_drawing(self) -> bool:
        """True while a stroke is being drawn (the pen or the mouse button is down)."""
        return self._current is not None

    def clear(self, along: PairedAction | None = None) -> None:
        """Remove every stroke as one undoable step (dropping a stroke in progress), done only
        if ``along`` is done, and undone only if ``along`` is undone."""
        self._current = None
        if self._strokes or along is not None:
            self.undo_stack.push(_SetStrokes(self, "Clear", [], along))
        else:
            self.changed.emit()

    def set_strokes(self, strokes) -> None:
        """Replace the drawing by ``strokes`` (pad units) as one undoable step."""
        self._current = None
        self.undo_stack.push(_SetStrokes(self, "Replace drawing", [_frozen(stroke) for stroke in strokes]))

    def begin_stroke(self, point: tuple[float, float]) -> None:
        if self._current is not None:  # a release went missing: keep what was drawn
            self._commit_stroke()
        self._current = [point]
        self.changed.emit()

    def extend_stroke(self, point: tuple[float, float]) -> None:
        if self._current is not None and point != self._current[-1]:
            self._current.append(point)
            self.changed.emit()

    def end_stroke(self, point: tuple[float, float]) -> None:
        if self._current is None:
            return
        self.extend_stroke(point)
        self._commit_stroke()

    def _commit_stroke(self) -> None:
        stroke = _frozen(self._current)
        self._current = None
        self.undo_stack.push(_SetStrokes(self, "Draw stroke", self._strokes + [stroke]))  # push() runs redo()

    def _set_strokes(self, strokes: list[np.ndarray]) -> None:
        self._strokes = strokes
        self.changed.emit()


def _frozen(points) -> np.ndarray:
    import numpy as np

    stroke = np.array(points, np.float32).reshape(-1, 2)
    stroke.flags.writeable = False
    return stroke
