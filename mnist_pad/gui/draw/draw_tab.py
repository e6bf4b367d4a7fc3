"""The Draw tab: the pad, the 28x28 image the network receives, and its ten class probabilities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from mnist_pad.gui.draw.canvas import DigitMark, DrawingCanvas
from mnist_pad.gui.draw.digit_saver import ACCEPT_KEYS, DIGIT_KEYS, DigitSaver, plain_key
from mnist_pad.gui.draw.number_view import NumberView
from mnist_pad.gui.draw.views import (
    SIDE_PANEL_WIDTH,
    NetworkInputView,
    PadArea,
    ProbabilityBars,
    format_percent,
)
from mnist_pad.gui.drawing import Drawing
from mnist_pad.gui.style import BUTTON_STYLE, pixel_font
from mnist_pad.gui.workers import PredictionRequest, PredictionWorker

# numpy is imported where a prediction arrives, not here: the window's first frame
# (no prediction yet) must not wait for numpy's import.
if TYPE_CHECKING:
    import numpy as np

NO_MODEL_YET = "Loading model…"
EMPTY_PAD = "Draw a digit"
NOT_A_DIGIT = "Not a digit"
NOT_A_NUMBER = "No number"  # some part is no digit ("Not a number" is too wide for the panel)
SURE = 0.95  # "sure it is a 7" from here up, "probably a 7" below


class DrawTab(QWidget):
    """Draw on the left; the network's guess, its ten probabilities and its input on the right."""

    prediction_shown = Signal()  # the guess, bars and preview now show the newest result
    digit_focused = Signal(object, str)  # a digit of the number clicked: its strokes and what it is, or None, ""

    def __init__(self, parent: QWidget | None = None, drawing: Drawing | None = None):
        """``drawing``: the window's one drawing, which the Inside tab shows too (default: one of its own)."""
        super().__init__(parent)
        self.canvas = DrawingCanvas(drawing, self)
        self.bars = ProbabilityBars(self)
        self.preview = NetworkInputView(self)
        self.guess_label = QLabel(self)
        self.confidence_label = QLabel(self)
        self.confidence_detail = QLabel(self)
        self.saver = DigitSaver(self.canvas, self._current_guess, BUTTON_STYLE, self)
        self.number_view = NumberView(self)
        self.number_view.hide()  # until the pad holds a number
        self._build_layout()
        self.setFocusProxy(self.canvas)  # Esc, Ctrl+Z reach the pad whenever the tab has focus

        self._predictor = None
        self._rule = None  # the model's not-a-digit rule, with the predictor
        self._shown_is_digit = False  # the shown drawing passed the rule
        self._idle_message = NO_MODEL_YET
        self._last_request_id = 0
        self._shown_request_id = 0  # results up to this id are superseded
        self._worker = PredictionWorker(self)
        self._worker.predicted.connect(self._show_prediction)
        self._worker.failed.connect(self._show_failure)
        self.reading = None  # the number read, with the user's corrections (a NumberReading), or None
        self._selected: int | None = None  # the digit of the number whose bars are shown
        self.number_view.digit_selected.connect(self.select_digit)
        self.number_view.alternative_chosen.connect(self._take_alternative)

        self.canvas.strokes_changed.connect(self._request_prediction)
        self.bars.digit_clicked.connect(self.saver.save_as)
        self._request_prediction()

    def _build_layout(self) -> None:
        self.pad_area = PadArea(self.canvas, (self.saver.collect_button,), self)
        self.clear_button = self.pad_area.clear_button
        self.undo_button = self.pad_area.undo_button
        self.redo_button = self.pad_area.redo_button
        self._pad_column = QVBoxLayout()
        self._pad_column.addWidget(self.saver.collect_bar)
        self._pad_column.addWidget(self.number_view)
        self._pad_column.addWidget(self.pad_area, 1)

        guess_font = QFont(self.font())
        guess_font.setPixelSize(76)
        guess_font.setBold(True)
        self.guess_label.setFont(guess_font)
        self.guess_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.guess_label.setFixedWidth(96)
        self.confidence_label.setFont(pixel_font(self.font(), 26, bold=True))
        self.confidence_detail.setFont(pixel_font(self.font(), 14))
        self.confidence_detail.setEnabled(False)  # the palette's muted text colour
        self.confidence_detail.setWordWrap(True)
        confidence = QVBoxLayout()
        confidence.addStretch(1)
        confidence.addWidget(self.confidence_label)
        confidence.addWidget(self.confidence_detail)
        confidence.addStretch(1)
        guess_row = QHBoxLayout()
        guess_row.addWidget(self.guess_label)
        guess_row.addLayout(confidence, 1)

        preview_caption = QLabel("WHAT THE NETWORK SEES · 28 × 28", self)
        preview_caption.setFont(pixel_font(self.font(), 11, bold=True))
        preview_caption.setEnabled(False)

        side = QVBoxLayout()
        side.setContentsMargins(18, 14, 18, 12)  # short enough for a 640 px window
        side.addLayout(guess_row)
        side.addSpacing(4)
        side.addWidget(self.bars)
        side.addWidget(self.saver.save_hint)
        side.addSpacing(8)
        side.addWidget(preview_caption)
        side.addSpacing(4)
        side.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        side.addStretch(1)
        side_panel = QFrame(self)
        side_panel.setObjectName("sidePanel")
        side_panel.setStyleSheet(
            "#sidePanel { background: palette(base); border: 1px solid palette(midlight);"
            " border-radius: 12px; }"
        )
        side_panel.setLayout(side)
        side_panel.setFixedWidth(SIDE_PANEL_WIDTH + 36)

        layout = QHBoxLayout(self)
        layout.addLayout(self._pad_column, 1)
        layout.addWidget(side_panel)

    # -- public API ---------------------------------------------------------------

    def set_predictor(self, predictor, rule=None) -> None:
        """Serve predictions from ``predictor`` (a Predictor) from now on, judged by ``rule`` (a
        ``mnist_pad.digit_rule.DigitRule``; default: the default rule); redo the current drawing."""
        from mnist_pad.digit_rule import DigitRule

        self._predictor = predictor
        self._rule = rule if rule is not None else DigitRule()
        self._shown_request_id = self._last_request_id  # the old model's answers are stale
        self._request_prediction()

    def set_collection(self, collection) -> None:
        """Save drawings into ``collection`` (a DigitCollection): digit keys, class bars, Enter."""
        self.saver.set_collection(collection)

    def set_idle_message(self, text: str) -> None:
        """What to say while no model serves (e.g. "Loading model…", "No model loaded")."""
        self._idle_message = text
        if self._predictor is None:
            self._show_neutral()

    @property
    def is_up_to_date(self) -> bool:
        """True once what is shown belongs to the newest drawing (no answer outstanding)."""
        return self._shown_request_id == self._last_request_id

    def probabilities(self) -> np.ndarray | None:
        return self.bars.probabilities()

    def network_image(self) -> np.ndarray | None:
        return self.preview.image()

    def shutdown(self) -> None:
        """Stop the prediction thread (the main window calls this when it closes)."""
        self._worker.stop()

    def closeEvent(self, event):
        self.shutdown()  # when the tab is used as a window of its own
        super().closeEvent(event)

    def keyPressEvent(self, event):
        if self.reading is not None:
            if not self._handle_number_key(event):
                super().keyPressEvent(event)
        elif not self.saver.handle_key(event):  # digit keys and Enter save the drawing
            super().keyPressEvent(event)

    def _current_guess(self) -> int | None:
        """The guess shown for this very drawing, else None."""
        probs = self.probabilities()
        if probs is None or not self.is_up_to_date or not self._shown_is_digit:
            return None
        return int(probs.argmax())

    # -- prediction round trip ----------------------------------------------------

    def _request_prediction(self) -> None:
        self._last_request_id += 1
        if self.canvas.is_empty() or self._predictor is None:
            self._shown_request_id = self._last_request_id  # whatever is in flight is stale
            self._set_reading(None)
            self._show_neutral()
            return
        self._worker.submit(
            PredictionRequest(
                request_id=self._last_request_id,
                predictor=self._predictor,
                strokes=self.canvas.strokes(),
                min_extent=self.canvas.pen_width(),
                rule=self._rule,
                read_number=not self.canvas.is_drawing(),  # calm while the pen is down
            )
        )

    def _accept(self, request_id: int) -> bool:
        """Show a result unless a newer one (or a clear, or a model swap) has superseded it.

        Dropping every result older than the newest *request* would freeze the
        bars for as long as someone draws faster than the network answers.
        """
        if request_id <= self._shown_request_id:
            return False
        self._shown_request_id = request_id
        return True

    @Slot(int, object, object, object)
    def _show_prediction(self, request_id: int, image, probs, reading) -> None:
        if not self._accept(request_id):
            return
        if probs is None:
            self._show_neutral()
            return
        if reading is not None:  # a stroke has ended: the number read replaces the one shown
            # Two digits at least that pass the rule make a number; a face (a ring and bits) stays one drawing.
            self._set_reading(reading if sum(d.is_digit for d in reading.digits) > 1 else None)
        if self.reading is not None and not self.canvas.is_drawing():
            self._show_selected_digit()
            return
        self._shown_is_digit = sure = bool(self._rule.is_digit(probs))
        probs = self._rule.calibrated(probs)  # the confidence shown means what it says
        top = int(probs.argmax())
        confidence = float(probs[top])
        if sure or self.canvas.is_drawing():
            # While the pen is down a half-drawn digit is not judged: the headline stays calm.
            self.guess_label.setText(str(top))
            self.guess_label.setEnabled(sure)
            self.confidence_label.setText(format_percent(confidence))
            self.confidence_detail.setText(
                (f"sure it is a {top}" if confidence >= SURE else f"probably a {top}") if sure else "drawing…"
            )
        else:
            self.guess_label.setText("?")
            self.guess_label.setEnabled(False)
            self.confidence_label.setText(NOT_A_DIGIT)
            self.confidence_detail.setText(f"it looks like no digit; closest is {top} ({format_percent(confidence)})")
        self.confidence_label.show()
        self.bars.set_probabilities(probs)
        self.preview.set_image(image)
        self.prediction_shown.emit()

    @Slot(int, str)
    def _show_failure(self, request_id: int, sentence: str) -> None:
        if self._accept(request_id):
            self._show_neutral(sentence)

    def _show_neutral(self, message: str | None = None) -> None:
        if message is None:
            message = EMPTY_PAD if self._predictor is not None else self._idle_message
        self._shown_is_digit = False
        self.guess_label.setText("?")
        self.guess_label.setEnabled(False)  # muted: no guess yet
        self.confidence_label.hide()
        self.confidence_detail.setText(message)
        self.bars.set_probabilities(None)
        self.preview.set_image(None)
        self.prediction_shown.emit()

    # -- a number on the pad ---------------------------------------------------------

    def _set_reading(self, reading) -> None:
        """Show ``reading`` (a NumberReading of two digits or more), or go back to one digit (None)."""
        self.reading, self._selected = reading, None
        self.number_view.setVisible(reading is not None)
        self._show_reading()
        self.digit_focused.emit(None, "")

    def _show_reading(self) -> None:
        reading = self.reading
        if reading is None:
            self.canvas.set_marks([])
            return
        rule = self._rule
        confidences = [float(rule.confidence(d.probabilities[None])[0]) for d in reading.digits]
        self.number_view.show_reading(
            [(str(d.digit), c, d.is_digit) for d, c in zip(reading.digits, confidences)], reading.probability,
            [(a.text, a.probability) for a in reading.alternatives], self._selected,
        )
        self.canvas.set_marks([
            DigitMark(d.box, f"{d.digit} · {format_percent(c)}" if d.is_digit else "no digit", d.is_digit,
                      index == self._selected)
            for index, (d, c) in enumerate(zip(reading.digits, confidences))
        ])

    @Slot(int)
    def select_digit(self, index: int) -> None:
        """Show the bars of digit ``index`` of the number (-1: of none)."""
        self._selected = index if self.reading is not None and 0 <= index < len(self.reading.digits) else None
        self._show_reading()
        self._show_selected_digit()
        self.digit_focused.emit(*self.focused_digit())

    def focused_digit(self) -> tuple[list | None, str]:
        """The selected digit of the number: its strokes and which it is; (None, "") when none is."""
        if self._selected is None:
            return None, ""
        digit = self.reading.digits[self._selected]
        return self._digit_ink(digit), f"digit {self._selected + 1} of {len(self.reading.digits)}"

    def _show_selected_digit(self) -> None:
        """The side panel for a number: the selected digit's bars and image, else how sure the whole reading is."""
        reading = self.reading
        if self._selected is None:
            self._shown_is_digit = False
            self.guess_label.setText("#")
            self.guess_label.setEnabled(reading.is_number)
            self.confidence_label.setText(reading.text if reading.is_number else NOT_A_NUMBER)
            self.confidence_label.show()
            self.confidence_detail.setText(f"{len(reading.digits)} digits read; click one to see its bars")
            self.bars.set_probabilities(None)
            self.preview.set_image(None)
        else:
            digit = reading.digits[self._selected]
            probs = self._rule.calibrated(digit.probabilities)
            self.guess_label.setText(str(digit.digit) if digit.is_digit else "?")
            self.guess_label.setEnabled(digit.is_digit)
            self.confidence_label.setText(format_percent(float(probs[digit.digit])) if digit.is_digit else NOT_A_DIGIT)
            self.confidence_label.show()
            self.confidence_detail.setText(f"digit {self._selected + 1} of {len(reading.digits)} in {reading.text}")
            self.bars.set_probabilities(probs)
            self.preview.set_image(self._digit_image(digit))
        self.prediction_shown.emit()

    def _digit_ink(self, digit) -> list:
        strokes = self.canvas.strokes()
        return [strokes[part.stroke][part.first:part.last + 1] for part in digit.ink]

    def _digit_image(self, digit):
        from mnist_pad.preprocess import strokes_to_image

        return strokes_to_image(self._digit_ink(digit), min_extent=self.canvas.pen_width())

    @Slot(int)
    def _take_alternative(self, index: int) -> None:
        from dataclasses import replace  # dataclasses would delay the first paint

        chosen = self.reading.alternatives[index]
        others = (self.reading, *self.reading.alternatives[:index], *self.reading.alternatives[index + 1:])
        self._set_reading(replace(chosen, alternatives=others))
        self._show_selected_digit()

    def _handle_number_key(self, event) -> bool:
        """With a number on the pad: a digit key corrects the selected digit and saves its ink, Enter saves
        every digit, Ctrl+C copies the number; True if the key was used."""
        from PySide6.QtGui import QGuiApplication, QKeySequence

        if event.matches(QKeySequence.StandardKey.Copy):
            QGuiApplication.clipboard().setText(self.reading.text)
            return True
        if not plain_key(event):
            return False
        if event.key() in DIGIT_KEYS and self._selected is not None:
            self._correct(self._selected, DIGIT_KEYS[event.key()])
            return True
        if event.key() in ACCEPT_KEYS:
            self.saver.save_number([(self._digit_ink(d), d.digit, int(d.probabilities.argmax()))
                                    for d in self.reading.digits])
            return True
        return False

    def _correct(self, index: int, digit: int) -> None:
        """Digit ``index`` of the number is ``digit``: say so in the reading, and save its ink as one of my digits."""
        from dataclasses import replace  # dataclasses would delay the first paint

        read = self.reading.digits[index]
        if self.saver.save_part(self._digit_ink(read), digit, int(read.probabilities.argmax())):
            digits = list(self.reading.digits)
            digits[index] = replace(read, digit=digit, is_digit=True)
            self.reading = replace(self.reading, text="".join(str(d.digit) for d in digits), digits=tuple(digits))
            self._show_reading()
            self._show_selected_digit()
