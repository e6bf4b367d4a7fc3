"""Thousands of damaged files of every input kind, each loaded by the project's own loader.

    MNIST_PAD_PEN_DIGITS=../shared/pen-digits/dev.npz python benchmarks/bench_damage.py \
        --not-digits ../shared/pen-letters/dev.npz --cases 5000 --json

Each case is a real file with bytes flipped, cut short, a block zeroed or junk
appended (cards also get keys dropped and values of other types), as
benchmarks/damage.py makes them. Counts per kind: cases, loaded, refused (the
project's own error, one line naming the file), escaped (anything else, with
examples). Models go through Keras' full load only for the first ``--full-loads``
cases that pass the cheap pre-check (``inspect_model_file``), counted apart as
``full load``: Keras costs far more than the pre-check under test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import damage

from mnist_pad.model_io import default_model_path

MNIST_SAMPLE = Path(__file__).parents[1] / "tests" / "data" / "mnist_sample.npz"
PEN_SUBSET = 100  # digits in the pen-digits, not-a-digit and store files: loads stay fast
EXAMPLES = 3  # escapes shown per kind


class Tally:
    def __init__(self):
        self.counts = Counter()
        self.examples: list[str] = []

    def add(self, result: str) -> None:
        kind = result if result in (damage.LOADED, damage.REFUSED) else "escaped"
        self.counts[kind] += 1
        if kind == "escaped" and len(self.examples) < EXAMPLES and result not in self.examples:
            self.examples.append(result)

    def figures(self) -> dict:
        figures = {"cases": sum(self.counts.values()),
                   **{k: self.counts[k] for k in (damage.LOADED, damage.REFUSED, "escaped")}}
        return {**figures, "examples": self.examples} if self.examples else figures


def damaged_files(original: Path, folder: Path, rng: random.Random, cases: int):
    for _ in range(cases):
        yield damage.write_damaged(original, damage.random_damage(rng), folder)


def model_kind(original: Path, folder: Path, rng: random.Random, cases: int, full_loads: int) -> dict:
    precheck, full = Tally(), Tally()
    for path in damaged_files(original, folder, rng, cases):
        result = damage.outcome(damage.load_model_precheck, path)
        precheck.add(result)
        if result == damage.LOADED and full.counts.total() < full_loads:
            full.add(damage.outcome(damage.load_model_fully, path))
    return {**precheck.figures(), "full load": full.figures()}


def file_kind(original: Path, folder: Path, rng: random.Random, cases: int, load) -> dict:
    tally = Tally()
    for path in damaged_files(original, folder, rng, cases):
        tally.add(damage.outcome(load, path))
    return tally.figures()


def idx_kind(original: Path, folder: Path, rng: random.Random, cases: int) -> dict:
    tally = Tally()
    for _ in range(cases):
        copy = damage.copy_folder_damaging_one(original, folder / "idx", damage.random_damage(rng), rng.randrange(4))
        tally.add(damage.outcome(damage.load_mnist_file, copy))
    return tally.figures()


def card_kind(cards: list[Path], folder: Path, rng: random.Random, cases: int) -> dict:
    """Half the cases damage a card's JSON (keys dropped, other types), half its bytes."""
    from mnist_pad.files import card_path

    tally, model = Tally(), folder / "model.h5"
    for case in range(cases):
        original = rng.choice(cards)
        if case % 2:
            card = damage.damaged_json(json.loads(original.read_text()), rng)
            card_path(model).write_text(json.dumps(card))
        else:
            damage.write_damaged(original, damage.random_damage(rng), folder, card_path(model).name)
        tally.add(damage.outcome(damage.render_card_beside, model))
    return tally.figures()


def adapted_card(folder: Path) -> Path:
    """A card as the app writes it after adapting (figures from a real model and real digits)."""
    from mnist_pad.files import card_path
    from mnist_pad.my_digits import DigitStore
    from mnist_pad.pen_digits import load_pen_digits
    from training.adapt import write_adapted_card
    from training.jobs import AdaptJob

    pen = damage.synthetic_pen_digits(folder / "mine.npz")
    store = damage.real_store(pen, folder / "adapted-card.sqlite")
    with DigitStore(store) as opened:
        digits = opened.pen_digits()
    job = AdaptJob(str(default_model_path()), str(folder / "adapted.h5"), digits, None)
    figures = {"my_digits_accuracy_before": 0.5, "my_digits_accuracy_after": 0.9, "mnist_test_sample": 1000,
               "mnist_test_sample_accuracy_before": 0.99, "mnist_test_sample_accuracy_after": 0.985}
    write_adapted_card(folder / "adapted.h5", job, load_pen_digits(pen).labels, ["dense"], 2000, 3.2, figures)
    return card_path(folder / "adapted.h5")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000, help="damaged files per kind (default 5000)")
    parser.add_argument("--full-loads", type=int, default=200,
                        help="damaged models that pass the pre-check loaded through Keras, per format (default 200)")
    parser.add_argument("--not-digits", type=Path, help="a not-a-digit file (pen-letters layout)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pen_digits = os.environ.get("MNIST_PAD_PEN_DIGITS")
    if not pen_digits:
        print("bench_damage: set MNIST_PAD_PEN_DIGITS to a pen-digits .npz.", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    figures = {}
    with tempfile.TemporaryDirectory(prefix="bench-damage-") as tmp:
        originals, work = Path(tmp) / "originals", Path(tmp) / "work"
        originals.mkdir()
        work.mkdir()
        import keras

        keras_model = originals / "mnist_convnet.keras"
        keras.saving.load_model(default_model_path(), compile=False).save(keras_model)
        pen = damage.pen_subset(Path(pen_digits), originals / "pen-digits.npz", PEN_SUBSET)
        cards = [default_model_path().with_name(name) for name in
                 ("mnist_convnet.card.json", "mnist_only_convnet.card.json")] + [adapted_card(originals)]
        kinds = {
            "model .h5": lambda: model_kind(default_model_path(), work, rng, args.cases, args.full_loads),
            "model .keras": lambda: model_kind(keras_model, work, rng, args.cases, args.full_loads),
            "model card": lambda: card_kind(cards, work, rng, args.cases),
            "MNIST .npz": lambda: file_kind(MNIST_SAMPLE, work, rng, args.cases, damage.load_mnist_file),
            "MNIST IDX": lambda: idx_kind(damage.idx_folder(MNIST_SAMPLE, originals / "idx", False),
                                          work, rng, args.cases),
            "MNIST IDX .gz": lambda: idx_kind(damage.idx_folder(MNIST_SAMPLE, originals / "idx-gz", True),
                                              work, rng, args.cases),
            "pen-digits .npz (import)": lambda: file_kind(pen, work, rng, args.cases, damage.import_pen_file),
            "my-digits store": lambda: file_kind(damage.real_store(pen, originals / "store.sqlite"), work,
                                                 rng, args.cases, damage.open_store),
        }
        if args.not_digits:
            letters = damage.pen_subset(args.not_digits, originals / "not-digits.npz", PEN_SUBSET)
            kinds["not-a-digit .npz"] = lambda: file_kind(letters, work, rng, args.cases, damage.load_not_digit_file)
        for name, run in kinds.items():
            start = time.perf_counter()
            figures[name] = {**run(), "seconds": round(time.perf_counter() - start, 1)}
            print(f"{name}: {figures[name]}", file=sys.stderr, flush=True)
    figures["escaped, all kinds"] = sum(kind["escaped"] + kind.get("full load", {}).get("escaped", 0)
                                        for kind in figures.values())
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
