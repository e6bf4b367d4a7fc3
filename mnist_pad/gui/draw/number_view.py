"""Above the pad when it holds a number: its digits as large buttons, how sure the reading is, the alternatives."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mnist_pad.gui.draw.views import format_percent
from mnist_pad.gui.style import ACCENT, BUTTON_STYLE, pixel_font

DIGIT_BUTTON_STYLE = (
    "QPushButton { border: 1px solid palette(mid); border-radius: 8px; padding: 2px 8px; background: palette(base); }"
    f" QPushButton:checked {{ border: 2px solid {ACCENT.name()}; }}"
)
HINT = "Click a digit to see its bars · type a digit to correct it · Enter saves them · Ctrl+C copies"


class NumberView(QFrame):
    """Shows a ``NumberReading`` (mnist_pad.number_reader) as the user may correct it; says what is clicked."""

    digit_selected = Signal(int)  # the index of the digit clicked, -1 when none is
    alternative_chosen = Signal(int)  # the index of the alternative clicked

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("numberView")
        self.setStyleSheet("#numberView { border: 1px solid palette(midlight); border-radius: 10px;"
                           " background: palette(base); }")
        self._digits = QHBoxLayout()
        self._digits.setSpacing(6)
        self._group = QButtonGroup(self)
        self._group.setExclusive(False)  # a second click on the selected digit unselects it
        self._group.idClicked.connect(self._clicked)
        self.sureness_label = QLabel(self)
        self.sureness_label.setFont(pixel_font(self.font(), 14, bold=True))
        self._alternatives = QHBoxLayout()
        self._alternatives.setSpacing(4)
        hint = QLabel(HINT, self)
        hint.setFont(pixel_font(self.font(), 11))
        hint.setEnabled(False)  # muted
        top = QHBoxLayout()
        top.addLayout(self._digits)
        top.addSpacing(12)
        top.addWidget(self.sureness_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(self._alternatives)
        layout.addWidget(hint)
        self.selected: int | None = None

    def show_reading(self, digits: list[tuple[str, float, bool]], probability: float,
                     alternatives: list[tuple[str, float]], selected: int | None) -> None:
        """``digits``: (text, confidence, is a digit) each; ``alternatives``: (text, probability) each."""
        self.selected = selected
        for button in self._group.buttons():
            self._group.removeButton(button)
        _empty(self._digits)
        for index, (text, confidence, is_digit) in enumerate(digits):
            button = QPushButton(text if is_digit else "?")
            button.setCheckable(True)
            button.setChecked(index == selected)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys keep going to the pad
            button.setFont(pixel_font(self.font(), 30, bold=True))
            button.setStyleSheet(DIGIT_BUTTON_STYLE)
            button.setToolTip(f"{format_percent(confidence)} sure" if is_digit else
                              f"no digit by the model's rule; closest is {text}")
            self._group.addButton(button, index)
            self._digits.addWidget(button)
        self.sureness_label.setText(f"{format_percent(probability)} sure of this reading")
        _empty(self._alternatives)
        if alternatives:
            self._alternatives.addWidget(QLabel("Or:", self))
        for index, (text, alternative_probability) in enumerate(alternatives):
            button = QPushButton(f"{text} · {format_percent(alternative_probability)}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setStyleSheet(BUTTON_STYLE)
            button.setToolTip("Take this reading")
            button.clicked.connect(lambda _checked=False, chosen=index: self.alternative_chosen.emit(chosen))
            self._alternatives.addWidget(button)
        self._alternatives.addStretch(1)

    def digit_buttons(self) -> list[QPushButton]:
        return [self._group.button(i) for i in range(len(self._group.buttons()))]

    def alternative_buttons(self) -> list[QPushButton]:
        items = (self._alternatives.itemAt(i).widget() for i in range(self._alternatives.count()))
        return [item for item in items if isinstance(item, QPushButton)]

    def _clicked(self, index: int) -> None:
        self.digit_selected.emit(-1 if index == self.selected else index)


def _empty(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().deleteLater()
