"""Saving drawings as my digits from the Draw tab, collecting, and the My digits tab (real widgets, real store)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from gui_helpers import (
    ONE,
    SEVEN,
    draw,
    shown_draw_tab,
    wait_for_prediction,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from mnist_pad.gui.draw.draw_tab import DrawTab
from mnist_pad.gui.my_digits.digit_collection import DigitCollection
from mnist_pad.gui.my_digits.my_digits_view import MyDigitsView
from mnist_pad.my_digits import DigitStore


class Failures(list):
    def __call__(self, sentence: str) -> None:
        self.append(sentence)


@pytest.fixture
def collection(tmp_path, qtbot):
    digits = DigitCollection(tmp_path / "my-digits.sqlite")
    digits.failures = Failures()
    digits.failed.connect(digits.failures)
    yield digits
    digits.close()


@pytest.fixture
def tab(qtbot, default_predictor, collection):
    return shown_draw_tab(qtbot, collection, default_predictor)


@pytest.fixture
def view(qtbot, collection):
    widget = MyDigitsView(collection)
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def stored(collection) -> list:
    """What is on disk, read through a connection of its own."""
    with DigitStore(collection.path) as store:
        return store.samples()


def strokes_equal(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_a_digit_key_saves_the_drawing_under_that_label(tab, qtbot, collection):
    draw(tab.canvas, SEVEN)
    guess = int(np.argmax(wait_for_prediction(qtbot, tab)))
    drawn = tab.canvas.strokes()
    QTest.keyClick(tab.canvas, Qt.Key.Key_4)  # a correction: the user says it is a 4
    [sample] = stored(collection)
    assert sample.label == 4 and sample.predicted == guess == 7
    assert strokes_equal(sample.strokes, drawn)
    assert tab.canvas.is_empty()  # ready for the next one
    assert tab.saver.toast.isVisible() and tab.saver.toast.text() == "Saved as 4 — 1 of your digits"
    QTest.keyClick(tab.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the clear can be undone
    assert strokes_equal(tab.canvas.strokes(), drawn)
    assert collection.failures == []
    qtbot.waitUntil(lambda: not tab.saver.toast.isVisible(), timeout=5_000)  # the confirmation fades away


def test_undoing_a_save_unsaves_it_and_redoing_saves_it_again(tab, qtbot, collection):
    draw(tab.canvas, SEVEN)
    wait_for_prediction(qtbot, tab)
    drawn = tab.canvas.strokes()
    QTest.keyClick(tab.canvas, Qt.Key.Key_7)
    assert len(stored(collection)) == 1

    QTest.keyClick(tab.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert strokes_equal(tab.canvas.strokes(), drawn)
    assert stored(collection) == []  # back on the pad, and no longer saved
    assert tab.saver.toast.text() == "No longer saved as 7 — 0 of your digits"
    wait_for_prediction(qtbot, tab)
    QTest.keyClick(tab.canvas, Qt.Key.Key_1)  # the newcomer's correction: saved once, as a 1
    assert [s.label for s in stored(collection)] == [1]

    QTest.keyClick(tab.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(tab.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    [sample] = stored(collection)  # redo saved it again
    assert sample.label == 1 and sample.predicted == 7 and strokes_equal(sample.strokes, drawn)
    assert tab.canvas.is_empty() and tab.saver.toast.text() == "Saved as 1 — 1 of your digits"
    assert collection.failures == []


def test_a_save_whose_digit_is_gone_stays_cleared_on_undo_and_says_why(tab, qtbot, collection):
    draw(tab.canvas, ONE)
    QTest.keyClick(tab.canvas, Qt.Key.Key_1)
    [sample] = stored(collection)
    collection.delete([sample.id])  # deleted meanwhile, e.g. in the My digits tab
    tab.canvas.undo_stack.undo()
    assert len(collection.failures) == 1 and collection.failures[0].startswith("Your digit stays saved: ")
    assert tab.canvas.is_empty()  # the step is dropped rather than half undone
    tab.canvas.undo_stack.undo()  # the step before: the stroke
    assert tab.canvas.is_empty() and not tab.canvas.undo_stack.canUndo()


def test_a_digit_key_on_an_empty_pad_saves_nothing(tab, collection):
    QTest.keyClick(tab.canvas, Qt.Key.Key_4)
    assert stored(collection) == [] and not tab.saver.toast.isVisible()


def test_clicking_a_class_bar_saves_the_drawing_as_that_digit(tab, qtbot, collection):
    draw(tab.canvas, ONE)
    wait_for_prediction(qtbot, tab)
    bars = tab.bars
    row_of_two = QPoint(bars.width() // 2, int(bars.height() * 2.5 / 10))
    QTest.mouseClick(bars, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, row_of_two)
    [sample] = stored(collection)
    assert (sample.label, sample.predicted) == (2, 1)
    assert tab.canvas.is_empty()


def test_enter_saves_a_right_guess_as_it_is(tab, qtbot, collection):
    draw(tab.canvas, ONE)
    wait_for_prediction(qtbot, tab)
    QTest.keyClick(tab.canvas, Qt.Key.Key_Return)
    [sample] = stored(collection)
    assert (sample.label, sample.predicted) == (1, 1)
    draw(tab.canvas, SEVEN)
    wait_for_prediction(qtbot, tab)
    QTest.keyClick(tab.canvas, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert [s.label for s in stored(collection)] == [1, 7]
    assert tab.saver.toast.text() == "Saved as 7 — 2 of your digits"


def test_collecting_asks_for_the_digit_with_fewest_samples(tab, qtbot, collection):
    for digit in range(10):
        for _ in range(2 if digit != 6 else 1):
            collection.add(ONE, digit, None)
    qtbot.mouseClick(tab.saver.collect_button, Qt.MouseButton.LeftButton)
    assert tab.saver.collecting and tab.saver.collect_bar.isVisible()
    assert tab.saver.prompt == 6  # the only digit with one sample
    assert "Draw a <b" in tab.saver.collect_bar.prompt_label.text()
    assert not tab.saver.collect_bar.save_button.isEnabled()  # nothing drawn yet

    draw(tab.canvas, SEVEN)
    assert tab.saver.collect_bar.save_button.isEnabled()
    qtbot.mouseClick(tab.saver.collect_bar.save_button, Qt.MouseButton.LeftButton)  # accept: save as the 6
    assert collection.counts() == [2] * 10
    tab.canvas.undo_stack.undo()  # unsaved, and the 6 is asked for again
    assert collection.counts()[6] == 1 and tab.saver.prompt == 6 and not tab.canvas.is_empty()
    tab.canvas.undo_stack.redo()
    assert collection.counts() == [2] * 10 and tab.canvas.is_empty()
    assert tab.saver.prompt in range(10)  # all tied now: any digit
    asked = tab.saver.prompt

    draw(tab.canvas, ONE)
    QTest.keyClick(tab.canvas, Qt.Key.Key_Return)
    assert collection.counts()[asked] == 3
    assert tab.saver.prompt != asked  # it now has the most

    qtbot.mouseClick(tab.saver.collect_bar.done_button, Qt.MouseButton.LeftButton)
    assert not tab.saver.collecting and not tab.saver.collect_bar.isVisible()


def test_the_grid_shows_a_saved_digit_in_its_section(tab, view, qtbot, collection):
    draw(tab.canvas, SEVEN)
    wait_for_prediction(qtbot, tab)
    QTest.keyClick(tab.canvas, Qt.Key.Key_7)
    [sample] = stored(collection)
    grid = view.thumbnails[7]
    assert grid.isVisible() and grid.count() == 1
    assert grid.item(0).data(Qt.ItemDataRole.UserRole) == sample.id
    assert "read it right" in grid.item(0).toolTip()
    assert ">1 digit<" in view.headings[7].text() and "none yet" in view.headings[3].text()
    assert sum(g.count() for g in view.thumbnails) == 1


def test_relabel_and_delete_with_undo(view, qtbot, collection):
    first = collection.add(SEVEN, 7, 1)
    second = collection.add(ONE, 1, 1)
    grid = view.thumbnails[7]
    rect = grid.visualItemRect(grid.item(0))
    QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert [s.id for s in view.selected_samples()] == [first]

    QTest.keyClick(grid, Qt.Key.Key_2)  # relabel as 2
    assert {s.id: s.label for s in stored(collection)} == {first: 2, second: 1}
    assert view.thumbnails[2].count() == 1 and view.thumbnails[7].count() == 0
    assert [s.id for s in view.selected_samples()] == [first]  # still chosen in its new place

    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert [s.id for s in stored(collection)] == [second]
    assert view.thumbnails[2].count() == 0

    qtbot.mouseClick(view.undo_button, Qt.MouseButton.LeftButton)  # the delete
    assert {s.id: s.label for s in stored(collection)} == {first: 2, second: 1}
    QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the relabel
    assert {s.id: s.label for s in stored(collection)} == {first: 7, second: 1}
    assert view.thumbnails[7].count() == 1
    restored = next(s for s in stored(collection) if s.id == first)
    assert strokes_equal(restored.strokes, SEVEN) and restored.predicted == 1

    qtbot.mouseClick(view.redo_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.redo_button, Qt.MouseButton.LeftButton)
    assert [s.id for s in stored(collection)] == [second]
    assert not view.redo_button.isEnabled() and collection.failures == []


def test_selecting_with_ctrl_spans_sections_and_deletes_as_one_step(view, qtbot, collection):
    ids = [collection.add(ONE, 1, None), collection.add(SEVEN, 7, None), collection.add(SEVEN, 7, None)]
    for digit in (1, 7):
        grid = view.thumbnails[digit]
        QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                         grid.visualItemRect(grid.item(0)).center())
    assert sorted(s.id for s in view.selected_samples()) == ids[:2]
    QTest.keyClick(view.thumbnails[7], Qt.Key.Key_Delete)
    assert [s.id for s in stored(collection)] == ids[2:]
    view.undo_stack.undo()
    assert [s.id for s in stored(collection)] == ids


def test_an_unusable_store_gets_a_sentence_and_the_drawing_stays(qtbot, tmp_path, default_predictor):
    path = tmp_path / "places.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE bookmarks (url TEXT)")
    db.commit()
    db.close()
    before = path.read_bytes()
    collection = DigitCollection(path)
    failures = Failures()
    collection.failed.connect(failures)
    assert not collection.open()
    assert len(failures) == 1 and "another program's SQLite database" in failures[0]

    tab = DrawTab()
    qtbot.addWidget(tab)
    tab.set_predictor(default_predictor)
    tab.set_collection(collection)
    tab.show()
    draw(tab.canvas, ONE)
    drawn = tab.canvas.strokes()
    QTest.keyClick(tab.canvas, Qt.Key.Key_1)
    assert len(failures) == 2 and failures[1].startswith("Your drawing was not saved and stays on the pad: ")
    assert strokes_equal(tab.canvas.strokes(), drawn)
    assert path.read_bytes() == before

    view = MyDigitsView(collection)
    qtbot.addWidget(view)
    view.show()
    assert "cannot be shown" in view.empty_label.text() and view.empty_label.isVisible()
