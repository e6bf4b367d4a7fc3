"""Is test-time augmentation, or an ensemble, worth its cost on the live path? Both sides, measured.

    MNIST_PAD_PEN_DIGITS=.../dev.npz python benchmarks/bench_tta.py --json \
        resources/mnist_convnet.fold1of3.h5 resources/mnist_convnet.fold2of3.h5 resources/mnist_convnet.fold3of3.h5

The models are those ``mnist-pad-train --cross-validate 3`` writes beside the shipped one:
fold K's model never saw the writers of fold K; or those of ``--cross-validate-contributors``,
each scored on the institutions that its card says it never saw. Accuracy is pooled over every
fold's held-out writers, without and with test-time augmentation (the drawing
rendered also rotated by +-ROTATION_DEG and with a thinner and a thicker pen,
probabilities averaged). Latency is the live path's (``bench_predict``'s
drawings, whole and growing), plain, with TTA, and as an ensemble of three
networks of the seed architecture. Goals of the live path: p50 <= 3 ms, p99 <= 10 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
from bench_common import DIGITS, WARM_UP, growing, pen_digits, timed_ms

from mnist_pad.model_io import load_model
from mnist_pad.pen_digits import load_pen_digits, render_pad_strokes
from mnist_pad.predictor import Predictor, configure_for_live_use, predict_strokes
from mnist_pad.preprocess import PAD_PEN_WIDTH, STROKE_WIDTH
from training.pen_data import from_pen_digits, split_held_out

ROTATION_DEG = 6.0
WIDTHS = (STROKE_WIDTH - 0.5, STROKE_WIDTH + 0.5)
ENSEMBLE_SIZE = 3


def variants(strokes: list[np.ndarray]) -> np.ndarray:
    """The drawing as drawn, rotated either way about the pad's centre, and with two other pens."""
    images = [render_pad_strokes(strokes)]
    for degrees in (-ROTATION_DEG, ROTATION_DEG):
        angle = np.deg2rad(degrees)
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
        images.append(render_pad_strokes([(s - 0.5) @ rotation.T + 0.5 for s in strokes]))
    images += [render_pad_strokes(strokes, width) for width in WIDTHS]
    return np.stack(images)


def held_out_accuracy(model_paths: list[Path], pen_path: Path) -> dict:
    pen = from_pen_digits(load_pen_digits(pen_path))
    correct_plain = correct_tta = total = 0
    for fold, path in enumerate(model_paths):
        loaded = load_model(path)
        predictor = Predictor(loaded.model)
        # A model held out of training whole institutions (its card names them), else writer fold K.
        contributors = tuple(((loaded.card or {}).get("held_out_contributors") or {}).get("contributors") or ())
        writer_fold = None if contributors else (fold, len(model_paths))
        held_out = split_held_out(pen, writer_fold, contributors)[1]
        stacks = np.stack([variants(s) for s in held_out.strokes])  # (n, variants, 28, 28)
        probabilities = predictor.predict_batch(stacks.reshape(-1, 28, 28)).reshape(len(stacks), -1, 10)
        correct_plain += int((probabilities[:, 0].argmax(1) == held_out.labels).sum())
        correct_tta += int((probabilities.mean(1).argmax(1) == held_out.labels).sum())
        total += len(held_out)
    return {"n": total, "plain_accuracy": correct_plain / total, "tta_accuracy": correct_tta / total}


def latencies(model_path: Path, drawings, repeats: int) -> dict:
    predictors = [Predictor(load_model(model_path).model) for _ in range(ENSEMBLE_SIZE)]
    calls = [prefix for drawing in drawings for prefix in [drawing, *growing(drawing)]] * repeats

    def plain(strokes):
        predict_strokes(predictors[0], strokes, PAD_PEN_WIDTH)

    def tta(strokes):
        predictors[0].predict_batch(variants(strokes)).mean(0)

    def ensemble(strokes):
        image = render_pad_strokes(strokes)
        np.mean([p.predict(image) for p in predictors], axis=0)

    figures = {}
    for name, call in (("plain", plain), ("tta", tta), ("ensemble", ensemble)):
        for strokes in calls[:WARM_UP]:
            call(strokes)
        times = timed_ms(call, calls)
        figures[f"{name}_p50_ms"] = round(float(np.percentile(times, 50)), 3)
        figures[f"{name}_p99_ms"] = round(float(np.percentile(times, 99)), 3)
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Accuracy and latency of test-time augmentation and ensembles.")
    parser.add_argument("models", nargs="+", type=Path, help="fold K's model for each writer fold K, in order")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--repeats", type=int, default=3, help="passes over the drawings for latency")
    args = parser.parse_args(argv)
    source = os.environ.get("MNIST_PAD_PEN_DIGITS")
    if not source or not Path(source).is_file():
        print("bench_tta: set MNIST_PAD_PEN_DIGITS to a pen-digits file.", file=sys.stderr)
        return 2

    configure_for_live_use()  # as the app's model loader does
    figures = {
        **held_out_accuracy(args.models, Path(source)),
        **latencies(args.models[0], pen_digits(Path(source), DIGITS), args.repeats),
        "variants": 1 + 2 + len(WIDTHS),
        "ensemble_size": ENSEMBLE_SIZE,
    }
    print(json.dumps(figures) if args.json else "\n".join(f"{k:<22} {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
