"""``mnist-pad-eval``: how well a model does on MNIST's test set, on real pen-written digits, or on whole numbers.

    mnist-pad-eval                                  # the default model on MNIST's test set
    mnist-pad-eval --model m.h5 --strokes dev.npz --scale 0.6 --json
    mnist-pad-eval --model m.h5 --strokes dev.npz --adapt 20 --json  # adapted to each writer
    mnist-pad-eval --strokes dev.npz --not-digits letters.npz --json   # what it calls "not a digit"
    mnist-pad-eval --numbers numbers.npz --json                        # whole numbers, as the pad reads them

With ``--strokes`` each digit is drawn on the real canvas widget, offscreen,
through the same mouse-event path as a person's pen, and preprocessed exactly as
live drawing is. With ``--adapt N`` a fresh copy of the model is adapted to each
writer's first N digits, as the app's "Adapt to my handwriting" does, and the
writer's other digits are scored before and after (``training.adapt_eval``).
With ``--numbers`` each written number is read by ``mnist_pad.number_reader`` on the
model's runtime predictor, as the pad reads it; neither Qt nor (once the model has its
runtime file) TensorFlow is imported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from mnist_pad.errors import PlainError
from training.arguments import (
    ArgumentParser,
    contributor_names,
    number_in_range,
    writer_fold,
)

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="mnist-pad-eval",
        description="Print accuracy, per-class accuracy and the confusion matrix of a model.",
    )
    parser.add_argument("--model", metavar="PATH", help="a .h5 or .keras model (default: the shipped model)")
    parser.add_argument("--data", metavar="PATH", help="MNIST .npz or IDX folder "
                        "(default: $MNIST_PAD_DATA, else Keras' download)")
    parser.add_argument("--strokes", metavar="FILE.npz", help="evaluate on pen strokes in the pen-digits layout, "
                        "replayed through the drawing canvas instead of MNIST")
    parser.add_argument("--scale", type=number_in_range(float, 0.05, 1.0), default=0.6,
                        help="with --strokes: digit height as a fraction of the canvas height (default 0.6)")
    parser.add_argument("--hold-out-writers", type=writer_fold, metavar="K/F",
                        help="with --strokes: only the writers of fold K of F, the digits that "
                        "mnist-pad-train --hold-out-writers K/F left out; with --adapt, only they are "
                        "adapted to and scored, and the other writers' digits are replayed")
    parser.add_argument("--hold-out-contributors", type=contributor_names, metavar="NAMES",
                        help="with --strokes: only the digits of these contributors (institutions), "
                        "comma-separated: those that mnist-pad-train --hold-out-contributors NAMES left out")
    parser.add_argument("--not-digits", metavar="OTHER.npz",
                        help="with --strokes: drawings that are not digits (pen-digits layout, labels -1), "
                        "replayed the same way; reports what the app's not-a-digit rule does on both "
                        "(with --adapt: on these drawings, before and after each adaptation)")
    parser.add_argument("--adapt", type=number_in_range(int, 1), metavar="N",
                        help="with --strokes: adapt to each writer's first N digits and score the rest "
                        "before and after (MNIST to replay from --data)")
    parser.add_argument("--numbers", metavar="FILE.npz",
                        help="read whole numbers written with a pen (the pen-digits layout plus a text per "
                        "number) as the pad reads them, and report how many are read right, instead of MNIST")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a report")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.adapt is not None and not args.strokes:
        parser.error("--adapt needs --strokes, the writers to adapt to")
    if args.numbers:
        if args.strokes or args.adapt is not None or args.not_digits or args.hold_out_writers \
                or args.hold_out_contributors:
            parser.error("--numbers is a measurement of its own: without --strokes, --adapt, --not-digits "
                         "or --hold-out-*")
        return _evaluate_numbers(args)
    from mnist_pad.model_io import (
        default_model_path,
        inspect_model_file,
        load_model,
    )
    from mnist_pad.pen_digits import PenDigitsError, load_not_digits, load_pen_digits
    from training import import_tensorflow_quietly
    from training.data import load_mnist

    model_path = args.model or str(default_model_path())
    try:
        if (args.hold_out_writers or args.hold_out_contributors) and not args.strokes:
            raise PenDigitsError("--hold-out-writers and --hold-out-contributors need --strokes FILE.npz.")
        inspect_model_file(model_path)  # refuse a bad file before importing TensorFlow
        digits = load_pen_digits(args.strokes) if args.strokes else None
        if digits is not None and args.hold_out_writers and args.adapt is None:
            digits = held_out_digits(digits, args.hold_out_writers)
        if digits is not None and args.hold_out_contributors:
            digits = contributors_digits(digits, args.hold_out_contributors)
        if args.not_digits and not args.strokes:
            raise PenDigitsError("--not-digits needs --strokes FILE.npz, the digits to tell them from.")
        others, chars = load_not_digits(args.not_digits) if args.not_digits else (None, None)
        if others is not None and args.hold_out_contributors:
            import numpy as np

            from mnist_pad.pen_digits import contributors_of

            kept = np.isin(contributors_of(others.writers), list(args.hold_out_contributors))
            others = contributors_digits(others, args.hold_out_contributors)
            chars = None if chars is None else chars[kept]
        data = None if digits and args.adapt is None else load_mnist(args.data)
        import_tensorflow_quietly()
        loaded = load_model(model_path)
    except PlainError as error:
        print(f"mnist-pad-eval: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT

    from training.evaluate import (
        evaluate,
        evaluate_predictions,
        per_contributor_accuracy,
        per_writer_summary,
    )

    if args.adapt is not None:
        return _evaluate_adaptation(loaded, digits, data, args, others)
    per_writer = per_contributor = None
    if digits is not None:
        probabilities = _predict_replayed(loaded.model, digits, args.scale)
        evaluation = evaluate_predictions(digits.labels, probabilities)
        per_writer = per_writer_summary(digits.labels, probabilities.argmax(1), digits.writers)
        per_contributor = per_contributor_accuracy(digits.labels, probabilities.argmax(1), digits.writers)
        source = {"strokes": args.strokes, "scale": args.scale}
        if args.hold_out_writers:
            source["writer_fold"] = "{}/{}".format(args.hold_out_writers[0] + 1, args.hold_out_writers[1])
        if args.hold_out_contributors:
            source["contributors"] = list(args.hold_out_contributors)
        if others is not None:
            from mnist_pad.digit_rule import DigitRule, rejection_figures

            other_probabilities = _predict_replayed(loaded.model, others, args.scale)
            source["not_digits_file"] = args.not_digits
            source.update(rejection_figures(
                DigitRule.for_card(loaded.card), probabilities, digits.labels, other_probabilities, chars
            ))
    else:
        evaluation = evaluate(loaded.model, data.x_test, data.y_test)
        source = {"data": data.source, "split": "test"}

    if args.json:
        writers = {"per_writer": per_writer, "per_contributor": per_contributor} if per_writer else {}
        print(json.dumps({"model": str(loaded.path), **source, **evaluation.as_dict(), **writers}))
    else:
        where = f"{args.strokes} at scale {args.scale}" if digits is not None else f"{data.source} (test)"
        report = evaluation.report() + (_writers_report(per_writer, per_contributor) if per_writer else "")
        if "digits_accepted" in source:
            report += _rule_report(source)
        print(f"model {loaded.path}\ndata  {where}\n\n{report}")
    return 0


def _evaluate_numbers(args) -> int:
    """``--numbers``: the number reader on a pen-numbers file, through the model's runtime predictor."""
    from mnist_pad.digit_rule import DigitRule
    from mnist_pad.model_io import default_model_path, open_model_file
    from mnist_pad.number_reader import NumberReader
    from mnist_pad.pen_digits import load_pen_numbers
    from mnist_pad.pen_numbers import number_figures, numbers_of
    from training.runtime_export import runtime_or_keras

    try:
        samples, texts = load_pen_numbers(args.numbers)
        loaded = open_model_file(args.model or default_model_path())
        predictor, _ = runtime_or_keras(loaded)
    except PlainError as error:
        print(f"mnist-pad-eval: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    figures = number_figures(NumberReader(predictor, DigitRule.for_card(loaded.card)), numbers_of(samples, texts))
    del figures["readings"]  # a text per number would bury the summary; the core hands them to whoever needs them
    if args.json:
        print(json.dumps({"model": str(loaded.path), "numbers_file": args.numbers, **figures}))
        return 0
    print(f"model {loaded.path}\ndata  {args.numbers}, {figures['numbers']} numbers\n")
    print(_numbers_report(figures))
    return 0


def _numbers_report(figures: dict) -> str:
    speed = figures["ms_per_number"]
    lines = [
        f"{'whole numbers read right':26} {figures['whole_accuracy']:.4f}",
        f"{'character error rate':26} {figures['cer']:.4f}",
        f"{'digit count right':26} {figures['count_right']:.4f}",
        f"{'ms per number':26} p50 {speed['p50']:.1f}, p99 {speed['p99']:.1f}",
        "",
        f"{'contributor':12} {'n':>5} {'whole':>7} {'cer':>7}",
    ]
    lines += [f"{name:12} {c['n']:5d} {c['whole_accuracy']:7.4f} {c['cer']:7.4f}"
              for name, c in figures["per_contributor"].items()]
    return "\n".join(lines)


def contributors_digits(digits, names: tuple[str, ...]):
    """The digits of the contributors ``names`` (PenDigitsError for a name the file does not hold)."""
    import numpy as np

    from mnist_pad.pen_digits import (
        PenDigitsError,
        contributors_of,
        subset,
        unknown_contributors,
    )

    unknown = unknown_contributors(digits.writers, names)
    if unknown:
        raise PenDigitsError(f"{unknown.rstrip('.')} (--hold-out-contributors).")
    return subset(digits, np.isin(contributors_of(digits.writers), list(names)))


def held_out_digits(digits, fold: tuple[int, int]):
    from mnist_pad.pen_digits import subset

    return subset(digits, in_fold(digits, fold))


def in_fold(digits, fold: tuple[int, int]):
    """Which digits are of the writers of ``fold`` = (fold, folds)."""
    from training.pen_data import writer_folds

    return writer_folds(digits.writers, fold[1]) == fold[0]


def _rule_report(figures: dict) -> str:
    rule = figures["rule"]
    return (
        f"\n\nnot a digit below {rule['threshold']:.3f} top probability at temperature "
        f"{rule['score_temperature']:.3f} (shown at temperature {rule['temperature']:.3f}, "
        f"{rule['source']} rule): digits accepted {figures['digits_accepted']:.4f}, accuracy on them "
        f"{figures['accuracy_on_accepted']:.4f}, ECE {figures['ece']:.4f}; not-digits turned away "
        f"{figures['not_digits_rejected']:.4f} of {figures['not_digits']}, AUROC {figures['auroc']:.4f}"
    )


def _writers_report(summary: dict, per_contributor: dict) -> str:
    worst = ", ".join(f"{w['writer']} {w['accuracy']:.3f} (n={w['n']})" for w in summary["worst_writers"])
    contributors = ", ".join(f"{name} {c['accuracy']:.3f} (n={c['n']})" for name, c in per_contributor.items())
    return (
        f"\n\n{summary['writers']} writers: median accuracy {summary['median_accuracy']:.4f}, "
        f"worst {summary['worst_accuracy']:.4f}\nworst writers: {worst}\ncontributors: {contributors}"
    )


def _evaluate_adaptation(loaded, digits, data, args, others) -> int:
    from mnist_pad.digit_rule import DigitRule
    from training.adapt import render_digits
    from training.adapt_eval import evaluate_adaptation, summarise
    from training.adapt_settings import AdaptError

    def progress(outcome) -> None:
        if not args.json:
            print(f"{outcome.writer}: {outcome.correct_before}/{outcome.n} -> {outcome.correct_after}/{outcome.n} "
                  f"({outcome.seconds:.1f} s)", flush=True)

    try:
        outcomes = evaluate_adaptation(
            loaded.model, digits, data.x_train, args.adapt, on_writer=progress,
            unseen=in_fold(digits, args.hold_out_writers) if args.hold_out_writers else None,
            not_digits=None if others is None else render_digits(others, tablet_units=True),
            rule=DigitRule.for_card(loaded.card),
        )
    except AdaptError as error:
        print(f"mnist-pad-eval: {args.strokes}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    figures = summarise(outcomes, args.adapt)
    if args.json:
        print(json.dumps({"model": str(loaded.path), "strokes": args.strokes, "replay": data.source, **figures}))
        return 0
    print(f"\nmodel {loaded.path}\ndata  {args.strokes}, adapted to each writer's first {args.adapt} digits")
    for key, value in figures.items():
        if key == "adapted_writers":
            continue
        print(f"{key:30} {value:.4f}" if isinstance(value, float) else f"{key:30} {value}")
    return 0


def _predict_replayed(model, digits, scale: float):
    # The replay draws on a real widget; without a display it runs offscreen.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from mnist_pad.gui.replay import render_pen_digits
    from mnist_pad.predictor import Predictor

    app = QApplication.instance() or QApplication([])  # noqa: F841 (must outlive the canvas)
    images = render_pen_digits(digits, scale)
    return Predictor(model).predict_batch(images)


if __name__ == "__main__":
    sys.exit(main())
