"""Which MNIST a training run uses, and why: the Train tab's data line. Pure: no Qt."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from training.data import DATA_ENV_VAR

KERAS_DOWNLOAD = "MNIST from Keras"  # short enough for the form at the window's default size


@dataclass(frozen=True)
class MnistSource:
    path: str | None  # what to hand to load_mnist; None lets it read $MNIST_PAD_DATA or download
    name: str  # the file or folder, or what Keras will do
    origin: str  # why this one

    @property
    def line(self) -> str:
        return f"{self.name} ({self.origin})"


def describe_data_source(picked: str | None, command_line: str | None) -> MnistSource:
    """The data a run uses: picked here, else ``--data``, else ``$MNIST_PAD_DATA``, else Keras' download."""
    if picked:
        return MnistSource(picked, _display_name(picked), "chosen")
    if command_line:
        return MnistSource(command_line, _display_name(command_line), "from --data")
    env = os.environ.get(DATA_ENV_VAR)
    if env:
        return MnistSource(None, _display_name(env), f"from ${DATA_ENV_VAR}")
    return MnistSource(None, KERAS_DOWNLOAD, f"${DATA_ENV_VAR} unset")


def _display_name(path: str) -> str:
    p = Path(path)
    return f"{p.name}/" if p.is_dir() else p.name
