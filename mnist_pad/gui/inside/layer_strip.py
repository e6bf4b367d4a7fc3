"""The layer strip: every layer's maps for the current drawing, left to right, input to answer.

Each layer is a block of tiles, one per channel (eight rows of them); the
answer layer is one column of ten. Hovering a cell of a map reports the input
pixels it sees, for the tab to highlight on the 28x28 image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from mnist_pad.gui.inside.inside_views import (
    HIGHLIGHT,
    activation_rgb,
    rgb_image,
    signed_rgb,
)
from mnist_pad.inspection import LayerView

TILE = 22  # px a map takes in the strip, its 2 px gap included
ROWS = 8
TITLE_HEIGHT = 36
BLOCK_GAP = 22
MARGIN = 8
TITLE_WIDTH = 64
TILE_BACKGROUND = QColor(22, 24, 29)


@dataclass(frozen=True)
class Block:
    """Where one layer (or the kernels) sits in the strip."""

    title: str
    subtitle: str
    left: float
    rows: int
    cols: int
    tile: float
    count: int  # tiles
    layer: LayerView | None  # None: the first layer's kernels

    @property
    def width(self) -> float:
        return self.cols * self.tile

    @property
    def span(self) -> float:
        """Room the block takes in the strip: its tiles, or its title when that is wider."""
        return max(self.width, TITLE_WIDTH)

    def tile_rect(self, index: int) -> QRectF:
        row, col = index % self.rows, index // self.rows
        return QRectF(
            self.left + col * self.tile, TITLE_HEIGHT + row * self.tile, self.tile - 2, self.tile - 2
        )


class LayerStrip(QWidget):
    """Feature maps of every layer; ``hovered`` says which cell is under the mouse."""

    hovered = Signal(object, str)  # (top, left, bottom, right) input pixels or None, a description

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layers: list[LayerView] = []
        self._kernels: np.ndarray | None = None
        self._show_kernels = True
        self._blocks: list[Block] = []
        self._images: dict[int, QImage] = {}  # block index -> its tiles stacked vertically
        self._hover: tuple[int, int, int, int] | None = None  # block, tile, row, col
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    # -- public API ---------------------------------------------------------------

    def set_model(self, layers: list[LayerView], kernels: np.ndarray | None) -> None:
        self._layers, self._kernels = list(layers), kernels
        self._relayout()

    def set_kernels_visible(self, visible: bool) -> None:
        self._show_kernels = visible
        self._relayout()

    def set_outputs(self, outputs: list[np.ndarray] | None) -> None:
        """One array per layer as ``Inspector.layer_outputs`` gives them; None: blank maps."""
        self._images = {
            index: image for index, image in self._images.items() if self._blocks[index].layer is None
        }
        if outputs is not None:
            for index, block in enumerate(self._blocks):
                if block.layer is not None:
                    self._images[index] = _stacked_maps(outputs[self._layers.index(block.layer)])
        self.update()

    def map_counts(self) -> dict[str, int]:
        """Layer name -> how many maps (tiles) the strip shows for it."""
        return {block.layer.name: block.count for block in self._blocks if block.layer is not None}

    def block_titles(self) -> list[str]:
        return [block.title for block in self._blocks]

    def tile_centre(self, layer_name: str, channel: int, row: int = 0, col: int = 0):
        """Widget position of cell (row, col) of a layer's map ``channel`` (for tests and scripts)."""
        index, block = next(
            (i, b) for i, b in enumerate(self._blocks) if b.layer and b.layer.name == layer_name
        )
        rect = block.tile_rect(channel)
        height, width = block.layer.shape[:2] if len(block.layer.shape) == 3 else (1, 1)
        return rect.x() + (col + 0.5) * rect.width() / width, rect.y() + (row + 0.5) * rect.height() / height

    # -- layout and painting --------------------------------------------------------

    def _relayout(self) -> None:
        blocks, left = [], float(MARGIN)
        if self._show_kernels and self._kernels is not None:
            count, height, width = self._kernels.shape
            rows = min(count, ROWS)
            blocks.append(
                Block(
                    "kernels",
                    f"{count} × {height}×{width}",
                    left,
                    rows,
                    math.ceil(count / rows),
                    TILE,
                    count,
                    None,
                )
            )
            left += blocks[-1].span + BLOCK_GAP
        for layer in self._layers:
            count = layer.channels
            if len(layer.shape) == 3:
                rows, tile = min(count, ROWS), TILE
                subtitle = f"{count} × {layer.shape[0]}×{layer.shape[1]}"
            else:  # a vector: one column of units, as tall as the maps
                rows = min(count, 2 * ROWS)
                tile = TILE * ROWS / rows
                subtitle = f"{count} units"
            blocks.append(
                Block(layer.name, subtitle, left, rows, math.ceil(count / rows), tile, count, layer)
            )
            left += blocks[-1].span + BLOCK_GAP
        self._blocks = blocks
        self._images = {}
        if blocks and blocks[0].layer is None:
            self._images[0] = _stacked_kernels(self._kernels)
        self._hover = None
        self.setFixedSize(self.sizeHint())
        self.update()

    def sizeHint(self) -> QSize:
        right = self._blocks[-1].left + self._blocks[-1].span if self._blocks else 0
        return QSize(int(right + MARGIN), TITLE_HEIGHT + ROWS * TILE + MARGIN)

    def paintEvent(self, event):
        painter = QPainter(self)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        faint = QColor(text)
        faint.setAlphaF(0.55)
        bold = QFont(self.font())
        bold.setBold(True)
        for index, block in enumerate(self._blocks):
            painter.setFont(bold)
            painter.setPen(text)
            painter.drawText(
                QRectF(block.left, 0, block.span + BLOCK_GAP - 4, 18), Qt.AlignmentFlag.AlignLeft, block.title
            )
            painter.setFont(self.font())
            painter.setPen(faint)
            painter.drawText(
                QRectF(block.left, 16, block.span + BLOCK_GAP - 4, 18),
                Qt.AlignmentFlag.AlignLeft,
                block.subtitle,
            )
            image = self._images.get(index)
            for tile in range(block.count):
                rect = block.tile_rect(tile)
                if image is None:
                    painter.fillRect(rect, TILE_BACKGROUND)
                    continue
                side = image.width()
                painter.drawImage(
                    rect,
                    image,
                    QRectF(0, tile * image.height() / block.count, side, image.height() / block.count),
                )
            if block.layer is not None and len(block.layer.shape) == 1 and block.count <= 10:
                painter.setPen(faint)
                for unit in range(block.count):  # the answer layer: label its classes
                    painter.drawText(block.tile_rect(unit), Qt.AlignmentFlag.AlignCenter, str(unit))
        self._paint_hover(painter)

    def _paint_hover(self, painter: QPainter) -> None:
        if self._hover is None:
            return
        index, tile, row, col = self._hover
        block = self._blocks[index]
        rect = block.tile_rect(tile)
        height, width = block.layer.shape[:2] if block.layer and len(block.layer.shape) == 3 else (1, 1)
        cell = QRectF(
            rect.x() + col * rect.width() / width,
            rect.y() + row * rect.height() / height,
            rect.width() / width,
            rect.height() / height,
        )
        painter.setPen(QPen(HIGHLIGHT, 1.5))
        painter.drawRect(cell)

    # -- hovering -------------------------------------------------------------------

    def mouseMoveEvent(self, event):
        hover = self._hit(event.position().x(), event.position().y())
        if hover != self._hover:
            self._hover = hover
            self.update()
            self.hovered.emit(*self._describe(hover))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event):
        if self._hover is not None:
            self._hover = None
            self.update()
            self.hovered.emit(None, "")
        super().leaveEvent(event)

    def _hit(self, x: float, y: float) -> tuple[int, int, int, int] | None:
        for index, block in enumerate(self._blocks):
            if block.left <= x < block.left + block.width and y >= TITLE_HEIGHT:
                tile = int((x - block.left) // block.tile) * block.rows + int(
                    (y - TITLE_HEIGHT) // block.tile
                )
                rect = block.tile_rect(tile)
                if tile >= block.count or not rect.contains(x, y):
                    return None
                height, width = (
                    block.layer.shape[:2] if block.layer and len(block.layer.shape) == 3 else (1, 1)
                )
                row = min(int((y - rect.y()) / rect.height() * height), height - 1)
                col = min(int((x - rect.x()) / rect.width() * width), width - 1)
                return index, tile, row, col
        return None

    def _describe(self, hover) -> tuple[tuple[int, int, int, int] | None, str]:
        if hover is None:
            return None, ""
        index, tile, row, col = hover
        block = self._blocks[index]
        if block.layer is None:
            weights = self._kernels[tile]
            return (
                None,
                f"kernel {tile} of the first layer: weights {weights.min():+.2f} to {weights.max():+.2f}",
            )
        layer = block.layer
        if len(layer.shape) == 1:
            return None, f"{layer.name}: unit {tile} of {layer.channels}; it sees the whole input"
        name = f"{layer.name}: map {tile + 1} of {layer.channels}, cell ({row}, {col})"
        if layer.field is None:
            return None, name
        pixels = layer.field.pixels(row, col)
        top, left, bottom, right = pixels
        return pixels, f"{name} sees input rows {top}–{bottom - 1}, columns {left}–{right - 1}"


def _stacked_maps(output: np.ndarray) -> QImage:
    """A layer's maps as one image, the channels stacked top to bottom, coloured on one scale."""
    if output.ndim == 1:  # a vector: each unit a 1x1 map
        output = output[None, None, :]
    positive = output[output > 0]
    top = float(np.percentile(positive, 99.5)) if positive.size else 1.0
    maps = np.moveaxis(output, -1, 0)  # (channels, h, w)
    stacked = maps.reshape(-1, maps.shape[-1])
    return rgb_image(activation_rgb(stacked, top))


def _stacked_kernels(kernels: np.ndarray) -> QImage:
    return rgb_image(signed_rgb(kernels.reshape(-1, kernels.shape[-1])))
