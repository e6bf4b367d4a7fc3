"""How well, and how fast, whole numbers are read: the number reader against the naive grouping.

    python benchmarks/bench_numbers.py [--json] [--model PATH] [--count 400] [--live 100]

Needs $MNIST_PAD_PEN_NUMBERS (real numbers) and $MNIST_PAD_PEN_DIGITS (to compose more).
The sets: the real numbers; and ``--count`` numbers of 2 to 6 digits composed from one
writer's pen digits each, spaced, tight and joined, from seeds the reader's weights were
not chosen on. On each set, the number reader (``mnist_pad.number_reader``, on the
model's runtime predictor and its card's rule) and the issue's naive baseline (strokes
whose x-ranges overlap are one digit, each group read alone by the same predictor):
whole-number accuracy, character error rate, the digit count right, per contributor,
and the worst contributor of at least ``SIZABLE`` numbers.

Then the live path: ``--live`` tight 6-digit numbers on the pad, read after each stroke
ends by one reader kept across them, as the Draw tab's worker keeps one; the read after
the last stroke is timed (its memory warm from the earlier strokes), and, for
comparison, a fresh reader's read of the whole number (cold).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from bench_common import timed_ms

from mnist_pad.digit_rule import DigitRule
from mnist_pad.model_io import default_model_path, open_model_file
from mnist_pad.number_reader import NumberReader
from mnist_pad.pen_digits import DIGIT_SCALE, in_pad_units, load_pen_digits, load_pen_numbers
from mnist_pad.pen_numbers import compose_numbers, number_figures, numbers_of
from mnist_pad.preprocess import PAD_PEN_WIDTH, strokes_to_image
from training.runtime_export import runtime_or_keras

SPACINGS = ("spaced", "tight", "joined")
COMPOSE_SEEDS = {"spaced": 101, "tight": 102, "joined": 103}  # the weights were chosen on seed 7
LIVE_SEED = 104
LIVE_DIGITS = 6
SIZABLE = 20  # numbers: the worst contributor is named only among contributors this large
WARM_UP = 10  # reads before timing


class NaiveReader:
    """The issue's baseline: strokes whose x-ranges overlap form one digit, read alone, left to right."""

    def __init__(self, predictor):
        self.predictor = predictor

    def read(self, strokes):
        groups = overlapping_groups(strokes)
        points = np.concatenate(strokes)
        # The reader's own default: the pad's pen, scaled to the number's height.
        min_extent = PAD_PEN_WIDTH / DIGIT_SCALE * max(float(np.ptp(points[:, 1])), 1e-6)
        images = np.stack([strokes_to_image(group, min_extent=min_extent) for group in groups])
        digits = self.predictor.predict_batch(images).argmax(1)
        return SimpleNamespace(text="".join(str(d) for d in digits))


def overlapping_groups(strokes: list[np.ndarray]) -> list[list[np.ndarray]]:
    """Strokes in groups whose x-ranges overlap (chained), the groups left to right."""
    ordered = sorted(strokes, key=lambda s: float(s[:, 0].min()))
    groups, reach = [], -np.inf
    for stroke in ordered:
        if float(stroke[:, 0].min()) > reach:
            groups.append([])
        groups[-1].append(stroke)
        reach = max(reach, float(stroke[:, 0].max()))
    return groups


def set_figures(reader, numbers) -> dict:
    figures = number_figures(reader, numbers)
    del figures["readings"], figures["ms_per_number"]  # the reads are timed on the live path below
    sizable = {name: c for name, c in figures["per_contributor"].items() if c["n"] >= SIZABLE}
    if sizable:
        name = min(sizable, key=lambda n: sizable[n]["whole_accuracy"])
        figures["worst_contributor"] = {"name": name, **sizable[name]}
    return rounded(figures)


def rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    return value


def live_figures(predictor, rule, digits, count: int) -> dict:
    """Reading tight 6-digit numbers on the pad after each stroke, as the Draw tab does."""
    numbers = compose_numbers(digits, count, "tight", seed=LIVE_SEED, lengths=(LIVE_DIGITS, LIVE_DIGITS))
    drawings = [in_pad_units(strokes) for strokes in numbers.strokes]
    for strokes in drawings[:WARM_UP]:
        NumberReader(predictor, rule).read(strokes, PAD_PEN_WIDTH)
    kept = NumberReader(predictor, rule)
    last_read_ms, texts = [], []
    for strokes in drawings:
        for end in range(1, len(strokes)):
            kept.read(strokes[:end], PAD_PEN_WIDTH)  # as each earlier stroke ended
        started = time.perf_counter()
        texts.append(kept.read(strokes, PAD_PEN_WIDTH).text)
        last_read_ms.append((time.perf_counter() - started) * 1000)
    cold_ms = timed_ms(lambda s: NumberReader(predictor, rule).read(s, PAD_PEN_WIDTH), drawings)
    return rounded({
        "numbers": count,
        "strokes_per_number": float(np.mean([len(s) for s in drawings])),
        "whole_accuracy": float(np.mean([t == truth for t, truth in zip(texts, numbers.texts)])),
        "after_last_stroke_ms": {"p50": float(np.percentile(last_read_ms, 50)),
                                 "p99": float(np.percentile(last_read_ms, 99))},
        "cold_ms": {"p50": float(np.percentile(cold_ms, 50)), "p99": float(np.percentile(cold_ms, 99))},
    })


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Read whole numbers: accuracy against the naive grouping, speed.")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--model", type=Path, default=default_model_path())
    parser.add_argument("--count", type=int, default=400, help="composed numbers per spacing")
    parser.add_argument("--live", type=int, default=100, help="6-digit numbers read stroke by stroke")
    args = parser.parse_args(argv)
    sources = {name: os.environ.get(name) for name in ("MNIST_PAD_PEN_NUMBERS", "MNIST_PAD_PEN_DIGITS")}
    missing = [name for name, value in sources.items() if not value or not Path(value).is_file()]
    if missing:
        parser.error(f"set {' and '.join(missing)} to the shared files")

    loaded = open_model_file(args.model)
    predictor, _ = runtime_or_keras(loaded)
    rule = DigitRule.for_card(loaded.card)
    digits = load_pen_digits(sources["MNIST_PAD_PEN_DIGITS"])
    sets = {"real": numbers_of(*load_pen_numbers(sources["MNIST_PAD_PEN_NUMBERS"]))}
    sets.update({spacing: compose_numbers(digits, args.count, spacing, seed=COMPOSE_SEEDS[spacing])
                 for spacing in SPACINGS})
    reader, naive = NumberReader(predictor, rule), NaiveReader(predictor)
    figures = {
        "model": str(args.model),
        "predictor": type(predictor).__name__,
        "reader": {name: set_figures(reader, numbers) for name, numbers in sets.items()},
        "naive": {name: set_figures(naive, numbers) for name, numbers in sets.items()},
        "live": live_figures(predictor, rule, digits, args.live),
    }
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"whole numbers, model {args.model.name} ({figures['predictor']})\n")
    print(f"{'set':8} {'n':>5}  {'reader: whole':>13} {'cer':>6} {'count':>6} {'worst':>14}"
          f"  {'naive: whole':>12} {'cer':>6} {'count':>6}")
    for name in sets:
        ours, theirs = figures["reader"][name], figures["naive"][name]
        worst = ours.get("worst_contributor")
        worst_text = f"{worst['name']} {worst['whole_accuracy']:.3f}" if worst else "-"
        print(f"{name:8} {ours['numbers']:5d}  {ours['whole_accuracy']:13.3f} {ours['cer']:6.3f} "
              f"{ours['count_right']:6.3f} {worst_text:>14}  {theirs['whole_accuracy']:12.3f} "
              f"{theirs['cer']:6.3f} {theirs['count_right']:6.3f}")
    live = figures["live"]
    print(f"\n{live['numbers']} tight {LIVE_DIGITS}-digit numbers on the pad, read after each stroke: "
          f"after the last stroke p50 {live['after_last_stroke_ms']['p50']:.1f} ms, "
          f"p99 {live['after_last_stroke_ms']['p99']:.1f} ms; a fresh reader p50 {live['cold_ms']['p50']:.1f} ms, "
          f"p99 {live['cold_ms']['p99']:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
