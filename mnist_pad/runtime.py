"""The live path's inference runtime: ONNX Runtime on a file made from the Keras model. Pure: no Qt, no TensorFlow.

Importing TensorFlow and loading a model takes about 4 s and 600 MB; ONNX Runtime opens
the same network in a tenth of a second and a tenth of the memory, and gives the same
probabilities (to 1e-6). So the Draw tab predicts here, from a ``.onnx`` file that Keras'
own exporter made from the model file (``training.runtime_export``), and TensorFlow is
imported only by the work that needs it: training, adapting, evidence maps, evaluation.

The ``.onnx`` file lies beside the model file (``mnist_convnet.h5`` →
``mnist_convnet.onnx``) or, where that folder cannot be written, in the user's cache.
It carries the sha256 of the model file it was made from, and is used only while that
matches: a model file changed since is never read stale.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from mnist_pad.files import file_sha256
from mnist_pad.preprocess import strokes_to_image
from mnist_pad.user_data import APP_FOLDER

RUNTIME_SUFFIX = ".onnx"
SOURCE_SHA256_KEY = "mnist_pad_source_sha256"  # in the .onnx file's metadata


class BatchPredictor:
    """Class probabilities for 28x28 float images in [0, 1] (white digit on black).

    Subclasses run one batch of the network's own input shape in ``run_batch``.
    """

    input_shape: tuple  # one image, as the network takes it: (28, 28) or (28, 28, 1)

    def run_batch(self, batch: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def predict(self, image: np.ndarray) -> np.ndarray:
        """(28, 28) float image -> (10,) probabilities."""
        return self.run_batch(np.asarray(image, np.float32).reshape((1, *self.input_shape)))[0]

    def predict_batch(self, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """(n, 28, 28) float images -> (n, 10) probabilities."""
        images = np.asarray(images, np.float32).reshape((-1, *self.input_shape))
        chunks = [self.run_batch(images[i : i + batch_size]) for i in range(0, len(images), batch_size)]
        return np.concatenate(chunks) if chunks else np.zeros((0, 10), np.float32)


class RuntimePredictor(BatchPredictor):
    """The network of one ``.onnx`` file, run by ONNX Runtime on the calling thread."""

    def __init__(self, onnx_path: str | os.PathLike):
        import onnxruntime  # here: the module's constants and helpers need none of it

        options = onnxruntime.SessionOptions()
        # One 28x28 image is too little work to split across cores, and an idle thread pool
        # spinning between drawings costs more than it saves (as for TensorFlow before).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: its warnings would reach the user's terminal
        self.path = Path(onnx_path)
        self._session = onnxruntime.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        source = self._session.get_inputs()[0]
        self._input_name = source.name
        self.input_shape = tuple(source.shape[1:])
        self.source_sha256 = self._session.get_modelmeta().custom_metadata_map.get(SOURCE_SHA256_KEY)
        self.predict(np.zeros((28, 28), np.float32))  # the first run sets up kernels: now, not on a stroke

    def run_batch(self, batch: np.ndarray) -> np.ndarray:
        return self._session.run(None, {self._input_name: batch})[0]


def runtime_file_beside(model_path: Path) -> Path:
    return model_path.with_suffix(RUNTIME_SUFFIX)


def runtime_file_in_cache(model_sha256: str) -> Path:
    """Where a model's runtime file goes when the model's own folder cannot be written."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / APP_FOLDER / "runtime" / f"{model_sha256}{RUNTIME_SUFFIX}"


def runtime_file_candidates(model_path: Path, model_sha256: str) -> tuple[Path, Path]:
    """Where a model's runtime file is looked for, and written, in that order."""
    return runtime_file_beside(model_path), runtime_file_in_cache(model_sha256)


def open_runtime(model_path: str | os.PathLike) -> RuntimePredictor | None:
    """The runtime predictor made from this very model file, or None when there is none yet.

    A runtime file made from another version of the model, or one that ONNX Runtime
    cannot open, counts as none.
    """
    model_path = Path(model_path)
    sha256 = file_sha256(model_path)
    for candidate in runtime_file_candidates(model_path, sha256):
        if not candidate.is_file():
            continue
        try:
            predictor = RuntimePredictor(candidate)
        except Exception:  # ONNX Runtime raises its own types for a damaged file; it is made again
            continue
        if predictor.source_sha256 == sha256:
            return predictor
    return None


def predict_strokes(predictor: BatchPredictor, strokes: Sequence, min_extent: float = 0.0):
    """The live path: strokes -> (28x28 image, 10 probabilities), or None for no ink.

    The GUI's prediction worker and ``benchmarks/bench_predict.py`` both call this.
    """
    image = strokes_to_image(strokes, min_extent=min_extent)
    if image is None:
        return None
    return image, predictor.predict(image)
