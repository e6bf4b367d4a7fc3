"""Which score the not-a-digit rule should decide by: the candidates on institutions the models never saw.

    python benchmarks/bench_scores.py --json \
        --strokes ../shared/pen-digits/dev.npz --not-digits ../shared/pen-letters/dev.npz \
        OUT.without-ced+pri+cea.h5 OUT.without-tos+uqb+ceb.h5 OUT.without-aga+imp+art.h5

The same fold models and held-out drawings as ``bench_institutions.py``. Each candidate
scores digits and letters like no digit from the network's ten probabilities:

- ``top probability at T=…``: the top of ``softmax(log p / T)``; ``calibrated`` uses each
  fold's fitted temperature (the rule before 2026-11-30), ``T=1`` the network's own;
- ``negative entropy at T=1``.

For each: the AUROC and the share of letters turned away at the threshold keeping 98% of
the digits, per fold model (one model at a time, as the app runs one), and pooled with
each fold's threshold fitted on the other folds' digits (what a threshold carried to new
institutions does).
"""

from __future__ import annotations

import json

import numpy as np
from bench_institutions import folds_from_arguments

from mnist_pad.digit_rule import DIGIT_LIKE_LETTERS, auroc, fit_rule, tempered

KEEP = 0.98
TEMPERATURES = (1.0, 1.5, 2.0, 3.0)


def top_probability(temperature: float | None):
    def score(probabilities: np.ndarray, fitted_temperature: float) -> np.ndarray:
        return tempered(probabilities, temperature or fitted_temperature).max(axis=1)
    return score


def negative_entropy(probabilities: np.ndarray, _fitted_temperature: float) -> np.ndarray:
    p = np.clip(probabilities.astype(np.float64), 1e-12, 1.0)
    return (p * np.log(p)).sum(axis=1)


SCORES = {
    "top probability, calibrated": top_probability(None),
    **{f"top probability at T={t:g}": top_probability(t) for t in TEMPERATURES},
    "negative entropy at T=1": negative_entropy,
}


def compare(folds: list[dict]) -> dict:
    for index, fold in enumerate(folds):
        others = [f for i, f in enumerate(folds) if i != index]
        fold["temperature"] = fit_rule(np.concatenate([f["digits"] for f in others]),
                                       np.concatenate([f["labels"] for f in others])).temperature
        fold["unlike"] = ~np.isin(fold["chars"].astype(str), sorted(DIGIT_LIKE_LETTERS))
    figures = {}
    for name, score in SCORES.items():
        per_fold, digits, letters = [], [], []
        for index, fold in enumerate(folds):
            d = score(fold["digits"], fold["temperature"])
            l = score(fold["letters"], fold["temperature"])[fold["unlike"]]  # noqa: E741
            own = np.quantile(d, 1 - KEEP)
            per_fold.append({"auroc": auroc(d, l), "rejected_keeping_98_percent": float((l < own).mean())})
            # Pooled: the threshold from the other folds' digits, each under its own fold's temperature.
            carried = np.quantile(np.concatenate(
                [score(f["digits"], fold["temperature"]) for i, f in enumerate(folds) if i != index]), 1 - KEEP)
            digits.append(d - carried)
            letters.append(l - carried)
        d, l = np.concatenate(digits), np.concatenate(letters)  # noqa: E741
        figures[name] = {
            "per_fold": per_fold,
            "mean_auroc": float(np.mean([f["auroc"] for f in per_fold])),
            "mean_rejected_keeping_98_percent": float(np.mean([f["rejected_keeping_98_percent"] for f in per_fold])),
            "pooled_digits_accepted": float((d >= 0).mean()),
            "pooled_rejected": float((l < 0).mean()),
            "pooled_auroc": auroc(d, l),
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    args, folds = folds_from_arguments(__doc__.splitlines()[0], argv)
    figures = compare(folds)
    if args.json:
        print(json.dumps(figures))
    else:
        for name, f in figures.items():
            print(f"{name:30} per fold AUROC {f['mean_auroc']:.4f}, letters turned away {f['mean_rejected_keeping_98_percent']:.1%}"
                  f" | pooled {f['pooled_rejected']:.1%} with {f['pooled_digits_accepted']:.1%} of digits, AUROC {f['pooled_auroc']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
