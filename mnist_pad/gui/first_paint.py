"""Work that waits for a widget's first paint: what its first frame does not show.

PySide builds the whole ``Qt`` namespace, about a hundred enums and 25–50 ms on
two cores, the first time any name in it is used. The window's first frame uses
none of it: focus policies and cursors, which need those names, are set just
after a widget's first paint, key and mouse names are looked up when an event
arrives (``mnist_pad.gui.keys``), and text is placed by measuring it
(``mnist_pad.gui.style.draw_text``) rather than with Qt's alignment flags.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, then: Callable[[], None]):
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, watched, self._then)  # once this repaint is on screen
            self.deleteLater()
        return False


def after_first_paint(widget: QWidget, then: Callable[[], None]) -> None:
    """Call ``then`` once ``widget`` has painted for the first time and that repaint is on screen."""
    _FirstPaint(widget, then)
