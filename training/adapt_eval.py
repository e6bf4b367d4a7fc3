"""Adaptation measured per writer, as ``mnist-pad-eval --adapt N`` reports it. Pure: no Qt.

For every writer with at least N + ``MIN_TEST_DIGITS`` digits, the first N in
file order play the digits that writer saved; a fresh copy of the model is
adapted to them with ``training.adapt.adapt``, the function the app runs, and
the writer's remaining digits are scored before and after. What it costs
everyone else is scored on a fixed sample of other writers' digits, which the
replay never sees; given drawings that are not digits, so is what the not-a-digit
rule makes of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from mnist_pad.digit_rule import DigitRule
from mnist_pad.pen_digits import PenDigits
from mnist_pad.predictor import Predictor
from training.adapt import adapt, as_float, predicted_classes, render_digits, replay_sample
from training.adapt_settings import AdaptConfig, AdaptError

MIN_TEST_DIGITS = 10
OTHER_WRITERS_SAMPLE = 800  # digits, drawn once from the whole file (seeded)


@dataclass(frozen=True)
class WriterOutcome:
    writer: str
    n: int  # test digits
    correct_before: int
    correct_after: int
    seconds: float
    other_writers_accuracy_before: float
    other_writers_accuracy_after: float
    not_digits_rejected_before: float | None = None  # the share the rule turns away, given not-digits
    not_digits_rejected_after: float | None = None

    @property
    def change_points(self) -> float:
        return 100.0 * (self.correct_after - self.correct_before) / self.n


def eligible_writers(digits: PenDigits, saved: int) -> list[str]:
    """Writers with ``saved`` digits to adapt to and enough left to test, in file order."""
    names, counts = np.unique(digits.writers, return_counts=True)
    enough = set(names[counts >= saved + MIN_TEST_DIGITS])
    return [w for w in dict.fromkeys(digits.writers.tolist()) if w in enough]


def evaluate_adaptation(
    base, digits: PenDigits, mnist_images: np.ndarray, saved: int,
    config: AdaptConfig = AdaptConfig(), on_writer=None, only: list[str] | None = None,
    unseen: np.ndarray | None = None, not_digits: np.ndarray | None = None, rule: DigitRule = DigitRule(),
) -> list[WriterOutcome]:
    """Adapt a fresh copy of ``base`` to each eligible writer of ``digits`` (tablet units), or of ``only``.

    ``unseen`` marks the digits of writers ``base`` was not trained on (default: all).
    Only they are adapted to and scored as other writers; pen digits are replayed
    from the rest, as the app replays writers the shipped model was trained on.
    ``not_digits`` (uint8 images of drawings that are not digits) are judged by ``rule``
    before and after each adaptation.
    """
    unseen = np.ones(len(digits), bool) if unseen is None else np.asarray(unseen, bool)
    seen_writers = set(digits.writers[~unseen].tolist())
    writers = [
        w for w in eligible_writers(digits, saved) if (only is None or w in only) and w not in seen_writers
    ]
    if not writers:
        raise AdaptError(f"No writer has the {saved + MIN_TEST_DIGITS} digits needed ({saved} to adapt to, "
                         f"{MIN_TEST_DIGITS} to test).")
    images = render_digits(digits, tablet_units=True)
    labels = digits.labels
    rng = np.random.default_rng(config.seed)
    in_other_sample = np.zeros(len(labels), bool)
    candidates = np.flatnonzero(unseen)
    in_other_sample[rng.choice(candidates, min(OTHER_WRITERS_SAMPLE, len(candidates) // 2), replace=False)] = True
    replayable = ~in_other_sample & (~unseen if not unseen.all() else True)
    predicted_before = predicted_classes(base, images)

    def rejected(model) -> float | None:
        if not_digits is None:
            return None
        return float(np.mean(~rule.is_digit(Predictor(model).predict_batch(as_float(not_digits)))))

    rejected_before = rejected(base)
    outcomes = []
    for writer in writers:
        own = np.flatnonzero(digits.writers == writer)
        train, test = own[:saved], own[saved:]
        others = in_other_sample & (digits.writers != writer)
        pool = replayable & (digits.writers != writer)
        replay = replay_sample(mnist_images, config, images[pool])
        started = time.perf_counter()
        adapted = adapt(base, images[train], labels[train], replay, config)
        seconds = time.perf_counter() - started
        after_test = predicted_classes(adapted, images[test])
        after_others = predicted_classes(adapted, images[others])
        outcome = WriterOutcome(
            writer=str(writer), n=len(test),
            correct_before=int(np.sum(predicted_before[test] == labels[test])),
            correct_after=int(np.sum(after_test == labels[test])),
            seconds=seconds,
            other_writers_accuracy_before=float(np.mean(predicted_before[others] == labels[others])),
            other_writers_accuracy_after=float(np.mean(after_others == labels[others])),
            not_digits_rejected_before=rejected_before,
            not_digits_rejected_after=rejected(adapted),
        )
        outcomes.append(outcome)
        if on_writer is not None:
            on_writer(outcome)
    return outcomes


def summarise(outcomes: list[WriterOutcome], saved: int) -> dict:
    """The figures ``mnist-pad-eval --adapt`` prints."""
    n = sum(o.n for o in outcomes)
    correct_before = sum(o.correct_before for o in outcomes)
    correct_after = sum(o.correct_after for o in outcomes)
    errors_before = n - correct_before
    return {
        "adapt": saved,
        "writers": len(outcomes),
        "n": n,
        "accuracy_before": correct_before / n,
        "accuracy_after": correct_after / n,
        "error_reduction": None if errors_before == 0 else 1 - (n - correct_after) / errors_before,
        "worst_writer_change": min(o.change_points for o in outcomes),
        "writers_worse": sum(o.correct_after < o.correct_before for o in outcomes),
        "adapt_seconds_p50": float(np.median([o.seconds for o in outcomes])),
        "other_writers_accuracy_before": float(np.mean([o.other_writers_accuracy_before for o in outcomes])),
        "other_writers_accuracy_after": float(np.mean([o.other_writers_accuracy_after for o in outcomes])),
        **_not_digit_figures(outcomes),
        "adapted_writers": [
            {"writer": o.writer, "n": o.n, "accuracy_before": o.correct_before / o.n,
             "accuracy_after": o.correct_after / o.n, "adapt_seconds": round(o.seconds, 2)}
            for o in outcomes
        ],
    }


def _not_digit_figures(outcomes: list[WriterOutcome]) -> dict:
    """The not-a-digit rule on the drawings that are not digits: before, and after each adaptation on average."""
    if outcomes[0].not_digits_rejected_before is None:
        return {}
    return {"not_digits_rejected_before": outcomes[0].not_digits_rejected_before,
            "not_digits_rejected_after": float(np.mean([o.not_digits_rejected_after for o in outcomes]))}
