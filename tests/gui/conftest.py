"""Fixtures of the GUI tests: the Train tab with settings of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import ErrorLog
from PySide6.QtCore import QSettings

from mnist_pad.gui.train import settings_form as settings_form_module
from mnist_pad.gui.train import train_tab as train_tab_module
from mnist_pad.gui.train.train_tab import TrainTab


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch, settings):
    """Tabs that MainWindow builds must not read or write the user's own settings, and start with no
    pen digits chosen: CI's $MNIST_PAD_PEN_DIGITS is the recipe's data at hand, which only the test of
    those defaults asks for."""
    monkeypatch.setattr(train_tab_module, "default_settings", lambda: settings)
    monkeypatch.setattr(settings_form_module, "pen_digits_at_hand", lambda: [])


@pytest.fixture
def out_dir(tmp_path) -> Path:
    return tmp_path / "models"


@pytest.fixture
def tab(qtbot, settings, sample_path):
    tab = TrainTab(data_path=str(sample_path), settings=settings)
    tab.errors = ErrorLog()
    tab.show_error = tab.errors  # the dialog would block; read its sentence instead
    qtbot.addWidget(tab)
    tab.show()
    yield tab
    assert tab.shutdown(), "a training thread outlived its test"
