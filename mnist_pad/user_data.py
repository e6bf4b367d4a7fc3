"""Where the user's own files live: the my-digits store and the models they train or adapt. Pure: no Qt.

Everything sits in one folder of the user data directory (XDG), so that one
sentence can say where it is, and uninstalling the app can leave it in place.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

APP_FOLDER = "mnist-pad"


def data_home() -> Path:
    """``$XDG_DATA_HOME``, ``~/.local/share`` by default: where launchers look for desktop entries too."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def data_directory() -> Path:
    """``$XDG_DATA_HOME/mnist-pad``: the store of the user's digits and their models."""
    return data_home() / APP_FOLDER


def models_directory() -> Path:
    """Where trained and adapted models go unless the user names a file."""
    return data_directory() / "models"


def new_model_path(directory: Path | None = None, name: str = "mnist_convnet") -> Path:
    """A fresh, time-stamped ``.h5`` file name in ``directory`` (default: ``models_directory()``)."""
    directory = models_directory() if directory is None else directory
    stem = f"{name}_{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = directory / f"{stem}.h5", 2
    while path.exists():
        path, n = directory / f"{stem}-{n}.h5", n + 1
    return path
