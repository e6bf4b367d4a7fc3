"""Error boxes: shown without a nested event loop, and painted with their sentence on the screen."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import MODEL_LOAD_TIMEOUT_MS
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from mnist_pad.gui.dialogs import show_error
from mnist_pad.gui.main_window import MainWindow

SENTENCE = "five_classes.h5: the model gives output of shape (5,), not 10 classes."


def on_screen(widget) -> np.ndarray:
    """What the platform shows of ``widget`` (not a fresh render, as ``grab()`` would make)."""
    corner = widget.mapTo(widget.window(), widget.rect().topLeft())
    window = widget.window()
    pixmap = window.screen().grabWindow(window.winId(), corner.x(), corner.y(), widget.width(), widget.height())
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_RGB32)
    assert not image.isNull(), f"nothing of {widget} could be grabbed"
    return np.array([[image.pixel(x, y) for x in range(image.width())] for y in range(image.height())])


def shows_text(label: QLabel) -> bool:
    # Anti-aliased text on a plain background: many shades. An unpainted box: one colour.
    return len(np.unique(on_screen(label))) >= 8


def open_boxes(parent) -> list[QMessageBox]:
    return [box for box in parent.window().findChildren(QMessageBox) if box.isVisible()]


@pytest.fixture
def window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def assert_painted_and_closes(qtbot, box: QMessageBox, sentence: str) -> None:
    assert box.text() == sentence and box.icon() == QMessageBox.Icon.Warning
    assert box.windowModality() == Qt.WindowModality.WindowModal
    qtbot.waitExposed(box)
    label = box.findChild(QLabel, "qt_msgbox_label")
    qtbot.waitUntil(lambda: shows_text(label), timeout=5000)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)


def test_an_error_box_returns_at_once_and_is_painted_with_its_sentence(qtbot, window):
    box = show_error(window, SENTENCE)  # returns: no nested event loop
    assert open_boxes(window) == [box]
    assert_painted_and_closes(qtbot, box, SENTENCE)


def test_the_check_sees_a_box_whose_text_is_not_on_screen(qtbot, window):
    box = show_error(window, SENTENCE)
    qtbot.waitExposed(box)
    label = box.findChild(QLabel, "qt_msgbox_label")
    qtbot.waitUntil(lambda: shows_text(label), timeout=5000)
    label.setText("")
    label.repaint()
    QApplication.processEvents()
    assert not shows_text(label)
    box.close()


def test_an_unusable_model_is_told_in_a_painted_box(qtbot, window, bad_models):
    bad = bad_models["5-classes"]
    qtbot.waitUntil(lambda: window.current_model_path is not None, timeout=MODEL_LOAD_TIMEOUT_MS)
    window.open_model(str(bad.path))
    qtbot.waitUntil(lambda: len(open_boxes(window)) == 1, timeout=MODEL_LOAD_TIMEOUT_MS)
    (box,) = open_boxes(window)
    assert str(bad.path) in box.text() and bad.reason in box.text()
    assert_painted_and_closes(qtbot, box, box.text())


def test_the_train_tab_uses_the_same_box(qtbot, window):
    window.train_tab.show_error("That is the model shipped with mnist-pad; please save to another file.")
    (box,) = open_boxes(window.train_tab)
    assert_painted_and_closes(qtbot, box, "That is the model shipped with mnist-pad; please save to another file.")
