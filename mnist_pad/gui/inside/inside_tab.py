"""The Inside tab: what the network sees in your drawing, where it goes wrong, and its model card.

Three pages. Live: a pad that shows the window's one ``Drawing`` (the Draw tab's
pad shows it too: one drawing, one undo history), the 28x28 input, the evidence
maps and the layer strip. Mistakes: ``mistakes.MistakesPage``. Model: the card
in plain words. Nothing here computes while the tab is hidden, so the Draw
tab's latency is the same with or without it.
"""

from __future__ import annotations

import html
import os

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mnist_pad.digit_rule import DigitRule
from mnist_pad.gui.draw.canvas import DrawingCanvas
from mnist_pad.gui.draw.views import PadArea
from mnist_pad.gui.drawing import Drawing
from mnist_pad.gui.inside.inside_views import (
    AWAY,
    TOWARD,
    ClassPicker,
    PixelView,
    signed_rgb,
)
from mnist_pad.gui.inside.inside_workers import InspectionRequest, InspectionWorker
from mnist_pad.gui.inside.layer_strip import LayerStrip
from mnist_pad.gui.inside.mistakes import (
    MistakesPage,
    mnist_source,
    pen_digits_file_source,
    pen_digits_source,
)
from mnist_pad.inspection import architecture_in_words
from training.card import card_in_words

PEN_DIGITS_ENV = "MNIST_PAD_PEN_DIGITS"
VIEW_SCALE = 5


def _swatch(rgb: np.ndarray) -> str:
    return "#%02x%02x%02x" % tuple(int(c) for c in rgb)


class LivePage(QWidget):
    """The pad, the network's input, the two evidence maps and the layer strip."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.pad_slot = QVBoxLayout()
        self.input_view = PixelView("Input 28×28", VIEW_SCALE, self)
        self.evidence_view = PixelView("Evidence", VIEW_SCALE, self)
        self.contrast_view = PixelView("Why X, not Y", VIEW_SCALE, self)
        self.picker = ClassPicker(self)
        self.method_label = QLabel(self)
        self.hover_label = QLabel(self)
        self.strip = LayerStrip(self)
        self.kernels_box = QCheckBox("First-layer kernels", self)
        self._build_layout()

    def _build_layout(self) -> None:
        views = QHBoxLayout()
        for view in (self.input_view, self.evidence_view, self.contrast_view):
            column = QVBoxLayout()
            view.caption.setParent(self)
            column.addWidget(view.caption)
            column.addWidget(view)
            column.addStretch(1)
            views.addLayout(column)
        views.addStretch(1)
        legend = QLabel(
            f"<span style='color:{_swatch(TOWARD)}'>■</span> ink pushing toward the class &nbsp; "
            f"<span style='color:{_swatch(AWAY)}'>■</span> ink pushing away from it",
            self,
        )
        self.method_label.setEnabled(False)
        self.method_label.setWordWrap(True)  # a failure is a long sentence; it must not widen the window
        self.hover_label.setEnabled(False)
        self.hover_label.setText("Hover over a map to see which input pixels its cell sees.")
        self.kernels_box.setChecked(True)
        self.kernels_box.setToolTip("Show the 3×3 kernels of the first layer at the start of the strip")
        self.kernels_box.toggled.connect(self.strip.set_kernels_visible)
        right = QVBoxLayout()
        right.addLayout(views)
        right.addWidget(legend)
        right.addWidget(self.method_label)
        right.addSpacing(6)
        right.addWidget(self.picker)
        right.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(self.pad_slot, 1)
        top.addLayout(right)
        scroller = QScrollArea(self)
        scroller.setWidget(self.strip)
        scroller.setWidgetResizable(False)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        # Always the strip's height (it does not depend on the model): the page never grows when a
        # model's strip arrives, and only a wide strip scrolls, sideways.
        scroll_bar = scroller.horizontalScrollBar().sizeHint().height()
        scroller.setFixedHeight(self.strip.sizeHint().height() + scroll_bar)
        scroller.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        strip_header = QHBoxLayout()
        strip_header.addWidget(self.hover_label, 1)
        strip_header.addWidget(self.kernels_box)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addLayout(strip_header)
        layout.addWidget(scroller)

    def show_inside(self, inside, rule=None) -> None:
        """Show an ``mnist_pad.inspection.Inside``, judged by ``rule`` (the model's ``DigitRule``, as the
        Draw tab judges it); None: an empty pad."""
        if inside is None:
            for view in (self.input_view, self.evidence_view, self.contrast_view):
                view.set_rgb(None)
            self.evidence_view.caption.setText("Evidence")
            self.contrast_view.caption.setText("Why X, not Y")
            self.method_label.setText("Draw a digit: every layer's maps fill in as you draw.")
            self.strip.set_outputs(None)
            return
        grey = np.repeat((inside.image[..., None] * 255).astype(np.uint8), 3, axis=2)
        self.input_view.set_rgb(grey)
        self.evidence_view.set_rgb(signed_rgb(inside.evidence, inside.image))
        verdict = "" if rule is None or rule.is_digit(inside.probabilities) else " · not a digit"
        self.evidence_view.caption.setText(f"Evidence for {inside.top}{verdict}")
        if inside.contrast is None:
            self.contrast_view.set_rgb(None)
            self.contrast_view.caption.setText(f"Why {inside.top}: pick another digit")
        else:
            self.contrast_view.set_rgb(signed_rgb(inside.contrast, inside.image))
            self.contrast_view.caption.setText(f"Why {inside.top}, not {inside.versus}")
        self.method_label.setText(
            "SmoothGrad: the gradient averaged over 25 noisy copies (pen lifted)"
            if inside.smooth
            else "Plain gradient of the score before softmax (pen moving)"
        )
        self.strip.set_outputs(inside.outputs)

    def set_highlight(self, pixels, description: str) -> None:
        for view in (self.input_view, self.evidence_view, self.contrast_view):
            view.set_highlight(pixels)
        self.hover_label.setText(description or "Hover over a map to see which input pixels its cell sees.")


class InsideTab(QWidget):
    """Live look inside the network, its mistakes, and its card."""

    pad_requested = Signal()  # a digit was put on the pad: show the Draw tab
    inside_shown = Signal()  # the live page shows the newest drawing (or the empty pad)

    def __init__(self, drawing: Drawing, mnist_path=lambda: None, parent: QWidget | None = None):
        """``drawing``: the window's one drawing; ``mnist_path()``: the MNIST to evaluate on (None:
        ``$MNIST_PAD_DATA``, else Keras' download)."""
        super().__init__(parent)
        self.canvas = DrawingCanvas(drawing)
        self._model = None  # mnist_pad.model_io.LoadedModel
        self._card_text = ""  # the card in words, as HTML
        self._focus: list | None = None  # the strokes of the one digit of a number looked at, or None
        self._rule = None  # the model's not-a-digit rule (mnist_pad.digit_rule.DigitRule)
        self._worker: InspectionWorker | None = None  # started when the live page first shows
        self._last_request_id = 0
        self._shown_request_id = 0

        self.live = LivePage(self)
        self.live.pad_slot.addWidget(PadArea(self.canvas), 1)
        self.mistakes = MistakesPage(self)
        self.card_label = QLabel(self)
        self.card_label.setWordWrap(True)
        self.card_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.card_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.card_label.setMargin(16)  # not contentsMargins: the scroll area resets those
        card_page = QScrollArea(self)  # a long card in a short window scrolls rather than being cut
        card_page.setWidgetResizable(True)
        card_page.setFrameShape(QScrollArea.Shape.NoFrame)
        card_page.setWidget(self.card_label)
        self.pages = QTabWidget(self)
        self.pages.setDocumentMode(True)
        self.pages.addTab(self.live, "What it sees")
        self.pages.addTab(self.mistakes, "Where it goes wrong")
        self.pages.addTab(card_page, "Model card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        self.mistakes.add_source(mnist_source(mnist_path))
        pen_digits = os.environ.get(PEN_DIGITS_ENV)
        if pen_digits:
            self.mistakes.add_source(pen_digits_file_source(pen_digits, f"Pen digits (${PEN_DIGITS_ENV})"))
        self.mistakes.strokes_requested.connect(self._put_on_pad)
        self.live.picker.changed.connect(lambda _: self._request())
        self.live.strip.hovered.connect(self.live.set_highlight)
        self.canvas.strokes_changed.connect(self._request)
        self.pages.currentChanged.connect(lambda _: self._request())

    # -- public API ---------------------------------------------------------------

    def set_model(self, model, predictor) -> None:
        """Follow a newly loaded model (``model_io.LoadedModel``) and its predictor.

        Its Keras network (TensorFlow) is loaded by the worker when the tab first looks
        inside, never here: the window calls this on its thread at every model switch.
        """
        self._model = model
        self._rule = DigitRule.for_card(model.card)
        self._shown_request_id = self._last_request_id  # the old model's answers are stale
        paragraphs = [f"<h3>{html.escape(model.path.name)}</h3>"]
        paragraphs += [f"<p>{html.escape(line)}</p>" for line in card_in_words(model.card, model.path.name)]
        self._card_text = "".join(paragraphs)
        self.card_label.setText(self._card_text)
        self.mistakes.set_model(str(model.path), predictor)
        self._request()

    def set_focus(self, strokes: list | None, which: str = "") -> None:
        """Look inside one digit of a number (its ``strokes``, ``which`` one it is), or the whole drawing (None)."""
        self._focus = strokes
        self.live.input_view.caption.setText(f"Input 28×28 · {which}" if strokes is not None else "Input 28×28")
        self._request()

    def add_pen_digits_source(self, name: str, load_digits, version=None) -> None:
        """Another data set for "where it goes wrong": ``load_digits()`` returns a PenDigits
        (called on a worker thread); ``version()`` identifies its contents for the cache."""
        self.mistakes.add_source(pen_digits_source(name, load_digits, version))

    @property
    def is_up_to_date(self) -> bool:
        return self._shown_request_id == self._last_request_id

    def shutdown(self) -> None:
        self.mistakes.shutdown()
        if self._worker is not None:
            self._worker.stop()

    def showEvent(self, event):
        super().showEvent(event)
        self._request()

    @Slot(list)
    def _put_on_pad(self, strokes: list) -> None:
        self.canvas.set_strokes(strokes)
        self.pad_requested.emit()

    # -- live inspection round trip -------------------------------------------------

    def _request(self) -> None:
        if self._model is None or not self.live.isVisible():
            return  # hidden: nothing to compute; showing the page asks again
        if self._worker is None:
            self._worker = InspectionWorker(self)
            self._worker.described.connect(self._described)
            self._worker.inspected.connect(self._inspected)
            self._worker.failed.connect(self._failed)
        self._last_request_id += 1
        self._worker.submit(
            InspectionRequest(
                request_id=self._last_request_id,
                model=self._model,
                strokes=self.canvas.strokes() if self._focus is None else self._focus,
                min_extent=self.canvas.pen_width(),
                versus=self.live.picker.value(),
                smooth=not self.canvas.is_drawing(),
            )
        )

    def _accept(self, request_id: int) -> bool:
        if request_id <= self._shown_request_id:
            return False
        self._shown_request_id = request_id
        return True

    @Slot(object, object, object)
    def _described(self, model, layers, kernels) -> None:
        if model is self._model:
            self.live.strip.set_model(layers, kernels)
            # The worker has loaded the network by now, so naming its layers costs nothing here.
            self.card_label.setText(f"{self._card_text}<p>Layers: {html.escape(architecture_in_words(model.model))}</p>")

    @Slot(int, object)
    def _inspected(self, request_id: int, inside) -> None:
        if self._accept(request_id):
            self.live.show_inside(inside, self._rule)
            self.inside_shown.emit()

    @Slot(int, str)
    def _failed(self, request_id: int, sentence: str) -> None:
        if self._accept(request_id):
            self.live.show_inside(None)
            self.live.method_label.setText(sentence)
            self.inside_shown.emit()
