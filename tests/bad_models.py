"""Model files that no command may use, built in a test's folder, each with what its refusal must say.

The Lambda models carry a function that creates a marker file when it runs: a
test that finds the marker after refusing the file has caught code from it
running.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mnist_pad.model_io import default_model_path


@dataclass(frozen=True)
class BadModel:
    path: Path
    reason: str  # words the one-line refusal must contain


BAD_MODEL_KINDS = (
    "missing", "empty", "random-bytes", "text-named-keras", "truncated-h5", "rgb-32x32", "5-classes",
    "lambda.h5", "lambda.keras",
)


def build_bad_models(folder: Path) -> dict[str, BadModel]:
    import keras

    def save(model, name: str) -> Path:
        model.save(folder / name)
        return folder / name

    def dense_model(input_shape: tuple, classes: int):
        return keras.Sequential(
            [keras.Input(input_shape), keras.layers.Flatten(), keras.layers.Dense(classes, activation="softmax")]
        )

    empty = folder / "empty.h5"
    empty.write_bytes(b"")
    noise = folder / "noise.h5"
    noise.write_bytes(os.urandom(5000))
    text = folder / "notes.keras"
    text.write_text("these are my notes, not a model\n")
    truncated = folder / "truncated.h5"
    truncated.write_bytes(default_model_path().read_bytes()[:4000])

    bad = {
        "missing": BadModel(folder / "missing.h5", "no such file"),
        "empty": BadModel(empty, "corrupt or truncated"),
        "random-bytes": BadModel(noise, "corrupt or truncated"),
        "text-named-keras": BadModel(text, "corrupt or truncated"),
        "truncated-h5": BadModel(truncated, "corrupt or truncated"),
        "rgb-32x32": BadModel(save(dense_model((32, 32, 3), 10), "rgb32.h5"), "not a 28x28 grey image"),
        "5-classes": BadModel(save(dense_model((28, 28, 1), 5), "five_classes.keras"), "not 10 classes"),
    }
    for suffix in (".h5", ".keras"):
        bad[f"lambda{suffix}"] = BadModel(_lambda_model(keras, folder / f"lambda{suffix}"), "would run code")
    return bad


def lambda_marker(model_path: Path) -> Path:
    """The file a Lambda model's code creates if anything runs it."""
    return model_path.with_name(model_path.name + ".code-ran")


def _lambda_model(keras, path: Path) -> Path:
    marker = lambda_marker(path)
    # Built from source so that the marker's path is a constant in the saved bytecode.
    touch = eval(f"lambda x: x * (__import__('pathlib').Path({str(marker)!r}).touch() or 1)")
    inputs = keras.Input((28, 28, 1))
    outputs = keras.layers.Dense(10)(keras.layers.Flatten()(keras.layers.Lambda(touch)(inputs)))
    keras.Model(inputs, outputs).save(path)
    assert marker.exists(), "building the model should have run the Lambda once"
    marker.unlink()
    return path
