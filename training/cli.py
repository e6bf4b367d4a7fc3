"""``mnist-pad-train``: fit the network from the command line.

    mnist-pad-train --data mnist.npz --epochs 5 --augment --out my_model.h5
    mnist-pad-train --strokes dev.npz --hold-out-writers 1/3 --augment --out fold1.h5
    mnist-pad-train --strokes dev.npz --cross-validate-contributors each --augment --out model.h5

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
from dataclasses import dataclass, replace
from pathlib import Path

from mnist_pad.errors import PlainError
from training import import_tensorflow_quietly
from training.arguments import (
    EACH_CONTRIBUTOR,
    ArgumentParser,
    contributor_groups,
    contributor_names,
    number_in_range,
    writer_fold,
)
from training.card import write_card
from training.evaluate import evaluate
from training.runtime_export import write_runtime_file_unless_refused

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
    parser.add_argument("--strokes", action="append", default=[], metavar="FILE.npz",
                        help="pen-written digits (pen-digits layout) to train on beside MNIST, rendered as the "
                        "pad renders drawings; repeatable")
    parser.add_argument("--not-digits", action="append", default=[], metavar="FILE.npz",
                        help="drawings that are not digits (pen-digits layout, labels -1, like the pen letters) "
                        "to learn with a uniform target, so that the network is unsure of them; repeatable")
    parser.add_argument("--digit-styles", action="store_true",
                        help="each pen digit also joins once in another way of writing it (slashed or dotted "
                        "zero, flagged one, crossed seven, open or closed four, ...), made from its own strokes")
    parser.add_argument("--made-up-not-digits", type=POSITIVE_INT, metavar="N",
                        help="N made-up drawings that are not digits (scribbles, shapes, faces, dashes, "
                        "crossed-out digits) join the --not-digits drawings")
    parser.add_argument("--not-digit-weight", type=number_in_range(float, 0.1, 10.0), default=1.0,
                        metavar="W", help="a drawing that is not a digit (--not-digits, --made-up-not-digits) "
                        "counts W times a pen digit in the loss (default 1)")
    parser.add_argument("--mnist-weight", type=number_in_range(float, 0.1, 10.0), default=1.0,
                        metavar="W", help="an MNIST image counts W times a pen digit in the loss (default 1)")
    parser.add_argument("--pen-repeat", type=POSITIVE_INT, default=3, metavar="K",
                        help="each pen digit is seen K times an epoch, varied anew with --augment (default 3)")
    parser.add_argument("--hold-out-writers", type=writer_fold, metavar="K/F",
                        help="leave out the pen digits of writer fold K of F (writers dealt out at random, "
                        "whole) and report accuracy on them at the end")
    parser.add_argument("--cross-validate", type=number_in_range(int, 2, 10), metavar="F",
                        help="first train F models with the same settings, each leaving out one writer fold, "
                        "and record their held-out-writer figures in the final model's card")
    parser.add_argument("--hold-out-contributors", type=contributor_names, default=(), metavar="NAMES",
                        help="leave out the pen digits of these contributors (institutions, the files' "
                        "contributor field), comma-separated, and report accuracy on them at the end")
    parser.add_argument("--cross-validate-contributors", type=contributor_groups, metavar="GROUPS",
                        help="first train one model per group of contributors, each leaving that group out: "
                        "'each' (one contributor at a time) or groups like art+cea,ceb; their figures on "
                        "the institutions they never saw go in the final model's card")
    parser.add_argument("--validation-writers", type=number_in_range(float, 0.0, 0.5), default=0.1,
                        metavar="SHARE", help="this share of the trained-on pen writers validates beside MNIST's "
                        "validation images instead of training (default 0.1)")
    parser.add_argument("--init-model", metavar="PATH.h5", help="start from this model's weights "
                        "(the same network) instead of fresh ones")
    parser.add_argument("--average-weights", action="store_true",
                        help="validate and keep an exponential moving average of the weights (Polyak "
                        "averaging) instead of the last batch's")
    parser.add_argument("--patience", type=POSITIVE_INT, default=2, metavar="EPOCHS",
                        help="EarlyStopping ends the run after this many epochs without a better val_acc "
                        "(default 2)")
    parser.add_argument("--learning-rate", type=number_in_range(float, 1e-6, 1.0), default=1e-3,
                        help="Adam's step size (default 0.001)")
    parser.add_argument("--clean-finish", type=number_in_range(int, 0, 10), default=0, metavar="EPOCHS",
                        help="with --augment: then this many epochs on undistorted drawings, from the best "
                        "augmented epoch, at a third of the step; kept only if val_acc improves (default 0)")
    parser.add_argument("--out", required=True, metavar="PATH.h5", help="where the best model is written")
    return parser


def config_from_args(args: argparse.Namespace):
    """The run that parsed arguments describe."""
    from training.job import TrainConfig

    return TrainConfig(
        epochs=args.epochs, batch_size=args.batch_size, augment=args.augment,
        train_samples=args.train_samples, workers=args.workers, pen_files=tuple(args.strokes),
        pen_repeat=args.pen_repeat, hold_out_writers=args.hold_out_writers,
        hold_out_contributors=args.hold_out_contributors, not_digit_files=tuple(args.not_digits),
        digit_styles=args.digit_styles, made_up_not_digits=args.made_up_not_digits or 0,
        not_digit_weight=args.not_digit_weight, mnist_weight=args.mnist_weight, validation_writers=args.validation_writers,
        init_model=args.init_model, learning_rate=args.learning_rate, patience=args.patience,
        average_weights=args.average_weights, clean_finish_epochs=args.clean_finish,
    )


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
    from mnist_pad.model_io import inspect_model_file
    from training.data import load_mnist
    from training.pen_data import load_pen_samples

    try:
        if args.init_model:
            inspect_model_file(args.init_model)  # refuse a bad file before importing TensorFlow
        pen, pen_sources = load_pen_samples(args.strokes)
        not_digits, not_digit_sources = load_pen_samples(args.not_digits, not_digits=True)
        if args.hold_out_writers and not args.strokes:
            raise ValueError("--hold-out-writers needs pen digits to hold out: add --strokes FILE.npz.")
        if args.cross_validate and (not args.strokes or args.hold_out_writers):
            raise ValueError("--cross-validate needs --strokes FILE.npz and holds out its own writer folds.")
        contributor_folds = _contributor_folds(pen, args)
        config = config_from_args(args)  # bad settings are refused before the data is read
        data = load_mnist(args.data)
    except (PlainError, ValueError) as error:
        return _fail(str(error))
    import_tensorflow_quietly()

    cancel = threading.Event()
    # Ctrl-C asks for a stop after the current batch; a second one quits at once
    # (safe too: checkpoints are replaced atomically).
    def on_interrupt(signum, frame):
        if cancel.is_set():
            raise SystemExit(EXIT_INTERRUPTED)
        cancel.set()
        print("\nstopping after this batch (Ctrl-C again to quit now)...", file=sys.stderr, flush=True)

    previous_handler = signal.signal(signal.SIGINT, on_interrupt)
    command = "mnist-pad-train " + " ".join(argv if argv is not None else sys.argv[1:])
    run = _Run(data, pen if len(pen) else None, pen_sources, command, cancel,
               not_digits if len(not_digits) else None, not_digit_sources)
    try:
        folds = []
        for fold in range(args.cross_validate or 0):
            fold_out = out.with_name(f"{out.stem}.fold{fold + 1}of{args.cross_validate}.h5")
            outcome = run.once(fold_out, replace(config, hold_out_writers=(fold, args.cross_validate)))
            if not outcome.written or cancel.is_set():
                return EXIT_INTERRUPTED
            folds.append(outcome.held_out)
        institutions = []
        for group in contributor_folds:
            fold_out = out.with_name(f"{out.stem}.without-{'+'.join(group)}.h5")
            outcome = run.once(fold_out, replace(config, hold_out_contributors=group))
            if not outcome.written or cancel.is_set():
                return EXIT_INTERRUPTED
            institutions.append(outcome.held_out)
        # Calibrated on the digits of whoever the fold models never saw: institutions when held out, else writers.
        rule = _fitted_rule(institutions, "institutions") if institutions else (
            _fitted_rule(folds, "writers") if folds else None)
        finished = run.once(
            out, config, cross_validation=_pooled(folds) if folds else None,
            contributor_cross_validation=_pooled(institutions) if institutions else None, digit_rule=rule,
        )
    except (PlainError, ValueError) as error:  # ValueError: data too small to split
        return _fail(str(error))
    finally:
        signal.signal(signal.SIGINT, previous_handler)
    return 0 if finished.written and not cancel.is_set() else EXIT_INTERRUPTED


@dataclass(frozen=True)
class _Outcome:
    written: bool  # a checkpoint was saved
    held_out: tuple | None = None  # (labels, predicted, writers) of the held-out writers' digits


class _Run:
    """Train one model, evaluate it and write its card; what every run of this command shares."""

    def __init__(self, data, pen, pen_sources, command: str, cancel: threading.Event, not_digits=None,
                 not_digit_sources=()):
        self.data, self.pen, self.pen_sources = data, pen, pen_sources
        self.not_digits, self.not_digit_sources = not_digits, not_digit_sources
        self.command, self.cancel = command, cancel

    def once(
        self, out: Path, config, cross_validation: dict | None = None, contributor_cross_validation: dict | None = None,
        digit_rule: dict | None = None,
    ) -> _Outcome:
        from training.calibration import validation_rule
        from training.fit import train

        progress = _ConsoleProgress(config.most_epochs)
        result = train(
            self.data, out, config, pen=self.pen, not_digits=self.not_digits,
            on_batch=progress.batch, on_epoch=progress.epoch, cancel=self.cancel,
        )
        if not result.checkpoint_written:
            print("stopped before any epoch finished; no model was written.", file=sys.stderr)
            return _Outcome(written=False)
        model = _saved_model(out)
        test_accuracy = evaluate(model, self.data.x_test, self.data.y_test).accuracy
        if digit_rule is None:  # no folds to fit it on: the run's own validation writers, when it has them
            digit_rule = validation_rule(model, self.pen, config)
        predictions = _held_out_predictions(model, self.pen, config)
        held_out = None
        if predictions is not None:
            held_out = held_out_summary(*predictions)
            if config.hold_out_writers:
                fold, folds = config.hold_out_writers
                held_out["fold"] = f"{fold + 1}/{folds}"
            if config.hold_out_contributors:
                held_out["contributors"] = list(config.hold_out_contributors)
        write_card(
            out, self.data, config, result, test_accuracy, self.command,
            pen_sources=self.pen_sources, not_digit_sources=self.not_digit_sources,
            held_out=held_out, cross_validation=cross_validation,
            contributor_cross_validation=contributor_cross_validation, digit_rule=digit_rule,
        )
        write_runtime_file_unless_refused(model, out)  # what the app will draw with
        ending = "stopped by Ctrl-C" if result.cancelled else (
            "stopped early" if result.stopped_early else "all epochs run")
        whose = "contributors" if config.hold_out_contributors else "writers"
        held_out_line = (
            f" | held-out {whose} {held_out['accuracy']:.4f} ({held_out['n']} digits)" if held_out else ""
        )
        print(
            f"test accuracy {test_accuracy:.4f}{held_out_line} | best val_acc {result.best_val_acc:.4f} at "
            f"epoch {result.best_epoch + 1} of {len(result.epochs)} ({ending}) | {result.seconds:.0f}s | {out}",
            flush=True,
        )
        return _Outcome(written=True, held_out=predictions)


def _saved_model(model_path: Path):
    """The saved best checkpoint, not the last epoch's weights."""
    import keras

    return keras.saving.load_model(model_path, compile=False, safe_mode=True)


def _contributor_folds(pen, args) -> list[tuple[str, ...]]:
    """The groups of contributors that cross-validation leaves out in turn, each checked against the pen
    digits, as is ``--hold-out-contributors`` (ValueError: one sentence)."""
    from mnist_pad.pen_digits import contributors_of
    from training.pen_data import check_contributors

    groups = args.cross_validate_contributors
    if (args.hold_out_contributors or groups) and not args.strokes:
        raise ValueError("holding out contributors needs their pen digits: add --strokes FILE.npz.")
    if groups and (args.hold_out_contributors or args.hold_out_writers):
        raise ValueError("--cross-validate-contributors holds out its own contributors; "
                         "drop --hold-out-contributors and --hold-out-writers.")
    if groups == EACH_CONTRIBUTOR:
        groups = [(name,) for name in sorted(set(contributors_of(pen.writers)))]
    for group in [args.hold_out_contributors] if args.hold_out_contributors else groups or []:
        check_contributors(pen, group)
    return list(groups or [])


def _held_out_predictions(model, pen, config):
    """(labels, probabilities, writers) of the held-out digits, rendered as the pad renders them."""
    if config.hold_out_writers is None and not config.hold_out_contributors:
        return None
    from mnist_pad.predictor import Predictor
    from training.pen_data import split_held_out

    held_out = split_held_out(pen, config.hold_out_writers, config.hold_out_contributors)[1]
    return held_out.labels, Predictor(model).predict_batch(held_out.images()), held_out.writers


def held_out_summary(labels, probabilities, writers) -> dict:
    from training.evaluate import (
        Evaluation,
        confusion_matrix,
        per_contributor_accuracy,
        per_writer_summary,
    )

    predicted = probabilities.argmax(1)
    evaluation = Evaluation(confusion_matrix(labels, predicted))
    return {
        **evaluation.as_dict(),
        "per_writer": per_writer_summary(labels, predicted, writers),
        "per_contributor": per_contributor_accuracy(labels, predicted, writers),
    }


def _pooled(folds) -> dict:
    """Every fold's held-out digits together: each writer scored by a model that never saw them."""
    import numpy as np

    labels, probabilities, writers = (np.concatenate(part) for part in zip(*folds))
    per_fold = [float((p.argmax(1) == l).mean()) for l, p, _ in folds]
    return {"folds": len(folds), "per_fold_accuracy": per_fold, **held_out_summary(labels, probabilities, writers)}


def _fitted_rule(folds, unseen: str) -> dict:
    """The not-a-digit rule fitted on every fold's held-out digits."""
    import numpy as np

    from training.calibration import rule_for_card

    labels, probabilities = (np.concatenate(part) for part in list(zip(*folds))[:2])
    return rule_for_card(labels, probabilities, f"{len(labels):,} pen digits of {unseen} the fold models were not trained on")


def _fail(sentence: str) -> int:
    print(f"mnist-pad-train: {sentence}", file=sys.stderr)
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
