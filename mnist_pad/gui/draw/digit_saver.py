"""Saving the pad's drawing as one of my digits: a digit key, a click on a class bar, Enter, collecting mode.

The Draw tab owns one ``DigitSaver`` and places its widgets: the confirmation
that floats over the pad, the "Collect my digits" button, and the bar that asks
for the next digit while collecting. Collecting asks for the digit with the
fewest saved samples (ties at random), so the set fills evenly.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mnist_pad.gui.draw.canvas import EMPTY_PAD_HINT, DrawingCanvas
from mnist_pad.gui.style import ACCENT

if TYPE_CHECKING:  # the store and numpy load after the window's first paint
    from mnist_pad.gui.my_digits.digit_collection import DigitCollection
    from mnist_pad.gui.toast import Toast

ACCEPT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
DIGIT_KEYS = {getattr(Qt.Key, f"Key_{digit}"): digit for digit in range(10)}


def article(digit: int) -> str:
    return "an" if digit == 8 else "a"


def plain_key(event) -> bool:
    """No modifier held (the number pad's own flag aside)."""
    return (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier) == Qt.KeyboardModifier.NoModifier


class CollectBar(QFrame):
    """Above the pad while collecting: which digit to draw, and how to save it."""

    def __init__(self, button_style: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("collectBar")
        self.setStyleSheet(
            f"#collectBar {{ border: 1px solid {ACCENT.name()}; border-radius: 10px; background: palette(base); }}"
        )
        self.prompt_label = QLabel(self)
        prompt_font = QFont(self.font())
        prompt_font.setPixelSize(22)
        self.prompt_label.setFont(prompt_font)
        self.hint_label = QLabel("Enter saves it · another digit key saves it as that digit", self)
        self.hint_label.setEnabled(False)  # muted
        self.save_button = QPushButton(self)
        self.done_button = QPushButton("Done")  # not (text, parent): that overload builds QIcon's enums
        for button in (self.save_button, self.done_button):
            button.setStyleSheet(button_style)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys keep going to the pad
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.prompt_label)
        text.addWidget(self.hint_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 10, 8)
        layout.addLayout(text, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.done_button)

    def set_prompt(self, digit: int) -> None:
        self.prompt_label.setText(
            f"Draw {article(digit)} <b style='color:{ACCENT.name()}; font-size:30px'>{digit}</b>"
        )
        self.save_button.setText(f"Save as {digit}")


class DigitSaver(QObject):
    """Saves the canvas's strokes with a label into a DigitCollection, then clears the pad."""

    def __init__(self, canvas: DrawingCanvas, current_guess: Callable[[], int | None], button_style: str,
                 parent: QWidget):
        super().__init__(parent)
        self._canvas = canvas
        self._current_guess = current_guess  # the shown prediction of this very drawing, or None
        self._collection: DigitCollection | None = None
        self.prompt: int | None = None  # the digit asked for while collecting
        self.collect_button = QPushButton("Collect my digits")  # the tab lays it out
        self.collect_button.setCheckable(True)
        self.collect_button.setEnabled(False)  # until there is a store
        self.collect_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.collect_button.setStyleSheet(
            button_style + f" QPushButton:checked {{ background: {ACCENT.name()}; color: white; border-color: {ACCENT.name()}; }}"
        )
        self.collect_button.setToolTip("Save many digits quickly: you are asked for each digit in turn")
        self.save_hint = QLabel("Press 0–9 or click a bar to save it as that digit", parent)
        self.save_hint.setToolTip("Enter saves it as the network's guess; Ctrl+Z after saving brings it back and unsaves it")
        hint_font = QFont(self.save_hint.font())
        hint_font.setPixelSize(11)
        self.save_hint.setFont(hint_font)
        self.save_hint.setEnabled(False)  # muted
        self.save_hint.hide()  # until there is a store
        self.collect_bar = CollectBar(button_style, parent)
        self.collect_bar.hide()
        self.collect_button.toggled.connect(self._set_collecting)
        self.collect_bar.done_button.clicked.connect(lambda: self.collect_button.setChecked(False))
        self.collect_bar.save_button.clicked.connect(self.accept)
        canvas.strokes_changed.connect(self._update_save_button)

    @cached_property
    def toast(self) -> Toast:
        """The confirmation floating over the pad, made at the first save: its animation's
        classes would delay the window's first paint."""
        from mnist_pad.gui.toast import Toast

        return Toast(self._canvas)

    def set_collection(self, collection: DigitCollection) -> None:
        self._collection = collection
        self.collect_button.setEnabled(True)
        self.save_hint.show()

    @property
    def collecting(self) -> bool:
        return self.collect_button.isChecked()

    @Slot(int)
    def save_as(self, label: int) -> bool:
        """Save the drawing as ``label`` and clear the pad; False if there was nothing to save or it failed.

        One undoable step: Ctrl+Z brings the drawing back and unsaves it, so that
        saving it again makes no duplicate; Ctrl+Shift+Z saves it again.
        """
        if self._collection is None or self._canvas.is_empty():
            return False
        return self._save_and_clear([(self._canvas.strokes(), label, self._current_guess())])

    def save_number(self, digits: list[tuple[list, int, int | None]]) -> bool:
        """Save each digit of a number read, (its strokes, its label, the network's guess), and clear the pad:
        one undoable step, as for one digit."""
        return self._collection is not None and bool(digits) and self._save_and_clear(digits)

    def save_part(self, strokes: list, label: int, guess: int | None) -> bool:
        """Save one digit of a number read (a correction), leaving the pad as it is."""
        if self._collection is None or self._collection.add(strokes, label, guess) is None:
            return False
        self._confirm(f"Saved as {label}")
        return True

    def _save_and_clear(self, digits) -> bool:
        save = _Save(self, self._collection, digits)
        self._canvas.drawing.clear(along=save)  # saves them, then clears the pad
        return bool(save.sample_ids)

    def saved(self, labels: str) -> None:
        """After a save (or its redo): confirm it, and ask for the next digit while collecting."""
        self._confirm(f"Saved as {labels}")
        if self.collecting:
            self._ask_next()

    def unsaved(self, labels: str, prompt: int | None) -> None:
        """After the undo of a save: say so, and while collecting ask again for ``prompt``, asked when it was saved."""
        self._confirm(f"No longer saved as {labels}")
        if self.collecting and prompt is not None:
            self._ask(prompt)

    @Slot()
    def accept(self) -> bool:
        """Enter: save as the digit asked for while collecting, else as the network's guess."""
        label = self.prompt if self.collecting else self._current_guess()
        return label is not None and self.save_as(label)

    def handle_key(self, event) -> bool:
        """Digit keys save as that digit, Enter accepts; True if the key was used."""
        if self._collection is None or self._canvas.is_empty():
            return False
        if not plain_key(event):
            return False
        if event.key() in DIGIT_KEYS:
            self.save_as(DIGIT_KEYS[event.key()])
            return True
        if event.key() in ACCEPT_KEYS:
            self.accept()
            return True
        return False

    @Slot(bool)
    def _set_collecting(self, on: bool) -> None:
        self.collect_bar.setVisible(on)
        if on:
            self._ask_next()
            self._canvas.setFocus()
        else:
            self.prompt = None
            self._canvas.set_hint(EMPTY_PAD_HINT)

    def _ask_next(self) -> None:
        from mnist_pad.my_digits import next_prompt

        self._ask(next_prompt(self._collection.counts()))

    def _ask(self, digit: int) -> None:
        self.prompt = digit
        self.collect_bar.set_prompt(self.prompt)
        self._canvas.set_hint(f"Draw {article(self.prompt)} {self.prompt} here")
        self._update_save_button()

    def _update_save_button(self) -> None:
        self.collect_bar.save_button.setEnabled(not self._canvas.is_empty())

    def _confirm(self, what: str) -> None:
        total = sum(self._collection.counts())
        self.toast.show_message(f"{what} — {total} of your digits")


class _Save:
    """Saving the pad's drawing (one digit, or each digit of a number read), paired with the pad's clear
    as one undoable step (``Drawing.clear``): undo deletes what was saved before the drawing comes back,
    redo saves it again."""

    def __init__(self, saver: DigitSaver, collection: DigitCollection, digits: list[tuple[list, int, int | None]]):
        """``digits``: (strokes, label, the network's guess or None) for each digit saved."""
        self._labels = "".join(str(label) for _, label, _ in digits)
        self.text = f"Save as {self._labels}"
        self._saver, self._collection, self._digits = saver, collection, digits
        self._prompt = saver.prompt  # what collecting asked for when this drawing was saved
        self.sample_ids: list[int] = []  # while saved

    def redo(self) -> bool:
        sample_ids = self._collection.add_all(self._digits)  # one transaction: all the digits or none
        if sample_ids is None:
            return False  # the collection has said why; the drawing stays
        self.sample_ids = sample_ids
        self._saver.saved(self._labels)
        return True

    def undo(self) -> bool:
        # If the digits cannot be deleted, the pad stays clear: bringing the drawing back would invite duplicates.
        stay = "Your digits stay saved" if len(self.sample_ids) > 1 else "Your digit stays saved"
        if not self._collection.delete(self.sample_ids, stay):
            return False
        self.sample_ids = []
        self._saver.unsaved(self._labels, self._prompt)
        return True
