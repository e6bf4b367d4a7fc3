"""Fast single-drawing inference through Keras. Pure: no Qt.

``model.predict`` builds a data pipeline on every call: slow for one image and,
called once per stroke, a steady memory leak. Live use needs one compiled call
on a fixed-shape batch, traced once and reused, and TensorFlow set up for one
small image at a time (``configure_for_live_use``).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from mnist_pad.runtime import BatchPredictor


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


class Predictor(BatchPredictor):
    """A Keras model's probabilities through one traced call: for training, evaluation and the
    models the runtime cannot take (``mnist_pad.runtime`` is the live path's)."""

    def __init__(self, model):
        self.model = model
        self.input_shape = tuple(model.inputs[0].shape[1:])  # (28, 28) or (28, 28, 1)
        # The traced graph itself, not the tf.function around it: skipping the
        # function's argument matching saves a third of a millisecond a call.
        self._call = tf.function(
            lambda batch: model(batch, training=False),
            input_signature=[tf.TensorSpec((None, *self.input_shape), tf.float32)],
        ).get_concrete_function()
        self.predict(np.zeros((28, 28), np.float32))  # the first run sets up kernels: now, not on a stroke

    def run_batch(self, batch: np.ndarray) -> np.ndarray:
        return self._call(tf.constant(batch)).numpy()
