"""Where it goes wrong: a confusion matrix, the most-confused pairs, and a gallery of examples.

The data sets are a list of ``EvaluationSet``s: MNIST test, pen-written digits
(a file, or any callable returning ``PenDigits``, such as the user's own
digits). Evaluating one runs in an ``EvaluationWorker``; its result is kept per
model file version and data set version, so coming back costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mnist_pad.gui.dialogs import show_error
from mnist_pad.gui.inside.confusion_view import (
    GALLERY_LIMIT,
    ConfusionMatrixView,
    Gallery,
)
from mnist_pad.gui.inside.inside_workers import EvaluationWorker
from mnist_pad.gui.threads import keep_until_finished
from mnist_pad.inspection import (
    LabelledImages,
    Predictions,
    file_key,
    mnist_test_images,
    most_confused,
    pen_digit_images,
)


@dataclass(frozen=True)
class EvaluationSet:
    """A labelled data set to evaluate on."""

    name: str
    load: Callable[[], LabelledImages]  # runs on a worker thread
    version: Callable[[], object] | None = None  # identifies the data's contents; None: never cached


def mnist_source(data_path: Callable[[], str | None]) -> EvaluationSet:
    """MNIST's test split from ``data_path()`` (else ``$MNIST_PAD_DATA``, else Keras' download).

    A callable, so that it follows the data the Train tab is set to.
    """
    import os

    from training.data import DATA_ENV_VAR, load_mnist

    def load() -> LabelledImages:
        return mnist_test_images(load_mnist(data_path()))

    def version():
        source = data_path() or os.environ.get(DATA_ENV_VAR)
        return file_key(source) if source and Path(source).is_file() else source

    return EvaluationSet("MNIST test", load, version)


def pen_digits_source(
    name: str, load_digits: Callable, version: Callable[[], object] | None = None
) -> EvaluationSet:
    """Pen-written digits from ``load_digits()`` (a ``PenDigits``), rendered as the pad would."""
    return EvaluationSet(name, lambda: pen_digit_images(load_digits()), version)


def pen_digits_file_source(path: str | Path, name: str | None = None) -> EvaluationSet:
    from mnist_pad.pen_digits import load_pen_digits

    path = Path(path)
    return pen_digits_source(
        name or f"Pen digits: {path.name}", lambda: load_pen_digits(path), lambda: file_key(path)
    )


class MistakesPage(QWidget):
    """Pick a data set; see the confusion matrix, the most-confused pairs and their examples."""

    strokes_requested = Signal(list)  # a pen digit's strokes, in pad units, to put on the pad
    evaluated = Signal()  # a result is shown

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._sources: list[EvaluationSet] = []
        self._predictor = None
        self._model_key = None
        self._cache: dict[tuple, Predictions] = {}
        self._failed: set[tuple] = set()  # not retried until asked for
        self._worker: EvaluationWorker | None = None
        self._shown: Predictions | None = None

        self.source_box = QComboBox(self)
        self.open_button = QPushButton("Open pen digits…", self)
        self.evaluate_button = QPushButton("Evaluate", self)
        self.progress = QProgressBar(self)
        self.normalise_box = QCheckBox("Row %", self)
        self.summary = QLabel(self)
        self.matrix = ConfusionMatrixView(self)
        self.pairs = QListWidget(self)
        self.gallery_caption = QLabel(self)
        self.gallery = Gallery(self)
        self._build_layout()

        self.source_box.currentIndexChanged.connect(lambda _: self.refresh())
        self.open_button.clicked.connect(self.choose_pen_digits)
        self.evaluate_button.clicked.connect(lambda: self.refresh(retry=True))
        self.normalise_box.toggled.connect(self.matrix.set_normalised)
        self.matrix.cell_clicked.connect(self.show_cell)
        self.pairs.itemClicked.connect(self._pair_clicked)
        self.gallery.itemClicked.connect(self._card_clicked)

    def _build_layout(self) -> None:
        self.normalise_box.setChecked(True)
        self.normalise_box.setToolTip(
            "Colour and headline each cell by the share of its true class, else by count"
        )
        self.progress.setMaximumWidth(200)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.pairs.setFixedWidth(130)
        for label in (self.summary, self.gallery_caption):  # long sentences wrap, not widen the window
            label.setWordWrap(True)
        self.pairs.setToolTip("The pairs mixed up most often. Click one to see its examples.")
        self.evaluate_button.setToolTip("Evaluate the current model on this data again")
        top = QHBoxLayout()
        top.addWidget(QLabel("Data:", self))
        top.addWidget(self.source_box, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.evaluate_button)
        top.addWidget(self.progress)
        top.addWidget(self.normalise_box)
        pairs_column = QVBoxLayout()
        pairs_column.addWidget(QLabel("Most confused", self))
        pairs_column.addWidget(self.pairs, 1)
        gallery_column = QVBoxLayout()
        gallery_column.addWidget(self.gallery_caption)
        gallery_column.addWidget(self.gallery, 1)
        body = QHBoxLayout()
        body.addWidget(self.matrix, 5)
        body.addLayout(pairs_column)
        body.addLayout(gallery_column, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)
        self.gallery_caption.setText("Click a cell or a pair to see its examples, the worst first.")

    # -- public API ---------------------------------------------------------------

    def add_source(self, source: EvaluationSet, select: bool = False) -> None:
        self._sources.append(source)
        self.source_box.addItem(source.name)
        if select:
            self.source_box.setCurrentIndex(len(self._sources) - 1)

    def set_model(self, path: str, predictor) -> None:
        """Evaluate with this model from now on (its results are cached by file version)."""
        self._predictor = predictor
        try:
            self._model_key = file_key(path)
        except OSError:
            self._model_key = (path, id(predictor))
        self._failed.clear()
        self.refresh()

    def predictions(self) -> Predictions | None:
        """What the matrix shows now."""
        return self._shown

    def choose_pen_digits(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open pen digits", "", "Pen digits (*.npz)")
        if path:
            self.add_source(pen_digits_file_source(path), select=True)

    def refresh(self, retry: bool = False) -> None:
        """Show the selected data set's result for the current model, evaluating it if needed.

        Runs only while the page is visible: evaluating takes both cores for seconds.
        """
        source = self._current_source()
        if source is None or self._predictor is None or not self.isVisible():
            return
        key = self._key(source)
        if key is not None and key in self._cache and not retry:
            self._show(self._cache[key], source)
            return
        if (key in self._failed and not retry) or self._worker is not None and self._worker.key == key:
            return
        self._start(source, key)

    def show_cell(self, true: int, predicted: int) -> None:
        if self._shown is None:
            return
        self.matrix.select(true, predicted)
        indices = self._shown.examples(true, predicted)
        self.gallery.show_examples(self._shown, indices)
        shown = min(len(indices), GALLERY_LIMIT)
        more = f", the {shown} worst shown" if shown < len(indices) else ""
        self.gallery_caption.setText(
            f"True {true}, predicted {predicted}: {len(indices):,} examples{more}, worst first."
        )

    def shutdown(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self._worker.wait()

    def showEvent(self, event):
        super().showEvent(event)
        self.refresh()

    def hideEvent(self, event):
        super().hideEvent(event)
        if self._worker is not None:  # it takes both cores: not while the Draw tab is in use
            self._worker.cancel()
            self._worker = None
            self.progress.hide()
            self.summary.setText("Evaluation paused; it goes on when this page shows again.")

    # -- evaluation -----------------------------------------------------------------

    def _current_source(self) -> EvaluationSet | None:
        index = self.source_box.currentIndex()
        return self._sources[index] if 0 <= index < len(self._sources) else None

    def _key(self, source: EvaluationSet) -> tuple | None:
        if source.version is None:
            return None
        try:
            return (self._model_key, source.name, source.version())
        except OSError:
            return None

    def _start(self, source: EvaluationSet, key) -> None:
        if self._worker is not None:
            self._worker.cancel()  # its result would be for another choice
        worker = EvaluationWorker(self._predictor, source, key)  # no parent: see mnist_pad.gui.threads
        keep_until_finished(worker, worker.cancel)
        worker.progressed.connect(self._progressed)
        worker.evaluated.connect(self._evaluated)
        worker.failed.connect(self._evaluation_failed)
        self._worker = worker
        self.matrix.set_confusion(None)
        self.pairs.clear()
        self.gallery.clear()
        self.summary.setText(f"Evaluating on {source.name}…")
        self.progress.setRange(0, 0)
        self.progress.show()
        worker.start()

    @Slot(int, int)
    def _progressed(self, done: int, total: int) -> None:
        if self.sender() is self._worker:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    @Slot(object)
    def _evaluated(self, predictions: Predictions) -> None:
        worker = self.sender()
        if worker is not self._worker:
            return
        self._worker = None
        self.progress.hide()
        if worker.key is not None:
            self._cache[worker.key] = predictions
        self._show(predictions, worker.source)

    @Slot(str)
    def _evaluation_failed(self, sentence: str) -> None:
        worker = self.sender()
        if worker is not self._worker:
            return
        self._worker = None
        self.progress.hide()
        self._failed.add(worker.key)
        self.summary.setText(sentence)
        self.show_error(sentence)

    def show_error(self, text: str) -> None:
        """One sentence in a modal box; tests replace this to read the text."""
        show_error(self, text)

    def _show(self, predictions: Predictions, source: EvaluationSet) -> None:
        self._shown = predictions
        confusion = predictions.confusion
        self.matrix.set_confusion(confusion)
        right, total = int(np.trace(confusion)), int(confusion.sum())
        if total:
            self.summary.setText(f"{source.name}: {right:,} of {total:,} right ({right / total * 100:.2f}%).")
        else:
            self.summary.setText(f"{source.name}: no digits to evaluate yet.")
        self.pairs.clear()
        for true, predicted, count in most_confused(confusion):
            item = QListWidgetItem(f"{true} → {predicted}   ×{count}")
            item.setData(Qt.ItemDataRole.UserRole, (true, predicted))
            self.pairs.addItem(item)
        self.gallery.clear()
        self.gallery_caption.setText("Click a cell or a pair to see its examples, the worst first.")
        self.evaluated.emit()

    def _pair_clicked(self, item: QListWidgetItem) -> None:
        self.show_cell(*item.data(Qt.ItemDataRole.UserRole))

    def _card_clicked(self, item: QListWidgetItem) -> None:
        digits = self._shown.data.digits if self._shown is not None else None
        if digits is None:
            return
        from mnist_pad.pen_digits import in_pad_units

        self.strokes_requested.emit(in_pad_units(digits.strokes(item.data(Qt.ItemDataRole.UserRole))))
