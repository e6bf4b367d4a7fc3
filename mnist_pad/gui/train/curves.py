"""Live learning curves: loss and error rate per epoch, plus the running value within each epoch.

The x axis counts epochs: an epoch's result sits at its end (epoch 1 at x = 1),
and the running batch values fill the stretch before it, so both read on one scale.
Keras reports per batch the running mean over the epoch so far, which is what
the thin line shows.

Accuracy is shown as its error rate (1 - accuracy) on a log axis: late in
training 98% and 99% accuracy are 2% and 1% error, a factor of two that a
log axis shows as plainly as 80% against 40%, where a linear 0-1 axis
draws them on one line.

A dashed line marks where the clean finish begins: its epochs are counted on the
same axis, on undistorted drawings, so their loss drops for a reason of their own.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

TRAIN_COLOUR = "#1f77b4"
VALIDATION_COLOUR = "#e8710a"
RUNNING_COLOUR = "#9ecae9"
CLEAN_FINISH_COLOUR = "#888"
MAX_EPOCH_TICKS = 10
Y_AXIS_WIDTH = 44  # fixed, so that new tick labels never re-lay out the plot
EXPAND_PAD = 0.3  # of the data's span, when a value leaves the view: few re-ranges per epoch
REFIT_PAD = 0.08  # of the data's span, when an epoch ends and the view is fitted again
ERROR_FLOOR_PERCENT = 0.01  # one in 10,000: what MNIST's test set can resolve; keeps log() finite
# Percent labels at 1-2-5 steps: "2%" reads at a glance where pyqtgraph's own says "10¹".
ERROR_TICKS = [
    [(math.log10(v), f"{v:g}%") for v in (0.01, 0.1, 1, 10, 100)],
    [(math.log10(v), f"{v:g}%") for v in (0.02, 0.05, 0.2, 0.5, 2, 5, 20, 50)],
]
# One legend for both plots, outside them, so it never hides a curve (and costs no repaint).
LEGEND = (
    f"<span style='color:{RUNNING_COLOUR}'>━━</span> training, running mean within the epoch"
    f"&nbsp;&nbsp;&nbsp;<span style='color:{TRAIN_COLOUR}'>━●━</span> training"
    f"&nbsp;&nbsp;&nbsp;<span style='color:{VALIDATION_COLOUR}'>━■━</span> validation"
)


class _MetricPlot(pg.PlotWidget):
    """One metric: training and validation per epoch, and the running training value."""

    def __init__(
        self, title: str, y_limits: tuple[float, float], min_span: float, log_y: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(parent, background="w")
        self.log_y = log_y
        self.min_span = min_span  # in view units: of the value, or decades on a log axis
        self.y_limits = (self.to_view(y_limits[0]), self.to_view(y_limits[1]))
        self.setTitle(title, color="#333", size="11pt")
        self.setLabel("bottom", "epoch")
        self.setLogMode(y=log_y)
        self.showGrid(y=log_y, alpha=0.15)  # decade lines make factors readable
        self.getAxis("left").setWidth(Y_AXIS_WIDTH)
        self.setMouseEnabled(x=False, y=False)
        self.setMenuEnabled(False)
        self.hideButtons()
        # connect="finite": a NaN between epochs breaks the line where the running mean restarts.
        self.running = self.plot([], [], pen=pg.mkPen(RUNNING_COLOUR, width=1), connect="finite")
        self.train = self.plot(
            [], [], pen=pg.mkPen(TRAIN_COLOUR, width=2), symbol="o", symbolSize=6,
            symbolBrush=TRAIN_COLOUR, symbolPen=None,
        )
        self.validation = self.plot(
            [], [], pen=pg.mkPen(VALIDATION_COLOUR, width=2), symbol="s", symbolSize=6,
            symbolBrush=VALIDATION_COLOUR, symbolPen=None,
        )
        self.clean_finish_line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(CLEAN_FINISH_COLOUR, style=Qt.PenStyle.DashLine),
            label="clean finish", labelOpts={"position": 0.9, "color": CLEAN_FINISH_COLOUR},
        )
        self.addItem(self.clean_finish_line, ignoreBounds=True)
        self.clean_finish_line.hide()

    def mark_clean_finish(self, epoch: int | None) -> None:
        """Where the clean finish begins (0-based epoch), or no mark."""
        self.clean_finish_line.setVisible(epoch is not None)
        if epoch is not None:
            self.clean_finish_line.setPos(epoch)

    def show_epochs(self, epochs: int) -> None:
        margin = 0.04 * epochs  # room for the last epoch's symbols
        self.setXRange(-margin, epochs + margin, padding=0)
        step = max(1, math.ceil(epochs / MAX_EPOCH_TICKS))  # whole epochs only
        self.getAxis("bottom").setTickSpacing(step, step)

    def to_view(self, value: float) -> float:
        """A value in the plot's view coordinates (log10 on a log axis, as pyqtgraph maps it)."""
        if not self.log_y:
            return value
        return math.log10(value) if value > 0 else -math.inf

    def set_value_range(self, low: float, high: float) -> None:
        self.setYRange(self.to_view(low), self.to_view(high), padding=0)

    def keep_in_view(self, low: float, high: float, refit: bool) -> None:
        """Move the y axis only when a value leaves the view, or to fit it again (``refit``).

        Re-ranging the axis costs new ticks and a repaint of the whole plot; done on
        every batch by autorange, it was most of the GUI thread's time per batch.
        """
        low, high = self.to_view(low), self.to_view(high)
        if not math.isfinite(low) or not math.isfinite(high):
            return
        view_low, view_high = self.viewRange()[1]
        if not refit and view_low <= low and high <= view_high:
            return
        pad = max(high - low, self.min_span) * (REFIT_PAD if refit else EXPAND_PAD)
        floor, ceiling = self.y_limits
        self.setYRange(max(low - pad, floor), min(high + pad, ceiling), padding=0)


class TrainingCurves(QWidget):
    """Loss and error rate side by side. ``add_*`` store points; ``refresh`` draws them.

    Only the items whose points changed are redrawn: per batch that is the two
    running lines, so the symbol-laden per-epoch items cost nothing between epochs.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss_plot = _MetricPlot("Loss", (0.0, math.inf), min_span=0.01, parent=self)
        self.error_plot = _MetricPlot(
            "Error rate (log scale)", (ERROR_FLOOR_PERCENT, 100.0), min_span=0.3, log_y=True,
            parent=self,
        )
        self.error_plot.getAxis("left").setTicks(ERROR_TICKS)
        legend = QLabel(LEGEND, self)
        legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot, 0, 0)
        layout.addWidget(self.error_plot, 0, 1)
        layout.addWidget(legend, 1, 0, 1, 2)
        self.clear(epochs=1)

    def clear(self, epochs: int) -> None:
        self._running_x: list[float] = []
        self._running_loss: list[float] = []
        self._running_error: list[float] = []
        self._epoch_x: list[float] = []
        self._epoch_values: dict[str, list[float]] = {k: [] for k in ("loss", "error", "val_loss", "val_error")}
        # The lowest and highest value of each metric so far, running values included.
        self._extent = {k: (math.inf, -math.inf) for k in self._epoch_values}
        self.clean_finish_from: int | None = None  # the first clean-finish epoch, 0-based
        for plot in (self.loss_plot, self.error_plot):
            plot.show_epochs(epochs)
            plot.disableAutoRange()
            plot.mark_clean_finish(None)
        self.loss_plot.set_value_range(0, 2.5)  # an untrained network's loss is about ln 10 = 2.3
        self.error_plot.set_value_range(1, 100)  # an untrained network errs 90% of the time
        self._running_dirty = self._epochs_dirty = True
        self.refresh()

    def add_batch(self, progress) -> None:
        """``progress``: a training.job.BatchProgress."""
        if progress.clean_finish and self.clean_finish_from is None:
            self.clean_finish_from = progress.epoch
            for plot in (self.loss_plot, self.error_plot):
                plot.mark_clean_finish(progress.epoch)
        if progress.batch == 1 and self._running_x:
            self._running_x.append(float(progress.epoch))
            self._running_loss.append(math.nan)
            self._running_error.append(math.nan)
        self._running_x.append(progress.epoch + progress.batch / max(progress.batches_per_epoch, 1))
        error = error_percent(progress.acc)
        self._running_loss.append(progress.loss)
        self._running_error.append(error)
        self._widen("loss", progress.loss)
        self._widen("error", error)
        self._running_dirty = True

    def add_epoch(self, result) -> None:
        """``result``: a training.job.EpochResult, plotted at the epoch's end."""
        self._epoch_x.append(result.epoch + 1)
        values = {
            "loss": result.loss, "val_loss": result.val_loss,
            "error": error_percent(result.acc), "val_error": error_percent(result.val_acc),
        }
        for key, value in values.items():
            self._epoch_values[key].append(value)
            self._widen(key, value)
        self._epochs_dirty = True

    def refresh(self) -> None:
        """Push the points that arrived since the last refresh to the plots."""
        if self._running_dirty:
            self._running_dirty = False
            self.loss_plot.running.setData(self._running_x, self._running_loss)
            self.error_plot.running.setData(self._running_x, self._running_error)
        epoch_ended = self._epochs_dirty
        if epoch_ended:
            self._epochs_dirty = False
            values = self._epoch_values
            self.loss_plot.train.setData(self._epoch_x, values["loss"])
            self.loss_plot.validation.setData(self._epoch_x, values["val_loss"])
            self.error_plot.train.setData(self._epoch_x, values["error"])
            self.error_plot.validation.setData(self._epoch_x, values["val_error"])
        for plot, keys in ((self.loss_plot, ("loss", "val_loss")), (self.error_plot, ("error", "val_error"))):
            low, high = self._extent[keys[0]]
            for key in keys[1:]:
                low, high = min(low, self._extent[key][0]), max(high, self._extent[key][1])
            plot.keep_in_view(low, high, refit=epoch_ended)

    def _widen(self, key: str, value: float) -> None:
        if math.isfinite(value):
            low, high = self._extent[key]
            self._extent[key] = (min(low, value), max(high, value))


def error_percent(accuracy: float) -> float:
    """1 - accuracy in percent, never below the floor a log axis needs (NaN stays NaN)."""
    return max(100.0 * (1.0 - accuracy), ERROR_FLOOR_PERCENT) if math.isfinite(accuracy) else math.nan
