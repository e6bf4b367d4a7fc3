"""The learning curves: late epochs, a point of accuracy apart, must look apart."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPointF

from mnist_pad.gui.train.curves import TrainingCurves, error_percent
from training.job import BatchProgress, EpochResult

BATCHES = 40
# A typical run: accuracy climbs fast, then creeps from 98% to 99% and beyond.
VAL_ACC = [0.955, 0.972, 0.980, 0.985, 0.990, 0.992]


def feed(curves: TrainingCurves) -> None:
    curves.clear(epochs=len(VAL_ACC))
    for epoch, val_acc in enumerate(VAL_ACC):
        start = 0.1 if epoch == 0 else val_acc - 0.01
        for batch in range(1, BATCHES + 1):
            acc = start + (val_acc - start) * batch / BATCHES
            curves.add_batch(BatchProgress(epoch, batch, BATCHES, loss=-math.log(acc), acc=acc))
        curves.add_epoch(
            EpochResult(epoch, loss=-math.log(val_acc), acc=val_acc, val_loss=-math.log(val_acc),
                        val_acc=val_acc, seconds=1.0)
        )
        curves.refresh()


def screen_y(plot, epoch: int, value: float) -> float:
    """Where a validation point is drawn, in the plot widget's pixels."""
    scene = plot.getPlotItem().vb.mapViewToScene(QPointF(epoch + 1, plot.to_view(value)))
    return plot.mapFromScene(scene).y()


def test_one_point_of_accuracy_late_in_training_is_plain_to_see(qtbot):
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.resize(900, 320)
    curves.show()
    qtbot.waitExposed(curves)
    feed(curves)

    plot = curves.error_plot
    x, shown = plot.validation.getOriginalDataset()
    assert list(x) == list(range(1, len(VAL_ACC) + 1))
    assert list(shown) == pytest.approx([100 * (1 - a) for a in VAL_ACC])
    low, high = plot.viewRange()[1]
    assert all(low <= plot.to_view(e) <= high for e in shown), "a validation point is outside the view"
    # 98% and 99% accuracy: at least a tenth of the plot's height apart (a linear 0-1 axis: about 1%).
    y98, y99 = screen_y(plot, 2, shown[2]), screen_y(plot, 4, shown[4])
    assert y99 - y98 >= 0.1 * plot.height()  # the lower error is drawn lower


def test_a_perfect_epoch_stays_on_the_log_axis():
    assert error_percent(1.0) > 0 and error_percent(0.99) == pytest.approx(1.0)
    assert math.isnan(error_percent(math.nan))
