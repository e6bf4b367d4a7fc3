"""A freshly trained model against the model in use, on the same held-out drawings. Pure: no Qt.

After a run in the Train tab, a person should know whether *Use this model* is a step
forward before taking it, judged on what the app is for: reading digits and turning away
drawings that are not digits. Both models answer the same items, each by its own card's
not-a-digit rule (``DigitRule.for_card``), as the Draw tab would answer them:

- digits to read (a digit the rule turns away is not read): when the run had pen digits,
  those of the writers that validated instead of training (so the new model never trained
  on them; the model in use may have), and MNIST's test set;
- drawings to turn away: a fixed sample of letters like no digit, and made-up drawings
  (``training.not_digit_drawings``: shapes, scribbles, and the validating writers' digits
  crossed out) drawn anew, never the run's own.

``training.verdict`` says, in words, where the new model is better, worse, or about the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnist_pad.digit_rule import DigitRule
from mnist_pad.model_io import load_model
from mnist_pad.pen_digits import PenDigitsError
from mnist_pad.predictor import Predictor
from training.job import TrainConfig
from training.not_digit_drawings import not_digit_drawings
from training.pen_data import PenSamples, load_pen_samples, run_writers, split_held_out
from training.verdict import Comparison, Judgement

LETTERS_ENV_VAR = "MNIST_PAD_PEN_LETTERS"
# Samples small enough to render and read in seconds on two cores, large enough that the
# sign test tells 87% of letters turned away from 80%.
LETTERS_JUDGED = 1000
MADE_UP_JUDGED = 400
LETTERS_SEED = 0
MADE_UP_ALONE = "drawings that are not digits were judged on made-up ones alone."


@dataclass(frozen=True)
class HeldOut:
    items: str  # what they are, to be counted in a sentence
    images: np.ndarray  # (n, 28, 28) float32 in [0, 1]
    labels: np.ndarray  # (n,) the digit, or -1: not a digit

    @property
    def digits(self) -> bool:
        return bool((self.labels >= 0).all())


def compare_models(new_path: str, current_path: str, data, pen: PenSamples | None,
                   not_digits: PenSamples | None, config: TrainConfig) -> Comparison:
    """Both models on the run's held-out drawings; ``pen`` and ``not_digits`` are the run's own
    (``not_digits``: its not-a-digit files' drawings, letters that look like digits left out)."""
    held_out, notes = held_out_sets(data, pen, not_digits, config)
    judges = [(Predictor(loaded.model), DigitRule.for_card(loaded.card))
              for loaded in (load_model(path) for path in (new_path, current_path))]
    judgements = []
    for held in held_out:
        new_right, current_right = (right_answers(predictor, rule, held) for predictor, rule in judges)
        judgements.append(Judgement.of(held.items, held.digits, new_right, current_right))
    return Comparison(Path(current_path).name, tuple(judgements), notes)


def right_answers(predictor: Predictor, rule: DigitRule, items: HeldOut) -> np.ndarray:
    """Per item, whether the app would answer it right: a digit called a digit and read as its label,
    anything else turned away."""
    probabilities = predictor.predict_batch(items.images)
    called_a_digit = rule.is_digit(probabilities)
    read_right = called_a_digit & (probabilities.argmax(axis=1) == items.labels)
    return np.where(items.labels >= 0, read_right, ~called_a_digit)


def held_out_sets(data, pen: PenSamples | None, not_digits: PenSamples | None,
                  config: TrainConfig) -> tuple[list[HeldOut], tuple[str, ...]]:
    """The sets both models are judged on, and notes on what had to do without."""
    sets = []
    validating = None if pen is None else run_writers(
        pen, config.hold_out_writers, config.hold_out_contributors, config.validation_writers)[1]
    has_validating = validating is not None and len(validating) > 0
    if has_validating:
        sets.append(HeldOut("pen digits of writers this model never trained on",
                            validating.images(), validating.labels))
    sets.append(HeldOut("MNIST test digits", data.x_test.astype("float32") / 255.0, np.asarray(data.y_test)))
    letters, notes = letters_to_judge(not_digits, config)
    if letters is not None:
        sets.append(HeldOut("letters like no digit", letters.images(), letters.labels))
    # Seeded apart from the run (training.fit draws its own with config.seed), so none was trained on.
    made_up = not_digit_drawings(validating, MADE_UP_JUDGED, seed=config.seed + 1)
    kinds = "shapes, scribbles and crossed-out digits" if has_validating else "shapes and scribbles"
    sets.append(HeldOut(f"made-up drawings ({kinds})", made_up.images(), made_up.labels))
    return sets, notes


def letters_to_judge(not_digits: PenSamples | None, config: TrainConfig) -> tuple[PenSamples | None, tuple[str, ...]]:
    """A fixed sample of letters like no digit, and notes: the run's not-a-digit drawings (only those
    of the institutions it held out, when it held any out), else those of ``$MNIST_PAD_PEN_LETTERS``."""
    if not_digits is not None and len(not_digits):
        never_trained_on = split_held_out(not_digits, None, config.hold_out_contributors)[1]
        if len(never_trained_on):
            return fixed_sample(never_trained_on), ()
        return fixed_sample(not_digits), ("This model learnt from these letters, which flatters its figure on them.",)
    path = os.environ.get(LETTERS_ENV_VAR)
    if not path:
        return None, (f"No letters were chosen under Not digits nor named by ${LETTERS_ENV_VAR}, so {MADE_UP_ALONE}",)
    try:
        letters, _ = load_pen_samples([path], not_digits=True)
    except PenDigitsError as error:  # the new model is written: a bad letters file only narrows its judging
        return None, (f"{error} So {MADE_UP_ALONE}",)
    return fixed_sample(letters), ()


def fixed_sample(samples: PenSamples) -> PenSamples:
    """``LETTERS_JUDGED`` of ``samples``, the same ones on every run."""
    if len(samples) <= LETTERS_JUDGED:
        return samples
    picked = np.random.default_rng(LETTERS_SEED).choice(len(samples), LETTERS_JUDGED, replace=False)
    return samples.subset(np.isin(np.arange(len(samples)), picked))
