"""``mnist-pad-train``: fit the network from the command line.

    mnist-pad-train --data mnist.npz --epochs 5 --augment --out my_model.h5

Progress goes to stderr; the last line on stdout is the summary with the test
accuracy. Ctrl-C stops after the current batch and keeps the best checkpoint;
bad arguments or data exit with status 2 and one sentence.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

from training import import_tensorflow_quietly
from training.arguments import ArgumentParser, number_in_range
from training.atomic import OutputError
from training.card import write_card

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
POSITIVE_INT = number_in_range(int, 1)


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="mnist-pad-train",
        description="Train the mnist-pad Conv2D network with the PyDataset generator, "
        "EarlyStopping on val_acc and a best-only .h5 checkpoint.",
    )
    parser.add_argument("--data", metavar="PATH", help="MNIST .npz or IDX folder "
                        "(default: $MNIST_PAD_DATA, else Keras' download)")
    parser.add_argument("--epochs", type=POSITIVE_INT, default=5, help="at most this many epochs (default 5)")
    parser.add_argument("--batch-size", type=POSITIVE_INT, default=200, help="default 200")
    parser.add_argument("--augment", action="store_true", help="random shifts, rotations, scaling and slant per batch")
    parser.add_argument("--train-samples", type=POSITIVE_INT, metavar="N", help="train on the first N samples only")
    parser.add_argument("--workers", type=POSITIVE_INT, default=1, help="PyDataset worker threads (default 1)")
    parser.add_argument("--out", required=True, metavar="PATH.h5", help="where the best model is written")
    return parser


class _ConsoleProgress:
    """One self-overwriting progress line per epoch on stderr, then the epoch's figures."""

    def __init__(self, epochs: int):
        self.epochs = epochs
        self._last_draw = 0.0

    def batch(self, progress) -> None:
        now = time.monotonic()
        if now - self._last_draw < 0.2 and progress.batch != progress.batches_per_epoch:
            return
        self._last_draw = now
        print(
            f"\repoch {progress.epoch + 1}/{self.epochs}  batch {progress.batch}/"
            f"{progress.batches_per_epoch}  loss {progress.loss:.4f}  acc {progress.acc:.4f}",
            end="", file=sys.stderr, flush=True,
        )

    def epoch(self, result) -> None:
        print(
            f"\repoch {result.epoch + 1}/{self.epochs}  loss {result.loss:.4f}  acc {result.acc:.4f}  "
            f"val_loss {result.val_loss:.4f}  val_acc {result.val_acc:.4f}  {result.seconds:.0f}s",
            file=sys.stderr, flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = Path(args.out)
    if out.suffix != ".h5":
        return _fail(f"{out}: the output must be an .h5 file.")

    # Heavy imports after argument checks, so --help and typos answer at once.
    import_tensorflow_quietly()
    from training.data import DataError, load_mnist
    from training.fit import TrainConfig, train

    try:
        data = load_mnist(args.data)
        config = TrainConfig(
            epochs=args.epochs, batch_size=args.batch_size, augment=args.augment,
            train_samples=args.train_samples, workers=args.workers,
        )
    except (DataError, ValueError) as error:
        return _fail(str(error))

    cancel = threading.Event()
    # Ctrl-C asks for a stop after the current batch; a second one quits at once
    # (safe too: checkpoints are replaced atomically).
    def on_interrupt(signum, frame):
        if cancel.is_set():
            raise SystemExit(EXIT_INTERRUPTED)
        cancel.set()
        print("\nstopping after this batch (Ctrl-C again to quit now)...", file=sys.stderr, flush=True)

    previous_handler = signal.signal(signal.SIGINT, on_interrupt)
    progress = _ConsoleProgress(config.epochs)
    try:
        result = train(data, out, config, on_batch=progress.batch, on_epoch=progress.epoch, cancel=cancel)
    except (OutputError, ValueError) as error:  # ValueError: data too small to split
        return _fail(str(error))
    finally:
        signal.signal(signal.SIGINT, previous_handler)

    if not result.checkpoint_written:
        print("stopped before any epoch finished; no model was written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    test_accuracy = _test_accuracy(out, data)
    command = "mnist-pad-train " + " ".join(argv if argv is not None else sys.argv[1:])
    write_card(out, data, config, result, test_accuracy, command)
    ending = "stopped by Ctrl-C" if result.cancelled else (
        "stopped early" if result.stopped_early else "all epochs run")
    print(
        f"test accuracy {test_accuracy:.4f} | best val_acc {result.best_val_acc:.4f} at epoch "
        f"{result.best_epoch + 1} of {len(result.epochs)} ({ending}) | {result.seconds:.0f}s | {out}"
    )
    return EXIT_INTERRUPTED if result.cancelled else 0


def _test_accuracy(model_path: Path, data) -> float:
    """Accuracy of the saved best checkpoint (not the last epoch's weights) on the test set."""
    import keras

    from training.evaluate import evaluate

    model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    return evaluate(model, data.x_test, data.y_test).accuracy


def _fail(sentence: str) -> int:
    print(f"mnist-pad-train: {sentence}", file=sys.stderr)
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
