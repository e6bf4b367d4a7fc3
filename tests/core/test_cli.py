"""``mnist-pad-train`` and ``mnist-pad-eval`` as a user runs them: exit codes, messages, outputs."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import keras
import numpy as np
import pytest
from bad_models import BAD_MODEL_KINDS, lambda_marker
from cli_helpers import assert_one_sentence_failure, run, script

from mnist_pad.files import read_card
from mnist_pad.model_io import default_model_path


@pytest.fixture(scope="module")
def trained(tmp_path_factory, sample_path):
    out = tmp_path_factory.mktemp("cli") / "model.h5"
    finished = run("mnist-pad-train", "--data", str(sample_path), "--epochs", "1",
                   "--batch-size", "100", "--out", str(out))
    return out, finished


def test_train_writes_model_card_and_summary(trained, sample_path):
    out, finished = trained
    assert finished.returncode == 0, finished.stderr
    summary = finished.stdout.strip().splitlines()[-1]
    assert summary.startswith("test accuracy ") and str(out) in summary
    accuracy = float(summary.split()[2])
    assert 0.5 < accuracy <= 1.0
    assert "epoch 1/1" in finished.stderr  # progress was shown
    card = read_card(out)
    assert card["test_accuracy"] == pytest.approx(accuracy, abs=1e-4)
    assert card["epochs_run"] == 1 and card["batch_size"] == 100 and card["augmentation"] is None
    assert card["data_sha256"] and len(card["data_sha256"]) == 64
    assert card["command"].startswith("mnist-pad-train --data")
    keras.saving.load_model(out, safe_mode=True)


def test_eval_json_on_the_trained_model(trained, sample_path):
    out, _ = trained
    finished = run("mnist-pad-eval", "--model", str(out), "--data", str(sample_path), "--json")
    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout)
    assert 0.0 <= result["accuracy"] <= 1.0 and result["n"] == 500
    assert result["accuracy"] == pytest.approx(read_card(out)["test_accuracy"], abs=1e-6)
    confusion = np.array(result["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == 500
    assert np.bincount(np.repeat(np.arange(10), confusion.sum(1))).tolist() == [50] * 10


def test_eval_report_finds_the_default_model_from_any_directory(tmp_path, sample_path):
    finished = run("mnist-pad-eval", "--data", str(sample_path), cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert str(default_model_path()) in finished.stdout
    assert "confusion (rows: true, columns: predicted)" in finished.stdout
    accuracy = float(finished.stdout.split("accuracy ", 1)[1].split()[0])
    assert accuracy > 0.95  # the shipped model on 500 real MNIST test digits


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--epochs", "0"], ["--epochs"]),
        (["--batch-size", "x"], ["--batch-size"]),
        (["--out", "model.txt"], ["model.txt", ".h5"]),
        (["--data", "/nowhere/mnist.npz"], ["/nowhere/mnist.npz", "no such file"]),
        (["--clean-finish", "1"], ["clean finish", "--augment"]),
    ],
)
def test_train_bad_arguments(args, needles, tmp_path):
    defaults = {"--out": str(tmp_path / "m.h5")}
    pairs = dict(zip(args[::2], args[1::2]))
    argv = [x for k, v in {**defaults, **pairs}.items() for x in (k, v)]
    finished = run("mnist-pad-train", *argv)
    assert finished.returncode == 2
    assert "Traceback" not in finished.stderr
    assert all(needle in finished.stderr for needle in needles)


def test_train_unwritable_output(tmp_path, sample_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    finished = run("mnist-pad-train", "--data", str(sample_path), "--out", str(blocker / "m.h5"))
    assert_one_sentence_failure(finished, str(blocker / "m.h5"), "cannot be written")


def test_train_ctrl_c_stops_and_keeps_the_best_checkpoint(tmp_path, sample_path):
    out = tmp_path / "m.h5"
    process = subprocess.Popen(
        [script("mnist-pad-train"), "--data", str(sample_path), "--epochs", "50", "--batch-size", "50", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # Wait for the first epoch's line: by then a best checkpoint exists.
    seen = ""
    while "val_acc" not in seen:
        chunk = process.stderr.readline()
        assert chunk, "training ended before its first epoch"
        seen += chunk
    assert out.is_file()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in stderr and "stopping after this batch" in stderr
    assert "stopped by Ctrl-C" in stdout
    keras.saving.load_model(out, safe_mode=True)
    assert [p.name for p in tmp_path.iterdir() if ".partial" in p.name] == []


@pytest.mark.parametrize("kind", BAD_MODEL_KINDS)
def test_eval_refuses_bad_models_in_one_sentence_without_running_their_code(bad_models, sample_path, kind):
    bad = bad_models[kind]
    finished = run("mnist-pad-eval", "--model", str(bad.path), "--data", str(sample_path))
    assert_one_sentence_failure(finished, str(bad.path), bad.reason)
    assert not lambda_marker(bad.path).exists()


def test_eval_refuses_a_bad_strokes_file(tmp_path):
    bad = tmp_path / "strokes.npz"
    np.savez(bad, labels=np.zeros(3, np.int8))
    finished = run("mnist-pad-eval", "--strokes", str(bad))
    assert_one_sentence_failure(finished, str(bad), "lacks points")


def test_eval_replays_real_pen_digits_through_the_canvas(tmp_path, pen_digits_path):
    from mnist_pad.pen_digits import load_pen_digits

    digits = load_pen_digits(pen_digits_path)
    picked = np.random.default_rng(3).choice(len(digits), 150, replace=False)
    subset = tmp_path / "subset.npz"
    samples = [digits.strokes(i) for i in picked]
    strokes = [s for sample in samples for s in sample]
    np.savez(
        subset,
        labels=digits.labels[picked].astype(np.int8),
        points=np.concatenate(strokes),
        stroke_offsets=np.concatenate([[0], np.cumsum([len(s) for s in strokes])]),
        sample_offsets=np.concatenate([[0], np.cumsum([len(s) for s in samples])]),
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    finished = run("mnist-pad-eval", "--strokes", str(subset), "--scale", "0.3", "--json", env=env)
    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout)
    assert result["n"] == 150 and result["scale"] == 0.3
    assert result["accuracy"] >= 0.9


def test_a_train_tab_runs_command_makes_the_same_run_from_a_shell(tmp_path):
    """A model trained in the window has a card whose command ``mnist-pad-train`` reads back as that run."""
    import shlex

    from training.card import train_command
    from training.cli import build_parser, config_from_args
    from training.job import TrainConfig

    config = TrainConfig(
        epochs=3, batch_size=64, augment=True, train_samples=900, pen_files=("a b.npz",), pen_repeat=2,
        digit_styles=True, not_digit_files=("letters.npz",), made_up_not_digits=250, not_digit_weight=2.5,
        mnist_weight=1.5,
        init_model="start.h5", learning_rate=0.0003, patience=4, average_weights=True, clean_finish_epochs=2,
    )
    words = shlex.split(train_command(config, "mnist.npz", tmp_path / "out.h5"))
    assert words[0] == "mnist-pad-train"
    args = build_parser().parse_args(words[1:])
    assert config_from_args(args) == config
    assert args.data == "mnist.npz" and args.out == str(tmp_path / "out.h5")


def test_contributors_are_named_as_a_fold_models_file_name_spells_them_or_with_commas():
    import argparse

    from training.arguments import contributor_names

    assert contributor_names("ced+pri+cea") == contributor_names("ced, pri,cea") == ("ced", "pri", "cea")
    assert contributor_names("art+art,cea") == ("art", "cea")
    with pytest.raises(argparse.ArgumentTypeError):
        contributor_names("+ ,")
