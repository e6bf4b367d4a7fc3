"""A freshly trained model against the model in use, on the same held-out digits. Pure: no Qt.

After a run in the Train tab, a person should know whether *Use this model* is a step
forward before taking it: both models are scored on MNIST's test set and, when the run
had pen digits, on the pen digits of the writers that validated instead of training
(the run's own validation writers, so the new model never trained on them; the model in
use may have).
"""

from __future__ import annotations

from pathlib import Path

from mnist_pad.model_io import load_model
from mnist_pad.predictor import Predictor
from training.job import TrainConfig
from training.pen_data import PenSamples, run_writers


def compare_models(new_path: str, current_path: str, data, pen: PenSamples | None, config: TrainConfig) -> list[dict]:
    """Rows of {data, n, new, current, current_name}: accuracies of both models on each held-out set."""
    held_out = [("MNIST test", data.x_test.astype("float32") / 255.0, data.y_test)]
    if pen is not None:
        validating = run_writers(pen, config.hold_out_writers, config.hold_out_contributors, config.validation_writers)[1]
        if len(validating):
            held_out.append(("pen digits of the writers that validated", validating.images(), validating.labels))
    models = [Predictor(load_model(path).model) for path in (new_path, current_path)]
    rows = []
    for name, pictures, labels in held_out:
        new, current = (float((model.predict_batch(pictures).argmax(1) == labels).mean()) for model in models)
        rows.append({"data": name, "n": int(len(labels)), "new": new, "current": current,
                     "current_name": Path(current_path).name})
    return rows
