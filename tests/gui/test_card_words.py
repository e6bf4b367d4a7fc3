"""The Model card page in words: every card the project writes renders fully, any other card for
what it holds (saying what it lacks, never a "?"), and a model with a damaged card still loads."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from damage import damaged_json, synthetic_pen_digits
from gui_helpers import MODEL_LOAD_TIMEOUT_MS
from hypothesis import given, settings
from hypothesis import strategies as st

from mnist_pad.files import card_path, file_sha256, read_card
from mnist_pad.model_io import default_model_path
from mnist_pad.pen_digits import load_pen_digits
from training.card import card_in_words, portable_command, write_card
from training.job import EpochResult, TrainConfig, TrainResult

SHIPPED_CARDS = [default_model_path().with_name(name) for name in
                 ("mnist_convnet.card.json", "mnist_only_convnet.card.json")]
LACKS = "The card does not say"


def words(card: dict | None, name: str = "m.h5") -> str:
    return " ".join(card_in_words(card, name))


def assert_rendered_fully(text: str) -> None:
    assert "?" not in text and LACKS not in text and "cannot be read" not in text, text


@pytest.fixture(scope="module")
def adapted_card(tmp_path_factory) -> dict:
    """The card ``adapt_and_save`` writes, for a real base model and real saved digits."""
    from training.adapt import write_adapted_card
    from training.jobs import AdaptJob

    folder = tmp_path_factory.mktemp("adapted")
    digits = load_pen_digits(synthetic_pen_digits(folder / "mine.npz", count=24))
    job = AdaptJob(str(default_model_path()), str(folder / "adapted.h5"), digits, None)
    figures = {"my_digits_accuracy_before": 0.625, "my_digits_accuracy_after": 0.9583, "mnist_test_sample": 1000,
               "mnist_test_sample_accuracy_before": 0.994, "mnist_test_sample_accuracy_after": 0.991}
    write_adapted_card(folder / "adapted.h5", job, digits.labels, ["dense", "dense_1"], 2000, 1000, 4.25, figures)
    return read_card(folder / "adapted.h5")


def trained_card(folder: Path, data_path: Path, pen_file: Path) -> dict:
    """The card ``mnist-pad-train`` writes, run on ``data_path`` from this machine's paths."""
    from training.data import load_mnist
    from training.pen_data import load_pen_samples

    _, pen_sources = load_pen_samples([str(pen_file)])
    epochs = [EpochResult(e, 0.3 / (e + 1), 0.9 + e / 100, 0.2, 0.95 + e / 100, 12.0) for e in range(3)]
    result = TrainResult(folder / "m.h5", epochs, best_epoch=2, seconds=36.0)
    config = TrainConfig(epochs=3, augment=True, pen_files=(str(pen_file),), init_model=str(default_model_path()))
    command = (f"mnist-pad-train --data {data_path.resolve()} --strokes={pen_file.resolve()} "
               f"--init-model {default_model_path()} --epochs 3 --augment --out {folder.resolve() / 'm.h5'}")
    write_card(folder / "m.h5", load_mnist(data_path), config, result, 0.9812, command, pen_sources=pen_sources)
    return read_card(folder / "m.h5")


@pytest.mark.parametrize("path", SHIPPED_CARDS, ids=lambda p: p.name)
def test_the_shipped_cards_render_fully_and_name_their_data_by_what_it_is(path):
    card = json.loads(path.read_text())
    text = words(card, path.name)
    assert_rendered_fully(text)
    assert f"{card['test_accuracy'] * 100:.2f}%" in text and "MNIST as published" in text
    retrain = next(line for line in card_in_words(card, path.name) if line.startswith("To train it again"))
    assert "../" not in retrain and "--data" not in retrain and card["data_sha256"] in retrain
    kinds = {"pen digits": ("pen-digits", "--strokes"), "not digits": ("not-a-digit", "--not-digits")}
    in_command = dict(re.findall(r"(--strokes|--not-digits) (\S+)", retrain))
    for source in card.get("sources", [])[1:]:  # the other files: as the command names them, by kind and sha256
        kind, option = kinds[source["role"]]
        assert in_command[option].endswith(Path(source["path"]).name)
        assert f"{in_command[option]} the {kind} file of sha256 {source['sha256']}" in retrain
        assert in_command[option] in text.replace(retrain, "")  # the sentence on what it learnt from names it alike
    assert len(set(in_command.values())) == len(in_command), "the pen digits and the letters are both dev.npz"


def test_files_that_share_a_name_keep_their_folders_in_the_command_to_train_again():
    command = ("mnist-pad-train --data /m/mnist.npz --strokes ../shared/pen-digits/dev.npz "
               "--not-digits=../shared/pen-letters/dev.npz --strokes /x/more.npz --out /runs/m.h5")
    assert portable_command(command, None) == (
        "mnist-pad-train --data mnist.npz --strokes pen-digits/dev.npz --not-digits=pen-letters/dev.npz "
        "--strokes more.npz --out m.h5")


def test_a_card_write_card_writes_renders_fully_without_this_machines_paths(tmp_path, sample_path):
    pen_file = synthetic_pen_digits(tmp_path / "strokes.npz")
    card = trained_card(tmp_path, sample_path, pen_file)
    text = words(card)
    assert_rendered_fully(text)
    assert "98.12%" in text and "3 epochs" in text and "60 pen-written digits of 7 writers" in text
    assert str(tmp_path.resolve()) not in card["command"] and str(default_model_path().parent) not in card["command"]
    assert card["command"] == (
        "mnist-pad-train --data mnist_sample.npz --strokes=strokes.npz --init-model mnist_convnet.h5 "
        "--epochs 3 --augment --out m.h5")
    assert f"strokes.npz the pen-digits file of sha256 {file_sha256(pen_file)}" in text


def test_a_card_trained_on_mnist_as_published_leaves_out_data_any_machine_has(tmp_path, full_data_path):
    card = trained_card(tmp_path, full_data_path, synthetic_pen_digits(tmp_path / "strokes.npz"))
    assert "--data" not in card["command"] and card["command"].startswith("mnist-pad-train --strokes=strokes.npz")
    assert f"MNIST as published (sha256 {file_sha256(full_data_path)})" in words(card)


def test_the_adapted_card_names_its_base_your_digits_and_before_and_after(adapted_card):
    text = words(adapted_card, "adapted.h5")
    assert_rendered_fully(text)
    assert f"It is {default_model_path().name} adapted to 24 of your digits in 4.2 seconds" in text
    assert "On your digits it got 62.50% right before adapting and gets 95.83% after" in text
    assert "On 1,000 MNIST test digits it got 99.40% right before adapting and gets 99.10% after" in text
    assert "2,000 digits" in text and "1,000 made-up drawings" in text and "MNIST training set" not in text
    assert "It keeps its base model's rule for what is not a digit." in text


def test_a_card_without_its_pen_digit_count_shows_the_rest_and_says_what_is_missing():
    card = json.loads(SHIPPED_CARDS[0].read_text())
    del card["sources"][1]["digits"]
    text = words(card)
    assert "pen-written digits of 179 writers, from pen-digits/dev.npz" in text and f"{card['test_accuracy']:.2%}" in text
    assert f"{LACKS} how many pen digits it learnt from." in text and "?" not in text


def test_no_card_and_an_unreadable_card_say_so_plainly(tmp_path):
    model = tmp_path / "m.h5"
    assert "has no model card" in words(read_card(model))
    card_path(model).write_bytes(b"\x89{not json")
    assert read_card(model) == {} and "cannot be read" in words(read_card(model))


@settings(max_examples=60, deadline=None)
@given(which=st.sampled_from(["trained", "mnist only", "adapted"]), rng=st.randoms(use_true_random=False))
def test_any_card_with_keys_dropped_or_values_of_other_types_renders_without_a_question_mark(
        adapted_card, which, rng):
    originals = {"trained": json.loads(SHIPPED_CARDS[0].read_text()),
                 "mnist only": json.loads(SHIPPED_CARDS[1].read_text()), "adapted": adapted_card}
    card = damaged_json(originals[which], rng)
    lines = card_in_words(card, "m.h5")
    assert lines and all(isinstance(line, str) and line for line in lines)
    assert "?" not in " ".join(lines)


@pytest.mark.filterwarnings("ignore")
def test_a_model_with_an_incomplete_card_loads_and_the_status_bar_and_card_page_follow(
        qtbot, tmp_path, default_model):
    from mnist_pad.gui.main_window import MainWindow

    model = tmp_path / "m.h5"
    shutil.copy(default_model, model)
    card = json.loads(card_path(default_model).read_text())
    del card["sources"][1]["digits"]
    card_path(model).write_text(json.dumps(card))
    window = MainWindow(model_path=str(model))
    errors = []
    window.show_error = errors.append
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.state.model_changed, timeout=MODEL_LOAD_TIMEOUT_MS):
        pass
    window.tabs.setCurrentWidget(window.inside_tab)
    status = window.model_status.text()
    assert status.startswith("m.h5") and f"{card['test_accuracy']:.2%}" in status
    page = window.inside_tab.card_label.text()
    assert "how many pen digits it learnt from" in page and "179 writers" in page and "?" not in page
    assert errors == []


def test_a_source_whose_role_is_not_text_is_passed_over():
    """Hypothesis found it: a damaged card whose source role was a list broke the retrain line."""
    card = json.loads(SHIPPED_CARDS[0].read_text())
    card["sources"][2]["role"] = []
    retrain = next(line for line in card_in_words(card, "m.h5") if line.startswith("To train it again"))
    assert card["sources"][1]["sha256"] in retrain and card["sources"][2]["sha256"] not in retrain


# -- what the card counts agrees with the command that made it ---------------------------------


def test_the_clean_finish_is_counted_apart_so_the_epochs_said_agree_with_the_command(tmp_path, sample_path):
    from training.card import train_command
    from training.data import load_mnist

    config = TrainConfig(epochs=2, augment=True, clean_finish_epochs=1)
    epochs = [EpochResult(e, 0.3, 0.9, 0.2, 0.95 + e / 100, 12.0, clean_finish=e == 2) for e in range(3)]
    result = TrainResult(tmp_path / "m.h5", epochs, best_epoch=2, seconds=36.0)
    write_card(tmp_path / "m.h5", load_mnist(sample_path), config, result, 0.98,
               train_command(config, str(sample_path), tmp_path / "m.h5"))
    card = read_card(tmp_path / "m.h5")
    assert [row["clean_finish"] for row in card["history"]] == [False, False, True]
    text = words(card)
    assert "--epochs 2" in card["command"] and "--clean-finish 1" in card["command"]
    assert "It trained for 2 epochs (it ran every epoch it was given), then one clean-finish epoch;" in text
    assert "The clean finish went on from its best epoch for one more epoch on undistorted drawings" in text

    # Stopped by hand before the finish began: no finish is counted or told.
    stopped = {**card, "cancelled": True, "epochs_run": 1, "history": card["history"][:1]}
    assert "It trained for one epoch (it was stopped by hand);" in words(stopped)
    assert "clean finish" not in words(stopped)


@pytest.mark.parametrize("path", SHIPPED_CARDS[:1], ids=lambda p: p.name)
def test_the_shipped_card_counts_the_epochs_its_command_asks_for(path):
    card = json.loads(path.read_text())  # written before epochs were marked: the finish is the card's last epoch
    asked = int(re.search(r"--epochs (\d+)", card["command"]).group(1))
    assert card["epochs_run"] == asked + card["clean_finish_epochs"]
    assert f"It trained for {asked} epochs (it ran every epoch it was given), then one clean-finish epoch" in words(card)


@pytest.mark.parametrize(("seconds", "said"), [(45.2, "45 s"), (80, "1 min 20 s"), (504.5, "8 min 24 s")])
def test_a_short_training_is_said_in_seconds(seconds, said):
    card = json.loads(SHIPPED_CARDS[0].read_text())
    assert f"Training took {said} on " in words({**card, "training_seconds": seconds})


def test_the_weight_of_mnist_is_said_only_for_a_run_with_pen_digits():
    card = json.loads(SHIPPED_CARDS[0].read_text())
    assert "An MNIST image counted 3 times a pen digit" in words(card)
    without_pen = [source for source in card["sources"] if source["role"] != "pen digits"]
    assert "An MNIST image counted" not in words({**card, "sources": without_pen})


def test_the_augmentation_ranges_read_plus_minus_and_degrees():
    from training.augment import DESCRIPTION
    from training.pen_augment import DESCRIPTION as PEN_DESCRIPTION

    card = json.loads(SHIPPED_CARDS[0].read_text())  # written as "+-12 deg"
    for text in (words(card), DESCRIPTION, PEN_DESCRIPTION):
        assert "+-" not in text and " deg" not in text
    assert "stroke width ±0.8 px, rotation ±12°," in words(card) and "rotation ±12°" in PEN_DESCRIPTION
