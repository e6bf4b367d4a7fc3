"""The Qt binding must not leak references to True or None.

PySide6 6.12.0 on Python < 3.12 drops a reference to True on every
``Signal.emit()`` and to None on every Python override of a virtual method
(``paintEvent``, ``mouseMoveEvent``...). Once the count reaches zero the
interpreter aborts ("Fatal Python error: bool_dealloc / none_dealloc"): the app
died after a few hundred drawn digits. These tests catch such a binding before
a user does. (From Python 3.12 True and None are immortal and the drop is harmless.)
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

REPEATS = 200
IMMORTAL_SINGLETONS = sys.version_info >= (3, 12)


class Emitter(QObject):
    happened = Signal()


class Painted(QWidget):
    def paintEvent(self, event):
        pass


@pytest.mark.skipif(IMMORTAL_SINGLETONS, reason="True and None are immortal from Python 3.12")
def test_emitting_a_signal_keeps_true_alive(qapp):
    emitter = Emitter()
    before = sys.getrefcount(True)
    for _ in range(REPEATS):
        emitter.happened.emit()
    assert sys.getrefcount(True) - before > -REPEATS // 2


@pytest.mark.skipif(IMMORTAL_SINGLETONS, reason="True and None are immortal from Python 3.12")
def test_a_python_paint_event_keeps_none_alive(qtbot):
    widget = Painted()
    qtbot.addWidget(widget)
    widget.resize(40, 40)
    widget.show()
    qtbot.waitExposed(widget)
    before = sys.getrefcount(None)
    for _ in range(REPEATS):
        widget.repaint()
    assert sys.getrefcount(None) - before > -REPEATS // 2
