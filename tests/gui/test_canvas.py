"""The drawing pad, driven by real mouse, tablet and key events."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import draw
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from mnist_pad.gui.draw.canvas import INK_COLOUR, PAD_COLOUR, DrawingCanvas

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def canvas(qtbot):
    widget = DrawingCanvas()
    widget.resize(400, 400)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def line(x0, y0, x1, y1, n=20):
    return np.stack([np.linspace(x0, x1, n), np.linspace(y0, y1, n)], 1).astype(np.float32)


def pixel(image, point: QPointF) -> QColor:
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))


def test_a_mouse_drag_is_recorded_in_pad_units(canvas, qtbot):
    with qtbot.waitSignals([canvas.strokes_changed] * 3):
        draw(canvas, [line(0.2, 0.3, 0.8, 0.6)])
    (stroke,) = canvas.strokes()
    assert stroke.dtype == np.float32 and stroke.shape[1] == 2
    np.testing.assert_allclose(stroke[0], [0.2, 0.3], atol=1e-3)
    np.testing.assert_allclose(stroke[-1], [0.8, 0.6], atol=1e-3)
    assert len(stroke) == 20
    assert not canvas.is_empty()


def test_every_point_of_a_drag_emits_strokes_changed(canvas, qtbot):
    changes = []
    canvas.strokes_changed.connect(lambda: changes.append(sum(len(s) for s in canvas.strokes())))
    draw(canvas, [line(0.2, 0.2, 0.8, 0.8, n=10)])
    assert changes[:10] == list(range(1, 11))  # live: the drawing grows point by point


def test_a_tap_is_a_stroke_and_is_painted(canvas, qtbot):
    spot = canvas.from_pad(0.5, 0.5)
    QTest.mouseClick(canvas, LEFT, Qt.KeyboardModifier.NoModifier, spot.toPoint())
    (stroke,) = canvas.strokes()
    assert len(stroke) == 1
    image = canvas.grab().toImage()
    assert pixel(image, spot) == INK_COLOUR
    assert pixel(image, canvas.from_pad(0.5, 0.7)) == PAD_COLOUR


def test_points_dragged_outside_the_widget_are_kept(canvas):
    draw(canvas, [line(0.5, 0.5, 1.6, -0.4)])  # ends beyond the widget's top-right corner
    (stroke,) = canvas.strokes()
    end = canvas.from_pad(*stroke[-1])
    assert not canvas.rect().contains(end.toPoint())
    np.testing.assert_allclose(stroke[-1], [1.6, -0.4], atol=1e-3)


def test_ink_is_painted_along_the_stroke(canvas):
    draw(canvas, [line(0.2, 0.5, 0.8, 0.5)])
    image = canvas.grab().toImage()
    for x in (0.25, 0.5, 0.75):
        assert pixel(image, canvas.from_pad(x, 0.5)) == INK_COLOUR
    assert pixel(image, canvas.from_pad(0.5, 0.3)) == PAD_COLOUR


def test_resizing_keeps_the_drawing_in_proportion(canvas, qtbot):
    draw(canvas, [line(0.2, 0.5, 0.8, 0.5)])
    before = [s.copy() for s in canvas.strokes()]
    canvas.resize(700, 520)
    qtbot.waitUntil(lambda: canvas.width() == 700)
    after = canvas.strokes()
    assert len(after) == 1 and np.array_equal(after[0], before[0])
    image = canvas.grab().toImage()
    assert pixel(image, canvas.from_pad(0.5, 0.5)) == INK_COLOUR
    assert pixel(image, canvas.from_pad(0.5, 0.3)) == PAD_COLOUR
    # The pad keeps drawing at the new size, in the same units.
    draw(canvas, [line(0.5, 0.2, 0.5, 0.8)])
    np.testing.assert_allclose(canvas.strokes()[1][0], [0.5, 0.2], atol=1e-3)


def test_undo_and_redo_work_by_whole_stroke(canvas):
    draw(canvas, [line(0.2, 0.2, 0.8, 0.2), line(0.2, 0.8, 0.8, 0.8)])
    assert len(canvas.strokes()) == 2
    QTest.keyClick(canvas, Qt.Key.Key_Z, CTRL)
    (remaining,) = canvas.strokes()
    np.testing.assert_allclose(remaining[0], [0.2, 0.2], atol=1e-3)
    QTest.keyClick(canvas, Qt.Key.Key_Z, CTRL)
    assert canvas.is_empty()
    QTest.keyClick(canvas, Qt.Key.Key_Z, CTRL | SHIFT)
    QTest.keyClick(canvas, Qt.Key.Key_Z, CTRL | SHIFT)
    assert [s[0, 1] for s in canvas.strokes()] == pytest.approx([0.2, 0.8], abs=1e-3)


@pytest.mark.parametrize("key", [Qt.Key.Key_Escape, Qt.Key.Key_Delete])
def test_clear_by_key_is_undoable(canvas, key):
    draw(canvas, [line(0.2, 0.2, 0.8, 0.8), line(0.8, 0.2, 0.2, 0.8)])
    QTest.keyClick(canvas, key)
    assert canvas.is_empty() and canvas.strokes() == []
    canvas.undo_stack.undo()
    assert len(canvas.strokes()) == 2
    canvas.undo_stack.redo()
    assert canvas.is_empty()


def test_a_press_without_release_keeps_the_stroke_it_began(canvas):
    first, second = canvas.from_pad(0.2, 0.2), canvas.from_pad(0.2, 0.8)
    QTest.mousePress(canvas, LEFT, Qt.KeyboardModifier.NoModifier, first.toPoint())
    QTest.mousePress(canvas, LEFT, Qt.KeyboardModifier.NoModifier, second.toPoint())  # release lost
    QTest.mouseRelease(canvas, LEFT, Qt.KeyboardModifier.NoModifier, second.toPoint())
    assert [round(float(s[0, 1]), 2) for s in canvas.strokes()] == [0.2, 0.8]
    assert canvas.undo_stack.count() == 2


def test_clearing_an_empty_pad_adds_no_undo_step(canvas):
    canvas.clear()
    assert canvas.undo_stack.count() == 0


def test_a_new_stroke_after_undo_drops_the_redo_history(canvas):
    draw(canvas, [line(0.2, 0.2, 0.8, 0.2)])
    canvas.undo_stack.undo()
    assert canvas.undo_stack.canRedo()
    draw(canvas, [line(0.2, 0.8, 0.8, 0.8)])
    assert not canvas.undo_stack.canRedo()
    assert len(canvas.strokes()) == 1


def test_the_pen_width_stays_in_proportion_to_the_pad(canvas, qtbot):
    width = canvas.pen_width()
    assert 0.03 < width < 0.15  # MNIST-like: about 1/8 of a digit two thirds of the pad tall
    canvas.resize(250, 250)
    qtbot.waitUntil(lambda: canvas.width() == 250)
    assert canvas.pen_width() == width


def test_a_tablet_pen_draws_like_the_mouse(canvas):
    pen = QPointingDevice(
        "test pen", 7, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 3,
    )
    path = [canvas.from_pad(x, 0.5) for x in (0.2, 0.4, 0.6)]
    kinds = [QEvent.Type.TabletPress, QEvent.Type.TabletMove, QEvent.Type.TabletRelease]
    for kind, position in zip(kinds, path):
        buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else LEFT
        event = QTabletEvent(
            kind, pen, position, QPointF(canvas.mapToGlobal(position)), 0.5, 0, 0, 0, 0, 0,
            Qt.KeyboardModifier.NoModifier, LEFT, buttons,
        )
        QApplication.sendEvent(canvas, event)
        assert event.isAccepted()
    (stroke,) = canvas.strokes()
    np.testing.assert_allclose(stroke[:, 0], [0.2, 0.4, 0.6], atol=1e-3)
    assert canvas.undo_stack.count() == 1


def test_set_strokes_replaces_the_drawing_as_one_undoable_step(canvas, qtbot):
    draw(canvas, [line(0.2, 0.2, 0.8, 0.2), line(0.5, 0.2, 0.5, 0.8)])
    drawn = canvas.strokes()
    replacement = [line(0.3, 0.3, 0.6, 0.7, n=7)]
    with qtbot.waitSignal(canvas.strokes_changed):
        canvas.set_strokes(replacement)
    (stroke,) = canvas.strokes()
    np.testing.assert_array_equal(stroke, replacement[0])
    assert not stroke.flags.writeable  # as drawn strokes: the undo history cannot be changed behind its back
    canvas.undo_stack.undo()
    assert len(canvas.strokes()) == 2 and all(np.array_equal(a, b) for a, b in zip(canvas.strokes(), drawn))
    canvas.undo_stack.redo()
    np.testing.assert_array_equal(canvas.strokes()[0], replacement[0])


def test_is_drawing_only_while_the_button_is_down(canvas):
    start = canvas.from_pad(0.3, 0.3)
    QTest.mousePress(canvas, LEFT, pos=start.toPoint())
    assert canvas.is_drawing()
    QTest.mouseRelease(canvas, LEFT, pos=canvas.from_pad(0.6, 0.6).toPoint())
    assert not canvas.is_drawing() and len(canvas.strokes()) == 1
