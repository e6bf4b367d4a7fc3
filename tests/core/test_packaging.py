"""A plain (non-editable) install carries the default model and its card."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from test_default_model import MNIST_FLOOR

from mnist_pad.files import CARD_SUFFIX
from mnist_pad.model_io import DEFAULT_MODEL_NAME, default_model_path, load_model

SOURCE_TREE = Path(__file__).resolve().parents[2]


def test_wheel_carries_the_default_model(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(SOURCE_TREE)],
        capture_output=True, text=True, timeout=600,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("mnist_pad-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    stem = DEFAULT_MODEL_NAME.removesuffix(".h5")
    assert f"mnist_pad/resources/{DEFAULT_MODEL_NAME}" in names
    assert f"mnist_pad/resources/{stem}{CARD_SUFFIX}" in names
    sources = {
        path.relative_to(SOURCE_TREE).as_posix()
        for package in ("mnist_pad", "training")
        for path in (SOURCE_TREE / package).rglob("*.py")
    }
    assert "mnist_pad/gui/draw/canvas.py" in sources  # the tab subpackages are among them
    assert sources <= names, sorted(sources - names)


def test_default_model_loads_with_its_card():
    loaded = load_model(default_model_path())
    assert loaded.path.name == DEFAULT_MODEL_NAME
    assert loaded.test_accuracy is not None and loaded.test_accuracy >= MNIST_FLOOR
