"""The confusion matrix and the gallery of examples behind one of its cells."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QImage,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QListView,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QWidget,
)

from mnist_pad.gui.draw.views import format_percent
from mnist_pad.gui.style import ACCENT
from mnist_pad.inspection import Predictions, row_percentages

GALLERY_LIMIT = 300  # cards shown for one cell, the worst first
CARD_SCALE = 3
RIGHT = QColor(53, 208, 127)
WRONG = QColor(255, 120, 40)


class ConfusionMatrixView(QWidget):
    """Ten by ten cells, rows true, columns predicted: the count and the row percentage of each."""

    cell_clicked = Signal(int, int)  # true, predicted
    HEADER = 26

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._confusion: np.ndarray | None = None
        self._normalised = True
        self._selected: tuple[int, int] | None = None
        self.setMinimumSize(360, 360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip(
            "Rows: the true digit; columns: what the network said. Click a cell to see its examples."
        )

    def set_confusion(self, confusion: np.ndarray | None) -> None:
        self._confusion = confusion
        self._selected = None
        self.update()

    def set_normalised(self, normalised: bool) -> None:
        """Colour and headline each cell by its row percentage (True) or by its count."""
        self._normalised = normalised
        self.update()

    def select(self, true: int, predicted: int) -> None:
        self._selected = (true, predicted)
        self.update()

    def cell_rect(self, true: int, predicted: int) -> QRectF:
        side = self._cell_side()
        return QRectF(self.HEADER + predicted * side, self.HEADER + true * side, side, side)

    def heightForWidth(self, width: int) -> int:
        return width

    def _cell_side(self) -> float:
        return max(1.0, (min(self.width(), self.height()) - self.HEADER) / 10)

    def mousePressEvent(self, event):
        side = self._cell_side()
        col = int((event.position().x() - self.HEADER) // side)
        row = int((event.position().y() - self.HEADER) // side)
        if self._confusion is not None and 0 <= row < 10 and 0 <= col < 10:
            self.select(row, col)
            self.cell_clicked.emit(row, col)
            event.accept()
        else:
            super().mousePressEvent(event)

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        faint = QColor(text)
        faint.setAlphaF(0.5)
        side = self._cell_side()
        painter.setPen(faint)
        for digit in range(10):
            painter.drawText(
                QRectF(self.HEADER + digit * side, 0, side, self.HEADER),
                Qt.AlignmentFlag.AlignCenter,
                str(digit),
            )
            painter.drawText(
                QRectF(0, self.HEADER + digit * side, self.HEADER, side),
                Qt.AlignmentFlag.AlignCenter,
                str(digit),
            )
        if self._confusion is None:
            return
        percent = row_percentages(self._confusion)
        mistakes = self._confusion - np.diag(np.diag(self._confusion))
        worst_count = max(int(mistakes.max()), 1)
        big, small = QFont(self.font()), QFont(self.font())
        big.setPixelSize(max(9, int(side / 3.6)))
        big.setBold(True)
        small.setPixelSize(max(8, int(side / 5)))
        for true in range(10):
            for predicted in range(10):
                rect = self.cell_rect(true, predicted).adjusted(1, 1, -1, -1)
                count, share = int(self._confusion[true, predicted]), percent[true, predicted]
                colour = QColor(RIGHT if true == predicted else WRONG)
                if true == predicted:
                    strength = share / 100
                elif self._normalised:
                    strength = min(share / 10, 1.0) ** 0.5  # 10% of a class going one wrong way is a lot
                else:
                    strength = (count / worst_count) ** 0.5
                colour.setAlphaF(0.08 + 0.75 * strength if count else 0.04)
                painter.fillRect(rect, colour)
                if not count:
                    continue
                headline, detail = (
                    (f"{share:.1f}%", f"{count:,}") if self._normalised else (f"{count:,}", f"{share:.1f}%")
                )
                painter.setPen(text)
                painter.setFont(big)
                painter.drawText(
                    rect.adjusted(0, 0, 0, -rect.height() * 0.3), Qt.AlignmentFlag.AlignCenter, headline
                )
                painter.setFont(small)
                painter.setPen(faint)
                painter.drawText(
                    rect.adjusted(0, rect.height() * 0.45, 0, 0), Qt.AlignmentFlag.AlignCenter, detail
                )
        if self._selected is not None:
            painter.setPen(QPen(ACCENT, 2.5))
            painter.drawRect(self.cell_rect(*self._selected).adjusted(1, 1, -1, -1))


class Gallery(QListWidget):
    """Cards of the examples of one (true, predicted) cell: image, labels, probability."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(28 * CARD_SCALE, 28 * CARD_SCALE))
        self.setGridSize(QSize(28 * CARD_SCALE + 34, 28 * CARD_SCALE + 44))
        self.setWordWrap(True)
        self.setUniformItemSizes(True)

    def show_examples(self, predictions: Predictions, indices: np.ndarray) -> None:
        self.clear()
        for index in indices[:GALLERY_LIMIT]:
            index = int(index)
            true = int(predictions.data.labels[index])
            probs = predictions.probabilities[index]
            said = int(np.argmax(probs))
            item = QListWidgetItem(
                _icon(predictions.data.images[index]), f"{true} → {said}\n{format_percent(probs[said])}"
            )
            item.setData(Qt.ItemDataRole.UserRole, index)
            hint = (
                "Click to put its strokes on the pad."
                if predictions.data.digits is not None
                else "An MNIST scan: it has no strokes."
            )
            item.setToolTip(
                f"true {true}, predicted {said} with {format_percent(probs[said])};"
                f" {true} had {format_percent(probs[true])}. {hint}"
            )
            self.addItem(item)

    def example_indices(self) -> list[int]:
        return [self.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.count())]


def _icon(image: np.ndarray) -> QIcon:
    grey = np.ascontiguousarray(np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8))
    qimage = QImage(grey.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
    side = 28 * CARD_SCALE
    return QIcon(QPixmap.fromImage(qimage.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio)))
