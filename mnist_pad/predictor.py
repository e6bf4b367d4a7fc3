"""Fast single-drawing inference. Pure: no Qt.

``model.predict`` builds a data pipeline on every call: slow for one image and,
called once per stroke, a steady memory leak. Live use needs one compiled call
on a fixed-shape batch, traced once and reused, and TensorFlow set up for one
small image at a time (``configure_for_live_use``).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from mnist_pad.preprocess import strokes_to_image


def configure_for_live_use() -> bool:
    """Run each op on the calling thread: the set-up for one drawing at a time.

    One 28x28 image is too little work to split across cores; handing each op to
    a thread pool, which sleeps between drawings, costs more than it saves. The
    app can afford this process-wide setting because training runs in its own
    process (``training.process``). It must come before TensorFlow's first op;
    returns False, changing nothing, when that has already run.
    """
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        return False
    return True


class Predictor:
    """Class probabilities for 28x28 float images in [0, 1] (white digit on black)."""

    def __init__(self, model):
        self.model = model
        input_shape = (None, *model.inputs[0].shape[1:])  # (None, 28, 28) or (None, 28, 28, 1)
        self._single_shape = (1, *input_shape[1:])
        # The traced graph itself, not the tf.function around it: skipping the
        # function's argument matching saves a third of a millisecond a call.
        self._call = tf.function(
            lambda batch: model(batch, training=False),
            input_signature=[tf.TensorSpec(input_shape, tf.float32)],
        ).get_concrete_function()
        self.predict(np.zeros((28, 28), np.float32))  # the first run sets up kernels: now, not on a stroke

    def predict(self, image: np.ndarray) -> np.ndarray:
        """(28, 28) float image -> (10,) probabilities."""
        batch = np.asarray(image, np.float32).reshape(self._single_shape)
        return self._call(tf.constant(batch)).numpy()[0]

    def predict_batch(self, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """(n, 28, 28) float images -> (n, 10) probabilities."""
        images = np.asarray(images, np.float32)
        shape = (-1, *self._single_shape[1:])
        chunks = [
            self._call(tf.constant(images[i : i + batch_size].reshape(shape))).numpy()
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(chunks) if chunks else np.zeros((0, 10), np.float32)


def predict_strokes(predictor: Predictor, strokes, min_extent: float = 0.0):
    """The live path: strokes -> (28x28 image, 10 probabilities), or None for no ink.

    The GUI's prediction worker and ``benchmarks/bench_predict.py`` both call this.
    """
    image = strokes_to_image(strokes, min_extent=min_extent)
    if image is None:
        return None
    return image, predictor.predict(image)
