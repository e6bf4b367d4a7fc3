"""The keys the app answers, shared by the views that take them.

Key names from PySide's ``Qt`` namespace are looked up when a key arrives, never at
import: the window's first frame does not build that namespace (``mnist_pad.gui.first_paint``).
"""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from mnist_pad.gui.first_paint import after_first_paint

UNDO_KEYS = (QKeySequence("Ctrl+Z"),)
REDO_KEYS = (QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y"))
CLEAR_KEYS = (QKeySequence("Esc"), QKeySequence("Del"), QKeySequence("Backspace"))  # with no modifier


def plain_key(event) -> bool:
    """No modifier held (the number pad's own flag aside)."""
    modifier = QtCore.Qt.KeyboardModifier
    return (event.modifiers() & ~modifier.KeypadModifier) == modifier.NoModifier


def digit_key(event) -> int | None:
    """The digit of a 0–9 key, on the main row or the number pad; None for any other key."""
    offset = int(event.key()) - int(QtCore.Qt.Key.Key_0)
    return offset if 0 <= offset <= 9 else None


def accept_key(event) -> bool:
    """Return or Enter."""
    return int(event.key()) in (int(QtCore.Qt.Key.Key_Return), int(QtCore.Qt.Key.Key_Enter))


def leave_keys_to_the_pad(*buttons: QWidget) -> None:
    """These buttons never take the keyboard, so keys keep going to the pad (set after each one's first paint)."""
    for button in buttons:
        after_first_paint(button, lambda button=button: button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus))
