"""How long from strokes to probabilities, through the code the Draw tab uses.

    python benchmarks/bench_predict.py [--json] [--model PATH] [--repeats N]

Each timed call is ``predict_strokes(predictor, strokes, PAD_PEN_WIDTH)`` on a
drawing in the pad's units, as the prediction worker gets it: real pen digits
from $MNIST_PAD_PEN_DIGITS when set, else synthetic digit-like strokes. The
drawings are also timed growing point by point, as they arrive while someone
draws. The live path is the runtime's (``mnist_pad.runtime``, ONNX Runtime on
one thread, as the app opens it; its file is made first if the model has none).
For comparison, ``keras_p50_ms`` / ``keras_p99_ms`` time the same calls through
the Keras predictor (TensorFlow set up as for live use), the live path before the
runtime, and ``max_abs_difference`` is the largest gap between the two's
probabilities. Goal on a 2-core machine: p50 <= 1 ms, p99 <= 3 ms (aim 0.5 / 1).
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
from mnist_pad.preprocess import PAD_PEN_WIDTH, strokes_to_image
from mnist_pad.runtime import open_runtime, predict_strokes
from training import import_tensorflow_quietly
from training.runtime_export import write_runtime_file


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Time strokes -> probabilities.")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--model", type=Path, default=default_model_path())
    parser.add_argument("--repeats", type=int, default=5, help="passes over the drawings")
    args = parser.parse_args(argv)

    import_tensorflow_quietly()  # its start-up lines would come before the figures
    from mnist_pad.predictor import Predictor, configure_for_live_use

    configure_for_live_use()  # as the app sets TensorFlow up for a model the runtime cannot take
    loaded = load_model(args.model)
    runtime = open_runtime(args.model)
    if runtime is None:
        write_runtime_file(loaded.model, args.model)
        runtime = open_runtime(args.model)
    keras = Predictor(loaded.model)
    source = os.environ.get("MNIST_PAD_PEN_DIGITS")
    if source and Path(source).is_file():
        drawings, origin = pen_digits(Path(source), DIGITS), "pen digits"
    else:
        drawings, origin = synthetic_digits(DIGITS), "synthetic strokes"
    live = [prefix for drawing in drawings for prefix in growing(drawing)]
    calls = (drawings + live) * args.repeats
    images = np.stack([strokes_to_image(d, PAD_PEN_WIDTH) for d in drawings])

    for predictor in (runtime, keras):
        for strokes in calls[:WARM_UP]:
            predict_strokes(predictor, strokes, PAD_PEN_WIDTH)
    total = timed_ms(lambda strokes: predict_strokes(runtime, strokes, PAD_PEN_WIDTH), calls)
    through_keras = timed_ms(lambda strokes: predict_strokes(keras, strokes, PAD_PEN_WIDTH), calls)
    preprocess = timed_ms(lambda strokes: strokes_to_image(strokes, PAD_PEN_WIDTH), calls)
    network = timed_ms(runtime.predict, list(images) * args.repeats)

    figures = {
        "p50_ms": round(float(np.percentile(total, 50)), 3),
        "p99_ms": round(float(np.percentile(total, 99)), 3),
        "keras_p50_ms": round(float(np.percentile(through_keras, 50)), 3),
        "keras_p99_ms": round(float(np.percentile(through_keras, 99)), 3),
        "preprocess_p50_ms": round(float(np.percentile(preprocess, 50)), 3),
        "network_p50_ms": round(float(np.percentile(network, 50)), 3),
        "max_abs_difference": float(np.abs(runtime.predict_batch(images) - keras.predict_batch(images)).max()),
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
        ("  of which RuntimePredictor.predict p50", figures["network_p50_ms"]),
        ("through Keras p50 (for comparison)", figures["keras_p50_ms"]),
        ("through Keras p99", figures["keras_p99_ms"]),
    ]
    for name, value in rows:
        print(f"{name:<40} {value:8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
