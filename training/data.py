"""Loading and validating MNIST.

Sources, in order: an explicit path (a Keras-layout ``.npz`` or a directory of
the four IDX files, gzipped or not), the ``MNIST_PAD_DATA`` environment
variable, then ``keras.datasets.mnist.load_data()``.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnist_pad.errors import PlainError, first_line
from mnist_pad.files import read_npz

DATA_ENV_VAR = "MNIST_PAD_DATA"
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
_IDX_UBYTE = 0x08


class DataError(PlainError):
    """A data file that cannot be used; the message is one plain sentence."""


@dataclass(frozen=True)
class MnistData:
    x_train: np.ndarray  # uint8 (n, 28, 28)
    y_train: np.ndarray  # uint8 (n,)
    x_test: np.ndarray
    y_test: np.ndarray
    source: str  # where it came from, for messages and the model card


def _checked(arrays: dict[str, np.ndarray], source: str) -> MnistData:
    for split in ("train", "test"):
        _validate_split(arrays[f"x_{split}"], arrays[f"y_{split}"], split, source)
    # Keras' own npz stores labels as uint8; other tools write int64. Both are fine.
    labels = {k: arrays[k].astype(np.uint8) for k in ("y_train", "y_test")}
    return MnistData(**{**arrays, **labels}, source=source)


def _validate_split(images: np.ndarray, labels: np.ndarray, split: str, source: str) -> None:
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(
            f"{source}: {split} images must be uint8 of shape (n, 28, 28), "
            f"found {images.dtype} {images.shape}."
        )
    if labels.ndim != 1 or len(labels) != len(images):
        raise DataError(
            f"{source}: {split} labels must be one per image, "
            f"found shape {labels.shape} for {len(images)} images."
        )
    if len(images) == 0:
        raise DataError(f"{source}: the {split} split is empty.")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() > 9:
        raise DataError(f"{source}: {split} labels must be integers from 0 to 9.")


def load_mnist(path: str | os.PathLike | None = None) -> MnistData:
    """Load MNIST from ``path``, else ``$MNIST_PAD_DATA``, else Keras' download."""
    if path is None:
        path = os.environ.get(DATA_ENV_VAR) or None
    if path is None:
        return _load_from_keras()
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or directory.")
    arrays = _read_idx_dir(path) if path.is_dir() else _read_npz(path)
    return _checked(arrays, str(path))


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    return read_npz(path, NPZ_KEYS, "an MNIST .npz", DataError)




def _read_idx_dir(directory: Path) -> dict[str, np.ndarray]:
    arrays = {}
    for key, name in IDX_NAMES.items():
        candidates = [directory / name, directory / f"{name}.gz"]
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            raise DataError(f"{directory}: the directory has no {name} or {name}.gz file.")
        arrays[key] = read_idx(found)
    return arrays


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file of unsigned bytes (gzipped or not)."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError, zlib.error) as error:  # gzip's damage: BadGzipFile (an OSError), EOFError, zlib.error
        raise DataError(f"{path}: cannot be read ({first_line(error)}).") from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataError(f"{path}: not an IDX file (bad magic number).")
    if raw[2] != _IDX_UBYTE:
        raise DataError(f"{path}: IDX data type 0x{raw[2]:02x} is not unsigned bytes.")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: the IDX header is truncated.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = math.prod(shape) if shape else 0  # Python ints: a damaged header's huge shape cannot wrap
    if len(raw) - header != expected:
        raise DataError(
            f"{path}: the IDX file holds {len(raw) - header} data bytes "
            f"where its header promises {expected} (truncated or corrupt)."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _load_from_keras() -> MnistData:
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # network errors come in many types
        raise DataError(
            f"MNIST could not be downloaded by Keras ({first_line(error)}); "
            f"pass --data or set {DATA_ENV_VAR} to a local mnist.npz."
        ) from error
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return _checked(arrays, "keras.datasets.mnist")




def split_validation(
    images: np.ndarray, labels: np.ndarray, validation_samples: int, seed: int = 0
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Hold out a seeded random validation set so that the test set stays unseen."""
    if not 0 < validation_samples < len(images):
        raise ValueError(
            f"validation needs between 1 and {len(images) - 1} samples, got {validation_samples}"
        )
    order = np.random.default_rng(seed).permutation(len(images))
    val, train = order[:validation_samples], order[validation_samples:]
    return (images[train], labels[train]), (images[val], labels[val])
