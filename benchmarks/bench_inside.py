"""How fast the Inside tab sees into a drawing, and how long "where it goes wrong" takes.

    MNIST_PAD_DATA=…/mnist.npz [MNIST_PAD_PEN_DIGITS=…/dev.npz] python benchmarks/bench_inside.py [--json]
        [--model PATH] [--repeats N]

TensorFlow is set up as the app sets it up (``configure_for_live_use``), and
every figure goes through the code the tab runs:

- ``maps_ms_p50``: ``Inspector.layer_outputs``, every layer's maps for one drawing;
- ``evidence_ms_p50`` / ``smoothgrad_ms_p50``: ``Inspector.evidence``, one map,
  plain gradient / SmoothGrad over 25 noisy copies;
- ``live_plain_ms_p50`` / ``live_smooth_ms_p50``: ``Inspector.inspect``, what the
  worker does per drawing (maps and both evidence maps) while the pen moves / when it lifts;
- ``confusion_s``: the real "where it goes wrong" page evaluating the 10,000 MNIST
  test images (loading included) in its worker, from the request to the shown matrix;
  meanwhile a 10 ms timer on the GUI thread measures how long it could not run
  (``max_stall_ms``, ``p99_stall_ms``).

Drawings are real pen digits when $MNIST_PAD_PEN_DIGITS is set, else synthetic
strokes. Goals (2 cores): maps <= 6 ms (aim 3), evidence <= 6 ms (aim 3),
SmoothGrad <= 60 ms (aim 25), confusion <= 5 s (aim 2) with no stall over 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from bench_common import (
    DIGITS,
    HEARTBEAT_MS,
    pen_digits,
    stall_figures,
    synthetic_digits,
    timed_ms,
)

from mnist_pad.model_io import default_model_path, load_model
from mnist_pad.preprocess import PAD_PEN_WIDTH, strokes_to_image


def p50(values: np.ndarray) -> float:
    return round(float(np.percentile(values, 50)), 3)


def live_figures(model, images: list[np.ndarray], repeats: int) -> dict:
    from mnist_pad.inspection import Inspector

    inspector = Inspector(model)
    tops = [int(np.argmax(inspector.layer_outputs(image)[-1])) for image in images]
    pairs = list(zip(images, tops)) * repeats
    return {
        "maps_ms_p50": p50(timed_ms(lambda image: inspector.layer_outputs(image), images * repeats)),
        "evidence_ms_p50": p50(timed_ms(lambda pair: inspector.evidence(*pair), pairs)),
        "smoothgrad_ms_p50": p50(timed_ms(lambda pair: inspector.evidence(*pair, smooth=True), pairs)),
        "live_plain_ms_p50": p50(timed_ms(lambda image: inspector.inspect(image), images * repeats)),
        "live_smooth_ms_p50": p50(
            timed_ms(lambda image: inspector.inspect(image, smooth=True), images * repeats)
        ),
    }


def confusion_figures(model_path: Path, predictor) -> dict:
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from mnist_pad.gui.inside.mistakes import MistakesPage, mnist_source

    app = QApplication.instance() or QApplication(sys.argv[:1])
    page = MistakesPage()
    errors: list[str] = []
    page.add_source(mnist_source(lambda: None))
    page.resize(1000, 600)
    page.show()
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    clock = QElapsedTimer()
    elapsed = []

    def begin():
        heartbeat.start()
        clock.start()
        page.set_model(str(model_path), predictor)

    def end(*_):
        elapsed.append(clock.elapsed() / 1000.0)
        heartbeat.stop()
        app.quit()

    page.evaluated.connect(end)
    page.show_error = lambda text: (errors.append(text), end())
    QTimer.singleShot(0, begin)
    app.exec()
    if errors or not elapsed:
        raise SystemExit(f"bench_inside: the evaluation failed: {errors}")
    n = int(page.predictions().confusion.sum())
    return {"confusion_s": round(elapsed[0], 2), "confusion_n": n, **stall_figures(ticks)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--model", type=Path, default=default_model_path())
    parser.add_argument("--repeats", type=int, default=5, help="passes over the drawings")
    args = parser.parse_args(argv)
    data = os.environ.get("MNIST_PAD_DATA")
    if not data or not Path(data).is_file():
        print("bench_inside: set MNIST_PAD_DATA to an MNIST .npz.", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from mnist_pad.predictor import Predictor, configure_for_live_use

    configure_for_live_use()  # as the app's model loader does
    model = load_model(args.model).model
    source = os.environ.get("MNIST_PAD_PEN_DIGITS")
    if source and Path(source).is_file():
        drawings, origin = pen_digits(Path(source), DIGITS), "pen digits"
    else:
        drawings, origin = synthetic_digits(DIGITS), "synthetic strokes"
    images = [strokes_to_image(drawing, PAD_PEN_WIDTH) for drawing in drawings]

    figures = live_figures(model, images, args.repeats)
    figures.update(confusion_figures(args.model, Predictor(model)))
    figures.update(drawings=origin, cpus=os.cpu_count(), load_avg_1min=round(os.getloadavg()[0], 2))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>20}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
