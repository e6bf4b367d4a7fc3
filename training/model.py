"""The classic MNIST Conv2D network, exactly as the tutorial builds it."""

from __future__ import annotations

import keras
from keras import layers

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
PARAMETER_COUNT = 174_762


def build_model() -> keras.Model:
    """Conv2D(64) -> pool -> Conv2D(128) -> pool -> Conv2D(64, valid) -> Conv2D(32) -> Dense(10)."""
    model = keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPool2D(2),
            layers.Conv2D(128, 3, padding="same", activation="relu"),
            layers.MaxPool2D(2),
            layers.Conv2D(64, 3, padding="valid", activation="relu"),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.Flatten(),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="mnist_convnet",
    )
    compile_model(model)
    return model


def compile_model(model: keras.Model) -> None:
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["acc"])
