"""Generated damage to every input: each damaged file loads cleanly or is refused in one sentence
naming it (the project's own error), in the loaders and in every command; nothing is written back."""

from __future__ import annotations

import random
import struct
import zipfile
import zlib

import numpy as np
import pytest
from cli_helpers import assert_one_sentence_failure, run
from damage import (
    HOW,
    LOADED,
    MAX_DAMAGE_BYTES,
    REFUSED,
    Damage,
    copy_folder_damaging_one,
    idx_folder,
    import_pen_file,
    load_mnist_file,
    load_model_fully,
    load_model_precheck,
    load_not_digit_file,
    open_store,
    outcome,
    random_damage,
    real_store,
    render_card_beside,
    synthetic_pen_digits,
    write_damaged,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnist_pad.files import card_path
from mnist_pad.model_io import default_model_path

damages = st.builds(Damage, st.sampled_from(HOW), st.floats(0, 1, exclude_max=True),
                    st.integers(1, MAX_DAMAGE_BYTES), st.integers(0, 2**32 - 1))
# Hypothesis replays its own cases; the fixtures' files are only read, and each case writes afresh.
DAMAGE_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def originals(tmp_path_factory, sample_path):
    """The real files each kind damages: the shipped model (and as .keras), MNIST, pen digits, a store."""
    import keras

    folder = tmp_path_factory.mktemp("originals")
    keras.saving.load_model(default_model_path(), compile=False).save(folder / "model.keras")
    pen = synthetic_pen_digits(folder / "pen-digits.npz")
    rng = np.random.default_rng(1)
    letters = folder / "not-digits.npz"
    with np.load(pen) as npz:  # the pen-letters layout: labels -1 and the letter asked for
        np.savez_compressed(letters, **{k: npz[k] for k in npz.files if k != "labels"},
                            labels=np.full(len(npz["labels"]), -1, np.int8),
                            char=rng.choice(list("abcXYZ"), len(npz["labels"])))
    return {
        "model.h5": default_model_path(), "model.keras": folder / "model.keras", "mnist.npz": sample_path,
        "idx.gz": idx_folder(sample_path, folder / "idx-gz", gzipped=True), "pen": pen, "letters": letters,
        "store": real_store(pen, folder / "store.sqlite"),
    }


def assert_clean(result: str) -> None:
    assert result in (LOADED, REFUSED), result


@pytest.mark.parametrize(("kind", "load"), [
    ("model.h5", load_model_precheck), ("model.keras", load_model_precheck), ("mnist.npz", load_mnist_file),
    ("pen", import_pen_file), ("letters", load_not_digit_file), ("store", open_store),
])
@DAMAGE_SETTINGS
@given(damage=damages)
def test_a_damaged_file_loads_or_is_refused_in_one_sentence(originals, tmp_path, kind, load, damage):
    assert_clean(outcome(load, write_damaged(originals[kind], damage, tmp_path)))


@DAMAGE_SETTINGS
@given(damage=damages, which=st.integers(0, 3))
def test_a_folder_of_gzipped_idx_files_with_one_damaged_is_refused_in_one_sentence(originals, tmp_path, damage, which):
    assert_clean(outcome(load_mnist_file, copy_folder_damaging_one(originals["idx.gz"], tmp_path / "idx", damage,
                                                                   which)))


@DAMAGE_SETTINGS
@given(damage=damages)
def test_a_damaged_card_file_still_renders(tmp_path, damage):
    model = tmp_path / "m.h5"
    write_damaged(card_path(default_model_path()), damage, tmp_path, card_path(model).name)
    assert outcome(render_card_beside, model) == LOADED


@pytest.mark.parametrize("kind", ["model.h5", "model.keras"])
def test_damaged_models_that_pass_the_precheck_load_or_are_refused_by_the_full_load(originals, tmp_path, kind):
    """Keras loads take a second: a handful, found by seeded damage, the first in the weights."""
    rng, results = random.Random(kind), []
    original = originals[kind]
    size = original.stat().st_size
    candidates = [Damage("flip", 0.6, 8, 0), *(random_damage(rng) for _ in range(200))]
    for damage in candidates:
        path = write_damaged(original, damage, tmp_path, f"{len(results)}{original.suffix}")
        if outcome(load_model_precheck, path) == LOADED and path.stat().st_size <= size + MAX_DAMAGE_BYTES:
            results.append(outcome(load_model_fully, path))
        if len(results) == 3:
            break
    assert len(results) == 3
    for result in results:
        assert_clean(result)


# -- the commands, given a damaged compressed .npz ------------------------------------


def zlib_damaged(original, member: str, path):
    """A copy of a compressed .npz whose ``member`` fails to decompress: numpy alone raises zlib.error.

    Most damage to a deflate stream is caught by zipfile's CRC instead; seeded tries find one that is not.
    """
    with zipfile.ZipFile(original) as archive:
        info = archive.getinfo(f"{member}.npy")
    local_header = original.read_bytes()[info.header_offset:info.header_offset + 30]
    name_length, extra_length = struct.unpack("<HH", local_header[26:30])
    start = info.header_offset + 30 + name_length + extra_length  # where the deflate stream begins
    rng = random.Random(0)
    for _ in range(500):
        data = bytearray(original.read_bytes())
        middle = start + rng.randrange(info.compress_size // 4, info.compress_size // 2)
        data[middle:middle + 8] = rng.randbytes(8)
        path.write_bytes(bytes(data))
        try:
            with np.load(path) as npz:
                npz[member]
        except zlib.error:
            return path
        except Exception:  # noqa: S112 (caught by the CRC or the header: try another)
            continue
    raise AssertionError(f"no damage to {original.name} made zlib fail")


@pytest.fixture
def damaged_pen_digits(tmp_path):
    return zlib_damaged(synthetic_pen_digits(tmp_path / "pen.npz", count=200), "points", tmp_path / "damaged.npz")


@pytest.fixture
def damaged_mnist(tmp_path, sample_path):
    return zlib_damaged(sample_path, "x_train", tmp_path / "damaged-mnist.npz")


def test_samples_import_refuses_a_damaged_compressed_file_and_leaves_the_store_as_it_was(
        tmp_path, damaged_pen_digits):
    store = real_store(synthetic_pen_digits(tmp_path / "mine.npz"), tmp_path / "mine.sqlite")
    before = store.read_bytes()
    finished = run("mnist-pad-samples", "import", str(damaged_pen_digits), "--store", str(store))
    assert_one_sentence_failure(finished, str(damaged_pen_digits))
    assert store.read_bytes() == before


@pytest.mark.parametrize(("command", "damaged"), [
    (["mnist-pad-eval", "--strokes", "{file}"], "damaged_pen_digits"),
    (["mnist-pad-train", "--strokes", "{file}", "--epochs", "1", "--out", "{folder}/m.h5"], "damaged_pen_digits"),
    (["mnist-pad-train", "--data", "{file}", "--epochs", "1", "--out", "{folder}/m.h5"], "damaged_mnist"),
], ids=["eval --strokes", "train --strokes", "train --data"])
def test_each_command_refuses_a_damaged_compressed_file_in_one_sentence(request, tmp_path, command, damaged):
    path = request.getfixturevalue(damaged)
    finished = run(*[word.format(file=path, folder=tmp_path) for word in command])
    assert_one_sentence_failure(finished, str(path))
    assert not (tmp_path / "m.h5").exists()
