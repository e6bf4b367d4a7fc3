"""The exact architecture, and a real short training run with its checkpoint."""

from __future__ import annotations

import threading

import keras
import numpy as np
import pytest

from mnist_pad.files import OutputError
from training.evaluate import evaluate
from training.fit import TrainConfig, train
from training.model import PARAMETER_COUNT, build_model

EXPECTED_LAYERS = [
    ("Conv2D", dict(filters=64, kernel_size=(3, 3), padding="same", activation="relu"), (28, 28, 64)),
    ("MaxPooling2D", dict(pool_size=(2, 2)), (14, 14, 64)),
    ("Conv2D", dict(filters=128, kernel_size=(3, 3), padding="same", activation="relu"), (14, 14, 128)),
    ("MaxPooling2D", dict(pool_size=(2, 2)), (7, 7, 128)),
    ("Conv2D", dict(filters=64, kernel_size=(3, 3), padding="valid", activation="relu"), (5, 5, 64)),
    ("Conv2D", dict(filters=32, kernel_size=(3, 3), padding="same", activation="relu"), (5, 5, 32)),
    ("Flatten", {}, (800,)),
    ("Dense", dict(units=10, activation="softmax"), (10,)),
]


def test_exact_architecture():
    model = build_model()
    assert model.count_params() == PARAMETER_COUNT == 174_762
    assert tuple(model.inputs[0].shape[1:]) == (28, 28, 1)
    assert len(model.layers) == len(EXPECTED_LAYERS)
    for layer, (kind, config, shape) in zip(model.layers, EXPECTED_LAYERS):
        assert type(layer).__name__ == kind
        actual = layer.get_config()
        assert {k: actual[k] if not isinstance(actual[k], list) else tuple(actual[k]) for k in config} == config
        assert tuple(layer.output.shape[1:]) == shape


def test_compiled_as_the_tutorial():
    model = build_model()
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert model.loss == "categorical_crossentropy"
    x = np.zeros((2, 28, 28, 1), np.float32)
    y = np.eye(10, dtype=np.float32)[[1, 2]]
    assert "acc" in model.evaluate(x, y, verbose=0, return_dict=True)


@pytest.fixture(scope="module")
def short_run(tmp_path_factory, sample_data):
    """Two real epochs on the committed sample (1,600 train, 400 validation)."""
    out = tmp_path_factory.mktemp("run") / "model.h5"
    batches, epochs = [], []
    result = train(sample_data, out, TrainConfig(epochs=2, batch_size=100),
                   on_batch=batches.append, on_epoch=epochs.append)
    return out, result, batches, epochs


def test_short_training_learns_and_checkpoints(short_run, sample_data):
    out, result, batches, epochs = short_run
    assert [e.epoch for e in epochs] == [0, 1]
    assert len(batches) == 2 * 16 and batches[-1].batches_per_epoch == 16
    assert [b.batch for b in batches[:16]] == list(range(1, 17))
    assert result.best_val_acc == max(e.val_acc for e in epochs)
    model = keras.saving.load_model(out, compile=False, safe_mode=True)
    accuracy = evaluate(model, sample_data.x_test, sample_data.y_test).accuracy
    assert accuracy > 0.7, accuracy  # chance is 0.1
    assert not [p for p in out.parent.iterdir() if ".partial" in p.name]


def test_checkpoint_holds_the_best_epoch(short_run, sample_data):
    out, result, _, _ = short_run
    model = keras.saving.load_model(out, compile=False, safe_mode=True)
    model.compile(loss="categorical_crossentropy", metrics=["acc"])
    # The validation split is seeded, so the checkpoint's val accuracy can be recomputed.
    from training.data import split_validation
    _, (x_val, y_val) = split_validation(sample_data.x_train, sample_data.y_train, 400, seed=0)
    recomputed = evaluate(model, x_val, y_val).accuracy
    assert recomputed == pytest.approx(result.best_val_acc, abs=1e-6)


def test_each_epoch_records_its_step_which_is_halved_after_an_epoch_without_a_better_val_acc(tmp_path, sample_data):
    heard = []
    # A step too large for 400 images: val_acc stalls at times, and improves at others.
    config = TrainConfig(epochs=5, batch_size=100, patience=5, train_samples=400, learning_rate=0.02)
    result = train(sample_data, tmp_path / "m.h5", config, on_epoch=heard.append)
    expected, step, best = [], config.learning_rate, float("-inf")
    for epoch in result.epochs:
        expected.append(step)
        if epoch.val_acc > best:
            best = epoch.val_acc
        else:
            step /= 2  # for the next epoch
    assert len(set(expected)) > 1  # it did stall
    assert [e.learning_rate for e in result.epochs] == pytest.approx(expected)
    assert [e.learning_rate for e in heard] == [e.learning_rate for e in result.epochs]


def test_a_clean_finish_goes_on_unaugmented_from_the_best_epoch_at_a_third_of_the_step(
    tmp_path, sample_data, monkeypatch
):
    import training.fit
    from training.generator import MnistSequence

    trained_on, started_from = [], []

    class RecordingSequence(MnistSequence):
        def __getitem__(self, index):
            if self.shuffle and (not trained_on or trained_on[-1] is not self):
                trained_on.append(self)
            return super().__getitem__(index)

    def recording_load(path):
        started_from.append(keras.saving.load_model(path, compile=False, safe_mode=True).get_weights())
        return original_load(path)

    original_load = training.fit.load_seed_model
    monkeypatch.setattr(training.fit, "MnistSequence", RecordingSequence)
    monkeypatch.setattr(training.fit, "load_seed_model", recording_load)
    heard = []
    config = TrainConfig(epochs=3, batch_size=100, train_samples=400, augment=True, patience=3,
                         learning_rate=0.003, clean_finish_epochs=2)
    best_weights = []

    def on_epoch(outcome):
        improved = outcome.val_acc > max((e.val_acc for e in heard), default=float("-inf"))
        heard.append(outcome)
        if improved and len(heard) <= config.epochs:  # the checkpoint now holds this augmented epoch
            best_weights[:] = [keras.saving.load_model(tmp_path / "m.h5", compile=False).get_weights()]

    batches = []
    result = train(sample_data, tmp_path / "m.h5", config, on_epoch=on_epoch, on_batch=batches.append)
    assert [e.epoch for e in result.epochs] == [0, 1, 2, 3, 4]
    # The finish's epochs and batches say so: the Train tab and the card count them apart.
    assert [e.clean_finish for e in result.epochs] == [False] * 3 + [True] * 2 and result.clean_finish_epochs == 2
    assert {b.epoch for b in batches if b.clean_finish} == {3, 4} and not any(b.clean_finish for b in batches[:3])
    assert [sequence.augment for sequence in trained_on] == [True, False]
    steps = [e.learning_rate for e in result.epochs]
    assert steps[3:] == pytest.approx([config.learning_rate / 3] * 2)
    # It starts from the best augmented epoch's checkpoint, not the last epoch's weights.
    assert len(started_from) == 1
    for started, best in zip(started_from[0], best_weights[0]):
        np.testing.assert_array_equal(started, best)
    assert result.best_val_acc == max(e.val_acc for e in result.epochs)
    assert [e.val_acc for e in heard] == [e.val_acc for e in result.epochs]


def test_a_clean_finish_needs_augmentation_to_finish():
    with pytest.raises(ValueError, match="needs augmentation"):
        TrainConfig(augment=False, clean_finish_epochs=1)


def test_cancel_stops_after_the_current_batch_and_keeps_the_best_epoch(tmp_path, sample_data):
    cancel = threading.Event()
    seen = []

    def on_batch(progress):
        seen.append(progress)
        if progress.epoch == 1 and progress.batch == 3:
            cancel.set()

    result = train(sample_data, tmp_path / "m.h5", TrainConfig(epochs=4, batch_size=100),
                   on_batch=on_batch, cancel=cancel)
    assert result.cancelled and not result.stopped_early
    assert (seen[-1].epoch, seen[-1].batch) == (1, 3)  # not one batch more
    assert len(result.epochs) == 1 and result.best_epoch == 0  # the cut epoch is not validated
    model = keras.saving.load_model(tmp_path / "m.h5", compile=False, safe_mode=True)
    assert evaluate(model, sample_data.x_test, sample_data.y_test).accuracy > 0.5


def test_cancel_in_the_first_epoch_writes_nothing(tmp_path, sample_data):
    cancel = threading.Event()
    cancel.set()
    result = train(sample_data, tmp_path / "m.h5", TrainConfig(epochs=2, batch_size=100), cancel=cancel)
    assert result.cancelled and not result.checkpoint_written and result.epochs == []
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_fails_before_training(tmp_path, sample_data):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(OutputError, match="cannot be written"):
        train(sample_data, blocker / "m.h5", TrainConfig(epochs=1))
    with pytest.raises(OutputError, match=r"must be an \.h5 file"):
        train(sample_data, tmp_path / "m.keras", TrainConfig(epochs=1))
