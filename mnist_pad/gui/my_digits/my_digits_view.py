"""The My digits tab: every saved digit as a thumbnail, grouped by digit with counts; delete and relabel, with undo.

Select thumbnails (Ctrl/Shift add to the selection), then Delete removes them
and a digit key relabels them; both are single undoable steps (Ctrl+Z, Ctrl+Shift+Z).
The tab reloads from the store whenever it is shown, and on every change while it is visible.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Slot
from PySide6.QtGui import (
    QAction,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from mnist_pad.gui.draw.canvas import INK_COLOUR, PAD_COLOUR, REDO_KEYS, UNDO_KEYS
from mnist_pad.gui.draw.digit_saver import DIGIT_KEYS, plain_key
from mnist_pad.gui.my_digits.digit_collection import DigitCollection
from mnist_pad.gui.style import MISREAD
from mnist_pad.my_digits import Sample
from mnist_pad.preprocess import PAD_PEN_WIDTH

THUMB = 64  # px
GRID_GAP = 8
NO_DIGITS = ("No digits saved yet. In the Draw tab, draw a digit and press its key (0–9), "
             "click its bar, or use Collect my digits.")
DELETE_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
ID_ROLE = Qt.ItemDataRole.UserRole


def thumbnail(sample: Sample, side: int = THUMB) -> QPixmap:
    """The strokes drawn as on the pad, fitted to the square; the network's other reading in a corner."""
    pixmap = QPixmap(side, side)
    pixmap.fill(PAD_COLOUR)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    points = np.concatenate(sample.strokes)
    low, high = points.min(0), points.max(0)
    margin = side * 0.14
    scale = (side - 2 * margin) / max(float((high - low).max()), PAD_PEN_WIDTH)
    offset = side / 2 - (low + high) / 2 * scale
    pen = QPen(INK_COLOUR, float(np.clip(PAD_PEN_WIDTH * scale * 0.6, 1.6, side * 0.07)))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    for stroke in sample.strokes:
        xy = stroke * scale + offset  # at this size a polyline is as smooth as the pad's curves, and cheaper
        if len(xy) == 1:
            painter.drawPoint(QPointF(*xy[0]))
        else:
            painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in xy.tolist()]))
    if sample.predicted is not None and sample.predicted != sample.label:
        font = painter.font()
        font.setPixelSize(max(9, side // 6))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(MISREAD)
        painter.drawText(QRectF(0, 2, side - 4, side / 4), Qt.AlignmentFlag.AlignRight, str(sample.predicted))
    painter.end()
    return pixmap


def describe(sample: Sample) -> str:
    when = datetime.fromtimestamp(sample.created).strftime("%d %b %Y %H:%M")
    if sample.predicted is None:
        return f"A {sample.label}, saved {when}"
    reading = "read it right" if sample.predicted == sample.label else f"read it as {sample.predicted}"
    return f"A {sample.label}, saved {when}; the network {reading}"


class _DeleteDigits(QUndoCommand):
    def __init__(self, collection: DigitCollection, samples: list[Sample]):
        super().__init__(f"Delete {_count(len(samples))}")
        self._collection, self._samples = collection, samples

    def redo(self):
        self.setObsolete(not self._collection.delete([s.id for s in self._samples]))

    def undo(self):
        self.setObsolete(not self._collection.restore(self._samples))


class _RelabelDigits(QUndoCommand):
    def __init__(self, collection: DigitCollection, samples: list[Sample], label: int):
        super().__init__(f"Relabel {_count(len(samples))} as {label}")
        self._collection = collection
        self._new = {s.id: label for s in samples}
        self._old = {s.id: s.label for s in samples}

    def redo(self):
        self.setObsolete(not self._collection.relabel(self._new))

    def undo(self):
        self.setObsolete(not self._collection.relabel(self._old))


class ThumbnailDelegate(QStyledItemDelegate):
    """Paints a thumbnail only when its item is on screen: thousands of digits open at once."""

    def __init__(self, view: MyDigitsView):
        super().__init__(view)
        self._view = view

    def paint(self, painter: QPainter, option, index) -> None:
        pixmap = self._view.thumbnail(index.data(ID_ROLE))
        left = option.rect.x() + (option.rect.width() - THUMB) // 2
        top = option.rect.y() + (option.rect.height() - THUMB) // 2
        painter.drawPixmap(left, top, pixmap)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(option.palette.highlight().color(), 3))
            painter.drawRoundedRect(QRectF(left - 1.5, top - 1.5, THUMB + 3, THUMB + 3), 4, 4)

    def sizeHint(self, option, index) -> QSize:
        return QSize(THUMB, THUMB)


class DigitThumbnails(QListWidget):
    """One digit's samples, wrapped into rows; as tall as its rows, so only the page scrolls."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + GRID_GAP, THUMB + GRID_GAP))
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet("QListWidget { background: transparent; }")
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def fit_height(self) -> None:
        columns = max(1, self.viewport().width() // self.gridSize().width())
        rows = max(1, math.ceil(self.count() / columns))
        self.setFixedHeight(rows * self.gridSize().height() + 2)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.fit_height()

    def keyPressEvent(self, event):
        if plain_key(event) and (event.key() in DIGIT_KEYS or event.key() in DELETE_KEYS):
            event.ignore()  # not a type-ahead search: the view relabels or deletes
        else:
            super().keyPressEvent(event)


class MyDigitsView(QWidget):
    def __init__(self, collection: DigitCollection, parent: QWidget | None = None):
        super().__init__(parent)
        self.collection = collection
        self.undo_stack = QUndoStack(self)
        self._samples: dict[int, Sample] = {}
        self._pixmaps: dict[tuple[int, int], QPixmap] = {}  # (id, label): a thumbnail
        self.summary_label = QLabel(self)
        self.empty_label = QLabel(NO_DIGITS, self)
        self.undo_button = QPushButton("Undo", self)
        self.redo_button = QPushButton("Redo", self)
        self.relabel_button = QPushButton("Relabel as", self)  # its menu arrow stays off the text
        self.delete_button = QPushButton("Delete", self)
        self.headings: list[QLabel] = []
        self.thumbnails: list[DigitThumbnails] = []
        self.relabel_menu = self._digit_menu()
        self._build_layout()
        self._add_shortcuts()

        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.delete_button.clicked.connect(self.delete_selected)
        collection.changed.connect(self._collection_changed)
        self._update_buttons()

    def _digit_menu(self) -> QMenu:
        menu = QMenu(self)
        for digit in range(10):
            menu.addAction(str(digit), lambda d=digit: self.relabel_selected(d))
        return menu

    def _build_layout(self) -> None:
        title = QLabel("My digits", self)
        title_font = title.font()
        title_font.setPixelSize(20)
        title_font.setBold(True)
        title.setFont(title_font)
        self.summary_label.setEnabled(False)  # muted
        self.relabel_button.setMenu(self.relabel_menu)
        self.undo_button.setToolTip("Undo the last delete or relabel (Ctrl+Z)")
        self.redo_button.setToolTip("Redo it (Ctrl+Shift+Z)")
        self.relabel_button.setToolTip("Give the selected digits another label (or press the digit's key)")
        self.delete_button.setToolTip("Delete the selected digits (Delete)")
        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(12)
        header.addWidget(self.summary_label, 1)
        for button in (self.undo_button, self.redo_button, self.relabel_button, self.delete_button):
            header.addWidget(button)

        page = QWidget()
        delegate = ThumbnailDelegate(self)
        sections = QVBoxLayout(page)
        sections.setContentsMargins(0, 0, 8, 0)
        for digit in range(10):
            heading = QLabel(page)
            heading.setTextFormat(Qt.TextFormat.RichText)
            grid = DigitThumbnails(page)
            grid.setItemDelegate(delegate)
            grid.itemSelectionChanged.connect(self._update_buttons)
            grid.itemPressed.connect(self._keep_one_section_selected)
            grid.customContextMenuRequested.connect(lambda position, g=grid: self._context_menu(g, position))
            self.headings.append(heading)
            self.thumbnails.append(grid)
            sections.addWidget(heading)
            sections.addWidget(grid)
        sections.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        self.scroll = scroll

        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 10)
        layout.addLayout(header)
        layout.addSpacing(6)
        layout.addWidget(self.empty_label, 1)
        layout.addWidget(scroll, 1)

    def _add_shortcuts(self) -> None:
        for keys, slot in ((UNDO_KEYS, self.undo_stack.undo), (REDO_KEYS, self.undo_stack.redo)):
            action = QAction(self)
            action.setShortcuts(list(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    # -- public API ---------------------------------------------------------------

    def refresh(self) -> None:
        """Reload every digit from the store."""
        samples = self.collection.samples()
        self._samples = {s.id: s for s in samples}
        by_label: list[list[Sample]] = [[] for _ in range(10)]
        for sample in samples:
            by_label[sample.label].append(sample)
        muted = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText).name()
        for digit, (heading, grid) in enumerate(zip(self.headings, self.thumbnails)):
            group = by_label[digit]
            counted = _count(len(group)) if group else "none yet"
            heading.setText(f"<span style='font-size:18px; font-weight:700'>{digit}</span>"
                            f"&nbsp;&nbsp;<span style='color:{muted}'>{counted}</span>")
            grid.clear()
            for sample in group:
                item = QListWidgetItem()
                item.setData(ID_ROLE, sample.id)
                item.setToolTip(describe(sample))
                grid.addItem(item)
            grid.setVisible(bool(group))
            grid.fit_height()
        problem = self.collection.problem
        self.empty_label.setText(f"Your saved digits cannot be shown: {problem}" if problem else NO_DIGITS)
        self.empty_label.setVisible(not samples)
        self.scroll.setVisible(bool(samples))
        self.summary_label.setText(f"{_count(len(samples))} saved" if samples else "")
        self._update_buttons()

    def selected_samples(self) -> list[Sample]:
        return [self._samples[item.data(ID_ROLE)] for grid in self.thumbnails for item in grid.selectedItems()]

    def select(self, sample_ids) -> None:
        wanted = set(sample_ids)
        for grid in self.thumbnails:
            for row in range(grid.count()):
                grid.item(row).setSelected(grid.item(row).data(ID_ROLE) in wanted)

    @Slot()
    def delete_selected(self) -> None:
        samples = self.selected_samples()
        if samples:
            self.undo_stack.push(_DeleteDigits(self.collection, samples))

    def relabel_selected(self, label: int) -> None:
        samples = [s for s in self.selected_samples() if s.label != label]
        if samples:
            self.undo_stack.push(_RelabelDigits(self.collection, samples, label))
            self.select(s.id for s in samples)  # they moved to another section: keep them chosen, in view
            self.scroll.ensureWidgetVisible(self.thumbnails[label])

    # -- events -------------------------------------------------------------------

    def keyPressEvent(self, event):
        if plain_key(event) and event.key() in DELETE_KEYS:
            self.delete_selected()
        elif plain_key(event) and event.key() in DIGIT_KEYS:
            self.relabel_selected(DIGIT_KEYS[event.key()])
        else:
            super().keyPressEvent(event)

    def showEvent(self, event):
        super().showEvent(event)
        self.refresh()  # mnist-pad-samples may have imported digits meanwhile

    @Slot()
    def _collection_changed(self) -> None:
        if self.isVisible():  # else when it is shown
            self.refresh()

    @Slot(QListWidgetItem)
    def _keep_one_section_selected(self, item: QListWidgetItem) -> None:
        adding = QApplication.keyboardModifiers() & (Qt.KeyboardModifier.ControlModifier
                                                     | Qt.KeyboardModifier.ShiftModifier)
        if not adding:
            for grid in self.thumbnails:
                if grid is not item.listWidget():
                    grid.clearSelection()

    def _context_menu(self, grid: DigitThumbnails, position) -> None:
        if grid.itemAt(position) is None or not grid.selectedItems():
            return
        menu = QMenu(self)
        menu.addMenu(self.relabel_menu).setText("Relabel as")
        menu.addAction("Delete", self.delete_selected)
        menu.exec(grid.viewport().mapToGlobal(position))

    def _update_buttons(self) -> None:
        chosen = any(grid.selectedItems() for grid in self.thumbnails)
        self.delete_button.setEnabled(chosen)
        self.relabel_button.setEnabled(chosen)
        self.undo_button.setEnabled(self.undo_stack.canUndo())
        self.redo_button.setEnabled(self.undo_stack.canRedo())

    def thumbnail(self, sample_id: int) -> QPixmap:
        sample = self._samples[sample_id]
        key = (sample.id, sample.label)
        if key not in self._pixmaps:
            self._pixmaps[key] = thumbnail(sample)
        return self._pixmaps[key]


def _count(n: int) -> str:
    return f"{n} digit" if n == 1 else f"{n} digits"
