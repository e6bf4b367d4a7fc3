"""Messages in the window's status bar, cut only between words.

``QStatusBar.showMessage`` draws its text on one line and clips it wherever the bar
ends, mid-word ("…returns to the mo"). A message here is shown whole when it fits,
else up to the last whole word that does, followed by "…".
"""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStatusBar

ELLIPSIS = "…"
# What the bar keeps beside a message: its margins and the size grip, in widths of "M".
BAR_MARGIN_EMS = 3


def words_that_fit(text: str, metrics: QFontMetrics, width: int) -> str:
    """``text`` if it fits ``width`` pixels, else its first words that fit with "…" after them."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    words = text.split()
    while words and metrics.horizontalAdvance(" ".join(words) + ELLIPSIS) > width:
        words.pop()
    return " ".join(words).rstrip(",;:") + ELLIPSIS


def show_status_message(bar: QStatusBar, text: str, timeout_ms: int) -> None:
    """``bar.showMessage(text, timeout_ms)``, cut between words to the bar's width."""
    metrics = bar.fontMetrics()
    width = bar.width() - BAR_MARGIN_EMS * metrics.horizontalAdvance("M")
    bar.showMessage(words_that_fit(text, metrics, width), timeout_ms)
