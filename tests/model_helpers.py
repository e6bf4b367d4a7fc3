"""Small stand-in networks for tests that need a model of another geometry than the shipped one."""

from __future__ import annotations


def small_model(seed: int = 1):
    """A different geometry: 5x5 stride-2 'valid', a 'same' 3x3, average pooling, a dense head."""
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(6, 5, strides=2, padding="valid", activation="relu"),
            keras.layers.Conv2D(5, 3, padding="same", activation="relu"),
            keras.layers.AveragePooling2D(2),
            keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="tanh"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
