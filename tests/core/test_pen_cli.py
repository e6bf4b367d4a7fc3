"""Pen digits on the command line: training beside MNIST, writer folds, per-writer figures, bad files."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from cli_helpers import assert_one_sentence_failure, run
from pen_helpers import write_pen_digits

from mnist_pad.files import read_card
from mnist_pad.pen_digits import contributors_of, load_pen_digits, subset
from training.pen_data import writer_folds

STROKE = [np.array([[0, 0], [1, 5], [2, 9]], np.float32)]


def _unreadable_files(tmp_path):
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    return {"missing": (tmp_path / "nowhere.npz", "no such file"), "corrupt": (corrupt, "not")}


def _bad_files(tmp_path):
    return {
        **_unreadable_files(tmp_path),
        "empty": (write_pen_digits(tmp_path / "empty.npz", [], []), "holds no digits"),
        "labels": (write_pen_digits(tmp_path / "labels.npz", [3, 12], [STROKE, STROKE]), "0 to 9"),
    }


@pytest.mark.parametrize("kind", ["missing", "corrupt", "empty", "labels"])
def test_train_refuses_a_bad_pen_digits_file_in_one_sentence(tmp_path, sample_path, kind):
    path, needle = _bad_files(tmp_path)[kind]
    out = tmp_path / "model.h5"
    finished = run("mnist-pad-train", "--data", str(sample_path), "--strokes", str(path), "--out", str(out))
    assert_one_sentence_failure(finished, str(path), needle)
    assert not out.exists()


@pytest.mark.parametrize("fold", ["0/3", "4/3", "2"])
def test_train_refuses_a_bad_writer_fold(tmp_path, sample_path, fold):
    finished = run("mnist-pad-train", "--data", str(sample_path), "--hold-out-writers", fold,
                   "--out", str(tmp_path / "m.h5"))
    assert_one_sentence_failure(finished, fold)


@pytest.fixture(scope="module")
def small_pen_file(tmp_path_factory, pen_digits_path):
    """Every 10th digit of the dev file, writers kept."""
    digits = load_pen_digits(pen_digits_path)
    picked = subset(digits, np.arange(len(digits)) % 10 == 0)
    path = tmp_path_factory.mktemp("pen") / "small.npz"
    return write_pen_digits(path, picked.labels, [picked.strokes(i) for i in range(len(picked))], picked.writers)


def test_cross_validation_trains_folds_and_records_held_out_writers(tmp_path, sample_path, small_pen_file):
    out = tmp_path / "model.h5"
    finished = run("mnist-pad-train", "--data", str(sample_path), "--strokes", str(small_pen_file),
                   "--cross-validate", "2", "--epochs", "1", "--pen-repeat", "1", "--out", str(out))
    assert finished.returncode == 0, finished.stderr
    card = read_card(out)
    pen_source = card["sources"][1]
    assert pen_source["role"] == "pen digits" and pen_source["digits"] == 800
    cross = card["writer_cross_validation"]
    assert cross["folds"] == 2 and cross["n"] == 800  # every digit scored once, by the fold that left it out
    folds = [read_card(tmp_path / f"model.fold{k}of2.h5")["held_out_writers"] for k in (1, 2)]
    assert sum(f["n"] for f in folds) == 800
    assert cross["per_fold_accuracy"] == pytest.approx([f["accuracy"] for f in folds])
    writers = load_pen_digits(small_pen_file).writers
    assert folds[0]["n"] == int((writer_folds(writers, 2) == 0).sum())
    assert cross["per_writer"]["writers"] == len(set(writers))


@pytest.mark.parametrize("names, words", [
    ("xyz", "no contributor xyz in the pen digits; they hold aga"),
    ("aga,art,cea,ceb,ced,imp,pri,syn,tos,uqb", "leaves no pen-digit writers to train on"),
])
def test_train_refuses_contributors_it_cannot_hold_out(tmp_path, sample_path, small_pen_file, names, words):
    finished = run("mnist-pad-train", "--data", str(sample_path), "--strokes", str(small_pen_file),
                   "--hold-out-contributors", names, "--out", str(tmp_path / "m.h5"))
    assert_one_sentence_failure(finished, words)
    assert not (tmp_path / "m.h5").exists()


def test_contributor_cross_validation_leaves_each_group_out_whole(tmp_path, sample_path, small_pen_file):
    out = tmp_path / "model.h5"
    others = "aga+art+cea+ceb+ced+imp+pri+tos+uqb"
    finished = run("mnist-pad-train", "--data", str(sample_path), "--strokes", str(small_pen_file),
                   "--cross-validate-contributors", f"syn,{others}", "--epochs", "1", "--pen-repeat", "1",
                   "--out", str(out))
    assert finished.returncode == 0, finished.stderr
    contributors = contributors_of(load_pen_digits(small_pen_file).writers)
    folds = [read_card(tmp_path / f"model.without-{group}.h5")["held_out_contributors"] for group in ("syn", others)]
    assert folds[0]["contributors"] == ["syn"] and list(folds[0]["per_contributor"]) == ["syn"]
    assert folds[0]["n"] == int((contributors == "syn").sum())
    assert "syn" not in folds[1]["per_contributor"] and folds[1]["n"] == int((contributors != "syn").sum())
    card = read_card(out)
    cross = card["contributor_cross_validation"]
    assert cross["folds"] == 2 and cross["n"] == 800  # every digit scored by the model that never saw its institution
    assert cross["per_fold_accuracy"] == pytest.approx([f["accuracy"] for f in folds])
    assert {name: entry["n"] for name, entry in cross["per_contributor"].items()} == {
        str(name): int((contributors == name).sum()) for name in set(contributors)
    }
    assert card["writer_cross_validation"] is None and card["held_out_contributors"] is None
    # The not-a-digit rule, calibrated on the digits of the institutions each fold model never saw.
    from mnist_pad.digit_rule import DigitRule
    from training.card import card_in_words

    rule = DigitRule.for_card(card)
    assert rule.from_card and card["not_a_digit"]["fitted_on"] == "800 pen digits of institutions the fold models were not trained on"
    assert rule.score_temperature == 1.0  # the threshold is on the network's own top probability
    words = card_in_words(card, out.name)
    assert any("institutions it was not trained on" in line for line in words)
    assert any(line.startswith("It calls a drawing not a digit when the network's own top probability is below")
               for line in words)


def test_eval_per_contributor_figures_add_up_to_the_whole(small_pen_file):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    whole = json.loads(run("mnist-pad-eval", "--strokes", str(small_pen_file), "--json", env=env).stdout)
    contributors = contributors_of(load_pen_digits(small_pen_file).writers)
    per_contributor = whole["per_contributor"]
    assert sorted(per_contributor) == sorted(set(contributors))
    assert sum(c["n"] for c in per_contributor.values()) == whole["n"] == 800
    right = sum(c["n"] * c["accuracy"] for c in per_contributor.values())
    assert right / whole["n"] == pytest.approx(whole["accuracy"])
    for name, figures in per_contributor.items():
        assert figures["n"] == int((contributors == name).sum())

    finished = run("mnist-pad-eval", "--strokes", str(small_pen_file), "--hold-out-contributors", "syn,aga",
                   "--json", env=env)
    held = json.loads(finished.stdout)
    assert held["contributors"] == ["syn", "aga"] and sorted(held["per_contributor"]) == ["aga", "syn"]
    assert held["n"] == int(np.isin(contributors, ["syn", "aga"]).sum())
    assert held["per_contributor"]["syn"] == per_contributor["syn"]  # the same digits, the same figures

    refused = run("mnist-pad-eval", "--strokes", str(small_pen_file), "--hold-out-contributors", "xyz", env=env)
    assert_one_sentence_failure(refused, "no contributor xyz", "they hold aga")


def test_eval_reports_per_writer_figures_and_a_writer_fold(tmp_path, small_pen_file):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    whole = json.loads(run("mnist-pad-eval", "--strokes", str(small_pen_file), "--json", env=env).stdout)
    assert whole["n"] == 800
    digits = load_pen_digits(small_pen_file)
    per_writer = whole["per_writer"]
    assert per_writer["writers"] == len(set(digits.writers))
    worst = per_writer["worst_writers"]
    assert len(worst) == 5 and [w["accuracy"] for w in worst] == sorted(w["accuracy"] for w in worst)
    assert per_writer["worst_accuracy"] == worst[0]["accuracy"] <= per_writer["median_accuracy"]
    for entry in worst:  # each figure is that writer's own
        assert entry["n"] == int((digits.writers == entry["writer"]).sum())

    finished = run("mnist-pad-eval", "--strokes", str(small_pen_file), "--hold-out-writers", "2/2", "--json", env=env)
    fold = json.loads(finished.stdout)
    assert fold["writer_fold"] == "2/2"
    assert fold["n"] == int((writer_folds(digits.writers, 2) == 1).sum())
    assert fold["per_writer"]["writers"] == len(set(digits.writers[writer_folds(digits.writers, 2) == 1]))


def _not_digit_files(tmp_path, small_pen_file):
    return {
        **_unreadable_files(tmp_path),
        "empty": (write_pen_digits(tmp_path / "empty.npz", [], []), "holds no drawings"),
        "labels": (small_pen_file, "every label of a not-a-digit file must be -1"),
        "mixed": (write_pen_digits(tmp_path / "mixed.npz", [-1, 3], [STROKE, STROKE]), "must be -1"),
    }


@pytest.mark.parametrize("kind", ["missing", "corrupt", "empty", "labels", "mixed"])
def test_eval_refuses_a_bad_not_digits_file_in_one_sentence_naming_it(tmp_path, small_pen_file, kind):
    path, needle = _not_digit_files(tmp_path, small_pen_file)[kind]
    finished = run("mnist-pad-eval", "--strokes", str(small_pen_file), "--not-digits", str(path), "--json")
    assert_one_sentence_failure(finished, str(path), needle)


@pytest.fixture(scope="module")
def small_letters_file(tmp_path_factory, small_pen_file):
    """Drawings that are not digits, as the letters file has them: a digit's strokes cut to a short first
    piece (a lone bar), labelled -1, each with the letter asked for."""
    digits = load_pen_digits(small_pen_file)
    picked = range(0, len(digits), 4)
    strokes = [[digits.strokes(i)[0][: max(2, len(digits.strokes(i)[0]) // 4)]] for i in picked]
    path = tmp_path_factory.mktemp("letters") / "letters.npz"
    write_pen_digits(path, [-1] * len(strokes), strokes, digits.writers[list(picked)])
    with np.load(path) as npz:
        arrays = dict(npz)
    np.savez(path, **arrays, char=np.array(list("AOxS") * (len(strokes) // 4 + 1))[: len(strokes)])
    return path


def test_eval_reports_what_the_not_a_digit_rule_does_and_reads_it_from_the_card(tmp_path, small_pen_file,
                                                                                  small_letters_file):
    import shutil

    from mnist_pad.model_io import default_model_path

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    # The MNIST-only model's card holds no rule: the default one applies.
    plain = default_model_path().with_name("mnist_only_convnet.h5")
    default = json.loads(run("mnist-pad-eval", "--model", str(plain), "--strokes", str(small_pen_file),
                             "--not-digits", str(small_letters_file), "--json", env=env).stdout)
    assert default["rule"] == {"temperature": 1.0, "threshold": 0.7, "score_temperature": 1.0, "source": "default"}
    assert default["not_digits"] == len(load_pen_digits(small_pen_file).labels[::4])
    assert default["unlike_digits"]["n"] + default["digit_like"]["n"] == default["not_digits"]
    assert 0.9 < default["digits_accepted"] <= 1 and 0.5 < default["auroc"] <= 1
    for key in ("accuracy_on_accepted", "ece", "not_digits_rejected"):
        assert 0 <= default[key] <= 1, key

    # The same network with a rule in its card: a stricter threshold turns more of both away.
    strict = tmp_path / "strict.h5"
    shutil.copy(plain, strict)
    card = read_card(plain)
    card["not_a_digit"] = {"temperature": 1.5, "threshold": 0.9, "score_temperature": 1.0}
    (tmp_path / "strict.card.json").write_text(json.dumps(card))
    carded = json.loads(run("mnist-pad-eval", "--model", str(strict), "--strokes", str(small_pen_file),
                            "--not-digits", str(small_letters_file), "--json", env=env).stdout)
    assert carded["rule"] == {"temperature": 1.5, "threshold": 0.9, "score_temperature": 1.0, "source": "card"}
    assert carded["digits_accepted"] < default["digits_accepted"]
    assert carded["not_digits_rejected"] > default["not_digits_rejected"]
    assert carded["accuracy"] == default["accuracy"]  # calibration never changes the answer


@pytest.mark.parametrize("kind", ["missing", "corrupt", "empty", "labels", "mixed"])
def test_train_refuses_a_bad_not_digits_file_in_one_sentence_naming_it(tmp_path, sample_path, small_pen_file, kind):
    path, needle = _not_digit_files(tmp_path, small_pen_file)[kind]
    out = tmp_path / "model.h5"
    finished = run("mnist-pad-train", "--data", str(sample_path), "--not-digits", str(path), "--out", str(out))
    assert_one_sentence_failure(finished, str(path), needle)
    assert not out.exists()


def test_a_run_that_learns_not_digits_fits_its_rule_on_its_validation_writers(tmp_path, sample_path, small_pen_file):
    from mnist_pad.digit_rule import DigitRule
    from mnist_pad.model_io import load_model
    from mnist_pad.predictor import Predictor
    from training.pen_data import load_pen_samples, split_validation_writers

    out, plain = tmp_path / "model.h5", tmp_path / "plain.h5"
    common = ("--data", str(sample_path), "--strokes", str(small_pen_file), "--epochs", "1", "--pen-repeat", "1")
    finished = run("mnist-pad-train", *common, "--made-up-not-digits", "200", "--out", str(out))
    assert finished.returncode == 0, finished.stderr
    card = read_card(out)
    validates = split_validation_writers(load_pen_samples([str(small_pen_file)])[0], card["validation_writers"])[1]
    assert card["not_a_digit"]["fitted_on"] == (
        f"{len(validates)} pen digits of its validation writers, whom it was not trained on")
    # The card's rule keeps 98% of those digits, as the model it describes reads them.
    rule = DigitRule.for_card(card)
    kept = rule.is_digit(Predictor(load_model(out).model).predict_batch(validates.images())).mean()
    assert rule.from_card and kept == pytest.approx(0.98, abs=1.5 / len(validates) + 1e-9)
    # A run that learnt no doubt keeps the default rule, made for networks like it.
    finished = run("mnist-pad-train", *common, "--out", str(plain))
    assert finished.returncode == 0, finished.stderr
    assert read_card(plain)["not_a_digit"] is None


def test_training_with_not_digits_names_them_in_the_card(tmp_path, sample_path, small_pen_file, small_letters_file):
    from training.card import card_in_words

    out = tmp_path / "model.h5"
    finished = run("mnist-pad-train", "--data", str(sample_path), "--strokes", str(small_pen_file),
                   "--not-digits", str(small_letters_file), "--epochs", "1", "--pen-repeat", "1", "--out", str(out))
    assert finished.returncode == 0, finished.stderr
    card = read_card(out)
    (source,) = [s for s in card["sources"] if s["role"] == "not digits"]
    # O and S look like 0 and 5: not taught as not digits, and the card says how many were left out.
    with np.load(small_letters_file) as letters:
        digit_like = int(np.isin(letters["char"], ["O", "S"]).sum())
    assert digit_like > 0 and source["digit_like_left_out"] == digit_like
    assert source["drawings"] == len(load_pen_digits(small_pen_file).labels[::4]) - digit_like
    words = card_in_words(card, out.name)
    assert any(f"It learnt that the {source['drawings']:,} drawings of letters.npz are not digits" in w
               and f"leaving out {digit_like:,} letters that look like digits" in w for w in words)
    assert "--not-digits letters.npz" in card["command"]
