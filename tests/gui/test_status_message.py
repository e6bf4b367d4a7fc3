"""Status-bar messages are cut between words, never in one."""

from __future__ import annotations

from PySide6.QtWidgets import QStatusBar

from mnist_pad.gui.status_message import show_status_message, words_that_fit

SENTENCE = ("Now reading your handwriting with mnist_adapted_20260101-120000.h5, adapted to 40 of your digits; "
            "File ▸ Back to mnist_convnet.h5 undoes it.")


def test_a_message_too_long_for_the_bar_ends_on_a_whole_word(qtbot):
    bar = QStatusBar()
    qtbot.addWidget(bar)
    bar.resize(400, 24)
    show_status_message(bar, SENTENCE, 1000)
    shown = bar.currentMessage()
    assert shown.endswith("…") and len(shown) < len(SENTENCE)
    kept = shown.removesuffix("…")
    assert SENTENCE.startswith(kept) and SENTENCE[len(kept)] in " ,;", f"cut mid-word: {shown!r}"
    assert bar.fontMetrics().horizontalAdvance(shown) < bar.width()


def test_a_message_that_fits_is_shown_whole(qtbot):
    bar = QStatusBar()
    qtbot.addWidget(bar)
    bar.resize(2000, 24)
    show_status_message(bar, SENTENCE, 1000)
    assert bar.currentMessage() == SENTENCE
    assert words_that_fit(SENTENCE, bar.fontMetrics(), 0) == "…"  # no room: no word
