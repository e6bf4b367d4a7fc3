"""Looking inside a model: every layer's output for one drawing, the first layer's
kernels, evidence maps, receptive fields, and the figures behind "where it goes
wrong". Pure: no Qt. TensorFlow is imported only when an ``Inspector`` is built.

Evidence is taken on the score before softmax (the last Dense layer's logits):
the softmax of a confident answer is flat, so its gradient says little. The map
is gradient × input: what each pixel's ink did to the score, toward the class
(positive) or away from it (negative); paper without ink contributes nothing.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from mnist_pad.errors import PlainError
from mnist_pad.pen_digits import PenDigits, in_pad_units, render_pad_digits
from training.evaluate import NUM_CLASSES, confusion_matrix

SMOOTHGRAD_SAMPLES = 25
SMOOTHGRAD_NOISE = (
    0.15  # standard deviation, as a fraction of the input's range (Smilkov et al. 2017: 10-20%)
)
# Layers that copy their input unchanged at inference: no new maps to look at.
PASS_THROUGH = {"InputLayer", "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "Reshape"}
# Layers with a window sliding over the image; every other layer keeping the
# image's size (activations, normalisation) works pixel by pixel.
WINDOWED = {"Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D", "AveragePooling2D"}


class InspectError(PlainError):
    """A model that cannot be looked inside this way; the message is one plain sentence."""


# -- receptive fields ----------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A sliding window along one axis: cell i reads ``reach`` inputs from ``i * stride - pad_before``."""

    reach: int
    stride: int
    pad_before: int
    size: int  # the layer's input along this axis


def _span(windows: tuple[Window, ...], index: int) -> tuple[int, int]:
    """The input pixels [start, stop) that cell ``index`` sees, window by window back to the input.

    Clipping at every layer leaves out padding at any depth, not only at the input.
    """
    start, stop = index, index + 1
    for window in reversed(windows):
        start = max(start * window.stride - window.pad_before, 0)
        stop = min((stop - 1) * window.stride - window.pad_before + window.reach, window.size)
    return start, stop


@dataclass(frozen=True)
class ReceptiveField:
    rows: tuple[Window, ...]
    cols: tuple[Window, ...]

    def pixels(self, row: int, col: int) -> tuple[int, int, int, int]:
        """(top, left, bottom, right) of the input pixels cell (row, col) sees; bottom, right exclusive."""
        (top, bottom), (left, right) = _span(self.rows, row), _span(self.cols, col)
        return top, left, bottom, right


def receptive_fields(model) -> dict[str, ReceptiveField | None]:
    """Each layer's receptive field, from its config (kernel, stride, padding, dilation).

    None for a layer whose output is not an image (Flatten, Dense), and for
    every layer after one whose geometry is not known (an upsampling layer, say).
    """
    field: ReceptiveField | None = ReceptiveField((), ())
    fields = {}
    for layer in model.layers:
        in_shape, out_shape = tuple(layer.input.shape[1:]), tuple(layer.output.shape[1:])
        if len(out_shape) != 3:
            field = None  # flattened: every unit sees the whole input
        elif field is not None and type(layer).__name__ in WINDOWED:
            field = _through_window(field, layer.get_config(), in_shape[:2])
        elif field is not None and out_shape[:2] != in_shape[:2]:
            field = None
        fields[layer.name] = field
    return fields


def _through_window(field: ReceptiveField, config: dict, size: tuple[int, int]) -> ReceptiveField:
    kernel = config.get("kernel_size") or config["pool_size"]
    strides = config.get("strides") or kernel
    dilation = config.get("dilation_rate") or (1, 1)
    axes = []
    for axis, previous in enumerate((field.rows, field.cols)):
        reach = (kernel[axis] - 1) * dilation[axis] + 1
        stride = strides[axis]
        pad_before = 0
        if config.get("padding") == "same":  # TensorFlow pads the odd pixel after, not before
            out = math.ceil(size[axis] / stride)
            pad_before = max((out - 1) * stride + reach - size[axis], 0) // 2
        axes.append((*previous, Window(reach, stride, pad_before, size[axis])))
    return ReceptiveField(*axes)


# -- the inspector: one model, compiled calls ------------------------------------

RUNNER_UP = -1  # "why X, not Y" with Y the second most likely class


@dataclass(frozen=True)
class Inside:
    """One image seen through the network."""

    image: np.ndarray  # (28, 28)
    outputs: list[np.ndarray]  # per shown layer; the last is the (10,) answer
    top: int
    versus: int | None  # Y of "why X, not Y"; None: no such map
    evidence: np.ndarray  # (28, 28): ink toward the top class (> 0) or away from it (< 0)
    contrast: np.ndarray | None  # (28, 28): ink toward X rather than Y
    smooth: bool  # SmoothGrad, not the plain gradient

    @property
    def probabilities(self) -> np.ndarray:
        return self.outputs[-1]


@dataclass(frozen=True)
class LayerView:
    name: str
    kind: str  # the Keras class, e.g. "Conv2D"
    shape: tuple[int, ...]  # one image's output: (h, w, channels) or (units,)
    field: ReceptiveField | None

    @property
    def channels(self) -> int:
        return self.shape[-1]


class Inspector:
    """Layer outputs and evidence maps for 28x28 images, through traced graphs.

    Built once per model (tracing takes a second or two), then each call is one
    run of a concrete function, as in ``mnist_pad.predictor``.
    """

    def __init__(self, model):
        import keras
        import tensorflow as tf

        self.model = model
        dense = _last_dense(model)
        fields = receptive_fields(model)
        shown = [layer for layer in model.layers if type(layer).__name__ not in PASS_THROUGH]
        shown = [layer for layer in shown if len(layer.output.shape) == 4] + [model.layers[-1]]
        self.layers = [
            LayerView(layer.name, type(layer).__name__, tuple(layer.output.shape[1:]), fields.get(layer.name))
            for layer in shown
        ]
        self._first_conv = next((layer for layer in model.layers if type(layer).__name__ == "Conv2D"), None)
        self._input_shape = tuple(model.inputs[0].shape[1:])
        spec = tf.TensorSpec((None, *self._input_shape), tf.float32)

        every_layer = keras.Model(model.inputs, [layer.output for layer in shown])
        self._outputs = tf.function(
            lambda batch: every_layer(batch, training=False), input_signature=[spec]
        ).get_concrete_function()

        features = keras.Model(model.inputs, dense.input)

        def weighted_score_gradient(batch, weights):
            with tf.GradientTape() as tape:
                tape.watch(batch)
                logits = tf.matmul(features(batch, training=False), dense.kernel) + dense.bias
                score = tf.reduce_sum(logits * weights)  # samples are independent: one gradient each
            return tape.gradient(score, batch)

        self._gradient = tf.function(
            weighted_score_gradient, input_signature=[spec, tf.TensorSpec((None, NUM_CLASSES), tf.float32)]
        ).get_concrete_function()
        self._tf = tf
        blank = np.zeros((28, 28), np.float32)  # the first runs set up kernels: now, not on a stroke
        self.layer_outputs(blank)
        self.evidence_maps(blank, [(0, None), (0, 1)], smooth=True)

    def layer_outputs(self, image: np.ndarray) -> list[np.ndarray]:
        """Every shown layer's output for one (28, 28) image: (h, w, channels) maps, then the (10,) answer."""
        outputs = self._outputs(self._batch(image[None]))
        return [output.numpy()[0] for output in outputs]

    def kernels(self) -> np.ndarray | None:
        """The first Conv2D layer's kernels as (n, kh, kw) images (summed over input channels), or None."""
        if self._first_conv is None:
            return None
        weights = np.asarray(self._first_conv.kernel.numpy())  # (kh, kw, in, n)
        return weights.sum(axis=2).transpose(2, 0, 1)

    def evidence(
        self, image: np.ndarray, toward: int, away: int | None = None, smooth: bool = False
    ) -> np.ndarray:
        """(28, 28) map of what each pixel's ink does to the score of ``toward``.

        With ``away``, to the score of ``toward`` minus that of ``away``: why the
        network says one and not the other. ``smooth``: SmoothGrad, the gradient
        averaged over noisy copies of the image, in one batched call.
        """
        return self.evidence_maps(image, [(toward, away)], smooth)[0]

    def evidence_maps(
        self, image: np.ndarray, pairs: list[tuple[int, int | None]], smooth: bool = False, seed: int = 0
    ) -> np.ndarray:
        """``evidence`` for several (toward, away) pairs at once: (len(pairs), 28, 28)."""
        image = np.asarray(image, np.float32).reshape(28, 28)
        samples = SMOOTHGRAD_SAMPLES if smooth else 1
        weights = np.zeros((len(pairs), NUM_CLASSES), np.float32)
        for row, (toward, away) in enumerate(pairs):
            weights[row, toward] += 1
            if away is not None:
                weights[row, away] -= 1
        batch = np.broadcast_to(image, (len(pairs), samples, 28, 28))
        if smooth:  # the same noisy copies for every pair, so that their maps compare
            batch = batch + np.random.default_rng(seed).normal(0, SMOOTHGRAD_NOISE, (samples, 28, 28))
        weights = np.repeat(weights, samples, axis=0)
        gradient = self._gradient(self._batch(batch), self._tf.constant(weights)).numpy()
        return gradient.reshape(len(pairs), samples, 28, 28).mean(axis=1) * image

    def inspect(self, image: np.ndarray, versus: int | None = RUNNER_UP, smooth: bool = False) -> Inside:
        """Everything the Inside tab shows for one image, in two compiled calls.

        ``versus``: the class Y of "why X, not Y" (X is the top class);
        RUNNER_UP for the second most likely, None for no such map.
        """
        outputs = self.layer_outputs(image)
        probabilities = outputs[-1]
        ranked = np.argsort(-probabilities, kind="stable")
        top = int(ranked[0])
        if versus == RUNNER_UP:
            versus = int(ranked[1])
        pairs = [(top, None)] + ([(top, versus)] if versus is not None and versus != top else [])
        maps = self.evidence_maps(image, pairs, smooth)
        return Inside(
            image=np.asarray(image, np.float32).reshape(28, 28),
            outputs=outputs,
            top=top,
            versus=pairs[-1][1],
            evidence=maps[0],
            contrast=maps[1] if len(maps) > 1 else None,
            smooth=smooth,
        )

    def _batch(self, images: np.ndarray):
        return self._tf.constant(np.asarray(images, np.float32).reshape(-1, *self._input_shape))


def _last_dense(model):
    dense = next((layer for layer in reversed(model.layers) if type(layer).__name__ == "Dense"), None)
    if dense is None or dense.kernel.shape[-1] != NUM_CLASSES:
        raise InspectError("The model has no final Dense layer of 10 classes, so its scores cannot be read.")
    return dense


def architecture_in_words(model) -> str:
    """The layers from input to answer, one short phrase each, and the parameter count."""
    phrases = []
    for layer in model.layers:
        config, kind = layer.get_config(), type(layer).__name__
        if kind in PASS_THROUGH:
            continue
        words = [kind]
        if "filters" in config:
            words.append(f"{config['filters']} filters")
        if "units" in config:
            words.append(f"{config['units']} units")
        window = config.get("kernel_size") or config.get("pool_size")
        if window:
            words.append("×".join(str(k) for k in window))
        if tuple(config.get("strides") or (1,)) not in ((1, 1), (1,), tuple(window or ())):
            words.append(f"stride {config['strides'][0]}")
        if config.get("padding"):
            words.append(f"'{config['padding']}'")
        if config.get("activation") not in (None, "linear"):
            words.append(str(config["activation"]))
        phrases.append(" ".join(words))
    return " → ".join(phrases) + f"; {model.count_params():,} parameters."


# -- where it goes wrong --------------------------------------------------------


@dataclass(frozen=True)
class LabelledImages:
    """Images to evaluate on, and for pen-written digits the strokes behind each."""

    images: np.ndarray  # (n, 28, 28) float32 in [0, 1], white on black
    labels: np.ndarray  # (n,) ints 0-9
    digits: PenDigits | None = None  # digits.strokes(i) drew images[i]


@dataclass(frozen=True)
class Predictions:
    """A model's answers on a set of labelled images."""

    data: LabelledImages
    probabilities: np.ndarray  # (n, 10)

    @property
    def predicted(self) -> np.ndarray:
        return np.argmax(self.probabilities, axis=1)

    @property
    def confusion(self) -> np.ndarray:
        return confusion_matrix(self.data.labels, self.predicted)

    def examples(self, true: int, predicted: int) -> np.ndarray:
        """Indices of the images of class ``true`` predicted as ``predicted``, worst first.

        Worst: the least probability given to the true class.
        """
        chosen = np.flatnonzero((self.data.labels == true) & (self.predicted == predicted))
        return chosen[np.argsort(self.probabilities[chosen, true], kind="stable")]


def mnist_test_images(data) -> LabelledImages:
    """MNIST's test split (``training.data.MnistData``) as float images."""
    return LabelledImages(data.x_test.astype(np.float32) / 255.0, data.y_test.astype(np.int64))


def pen_digit_images(digits: PenDigits) -> LabelledImages:
    """Pen-written digits rendered as the pad renders a drawing of them."""
    images = render_pad_digits(in_pad_units(digits.strokes(i)) for i in range(len(digits)))
    return LabelledImages(images, digits.labels, digits)


def predict_all(
    predict_batch: Callable[[np.ndarray], np.ndarray],
    data: LabelledImages,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 1000,
) -> Predictions:
    """Run ``predict_batch`` over every image, a chunk at a time, reporting (done, total)."""
    total = len(data.labels)
    parts = []
    for start in range(0, total, chunk):
        parts.append(predict_batch(data.images[start : start + chunk]))
        if progress is not None:
            progress(min(start + chunk, total), total)
    probabilities = np.concatenate(parts) if parts else np.zeros((0, NUM_CLASSES), np.float32)
    return Predictions(data, probabilities)


def row_percentages(confusion: np.ndarray) -> np.ndarray:
    """Each row as percentages of its true class (0 for a class with no samples)."""
    totals = confusion.sum(axis=1, keepdims=True)
    return np.divide(confusion * 100.0, totals, out=np.zeros(confusion.shape), where=totals > 0)


def most_confused(confusion: np.ndarray, limit: int = 10) -> list[tuple[int, int, int]]:
    """The off-diagonal cells with the most mistakes: (true, predicted, count), most first."""
    mistakes = confusion.astype(np.int64).copy()
    np.fill_diagonal(mistakes, 0)
    order = np.argsort(-mistakes, axis=None, kind="stable")[:limit]
    pairs = [(int(i // NUM_CLASSES), int(i % NUM_CLASSES)) for i in order]
    return [
        (true, predicted, int(mistakes[true, predicted]))
        for true, predicted in pairs
        if mistakes[true, predicted]
    ]


def file_key(path: str | os.PathLike) -> tuple:
    """Identifies one version of a file (a model, a data set): a changed file gets a new key."""
    stat = Path(path).stat()
    return (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)
