"""The Train tab's table of finished epochs, the best one in bold, the clean finish's named."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

COLUMNS = ("epoch", "loss", "acc", "val_loss", "val_acc", "seconds")
CLEAN_FINISH_TIP = "The clean finish: an epoch on undistorted drawings, from the best augmented epoch"


class EpochTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(COLUMNS), parent)
        self._val_accs: list[float] = []
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def clear_epochs(self) -> None:
        self._val_accs = []
        self.setRowCount(0)

    def add_epoch(self, result) -> None:
        """One row for a ``training.job.EpochResult``."""
        self._val_accs.append(result.val_acc)
        row = self.rowCount()
        self.insertRow(row)
        values = (result.loss, result.acc, result.val_loss, result.val_acc)
        epoch = f"{result.epoch + 1} clean" if result.clean_finish else str(result.epoch + 1)
        cells = [epoch, *(f"{v:.4f}" for v in values), f"{result.seconds:.1f}"]
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if result.clean_finish:
                item.setToolTip(CLEAN_FINISH_TIP)
            self.setItem(row, column, item)
        self._mark_best_row()
        self.scrollToBottom()

    def _mark_best_row(self) -> None:
        # The first best, as fit's checkpoint keeps it.
        best = max(range(len(self._val_accs)), key=self._val_accs.__getitem__)
        for row in range(self.rowCount()):
            for column in range(len(COLUMNS)):
                item = self.item(row, column)
                font = item.font()
                font.setBold(row == best)
                item.setFont(font)
