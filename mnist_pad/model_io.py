"""Finding, checking and loading Keras models. Pure: no Qt.

``inspect_model_file`` reads a model file's architecture with h5py or zipfile
alone, without importing TensorFlow, so the command line can refuse a bad file
at once: unreadable, holding code (Lambda layers), or declaring an input other
than a 28x28 grey image or an output other than 10 classes. ``load_model`` then
loads it with Keras' safe mode on, which refuses to deserialise code, and checks
the built model's shapes again (a config can leave them undeclared).
"""

from __future__ import annotations

import json
import os
import threading
import zipfile
from importlib import resources
from pathlib import Path

from mnist_pad.errors import PlainError, first_line
from mnist_pad.files import card_fraction, read_card

MODEL_SUFFIXES = (".h5", ".keras")
DEFAULT_MODEL_NAME = "mnist_convnet.h5"
# Layers whose config names code to run rather than data to read.
CODE_LAYERS = {"Lambda", "TFOpLambda", "SlicingOpLambda"}
IMAGE_SHAPES = ((28, 28), (28, 28, 1))
N_CLASSES = 10
# Layers that keep their input's shape: the classes are counted by the layer before them.
SHAPE_KEEPING_LAYERS = {
    "Activation", "Softmax", "ReLU", "LeakyReLU", "ELU", "PReLU", "Dropout", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "BatchNormalization", "LayerNormalization", "Identity",
}
# h5py can crash when two threads use it at once (h5py issue #2920, open in 2026),
# and the app opens model files on background loaders, several when files are
# opened in quick succession. Every model read here takes this lock.
_MODEL_FILE_LOCK = threading.RLock()


class ModelLoadError(PlainError):
    """A model file that cannot be used; the message is one plain sentence naming it."""


class LoadedModel:
    """A checked model file and its card; its Keras network is loaded when first asked for.

    The live path predicts through the runtime (``mnist_pad.runtime``) and needs no Keras:
    TensorFlow (seconds, hundreds of MB) is imported only by what asks for ``model``,
    which must therefore ask off the GUI thread.
    """

    def __init__(self, path: str | os.PathLike, card: dict | None, model=None):
        self.path = Path(path)
        self.card = card
        self._model = model  # keras.Model; typed loosely so that this module imports no Keras
        self._model_lock = threading.Lock()

    @property
    def model(self):
        """The keras.Model, loaded (safely, and checked) on first use."""
        with self._model_lock:
            if self._model is None:
                self._model = _load_keras_model(self.path)
            return self._model

    @property
    def test_accuracy(self) -> float | None:
        return card_fraction(self.card, "test_accuracy")


def default_model_path() -> Path:
    """The model shipped inside the installed package (``resources/`` in the source tree)."""
    return Path(str(resources.files("mnist_pad.resources") / DEFAULT_MODEL_NAME))


def inspect_model_file(path: str | os.PathLike) -> dict:
    """Check what can be checked without TensorFlow; return the model's config."""
    path = Path(path)
    if not path.exists():
        raise ModelLoadError(f"{path}: no such file.")
    if path.is_dir():
        raise ModelLoadError(f"{path}: is a directory, not a model file.")
    if path.suffix not in MODEL_SUFFIXES:
        raise ModelLoadError(f"{path}: not a Keras model file (expected .h5 or .keras).")
    with _MODEL_FILE_LOCK:
        config = _read_h5_config(path) if path.suffix == ".h5" else _read_keras_config(path)
    code_layers = sorted(_layer_class_names(config) & CODE_LAYERS)
    if code_layers:
        raise ModelLoadError(
            f"{path}: refused because its {code_layers[0]} layer would run code from the file."
        )
    in_shape = _declared_input_shape(config)
    if in_shape is not None:
        _check_input_shape(in_shape, path)
    classes = _declared_classes(config)
    if classes is not None:
        _check_output_shape((classes,), path)
    return config


def _read_h5_config(path: Path) -> dict:
    import h5py

    try:
        with h5py.File(path, "r") as h5:
            raw = h5.attrs.get("model_config")
            if raw is None:
                raise ModelLoadError(f"{path}: holds no model architecture (weights only?).")
            if "model_weights" not in h5:
                raise ModelLoadError(f"{path}: holds no model weights.")
            raw = raw.decode() if isinstance(raw, bytes) else raw
    except ModelLoadError:
        raise
    # The HDF5 library reports a damaged file under several Python types (OSError,
    # KeyError, RuntimeError, TypeError, UnicodeDecodeError for a damaged config, ...).
    except Exception as error:
        raise ModelLoadError(f"{path}: not a readable HDF5 model (corrupt or truncated).") from error
    if not isinstance(raw, str):
        raise ModelLoadError(f"{path}: its model architecture is not text.")
    return _parse_config(path, raw)


def _read_keras_config(path: Path) -> dict:
    try:
        with zipfile.ZipFile(path) as archive:
            if "model.weights.h5" not in archive.namelist():
                raise ModelLoadError(f"{path}: holds no model weights.")
            raw = archive.read("config.json").decode()
    except ModelLoadError:
        raise
    except Exception as error:  # zipfile and zlib, as for .npz files (mnist_pad.files.read_npz)
        raise ModelLoadError(f"{path}: not a readable .keras archive (corrupt or truncated).") from error
    return _parse_config(path, raw)


def _parse_config(path: Path, raw: str) -> dict:
    try:
        config = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ModelLoadError(f"{path}: its model architecture is not valid JSON.") from error
    if not isinstance(config, dict):
        raise ModelLoadError(f"{path}: its model architecture is not a Keras config.")
    return config


def _layer_class_names(config) -> set[str]:
    """Every ``class_name`` anywhere in a (nested) Keras config."""
    names = set()
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("class_name"), str):
                names.add(node["class_name"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return names


def _model_layers(config: dict) -> tuple[str, list[dict], dict]:
    """The top model's class name, its layer configs, and its own config."""
    inner = config.get("config") if isinstance(config.get("config"), dict) else {}
    layers = inner.get("layers")
    layers = [layer for layer in layers if isinstance(layer, dict)] if isinstance(layers, list) else []
    return str(config.get("class_name", "")), layers, inner


def _declared_input_shape(config: dict) -> tuple | None:
    """The input shape a model's config declares (without the batch axis); None if it declares none."""
    kind, layers, inner = _model_layers(config)
    if kind == "Sequential":
        first = _config_of(layers[0]) if layers else {}
        fallback = inner.get("build_input_shape")
    else:
        names = _layer_names(inner.get("input_layers"))
        if len(names) != 1:
            return None
        first, fallback = _layer_config(layers, names[0]), None
    shape = first.get("batch_shape") or first.get("batch_input_shape") or fallback
    if not isinstance(shape, list) or len(shape) < 2:
        return None
    return tuple(shape[1:])


def _declared_classes(config: dict) -> int | None:
    """The number of classes the model's last layer declares; None if the config does not say."""
    kind, layers, inner = _model_layers(config)
    if kind == "Sequential":
        chain = reversed(layers)
    else:
        names = _layer_names(inner.get("output_layers"))
        if len(names) != 1:
            return None
        chain = _inbound_chain(layers, names[0])
    for layer in chain:
        if layer.get("class_name") not in SHAPE_KEEPING_LAYERS:
            units = _config_of(layer).get("units")
            return units if isinstance(units, int) else None
    return None


def _layer_names(spec) -> list[str]:
    """Names in a functional config's ``input_layers``/``output_layers``: [name, 0, 0] or a list of those."""
    if not isinstance(spec, list) or not spec:
        return []
    if isinstance(spec[0], str):
        return [spec[0]]
    return [item[0] for item in spec if isinstance(item, list) and item and isinstance(item[0], str)]


def _config_of(layer: dict) -> dict:
    """A layer's own config; {} where a damaged or foreign file has something else there."""
    config = layer.get("config")
    return config if isinstance(config, dict) else {}


def _layer_config(layers: list[dict], name: str) -> dict:
    for layer in layers:
        if layer.get("name") == name or _config_of(layer).get("name") == name:
            return _config_of(layer)
    return {}


def _inbound_chain(layers: list[dict], name: str):
    """The layer called ``name``, then the one feeding it, and so on while each has one input."""
    by_name = {layer["name"]: layer for layer in layers if isinstance(layer.get("name"), str)}
    seen = set()
    while name in by_name and name not in seen:
        seen.add(name)
        layer = by_name[name]
        yield layer
        name = _single_inbound_name(layer.get("inbound_nodes"))


def _single_inbound_name(nodes) -> str | None:
    """The one layer feeding a layer, in Keras 3 ({"args": [tensor]}) or Keras 2 ([[[name, 0, 0, {}]]]) form."""
    if not isinstance(nodes, list) or len(nodes) != 1:
        return None
    node = nodes[0]
    try:
        if isinstance(node, dict):
            history = node["args"][0]["config"]["keras_history"]
            return history[0] if len(node["args"]) == 1 else None
        return node[0][0] if len(node) == 1 else None
    except (KeyError, IndexError, TypeError):
        return None


def open_model_file(path: str | os.PathLike) -> LoadedModel:
    """A model file checked without TensorFlow, its Keras network left for later; ModelLoadError if unusable."""
    path = Path(path)
    inspect_model_file(path)
    return LoadedModel(path, read_card(path))


def load_model(path: str | os.PathLike) -> LoadedModel:
    """Load a model with its Keras network; every failure becomes a ModelLoadError sentence."""
    loaded = open_model_file(path)
    loaded.model  # noqa: B018 - loading now is the point: its errors are this call's
    return loaded


def _load_keras_model(path: Path):
    import keras

    try:
        with _MODEL_FILE_LOCK:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for bad files
        raise ModelLoadError(f"{path}: Keras could not load it ({first_line(error)}).") from error
    check_compatible(model, path)
    return model


def check_compatible(model, path: Path) -> None:
    inputs, outputs = getattr(model, "inputs", None), getattr(model, "outputs", None)
    if not inputs or not outputs or len(inputs) != 1 or len(outputs) != 1:
        raise ModelLoadError(f"{path}: the model must have one input and one output.")
    _check_input_shape(tuple(inputs[0].shape[1:]), path)
    _check_output_shape(tuple(outputs[0].shape[1:]), path)


def _check_input_shape(shape: tuple, path: Path) -> None:
    if shape not in IMAGE_SHAPES:
        raise ModelLoadError(f"{path}: the model takes input of shape {shape}, not a 28x28 grey image.")


def _check_output_shape(shape: tuple, path: Path) -> None:
    if shape != (N_CLASSES,):
        raise ModelLoadError(f"{path}: the model gives output of shape {shape}, not {N_CLASSES} classes.")

