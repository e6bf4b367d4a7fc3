"""The my-digits store: lossless strokes, one transaction per action, refusing files it must not touch."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from mnist_pad.my_digits import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    DigitStore,
    StoreError,
    default_store_path,
    export_npz,
    import_npz,
    next_prompt,
    pen_digits_of,
)
from mnist_pad.pen_digits import PenDigitsError, in_pad_units, load_pen_digits


def random_digit(rng: np.random.Generator) -> list[np.ndarray]:
    """A few strokes of random lengths, with values that a lossy format would round."""
    return [rng.random((rng.integers(1, 40), 2)).astype(np.float32) for _ in range(rng.integers(1, 4))]


def assert_same_strokes(got: list[np.ndarray], expected: list[np.ndarray]) -> None:
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert a.dtype == np.float32 and a.tobytes() == np.asarray(b, np.float32).tobytes()


@pytest.fixture
def store(tmp_path):
    with DigitStore(tmp_path / "digits.sqlite") as opened:
        yield opened


def test_a_saved_digit_comes_back_exactly(store):
    strokes = random_digit(np.random.default_rng(1))
    before = time.time()
    sample_id = store.add(strokes, 7, predicted=1)
    [sample] = store.samples()
    assert sample.id == sample_id and sample.label == 7 and sample.predicted == 1
    assert before <= sample.created <= time.time()
    assert_same_strokes(sample.strokes, strokes)
    store.add(strokes, 3)
    assert store.samples()[1].predicted is None


def test_the_digits_of_a_number_are_saved_all_or_none(store):
    rng = np.random.default_rng(2)
    digits = [(random_digit(rng), 4, 4), (random_digit(rng), 2, 7)]
    ids = store.add_all(digits)
    assert [(s.id, s.label, s.predicted) for s in store.samples()] == [(ids[0], 4, 4), (ids[1], 2, 7)]
    for sample, (strokes, _, _) in zip(store.samples(), digits):
        assert_same_strokes(sample.strokes, strokes)

    with pytest.raises(StoreError):
        store.add_all([(random_digit(rng), 1, None), ([], 5, None)])  # the second has no stroke
    assert [s.id for s in store.samples()] == ids, "nothing of a number is saved when one digit fails"


def test_it_survives_closing_and_reopening(tmp_path):
    rng = np.random.default_rng(2)
    digits = [(random_digit(rng), label) for label in (4, 4, 9)]
    with DigitStore(tmp_path / "s.sqlite") as store:
        ids = [store.add(strokes, label) for strokes, label in digits]
    with DigitStore(tmp_path / "s.sqlite") as store:
        samples = store.samples()
        assert [s.id for s in samples] == ids
        for sample, (strokes, label) in zip(samples, digits):
            assert sample.label == label
            assert_same_strokes(sample.strokes, strokes)
        assert store.counts() == [0, 0, 0, 0, 2, 0, 0, 0, 0, 1]


def test_the_file_is_marked_as_ours_and_in_wal_mode(store):
    store.add(random_digit(np.random.default_rng(3)), 0)
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_relabel_delete_and_restore(store):
    rng = np.random.default_rng(4)
    first = store.add(random_digit(rng), 1)
    second = store.add(random_digit(rng), 2)
    store.relabel(first, 7)
    assert store.counts() == [0, 0, 1, 0, 0, 0, 0, 1, 0, 0]
    kept = store.samples()[1]
    store.delete(second)
    assert [s.id for s in store.samples()] == [first]
    store.restore(kept)
    restored = store.samples()[1]
    assert (restored.id, restored.label, restored.created) == (second, 2, kept.created)
    assert_same_strokes(restored.strokes, kept.strokes)


def test_ids_are_never_reused_so_undo_can_put_a_digit_back(store):
    rng = np.random.default_rng(12)
    first = store.add(random_digit(rng), 1)
    last = store.add(random_digit(rng), 2)
    deleted = store.samples()[1]
    store.delete(last)
    newer = store.add(random_digit(rng), 3)
    assert newer not in (first, last)
    store.restore(deleted)
    assert [s.id for s in store.samples()] == [first, last, newer]


def test_deleting_several_is_all_or_none(store):
    rng = np.random.default_rng(13)
    ids = [store.add(random_digit(rng), label) for label in (1, 2)]
    with pytest.raises(StoreError, match="no digit 99"):
        store.delete(ids[0], 99)
    assert [s.id for s in store.samples()] == ids
    with pytest.raises(StoreError, match="from 0 to 9"):
        store.relabel_many({ids[0]: 5, ids[1]: 12})
    assert [s.label for s in store.samples()] == [1, 2]
    store.delete(*ids)
    assert store.samples() == []


def test_changes_to_a_missing_digit_or_bad_label_are_refused(store):
    sample_id = store.add(random_digit(np.random.default_rng(5)), 1)
    with pytest.raises(StoreError, match="no digit 99"):
        store.delete(99)
    with pytest.raises(StoreError, match="no digit 99"):
        store.relabel(99, 3)
    with pytest.raises(StoreError, match="from 0 to 9"):
        store.relabel(sample_id, 10)
    with pytest.raises(StoreError, match="at least one stroke"):
        store.add([], 3)
    assert store.counts() == [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]


def test_pen_digits_is_every_sample_in_order_by_me(store):
    rng = np.random.default_rng(6)
    digits = [(random_digit(rng), label) for label in (5, 0, 5)]
    for strokes, label in digits:
        store.add(strokes, label)
    pen = store.pen_digits()
    assert list(pen.labels) == [5, 0, 5] and list(pen.writers) == ["me"] * 3
    for i, (strokes, _) in enumerate(digits):
        assert_same_strokes(pen.strokes(i), strokes)


def test_an_empty_store_is_an_empty_set_of_pen_digits(store):
    pen = store.pen_digits()
    assert len(pen) == 0 and pen.points.shape == (0, 2) and list(pen.sample_offsets) == [0]


def test_the_default_path_is_in_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST_PAD_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_store_path() == tmp_path / "mnist-pad" / "my-digits.sqlite"
    monkeypatch.setenv("MNIST_PAD_STORE", str(tmp_path / "elsewhere.sqlite"))
    assert default_store_path() == tmp_path / "elsewhere.sqlite"


def test_prompts_ask_for_the_digits_with_fewest_samples_ties_at_random():
    counts = [3, 1, 2, 1, 5, 1, 4, 4, 4, 4]
    rng = random.Random(0)
    asked = {next_prompt(counts, rng) for _ in range(200)}
    assert asked == {1, 3, 5}


def test_collecting_in_prompt_order_keeps_the_classes_balanced():
    counts = [0] * 10
    rng = random.Random(1)
    for _ in range(47):
        counts[next_prompt(counts, rng)] += 1
    assert max(counts) - min(counts) <= 1 and sum(counts) == 47


# -- killed mid-write ---------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from mnist_pad.my_digits import DigitStore

    store = DigitStore(sys.argv[1])
    for i in range(100_000):
        rng = np.random.default_rng(i)
        strokes = [rng.random((200, 2)).astype(np.float32) for _ in range(3)]  # big rows: long writes
        sample_id = store.add(strokes, i % 10, predicted=(i + 1) % 10)
        print(i, sample_id, flush=True)  # only once add() has returned: committed
    """
)


def test_a_store_killed_mid_write_keeps_every_committed_sample(tmp_path):
    path = tmp_path / "killed.sqlite"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    committed = {}
    try:
        for line in child.stdout:
            i, sample_id = map(int, line.split())
            committed[sample_id] = i
            if len(committed) == 60:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)  # while it writes the next sample
        child.wait()
    assert child.returncode == -signal.SIGKILL and len(committed) == 60

    with DigitStore(path) as store:  # quick_check runs on opening: damage would be refused
        samples = {s.id: s for s in store.samples()}
    assert set(committed) <= set(samples)
    for sample_id, i in committed.items():
        rng = np.random.default_rng(i)
        expected = [rng.random((200, 2)).astype(np.float32) for _ in range(3)]
        sample = samples[sample_id]
        assert (sample.label, sample.predicted) == (i % 10, (i + 1) % 10)
        assert_same_strokes(sample.strokes, expected)


# -- files that must be refused and left as they were --------------------------------


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def refuse_untouched(path, match: str) -> None:
    before = snapshot(path.parent)
    with pytest.raises(StoreError, match=match) as refused:
        DigitStore(path)
    assert snapshot(path.parent) == before  # same files, same bytes: nothing added, nothing changed
    message = str(refused.value)
    assert message.startswith(str(path)) and "\n" not in message


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "newer.sqlite"
    with DigitStore(path) as store:
        store.add(random_digit(np.random.default_rng(7)), 4)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.execute("PRAGMA journal_mode = DELETE")  # settle it into one file, as a newer app would leave it
    db.close()
    refuse_untouched(path, "newer mnist-pad")


def test_another_programs_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "places.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE bookmarks (url TEXT)")
    db.execute("INSERT INTO bookmarks VALUES ('https://example.org')")
    db.commit()
    db.close()
    refuse_untouched(path, "another program's SQLite database")


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("shopping: eggs, milk\n" * 20)
    refuse_untouched(path, "not an SQLite database")


def test_a_damaged_store_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "damaged.sqlite"
    with DigitStore(path) as store:
        rng = np.random.default_rng(8)
        for label in range(10):
            store.add([rng.random((2000, 2)).astype(np.float32)], label)  # several pages per digit
    raw = bytearray(path.read_bytes())
    page_size = int.from_bytes(raw[16:18], "big")
    raw[2 * page_size:] = os.urandom(len(raw) - 2 * page_size)  # scribble over all but the first pages
    path.write_bytes(bytes(raw))
    refuse_untouched(path, "damaged|cannot be used")


# -- export and import ----------------------------------------------------------------


def test_export_then_import_round_trips_exactly(tmp_path):
    rng = np.random.default_rng(9)
    with DigitStore(tmp_path / "a.sqlite") as source:
        for label in (3, 1, 4, 1, 5):
            source.add(random_digit(rng), label, predicted=label if label != 4 else None)
        original = source.samples()
        assert export_npz(source, tmp_path / "mine.npz") == 5
    exported = load_pen_digits(tmp_path / "mine.npz")  # readable by the pen-digits loader
    assert list(exported.writers) == ["me"] * 5
    with np.load(tmp_path / "mine.npz") as raw:
        assert {"labels", "points", "stroke_offsets", "sample_offsets", "contributor", "writer", "source",
                "dpi"} <= set(raw.files)
        assert raw["labels"].dtype == np.int8 and raw["points"].dtype == np.float32

    with DigitStore(tmp_path / "b.sqlite") as target:
        assert import_npz(target, tmp_path / "mine.npz") == (5, 0)
        copied = target.samples()
        assert import_npz(target, tmp_path / "mine.npz") == (0, 5)  # exact duplicates are skipped
        assert len(target.samples()) == 5
    for a, b in zip(copied, original):
        assert (a.label, a.created, a.predicted) == (b.label, b.created, b.predicted)
        assert_same_strokes(a.strokes, b.strokes)


def test_import_skips_only_exact_duplicates(tmp_path):
    rng = np.random.default_rng(10)
    strokes = random_digit(rng)
    with DigitStore(tmp_path / "a.sqlite") as source:
        source.add(strokes, 2)
        source.add(strokes, 2)  # a duplicate within the file
        source.add(strokes, 8)  # same strokes, another label: not a duplicate
        moved = [s.copy() for s in strokes]
        moved[0][0, 0] = np.nextafter(moved[0][0, 0], np.float32(2))  # one point one float step away
        source.add(moved, 2)
        export_npz(source, tmp_path / "mine.npz")
    with DigitStore(tmp_path / "b.sqlite") as target:
        assert import_npz(target, tmp_path / "mine.npz") == (3, 1)
        assert target.counts()[2] == 2 and target.counts()[8] == 1


def test_tablet_recordings_are_imported_in_pad_units(tmp_path, pen_digits_path):
    recorded = load_pen_digits(pen_digits_path)
    with DigitStore(tmp_path / "s.sqlite") as store:
        added, skipped = import_npz(store, pen_digits_path)
        samples = store.samples()
    assert added + skipped == len(recorded) and added == len(samples)
    first = samples[0]
    assert first.label == recorded.labels[0]
    assert_same_strokes(first.strokes, in_pad_units(recorded.strokes(0)))
    points = np.concatenate([s for sample in samples[:500] for s in sample.strokes])
    assert points.min() >= 0 and points.max() <= 1  # inside the pad, as drawn there


def test_a_bad_import_file_is_refused_and_the_store_keeps_what_it_had(tmp_path):
    with DigitStore(tmp_path / "s.sqlite") as store:
        store.add(random_digit(np.random.default_rng(11)), 6)
        bad = tmp_path / "bad.npz"
        bad.write_bytes(b"PK\x03\x04 not really a zip")
        with pytest.raises(PenDigitsError):
            import_npz(store, bad)
        pen = pen_digits_of(store.samples())
        np.savez(tmp_path / "bad_labels.npz", labels=np.array([12], np.int8), points=pen.points,
                 stroke_offsets=pen.stroke_offsets, sample_offsets=pen.sample_offsets)
        with pytest.raises(PenDigitsError, match="labels"):
            import_npz(store, tmp_path / "bad_labels.npz")
        np.savez(tmp_path / "bad_times.npz", labels=pen.labels, points=pen.points, created=np.array(["today"]),
                 stroke_offsets=pen.stroke_offsets, sample_offsets=pen.sample_offsets)
        with pytest.raises(PenDigitsError, match="created"):
            import_npz(store, tmp_path / "bad_times.npz")
        assert store.counts() == [0, 0, 0, 0, 0, 0, 1, 0, 0, 0]


def test_exporting_an_empty_store_is_refused(store, tmp_path):
    with pytest.raises(StoreError, match="no digits"):
        export_npz(store, tmp_path / "empty.npz")
    assert not (tmp_path / "empty.npz").exists()
