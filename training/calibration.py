"""The not-a-digit rule a trained model's card carries, fitted on digits of writers it was not trained on.

Cross-validation fits it on what the fold models made of the writers or institutions
they never saw (``mnist-pad-train --cross-validate…``). A single run that learnt what is
not a digit fits it on its own validation writers: trained on the same institutions, so
a stricter fit than cross-validation's, but a network taught to doubt is under-confident,
and the default rule, made for networks that were not, turns away several times the 2%
of new writers' digits that it should (docs/not-a-digit.md).
"""

from __future__ import annotations

import numpy as np

from mnist_pad.digit_rule import fit_rule
from training.job import TrainConfig
from training.pen_data import PenSamples, run_writers

DIGITS_KEPT = 0.98


def rule_for_card(labels: np.ndarray, probabilities: np.ndarray, fitted_on: str) -> dict:
    """The card's ``not_a_digit`` entry for digits of writers a model never saw (``fit_rule``)."""
    rule = fit_rule(probabilities, labels, keep=DIGITS_KEPT)
    return {"temperature": rule.temperature, "threshold": rule.threshold,
            "score_temperature": rule.score_temperature, "digits_kept": DIGITS_KEPT, "fitted_on": fitted_on}


def validation_rule(model, pen: PenSamples | None, config: TrainConfig) -> dict | None:
    """The rule fitted on the run's validation writers, when it learnt what is not a digit and had some."""
    from mnist_pad.predictor import Predictor

    if pen is None or not config.learns_not_digits:
        return None
    validates = run_writers(pen, config.hold_out_writers, config.hold_out_contributors, config.validation_writers)[1]
    if not len(validates):
        return None
    probabilities = Predictor(model).predict_batch(validates.images())
    return rule_for_card(validates.labels, probabilities,
                         f"{len(validates):,} pen digits of its validation writers, whom it was not trained on")
