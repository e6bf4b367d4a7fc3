"""How the shipped model was trained, read from its card: what a new training run starts from.

The Train tab's defaults follow this recipe, so that *Start training* with the data
at hand makes a model like the shipped one, not a weaker one. Files (MNIST, pen
digits, letters) are the caller's to find; a card that is missing or damaged leaves
``TrainConfig``'s own defaults. Pure: no Qt, no Keras.
"""

from __future__ import annotations

from pathlib import Path

from mnist_pad.files import read_card
from mnist_pad.model_io import default_model_path
from training.job import TrainConfig


def _count(value, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _positive(value, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else default


def shipped_recipe(model_path: Path | None = None) -> TrainConfig:
    """The settings the shipped model (or ``model_path``) was trained with, as far as its card tells.

    The starting network is the card's ``init_model`` when a file of that name lies beside
    the model (the shipped MNIST-only network does); the data files are left empty."""
    model_path = model_path or default_model_path()
    card = read_card(model_path) or {}
    default = TrainConfig()
    init = card.get("init_model")
    init_name = Path(init["path"]).name if isinstance(init, dict) and isinstance(init.get("path"), str) else None
    init_path = model_path.with_name(init_name) if init_name else None
    made_up = card.get("made_up_not_digits")
    augment = isinstance(card.get("augmentation"), str)
    return TrainConfig(
        epochs=max(1, _count(card.get("max_epochs"), default.epochs)),
        batch_size=max(1, _count(card.get("batch_size"), default.batch_size)),
        augment=augment,
        pen_repeat=max(1, _count(card.get("pen_repeat"), default.pen_repeat)),
        digit_styles=isinstance(card.get("digit_styles"), str),
        made_up_not_digits=_count(made_up.get("drawings") if isinstance(made_up, dict) else None, 0),
        not_digit_weight=_positive(card.get("not_digit_weight"), default.not_digit_weight),
        mnist_weight=_positive(card.get("mnist_weight"), default.mnist_weight),
        init_model=str(init_path) if init_path is not None and init_path.is_file() else None,
        learning_rate=_positive(card.get("learning_rate"), default.learning_rate),
        patience=max(1, _count(card.get("early_stopping_patience"), default.patience)),
        average_weights=_positive(card.get("averaged_weights"), 0.0) > 0,
        clean_finish_epochs=_count(card.get("clean_finish_epochs"), 0) if augment else 0,
    )
