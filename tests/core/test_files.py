"""Atomic replacement: readers see the old complete file or the new one, never a partial write."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import keras
import pytest

from mnist_pad.files import (
    commit,
    remove_stray_temporaries,
    temporary_sibling,
    write_bytes_atomic,
)
from training.checkpoint import AtomicModelCheckpoint


def test_write_replaces_whole_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "card.json"
    target.write_text("old")
    write_bytes_atomic(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert os.listdir(tmp_path) == ["card.json"]


def test_only_the_killed_writers_temporaries_are_removed(tmp_path, monkeypatch):
    target = tmp_path / "model.h5"
    target.write_bytes(b"the last good model")
    monkeypatch.setattr(os, "getpid", lambda: 4242)
    killed = [temporary_sibling(target), temporary_sibling(target)]
    monkeypatch.setattr(os, "getpid", lambda: 424)  # a pid that is a prefix of the other
    other_writer = temporary_sibling(target)
    other_file = temporary_sibling(tmp_path / "model.keras")
    for path in (*killed, other_writer, other_file):
        path.write_bytes(b"half a model")

    remove_stray_temporaries(target, 4242)

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["model.h5", other_writer.name, other_file.name]
    )
    assert target.read_bytes() == b"the last good model"


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "model.h5"
    target.write_bytes(b"old model")

    def power_cut(src, dst):
        raise OSError("disk vanished")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        write_bytes_atomic(target, b"new model")
    assert target.read_bytes() == b"old model"
    assert os.listdir(tmp_path) == ["model.h5"]


def test_temporary_keeps_suffix_and_directory(tmp_path):
    temporary = temporary_sibling(tmp_path / "m.h5")
    assert temporary.parent == tmp_path and temporary.suffix == ".h5"
    assert temporary.name.startswith(".m.partial-")


def test_process_killed_mid_write_leaves_old_file_intact(tmp_path):
    """SIGKILL while the new model is half written: the target is still the old, loadable model."""
    target = tmp_path / "model.h5"
    keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]).save(target)
    before = target.read_bytes()
    script = textwrap.dedent(
        f"""
        import os, signal
        import keras
        from training.checkpoint import AtomicModelCheckpoint
        real_save = keras.Model.save

        def save_then_power_cut(self, filepath, *args, **kwargs):
            real_save(self, filepath, *args, **kwargs)
            with open(filepath, "r+b") as stream:  # only half of it reached the disk...
                stream.truncate(os.path.getsize(filepath) // 2)
            os.kill(os.getpid(), signal.SIGKILL)  # ...when the process died

        keras.Model.save = save_then_power_cut
        model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
        checkpoint = AtomicModelCheckpoint({str(target)!r}, monitor="val_acc", mode="max")
        checkpoint.set_model(model)
        checkpoint.on_epoch_end(0, {{"val_acc": 0.99}})
        """
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert finished.returncode == -9
    assert target.read_bytes() == before
    keras.saving.load_model(target)


def test_checkpoint_moves_each_improvement_into_place(tmp_path):
    target = tmp_path / "best.h5"
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    checkpoint = AtomicModelCheckpoint(target, monitor="val_acc", mode="max")
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(0, {"val_acc": 0.5})
    first = target.read_bytes()
    model.layers[0].kernel.assign(model.layers[0].kernel + 1.0)
    checkpoint.on_epoch_end(1, {"val_acc": 0.4})  # worse: not saved
    assert target.read_bytes() == first
    checkpoint.on_epoch_end(2, {"val_acc": 0.9})  # better: replaced
    assert target.read_bytes() != first
    assert sorted(os.listdir(tmp_path)) == ["best.h5"]
    keras.saving.load_model(target)


def test_commit_replaces_existing_target(tmp_path):
    target, temporary = tmp_path / "t.bin", tmp_path / "x.bin"
    target.write_bytes(b"a")
    temporary.write_bytes(b"b")
    commit(temporary, target)
    assert target.read_bytes() == b"b" and not temporary.exists()
