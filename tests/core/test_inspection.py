"""The pure side of the Inside tab: layer outputs, evidence maps, receptive fields, confusion helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from model_helpers import small_model
from pen_helpers import spread_subset

from mnist_pad.files import read_card
from mnist_pad.inspection import (
    Inspector,
    LabelledImages,
    Predictions,
    most_confused,
    pen_digit_images,
    receptive_fields,
    row_percentages,
)
from mnist_pad.pen_digits import load_pen_digits
from training.card import card_in_words, portable_command


@pytest.fixture(scope="module")
def shipped(default_model):
    from mnist_pad.model_io import load_model

    return load_model(default_model).model


@pytest.fixture(scope="module")
def inspector(shipped):
    return Inspector(shipped)


def randomised(model, seed: int = 7):
    """The same architecture with every weight drawn anew (Adebayo et al.'s model randomisation)."""
    import keras

    clone = keras.models.clone_model(model)
    rng = np.random.default_rng(seed)
    clone.set_weights(
        [rng.normal(0, np.std(w) or 0.05, w.shape).astype(np.float32) for w in model.get_weights()]
    )
    return clone


def cell_gradient_support(model, layer_name: str, row: int, col: int, channel: int) -> np.ndarray:
    """Input pixels whose value reaches one cell of a layer: where its gradient is not zero."""
    import keras
    import tensorflow as tf

    probe = keras.Model(model.inputs, model.get_layer(layer_name).output)
    image = tf.constant(np.random.default_rng(0).uniform(0.2, 1, (1, 28, 28, 1)).astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(image)
        value = probe(image)[0, row, col, channel]
    return np.abs(tape.gradient(value, image).numpy()[0, ..., 0]) > 0


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ranks_a, ranks_b = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ranks_a, ranks_b)[0, 1])


# -- receptive fields --------------------------------------------------------------


@pytest.mark.parametrize("which", ["shipped", "small"])
def test_receptive_field_is_exactly_where_the_gradient_reaches(which, shipped):
    # Linear activations and positive weights make every path count, so the support is the
    # whole field; max pooling passes one pixel of four, so after it the support lies within.
    import keras

    model = shipped if which == "shipped" else small_model()
    linear = keras.models.clone_model(model)
    for layer in linear.layers:
        if hasattr(layer, "activation"):
            layer.activation = keras.activations.linear
    rng = np.random.default_rng(3)
    linear.set_weights([rng.uniform(0.1, 1, w.shape).astype(np.float32) for w in model.get_weights()])
    fields = receptive_fields(linear)
    checked, max_pooled = 0, False
    for layer in linear.layers:
        max_pooled |= type(layer).__name__ == "MaxPooling2D"
        field = fields[layer.name]
        if field is None:
            assert len(layer.output.shape) != 4 or layer is linear.layers[-1]
            continue
        height, width = layer.output.shape[1:3]
        for row, col in {(0, 0), (height - 1, width - 1), (height // 2, width // 3)}:
            top, left, bottom, right = field.pixels(row, col)
            expected = np.zeros((28, 28), bool)
            expected[top:bottom, left:right] = True
            support = cell_gradient_support(linear, layer.name, row, col, 0)
            if max_pooled:
                assert support.any() and not (support & ~expected).any(), (layer.name, row, col)
            else:
                assert np.array_equal(support, expected), (layer.name, row, col)
            checked += 1
    assert checked >= 12


# -- layer outputs -------------------------------------------------------------------


def test_layer_outputs_are_the_models_own(inspector, shipped, sample_data):
    import keras

    image = sample_data.x_test[0].astype(np.float32) / 255
    outputs = inspector.layer_outputs(image)
    names = [view.name for view in inspector.layers]
    reference = keras.Model(shipped.inputs, [shipped.get_layer(n).output for n in names])(
        [image[None, ..., None]]  # a list, as the model was built with one input
    )
    assert len(outputs) == len(names) == 7  # 4 convolutions, 2 poolings, the answer
    for output, expected, view in zip(outputs, reference, inspector.layers):
        assert output.shape == view.shape == tuple(expected.shape[1:])
        np.testing.assert_allclose(output, expected.numpy()[0], rtol=1e-4, atol=1e-5)
    assert int(np.argmax(outputs[-1])) == int(sample_data.y_test[0])


def test_kernels_are_the_first_layers_weights(inspector, shipped):
    weights = shipped.layers[0].get_weights()[0]  # (3, 3, 1, 64)
    kernels = inspector.kernels()
    assert kernels.shape == (64, 3, 3)
    np.testing.assert_array_equal(kernels[5], weights[:, :, 0, 5])


# -- evidence -------------------------------------------------------------------------


def test_evidence_is_gradient_of_the_logit_times_the_ink(inspector, shipped, sample_data):
    image = sample_data.x_test[1].astype(np.float32) / 255
    top = int(np.argmax(inspector.layer_outputs(image)[-1]))
    evidence = inspector.evidence(image, top)
    # A finite difference on the pre-softmax score, pixel by pixel, on the most inked pixels.
    import keras

    dense = shipped.layers[-1]
    features = keras.Model(shipped.inputs, dense.input)

    def logit(x):
        return float(
            (features([x[None, ..., None]]).numpy() @ dense.get_weights()[0] + dense.get_weights()[1])[0, top]
        )

    step = 2e-3  # large enough for float32
    # The most inked pixels, and some half inked ones, where the gradient alone would differ from it times the ink.
    half_inked = np.flatnonzero((image > 0.3) & (image < 0.7))[:8]
    checked = []
    for flat in [*np.argsort(-image, axis=None)[:8], *half_inked]:
        r, c = divmod(int(flat), 28)
        up, down = image.copy(), image.copy()
        up[r, c] += step
        down[r, c] -= step
        forward = (logit(up) - logit(image)) / step * image[r, c]
        backward = (logit(image) - logit(down)) / step * image[r, c]
        if abs(forward - backward) > 0.05 * max(abs(forward), abs(backward)) + 1e-3:
            continue  # a ReLU kink lies within the step: the two sides have different slopes
        assert evidence[r, c] == pytest.approx((forward + backward) / 2, rel=0.05, abs=1e-3)
        checked.append(image[r, c])
    assert len(checked) >= 8 and min(checked) < 0.7
    assert np.all(evidence[image == 0] == 0)


def test_why_x_not_y_is_the_difference_of_the_two_maps(inspector, sample_data):
    image = sample_data.x_test[2].astype(np.float32) / 255
    ranked = np.argsort(-inspector.layer_outputs(image)[-1])
    inside = inspector.inspect(image)
    assert (inside.top, inside.versus) == (ranked[0], ranked[1])
    difference = inspector.evidence(image, ranked[0]) - inspector.evidence(image, ranked[1])
    np.testing.assert_allclose(inside.contrast, difference, rtol=1e-3, atol=1e-5)


def test_randomised_weights_change_the_evidence_adebayo(inspector, shipped, sample_data):
    """Model randomisation (Adebayo et al., NeurIPS 2018): a map that survives it explains nothing."""
    random_inspector = Inspector(randomised(shipped))
    correlations = {"plain": [], "smooth": []}
    for index in range(20):
        image = sample_data.x_test[index].astype(np.float32) / 255
        ink = image > 0.1
        top = int(np.argmax(inspector.layer_outputs(image)[-1]))
        for method, smooth in (("plain", False), ("smooth", True)):
            trained = inspector.evidence(image, top, smooth=smooth)[ink]
            random = random_inspector.evidence(image, top, smooth=smooth)[ink]
            correlations[method].append(spearman(trained, random))
    for method, values in correlations.items():
        assert np.mean(values) < 0.5, (method, np.round(values, 2))


def test_erasing_the_top_evidence_ink_hurts_more_than_erasing_random_ink(inspector, pen_digits_path):
    digits = spread_subset(load_pen_digits(pen_digits_path), 60)
    images = pen_digit_images(digits).images
    rng = np.random.default_rng(0)
    evidence_drops, random_drops = [], []
    for image in images:
        probs = inspector.layer_outputs(image)[-1]
        top = int(np.argmax(probs))
        ink = np.flatnonzero(image > 0.1)
        count = max(1, len(ink) // 10)  # a tenth of the ink
        evidence = inspector.evidence(image, top, smooth=True).reshape(-1)
        chosen = ink[np.argsort(-evidence[ink])[:count]]
        by_evidence, by_chance = image.copy().reshape(-1), image.copy().reshape(-1)
        by_evidence[chosen] = 0
        by_chance[rng.choice(ink, count, replace=False)] = 0
        evidence_drops.append(probs[top] - inspector.layer_outputs(by_evidence.reshape(28, 28))[-1][top])
        random_drops.append(probs[top] - inspector.layer_outputs(by_chance.reshape(28, 28))[-1][top])
    evidence_drops, random_drops = np.array(evidence_drops), np.array(random_drops)
    assert evidence_drops.mean() > 2 * random_drops.mean(), (evidence_drops.mean(), random_drops.mean())
    assert np.mean(evidence_drops > random_drops) > 0.6


# -- where it goes wrong ----------------------------------------------------------------


def random_predictions(n: int = 400, seed: int = 0) -> Predictions:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    logits = rng.normal(0, 1, (n, 10))
    logits[np.arange(n), labels] += 1.5  # mostly right, as a model would be
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return Predictions(LabelledImages(np.zeros((n, 28, 28), np.float32), labels), probabilities)


def test_confusion_percentages_and_most_confused_pairs():
    predictions = random_predictions()
    labels, predicted = predictions.data.labels, np.argmax(predictions.probabilities, 1)
    confusion = predictions.confusion
    for true in range(10):
        for said in range(10):
            assert confusion[true, said] == np.sum((labels == true) & (predicted == said))
    percent = row_percentages(confusion)
    for true in range(10):
        assert percent[true].sum() == pytest.approx(100)
        assert percent[true, 3] == pytest.approx(100 * np.mean(predicted[labels == true] == 3))
    pairs = most_confused(confusion, limit=5)
    mistakes = sorted(
        ((int(confusion[t, p]), t, p) for t in range(10) for p in range(10) if t != p), reverse=True
    )
    assert [count for _, _, count in pairs] == [count for count, _, _ in mistakes[:5]]
    assert all(t != p and confusion[t, p] == count for t, p, count in pairs)


def test_row_percentages_of_an_empty_class_are_zero():
    confusion = np.zeros((10, 10), np.int64)
    confusion[1, 1] = 4
    assert row_percentages(confusion)[0].sum() == 0 and row_percentages(confusion)[1, 1] == 100


def test_examples_of_a_cell_are_exactly_that_pair_worst_first():
    predictions = random_predictions()
    true, said = most_confused(predictions.confusion, limit=1)[0][:2]
    indices = predictions.examples(true, said)
    expected = {
        i
        for i in range(len(predictions.data.labels))
        if predictions.data.labels[i] == true and np.argmax(predictions.probabilities[i]) == said
    }
    assert set(indices.tolist()) == expected and len(indices) == len(expected)
    assert np.all(np.diff(predictions.probabilities[indices, true]) >= 0)


# -- the model card -------------------------------------------------------------------


def test_card_in_words_tells_the_cards_figures(default_model):
    card = read_card(Path(default_model))
    text = " ".join(card_in_words(card, default_model.name))
    assert f"{card['test_accuracy'] * 100:.2f}%" in text
    augmented = card["epochs_run"] - card["clean_finish_epochs"]  # the finish is counted apart
    assert f"{augmented} epochs" in text and "then one clean-finish epoch" in text and f"epoch {card['best_epoch']}" in text
    assert ("stopped early" if card["stopped_early"] else "ran every epoch") in text
    assert portable_command(card["command"], card["data_sha256"]) in text
    held_out = [card[key] for key in ("contributor_cross_validation", "writer_cross_validation") if card.get(key)]
    assert held_out, "the shipped card holds figures on people it was not trained on"
    for cross_validation in held_out:
        assert f"{cross_validation['accuracy'] * 100:.2f}%" in text and f"{cross_validation['n']:,} digits" in text
    assert "pen-written digits of 179 writers" in text
    assert "no model card" in " ".join(card_in_words(None, "x.h5"))


def test_card_in_words_says_how_much_the_drawings_that_are_not_digits_and_mnist_counted(default_model):
    card = read_card(Path(default_model))
    weighted = " ".join(card_in_words({**card, "not_digit_weight": 2.5, "mnist_weight": 1.5}, default_model.name))
    assert "not a digit counted 2.5 times a pen digit in the loss" in weighted
    assert "An MNIST image counted 1.5 times a pen digit in the loss" in weighted
    for plain in (1, None, "heavy", -1):
        words = " ".join(card_in_words({**card, "not_digit_weight": plain, "mnist_weight": plain}, "m.h5"))
        assert "times a pen digit" not in words


def test_card_in_words_tells_of_a_clean_finish_only_after_augmented_epochs(default_model):
    card = {**read_card(Path(default_model)), "augmentation": "warps", "clean_finish_learning_rate": 1e-4}
    finished = " ".join(card_in_words({**card, "clean_finish_epochs": 2}, default_model.name))
    assert "for 2 more epochs on undistorted drawings, at a learning rate of 0.0001" in finished
    one = " ".join(card_in_words({**card, "clean_finish_epochs": 1}, default_model.name))
    assert "for one more epoch on undistorted drawings" in one
    for none in (0, None, "one"):
        assert "undistorted" not in " ".join(card_in_words({**card, "clean_finish_epochs": none}, "m.h5"))
    assert "undistorted" not in " ".join(card_in_words({**card, "clean_finish_epochs": 1, "augmentation": None}, "m.h5"))


def test_architecture_in_words_names_every_layer_in_order(shipped):
    from mnist_pad.inspection import architecture_in_words

    text = architecture_in_words(shipped)
    phrases = text.split("; ")[0].split(" → ")
    assert [p.split()[0] for p in phrases] == [type(layer).__name__ for layer in shipped.layers]
    convolutions = [p for p in phrases if p.startswith("Conv2D")]
    assert [int(p.split()[1]) for p in convolutions] == [
        layer.get_config()["filters"] for layer in shipped.layers if type(layer).__name__ == "Conv2D"
    ]
    assert text.endswith(f"{sum(w.size for w in shipped.get_weights()):,} parameters.")


def test_a_model_without_a_dense_head_is_refused_in_one_sentence():
    import keras

    from mnist_pad.inspection import InspectError

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(10, 3),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Activation("softmax"),
        ]
    )
    with pytest.raises(InspectError, match=r"^The model has no final Dense layer of 10 classes, [^.]*\.$"):
        Inspector(model)


def test_fields_stop_after_a_layer_of_unknown_geometry():
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, name="before"),
            keras.layers.BatchNormalization(name="pointwise"),
            keras.layers.UpSampling2D(name="unknown"),
            keras.layers.Conv2D(4, 3, name="after"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(10, name="head"),
        ]
    )
    fields = receptive_fields(model)
    assert fields["before"].pixels(0, 0) == fields["pointwise"].pixels(0, 0) == (0, 0, 3, 3)
    assert fields["unknown"] is None and fields["after"] is None and fields["head"] is None
