"""Model cards: the real figures of a training run, kept beside the model as JSON."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from mnist_pad.files import card_path, file_sha256, write_bytes_atomic
from training.augment import DESCRIPTION as AUGMENTATION
from training.pen_augment import DESCRIPTION as PEN_AUGMENTATION

# The terms of the data files we know, by content; any other file's are "not recorded".
KNOWN_LICENCES = {
    "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64": (
        "MNIST (Yann LeCun, Corinna Cortes), as published: Creative Commons Attribution-Share Alike 3.0"
    ),
    "847c49d5f25b9233ecbda5f51864c0d87cdc7e2fb1c8de69f02cbdda397c3737": (
        "UNIPEN train_r01_v07, category 1a (International Unipen Foundation, 1999): research use, "
        "with reference to the UNIPEN database"
    ),
}




def write_card(
    model_path: Path, data, config, result, test_accuracy: float, command: str,
    pen_sources=(), held_out: dict | None = None, cross_validation: dict | None = None,
) -> Path:
    import keras
    import tensorflow as tf

    source = Path(data.source)
    mnist_sha256 = file_sha256(source) if source.is_file() else None
    card = {
        "model": model_path.name,
        "test_accuracy": round(test_accuracy, 6),
        "best_val_acc": round(result.best_val_acc, 6),
        "best_epoch": result.best_epoch + 1,
        "epochs_run": len(result.epochs),
        "max_epochs": config.epochs,
        "stopped_early": result.stopped_early,
        "cancelled": result.cancelled,
        "batch_size": config.batch_size,
        "augmentation": AUGMENTATION if config.augment else None,
        "pen_augmentation": PEN_AUGMENTATION if config.augment and pen_sources else None,
        "pen_repeat": config.pen_repeat if pen_sources else None,
        "validation_writers": config.validation_writers if pen_sources else None,
        "init_model": _described_file(config.init_model),
        "learning_rate": config.learning_rate,
        "early_stopping_patience": config.patience,
        "train_samples": config.train_samples,
        "validation_samples": config.validation_samples,
        "training_seconds": round(result.seconds, 1),
        "machine": f"{_cpu_name()}, {_cpu_count()} cores, {platform.system()} {platform.machine()}",
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "data": data.source,
        "data_sha256": mnist_sha256,
        "sources": [
            {"role": "MNIST", "path": data.source, "sha256": mnist_sha256, "licence": _licence(mnist_sha256)},
            *(
                {"role": "pen digits", "path": pen.path, "sha256": pen.sha256, "digits": pen.samples,
                 "writers": pen.writers, "licence": _licence(pen.sha256)}
                for pen in pen_sources
            ),
        ],
        "held_out_writers": held_out,
        "writer_cross_validation": cross_validation,
        "history": [  # epochs counted from 1, as everywhere a person reads them
            {**{k: round(v, 6) for k, v in vars(epoch).items() if k != "epoch"}, "epoch": epoch.epoch + 1}
            for epoch in result.epochs
        ],
        "command": command,
    }
    path = card_path(model_path)
    write_bytes_atomic(path, (json.dumps(card, indent=2) + "\n").encode())
    return path


def _folds(figures: dict) -> str:
    folds = figures.get("folds")
    return f", each scored by one of {folds} models trained without its writer" if folds else ""


def _licence(sha256: str | None) -> str:
    return KNOWN_LICENCES.get(sha256, "not recorded")


def _described_file(path: str | None) -> dict | None:
    return None if path is None else {"path": path, "sha256": file_sha256(path)}


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def card_in_words(card: dict | None, model_name: str) -> list[str]:
    """A model card as a few plain sentences, for people rather than programs."""
    if not card:
        return [f"{model_name} has no model card, so how it was trained is not known."]

    def number(key):
        value = card.get(key)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    lines = []
    accuracy = number("test_accuracy")
    if accuracy is not None:
        lines.append(
            f"It gets {accuracy * 100:.2f}% of the MNIST test digits right,"
            " digits it never saw while training."
        )
    epochs, best, best_val = number("epochs_run"), number("best_epoch"), number("best_val_acc")
    if epochs is not None:
        if card.get("stopped_early"):
            why = "it stopped early because validation accuracy stopped improving"
        elif card.get("cancelled"):
            why = "it was stopped by hand"
        else:
            why = "it ran every epoch it was given"
        kept = f"; the model kept is the one from epoch {best}" if best is not None else ""
        if best is not None and best_val is not None:
            kept += f", with {best_val * 100:.2f}% of the held-out validation digits right"
        lines.append(f"It trained for {epochs} epochs ({why}){kept}.")
    samples, validation = number("train_samples"), number("validation_samples")
    trained_on = f"{samples:,} training images" if samples else "the whole MNIST training set"
    held_out = f", less {validation:,} held out to validate" if validation and not samples else ""
    data_file = Path(str(card.get("data", "?"))).name
    batch = number("batch_size") or "?"
    lines.append(f"Data: {trained_on}{held_out}, from {data_file}, {batch} images a batch.")
    pen_sources = [source for source in card.get("sources") or [] if source.get("role") == "pen digits"]
    for source in pen_sources:
        lines.append(
            f"Beside MNIST it learnt from {source.get('digits', '?'):,} pen-written digits of "
            f"{source.get('writers', '?')} writers, from {Path(str(source.get('path', '?'))).name} "
            f"({source.get('licence', 'licence not recorded')})."
        )
    if card.get("augmentation"):
        lines.append(f"Each batch was varied at random, {card['augmentation']}.")
    if card.get("pen_augmentation"):
        lines.append(f"Each pen digit was redrawn with a varied path: {card['pen_augmentation']}.")
    for key, whose in (("writer_cross_validation", "writers it was not trained on"),
                       ("held_out_writers", "the writers held out of its training")):
        figures = card.get(key)
        if isinstance(figures, dict) and isinstance(figures.get("accuracy"), (int, float)):
            lines.append(
                f"On pen digits of {whose} it gets {figures['accuracy'] * 100:.2f}% right "
                f"({figures.get('n', '?'):,} digits{_folds(figures)})."
            )
    seconds = number("training_seconds")
    if seconds is not None:
        machine, keras_version = card.get("machine", "an unknown machine"), card.get("keras_version", "?")
        lines.append(f"Training took {seconds / 60:.0f} minutes on {machine}, with Keras {keras_version}.")
    if card.get("command"):
        lines.append(f"To train it again: {card['command']}")
    return lines
