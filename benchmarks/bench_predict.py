"""How long from strokes to probabilities, through the code the Draw tab uses.

    python benchmarks/bench_predict.py [--json] [--model PATH] [--repeats N]

Each timed call is ``predict_strokes(predictor, strokes, PAD_PEN_WIDTH)`` on a
drawing in the pad's units, as the prediction worker gets it: real pen digits
from $MNIST_PAD_PEN_DIGITS when set, else synthetic digit-like strokes. The
drawings are also timed growing point by point, as they arrive while someone
draws. TensorFlow is set up as the app sets it up (``configure_for_live_use``).
For comparison, ``predict_p50_ms`` is ``model.predict`` on the same
images, measured in the same run. Goal on a 2-core machine: p50 <= 3 ms,
p99 <= 10 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
from bench_common import (
    DIGITS,
    WARM_UP,
    growing,
    pen_digits,
    synthetic_digits,
    timed_ms,
)

from mnist_pad.model_io import default_model_path, load_model
from mnist_pad.predictor import Predictor, configure_for_live_use, predict_strokes
from mnist_pad.preprocess import PAD_PEN_WIDTH, strokes_to_image


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Time strokes -> probabilities.")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--model", type=Path, default=default_model_path())
    parser.add_argument("--repeats", type=int, default=5, help="passes over the drawings")
    args = parser.parse_args(argv)

    configure_for_live_use()  # as the app's model loader does
    predictor = Predictor(load_model(args.model).model)
    source = os.environ.get("MNIST_PAD_PEN_DIGITS")
    if source and Path(source).is_file():
        drawings, origin = pen_digits(Path(source), DIGITS), "pen digits"
    else:
        drawings, origin = synthetic_digits(DIGITS), "synthetic strokes"
    live = [prefix for drawing in drawings for prefix in growing(drawing)]
    calls = (drawings + live) * args.repeats
    images = [strokes_to_image(d, PAD_PEN_WIDTH) for d in drawings]
    batches = [image[None, ..., None] for image in images]

    def live_call(strokes):
        predict_strokes(predictor, strokes, PAD_PEN_WIDTH)

    for strokes in calls[:WARM_UP]:
        live_call(strokes)
    for batch in batches[:3]:
        predictor.model.predict(batch, verbose=0)

    total = timed_ms(live_call, calls)
    preprocess = timed_ms(lambda strokes: strokes_to_image(strokes, PAD_PEN_WIDTH), calls)
    network = timed_ms(predictor.predict, images * args.repeats)
    keras_predict = timed_ms(lambda batch: predictor.model.predict(batch, verbose=0), batches)

    figures = {
        "p50_ms": round(float(np.percentile(total, 50)), 3),
        "p99_ms": round(float(np.percentile(total, 99)), 3),
        "predict_p50_ms": round(float(np.percentile(keras_predict, 50)), 3),
        "preprocess_p50_ms": round(float(np.percentile(preprocess, 50)), 3),
        "network_p50_ms": round(float(np.percentile(network, 50)), 3),
        "n": len(total),
        "drawings": origin,
    }
    if args.json:
        print(json.dumps(figures))
        return 0
    print(
        f"strokes -> probabilities: {figures['n']} calls on {DIGITS} {origin}, whole and growing,"
        f" model {args.model.name}"
    )
    rows = [
        ("predict_strokes p50 (the live path)", figures["p50_ms"]),
        ("predict_strokes p99", figures["p99_ms"]),
        ("  of which strokes_to_image p50", figures["preprocess_p50_ms"]),
        ("  of which Predictor.predict p50", figures["network_p50_ms"]),
        ("model.predict p50 (for comparison)", figures["predict_p50_ms"]),
    ]
    for name, value in rows:
        print(f"{name:<40} {value:8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
