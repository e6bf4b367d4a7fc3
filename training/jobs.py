"""The jobs the training child process runs: a training run and an adaptation.

Each is plain, picklable data with ``run(report, cancel)``, which imports its
heavy work (Keras) only inside the child.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mnist_pad.errors import PlainError
from training.adapt_settings import AdaptConfig
from training.data import load_mnist
from training.job import Failed, Status, TrainConfig, TrainResult
from training.pen_data import load_pen_samples

if TYPE_CHECKING:
    from mnist_pad.pen_digits import PenDigits


@dataclass(frozen=True)
class TrainJob:
    data_path: str | None  # None: $MNIST_PAD_DATA, else Keras' download
    out_path: str
    config: TrainConfig
    compare_with: str | None = None  # the model in use: both are judged on the same held-out drawings afterwards
    activity = "Training"

    def run(self, report: Callable[[object], None], cancel) -> TrainResult | Failed:
        from training.fit import train

        try:
            report(Status("Loading the data…"))
            data = load_mnist(self.data_path)
            pen, pen_sources = load_pen_samples(list(self.config.pen_files))
            not_digits, not_digit_sources = load_pen_samples(list(self.config.not_digit_files), not_digits=True)
            pen, not_digits = (samples if len(samples) else None for samples in (pen, not_digits))
            if cancel.is_set():
                return TrainResult(Path(self.out_path), cancelled=True)
            report(Status("Building the model and compiling the first batch…"))
            result = train(
                data, self.out_path, self.config, pen=pen, not_digits=not_digits,
                on_batch=report, on_epoch=report, cancel=cancel,
            )
            if result.checkpoint_written:
                report(Status("Scoring the new model on MNIST's test set for its card…"))
                self._write_card_and_runtime_file(data, result, pen, pen_sources, not_digit_sources)
            if self.compare_with and result.checkpoint_written and not result.cancelled:
                report(Status("Judging the new model and the one in use on the same held-out digits, "
                              "letters and made-up drawings…"))
                from training.compare import compare_models

                result.comparison = compare_models(self.out_path, self.compare_with, data, pen, not_digits,
                                                   self.config)
            return result
        except PlainError as error:
            return Failed(str(error))

    def _write_card_and_runtime_file(self, data, result: TrainResult, pen, pen_sources, not_digit_sources) -> None:
        """The card every model the project writes has (data, epochs, figures, the not-a-digit rule, and
        the command that makes it), and the runtime file the app draws with (``mnist_pad.runtime``)."""
        from mnist_pad.model_io import load_model
        from training.calibration import validation_rule
        from training.card import train_command, write_card
        from training.evaluate import evaluate
        from training.runtime_export import write_runtime_file_unless_refused

        model = load_model(self.out_path).model
        write_card(
            Path(self.out_path), data, self.config, result, evaluate(model, data.x_test, data.y_test).accuracy,
            train_command(self.config, self.data_path, self.out_path),
            pen_sources=pen_sources, not_digit_sources=not_digit_sources,
            digit_rule=validation_rule(model, pen, self.config),
        )
        write_runtime_file_unless_refused(model, self.out_path)

    @property
    def epochs(self) -> int:
        return self.config.most_epochs


@dataclass(frozen=True)
class AdaptJob:
    """Adapt ``base_model_path`` to a writer's digits and save it as ``out_path`` with a card."""

    base_model_path: str
    out_path: str
    digits: PenDigits  # the writer's digits, strokes in pad units (as the canvas stores them)
    data_path: str | None  # MNIST to replay; None: $MNIST_PAD_DATA, else Keras' download
    pen_digits_path: str | None = None  # other writers' pen digits to replay, when there are any
    config: AdaptConfig = AdaptConfig()
    activity = "Adapting"

    @property
    def epochs(self) -> int:
        return self.config.epochs

    def run(self, report: Callable[[object], None], cancel):
        from training.adapt import adapt_and_save

        return adapt_and_save(self, report, cancel)
