"""The classic MNIST Conv2D network, exactly as the tutorial builds it."""

from __future__ import annotations

import keras
from keras import layers

from training.job import EMA_MOMENTUM

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
PARAMETER_COUNT = 174_762


def build_model() -> keras.Model:
    """Conv2D(64) -> pool -> Conv2D(128) -> pool -> Conv2D(64, valid) -> Conv2D(32) -> Dense(10)."""
    model = keras.Sequential(
        [
            # Named as Keras names them in a fresh session, whatever was built before
            # in this one: the names are what the Inside tab shows.
            keras.Input(shape=INPUT_SHAPE, name="input_layer"),
            layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2d"),
            layers.MaxPool2D(2, name="max_pooling2d"),
            layers.Conv2D(128, 3, padding="same", activation="relu", name="conv2d_1"),
            layers.MaxPool2D(2, name="max_pooling2d_1"),
            layers.Conv2D(64, 3, padding="valid", activation="relu", name="conv2d_2"),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2d_3"),
            layers.Flatten(name="flatten"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="dense"),
        ],
        name="mnist_convnet",
    )
    compile_model(model)
    return model


def load_seed_model(path) -> keras.Model:
    """A fresh seed network holding the weights of the model file at ``path``.

    Raises ``mnist_pad.model_io.ModelLoadError`` when the file cannot be loaded
    or is not this architecture.
    """
    from mnist_pad.model_io import ModelLoadError, load_model

    loaded = load_model(path).model
    model = build_model()
    shapes = [tuple(w.shape) for w in loaded.weights]
    if shapes != [tuple(w.shape) for w in model.weights]:
        raise ModelLoadError(f"{path}: not the mnist-pad network, so training cannot start from it.")
    model.set_weights(loaded.get_weights())
    return model


def compile_model(model: keras.Model, learning_rate: float = 1e-3, average_weights: bool = False) -> None:
    """Adam on categorical cross-entropy; with ``average_weights``, Adam also keeps an exponential moving
    average of the weights (Polyak averaging), which ``fit`` validates and saves instead of the last step's."""
    optimizer = keras.optimizers.Adam(learning_rate, use_ema=average_weights, ema_momentum=EMA_MOMENTUM)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["acc"])
