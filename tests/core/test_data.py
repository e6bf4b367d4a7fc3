"""The MNIST loader: npz, IDX (plain and gzipped), the search order, and every error case."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from training.data import (
    DATA_ENV_VAR,
    IDX_NAMES,
    DataError,
    load_mnist,
    read_idx,
    split_validation,
)


def write_idx(path, array: np.ndarray, compress: bool = False) -> None:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    (gzip.open if compress else open)(path, "wb").write(payload)


def write_idx_dir(directory, data, compress: bool) -> None:
    for key, name in IDX_NAMES.items():
        write_idx(directory / (name + (".gz" if compress else "")), getattr(data, key), compress)


def test_sample_is_real_mnist(sample_data):
    assert sample_data.x_train.shape == (2000, 28, 28) and sample_data.x_train.dtype == np.uint8
    assert sample_data.x_test.shape == (500, 28, 28)
    assert np.bincount(sample_data.y_train, minlength=10).tolist() == [200] * 10
    # Real digits: dark background, bright strokes, mean pixel near MNIST's 33.3.
    assert 25 < sample_data.x_train.mean() < 42
    assert sample_data.x_train[:, 0, :].max() == 0  # MNIST leaves the top row empty


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_idx_directory_round_trips(tmp_path, sample_data, compress):
    write_idx_dir(tmp_path, sample_data, compress)
    loaded = load_mnist(tmp_path)
    for key in IDX_NAMES:
        np.testing.assert_array_equal(getattr(loaded, key), getattr(sample_data, key))
    assert loaded.source == str(tmp_path)


def test_explicit_path_beats_environment(monkeypatch, tmp_path, sample_path):
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "nowhere.npz"))
    assert load_mnist(sample_path).source == str(sample_path)


def test_environment_variable_is_used_without_a_path(monkeypatch, sample_path):
    monkeypatch.setenv(DATA_ENV_VAR, str(sample_path))
    assert load_mnist().source == str(sample_path)


def test_int64_labels_are_accepted(tmp_path, sample_data):
    path = tmp_path / "int64.npz"
    np.savez(path, x_train=sample_data.x_train, y_train=sample_data.y_train.astype(np.int64),
             x_test=sample_data.x_test, y_test=sample_data.y_test.astype(np.int64))
    assert load_mnist(path).y_train.dtype == np.uint8


def _save(path, data, **override):
    arrays = {k: getattr(data, k) for k in ("x_train", "y_train", "x_test", "y_test")}
    arrays.update(override)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"x_train": None}, "lacks x_train"),
        ({"y_test": np.full(500, 10)}, "labels must be integers from 0 to 9"),
        ({"x_train": np.zeros((2000, 28, 28), np.float32)}, "must be uint8 of shape"),
        ({"x_test": np.zeros((500, 32, 32), np.uint8)}, "must be uint8 of shape"),
        ({"y_train": np.zeros(1999, np.uint8)}, "one per image"),
    ],
)
def test_malformed_npz_is_named_and_explained(tmp_path, sample_data, override, expected):
    path = _save(tmp_path / "bad.npz", sample_data, **override)
    with pytest.raises(DataError, match=expected) as caught:
        load_mnist(path)
    assert str(path) in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_mnist(tmp_path / "absent.npz")


def test_truncated_npz(tmp_path, sample_path):
    cut = tmp_path / "cut.npz"
    cut.write_bytes(sample_path.read_bytes()[:50_000])
    with pytest.raises(DataError, match="corrupt, truncated"):
        load_mnist(cut)


def test_a_file_of_another_kind(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("these are not images")
    with pytest.raises(DataError, match=r"not an \.npz file"):
        load_mnist(text)


def test_truncated_idx_file(tmp_path, sample_data):
    write_idx_dir(tmp_path, sample_data, compress=False)
    images = tmp_path / IDX_NAMES["x_train"]
    images.write_bytes(images.read_bytes()[:-100])
    with pytest.raises(DataError, match="truncated or corrupt"):
        load_mnist(tmp_path)


def test_idx_directory_missing_a_file(tmp_path, sample_data):
    write_idx_dir(tmp_path, sample_data, compress=False)
    (tmp_path / IDX_NAMES["y_test"]).unlink()
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path)


def test_idx_bad_magic(tmp_path):
    path = tmp_path / "noise"
    path.write_bytes(b"\x01\x02\x03\x04" + bytes(20))
    with pytest.raises(DataError, match="bad magic"):
        read_idx(path)


def test_validation_split_is_disjoint_and_seeded(sample_data):
    (x_tr, y_tr), (x_val, y_val) = split_validation(sample_data.x_train, sample_data.y_train, 400, seed=3)
    assert len(x_val) == 400 and len(x_tr) == 1600
    again = split_validation(sample_data.x_train, sample_data.y_train, 400, seed=3)
    np.testing.assert_array_equal(again[1][0], x_val)
    train_rows = {row.tobytes() for row in x_tr}
    assert not any(row.tobytes() in train_rows for row in x_val)


def test_full_mnist_matches_its_readme(full_data_path):
    data = load_mnist(full_data_path)
    assert data.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(data.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert round(float(data.x_train.mean()), 3) == 33.318
