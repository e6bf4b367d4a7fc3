"""The app's message boxes, all made and shown by one helper.

A box is opened window-modal with ``open()`` rather than run with ``exec()`` (what
``QMessageBox.warning`` does). ``exec()`` spins a second event loop inside the slot
that reported the error, a slot often called from a worker's queued signal or
from start-up code; every other event of the app is then handled inside that
slot, which re-enters code that did not expect it. ``open()`` returns at once and
the box is painted and answered by the app's one event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QWidget

APP_NAME = "mnist-pad"


def show_error(parent: QWidget, text: str) -> QMessageBox:
    """One sentence in a warning box over ``parent``'s window; returns the box (it deletes itself)."""
    # Here, not at the top: its enums take 1 ms to build, which the window's first paint need not wait for.
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    return box
