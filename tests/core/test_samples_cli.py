"""``mnist-pad-samples`` as a user runs it: list, export, import, and one sentence for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from cli_helpers import OUTSIDE_CHECKOUT, run

from mnist_pad.my_digits import DigitStore


def one_line_error(result) -> str:
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mnist-pad-samples: ")
    return lines[0]


@pytest.fixture
def store_path(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "mine.sqlite"
    with DigitStore(path) as store:
        for label in [3, 3, 3, 0, 9, 9]:
            store.add([rng.random((12, 2)).astype(np.float32)], label, predicted=label)
    return path


def test_list_json_counts_every_digit(store_path):
    result = run("mnist-pad-samples", "list", "--json", "--store", str(store_path))
    assert result.returncode == 0, result.stderr
    with DigitStore(store_path) as store:
        counts = store.counts()
    assert json.loads(result.stdout) == {"total": sum(counts), "per_digit": {str(d): counts[d] for d in range(10)}}
    assert counts[3] == 3 and counts[9] == 2  # the fixture's digits, read back independently


def test_list_as_a_table_and_store_before_the_command(store_path):
    result = run("mnist-pad-samples", "--store", str(store_path), "list")
    assert result.returncode == 0, result.stderr
    rows = dict(line.split() for line in result.stdout.strip().splitlines()[1:])
    assert rows["3"] == "3" and rows["5"] == "0" and rows["total"] == "6"


def test_list_of_a_store_not_yet_made_is_empty_and_creates_nothing(tmp_path):
    path = tmp_path / "none-yet.sqlite"
    result = run("mnist-pad-samples", "list", "--json", "--store", str(path))
    assert json.loads(result.stdout)["total"] == 0 and not path.exists()


def test_export_then_import_round_trips_exactly(store_path, tmp_path):
    exported = tmp_path / "mine.npz"
    result = run("mnist-pad-samples", "export", str(exported), "--store", str(store_path))
    assert result.returncode == 0, result.stderr
    assert "6 digits" in result.stdout
    with np.load(exported) as raw:
        assert list(raw["writer"]) == ["me"] * 6 and list(raw["labels"]) == [3, 3, 3, 0, 9, 9]

    copy = tmp_path / "copy.sqlite"
    result = run("mnist-pad-samples", "import", str(exported), "--store", str(copy))
    assert result.returncode == 0, result.stderr
    assert "Added 6 digits" in result.stdout and "skipped 0" in result.stdout
    again = run("mnist-pad-samples", "import", str(exported), "--store", str(copy))
    assert "Added 0 digits" in again.stdout and "skipped 6" in again.stdout

    with DigitStore(store_path) as original, DigitStore(copy) as copied:
        for a, b in zip(original.samples(), copied.samples(), strict=True):
            assert (a.label, a.created, a.predicted) == (b.label, b.created, b.predicted)
            assert [s.tobytes() for s in a.strokes] == [s.tobytes() for s in b.strokes]


def test_a_bad_import_file_gets_one_sentence_and_changes_nothing(store_path, tmp_path):
    bad = tmp_path / "notes.npz"
    bad.write_text("not numpy at all")
    line = one_line_error(run("mnist-pad-samples", "import", str(bad), "--store", str(store_path)))
    assert str(bad) in line
    with DigitStore(store_path) as store:
        assert sum(store.counts()) == 6


def test_a_store_that_is_not_ours_gets_one_sentence(tmp_path):
    foreign = tmp_path / "other.sqlite"
    foreign.write_bytes(b"SQLite format 3\x00" + bytes(200))  # an SQLite header, not our mark
    before = foreign.read_bytes()
    line = one_line_error(run("mnist-pad-samples", "list", "--store", str(foreign)))
    assert "not a my-digits store" in line
    assert foreign.read_bytes() == before


def test_exporting_nothing_is_refused(tmp_path):
    line = one_line_error(run("mnist-pad-samples", "export", str(tmp_path / "x.npz"),
                              "--store", str(tmp_path / "none.sqlite")))
    assert "no digits" in line and not (tmp_path / "x.npz").exists()


def test_the_tool_imports_neither_qt_nor_tensorflow():
    probe = ("import sys, mnist_pad.samples_cli;"
             " print(sorted(m for m in ('PySide6', 'tensorflow', 'keras') if m in sys.modules))")
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=OUTSIDE_CHECKOUT, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stderr
