"""Making a model's runtime file (see ``mnist_pad.runtime``) with Keras' own ONNX exporter. Imports TensorFlow.

Training, adapting and exporting write it as they write the model, in processes that
hold TensorFlow already. A model first opened in the app gets its file from a child
process, ``python -m training.runtime_export MODEL``, so that the window's own process
never imports TensorFlow to draw: it exits 0 with the file's path, or 2 with one sentence.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from mnist_pad.errors import PlainError, first_line
from mnist_pad.files import file_sha256, write_bytes_atomic
from mnist_pad.runtime import SOURCE_SHA256_KEY, open_runtime, runtime_file_candidates
from training import import_tensorflow_quietly, native_stderr_silenced


class RuntimeExportError(PlainError):
    """A model that the runtime cannot take; one sentence naming the file, then why."""

    @property
    def reason(self) -> str:
        """The sentence without the file's path in front."""
        return str(self).split(": ", 1)[-1]


def write_runtime_file(keras_model, model_path: str | os.PathLike) -> Path:
    """Export ``keras_model``, the network saved in ``model_path``, for the runtime; where it went."""
    import numpy as np
    import onnx

    model_path = Path(model_path)
    sha256 = file_sha256(model_path)
    keras_model(np.zeros((1, *keras_model.inputs[0].shape[1:]), np.float32))  # the exporter needs a called model
    try:
        with tempfile.TemporaryDirectory() as folder, native_stderr_silenced():  # tf2onnx's C++ log lines
            exported = Path(folder) / "model.onnx"
            keras_model.export(str(exported), format="onnx", verbose=False)
            network = onnx.load(str(exported))
    except Exception as error:  # the exporter raises whatever a layer it cannot convert makes it raise
        raise RuntimeExportError(f"{model_path}: the runtime cannot take this model ({first_line(error)}).") from error
    network.metadata_props.add(key=SOURCE_SHA256_KEY, value=sha256)
    data = network.SerializeToString()
    unwritable = None
    for target in runtime_file_candidates(model_path, sha256):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(target, data)
        except OSError as error:
            unwritable = error
        else:
            return target
    raise RuntimeExportError(
        f"{model_path}: its runtime file could not be written ({unwritable.strerror or first_line(unwritable)})."
    )


def write_runtime_file_unless_refused(keras_model, model_path: str | os.PathLike) -> Path | None:
    """For a model just trained, adapted or exported: a model the runtime refuses is still a good model,
    which the app serves through Keras when it opens it (and says why then)."""
    try:
        return write_runtime_file(keras_model, model_path)
    except RuntimeExportError:
        return None


def runtime_or_keras(loaded, make_runtime_file=None) -> tuple[object, str]:
    """The predictor to read ``loaded`` (a LoadedModel) with, and "" or the sentence saying why it is Keras'.

    The runtime's, its file made first when it has none: by ``make_runtime_file(loaded)``, by default
    in this process (the window passes ``make_runtime_file_in_child``, to keep TensorFlow out of its
    own). Keras' when the runtime cannot take the model. ModelLoadError when the model itself cannot
    be used.
    """
    predictor = open_runtime(loaded.path)
    if predictor is not None:
        return predictor, ""
    try:
        (make_runtime_file or make_runtime_file_here)(loaded)
        predictor = open_runtime(loaded.path)
        if predictor is None:  # written, yet not readable
            raise RuntimeExportError(f"{loaded.path}: its runtime file could not be opened.")
    except RuntimeExportError as error:
        # The file's name first: a status bar may have to shorten the reason.
        return keras_predictor(loaded), f"{loaded.path.name} runs through Keras, more slowly: {error.reason}"
    return predictor, ""


def make_runtime_file_here(loaded) -> None:
    import_tensorflow_quietly()  # its CUDA probe would print lines in the user's terminal
    write_runtime_file(loaded.model, loaded.path)


def make_runtime_file_in_child(loaded) -> None:
    export_in_child_process(loaded.path)


def keras_predictor(loaded):
    """The live path through Keras, for a model that the runtime cannot take (imports TensorFlow)."""
    import_tensorflow_quietly()
    from mnist_pad.predictor import Predictor, configure_for_live_use

    configure_for_live_use()  # in effect from the first model this process loads
    return Predictor(loaded.model)


UNUSABLE_MODEL_EXIT = 2  # the model itself cannot be used (the sentence of a ModelLoadError)
NOT_EXPORTED_EXIT = 3  # the model is fine, the runtime cannot take it
CHILD_TIMEOUT_S = 300


def main(argv: list[str] | None = None) -> int:
    """``python -m training.runtime_export MODEL``: what the app runs for a model it opens first."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m training.runtime_export MODEL.h5|MODEL.keras", file=sys.stderr)
        return UNUSABLE_MODEL_EXIT
    from mnist_pad.model_io import ModelLoadError, load_model

    import_tensorflow_quietly()
    try:
        written = write_runtime_file(load_model(args[0]).model, args[0])
    except ModelLoadError as error:
        print(error, file=sys.stderr)
        return UNUSABLE_MODEL_EXIT
    except PlainError as error:
        print(error, file=sys.stderr)
        return NOT_EXPORTED_EXIT
    print(written)
    return 0


def export_in_child_process(model_path: str | os.PathLike) -> None:
    """Write the runtime file of ``model_path`` from a child process; ModelLoadError or RuntimeExportError."""
    import subprocess

    from mnist_pad.model_io import ModelLoadError

    try:
        child = subprocess.run(
            [sys.executable, "-m", "training.runtime_export", str(model_path)],
            capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RuntimeExportError(f"{model_path}: its runtime file could not be made ({first_line(error)}).") from error
    said = child.stderr.strip().splitlines()
    sentence = said[-1] if said else "no reason given"  # the child's one sentence is its last line
    if child.returncode == UNUSABLE_MODEL_EXIT:
        raise ModelLoadError(sentence)
    if child.returncode != 0:
        raise RuntimeExportError(sentence if child.returncode == NOT_EXPORTED_EXIT
                                 else f"{model_path}: making its runtime file failed ({sentence.rstrip('.')}).")


if __name__ == "__main__":
    sys.exit(main())
