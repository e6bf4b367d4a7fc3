"""Peak memory and time of a training epoch: the uint8 PyDataset generator vs the alternatives.

    MNIST_PAD_DATA=../shared/mnist/mnist.npz python benchmarks/bench_generator.py \\
        --train-samples 10000 --rounds 3 [--workers 1] [--json]

Five feeds of the same model:
  generator  training.generator.MnistSequence (uint8 in memory, scaled per batch)
  float32    the whole training set scaled to a float32 array up front, fed to fit()
  tf.data    an in-memory tf.data pipeline (uint8 tensors, scaled per batch in a map)
  augmented  the generator with augmentation on (training.augment), as --augment trains
  pen        augmented too, with a share of PEN_SHARE of the same number of samples made of
             pen digits from $MNIST_PAD_PEN_DIGITS (each repeated PEN_REPEAT times), drawn
             anew per batch through the live path with a pen-path variation
             (training.pen_augment), as --strokes --augment trains; skipped when unset
Each run fits two epochs, same batch size, in a fresh process, so that peak RSS is
its own; ``epoch_seconds`` is the second epoch, once the training step is traced and
compiled (the first, compile included, is ``first_epoch_seconds``). One run of each feed mostly measures the machine's other load (identical runs
vary by +-20% on a busy machine), so the feeds run ``--rounds`` times, interleaved,
each round in the opposite order to the one before. Each feed's figures are the
median over its rounds with the min-max beside it, and every ratio is taken from
medians. ``--workers`` is the PyDataset's worker threads for both generator feeds.
The load average before and after is printed as a warning sign.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

FEEDS = ("generator", "float32", "tf.data", "augmented", "pen")
PEN_SHARE = 0.3  # about the share of pen digits in the shipped model's epochs
PEN_REPEAT = 3
FIGURES = ("epoch_seconds", "first_epoch_seconds", "peak_rss_mb", "extra_over_loaded_mb")
EPOCHS = 2


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_feed(feed: str, train_samples: int | None, batch_size: int, workers: int) -> dict:
    """Two epochs with one feed; runs inside its own process."""
    import numpy as np

    from training import import_tensorflow_quietly

    import_tensorflow_quietly()
    import keras

    from training.data import load_mnist
    from training.generator import MnistSequence, scale_images
    from training.model import build_model

    data = load_mnist()
    x, y = data.x_train[:train_samples], data.y_train[:train_samples]
    keras.utils.set_random_seed(0)
    model = build_model()
    model.predict(np.zeros((1, 28, 28, 1), np.float32), verbose=0)  # let TF settle before the baseline
    baseline = peak_rss_mb()

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.started)

    seconds: list[float] = []
    fit = {"epochs": EPOCHS, "verbose": 0, "callbacks": [EpochClock()]}
    if feed in ("generator", "augmented"):
        batches = MnistSequence(
            x, y, batch_size, shuffle=True, augment=feed == "augmented", seed=0, workers=workers
        )
        model.fit(batches, **fit)
    elif feed == "pen":
        from training.pen_data import load_pen_samples

        pen = load_pen_samples([os.environ["MNIST_PAD_PEN_DIGITS"]])[0]
        pen_digits = round(len(x) * PEN_SHARE / PEN_REPEAT)
        pen = pen.subset(np.random.default_rng(0).permutation(len(pen)) < pen_digits)
        mnist = len(x) - pen_digits * PEN_REPEAT
        batches = MnistSequence(
            x[:mnist], y[:mnist], batch_size, shuffle=True, augment=True, seed=0, workers=workers,
            pen=pen, pen_repeat=PEN_REPEAT,
        )
        model.fit(batches, **fit)
    elif feed == "float32":
        model.fit(scale_images(x), np.eye(10, dtype=np.float32)[y], batch_size=batch_size, shuffle=True, **fit)
    else:
        import tensorflow as tf

        dataset = (
            tf.data.Dataset.from_tensor_slices((x, y))
            .shuffle(len(x), seed=0)
            .batch(batch_size)
            .map(lambda images, labels: (tf.cast(images, tf.float32)[..., None] / 255.0,
                                         tf.one_hot(labels, 10)),
                 num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE)
        )
        model.fit(dataset, **fit)
    return {"feed": feed, "samples": len(x), "epoch_seconds": round(seconds[-1], 2),
            "first_epoch_seconds": round(seconds[0], 2), "peak_rss_mb": round(peak_rss_mb(), 1), "extra_over_loaded_mb": round(peak_rss_mb() - baseline, 1)}


def run_in_child(feed: str, args: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--feed", feed, "--batch-size", str(args.batch_size),
               "--workers", str(args.workers)]
    if args.train_samples:
        command += ["--train-samples", str(args.train_samples)]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        sys.exit(f"bench_generator: the {feed} run failed:\n{finished.stderr[-2000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def summarise(runs: dict[str, list[dict]]) -> dict:
    """Per feed and figure: the median over the rounds, and [min, max]."""
    summary = {}
    for feed, feed_runs in runs.items():
        name = feed.replace(".", "")
        for figure in FIGURES:
            values = [run[figure] for run in feed_runs]
            summary[f"{name}_{figure}"] = round(statistics.median(values), 2)
            summary[f"{name}_{figure}_min_max"] = [min(values), max(values)]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--train-samples", type=int, default=None, help="default: all 60,000")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each feed, interleaved (default 3)")
    parser.add_argument("--workers", type=int, default=1, help="PyDataset worker threads (default 1)")
    parser.add_argument("--feed", choices=FEEDS, help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args()

    if args.feed:
        print(json.dumps(run_feed(args.feed, args.train_samples, args.batch_size, args.workers)))
        return

    load_before = os.getloadavg()[0]
    feeds = FEEDS if os.environ.get("MNIST_PAD_PEN_DIGITS") else FEEDS[:-1]
    runs: dict[str, list[dict]] = {feed: [] for feed in feeds}
    for round_index in range(args.rounds):
        order = feeds if round_index % 2 == 0 else feeds[::-1]  # no feed always runs first or last
        for feed in order:
            runs[feed].append(run_in_child(feed, args))

    summary = {
        "samples": runs["generator"][0]["samples"],
        "batch_size": args.batch_size,
        "rounds": args.rounds,
        "workers": args.workers,
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        **summarise(runs),
    }
    summary["generator_over_tfdata_time"] = round(
        summary["generator_epoch_seconds"] / summary["tfdata_epoch_seconds"], 3)
    summary["augmented_over_generator_time"] = round(
        summary["augmented_epoch_seconds"] / summary["generator_epoch_seconds"], 3)
    if "pen" in runs:
        summary["pen_over_augmented_time"] = round(
            summary["pen_epoch_seconds"] / summary["augmented_epoch_seconds"], 3)
    summary["float32_over_generator_peak_rss"] = round(
        summary["float32_peak_rss_mb"] / summary["generator_peak_rss_mb"], 3)
    if args.json:
        print(json.dumps(summary))
        return
    print(f"the second of two epochs, {summary['samples']} samples, batch {args.batch_size}, {args.rounds} rounds, "
          f"{args.workers} worker(s); load average {summary['load_average_before_after']}\n")
    print(f"{'feed':<10} {'epoch s (median, min-max)':>26} {'peak RSS MB':>12} {'extra MB':>9}")
    for feed in feeds:
        name = feed.replace(".", "")
        low, high = summary[f"{name}_epoch_seconds_min_max"]
        print(f"{feed:<10} {summary[f'{name}_epoch_seconds']:>12.1f} ({low:.1f}-{high:.1f})"
              f"{summary[f'{name}_peak_rss_mb']:>12.0f} {summary[f'{name}_extra_over_loaded_mb']:>9.0f}")
    print(f"\ngenerator / tf.data epoch time:   {summary['generator_over_tfdata_time']:.3f}")
    print(f"augmented / generator epoch time: {summary['augmented_over_generator_time']:.3f}")
    if "pen" in runs:
        print(f"pen / augmented epoch time:       {summary['pen_over_augmented_time']:.3f}")


if __name__ == "__main__":
    main()
