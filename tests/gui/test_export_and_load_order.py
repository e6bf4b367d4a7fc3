"""File ▸ Export model… (.keras with its card), and which of several model loads in flight serves."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
from gui_helpers import (
    MODEL_LOAD_TIMEOUT_MS,
    ONE,
    SEVEN,
    ErrorLog,
    draw,
    wait_for_prediction,
)
from PySide6.QtWidgets import QFileDialog

from mnist_pad.gui.main_window import MainWindow
from mnist_pad.load_order import NewestSuccessWins
from mnist_pad.runtime import open_runtime

# -- the load order, pure ---------------------------------------------------------


def test_the_newest_success_is_used_at_once():
    order = NewestSuccessWins()
    order.request("a", "a.h5")
    order.request("b", "b.h5")
    assert order.succeeded("b", "B") == "B"
    assert order.succeeded("a", "A") is None  # older: it lost
    assert order.newest_pending() is None


def test_an_older_success_waits_while_a_newer_load_may_still_succeed():
    order = NewestSuccessWins()
    order.request("a", "a.h5")
    order.request("b", "b.h5")
    assert order.succeeded("a", "A") is None
    assert order.newest_pending() == "b.h5"
    assert order.succeeded("b", "B") == "B"


@pytest.mark.parametrize("failure_first", [True, False])
def test_when_the_newest_load_fails_the_newest_success_before_it_serves(failure_first):
    order = NewestSuccessWins()
    order.request("default", "default.h5")
    order.request("bad", "bad.h5")
    if failure_first:
        assert order.failed("bad") is None  # the default may still load
        assert order.newest_pending() == "default.h5"
        assert order.succeeded("default", "D") == "D"
    else:
        assert order.succeeded("default", "D") is None
        assert order.failed("bad") == "D"
    assert order.newest_pending() is None


def test_when_every_load_fails_nothing_changes():
    order = NewestSuccessWins()
    order.request("a", "a.h5")
    order.request("b", "b.h5")
    assert order.failed("a") is None and order.failed("b") is None
    assert order.newest_pending() is None


# -- the window ---------------------------------------------------------------------




@pytest.fixture
def window(qtbot):
    """A window still loading the default model; its dialogs are read, not shown."""
    window = MainWindow()
    window.errors = ErrorLog()
    window.show_error = window.errors
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def serving(window, qtbot, default_model):
    qtbot.waitUntil(lambda: window.current_model_path == str(default_model), timeout=MODEL_LOAD_TIMEOUT_MS)
    return window


def predictions(qtbot, window) -> np.ndarray:
    rows = []
    for strokes in (ONE, SEVEN):
        window.draw_tab.canvas.clear()
        draw(window.draw_tab.canvas, strokes)
        rows.append(wait_for_prediction(qtbot, window.draw_tab))
    return np.stack(rows)


def test_a_bad_model_opened_while_a_good_one_loads_leaves_the_good_one_serving(
    serving, qtbot, bad_models, default_model, tmp_path
):
    good = tmp_path / "good.h5"
    shutil.copyfile(default_model, good)
    bad = bad_models["rgb-32x32"]
    serving.open_model(str(good))
    serving.open_model(str(bad.path))  # the newest request, and it fails: in either order, the good one serves
    qtbot.waitUntil(
        lambda: serving.current_model_path == str(good) and len(serving.errors) == 1,
        timeout=MODEL_LOAD_TIMEOUT_MS,
    )
    assert bad.path.name in serving.errors[0]
    assert serving.model_status.text().startswith(good.name)  # it says which
    assert np.argmax(predictions(qtbot, serving), axis=1).tolist() == [1, 7]


def test_an_exported_model_reopened_gives_the_same_probabilities(serving, qtbot, tmp_path, default_model):
    before = predictions(qtbot, serving)
    serving.export_model(tmp_path / "mine")  # the suffix is added
    exported = tmp_path / "mine.keras"
    assert serving.errors == []
    card = json.loads((tmp_path / "mine.card.json").read_text())
    assert card["model"] == "mine.keras" and card["exported_from"] == default_model.name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.card.json", "mine.keras", "mine.onnx"]  # no temporaries
    assert open_runtime(exported) is not None, "the export's runtime file is made from the exported file"

    with qtbot.waitSignal(serving.state.model_changed, timeout=MODEL_LOAD_TIMEOUT_MS) as blocker:
        serving.open_model(str(exported))
    assert blocker.args == [str(exported)]
    after = predictions(qtbot, serving)
    np.testing.assert_allclose(after, before, atol=1e-5)


def test_the_menu_exports_to_the_chosen_file(serving, qtbot, tmp_path, monkeypatch):
    chosen = tmp_path / "from-menu.keras"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(chosen), ""))
    assert serving.export_action.isEnabled()
    serving.export_action.trigger()
    assert chosen.is_file() and (tmp_path / "from-menu.card.json").is_file()


def test_export_is_offered_only_once_a_model_serves(window):
    assert not window.export_action.isEnabled()


def unwritable_folder(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    if os.access(folder, os.W_OK):
        folder.chmod(0o700)
        pytest.skip("this user (root?) can write any folder")
    return folder


@pytest.mark.parametrize("case", ["missing folder", "read-only folder"])
def test_exporting_where_it_cannot_be_written_names_the_folder_and_keeps_the_model(
    serving, qtbot, tmp_path, default_model, case
):
    folder = tmp_path / "no-such-folder" if case == "missing folder" else unwritable_folder(tmp_path)
    serving.export_model(folder / "mine.keras")
    assert len(serving.errors) == 1 and str(folder) in serving.errors[0], serving.errors
    assert "\n" not in serving.errors[0]
    assert serving.current_model_path == str(default_model)
    assert not (folder / "mine.keras").exists()
    assert np.argmax(predictions(qtbot, serving), axis=1).tolist() == [1, 7]
