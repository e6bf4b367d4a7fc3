"""Shared fixtures: the committed MNIST sample, the full data sets when CI points at them, the shipped model, bad models."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from bad_models import BadModel, build_bad_models

from mnist_pad.model_io import default_model_path

# Settings and trained models go to a throwaway home, never the user's own: set
# before anything creates a QApplication, and inherited by the CLI subprocesses.
_HOME = Path(tempfile.mkdtemp(prefix="mnist-pad-tests-"))
os.environ["XDG_CONFIG_HOME"] = str(_HOME / "config")
os.environ["XDG_DATA_HOME"] = str(_HOME / "data")
# No display (a server, a container, CI): Qt's offscreen platform, so that plain
# `pytest` runs anywhere. Set before any QApplication; a platform chosen by hand wins.
if not any(os.environ.get(name) for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

SAMPLE_PATH = Path(__file__).parent / "data" / "mnist_sample.npz"
FULL_DATA_ENV = "MNIST_PAD_DATA"
PEN_DIGITS_ENV = "MNIST_PAD_PEN_DIGITS"
PEN_LETTERS_ENV = "MNIST_PAD_PEN_LETTERS"
PEN_NUMBERS_ENV = "MNIST_PAD_PEN_NUMBERS"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE_PATH


@pytest.fixture(scope="session")
def sample_data():
    from training.data import load_mnist

    return load_mnist(SAMPLE_PATH)


def _env_file(variable: str) -> Path:
    value = os.environ.get(variable)
    if not value:
        pytest.skip(f"{variable} is not set (CI points it at ../shared)")
    path = Path(value)
    if not path.is_file():
        pytest.skip(f"{variable}={value} is not a file")
    return path


@pytest.fixture(scope="session")
def full_data_path() -> Path:
    return _env_file(FULL_DATA_ENV)


@pytest.fixture(scope="session")
def pen_digits_path() -> Path:
    return _env_file(PEN_DIGITS_ENV)


@pytest.fixture(scope="session")
def pen_letters_path() -> Path:
    return _env_file(PEN_LETTERS_ENV)


@pytest.fixture(scope="session")
def pen_numbers_path() -> Path:
    return _env_file(PEN_NUMBERS_ENV)


@pytest.fixture
def no_data_env(monkeypatch):
    """Tests of the data search order must not see CI's MNIST_PAD_DATA."""
    monkeypatch.delenv(FULL_DATA_ENV, raising=False)


@pytest.fixture(scope="session")
def default_model() -> Path:
    path = default_model_path()
    assert path.is_file(), f"the default model {path} is missing"
    return path


@pytest.fixture(scope="session")
def default_predictor(default_model):
    """One Predictor on the default model, shared: loading takes seconds."""
    from mnist_pad.model_io import load_model
    from mnist_pad.predictor import Predictor

    return Predictor(load_model(default_model).model)


@pytest.fixture(scope="session")
def bad_models(tmp_path_factory) -> dict[str, BadModel]:
    """Every kind of model file that must be refused, by kind (see ``build_bad_models``)."""
    return build_bad_models(tmp_path_factory.mktemp("bad_models"))
