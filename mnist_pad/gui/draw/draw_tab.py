"""The Draw tab: the pad, the 28x28 image the network receives, and its ten class probabilities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from mnist_pad.gui.draw.canvas import DrawingCanvas
from mnist_pad.gui.draw.digit_saver import DigitSaver
from mnist_pad.gui.style import ACCENT, BUTTON_STYLE, FRAME
from mnist_pad.gui.workers import PredictionRequest, PredictionWorker

# numpy is imported where a prediction arrives, not here: the window's first frame
# (no prediction yet) must not wait for numpy's import.
if TYPE_CHECKING:
    import numpy as np

TRACK = QColor(127, 127, 127, 40)
BAR = QColor(127, 127, 127, 110)
PREVIEW_SCALE = 5  # 28 px -> 140 px, nearest neighbour
SIDE_PANEL_WIDTH = 300
NO_MODEL_YET = "Loading model…"
EMPTY_PAD = "Draw a digit"


class ProbabilityBars(QWidget):
    """Ten horizontal bars, one per digit, the most likely one highlighted; a click names a digit."""

    ROW_HEIGHT = 22
    digit_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._probs: np.ndarray | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(10 * self.ROW_HEIGHT)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click a digit (or press its key) to save your drawing as that digit")

    def sizeHint(self) -> QSize:
        return QSize(SIDE_PANEL_WIDTH, 10 * self.ROW_HEIGHT)

    def set_probabilities(self, probs: np.ndarray | None) -> None:
        self._probs = None if probs is None else _float32_copy(probs)
        self.update()

    def probabilities(self) -> np.ndarray | None:
        return None if self._probs is None else self._probs.copy()

    def mousePressEvent(self, event):
        digit = int(event.position().y() * 10 // max(1, self.height()))
        if event.button() == Qt.MouseButton.LeftButton and 0 <= digit <= 9:
            self.digit_clicked.emit(digit)
            event.accept()
        else:
            super().mousePressEvent(event)

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        faint_text = QColor(text_colour)
        faint_text.setAlphaF(0.55)
        top = None if self._probs is None else int(self._probs.argmax())
        row = self.height() / 10
        label_width, value_width, gap = 18.0, 50.0, 10.0
        track_left = label_width + gap
        track_width = max(1.0, self.width() - track_left - gap - value_width)
        bar_height = min(12.0, row * 0.5)
        base_font = QFont(self.font())
        bold_font = QFont(base_font)
        bold_font.setBold(True)

        for digit in range(10):
            y = digit * row
            probability = 0.0 if self._probs is None else float(self._probs[digit])
            is_top = digit == top
            painter.setFont(bold_font if is_top else base_font)
            painter.setPen(text_colour if is_top else faint_text)
            painter.drawText(QRectF(0, y, label_width, row), Qt.AlignmentFlag.AlignCenter, str(digit))

            track = QRectF(track_left, y + (row - bar_height) / 2, track_width, bar_height)
            _fill_rounded(painter, track, TRACK)
            filled_width = track_width * probability
            if filled_width >= 1.0:
                filled = QRectF(track.x(), track.y(), filled_width, bar_height)
                _fill_rounded(painter, filled, ACCENT if is_top else BAR)

            if self._probs is not None:
                painter.setPen(text_colour if is_top else faint_text)
                painter.drawText(
                    QRectF(track.right() + gap, y, value_width, row),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    format_percent(probability),
                )


class NetworkInputView(QWidget):
    """The 28x28 image the network receives, magnified without smoothing."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._image: np.ndarray | None = None
        self._qimage: QImage | None = None
        side = 28 * PREVIEW_SCALE + 2
        self.setFixedSize(side, side)
        self.setToolTip("The 28×28 image the network receives: your drawing, made the way MNIST was made.")

    def set_image(self, image: np.ndarray | None) -> None:
        self._image = None if image is None else _float32_copy(image)
        if self._image is None:
            self._qimage = None
        else:
            import numpy as np

            grey = np.ascontiguousarray(np.clip(self._image * 255 + 0.5, 0, 255).astype(np.uint8))
            self._qimage = QImage(grey.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
        self.update()

    def image(self) -> np.ndarray | None:
        return None if self._image is None else self._image.copy()

    def paintEvent(self, event):
        painter = QPainter(self)
        inner = QRectF(1, 1, self.width() - 2, self.height() - 2)
        painter.fillRect(self.rect(), FRAME)  # the thin frame
        painter.fillRect(inner, Qt.GlobalColor.black)
        if self._qimage is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            painter.drawImage(inner, self._qimage)


class PadArea(QWidget):
    """The pad as the largest square that fits, its buttons right below it at any window size."""

    GAP = 8

    def __init__(self, canvas: DrawingCanvas, buttons: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self._canvas, self._buttons = canvas, buttons
        canvas.setParent(self)
        buttons.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def _below_pad(self) -> int:
        return self.GAP + self._buttons.sizeHint().height()

    def minimumSizeHint(self) -> QSize:
        # As wide as the buttons, but only as tall as the smallest pad: the Inside tab shares it with
        # the layer strip, and the pad stays square by centring, so it need not fill the width.
        width = max(self._canvas.minimumWidth(), self._buttons.sizeHint().width())
        return QSize(width, self._canvas.minimumHeight() + self._below_pad())

    def sizeHint(self) -> QSize:
        return QSize(520, 520 + self._below_pad())

    def resizeEvent(self, event):
        side = max(0, min(self.width(), self.height() - self._below_pad()))
        self._canvas.setGeometry((self.width() - side) // 2, 0, side, side)
        row = self._buttons.sizeHint()
        left = (self.width() - row.width()) // 2
        self._buttons.setGeometry(left, side + self.GAP, row.width(), row.height())


class DrawTab(QWidget):
    """Draw on the left; the network's guess, its ten probabilities and its input on the right."""

    prediction_shown = Signal()  # the guess, bars and preview now show the newest result

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.canvas = DrawingCanvas(self)
        self.bars = ProbabilityBars(self)
        self.preview = NetworkInputView(self)
        self.guess_label = QLabel(self)
        self.confidence_label = QLabel(self)
        self.confidence_detail = QLabel(self)
        self.clear_button = QPushButton("Clear", self)
        self.undo_button = QPushButton("Undo", self)
        self.redo_button = QPushButton("Redo", self)
        self.saver = DigitSaver(self.canvas, self._current_guess, BUTTON_STYLE, self)
        self._build_layout()
        self.setFocusProxy(self.canvas)  # Esc, Ctrl+Z reach the pad whenever the tab has focus

        self._predictor = None
        self._idle_message = NO_MODEL_YET
        self._last_request_id = 0
        self._shown_request_id = 0  # results up to this id are superseded
        self._worker = PredictionWorker(self)
        self._worker.predicted.connect(self._show_prediction)
        self._worker.failed.connect(self._show_failure)

        stack = self.canvas.undo_stack
        self.clear_button.clicked.connect(self.canvas.clear)
        self.undo_button.clicked.connect(stack.undo)
        self.redo_button.clicked.connect(stack.redo)
        stack.canUndoChanged.connect(self.undo_button.setEnabled)
        stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.canvas.strokes_changed.connect(self._request_prediction)
        self.bars.digit_clicked.connect(self.saver.save_as)
        self._request_prediction()

    def _build_layout(self) -> None:
        for button, tip in (
            (self.clear_button, "Clear the pad (Esc)"),
            (self.undo_button, "Undo the last stroke (Ctrl+Z)"),
            (self.redo_button, "Redo the stroke (Ctrl+Shift+Z)"),
        ):
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys keep going to the pad
            button.setMinimumWidth(84)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)

        button_row = QWidget(self)
        buttons = QHBoxLayout(button_row)
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.clear_button, self.undo_button, self.redo_button):
            button.setStyleSheet(BUTTON_STYLE)
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.saver.collect_button)
        self.pad_area = PadArea(self.canvas, button_row, self)  # the Inside tab borrows it
        self._pad_column = QVBoxLayout()
        self._pad_column.addWidget(self.saver.collect_bar)
        self._pad_column.addWidget(self.pad_area, 1)

        guess_font = QFont(self.font())
        guess_font.setPixelSize(76)
        guess_font.setBold(True)
        self.guess_label.setFont(guess_font)
        self.guess_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.guess_label.setFixedWidth(96)
        self.confidence_label.setFont(_pixel_font(self.font(), 26, bold=True))
        self.confidence_detail.setFont(_pixel_font(self.font(), 14))
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
        preview_caption.setFont(_pixel_font(self.font(), 11, bold=True))
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

    def set_predictor(self, predictor) -> None:
        """Serve predictions from ``predictor`` (a Predictor) from now on; redo the current drawing."""
        self._predictor = predictor
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

    def showEvent(self, event):
        super().showEvent(event)
        if self.pad_area.parent() is not self:  # back from the Inside tab, which borrowed it
            self._pad_column.addWidget(self.pad_area, 1)
            self.pad_area.show()

    def closeEvent(self, event):
        self.shutdown()  # when the tab is used as a window of its own
        super().closeEvent(event)

    def keyPressEvent(self, event):
        if not self.saver.handle_key(event):  # digit keys and Enter save the drawing
            super().keyPressEvent(event)

    def _current_guess(self) -> int | None:
        """The guess shown for this very drawing, else None."""
        probs = self.probabilities()
        return None if probs is None or not self.is_up_to_date else int(probs.argmax())

    # -- prediction round trip ----------------------------------------------------

    def _request_prediction(self) -> None:
        self.clear_button.setEnabled(not self.canvas.is_empty())
        self._last_request_id += 1
        if self.canvas.is_empty() or self._predictor is None:
            self._shown_request_id = self._last_request_id  # whatever is in flight is stale
            self._show_neutral()
            return
        self._worker.submit(
            PredictionRequest(
                request_id=self._last_request_id,
                predictor=self._predictor,
                strokes=self.canvas.strokes(),
                min_extent=self.canvas.pen_width(),
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

    @Slot(int, object, object)
    def _show_prediction(self, request_id: int, image, probs) -> None:
        if not self._accept(request_id):
            return
        if probs is None:
            self._show_neutral()
            return
        top = int(probs.argmax())
        self.guess_label.setText(str(top))
        self.guess_label.setEnabled(True)
        self.confidence_label.setText(format_percent(float(probs[top])))
        self.confidence_label.show()
        self.confidence_detail.setText(f"sure it is a {top}")
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
        self.guess_label.setText("?")
        self.guess_label.setEnabled(False)  # muted: no guess yet
        self.confidence_label.hide()
        self.confidence_detail.setText(message)
        self.bars.set_probabilities(None)
        self.preview.set_image(None)
        self.prediction_shown.emit()


def _float32_copy(array) -> np.ndarray:
    import numpy as np

    return np.array(array, np.float32)  # np.array copies


def format_percent(probability: float) -> str:
    return f"{probability * 100:.1f}%"


def _pixel_font(base: QFont, pixels: int, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


def _fill_rounded(painter: QPainter, rect: QRectF, colour: QColor) -> None:
    path = QPainterPath()
    radius = min(rect.height(), rect.width()) / 2
    path.addRoundedRect(rect, radius, radius)
    painter.fillPath(path, colour)
