"""The live path's runtime (ONNX Runtime): the same probabilities as Keras, from a file that is never stale."""

from __future__ import annotations

import shutil
import sys

import numpy as np
import pytest

from mnist_pad.model_io import ModelLoadError, load_model
from mnist_pad.runtime import open_runtime, runtime_file_beside, runtime_file_in_cache
from training.runtime_export import RuntimeExportError, export_in_child_process, write_runtime_file

TOLERANCE = 1e-5  # the measurement: the same probabilities to 1e-6; float32 sums may differ a little more


@pytest.fixture(scope="module")
def pen_images(pen_digits_path):
    """300 real pen digits, rendered as the pad renders them."""
    from mnist_pad.pen_digits import load_pen_digits
    from training.adapt import render_digits

    digits = load_pen_digits(pen_digits_path)
    pick = np.random.default_rng(0).choice(len(digits), 300, replace=False)
    return render_digits(digits, pick, tablet_units=True).astype(np.float32) / 255.0


def assert_runtime_equals_keras(model_path, images):
    from mnist_pad.predictor import Predictor

    runtime = open_runtime(model_path)
    assert runtime is not None, f"no runtime file for {model_path}"
    through_keras = Predictor(load_model(model_path).model).predict_batch(images)
    through_runtime = runtime.predict_batch(images)
    assert np.abs(through_runtime - through_keras).max() < TOLERANCE
    assert (through_runtime.argmax(1) == through_keras.argmax(1)).all()
    assert np.allclose(runtime.predict(images[0]), through_keras[0], atol=TOLERANCE)  # the live path's single call


def test_the_shipped_runtime_file_gives_the_shipped_models_probabilities_on_real_pen_digits(default_model, pen_images):
    assert runtime_file_beside(default_model).is_file(), "the shipped model's runtime file is shipped"
    assert_runtime_equals_keras(default_model, pen_images)


def test_a_seed_architecture_model_gets_a_runtime_file_with_keras_probabilities(tmp_path, sample_data, pen_images):
    from training.model import build_model, compile_model

    model = build_model()
    compile_model(model)
    labels = np.eye(10, dtype=np.float32)[sample_data.y_train[:256]]  # the project compiles for one-hot labels
    model.fit(sample_data.x_train[:256, ..., None] / 255.0, labels, epochs=1, verbose=0)
    path = tmp_path / "seed.h5"
    model.save(path)

    assert open_runtime(path) is None, "a new model has no runtime file until one is made"
    assert write_runtime_file(load_model(path).model, path) == runtime_file_beside(path)
    assert_runtime_equals_keras(path, pen_images)


def test_an_adapted_model_is_written_with_its_runtime_file(tmp_path, pen_digits_path, sample_path, pen_images):
    import threading

    from pen_helpers import in_pad_units_subset, writer_indices

    from mnist_pad.model_io import default_model_path
    from mnist_pad.pen_digits import load_pen_digits
    from training.jobs import AdaptJob

    digits = load_pen_digits(pen_digits_path)
    own = writer_indices(digits, digits.writers[0])[:12]
    job = AdaptJob(base_model_path=str(default_model_path()), out_path=str(tmp_path / "adapted.h5"),
                   digits=in_pad_units_subset(digits, own), data_path=str(sample_path))
    result = job.run(lambda _report: None, threading.Event())

    assert result.checkpoint_written
    assert_runtime_equals_keras(result.out_path, pen_images)


def test_a_runtime_file_of_another_version_of_the_model_is_never_used(tmp_path, default_model):
    model = tmp_path / "model.h5"
    shutil.copy(default_model, model)
    shutil.copy(runtime_file_beside(default_model), runtime_file_beside(model))
    assert open_runtime(model) is not None

    other = tmp_path / "other.h5"
    shutil.copy(default_model.with_name("mnist_only_convnet.h5"), other)
    other.replace(model)  # the model file changes; the old runtime file stays beside it

    assert open_runtime(model) is None


def test_a_damaged_runtime_file_counts_as_none(tmp_path, default_model):
    model = tmp_path / "model.h5"
    shutil.copy(default_model, model)
    runtime_file_beside(model).write_bytes(runtime_file_beside(default_model).read_bytes()[:5000])

    assert open_runtime(model) is None


def test_where_the_models_folder_cannot_take_it_the_runtime_file_goes_to_the_cache(tmp_path, default_model,
                                                                                  monkeypatch):
    from mnist_pad.files import file_sha256

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    model = tmp_path / "model.h5"
    shutil.copy(default_model, model)
    runtime_file_beside(model).mkdir()  # a folder where the file would go: no file can be written there

    written = write_runtime_file(load_model(model).model, model)

    assert written == runtime_file_in_cache(file_sha256(model)) and written.is_file()
    assert open_runtime(model).path == written


def test_the_child_process_makes_the_file_and_refuses_a_bad_model_with_the_loaders_sentence(tmp_path, default_model,
                                                                                           bad_models):
    model = tmp_path / "model.h5"
    shutil.copy(default_model, model)
    export_in_child_process(model)
    assert open_runtime(model) is not None

    bad = bad_models["5-classes"].path
    with pytest.raises(ModelLoadError) as refused:
        export_in_child_process(bad)
    with pytest.raises(ModelLoadError) as by_the_loader:
        load_model(bad)
    assert str(refused.value) == str(by_the_loader.value)


def test_a_child_that_fails_otherwise_is_a_runtime_refusal_in_one_sentence(tmp_path, default_model, monkeypatch):
    model = tmp_path / "model.h5"
    shutil.copy(default_model, model)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))

    with pytest.raises(RuntimeExportError) as refused:
        export_in_child_process(model)
    assert str(refused.value).startswith(str(model)) and "\n" not in str(refused.value)


def test_batch_work_falls_back_to_keras_only_when_the_runtime_refuses_the_model(tmp_path, default_model, monkeypatch):
    from mnist_pad.model_io import open_model_file
    from mnist_pad.predictor import Predictor
    from mnist_pad.runtime import RuntimePredictor
    from training import runtime_export

    shipped, said = runtime_export.runtime_or_keras(open_model_file(default_model))
    assert isinstance(shipped, RuntimePredictor) and said == ""

    def refuse(keras_model, model_path):
        raise RuntimeExportError(f"{model_path}: the runtime cannot take this model (refused by the test).")

    monkeypatch.setattr(runtime_export, "write_runtime_file", refuse)
    model = tmp_path / "model.h5"
    shutil.copy(default_model, model)
    fallback, said = runtime_export.runtime_or_keras(open_model_file(model))
    assert isinstance(fallback, Predictor) and not runtime_file_beside(model).exists()
    assert said.startswith("model.h5 runs through Keras") and "refused by the test" in said
    image = np.zeros((28, 28), np.float32)
    image[6:22, 13:15] = 1.0  # a 1
    assert np.abs(fallback.predict(image) - shipped.predict(image)).max() < TOLERANCE
