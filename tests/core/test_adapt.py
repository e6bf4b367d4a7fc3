"""Adapting a model to one writer (training.adapt): real writers of the pen-digit file, real MNIST replay."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
from pen_helpers import in_pad_units_subset, writer_indices

from mnist_pad.digit_rule import DigitRule
from mnist_pad.files import file_sha256, read_card
from mnist_pad.model_io import default_model_path, load_model
from mnist_pad.pen_digits import load_pen_digits
from training.adapt_settings import (
    MIN_DIGITS,
    AdaptConfig,
    AdaptError,
    AdaptResult,
    too_few_digits,
)
from training.card import card_in_words
from training.data import load_mnist
from training.job import Failed, Status
from training.jobs import AdaptJob

SAVED = 20  # digits each writer "saved", as mnist-pad-eval --adapt 20


@pytest.fixture(scope="module")
def base():
    """A model new to every writer of the pen-digit file, as the app's model is to its user.

    The shipped model was trained on that file's writers, so it is the MNIST-only
    model it was trained from.
    """
    return load_model(default_model_path().with_name("mnist_only_convnet.h5")).model


@pytest.fixture(scope="module")
def pen_digits(pen_digits_path):
    return load_pen_digits(pen_digits_path)


@pytest.fixture(scope="module")
def mnist(full_data_path):
    return load_mnist(full_data_path)


def test_adapting_raises_held_out_accuracy_of_the_writers_it_misreads_most(base, pen_digits, mnist):
    from training.adapt import predicted_classes, render_digits
    from training.adapt_eval import eligible_writers, evaluate_adaptation, summarise

    # The three eligible writers whose held-out digits the model misreads most: room to improve.
    writers = eligible_writers(pen_digits, SAVED)
    images = render_digits(pen_digits, tablet_units=True)
    right = predicted_classes(base, images) == pen_digits.labels
    held_out_accuracy = {w: right[writer_indices(pen_digits, w)[SAVED:]].mean() for w in writers}
    worst = sorted(writers, key=held_out_accuracy.get)[:3]

    outcomes = evaluate_adaptation(base, pen_digits, mnist.x_train, SAVED, only=worst)
    figures = summarise(outcomes, SAVED)

    assert [o.writer for o in outcomes] == [w for w in writers if w in worst]
    held_out = np.concatenate([writer_indices(pen_digits, w)[SAVED:] for w in worst])
    assert figures["accuracy_before"] == pytest.approx(right[held_out].mean())
    assert figures["accuracy_after"] > figures["accuracy_before"]
    for outcome in outcomes:
        assert outcome.correct_after >= outcome.correct_before, outcome
    # Everyone else is read at least about as well as before.
    assert figures["other_writers_accuracy_after"] >= figures["other_writers_accuracy_before"] - 0.01


def test_adapting_leaves_the_base_model_as_it_was(base, pen_digits, mnist):
    from training.adapt import adapt, render_digits, replay_sample

    before = [w.copy() for w in base.get_weights()]
    own = writer_indices(pen_digits, pen_digits.writers[0])[:MIN_DIGITS]
    images = render_digits(pen_digits, own, tablet_units=True)
    replay = replay_sample(mnist.x_train, AdaptConfig(mnist_replay=200))
    adapted = adapt(base, images, pen_digits.labels[own], replay, AdaptConfig(mnist_replay=200, epochs=1))
    assert all(np.array_equal(a, b) for a, b in zip(before, base.get_weights()))
    changed = [not np.array_equal(a, b) for a, b in zip(base.get_weights(), adapted.get_weights())]
    adapting = [i >= AdaptConfig().trainable_from for i, layer in enumerate(base.layers) for _ in layer.weights]
    assert changed == adapting, "the layers from trainable_from on adapt, the others stay frozen"


def test_adapting_the_shipped_model_keeps_its_doubt_about_drawings_that_are_not_digits(pen_digits, mnist):
    from mnist_pad.predictor import Predictor
    from training.adapt import adapt, render_digits, replay_sample
    from training.not_digit_drawings import made_up

    shipped = load_model(default_model_path())
    rule = DigitRule.for_card(shipped.card)
    own = writer_indices(pen_digits, pen_digits.writers[0])[:SAVED]
    images = render_digits(pen_digits, own, tablet_units=True)
    adapted = adapt(shipped.model, images, pen_digits.labels[own], replay_sample(mnist.x_train, AdaptConfig()))
    drawings = made_up(300, seed=99).images()  # not the replay's: that one is drawn with the config's seed

    def turned_away(model) -> float:
        return float((~rule.is_digit(Predictor(model).predict_batch(drawings))).mean())

    # Fitted to the writer's digits with their labels alone, it called most of these digits.
    assert turned_away(adapted) >= turned_away(shipped.model) - 0.05


@pytest.mark.parametrize("count", [0, 1, MIN_DIGITS - 1])
def test_too_few_digits_are_refused_in_one_sentence(count):
    from training.adapt import Replay, adapt

    sentence = too_few_digits(count)
    assert sentence.endswith(".") and "\n" not in sentence and str(MIN_DIGITS) in sentence
    empty = Replay(np.zeros((0, 28, 28), np.uint8), 0)
    with pytest.raises(AdaptError, match=str(MIN_DIGITS)):
        adapt(None, np.zeros((count, 28, 28), np.uint8), np.zeros(count), empty)


def test_enough_digits_are_not_refused():
    assert too_few_digits(MIN_DIGITS) is None


def _job(tmp_path, pen_digits, sample_path, count) -> AdaptJob:
    own = writer_indices(pen_digits, pen_digits.writers[0])[:count]
    return AdaptJob(
        base_model_path=str(default_model_path()), out_path=str(tmp_path / "adapted.h5"),
        digits=in_pad_units_subset(pen_digits, own), data_path=str(sample_path),
    )


def test_the_job_saves_a_loadable_model_with_a_card_naming_its_base(tmp_path, pen_digits, sample_path):
    reports = []
    result = _job(tmp_path, pen_digits, sample_path, 15).run(reports.append, threading.Event())

    assert isinstance(result, AdaptResult) and result.checkpoint_written and result.digits == 15
    loaded = load_model(result.out_path)
    assert [layer.name for layer in loaded.model.layers] == [layer.name for layer in load_model(
        default_model_path()).model.layers]
    card = read_card(result.out_path)
    assert card["adapted_from"] == default_model_path().name
    assert card["adapted_from_sha256"] == file_sha256(default_model_path())
    assert card["my_digits"] == 15 and sum(card["my_digits_per_class"]) == 15
    assert card["my_digits_accuracy_after"] == pytest.approx(result.figures["my_digits_accuracy_after"], abs=1e-4)
    # The base model's not-a-digit rule goes with it, not the default rule for uncalibrated models.
    assert DigitRule.for_card(card) == DigitRule.for_card(read_card(default_model_path())) != DigitRule()
    assert card["replayed_made_up_drawings"] == AdaptConfig().not_digit_replay
    assert "It keeps its base model's rule for what is not a digit." in card_in_words(card, result.out_path.name)
    batches = [r for r in reports if not isinstance(r, Status)]
    assert batches and batches[-1].epoch == AdaptConfig().epochs - 1
    assert batches[-1].batch == batches[-1].batches_per_epoch
    assert not list(tmp_path.glob(".*partial*")), "no temporary file is left behind"
    json.dumps(card)  # the card is plain JSON


def test_the_job_refuses_too_few_digits_and_writes_nothing(tmp_path, pen_digits, sample_path):
    result = _job(tmp_path, pen_digits, sample_path, MIN_DIGITS - 1).run(lambda report: None, threading.Event())
    assert isinstance(result, Failed) and str(MIN_DIGITS) in result.sentence
    assert not list(tmp_path.iterdir())


def test_a_cancelled_job_writes_nothing(tmp_path, pen_digits, sample_path):
    cancel = threading.Event()
    cancel.set()
    result = _job(tmp_path, pen_digits, sample_path, MIN_DIGITS).run(lambda report: None, cancel)
    assert isinstance(result, AdaptResult) and result.cancelled and not result.checkpoint_written
    assert not list(tmp_path.iterdir())
