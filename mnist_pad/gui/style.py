"""The app's colours and shared style sheets, defined once."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

ACCENT = QColor("#2f7df6")  # the top class, the selected cell, the collecting bar, the toast
FRAME = QColor("#3a3f48")  # thin frames around images of the network's input and maps
MISREAD = QColor("#f0a030")  # the network read a saved digit as another one

BUTTON_STYLE = (
    "QPushButton { padding: 5px 18px; border: 1px solid palette(mid); border-radius: 7px;"
    " background: palette(base); }"
    f" QPushButton:hover {{ border-color: {ACCENT.name()}; }}"
    " QPushButton:pressed { background: palette(midlight); }"
    " QPushButton:disabled { color: palette(mid); border-color: palette(midlight); }"
)


def translucent(colour: QColor, alpha: int) -> QColor:
    shade = QColor(colour)
    shade.setAlpha(alpha)
    return shade


def pixel_font(base: QFont, pixels: int, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font
