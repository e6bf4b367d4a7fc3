"""Model cards: the real figures of a training run, kept beside the model as JSON."""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shlex
from pathlib import Path, PurePosixPath, PureWindowsPath

from mnist_pad.digit_rule import CARD_KEY
from mnist_pad.files import card_path, file_sha256, write_bytes_atomic
from training.augment import DESCRIPTION as AUGMENTATION
from training.data import DATA_ENV_VAR
from training.digit_styles import DESCRIPTION as DIGIT_STYLES
from training.job import EMA_MOMENTUM, format_duration
from training.not_digit_drawings import DESCRIPTION as MADE_UP_NOT_DIGITS
from training.pen_augment import DESCRIPTION as PEN_AUGMENTATION

# The terms of the data files we know, by content; any other file's are "not recorded".
KNOWN_LICENCES = {
    "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64": (
        "MNIST (Yann LeCun, Corinna Cortes), as published: Creative Commons Attribution-Share Alike 3.0"
    ),
    "847c49d5f25b9233ecbda5f51864c0d87cdc7e2fb1c8de69f02cbdda397c3737": (
        "UNIPEN train_r01_v07, category 1a (International Unipen Foundation, 1999): research use, "
        "with reference to the UNIPEN database"
    ),
    "4934da5a30c07f592b56e5b111463c2a1ba8dffeff7df952fb72689472d706bd": (
        "UNIPEN train_r01_v07, categories 1b and 1c, isolated letters (International Unipen Foundation, 1999): "
        "research use, with reference to the UNIPEN database"
    ),
}


def write_card(
    model_path: Path, data, config, result, test_accuracy: float, command: str,
    pen_sources=(), held_out: dict | None = None, cross_validation: dict | None = None,
    contributor_cross_validation: dict | None = None, not_digit_sources=(), digit_rule: dict | None = None,
) -> Path:
    import keras
    import tensorflow as tf

    source = Path(data.source)
    mnist_sha256 = file_sha256(source) if source.is_file() else None
    card = {
        "model": model_path.name,
        "test_accuracy": round(test_accuracy, 6),
        "best_val_acc": round(result.best_val_acc, 6),
        "best_epoch": result.best_epoch + 1,
        "epochs_run": len(result.epochs),
        "max_epochs": config.epochs,
        "stopped_early": result.stopped_early,
        "cancelled": result.cancelled,
        "batch_size": config.batch_size,
        "augmentation": AUGMENTATION if config.augment else None,
        "pen_augmentation": PEN_AUGMENTATION if config.augment and pen_sources else None,
        "pen_repeat": config.pen_repeat if pen_sources else None,
        "digit_styles": DIGIT_STYLES if config.digit_styles and pen_sources else None,
        "made_up_not_digits": (
            {"drawings": config.made_up_not_digits, "kinds": MADE_UP_NOT_DIGITS} if config.made_up_not_digits else None
        ),
        "not_digit_weight": config.not_digit_weight if config.learns_not_digits else None,
        "mnist_weight": config.mnist_weight if config.mnist_weight != 1 else None,
        "validation_writers": config.validation_writers if pen_sources else None,
        "init_model": _described_file(config.init_model),
        "learning_rate": config.learning_rate,
        "averaged_weights": EMA_MOMENTUM if config.average_weights else None,
        "early_stopping_patience": config.patience,
        "clean_finish_epochs": config.clean_finish_epochs or None,
        "clean_finish_learning_rate": config.clean_finish_learning_rate if config.clean_finish_epochs else None,
        "train_samples": config.train_samples,
        "validation_samples": config.validation_samples,
        "training_seconds": round(result.seconds, 1),
        "machine": f"{_cpu_name()}, {_cpu_count()} cores, {platform.system()} {platform.machine()}",
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "data": data.source,
        "data_sha256": mnist_sha256,
        "sources": [
            {"role": "MNIST", "path": data.source, "sha256": mnist_sha256, "licence": _licence(mnist_sha256)},
            *(
                {"role": "pen digits", "path": pen.path, "sha256": pen.sha256, "digits": pen.samples,
                 "writers": pen.writers, "licence": _licence(pen.sha256)}
                for pen in pen_sources
            ),
            *(
                {"role": "not digits", "path": other.path, "sha256": other.sha256, "drawings": other.samples,
                 "writers": other.writers, "digit_like_left_out": other.digit_like_left_out,
                 "licence": _licence(other.sha256)}
                for other in not_digit_sources
            ),
        ],
        "held_out_writers": held_out if held_out and "fold" in held_out else None,
        "held_out_contributors": held_out if held_out and "contributors" in held_out else None,
        "writer_cross_validation": cross_validation,
        "contributor_cross_validation": contributor_cross_validation,
        CARD_KEY: digit_rule,  # the not-a-digit rule and calibration, fitted on held-out digits
        "history": [  # epochs counted from 1, as everywhere a person reads them
            {**{k: round(v, 6) for k, v in vars(epoch).items() if k not in ("epoch", "clean_finish")},
             "epoch": epoch.epoch + 1, "clean_finish": epoch.clean_finish}
            for epoch in result.epochs
        ],
        "command": portable_command(command, mnist_sha256),
    }
    path = card_path(model_path)
    write_bytes_atomic(path, (json.dumps(card, indent=2) + "\n").encode())
    return path


def _licence(sha256: str | None) -> str:
    return KNOWN_LICENCES.get(sha256, "not recorded")


def _described_file(path: str | None) -> dict | None:
    return None if path is None else {"path": path, "sha256": file_sha256(path)}


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def card_in_words(card: dict | None, model_name: str) -> list[str]:
    """A model card as a few plain sentences, for people rather than programs.

    Cards come from other versions, other tools and hand edits: whatever a card
    holds, this says what it can read and names what it could not, never a "?".
    """
    if card is None:
        return [f"{model_name} has no model card, so how it was trained is not known."]
    if not card:
        return [f"The model card of {model_name} cannot be read (damaged or empty), "
                "so how it was trained is not known."]
    reader = _CardReader(card)
    lines = _adapted_in_words(reader) if "adapted_from" in card else _trained_in_words(reader)
    if reader.missing:
        lines.append(f"The card does not say {_listed(reader.missing)}.")
    return lines


class _CardReader:
    """Typed look-ups into a card; each value it cannot use is noted as missing, in words."""

    def __init__(self, card: dict):
        self.card = card
        self.missing: list[str] = []

    def _checked(self, key, accept, what, card=None):
        value = (self.card if card is None else card).get(key)
        if accept(value):
            return value
        if what:
            self.missing.append(what)
        return None

    def count(self, key, what="", card=None) -> int | None:
        return self._checked(key, lambda v: _is_count(v), what, card)

    def share(self, key, what="", card=None) -> float | None:
        """An accuracy: a number from 0 to 1."""
        return self._checked(key, lambda v: _is_number(v) and 0 <= v <= 1, what, card)

    def seconds(self, key, what="") -> float | None:
        return self._checked(key, lambda v: _is_number(v) and 0 <= v < 1e9, what)

    def text(self, key, what="", card=None) -> str | None:
        return self._checked(key, lambda v: isinstance(v, str) and v.strip() != "", what, card)

    def mapping(self, key) -> dict:
        value = self.card.get(key)
        return value if isinstance(value, dict) else {}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _percent(share: float) -> str:
    return f"{share * 100:.2f}%"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _trained_in_words(card: _CardReader) -> list[str]:
    lines = []
    accuracy = card.share("test_accuracy", "its MNIST test accuracy")
    if accuracy is not None:
        lines.append(f"It gets {_percent(accuracy)} of the MNIST test digits right, digits it never saw while training.")
    epochs = card.count("epochs_run", "how many epochs it trained")
    clean_finish = min(_clean_finish_epochs_run(card), epochs or 0)
    if epochs is not None:
        # Counted apart, so that the count agrees with the command's --epochs.
        trained, finish = _counted_epochs(epochs - clean_finish), f", then {_counted_epochs(clean_finish, 'clean-finish')}"
        if card.card.get("cancelled") is True:  # by hand, in the clean finish or before it
            trained = f"{trained}{finish if clean_finish else ''} (it was stopped by hand)"
        else:
            why = ("it stopped early because validation accuracy stopped improving"
                   if card.card.get("stopped_early") is True else "it ran every epoch it was given")
            trained = f"{trained} ({why}){finish if clean_finish else ''}"
        best, best_val = card.count("best_epoch", "which epoch it kept"), card.share("best_val_acc")
        kept = f"; the model kept is the one from epoch {best}" if best is not None else ""
        if best is not None and best_val is not None:
            kept += f", with {_percent(best_val)} of the held-out validation digits right"
        lines.append(f"It trained for {trained}{kept}.")
    lines.append(_data_in_words(card))
    for source in _sources(card.card):
        if source.get("role") == "pen digits":
            lines.append(_pen_source_in_words(card, source))
        if source.get("role") == "not digits":
            lines.append(_not_digits_in_words(card, source))
    augmentation, pen_augmentation = card.text("augmentation"), card.text("pen_augmentation")
    if augmentation:
        lines.append(f"Each batch was varied at random, {_typeset(augmentation)}.")
    if pen_augmentation:
        lines.append(f"Each pen digit was redrawn with a varied path: {_typeset(pen_augmentation)}.")
    clean_step = card.card.get("clean_finish_learning_rate")
    if clean_finish:
        at_step = f", at a learning rate of {clean_step:g}" if _is_number(clean_step) else ""
        lines.append(f"The clean finish went on from its best epoch for {_counted_epochs(clean_finish, 'more')} on "
                     f"undistorted drawings{at_step}, kept only if validation improved.")
    if card.share("averaged_weights"):
        lines.append("Its weights are a moving average of the weights over the last steps of training "
                     "(Polyak averaging), validated and kept instead of the last step's.")
    digit_styles = card.text("digit_styles")
    if digit_styles:
        lines.append(f"Each pen digit also joined once in another way of writing it; {digit_styles}.")
    made_up = card.mapping("made_up_not_digits")
    made_up_count, made_up_kinds = card.count("drawings", card=made_up), card.text("kinds", card=made_up)
    if made_up_count and made_up_kinds:
        lines.append(f"It also learnt that {made_up_count:,} made-up drawings are not digits: {made_up_kinds}.")
    had_pen_digits = any(source.get("role") == "pen digits" for source in _sources(card.card))
    # MNIST's weight is against pen digits: a run without them has nothing it weighed MNIST against.
    weighed = (("not_digit_weight", "A drawing that is not a digit"),
               *((("mnist_weight", "An MNIST image"),) if had_pen_digits else ()))
    for key, what in weighed:
        weight = card.card.get(key)
        if _is_number(weight) and 0 < weight != 1:
            lines.append(f"{what} counted {weight:g} times a pen digit in the loss.")
    for key, whose, unseen in (
        ("contributor_cross_validation", "institutions it was not trained on", "institution"),
        ("writer_cross_validation", "writers it was not trained on", "writer"),
        ("held_out_contributors", "the institutions held out of its training", "institution"),
        ("held_out_writers", "the writers held out of its training", "writer"),
    ):
        figures = card.mapping(key)
        accuracy = card.share("accuracy", card=figures)
        if accuracy is not None:
            n, folds = card.count("n", card=figures), card.count("folds", card=figures)
            detail = [f"{n:,} digits"] if n is not None else []
            if folds:
                detail.append(f"each scored by one of {folds} models trained without its {unseen}")
            scored = f" ({', '.join(detail)})" if detail else ""
            lines.append(f"On pen digits of {whose} it gets {_percent(accuracy)} right{scored}.")
    rule = card.mapping(CARD_KEY)
    threshold = card.share("threshold", card=rule) if rule else None
    if threshold is not None and _is_number(rule.get("temperature")):
        fitted = card.text("fitted_on", card=rule)
        on = f"; both were fitted on {fitted}" if fitted else ""
        # Cards of the older form put the threshold on the calibrated confidence (mnist_pad.digit_rule).
        score = "its calibrated confidence" if "score_temperature" not in rule else "the network's own top probability"
        lines.append(f"It calls a drawing not a digit when {score} is below {_percent(threshold)}, and shows "
                     f"its confidence calibrated at temperature {rule['temperature']:.2f}{on}.")
    seconds = card.seconds("training_seconds", "how long it trained")
    if seconds is not None:
        machine, keras_version = card.text("machine", "on what machine"), card.text("keras_version")
        on = f" on {machine}" if machine else ""
        keras = f", with Keras {keras_version}" if keras_version else ""
        lines.append(f"Training took {format_duration(seconds)}{on}{keras}.")
    command = card.text("command", "how to train it again")
    if command:
        lines.append(_retrain_in_words(card.card, command))
    return lines


def _clean_finish_epochs_run(card: _CardReader) -> int:
    """How many of the epochs run were the clean finish's, as the card's history marks them."""
    history = card.card.get("history")
    rows = [row for row in history if isinstance(row, dict)] if isinstance(history, list) else []
    if any("clean_finish" in row for row in rows):
        return sum(row["clean_finish"] is True for row in rows)
    # Cards written before epochs were marked: the finish ran whole unless the run was stopped by hand.
    planned = card.count("clean_finish_epochs")
    return planned if planned and card.text("augmentation") and card.card.get("cancelled") is not True else 0


def _counted_epochs(count: int, kind: str = "") -> str:
    """``count`` epochs, of a ``kind``: "one epoch", "one more epoch", "2 clean-finish epochs"."""
    epoch = f"{kind} epoch" if kind else "epoch"
    return f"one {epoch}" if count == 1 else f"{count} {epoch}s"


def _typeset(text: str) -> str:
    """Cards written before the descriptions were typeset say "+-12 deg": here it reads "±12°"."""
    return re.sub(r"(\d) deg\b", "\\1°", text.replace("+-", "±"))


def _data_in_words(card: _CardReader) -> str:
    samples = card.card.get("train_samples")
    validation = card.count("validation_samples")
    if _is_count(samples) and samples:
        trained_on = f"{samples:,} training images"
    else:
        trained_on = "the whole MNIST training set"
        if samples is not None:  # null means the whole set; anything else is unreadable
            card.missing.append("how many training images it used")
        if validation:
            trained_on += f", less {validation:,} held out to validate"
    data = card.text("data")
    if _mnist_sha256(card.card) in KNOWN_LICENCES:
        trained_on += ", from MNIST as published"
    elif data:
        trained_on += f", from {_card_file_names(card.card)[data]}"
    else:
        card.missing.append("where its data came from")
    batch = card.count("batch_size", "its batch size")
    batches = f", {batch} images a batch" if batch else ""
    return f"Data: {trained_on}{batches}."


def _pen_source_in_words(card: _CardReader, source: dict) -> str:
    digits = card.count("digits", "how many pen digits it learnt from", card=source)
    writers = card.count("writers", "how many writers wrote them", card=source)
    path = card.text("path", "which pen-digits file it learnt from", card=source)
    licence = card.text("licence", card=source) or "licence not recorded"
    learnt = f"{digits:,} pen-written digits" if digits is not None else "pen-written digits"
    of_writers = f" of {writers:,} writers" if writers is not None else ""
    from_file = f", from {_card_file_names(card.card)[path]}" if path else ""
    return f"Beside MNIST it learnt from {learnt}{of_writers}{from_file} ({licence})."


def _not_digits_in_words(card: _CardReader, source: dict) -> str:
    drawings = card.count("drawings", "how many drawings that are not digits it learnt from", card=source)
    path = card.text("path", "which file of drawings that are not digits it learnt from", card=source)
    licence = card.text("licence", card=source) or "licence not recorded"
    how_many = f"{drawings:,} drawings" if drawings is not None else "drawings"
    from_file = f" of {_card_file_names(card.card)[path]}" if path else ""
    left_out = card.count("digit_like_left_out", card=source)
    but = f", leaving out {left_out:,} letters that look like digits" if left_out else ""
    return (f"It learnt that the {how_many}{from_file} are not digits, by being taught to be unsure of them "
            f"({licence}){but}.")


def _adapted_in_words(card: _CardReader) -> list[str]:
    base = card.text("adapted_from", "which model it was adapted from")
    digits = card.count("my_digits", "how many of your digits it adapted to")
    seconds = card.seconds("adapt_seconds")
    layers = card.card.get("adapted_layers")
    adapted = f"It is {base} adapted" if base else "It is a model adapted"
    adapted += f" to {digits:,} of your digits" if digits is not None else " to your digits"
    if seconds is not None:
        adapted += f" in {seconds:.1f} seconds"
    if isinstance(layers, list) and layers and all(isinstance(name, str) for name in layers):
        adapted += f", fine-tuning its last layers ({', '.join(layers)}) and keeping the others as they were"
    lines = [adapted + "."]
    for what, key, sample in (("your digits", "my_digits", None),
                              ("a sample of MNIST test digits", "mnist_test_sample", "mnist_test_sample")):
        before = card.share(f"{key}_accuracy_before", f"how it read {what} before")
        after = card.share(f"{key}_accuracy_after", f"how it reads {what} after")
        n = card.count(sample) if sample else None
        on = f"On {n:,} MNIST test digits" if n else f"On {what}"
        if before is not None and after is not None:
            lines.append(f"{on} it got {_percent(before)} right before adapting and gets {_percent(after)} after.")
        elif after is not None:
            lines.append(f"{on} it gets {_percent(after)} right.")
    replayed, drawings = card.count("replayed_base_digits"), card.count("replayed_made_up_drawings")
    if replayed:
        also = f" and {drawings:,} made-up drawings that are not digits" if drawings else ""
        lines.append(f"While adapting it kept seeing {replayed:,} digits of the data its base model learnt from{also}, "
                     "with the base model's answers, so that other people's digits and what is not a digit "
                     "stay read as before.")
    if card.mapping(CARD_KEY):
        lines.append("It keeps its base model's rule for what is not a digit.")
    created, keras_version = card.text("created"), card.text("keras_version")
    if created or keras_version:
        when = f" on {created}" if created else ""
        keras = f" with Keras {keras_version}" if keras_version else ""
        lines.append(f"It was adapted{when}{keras}.")
    return lines


# -- the command to train it again, naming data by what it is ----------------------


def train_command(config, data_path: str | None, out_path) -> str:
    """The ``mnist-pad-train`` command that makes the run ``config`` describes: what a Train-tab run's card
    says, so that a model made in the window can be made again from a shell."""
    words = ["mnist-pad-train", *(["--data", str(data_path)] if data_path else []),
             "--epochs", str(config.epochs), "--batch-size", str(config.batch_size)]
    words += ["--augment"] if config.augment else []
    words += ["--train-samples", str(config.train_samples)] if config.train_samples else []
    for path in config.pen_files:
        words += ["--strokes", path]
    words += ["--pen-repeat", str(config.pen_repeat)] if config.pen_files else []
    words += ["--digit-styles"] if config.digit_styles and config.pen_files else []
    for path in config.not_digit_files:
        words += ["--not-digits", path]
    words += ["--made-up-not-digits", str(config.made_up_not_digits)] if config.made_up_not_digits else []
    weighted = config.learns_not_digits and config.not_digit_weight != 1
    words += ["--not-digit-weight", f"{config.not_digit_weight:g}"] if weighted else []
    words += ["--mnist-weight", f"{config.mnist_weight:g}"] if config.mnist_weight != 1 else []
    words += ["--init-model", config.init_model] if config.init_model else []
    words += ["--average-weights"] if config.average_weights else []
    words += ["--clean-finish", str(config.clean_finish_epochs)] if config.clean_finish_epochs else []
    words += ["--learning-rate", f"{config.learning_rate:g}", "--patience", str(config.patience), "--out", str(out_path)]
    return shlex.join(words)

FILE_OPTIONS = ("--data", "--strokes", "--not-digits", "--init-model", "--out")


def portable_command(command: str, mnist_sha256: str | None) -> str:
    """``command`` with each file named, not by a path on the machine that trained it.

    MNIST as published needs no file at all (``--data`` goes: the command then
    reads $MNIST_PAD_DATA or Keras' download); other files keep their names (with
    their folders' where two share a name), which the card's sha256 figures identify.
    """
    try:
        words = shlex.split(command)
    except ValueError:  # unbalanced quotes: a hand-edited card
        return command
    names = short_file_names([value for _, value in _file_arguments(words)])
    kept, after_option = [], None
    for word in words:
        option, equals, value = word.partition("=")
        if after_option is not None:
            kept += [] if _drops_data(after_option, mnist_sha256) else [after_option, names[word]]
            after_option = None
        elif option in FILE_OPTIONS and not equals:
            after_option = option
        elif option in FILE_OPTIONS:
            kept += [] if _drops_data(option, mnist_sha256) else [f"{option}={names[value]}"]
        else:
            kept.append(word)
    return shlex.join(kept + ([after_option] if after_option else []))


def _file_arguments(words: list[str]):
    """(option, file) of each file option in ``words``, written as two words or with '='."""
    for word, following in zip(words, words[1:] + [None]):
        option, equals, value = word.partition("=")
        if option in FILE_OPTIONS and equals:
            yield option, value
        elif word in FILE_OPTIONS and following is not None:
            yield word, following


def short_file_names(paths: list[str]) -> dict[str, str]:
    """Each path by its file name, or by its folder and file name where other paths share the name
    (the pen digits and the pen letters are both ``dev.npz``)."""
    by_name: dict[str, set[str]] = {}
    for path in paths:
        by_name.setdefault(_file_name(path), set()).add(path)
    return {path: _file_name(path) if len(by_name[_file_name(path)]) == 1 else _folder_and_file_name(path)
            for path in paths}


def _drops_data(option: str, mnist_sha256: str | None) -> bool:
    return option == "--data" and mnist_sha256 in KNOWN_LICENCES


def _retrain_in_words(card: dict, command: str) -> str:
    mnist_sha256 = _mnist_sha256(card)
    sources, init = _sources(card), _init_model(card)
    names = _card_file_names(card)
    named = []
    if mnist_sha256 in KNOWN_LICENCES:
        named.append(f"MNIST as published (sha256 {mnist_sha256}) from ${DATA_ENV_VAR} or Keras' download")
    elif isinstance(card.get("data"), str) and isinstance(mnist_sha256, str):
        named.append(f"{names[card['data']]} the MNIST file of sha256 {mnist_sha256}")
    for source in sources:
        role = source.get("role")
        kind = {"pen digits": "pen-digits", "not digits": "not-a-digit"}.get(role) if isinstance(role, str) else None
        if kind and isinstance(source.get("path"), str) and isinstance(source.get("sha256"), str):
            named.append(f"{names[source['path']]} the {kind} file of sha256 {source['sha256']}")
    if isinstance(init.get("path"), str) and isinstance(init.get("sha256"), str):
        named.append(f"{names[init['path']]} the model of sha256 {init['sha256']}")
    with_files = f", with {'; '.join(named)}" if named else ""
    return f"To train it again{with_files}: {portable_command(command, mnist_sha256)}"


def _sources(card: dict) -> list[dict]:
    sources = card.get("sources")
    return [source for source in sources if isinstance(source, dict)] if isinstance(sources, list) else []


def _init_model(card: dict) -> dict:
    init = card.get("init_model")
    return init if isinstance(init, dict) else {}


def _card_file_names(card: dict) -> dict[str, str]:
    """The card's files (data, starting model, sources), each named as its command names it."""
    paths = [card.get("data"), _init_model(card).get("path"), *(source.get("path") for source in _sources(card))]
    return short_file_names([path for path in paths if isinstance(path, str)])


def _mnist_sha256(card: dict) -> str | None:
    sha256 = card.get("data_sha256")
    return sha256 if isinstance(sha256, str) else None


def _file_name(path: str) -> str:
    return PureWindowsPath(path).name if "\\" in path else PurePosixPath(path).name


def _folder_and_file_name(path: str) -> str:
    pure = PureWindowsPath(path) if "\\" in path else PurePosixPath(path)
    return f"{pure.parent.name}/{pure.name}" if pure.parent.name else pure.name
