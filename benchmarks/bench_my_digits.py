"""How long the my-digits store and its tab take: saving one digit, and a store of thousands.

    MNIST_PAD_PEN_DIGITS=../shared/pen-digits/dev.npz python benchmarks/bench_my_digits.py --json

Saving is timed as the Draw tab does it (``add``: one transaction, on disk when
it returns). The large store is the pen-digits file imported into a fresh
store (about 7,900 digits), far more than a person draws, to show the limits:
importing, exporting, reading every sample, and opening the My digits tab on it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from mnist_pad.my_digits import DigitStore, export_npz, import_npz
from mnist_pad.pen_digits import in_pad_units, load_pen_digits


def percentile_ms(seconds: list[float], q: float) -> float:
    return round(float(np.percentile(seconds, q)) * 1000, 2)


def time_saving(folder: Path, digits, count: int) -> dict:
    took = []
    with DigitStore(folder / "saving.sqlite") as store:
        for i in range(count):
            strokes = in_pad_units(digits.strokes(i % len(digits)))
            start = time.perf_counter()
            store.add(strokes, int(digits.labels[i % len(digits)]), predicted=None)
            took.append(time.perf_counter() - start)
    return {"saves": count, "save_ms_p50": percentile_ms(took, 50), "save_ms_p99": percentile_ms(took, 99)}


def time_large_store(folder: Path, pen_digits_path: Path) -> dict:
    figures = {}
    with DigitStore(folder / "large.sqlite") as store:
        start = time.perf_counter()
        added, _ = import_npz(store, pen_digits_path)
        figures["import_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        store.samples()
        figures["read_all_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        export_npz(store, folder / "export.npz")
        figures["export_s"] = round(time.perf_counter() - start, 2)
    figures["digits"] = added
    figures["store_mb"] = round((folder / "large.sqlite").stat().st_size / 1e6, 1)
    figures["tab_open_s"] = time_tab_open(folder / "large.sqlite")
    return figures


def time_tab_open(store_path: Path) -> float:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from mnist_pad.gui.my_digits.digit_collection import DigitCollection
    from mnist_pad.gui.my_digits.my_digits_view import MyDigitsView

    app = QApplication.instance() or QApplication([])
    collection = DigitCollection(store_path)
    view = MyDigitsView(collection)
    view.resize(940, 640)
    start = time.perf_counter()
    view.show()
    app.processEvents()  # the first paint: the thumbnails on screen
    took = time.perf_counter() - start
    view.close()
    collection.close()
    return round(took, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200, help="digits saved one by one (default 200)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    path = os.environ.get("MNIST_PAD_PEN_DIGITS")
    if not path:
        print("bench_my_digits: set MNIST_PAD_PEN_DIGITS to a pen-digits .npz.", file=sys.stderr)
        return 2
    digits = load_pen_digits(path)
    with tempfile.TemporaryDirectory(prefix="bench-my-digits-") as folder:
        figures = {**time_saving(Path(folder), digits, args.saves), **time_large_store(Path(folder), Path(path))}
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
