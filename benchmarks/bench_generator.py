"""Peak memory and time of one training epoch: the uint8 PyDataset generator vs the alternatives.

    MNIST_PAD_DATA=../shared/mnist/mnist.npz python benchmarks/bench_generator.py [--json]

Three feeds of the same model, each in a fresh process so that peak RSS is its own:
  generator  training.generator.MnistSequence (uint8 in memory, scaled per batch)
  float32    the whole training set scaled to a float32 array up front, fed to fit()
  tf.data    an in-memory tf.data pipeline (uint8 tensors, scaled per batch in a map)
One epoch each, same batch size, no augmentation. Prints the peak RSS of each run,
the extra memory over the process's size with the data loaded, the epoch seconds,
and the generator's epoch time divided by tf.data's, all measured in this one run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

FEEDS = ("generator", "float32", "tf.data")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_feed(feed: str, train_samples: int | None, batch_size: int) -> dict:
    """One epoch with one feed; runs inside its own process."""
    import numpy as np

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

    started = time.perf_counter()
    if feed == "generator":
        model.fit(MnistSequence(x, y, batch_size, shuffle=True, seed=0), epochs=1, verbose=0)
    elif feed == "float32":
        model.fit(scale_images(x), np.eye(10, dtype=np.float32)[y], batch_size=batch_size,
                  shuffle=True, epochs=1, verbose=0)
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
        model.fit(dataset, epochs=1, verbose=0)
    seconds = time.perf_counter() - started
    return {"feed": feed, "samples": len(x), "epoch_seconds": round(seconds, 2),
            "peak_rss_mb": round(peak_rss_mb(), 1), "extra_over_loaded_mb": round(peak_rss_mb() - baseline, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--train-samples", type=int, default=None, help="default: all 60,000")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--feed", choices=FEEDS, help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args()

    if args.feed:
        print(json.dumps(run_feed(args.feed, args.train_samples, args.batch_size)))
        return

    results = {}
    for feed in FEEDS:
        command = [sys.executable, __file__, "--feed", feed, "--batch-size", str(args.batch_size)]
        if args.train_samples:
            command += ["--train-samples", str(args.train_samples)]
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            sys.exit(f"bench_generator: the {feed} run failed:\n{finished.stderr[-2000:]}")
        results[feed] = json.loads(finished.stdout.strip().splitlines()[-1])

    summary = {
        "samples": results["generator"]["samples"],
        "batch_size": args.batch_size,
        **{f"{feed.replace('.', '')}_{key}": results[feed][key]
           for feed in FEEDS for key in ("peak_rss_mb", "extra_over_loaded_mb", "epoch_seconds")},
        "generator_over_tfdata_time": round(
            results["generator"]["epoch_seconds"] / results["tf.data"]["epoch_seconds"], 3),
        "float32_over_generator_peak_rss": round(
            results["float32"]["peak_rss_mb"] / results["generator"]["peak_rss_mb"], 3),
    }
    if args.json:
        print(json.dumps(summary))
        return
    print(f"one epoch, {summary['samples']} samples, batch {args.batch_size}\n")
    print(f"{'feed':<10} {'peak RSS MB':>12} {'extra MB':>9} {'epoch s':>8}")
    for feed in FEEDS:
        r = results[feed]
        print(f"{feed:<10} {r['peak_rss_mb']:>12.0f} {r['extra_over_loaded_mb']:>9.0f} {r['epoch_seconds']:>8.1f}")
    print(f"\ngenerator / tf.data epoch time: {summary['generator_over_tfdata_time']:.2f}")


if __name__ == "__main__":
    main()
